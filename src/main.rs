//! `user-account`: a runnable server with the fairing attached, and the operator CLI.

use std::borrow::Cow;
use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use chrono::{Duration, Utc};
use clap::{Args, Parser, Subcommand};
use diesel_async::{AsyncConnection, AsyncPgConnection};
use rocket::config::LogLevel;
use rocket::fairing::AdHoc;
use rocket::figment::providers::{Env, Format as _, Serialized, Toml};
use rocket::figment::{Figment, Profile};
use rocket_user_account::config::{redact_url, Config};
use rocket_user_account::db::sessions::NewSession;
use rocket_user_account::db::users::{NewUser, StoredAvatar, User};
use rocket_user_account::debug::debug_routes_enabled;
use rocket_user_account::dev_db::{self, PrivateCluster};
use rocket_user_account::token::PlainToken;
use rocket_user_account::{avatar, db, password, UserAccount};
use secrecy::{ExposeSecret as _, SecretString};

/// Where the server looks for PostgreSQL when `databases.user_account.url` is not set.
const DEFAULT_URL: &str = "postgres://postgres@127.0.0.1:5432/user_account";
/// The private cluster started when nothing answers at [`DEFAULT_URL`].
const PRIVATE_DIR: &str = "target/user-account-pg";
const PRIVATE_PORT: u16 = 54329;
/// The longest a CLI-issued bearer token may live: a year.
const MAX_TOKEN_HOURS: i64 = 8760;

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
        /// Read an initial password (hashed with argon2id): one line of standard input, or a
        /// prompt without echo when standard input is a terminal. It must pass the password
        /// policy. Without this flag the user has no password.
        #[arg(long)]
        password_stdin: bool,
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
        /// Lifetime in hours, 1 to 8760 (a year).
        #[arg(long, default_value_t = 24, value_parser = clap::value_parser!(i64).range(1..=MAX_TOKEN_HOURS))]
        hours: i64,
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

/// Rocket's configuration, built the way `rocket::Config::figment()` builds it, with the
/// runnable server's own defaults in the `default` profile just above Rocket's: no `Server`
/// banner, no client IP taken from a spoofable header, mail written to files. Rocket.toml (any
/// profile, `[global]`) and `ROCKET_*` variables come after them, so the operator always wins.
fn figment() -> Figment {
    Figment::from(rocket::Config::default())
        .merge(Serialized::default("ident", false))
        .merge(Serialized::default("ip_header", false))
        .merge(Serialized::default("user_account.mail.transport", "file"))
        .merge(Toml::file(Env::var_or("ROCKET_CONFIG", "Rocket.toml")).nested())
        .merge(Env::prefixed("ROCKET_").ignore(&["PROFILE"]).global())
        .select(Profile::from_env_or("ROCKET_PROFILE", rocket::Config::DEFAULT_PROFILE))
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
    // Read before Rocket starts: a bad value falls back here and stops ignition there.
    let level = figment.extract_inner::<LogLevel>("log_level").unwrap_or(LogLevel::Normal);
    if let Command::Serve = command {
        // Before Rocket starts: Rocket keeps a logger that is already installed.
        PlainLogger::install(level);
    }
    let url = database_url(&figment).await?;
    if let Command::Serve = command {
        let figment = figment.merge(("databases.user_account.url", &url));
        // The fairing logs its launch line at info, which `critical` (the release level) hides;
        // print it then, so that every level but `off` shows it once.
        let launch_line = AdHoc::on_liftoff("User Account launch line", move |rocket| {
            Box::pin(async move {
                if let (LogLevel::Critical, Some(config)) = (level, rocket.state::<Config>()) {
                    eprintln!("{}", config.launch_line(debug_routes_enabled(rocket, config)));
                }
            })
        });
        let rocket = rocket::custom(figment).attach(UserAccount::fairing()).attach(launch_line);
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
        Command::User(UserCommand::Add { email, name, password_stdin }) => {
            let hash = if password_stdin {
                let password = read_password()?;
                check_password(&config, &password, &email, &name)?;
                Some(password::hash(&config.argon2, password.expose_secret()).map_err(|e| e.to_string())?)
            } else {
                None
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
            // `hours` is at most MAX_TOKEN_HOURS (clap checks), so this cannot overflow.
            let expires_at = Utc::now() + Duration::hours(hours);
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

/// The new user's password: a prompt without echo (asked twice) when standard input is a
/// terminal, otherwise its first line, without the line ending.
fn read_password() -> Result<SecretString, String> {
    use std::io::{BufRead as _, IsTerminal as _};
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        let ask = |prompt: &str| {
            eprint!("{prompt}");
            rpassword::read_password()
                .map(SecretString::from)
                .map_err(|e| format!("cannot read the password: {e}"))
        };
        let first = ask("Password: ")?;
        if ask("Again: ")?.expose_secret() != first.expose_secret() {
            return Err("the two passwords differ".into());
        }
        return Ok(first);
    }
    let mut line = String::new();
    stdin.lock().read_line(&mut line).map_err(|e| format!("cannot read standard input: {e}"))?;
    let password = SecretString::from(line.trim_end_matches(['\n', '\r']));
    // `line` held the password too.
    secrecy::zeroize::Zeroize::zeroize(&mut line);
    if password.expose_secret().is_empty() {
        return Err("--password-stdin: standard input held no password".into());
    }
    Ok(password)
}

/// The API's password policy, with the same context words (the email, its local part, the
/// name, the product name), as one sentence saying what to fix.
fn check_password(config: &Config, password: &SecretString, email: &str, name: &str) -> Result<(), String> {
    // As the store keeps it (trimmed), so the context matches what the API checks against.
    let email = email.trim();
    let local_part = email.rsplit_once('@').map_or(email, |(local, _)| local);
    let personal = [email, local_part, name];
    let service = [config.mail.product_name.as_str()];
    let Err(weakness) = config.password.check(password.expose_secret(), &personal, &service) else {
        return Ok(());
    };
    let mut message = format!("the password was refused: {}", weakness.message());
    if let password::Weakness::TooGuessable { warning, suggestions, .. } = &weakness {
        for hint in warning.iter().chain(suggestions) {
            message.push(' ');
            message.push_str(hint);
        }
    }
    Err(message)
}

/// The server's logger, installed before Rocket's (Rocket then keeps it): Rocket's
/// `log_level`, plain lines on stderr, and no secrets. Rocket's own debug records of every
/// request and response (target `rocket::server`) print all headers, `Authorization` and
/// cookies included, so they are dropped; other crates never log below info, because
/// tokio-postgres prints every query's parameters at debug (token digests, password hashes);
/// and anything that looks like `Bearer <credential>` is redacted as a last line of defence.
struct PlainLogger;

impl PlainLogger {
    fn install(level: LogLevel) {
        if log::set_boxed_logger(Box::new(PlainLogger)).is_ok() {
            log::set_max_level(level.into());
        }
    }
}

/// Whether a record is one of Rocket's launch messages, shown at every level but `off`.
fn is_launch(metadata: &log::Metadata<'_>) -> bool {
    metadata.target().contains("rocket::launch")
}

impl log::Log for PlainLogger {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        let max = log::max_level();
        let target = metadata.target();
        let ours = target.starts_with("rocket") || target.starts_with("user_account");
        let cap = if ours { max } else { max.min(log::LevelFilter::Info) };
        let rocket_traffic = target == "rocket::server" && metadata.level() >= log::Level::Debug;
        max != log::LevelFilter::Off && !rocket_traffic && (metadata.level() <= cap || is_launch(metadata))
    }

    fn log(&self, record: &log::Record<'_>) {
        if !self.enabled(record.metadata()) {
            return;
        }
        let message = record.args().to_string();
        let message = redact_bearer(&message);
        // Rocket marks indented lines with a target ending in `_`.
        let indent = if record.target().ends_with('_') { "   >> " } else { "" };
        let level = match record.level() {
            _ if is_launch(record.metadata()) => "",
            log::Level::Error => "Error: ",
            log::Level::Warn => "Warning: ",
            log::Level::Info => "",
            log::Level::Debug => "debug: ",
            log::Level::Trace => "trace: ",
        };
        let _ = writeln!(std::io::stderr().lock(), "{indent}{level}{message}");
    }

    fn flush(&self) {}
}

/// `message` with the credential after every `Bearer` (any case, then whitespace) replaced by
/// `[redacted]`; the credential ends at whitespace, a quote, a backslash, `,` or `;`.
fn redact_bearer(message: &str) -> Cow<'_, str> {
    const WORD: &str = "bearer";
    // ASCII lowercasing keeps every byte offset, so offsets in `lower` are offsets in `message`.
    let lower = message.to_ascii_lowercase();
    let mut out = String::new();
    let (mut copied, mut from) = (0, 0);
    while let Some(found) = lower[from..].find(WORD) {
        let after = from + found + WORD.len();
        let rest = &message[after..];
        let start = after + (rest.len() - rest.trim_start().len());
        let len = message[start..]
            .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '\\' | ',' | ';'))
            .unwrap_or(message.len() - start);
        if start > after && len > 0 {
            out.push_str(&message[copied..start]);
            out.push_str("[redacted]");
            copied = start + len;
        }
        // Past the word at least, so the search always moves on.
        from = start + len;
    }
    if copied == 0 {
        return Cow::Borrowed(message);
    }
    out.push_str(&message[copied..]);
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_credentials_are_redacted() {
        assert_eq!(redact_bearer("no credential here"), "no credential here");
        assert_eq!(
            redact_bearer("Authorization: Bearer abc.DEF-123_~+/="),
            "Authorization: Bearer [redacted]"
        );
        assert_eq!(
            redact_bearer("{\"authorization\": \"bearer  tok1\", \"x\": \"BEARER\ttok2\"}"),
            "{\"authorization\": \"bearer  [redacted]\", \"x\": \"BEARER\t[redacted]\"}"
        );
        assert_eq!(redact_bearer("Bearer"), "Bearer");
        assert_eq!(redact_bearer("Bearer "), "Bearer ");
        assert_eq!(redact_bearer("bearertoken stays"), "bearertoken stays");
        assert_eq!(redact_bearer("é Bearer ünïcödé, then"), "é Bearer [redacted], then");
    }

    #[test]
    fn rocket_traffic_and_other_crates_debug_records_are_dropped() {
        PlainLogger::install(LogLevel::Debug);
        let logger = PlainLogger;
        let at = |target: &str, level: log::Level| {
            log::Log::enabled(&logger, &log::Metadata::builder().target(target).level(level).build())
        };
        assert!(!at("rocket::server", log::Level::Debug), "`received request` prints the headers");
        assert!(at("rocket::server", log::Level::Info));
        assert!(at("rocket::config::config", log::Level::Trace));
        assert!(at("rocket_user_account::error", log::Level::Debug));
        assert!(!at("tokio_postgres::query", log::Level::Debug), "prints query parameters");
        assert!(at("tokio_postgres::connection", log::Level::Info));
    }

    #[test]
    #[allow(clippy::result_large_err)] // Jail's closures return figment's own (large) error.
    fn the_servers_defaults_lose_to_the_operator() {
        rocket::figment::Jail::expect_with(|jail| {
            jail.set_env("ROCKET_PROFILE", "release");
            jail.create_file(
                "Rocket.toml",
                "[default]\nident = \"mine\"\n[default.user_account.mail]\ntransport = \"smtp\"\n",
            )?;
            let operator = figment();
            assert_eq!(operator.extract_inner::<String>("ident")?, "mine");
            assert_eq!(operator.extract_inner::<String>("user_account.mail.transport")?, "smtp");
            assert!(!operator.extract_inner::<bool>("ip_header")?);
            jail.set_env("ROCKET_USER_ACCOUNT", "{mail={transport=\"log\"}}");
            jail.set_env("ROCKET_IP_HEADER", "X-Forwarded-For");
            let operator = figment();
            assert_eq!(operator.extract_inner::<String>("user_account.mail.transport")?, "log");
            assert_eq!(operator.extract_inner::<String>("ip_header")?, "X-Forwarded-For");
            Ok(())
        });
        rocket::figment::Jail::expect_with(|_| {
            let ours = figment();
            assert_eq!(ours.extract_inner::<String>("user_account.mail.transport")?, "file");
            assert!(!ours.extract_inner::<bool>("ident")?);
            Ok(())
        });
    }
}
