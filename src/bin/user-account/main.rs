//! `user-account`: a runnable server with the fairing attached, and the operator CLI.

mod front;
mod logger;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Mutex;
use std::time::Duration as StdDuration;

use chrono::{Duration, Utc};
use clap::{Args, Parser, Subcommand};
use diesel_async::{AsyncConnection, AsyncPgConnection};
use rocket::config::LogLevel;
use rocket::fairing::AdHoc;
use rocket::figment::Figment;
use rocket_user_account::dev_db;
use rocket_user_account::internals::{self, debug_routes_enabled, DefaultStore, PlainToken, Schema};
use rocket_user_account::{Account, AccountStore as _, Avatar, Config, UserAccount};

use crate::logger::PlainLogger;
use secrecy::{ExposeSecret as _, SecretString};

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
        /// The user's language, a BCP 47 tag such as `de` or `pt-BR`: their mails and the
        /// reset page speak it (a language the server does not ship falls back to
        /// `user_account.default_locale`). Default none: the default language.
        #[arg(long, value_parser = locale_tag)]
        locale: Option<String>,
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

async fn run(command: Command) -> Result<(), String> {
    let figment = dev_db::figment();
    // Read before Rocket starts: a bad value falls back here and stops ignition there.
    let level = figment.extract_inner::<LogLevel>("log_level").unwrap_or(LogLevel::Normal);
    if let Command::Serve = command {
        // Before Rocket starts: Rocket keeps a logger that is already installed.
        PlainLogger::install(level);
    }
    // Behind a pooler (`user_account.migration_url` set) the operator's commands, the check that
    // the database exists and the migrations take the direct URL; the server's pool keeps the
    // pooler's.
    let direct = figment.extract_inner::<String>("user_account.migration_url").ok();
    let setup = match &direct {
        Some(direct) => figment.clone().merge(("databases.user_account.url", direct)),
        None => figment.clone(),
    };
    let url = dev_db::database_url(&setup, "user_account").await?;
    if let Command::Serve = command {
        let figment =
            if direct.is_some() { figment } else { figment.merge(("databases.user_account.url", &url)) };
        return serve(figment, level).await;
    }
    let debug_profile = figment.profile() == rocket::Config::DEBUG_PROFILE;
    let config = Config::from_figment(&figment, debug_profile).map_err(|e| e.to_string())?;
    let schema = Schema::new(&config.schema)?;
    let ran = internals::run_migrations(&url, &schema).await?;
    if let Command::Migrate = command {
        eprintln!("user-account: {ran} migrations applied in schema {schema}");
        return Ok(());
    }
    let store = DefaultStore::new(schema);
    let mut conn = AsyncPgConnection::establish(&url).await.map_err(|e| format!("cannot connect: {e}"))?;
    match command {
        Command::User(UserCommand::Add { email, name, locale, password_stdin }) => {
            add_user(&config, &store, &mut conn, (&email, &name, locale.as_deref()), password_stdin).await
        }
        Command::Token(TokenCommand::Issue { email, scopes, hours }) => {
            issue_token(&store, &mut conn, &email, &scopes, hours).await
        }
        Command::Avatar(AvatarCommand::Set(set)) => set_avatar(&store, &mut conn, set).await,
        Command::Serve | Command::Migrate => unreachable!("handled above"),
    }
}

/// `serve`: the server, behind its front door (`front`) unless `front = false`, with the
/// fairing and the launch line at every log level but `off`.
async fn serve(figment: Figment, level: LogLevel) -> Result<(), String> {
    serve_metrics(&figment)?;
    let (figment, front) = match figment.find_value("front").map(|v| v.to_bool()) {
        Err(_) | Ok(Some(true)) => front_door(figment, level).map(|(f, front)| (f, Some(front)))?,
        Ok(Some(false)) => (figment, None),
        Ok(None) => return Err("invalid configuration: `front` must be true or false".into()),
    };
    // The fairing logs its launch line at info, which `critical` (the release level) hides;
    // print it then, so that every level but `off` shows it once.
    let launch_line = AdHoc::on_liftoff("User Account launch line", move |rocket| {
        Box::pin(async move {
            if let (LogLevel::Critical, Some(config)) = (level, rocket.state::<Config>()) {
                eprintln!("{}", config.launch_line(debug_routes_enabled(rocket, config)));
            }
        })
    });
    let mut rocket = rocket::custom(figment).attach(UserAccount::fairing()).attach(launch_line);
    if let Some(front) = front {
        rocket = rocket.attach(front);
    }
    rocket.launch().await.map(|_| ()).map_err(|e| format!("the server stopped: {e}"))
}

/// `user_account.metrics_address`: installs the Prometheus exporter as the `metrics`
/// recorder, serving the crate's series on a listener of its own. Refuses the public address's
/// port, and says which address could not be bound.
fn serve_metrics(figment: &Figment) -> Result<(), String> {
    let debug_profile = figment.profile() == rocket::Config::DEBUG_PROFILE;
    let config = Config::from_figment(figment, debug_profile).map_err(|e| e.to_string())?;
    let Some(address) = config.metrics_address else { return Ok(()) };
    let rocket_config =
        rocket::Config::try_from(figment).map_err(|e| format!("invalid configuration: {e}"))?;
    if address.port() != 0 && address.port() == rocket_config.port {
        return Err(format!(
            "invalid configuration: `user_account.metrics_address`: {address} is the public port; \
             metrics are served on a listener of their own"
        ));
    }
    metrics_exporter_prometheus::PrometheusBuilder::new()
        .with_http_listener(address)
        .set_buckets(&rocket_user_account::metrics::SECONDS_BUCKETS)
        .and_then(metrics_exporter_prometheus::PrometheusBuilder::install)
        .map_err(|e| format!("cannot serve metrics on {address}: {e}"))?;
    log::info!("user-account: Prometheus metrics on http://{address}/metrics");
    Ok(())
}

/// The front door: binds the operator's address now (so a port in use stops the start), moves
/// Rocket to a loopback port behind it, and returns that figment with the fairing that starts
/// relaying once Rocket listens.
fn front_door(figment: Figment, level: LogLevel) -> Result<(Figment, AdHoc), String> {
    // The operator's address and port are the front's; Rocket listens on loopback behind it.
    let rocket_config =
        rocket::Config::try_from(&figment).map_err(|e| format!("invalid configuration: {e}"))?;
    let debug_profile = figment.profile() == rocket::Config::DEBUG_PROFILE;
    let config = Config::from_figment(&figment, debug_profile).map_err(|e| e.to_string())?;
    let public = SocketAddr::new(rocket_config.address, rocket_config.port);
    let listener = std::net::TcpListener::bind(public)
        .and_then(|l| l.set_nonblocking(true).map(|()| l))
        .map_err(|e| format!("cannot listen on {public}: {e}"))?;
    let public = listener.local_addr().unwrap_or(public);
    let request = StdDuration::from_secs(config.body_timeout_secs);
    let bounds = front::Bounds {
        request,
        idle: match rocket_config.keep_alive {
            0 => request,
            secs => StdDuration::from_secs(secs.into()),
        },
        // The operator's own proxy names the client in the header they configured.
        name_client: config.trusted_proxy_header.is_none(),
    };
    let mut figment = figment.merge(("address", "127.0.0.1")).merge(("port", 0));
    if bounds.name_client {
        figment = figment.merge(("user_account.trusted_proxy_header", front::CLIENT_HEADER));
    }
    let listener = Mutex::new(Some(listener));
    let front = AdHoc::on_liftoff("User Account front", move |rocket| {
        let listener = listener.lock().map(|mut l| l.take()).unwrap_or_default();
        Box::pin(async move {
            let upstream = SocketAddr::new(rocket.config().address, rocket.config().port);
            match listener.map(rocket::tokio::net::TcpListener::from_std) {
                Some(Ok(listener)) => {
                    rocket::tokio::spawn(front::serve(listener, upstream, bounds));
                    let line = format!(
                        "user-account: listening on http://{public} (its front door; Rocket serves behind it on {upstream})"
                    );
                    log::info!("{line}");
                    if let LogLevel::Critical = level {
                        eprintln!("{line}");
                    }
                }
                Some(Err(e)) => {
                    log::error!("user-account: cannot listen on {public}: {e}");
                    rocket.shutdown().notify();
                }
                None => {}
            }
        })
    });
    Ok((figment, front))
}

/// `--locale`: a well-formed BCP 47 tag (up to 35 characters), as the store keeps it. Which
/// languages the server speaks can change; a tag that does not parse cannot.
fn locale_tag(tag: &str) -> Result<String, String> {
    let parsed: unic_langid::LanguageIdentifier = tag
        .trim()
        .parse()
        .map_err(|_| format!("`{tag}` is not a language tag (BCP 47, such as de or pt-BR)"))?;
    let tag = parsed.to_string();
    if tag.len() > 35 {
        return Err(format!("`{tag}` is longer than a language tag can be (35 characters)"));
    }
    Ok(tag)
}

/// `user add`: creates a user, with a password read from standard input if asked; prints its id.
async fn add_user(
    config: &Config,
    store: &DefaultStore,
    conn: &mut AsyncPgConnection,
    (email, name, locale): (&str, &str, Option<&str>),
    password_stdin: bool,
) -> Result<(), String> {
    let hash = if password_stdin {
        let password = read_password()?;
        check_password(config, &password, email, name)?;
        Some(internals::hash(&config.argon2, password.expose_secret()).map_err(|e| e.to_string())?)
    } else {
        None
    };
    let id =
        store.create_user(conn, (Some(email), name, locale), hash.as_deref()).await.map_err(|e| match e {
            diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _) => {
                format!("a user with email {email} already exists")
            }
            e => e.to_string(),
        })?;
    println!("{id}");
    Ok(())
}

/// `token issue`: a bearer session for the user, valid `hours`; prints the token once.
async fn issue_token(
    store: &DefaultStore,
    conn: &mut AsyncPgConnection,
    email: &str,
    scopes: &[String],
    hours: i64,
) -> Result<(), String> {
    let user = find_user(store, conn, email).await?;
    let token = PlainToken::generate();
    // `hours` is at most MAX_TOKEN_HOURS (clap checks), so this cannot overflow.
    let expires_at = Utc::now() + Duration::hours(hours);
    store.create_session(conn, user, &token.hash(), scopes, expires_at).await.map_err(|e| e.to_string())?;
    println!("{}", token.expose());
    Ok(())
}

/// `avatar set`: stores image bytes (their type sniffed) or an http(s) URL for the user.
async fn set_avatar(
    store: &DefaultStore,
    conn: &mut AsyncPgConnection,
    set: AvatarSet,
) -> Result<(), String> {
    let AvatarSet { email, source } = set;
    let user = find_user(store, conn, &email).await?;
    if let Some(path) = source.file {
        let bytes = std::fs::read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let content_type = internals::sniff_image(&bytes)?;
        store
            .set_avatar(conn, user, &Avatar::Image(bytes), Some(content_type))
            .await
            .map_err(|e| e.to_string())?;
        eprintln!("user-account: stored a {content_type} avatar for {email}");
    } else if let Some(url) = source.url {
        let url = internals::validate_url(&url)?;
        store.set_avatar(conn, user, &Avatar::Url(url), None).await.map_err(|e| e.to_string())?;
        eprintln!("user-account: stored an avatar URL for {email}");
    }
    Ok(())
}

/// The id of the default store's user with this email.
async fn find_user(
    store: &DefaultStore,
    conn: &mut AsyncPgConnection,
    email: &str,
) -> Result<uuid::Uuid, String> {
    let account: Account = store
        .find_by_email(conn, email)
        .await
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("no user with email {email}"))?;
    uuid::Uuid::parse_str(&account.id).map_err(|e| e.to_string())
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
    let Err(weakness) =
        config.password.check_for(password.expose_secret(), email.trim(), name, &config.mail.product_name)
    else {
        return Ok(());
    };
    // The operator's sentences, in the server's default language.
    let locales = internals::Locales::load(config.templates.as_deref(), &config.default_locale)?;
    let feedback = locales.explain(&weakness, Some(&config.default_locale));
    let mut message = format!("the password was refused: {}", feedback.message);
    let hints = feedback
        .details
        .get("warning")
        .into_iter()
        .chain(feedback.details.get("suggestions").and_then(|s| s.as_array()).into_iter().flatten());
    for hint in hints.filter_map(|h| h.as_str()) {
        message.push(' ');
        message.push_str(hint);
    }
    Err(message)
}
