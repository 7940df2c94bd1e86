//! `user-account`: a runnable server with the fairing attached, and the operator CLI.

use std::path::PathBuf;
use std::process::ExitCode;

use chrono::{Duration, Utc};
use clap::{Args, Parser, Subcommand};
use diesel_async::{AsyncConnection, AsyncPgConnection};
use rocket::figment::Figment;
use rocket_user_account::config::{redact_url, Config};
use rocket_user_account::db::sessions::NewSession;
use rocket_user_account::db::users::{NewUser, StoredAvatar, User};
use rocket_user_account::dev_db::{self, PrivateCluster};
use rocket_user_account::token::PlainToken;
use rocket_user_account::{avatar, db, password, UserAccount};

/// Where the server looks for PostgreSQL when `databases.user_account.url` is not set.
const DEFAULT_URL: &str = "postgres://postgres@127.0.0.1:5432/user_account";
/// The private cluster started when nothing answers at [`DEFAULT_URL`].
const PRIVATE_DIR: &str = "target/user-account-pg";
const PRIVATE_PORT: u16 = 54329;

#[derive(Parser)]
#[command(
    name = "user-account",
    version,
    about = "Runs the user-account server, or an operator command against its database."
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API (the default).
    Serve,
    /// Apply pending migrations and exit.
    Migrate,
    /// Manage users.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage bearer tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Manage avatars.
    #[command(subcommand)]
    Avatar(AvatarCommand),
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create a user; prints only the new id.
    Add {
        /// Email address.
        #[arg(long)]
        email: String,
        /// Display name.
        #[arg(long, default_value = "")]
        name: String,
        /// Initial password (hashed with argon2id).
        #[arg(long)]
        password: Option<String>,
    },
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Create a bearer session for a user; prints only the token.
    Issue {
        /// The user's email.
        #[arg(long)]
        email: String,
        /// A scope to grant; repeat for several.
        #[arg(long = "scope")]
        scopes: Vec<String>,
        /// Lifetime in hours.
        #[arg(long, default_value_t = 24)]
        hours: u32,
    },
}

#[derive(Subcommand)]
enum AvatarCommand {
    /// Store an avatar for a user: image bytes from a file, or a URL to redirect to.
    Set(AvatarSet),
}

#[derive(Args)]
#[group(required = true, multiple = false, id = "source")]
struct AvatarSource {
    /// A png, jpeg, gif or webp file (its type is sniffed from the bytes).
    #[arg(long, group = "source")]
    file: Option<PathBuf>,
    /// An http(s) URL.
    #[arg(long, group = "source")]
    url: Option<String>,
}

#[derive(Args)]
struct AvatarSet {
    /// The user's email.
    #[arg(long)]
    email: String,
    #[command(flatten)]
    source: AvatarSource,
}

#[rocket::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli.command.unwrap_or(Command::Serve)).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("user-account: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Rocket's configuration (Rocket.toml, `ROCKET_*`) with the runnable server's defaults: no
/// `Server` banner, no client IP taken from a spoofable header, mail written to files.
fn figment() -> Figment {
    rocket::Config::figment()
        .merge(("ident", false))
        .merge(("ip_header", false))
        .join(("user_account.mail.transport", "file"))
}

/// The database URL to use: the configured one, or the default local server, or a private
/// cluster started under `target/`. Creates the database if the server lacks it.
async fn database_url(figment: &Figment) -> Result<String, String> {
    let configured = figment.extract_inner::<String>("databases.user_account.url").ok();
    let url = match configured {
        Some(url) if dev_db::reachable(&url) => url,
        Some(url) => {
            return Err(format!(
                "no PostgreSQL answers at `databases.user_account.url` ({})",
                redact_url(&url)
            ))
        }
        None if dev_db::reachable(DEFAULT_URL) => DEFAULT_URL.to_owned(),
        None => {
            let cluster = PrivateCluster::new(PRIVATE_DIR, PRIVATE_PORT);
            let started = cluster.start()?;
            eprintln!(
                "user-account: no PostgreSQL at 127.0.0.1:5432; {} the private cluster in {PRIVATE_DIR} (127.0.0.1:{PRIVATE_PORT})",
                if started { "started" } else { "using" }
            );
            cluster.url("user_account")
        }
    };
    dev_db::ensure_database(&url).await?;
    Ok(url)
}

async fn run(command: Command) -> Result<(), String> {
    let figment = figment();
    let url = database_url(&figment).await?;
    if let Command::Serve = command {
        let figment = figment.merge(("databases.user_account.url", &url));
        let rocket = rocket::custom(figment).attach(UserAccount::fairing());
        return rocket.launch().await.map(|_| ()).map_err(|e| format!("the server stopped: {e}"));
    }
    let ran = db::run_migrations(&url).await?;
    if let Command::Migrate = command {
        eprintln!("user-account: {ran} migrations applied");
        return Ok(());
    }
    let debug_profile = figment.profile() == rocket::Config::DEBUG_PROFILE;
    let config = Config::from_figment(&figment, debug_profile).map_err(|e| e.to_string())?;
    let mut conn = AsyncPgConnection::establish(&url).await.map_err(|e| format!("cannot connect: {e}"))?;
    match command {
        Command::User(UserCommand::Add { email, name, password }) => {
            let hash = match password {
                Some(p) => Some(password::hash(&config.argon2, &p).map_err(|e| e.to_string())?),
                None => None,
            };
            let id =
                NewUser::new(Some(&email), &name, hash).insert(&mut conn).await.map_err(|e| match e {
                    diesel::result::Error::DatabaseError(
                        diesel::result::DatabaseErrorKind::UniqueViolation,
                        _,
                    ) => {
                        format!("a user with email {email} already exists")
                    }
                    e => e.to_string(),
                })?;
            println!("{id}");
        }
        Command::Token(TokenCommand::Issue { email, scopes, hours }) => {
            let user = find_user(&mut conn, &email).await?;
            let token = PlainToken::generate();
            let expires_at = Utc::now() + Duration::hours(i64::from(hours));
            NewSession::new(user.id, token.hash(), scopes, expires_at)
                .insert(&mut conn)
                .await
                .map_err(|e| e.to_string())?;
            println!("{}", token.expose());
        }
        Command::Avatar(AvatarCommand::Set(AvatarSet { email, source })) => {
            let user = find_user(&mut conn, &email).await?;
            if let Some(path) = source.file {
                let bytes =
                    std::fs::read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
                let content_type = avatar::sniff_image(&bytes)?;
                StoredAvatar::set_bytes(&mut conn, user.id, &bytes, content_type)
                    .await
                    .map_err(|e| e.to_string())?;
                eprintln!("user-account: stored a {content_type} avatar for {email}");
            } else if let Some(url) = source.url {
                let url = avatar::validate_url(&url)?;
                StoredAvatar::set_url(&mut conn, user.id, &url).await.map_err(|e| e.to_string())?;
                eprintln!("user-account: stored an avatar URL for {email}");
            }
        }
        Command::Serve | Command::Migrate => unreachable!("handled above"),
    }
    Ok(())
}

async fn find_user(conn: &mut AsyncPgConnection, email: &str) -> Result<User, String> {
    User::find_by_email(conn, email)
        .await
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("no user with email {email}"))
}
