//! # An existing auth server adopting `rocket-user-account`
//!
//! This example is an auth server that already has everything of its own — accounts, bearer
//! sessions, password hashing, a login, a notion of admin — and attaches the crate to gain
//! password recovery, without giving any of that up. It is the code an integrator copies.
//!
//! ```sh
//! cargo run --example existing_host      # http://127.0.0.1:8000, mail in target/mail/*.eml
//! ```
//!
//! ## What to copy
//!
//! 1. **One pool for both** ([`HostDb`], [`app`]): the host's own `rocket_db_pools` diesel pool,
//!    attached by the host and handed over with `UserAccount::builder().database::<HostDb>()`.
//!    The crate then creates its schema (`user_account`) in the host's database and runs every
//!    query on that pool, so its transaction and the host's tables meet in one database and a
//!    redemption stays atomic. The crate never touches `public`.
//! 2. **The host's hashing** ([`accounts::HostHasher`]): argon2id with the host's OWN parameters
//!    (OWASP's m=47104 KiB, t=1, p=1 alternative), implemented as the crate's `PasswordHasher`,
//!    so that what the crate stores after a reset is exactly what the host's login verifies.
//! 3. **The host's accounts** ([`accounts::HostStore`]): the crate's `AccountStore` over the
//!    host's `accounts` and `host_sessions` tables. Ids are the host's `bigint`s as decimal
//!    strings; emails are compared the way the login compares them; the fingerprint a recovery
//!    token is bound to is `Account::fingerprint_of(email, pw_hash)`, so a change by any path
//!    (the host's pages, plain SQL) kills an outstanding token.
//! 4. **The host's callers** ([`sessions::HostAuthenticator`]): the crate's `Authenticator` over
//!    the host's bearer sessions; the admin scope (`user_account.admin_scope`) goes to accounts
//!    flagged `is_admin`.
//! 5. **Configuration** ([`fn@figment`], [`database_url`]): the keys the runnable server reads
//!    (`address`, `port`, `databases.user_account.url`, `user_account.*`), with this program's
//!    own defaults below anything the operator sets.
//!
//! ## The host's HTTP contract (JSON in and out; errors are `{"error":{"code","message"}}`)
//!
//! | route | body | answer |
//! |---|---|---|
//! | `POST /signup` | `{"email","password","name"?,"admin"?}` | 200 `{"id": 7}`; 409 `email_taken`; 422 `weak_password` |
//! | `POST /login` | `{"email","password"}` | 200 `{"token": "..."}` (a 12-hour bearer session); 401 |
//! | `GET /me` | `Authorization: Bearer <token>` | 200 `{"id": 7, "email": "..."}`; 401 |
//! | `/api/users/*` | the crate's routes | their answers carry the host's id as a string: `"user_id": "7"` |
//!
//! Signup applies the crate's password policy (`user_account.password.*`), so a password that
//! can be set at signup can be set by a reset and the other way round.
//!
//! With no `databases.user_account.url` configured it uses
//! `postgres://postgres@127.0.0.1:5432/existing_host` (creating that database), or, when nothing
//! answers there, the runnable server's private cluster under `target/user-account-pg`.
//!
//! The recovery link in the mail points at `user_account.public_url` + `reset_path`; this example
//! serves no page there, so copy the token from the link's fragment (`#token=...`) and call
//! `/api/users/verify-recovery-token` and `/api/users/change-password` yourself, or serve your
//! own page at that path.

pub mod accounts;
pub mod routes;
pub mod sessions;

use std::process::ExitCode;

use diesel_async::SimpleAsyncConnection as _;
use rocket::fairing::{self, AdHoc};
use rocket::figment::providers::{Env, Format as _, Serialized, Toml};
use rocket::figment::{Figment, Profile};
use rocket::{Build, Rocket};
use rocket_db_pools::diesel::PgPool;
use rocket_db_pools::Database;
use rocket_user_account::config::redact_url;
use rocket_user_account::dev_db::{self, PrivateCluster};
use rocket_user_account::UserAccount;

use self::accounts::{HostHasher, HostStore};
use self::sessions::HostAuthenticator;

/// The host's own pool. Named `user_account` so that it reads `databases.user_account.url`,
/// the key the runnable server reads; the crate works on it, so one pool serves both.
#[derive(Database)]
#[database("user_account")]
pub struct HostDb(PgPool);

/// Where the example looks for PostgreSQL when `databases.user_account.url` is not set.
const DEFAULT_URL: &str = "postgres://postgres@127.0.0.1:5432/existing_host";
/// The runnable server's private cluster, used when nothing answers at [`DEFAULT_URL`].
const PRIVATE_DIR: &str = "target/user-account-pg";
const PRIVATE_PORT: u16 = 54329;

/// The host's tables, created at start if they are missing. Under an advisory lock, so that two
/// instances starting at once do not race on `create table if not exists`.
const HOST_TABLES: &str = "
    begin;
    select pg_advisory_xact_lock(hashtext('existing_host: tables'));
    create table if not exists public.accounts (
        account_id bigserial primary key,
        login_email text not null,
        full_name text,
        pw_hash text not null,
        is_admin boolean not null default false,
        locked boolean not null default false,
        created_at timestamptz not null default now()
    );
    create unique index if not exists accounts_login_email_key on public.accounts (lower(login_email));
    create table if not exists public.host_sessions (
        token_digest bytea primary key,
        account_id bigint not null references public.accounts (account_id) on delete cascade,
        created_at timestamptz not null default now(),
        expires_at timestamptz not null,
        revoked_at timestamptz
    );
    create index if not exists host_sessions_account_id on public.host_sessions (account_id);
    commit;
";

/// The host app: its pool, its tables, its routes, and the crate with the host's store,
/// hasher and authenticator. Build it with [`fn@figment`] (or any figment: the tests use their own).
pub fn app(figment: Figment) -> Rocket<Build> {
    let user_account = UserAccount::builder()
        .database::<HostDb>()
        .account_store(HostStore)
        .password_hasher(HostHasher)
        .authenticator(HostAuthenticator)
        .build();
    rocket::custom(figment)
        .attach(HostDb::init())
        .attach(AdHoc::try_on_ignite("Host tables", create_tables))
        .attach(user_account)
        .mount("/", routes::routes())
        .register("/", routes::catchers())
}

/// Creates the host's tables on the host's pool, or stops ignition saying why.
async fn create_tables(rocket: Rocket<Build>) -> fairing::Result {
    let Some(db) = HostDb::fetch(&rocket) else {
        log::error!("host: the `user_account` pool is not attached");
        return Err(rocket);
    };
    let created = async {
        let mut conn = db.get().await.map_err(|e| format!("no database connection: {e}"))?;
        conn.batch_execute(HOST_TABLES).await.map_err(|e| format!("cannot create the tables: {e}"))
    };
    match created.await {
        Ok(()) => Ok(rocket),
        Err(e) => {
            log::error!("host: {e}");
            Err(rocket)
        }
    }
}

/// Rocket's configuration, built as `rocket::Config::figment()` builds it, with this program's
/// own defaults just above Rocket's, as the runnable server has them: mail written to `.eml`
/// files (so it runs without an SMTP server), no `Server` banner, no client IP taken from a
/// header any client can set. Rocket.toml (any profile, `[global]`) and `ROCKET_*` variables
/// come after them, so the operator always wins.
pub fn figment() -> Figment {
    Figment::from(rocket::Config::default())
        .merge(Serialized::default("ident", false))
        .merge(Serialized::default("ip_header", false))
        .merge(Serialized::default("user_account.mail.transport", "file"))
        .merge(Toml::file(Env::var_or("ROCKET_CONFIG", "Rocket.toml")).nested())
        .merge(Env::prefixed("ROCKET_").ignore(&["PROFILE"]).global())
        .select(Profile::from_env_or("ROCKET_PROFILE", rocket::Config::DEFAULT_PROFILE))
}

/// The database URL to use: the configured one (which must answer), or `postgres://postgres@127.0.0.1:5432/existing_host`, or the
/// private cluster. Creates the database if the server lacks it.
///
/// # Errors
/// A sentence saying why no database can be used.
pub async fn database_url(figment: &Figment) -> Result<String, String> {
    let url = match figment.extract_inner::<String>("databases.user_account.url").ok() {
        Some(url) if dev_db::reachable(&url) => url,
        Some(url) => {
            return Err(format!(
                "no PostgreSQL answers at `databases.user_account.url` ({})",
                redact_url(&url)
            ))
        }
        None if dev_db::reachable(DEFAULT_URL) => DEFAULT_URL.to_owned(),
        None => {
            let started = PrivateCluster::new(PRIVATE_DIR, PRIVATE_PORT).start()?;
            eprintln!(
                "existing_host: no PostgreSQL at 127.0.0.1:5432; {} the private cluster in {PRIVATE_DIR}",
                if started { "started" } else { "using" }
            );
            PrivateCluster::new(PRIVATE_DIR, PRIVATE_PORT).url("existing_host")
        }
    };
    dev_db::ensure_database(&url).await?;
    Ok(url)
}

#[rocket::main]
async fn main() -> ExitCode {
    let figment = figment();
    let url = match database_url(&figment).await {
        Ok(url) => url,
        Err(e) => {
            eprintln!("existing_host: {e}");
            return ExitCode::FAILURE;
        }
    };
    match app(figment.merge(("databases.user_account.url", url))).launch().await {
        Ok(_) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("existing_host: the server stopped: {e}");
            ExitCode::FAILURE
        }
    }
}
