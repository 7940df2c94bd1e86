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
//! 5. **Configuration** (`rocket_user_account::dev_db::figment` and `database_url`, shared
//!    with the runnable server): the keys the runnable server reads (`address`, `port`,
//!    `databases.user_account.url`, `user_account.*`), with the development defaults below
//!    anything the operator sets. A production host uses its own figment and database.
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
use rocket::figment::Figment;
use rocket::{Build, Rocket};
use rocket_db_pools::diesel::PgPool;
use rocket_db_pools::Database;
use rocket_user_account::dev_db;
use rocket_user_account::UserAccount;

use self::accounts::{HostHasher, HostStore};
use self::sessions::HostAuthenticator;

/// The host's own pool. Named `user_account` so that it reads `databases.user_account.url`,
/// the key the runnable server reads; the crate works on it, so one pool serves both.
#[derive(Database)]
#[database("user_account")]
pub struct HostDb(PgPool);

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
/// hasher and authenticator, over any figment (`main` uses the runnable server's; the tests use
/// their own).
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

#[rocket::main]
async fn main() -> ExitCode {
    let figment = dev_db::figment();
    let url = match dev_db::database_url(&figment, "existing_host").await {
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
