//! What the fairing does: at ignite it checks the configuration and builds every part
//! ([`UserAccount::prepare`]), then attaches the pool, the migrations and the routes
//! ([`UserAccount::install`]); at liftoff it logs the launch line and starts the mail worker;
//! on every response under the mount point it adds the hardening headers.

use std::sync::Arc;
use std::time::Duration;

use rocket::fairing::{self, AdHoc, Fairing, Info, Kind};
use rocket::route::Route;
use rocket::{Build, Orbit, Request, Response, Rocket};
use rocket_db_pools::diesel::PgPool;
use rocket_db_pools::Database as _;

use super::{HostDatabase, UserAccount};
use crate::accounts::{DefaultStore, Store};
use crate::attached::Attached;
use crate::auth::ManagedAuthenticator;
use crate::config::{total_memory_kib, Config, Schema};
use crate::db::{run_migrations_of, Db, ManagedPool, Migrations, SessionBounds};
use crate::debug::debug_routes_enabled;
use crate::locale::Locales;
use crate::mail::{MailQueue, MailQueueParts, Mailer, Templates};
use crate::password::{Argon2idHasher, HashingPool};
use crate::rate_limit::PublicCounter;
use crate::recovery::{ManagedRequestCheck, RecoveryService, Redeeming};
use crate::routes;

/// Logs why ignition stops and hands the rocket back as the error.
#[allow(clippy::result_large_err)] // Rocket's own fairing result type
fn refuse(rocket: Rocket<Build>, message: impl std::fmt::Display) -> fairing::Result {
    log::error!("user_account: {message}");
    Err(rocket)
}

#[rocket::async_trait]
impl Fairing for UserAccount {
    fn info(&self) -> Info {
        Info { name: "User Account", kind: Kind::Ignite | Kind::Liftoff | Kind::Response | Kind::Shutdown }
    }

    async fn on_ignite(&self, rocket: Rocket<Build>) -> fairing::Result {
        match self.prepare(&rocket) {
            Ok(prepared) => Ok(self.install(rocket, prepared)),
            Err(e) => refuse(rocket, e),
        }
    }

    async fn on_response<'r>(&self, req: &'r Request<'_>, res: &mut Response<'r>) {
        if let Some(config) = req.rocket().state::<Config>() {
            if under(req, &config.mount) {
                crate::headers::harden(req, res);
            }
        }
        crate::reset_page::finish(req, res);
    }

    async fn on_liftoff(&self, rocket: &Rocket<Orbit>) {
        let (Some(config), Some(queue), Some(pool)) =
            (rocket.state::<Config>(), rocket.state::<MailQueue>(), rocket.state::<ManagedPool>())
        else {
            return;
        };
        log::info!("{}", config.launch_line(debug_routes_enabled(rocket, config)));
        if !serves_get(rocket, &config.reset_path) {
            log::warn!(
                "user_account: nothing serves GET {} (the page recovery links open): turn \
                 `user_account.reset_page` on, or mount the host's own page there",
                config.reset_path
            );
        }
        if config.mail.worker {
            let mut started =
                vec![rocket::tokio::spawn(queue.clone().run(pool.0.clone(), rocket.shutdown()))];
            if let (true, Some(service)) = (config.self_service_recovery, rocket.state::<RecoveryService>()) {
                started.push(rocket::tokio::spawn(service.clone().run_self_service(rocket.shutdown())));
            }
            if let Ok(mut background) = self.background.lock() {
                background.extend(started);
            }
        }
    }

    /// Waits for the workers to stop: each saw the shutdown, the mail worker finishes the one
    /// attempt under way (within `mail.smtp_timeout_secs`), records what it sent and gives the
    /// mails it claimed but did not try back at once, so the next instance sends them without
    /// waiting out a lease. Rocket drains the requests meanwhile.
    async fn on_shutdown(&self, rocket: &Rocket<Orbit>) {
        let handles: Vec<_> = self.background.lock().map(|mut b| b.drain(..).collect()).unwrap_or_default();
        if handles.is_empty() {
            return;
        }
        let attempt = rocket.state::<Config>().map_or(10, |c| c.mail.smtp_timeout_secs);
        // The attempt under way, then the statements that record the batch.
        let bound = Duration::from_secs(attempt) + Duration::from_secs(10);
        let stopped = futures_join(handles);
        if rocket::tokio::time::timeout(bound, stopped).await.is_err() {
            log::warn!("user_account: the mail worker did not stop within {bound:?}; its claimed mails return when their lease ends");
        } else {
            log::info!("user_account: the workers stopped; nothing they held is left claimed");
        }
    }
}

/// Waits for every task in `handles` (a panicked one counts as stopped).
async fn futures_join(handles: Vec<rocket::tokio::task::JoinHandle<()>>) {
    for handle in handles {
        let _stopped = handle.await;
    }
}

/// Everything ignition built before it touches the rocket.
struct Prepared {
    config: Arc<Config>,
    /// The database the crate migrates: `user_account.migration_url`, else
    /// `databases.<pool_name>.url`.
    url: String,
    pool_name: &'static str,
    migrations: Migrations,
    debug_routes: bool,
    page_routes: Vec<Route>,
    asset_routes: Vec<Route>,
    default_store: DefaultStore,
    queue: MailQueue,
    service: PartialService,
    /// The languages, for the error answers' sentences.
    locales: Arc<Locales>,
}

impl UserAccount {
    /// Reads and checks the configuration and builds every part, in the order a host fixes
    /// them: configuration, schema, pool URL, languages, templates, mailer, reset page, hasher.
    fn prepare(&self, rocket: &Rocket<Build>) -> Result<Prepared, String> {
        let debug_profile = rocket.figment().profile() == rocket::Config::DEBUG_PROFILE;
        let config = Config::from_figment(rocket.figment(), debug_profile).map_err(|e| e.to_string())?;
        let schema = Schema::new(&config.schema)
            .map_err(|e| format!("invalid configuration: `user_account.schema`: {e}"))?;
        let pool_name = self.database.map_or(Db::NAME, |db| db.name);
        let url = rocket.figment().extract_inner::<String>(&format!("databases.{pool_name}.url")).map_err(
            |_| {
                format!("invalid configuration: `databases.{pool_name}.url` must be set to a postgres:// URL")
            },
        )?;
        // Migrations and their advisory lock need a session of their own: behind a pooler in
        // transaction mode they take the direct URL.
        let url = config.migration_url.clone().unwrap_or(url);
        crate::metrics::describe();
        let locales = Arc::new(Locales::load(config.templates.as_deref(), &config.default_locale)?);
        let templates = Templates::new(config.templates.as_deref(), Arc::clone(&locales))?;
        let mailer = Mailer::new(&config.mail, self.mail_sender.clone())?;
        let (page_routes, asset_routes) =
            crate::reset_page::routes(&config, &locales).map_err(|e| format!("reset page: {e}"))?;
        let debug_routes = debug_routes_enabled(rocket, &config);
        if debug_routes && !debug_profile {
            log::warn!("user_account: debug routes (avatar) are live outside the debug profile (`user_account.debug_routes = true`)");
        }
        // The default store's tables only where a default part reads them.
        let migrations = if self.store.is_none() || self.default_authenticator {
            Migrations::WITH_DEFAULT_STORE
        } else {
            Migrations::CRATE_ONLY
        };
        let config = Arc::new(config);
        let (default_store, queue, service) = self.services(&config, schema, (templates, mailer), &url)?;
        Ok(Prepared {
            config,
            url,
            pool_name,
            migrations,
            debug_routes,
            page_routes,
            asset_routes,
            default_store,
            queue,
            service,
            locales,
        })
    }

    /// The parts the routes use: the store, the hasher (whose memory the machine must hold),
    /// the mail queue and the service waiting for its pool.
    fn services(
        &self,
        config: &Arc<Config>,
        schema: Schema,
        (templates, mailer): (Templates, Mailer),
        url: &str,
    ) -> Result<(DefaultStore, MailQueue, PartialService), String> {
        // Behind a pooler in transaction mode: no prepared statement outlives a transaction,
        // and the bounds are set per transaction rather than per session.
        let (schema, pooled) = if config.prepared_statements {
            (schema, false)
        } else {
            (schema.behind_pooler(config.statement_timeout_secs, config.lock_timeout_secs), true)
        };
        let default_store = DefaultStore::new(schema.clone());
        let store = match &self.store {
            Some(host) => Store::Host(Arc::clone(host)),
            None => Store::Default(default_store.clone()),
        };
        let hasher =
            self.hasher.clone().unwrap_or_else(|| Arc::new(Argon2idHasher::new(config.argon2.clone())));
        // The bound holds for the hasher in use, at the memory it declares.
        config.argon2.check_memory(hasher.memory_kib(), total_memory_kib()).map_err(|e| e.to_string())?;
        let bounds = SessionBounds::new(
            config.statement_timeout_secs,
            config.lock_timeout_secs,
            self.database.is_some(),
        );
        let bounds = if pooled { bounds.behind_pooler() } else { bounds };
        let templates = Arc::new(templates);
        let queue = MailQueue::new(MailQueueParts {
            mailer,
            templates: Arc::clone(&templates),
            store: store.clone(),
            schema: schema.clone(),
            bounds: bounds.clone(),
            max_attempts: config.mail.max_attempts,
            attempt_timeout: Duration::from_secs(config.mail.smtp_timeout_secs),
            audit_retention_days: config.audit_retention_days,
            database_url: url.to_owned(),
        });
        let service = PartialService {
            schema,
            bounds,
            store,
            hashing: HashingPool::new(hasher, config.argon2.max_concurrent),
            config: Arc::clone(config),
            templates,
            queue: queue.clone(),
        };
        Ok((default_store, queue, service))
    }

    /// Attaches the pool (unless the host's is used or already attached) and the database
    /// stage, mounts the routes and catchers, and manages what the routes need.
    fn install(&self, mut rocket: Rocket<Build>, prepared: Prepared) -> Rocket<Build> {
        let Prepared {
            config,
            url,
            pool_name,
            migrations,
            debug_routes,
            page_routes,
            asset_routes,
            default_store,
            queue,
            service,
            locales,
        } = prepared;
        if self.database.is_none() && rocket.state::<Db>().is_none() {
            rocket = rocket.attach(Db::init());
        }
        let schema = service.schema.clone();
        let database =
            database_stage(DatabaseStage { url, pool_name, migrations, host_pool: self.database, service });
        #[cfg(feature = "bench")]
        let rocket = {
            log::warn!("user_account: bench-only routes are mounted under {}/_bench", config.mount);
            rocket.mount(format!("{}/_bench", config.mount.trim_end_matches('/')), crate::bench::routes())
        };
        rocket
            .attach(database)
            .mount(config.mount.as_str(), routes::routes(debug_routes, config.self_service_recovery))
            .register(config.mount.as_str(), routes::catchers())
            .mount("/", page_routes)
            .mount(config.mount.as_str(), asset_routes)
            .manage(ManagedAuthenticator(self.authenticator.clone()))
            .manage(ManagedRequestCheck(self.request_check.clone()))
            .manage(default_store)
            .manage(schema)
            .manage(queue)
            .manage(Config::clone(&config))
            .manage(locales)
    }
}

/// What the database stage needs: it runs once the pool exists.
struct DatabaseStage {
    url: String,
    pool_name: &'static str,
    migrations: Migrations,
    /// The host's pool, when the host handed one over.
    host_pool: Option<HostDatabase>,
    service: PartialService,
}

/// The stage that migrates the crate's schema, fetches the pool and manages the service. It
/// runs after every fairing attached so far, the pool's initializer included, whichever order
/// the host attached them in.
fn database_stage(stage: DatabaseStage) -> AdHoc {
    let DatabaseStage { url, pool_name, migrations, host_pool, service } = stage;
    AdHoc::try_on_ignite("User Account database", move |rocket| async move {
        if let Err(e) = run_migrations_of(&url, &service.schema, migrations).await {
            return refuse(rocket, e);
        }
        log::info!("user_account: schema {} up to date", service.schema);
        let pool = match host_pool {
            Some(host) => (host.fetch)(&rocket),
            None => Db::fetch(&rocket).map(Db::pool),
        };
        let Some(pool) = pool else {
            return refuse(rocket, format!("the `{pool_name}` pool is not attached"));
        };
        let counter = PublicCounter::new(
            pool.clone(),
            service.bounds.clone(),
            service.schema.clone(),
            crate::rate_limit::public(&service.config),
        );
        let bounds = service.bounds.clone();
        let service = service.with_pool(pool.clone());
        Ok(rocket.manage(ManagedPool(pool, bounds)).manage(counter).manage(service).manage(Attached))
    })
}

/// The service's parts that exist before the pool does.
struct PartialService {
    schema: Schema,
    bounds: SessionBounds,
    store: Store,
    hashing: HashingPool,
    config: Arc<Config>,
    templates: Arc<Templates>,
    queue: MailQueue,
}

impl PartialService {
    fn with_pool(self, pool: PgPool) -> RecoveryService {
        let PartialService { schema, bounds, store, hashing, config, templates, queue } = self;
        RecoveryService {
            pool,
            bounds,
            schema,
            store,
            hashing,
            config,
            templates,
            queue,
            redeeming: Redeeming::default(),
            self_service_wake: Arc::default(),
            waiting: Arc::new(crate::recovery::waiting()),
        }
    }
}

/// Whether a GET route of `rocket` (the crate's page or a host's route) answers `path`: its
/// segments equal the path's, a dynamic segment matching any one and a trailing `<..>` the rest.
fn serves_get(rocket: &Rocket<Orbit>, path: &str) -> bool {
    let want: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    rocket.routes().filter(|route| route.method == rocket::http::Method::Get).any(|route| {
        let have: Vec<&str> = route.uri.path().split('/').filter(|s| !s.is_empty()).collect();
        let mut i = 0;
        for segment in &have {
            if segment.starts_with('<') && segment.ends_with("..>") {
                return true;
            }
            match want.get(i) {
                Some(w) if segment.starts_with('<') || segment == w => i += 1,
                _ => return false,
            }
        }
        i == want.len()
    })
}

/// Whether the request's path is `mount` or below it, compared as Rocket routes: on the
/// percent-decoded, non-empty segments (so `/api//users` and `/api/%75sers` count as under
/// `/api/users`, as Rocket serves them there).
fn under(req: &Request<'_>, mount: &str) -> bool {
    let mut path = req.uri().path().segments();
    mount.split('/').filter(|s| !s.is_empty()).all(|want| path.next() == Some(want))
}
