//! Databases for tests: one PostgreSQL server per run (the one at `DATABASE_URL`, the default
//! local one, or a private cluster), a template migrated once per run, and a fresh clone of it
//! per test, dropped when the test ends.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::OnceLock;

use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use rocket_user_account::dev_db::{self, PrivateCluster};
use tokio::sync::OnceCell;

/// The schema the apps under test use (the default).
pub fn schema() -> rocket_user_account::internals::Schema {
    rocket_user_account::internals::Schema::new(rocket_user_account::internals::Schema::DEFAULT)
        .expect("schema")
}

const DEFAULT_ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// An admin connection URL to the server the tests use.
pub fn admin_url() -> &'static str {
    static URL: OnceLock<String> = OnceLock::new();
    URL.get_or_init(|| match std::env::var("DATABASE_URL") {
        Ok(url) => url,
        Err(_) if dev_db::reachable(DEFAULT_ADMIN_URL) => DEFAULT_ADMIN_URL.to_owned(),
        Err(_) => {
            let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/target/test-pg");
            let cluster = PrivateCluster::new(dir, 54330);
            match cluster.start() {
                Ok(started) => eprintln!(
                    "tests: nothing at 127.0.0.1:5432; {} the private cluster in {dir}",
                    if started { "started" } else { "using" }
                ),
                Err(e) => panic!("tests need PostgreSQL: {e}"),
            }
            cluster.url("postgres")
        }
    })
}

/// Runs `sql` on the server's admin database.
pub async fn admin_execute(sql: &str) {
    let mut conn = AsyncPgConnection::establish(admin_url()).await.expect("admin connection");
    diesel::sql_query(sql).execute(&mut conn).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
}

fn pid() -> u32 {
    std::process::id()
}

/// The template database of this run, migrated once.
async fn template() -> &'static str {
    static TEMPLATE: OnceCell<String> = OnceCell::const_new();
    TEMPLATE
        .get_or_init(|| async {
            drop_leftovers().await;
            let name = format!("ua_tpl_{}", pid());
            admin_execute(&format!("drop database if exists {name} with (force)")).await;
            admin_execute(&format!("create database {name}")).await;
            let url = dev_db::with_database(admin_url(), &name).expect("url");
            rocket_user_account::internals::run_migrations(&url, &schema())
                .await
                .expect("migrate the template");
            name
        })
        .await
}

/// Drops the databases of earlier runs whose process is gone (a run that was killed, and the
/// template of every finished run).
async fn drop_leftovers() {
    #[derive(diesel::QueryableByName)]
    struct Name {
        #[diesel(sql_type = diesel::sql_types::Text)]
        datname: String,
    }
    let mut conn = AsyncPgConnection::establish(admin_url()).await.expect("admin connection");
    let names: Vec<Name> = diesel::sql_query("select datname from pg_database where datname like 'ua\\_%'")
        .load(&mut conn)
        .await
        .expect("list databases");
    for Name { datname } in names {
        let owner = datname.split('_').nth(2).and_then(|p| p.parse::<u32>().ok());
        if owner.is_some_and(|p| p != pid() && !std::path::Path::new(&format!("/proc/{p}")).exists()) {
            let _ = diesel::sql_query(format!("drop database if exists {datname} with (force)"))
                .execute(&mut conn)
                .await;
        }
    }
}

/// A database that lives as long as the test holding it.
pub struct TestDb {
    /// Its name.
    pub name: String,
    /// A URL to it.
    pub url: String,
}

impl TestDb {
    fn next_name() -> String {
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        format!("ua_t_{}_{}", pid(), COUNTER.fetch_add(1, Ordering::Relaxed))
    }

    /// A migrated database of its own, cloned from the run's template.
    pub async fn migrated() -> TestDb {
        let template = template().await;
        let name = Self::next_name();
        admin_execute(&format!("create database {name} template {template}")).await;
        Self::named(name)
    }

    /// An empty database of its own, no migrations applied.
    pub async fn empty() -> TestDb {
        let name = Self::next_name();
        admin_execute(&format!("create database {name}")).await;
        Self::named(name)
    }

    fn named(name: String) -> TestDb {
        let url = dev_db::with_database(admin_url(), &name).expect("url");
        TestDb { name, url }
    }

    /// A direct connection, for arranging and checking rows, with the crate's schema first on
    /// its search path (so tests name the crate's tables as the migrations do).
    pub async fn conn(&self) -> AsyncPgConnection {
        let mut conn = AsyncPgConnection::establish(&self.url).await.expect("test database connection");
        diesel::sql_query(format!("set search_path to {}, public", schema()))
            .execute(&mut conn)
            .await
            .expect("set the search path");
        conn
    }

    /// A direct connection with the server's default search path (`public`): what a host sees.
    pub async fn host_conn(&self) -> AsyncPgConnection {
        AsyncPgConnection::establish(&self.url).await.expect("test database connection")
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        // Drop runs inside the test's runtime, which must not be blocked on itself: use a
        // thread with a runtime of its own.
        let sql = format!("drop database if exists {} with (force)", self.name);
        let dropped = std::thread::spawn(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime")
                .block_on(admin_execute(&sql));
        })
        .join();
        if dropped.is_err() && !std::thread::panicking() {
            panic!("could not drop test database {}", self.name);
        }
    }
}
