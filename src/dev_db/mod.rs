//! A PostgreSQL for development and tests: use the server at the configured URL when one
//! answers, otherwise start a private cluster under `target/` from the PostgreSQL binaries on
//! this machine. Used by the runnable server, its CLI and the test harness; not needed by a
//! host that runs its own database.

mod cluster;

pub use cluster::{find_postgres_bin, PrivateCluster};

use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use url::Url;

use rocket::figment::providers::{Env, Format as _, Serialized, Toml};
use rocket::figment::{Figment, Profile};

use crate::config::redact_url;

/// Whether something accepts TCP connections at the host and port of the `postgres://` URL.
#[must_use]
pub fn reachable(url: &str) -> bool {
    let Ok(parsed) = Url::parse(url) else { return false };
    let host = parsed.host_str().unwrap_or("127.0.0.1").trim_matches(['[', ']']).to_owned();
    let port = parsed.port().unwrap_or(5432);
    let Ok(addrs) = (host.as_str(), port).to_socket_addrs() else { return false };
    addrs.into_iter().any(|addr| TcpStream::connect_timeout(&addr, Duration::from_secs(1)).is_ok())
}

/// `url` with its database name replaced by `database`.
///
/// # Errors
/// `url` is not a URL.
pub fn with_database(url: &str, database: &str) -> Result<String, String> {
    let mut parsed = Url::parse(url).map_err(|e| format!("`{}` is not a URL: {e}", redact_url(url)))?;
    parsed.set_path(&format!("/{database}"));
    Ok(parsed.into())
}

/// The database name of a `postgres://` URL.
///
/// # Errors
/// `url` is not a URL or names no database.
pub fn database_name(url: &str) -> Result<String, String> {
    let parsed = Url::parse(url).map_err(|e| format!("`{}` is not a URL: {e}", redact_url(url)))?;
    let name = parsed.path().trim_start_matches('/');
    if name.is_empty() {
        return Err(format!("`{}` names no database", redact_url(url)));
    }
    Ok(name.to_owned())
}

/// Creates the database that `url` names if it does not exist yet, connecting to the
/// server's `postgres` database to do so. Only plain names (`[a-z0-9_]`) are created.
///
/// # Errors
/// The server refused, or the name is not plain.
pub async fn ensure_database(url: &str) -> Result<(), String> {
    let name = database_name(url)?;
    if name.is_empty() || !name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_') {
        return Err(format!("will only create databases with plain names, not `{name}`"));
    }
    let admin = with_database(url, "postgres")?;
    let mut conn = AsyncPgConnection::establish(&admin)
        .await
        .map_err(|e| format!("cannot connect to {}: {e}", redact_url(&admin)))?;
    #[derive(QueryableByName)]
    struct Found {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        exists: bool,
    }
    let found: Found =
        diesel::sql_query("select exists (select 1 from pg_database where datname = $1) as exists")
            .bind::<diesel::sql_types::Text, _>(&name)
            .get_result(&mut conn)
            .await
            .map_err(|e| e.to_string())?;
    if !found.exists {
        match diesel::sql_query(format!("create database {name}")).execute(&mut conn).await {
            Ok(_) => {}
            // Another process created it at the same moment.
            Err(diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::UniqueViolation,
                _,
            )) => {}
            Err(e) if e.to_string().contains("already exists") => {}
            Err(e) => return Err(format!("cannot create database `{name}`: {e}")),
        }
    }
    Ok(())
}

/// The runnable programs' configuration (the `user-account` server and the example host):
/// built as `rocket::Config::figment()` builds it, with their development defaults just above
/// Rocket's own: mail written to `.eml` files (so they run without an SMTP server), no `Server` banner, no client IP taken from a header any client can set. `Rocket.toml` (any
/// profile, `[global]`) and `ROCKET_*` variables come after them, so the operator always wins.
#[must_use]
pub fn figment() -> Figment {
    Figment::from(rocket::Config::default())
        .merge(Serialized::default("ident", false))
        .merge(Serialized::default("ip_header", false))
        .merge(Serialized::default("user_account.mail.transport", "file"))
        .merge(Toml::file(Env::var_or("ROCKET_CONFIG", "Rocket.toml")).nested())
        .merge(Env::prefixed("ROCKET_").ignore(&["PROFILE"]).global())
        .select(Profile::from_env_or("ROCKET_PROFILE", rocket::Config::DEFAULT_PROFILE))
}

/// The database a runnable program uses: `databases.user_account.url` when it is set (it must
/// answer), else `database` on the server at 127.0.0.1:5432, else `database` in the private
/// cluster under `target/` (started from the PostgreSQL binaries on this machine, and said so
/// on stderr). The database is created if the server lacks it.
///
/// # Errors
/// One sentence saying why no database can be used (never with a password in it).
pub async fn database_url(figment: &Figment, database: &str) -> Result<String, String> {
    let local = format!("postgres://postgres@127.0.0.1:5432/{database}");
    let url = match figment.extract_inner::<String>("databases.user_account.url").ok() {
        Some(url) if reachable(&url) => url,
        Some(url) => {
            return Err(format!(
                "no PostgreSQL answers at `databases.user_account.url` ({})",
                redact_url(&url)
            ))
        }
        None if reachable(&local) => local,
        None => {
            let cluster = PrivateCluster::new(PRIVATE_DIR, PRIVATE_PORT);
            let started = cluster.start()?;
            eprintln!(
                "user_account: no PostgreSQL at 127.0.0.1:5432; {} the private cluster in {PRIVATE_DIR} (127.0.0.1:{PRIVATE_PORT})",
                if started { "started" } else { "using" }
            );
            cluster.url(database)
        }
    };
    ensure_database(&url).await?;
    Ok(url)
}

/// Where the runnable programs keep their private cluster, and its port.
const PRIVATE_DIR: &str = "target/user-account-pg";
const PRIVATE_PORT: u16 = 54329;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_never_print_a_database_password() {
        let secret = "hunter2-canary";
        let url = format!("postgres://app:{secret}@db.internal:5432");
        let error = database_name(&url).expect_err("no database name");
        assert!(!error.contains(secret), "{error}");
        assert!(error.contains("app:***@db.internal"), "{error}");
        let garbled = format!("postgres://app:{secret}@db internal/x");
        for error in
            [database_name(&garbled), with_database(&garbled, "y")].map(|r| r.expect_err("not a URL"))
        {
            assert!(!error.contains(secret), "{error}");
        }
        assert_eq!(redact_url(&format!("postgres://app:{secret}@h/db")), "postgres://app:***@h/db");
    }

    #[test]
    fn urls_are_rewritten_per_database() {
        let url = "postgres://postgres@127.0.0.1:5432/postgres";
        assert_eq!(with_database(url, "x_1").as_deref(), Ok("postgres://postgres@127.0.0.1:5432/x_1"));
        assert_eq!(database_name("postgres://u@h/app").as_deref(), Ok("app"));
        assert!(database_name("postgres://u@h").is_err());
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
