//! The database: the crate's own schema, its embedded migrations, the pool, and the crate's
//! tables with their queries. Every query names its tables through [`Schema`], so the crate
//! never reads or writes anything outside its schema except through the account store.
//!
#![doc = include_str!("../../docs/schema.md")]

pub mod audit;
pub(crate) mod gather;
pub(crate) mod outbox;
pub(crate) mod pipelined;
pub(crate) mod purge;
pub(crate) mod rate_limits;
pub(crate) mod recovery_tokens;
pub(crate) mod self_service;
mod sql;

use std::sync::Arc;

use diesel_async::async_connection_wrapper::AsyncConnectionWrapper;
use diesel_async::pooled_connection::deadpool::Object;
use diesel_async::AsyncPgConnection;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};
use rocket::request::{FromRequest, Outcome, Request};
use rocket_db_pools::{diesel::PgPool, Database};

use crate::config::Schema;
use crate::error::Error;
pub(crate) use sql::{transaction, Prepare, Run};

/// The pool of this crate, configured under `databases.user_account` (rocket_db_pools' keys:
/// `url`, `max_connections`, `connect_timeout`, `idle_timeout`).
#[derive(Database)]
#[database("user_account")]
pub struct Db(CratePool);

impl Db {
    /// A handle on the pool (cheap to clone), for work outside requests such as the mail worker.
    #[must_use]
    pub fn pool(&self) -> PgPool {
        self.0 .0.clone()
    }
}

/// The crate's own pool: rocket_db_pools' diesel pool with one difference. A connection
/// going back out of the pool is checked only for being broken or closed (diesel-async's
/// `RecyclingMethod::Fast`), not pinged with a `SELECT 1` round trip on every checkout as
/// rocket_db_pools' default does. A connection whose server went away is closed by then and
/// is replaced; one that fails later fails its request with a 503. The benchmark showed the
/// ping as a round trip per checkout (`BENCHMARKS.md`). A host's pool handed over with
/// [`crate::UserAccountBuilder::database`] keeps the host's own settings.
pub struct CratePool(PgPool);

#[rocket::async_trait]
impl rocket_db_pools::Pool for CratePool {
    type Connection = Object<AsyncPgConnection>;
    type Error = rocket_db_pools::Error<
        diesel_async::pooled_connection::deadpool::BuildError,
        diesel_async::pooled_connection::deadpool::PoolError,
    >;

    async fn init(figment: &rocket::figment::Figment) -> Result<Self, Self::Error> {
        use diesel_async::pooled_connection::{AsyncDieselConnectionManager, ManagerConfig, RecyclingMethod};
        use std::time::Duration;
        let config: rocket_db_pools::Config = figment.extract()?;
        let mut manager_config = ManagerConfig::default();
        manager_config.recycling_method = RecyclingMethod::Fast;
        manager_config.custom_setup = Box::new(|url| Box::pin(establish(url)));
        let manager = AsyncDieselConnectionManager::new_with_config(config.url, manager_config);
        PgPool::builder(manager)
            .max_size(config.max_connections)
            .wait_timeout(Some(Duration::from_secs(config.connect_timeout)))
            .create_timeout(Some(Duration::from_secs(config.connect_timeout)))
            .recycle_timeout(config.idle_timeout.map(Duration::from_secs))
            .runtime(deadpool::Runtime::Tokio1)
            .build()
            .map(CratePool)
            .map_err(rocket_db_pools::Error::Init)
    }

    async fn get(&self) -> Result<Self::Connection, Self::Error> {
        self.0.get().await.map_err(rocket_db_pools::Error::Get)
    }

    async fn close(&self) {
        self.0.close();
    }
}

/// Opens one of the pool's connections (and the mail worker's own, when it must record its last
/// batch after the pool closed) as diesel-async's `establish` does, with one
/// difference: the session settings diesel-async makes first (`SET TIME ZONE 'UTC'` and the
/// client encoding, each a prepared statement) run inside a transaction. Behind a pooler in
/// transaction mode that keeps each statement's prepare and execution on one server connection
/// (the pooler itself carries these two settings to every server connection it lends); on a
/// direct connection it costs two round trips when the connection is made, and none after.
pub(crate) async fn establish(url: &str) -> diesel::ConnectionResult<AsyncPgConnection> {
    use diesel::ConnectionError;
    use diesel_async::SimpleAsyncConnection as _;
    let bad = |e: tokio_postgres::Error| ConnectionError::BadConnection(e.to_string());
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls).await.map_err(bad)?;
    rocket::tokio::spawn(async move {
        if let Err(e) = connection.await {
            log::debug!("user_account: a database connection ended: {e}");
        }
    });
    client.batch_execute("begin").await.map_err(bad)?;
    let mut conn = AsyncPgConnection::try_from(client).await?;
    conn.batch_execute("commit").await.map_err(ConnectionError::CouldntSetupConfiguration)?;
    Ok(conn)
}

/// The crate's own migrations (`migrations/`: tokens, outbox, audit, rate limits), compiled
/// into the crate. They name no schema: they run with the crate's schema alone on the
/// `search_path`, so every table, index, function and diesel's own bookkeeping table lands there.
const CRATE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations");

/// The default store's migrations (`migrations_default_store/`: `users`, `sessions` and the
/// trigger that revokes a user's tokens when the account changes), run only when the default
/// store or the default authenticator is in use. Their versions interleave with the crate's
/// own (they were one set once), so a database migrated before the split has them recorded
/// already and nothing runs twice; a database that has them keeps them whichever set runs.
const DEFAULT_STORE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations_default_store");

/// Which embedded migrations to run: the crate's own, and the default store's when asked.
/// Run in version order across both sets, as one source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Migrations {
    default_store: bool,
}

impl Migrations {
    /// The crate's tables and the default store's (`users`, `sessions`): what the runnable
    /// server and a host without accounts of its own need.
    pub const WITH_DEFAULT_STORE: Migrations = Migrations { default_store: true };
    /// The crate's tables only: a host with its own store and authenticator.
    pub const CRATE_ONLY: Migrations = Migrations { default_store: false };
}

impl diesel::migration::MigrationSource<diesel::pg::Pg> for Migrations {
    fn migrations(
        &self,
    ) -> diesel::migration::Result<Vec<Box<dyn diesel::migration::Migration<diesel::pg::Pg>>>> {
        let mut all = CRATE_MIGRATIONS.migrations()?;
        if self.default_store {
            all.extend(DEFAULT_STORE_MIGRATIONS.migrations()?);
        }
        Ok(all)
    }
}

#[cfg(feature = "internals")]
/// Every embedded migration, the default store's included (what [`run_migrations`] runs).
pub const MIGRATIONS: Migrations = Migrations::WITH_DEFAULT_STORE;

/// Session-level advisory lock key held while migrating, so that instances starting at the
/// same moment migrate one after the other ("rua-migr" in ASCII).
const MIGRATION_LOCK: i64 = 0x7275_612d_6d69_6772;

#[cfg(feature = "internals")]
/// Creates `schema` if needed and applies every pending migration inside it (the default
/// store's included: [`MIGRATIONS`]), on the database at `url`; returns how many ran. See
/// [`run_migrations_of`].
///
/// # Errors
/// The connection or a migration failed; the message says which.
pub async fn run_migrations(url: &str, schema: &Schema) -> Result<usize, String> {
    run_migrations_of(url, schema, MIGRATIONS).await
}

/// Creates `schema` if needed and applies the pending ones of `migrations` inside it, on the
/// database at `url`; returns how many ran. Nothing outside the schema is created, changed or read: the
/// host's tables and its own `__diesel_schema_migrations` are never seen.
///
/// Runs on the blocking pool through diesel-async's `AsyncConnectionWrapper`, so no libpq is
/// needed, under a Postgres advisory lock so that concurrent starts are safe.
///
/// # Errors
/// The connection or a migration failed; the message says which.
pub async fn run_migrations_of(url: &str, schema: &Schema, migrations: Migrations) -> Result<usize, String> {
    let url = url.to_owned();
    let schema = schema.clone();
    rocket::tokio::task::spawn_blocking(move || {
        use diesel::connection::{Connection as _, SimpleConnection as _};
        let mut conn = AsyncConnectionWrapper::<AsyncPgConnection>::establish(&url)
            .map_err(|e| format!("cannot connect to run migrations: {e}"))?;
        conn.batch_execute(&format!("select pg_advisory_lock({MIGRATION_LOCK})"))
            .map_err(|e| format!("cannot take the migration lock: {e}"))?;
        let ran = conn
            .batch_execute(&format!(
                "set client_min_messages to warning; create schema if not exists {schema}; \
                 set search_path to {schema}"
            ))
            .map_err(|e| format!("cannot create schema {schema}: {e}"))
            .and_then(|()| {
                conn.run_pending_migrations(migrations)
                    .map(|v| v.len())
                    .map_err(|e| format!("migration failed: {e}"))
            });
        // Closing the connection would release the lock too; unlock explicitly anyway.
        let _unlocked = conn.batch_execute(&format!("select pg_advisory_unlock({MIGRATION_LOCK})"));
        ran
    })
    .await
    .map_err(|e| format!("migration task failed: {e}"))?
}

/// How long the crate lets one statement run and one lock wait on its connections
/// (`user_account.statement_timeout_secs` and `lock_timeout_secs`), and whether the pool is the
/// host's. A wait past either ends the statement with an error the crate answers 503 (with
/// `Retry-After`) and rolls its transaction back, so nothing is written half.
///
/// On the crate's own pool the two settings are made once per connection, when it is first
/// handed out (a session setting that stays with it). On a host's pool they are made at every
/// checkout and reset when the crate gives the connection back, so the host's own queries on
/// that pool never run under them.
#[derive(Debug, Clone)]
pub struct SessionBounds {
    set: Arc<str>,
    host_pool: bool,
    /// Behind a pooler: set nothing on the session.
    pooled: bool,
}

impl SessionBounds {
    /// Bounds of `statement_secs` and `lock_secs`, on the host's pool when `host_pool`.
    #[must_use]
    pub(crate) fn new(statement_secs: u64, lock_secs: u64, host_pool: bool) -> SessionBounds {
        let set = format!("set statement_timeout = '{statement_secs}s'; set lock_timeout = '{lock_secs}s'");
        SessionBounds { set: set.into(), host_pool, pooled: false }
    }

    /// No session settings: behind a pooler in transaction mode a session setting would stay
    /// on the server connection the pooler lent, not follow the crate's; each transaction
    /// sets the bounds for itself instead ([`Schema::behind_pooler`]).
    pub(crate) fn behind_pooler(self) -> SessionBounds {
        SessionBounds { pooled: true, ..self }
    }
}

/// The statement that gives a host's connection back as the host had it.
const RESET_BOUNDS: &str = "reset statement_timeout; reset lock_timeout";

/// A pooled connection, as a request guard: a pool that cannot hand one out within its
/// `connect_timeout` (default 5 s) fails the request with a JSON 503. Take it only in routes
/// without a body, or after the body is read: a guard runs before the body arrives. Its
/// statements run under the crate's `SessionBounds`.
pub struct DbConn {
    conn: Option<Object<AsyncPgConnection>>,
    /// A host's connection: reset when given back.
    reset: bool,
}

/// The pool the crate works with, managed by the fairing: its own `databases.user_account`
/// pool, or the one a host handed over with [`crate::UserAccountBuilder::database`], with the
/// bounds its statements run under.
#[derive(Clone)]
pub struct ManagedPool(pub PgPool, pub(crate) SessionBounds);

impl DbConn {
    /// Checks a connection out of the pool the fairing manages on `rocket`.
    ///
    /// # Errors
    /// [`Error::Unavailable`] when the pool is missing, exhausted or cannot connect.
    pub async fn get<P: rocket::Phase>(rocket: &rocket::Rocket<P>) -> Result<DbConn, Error> {
        let pool = rocket
            .state::<ManagedPool>()
            .ok_or_else(|| Error::Unavailable("the pool is not attached".into()))?;
        DbConn::checkout(&pool.0, &pool.1).await
    }

    /// Checks a connection out of `pool` with `bounds` in force on it.
    ///
    /// # Errors
    /// [`Error::Unavailable`] when the pool is exhausted or cannot connect, or the bounds
    /// cannot be set.
    pub(crate) async fn checkout(pool: &PgPool, bounds: &SessionBounds) -> Result<DbConn, Error> {
        use diesel_async::SimpleAsyncConnection as _;
        let mut conn = pool.get().await.map_err(|e| {
            crate::metrics::db_unavailable();
            Error::Unavailable(format!("database pool: {e}"))
        })?;
        // The crate's own connection keeps its session settings: set them when it is new.
        let fresh = Object::metrics(&conn).recycled.is_none();
        if !bounds.pooled && (bounds.host_pool || fresh) {
            if let Err(e) = conn.batch_execute(&bounds.set).await {
                // Not given back: a connection whose settings are unknown serves nobody.
                drop(Object::take(conn));
                crate::metrics::db_unavailable();
                return Err(Error::Unavailable(format!("database session: {e}")));
            }
        }
        Ok(DbConn { conn: Some(conn), reset: bounds.host_pool && !bounds.pooled })
    }

    #[cfg(feature = "internals")]
    /// Checks a connection out of `pool` as it is, without the crate's bounds (for a pool
    /// outside the fairing, such as a test's).
    ///
    /// # Errors
    /// [`Error::Unavailable`] when the pool is exhausted or cannot connect.
    pub async fn from_pool(pool: &PgPool) -> Result<DbConn, Error> {
        let conn = pool.get().await.map_err(|e| Error::Unavailable(format!("database pool: {e}")))?;
        Ok(DbConn { conn: Some(conn), reset: false })
    }

    fn inner(&self) -> &Object<AsyncPgConnection> {
        self.conn.as_ref().unwrap_or_else(|| unreachable!("a DbConn holds its connection until dropped"))
    }

    fn inner_mut(&mut self) -> &mut Object<AsyncPgConnection> {
        self.conn.as_mut().unwrap_or_else(|| unreachable!("a DbConn holds its connection until dropped"))
    }
}

impl Drop for DbConn {
    /// A host's connection goes back to the host's pool only once the crate's bounds are reset
    /// (on a task of its own, as that takes a round trip); one that cannot be reset, or whose
    /// reset never runs (the runtime shutting down), is closed instead of given back.
    fn drop(&mut self) {
        let Some(conn) = self.conn.take() else { return };
        if !self.reset {
            return;
        }
        let mut resetting = Resetting(Some(conn));
        if let Ok(runtime) = rocket::tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                use diesel_async::SimpleAsyncConnection as _;
                let reset = match resetting.0.as_mut() {
                    Some(conn) => conn.batch_execute(RESET_BOUNDS).await.is_ok(),
                    None => false,
                };
                if reset {
                    // Back to the host's pool, as the host had it.
                    drop(resetting.0.take());
                }
            });
        }
    }
}

/// A host's connection on its way back: closed when dropped, unless the reset took it out first.
struct Resetting(Option<Object<AsyncPgConnection>>);

impl Drop for Resetting {
    fn drop(&mut self) {
        if let Some(conn) = self.0.take() {
            drop(Object::take(conn));
        }
    }
}

impl std::ops::Deref for DbConn {
    type Target = AsyncPgConnection;
    fn deref(&self) -> &AsyncPgConnection {
        self.inner()
    }
}

impl std::ops::DerefMut for DbConn {
    fn deref_mut(&mut self) -> &mut AsyncPgConnection {
        self.inner_mut()
    }
}

impl rocket::Sentinel for DbConn {
    fn abort(rocket: &rocket::Rocket<rocket::Ignite>) -> bool {
        crate::attached::missing(rocket, "DbConn")
    }
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for DbConn {
    type Error = Error;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, Error> {
        match DbConn::get(req.rocket()).await {
            Ok(conn) => Outcome::Success(conn),
            Err(e) => Outcome::Error((e.stash(req), e)),
        }
    }
}
