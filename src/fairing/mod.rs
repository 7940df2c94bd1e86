//! `UserAccount`: the one fairing a host attaches.

mod builder;

pub use builder::UserAccountBuilder;

use std::sync::Arc;
use std::time::Duration;

use rocket::fairing::{self, AdHoc, Fairing, Info, Kind};
use rocket::{Build, Orbit, Request, Response, Rocket};
use rocket_db_pools::Database as _;

use self::builder::HostDatabase;
use crate::accounts::{AccountStore, DefaultStore, Store};
use crate::auth::{Authenticator, ManagedAuthenticator};
use crate::config::{total_memory_kib, Config};
use crate::db::{run_migrations_of, Db, ManagedPool, Migrations, Schema, SessionBounds};
use crate::debug::debug_routes_enabled;
use crate::mail::{MailQueue, Mailer, SendMail, Templates};
use crate::password::{Argon2idHasher, HashingPool, PasswordHasher};
use crate::rate_limit::PublicCounter;
use crate::recovery::{RecoveryService, Redeeming};
use crate::routes;

/// The fairing. On ignite it reads and validates `user_account`, compiles the mail templates,
/// builds the mailer, attaches the `databases.user_account` pool (unless the host handed over
/// its own with [`UserAccountBuilder::database`], or already attached this one), creates the
/// crate's schema and runs the embedded migrations in it, manages what the routes need,
/// mounts the routes at `user_account.mount` and registers JSON catchers there. Any failure
/// stops ignition with a log line naming the cause. On liftoff it logs one line with the
/// effective mail transport, public URL, mount and debug routes, and starts the mail worker
/// (unless `mail.worker` is false), which stops with the server.
pub struct UserAccount {
    authenticator: Arc<dyn Authenticator>,
    /// Whether the authenticator is the default one, which reads the default store's `sessions`.
    default_authenticator: bool,
    mail_sender: Option<Arc<dyn SendMail>>,
    store: Option<Arc<dyn AccountStore>>,
    hasher: Option<Arc<dyn PasswordHasher>>,
    database: Option<HostDatabase>,
}

impl UserAccount {
    /// The fairing with every default part: the crate's own accounts and sessions, argon2id,
    /// the configured mail transport, its own pool.
    #[must_use]
    pub fn fairing() -> UserAccount {
        UserAccount::builder().build()
    }

    /// A builder, to plug in a host's own parts.
    pub fn builder() -> UserAccountBuilder {
        UserAccountBuilder::default()
    }
}

/// Logs why ignition stops and hands the rocket back as the error.
#[allow(clippy::result_large_err)] // Rocket's own fairing result type
fn refuse(rocket: Rocket<Build>, message: impl std::fmt::Display) -> fairing::Result {
    log::error!("user_account: {message}");
    Err(rocket)
}

#[rocket::async_trait]
impl Fairing for UserAccount {
    fn info(&self) -> Info {
        Info { name: "User Account", kind: Kind::Ignite | Kind::Liftoff | Kind::Response }
    }

    async fn on_ignite(&self, rocket: Rocket<Build>) -> fairing::Result {
        let debug_profile = rocket.figment().profile() == rocket::Config::DEBUG_PROFILE;
        let config = match Config::from_figment(rocket.figment(), debug_profile) {
            Ok(config) => config,
            Err(e) => return refuse(rocket, e),
        };
        let schema = match Schema::new(&config.schema) {
            Ok(schema) => schema,
            Err(e) => return refuse(rocket, format!("invalid configuration: `user_account.schema`: {e}")),
        };
        let pool_name = self.database.map_or(Db::NAME, |db| db.name);
        let Ok(url) = rocket.figment().extract_inner::<String>(&format!("databases.{pool_name}.url")) else {
            return refuse(
                rocket,
                format!(
                    "invalid configuration: `databases.{pool_name}.url` must be set to a postgres:// URL"
                ),
            );
        };
        let parts = Templates::new(config.templates.as_deref())
            .and_then(|templates| Ok((templates, Mailer::new(&config.mail, self.mail_sender.clone())?)));
        let (templates, mailer) = match parts {
            Ok(parts) => parts,
            Err(e) => return refuse(rocket, e),
        };
        let (page_routes, asset_routes) = match crate::reset_page::routes(&config) {
            Ok(routes) => routes,
            Err(e) => return refuse(rocket, format!("reset page: {e}")),
        };
        let debug_routes = debug_routes_enabled(&rocket, &config);
        if debug_routes && !debug_profile {
            log::warn!("user_account: debug routes (avatar) are live outside the debug profile (`user_account.debug_routes = true`)");
        }
        let default_store = DefaultStore::new(schema.clone());
        let store = match &self.store {
            Some(host) => Store::Host(Arc::clone(host)),
            None => Store::Default(default_store.clone()),
        };
        let hasher =
            self.hasher.clone().unwrap_or_else(|| Arc::new(Argon2idHasher::new(config.argon2.clone())));
        // The bound holds for the hasher in use, at the memory it declares.
        if let Err(e) = config.argon2.check_memory(hasher.memory_kib(), total_memory_kib()) {
            return refuse(rocket, e);
        }
        let bounds = SessionBounds::new(
            config.statement_timeout_secs,
            config.lock_timeout_secs,
            self.database.is_some(),
        );
        let queue = MailQueue::new(
            mailer,
            (schema.clone(), bounds.clone()),
            store.clone(),
            (config.mail.max_attempts, Duration::from_secs(config.mail.smtp_timeout_secs)),
            config.audit_retention_days,
        );
        // The default store's tables only where a default part reads them.
        let migrations = if self.store.is_none() || self.default_authenticator {
            Migrations::WITH_DEFAULT_STORE
        } else {
            Migrations::CRATE_ONLY
        };
        let config = Arc::new(config);
        let service = PartialService {
            schema: schema.clone(),
            bounds,
            store,
            hashing: HashingPool::new(hasher, config.argon2.max_concurrent),
            config: Arc::clone(&config),
            templates: Arc::new(templates),
            queue: queue.clone(),
        };
        let mut rocket = rocket;
        if self.database.is_none() && rocket.state::<Db>().is_none() {
            rocket = rocket.attach(Db::init());
        }
        let host_pool = self.database.map(|db| db.fetch);
        // Runs after every fairing attached so far, the pool's initializer included, whichever
        // order the host attached them in.
        let database = AdHoc::try_on_ignite("User Account database", move |rocket| async move {
            if let Err(e) = run_migrations_of(&url, &service.schema, migrations).await {
                return refuse(rocket, e);
            }
            log::info!("user_account: schema {} up to date", service.schema);
            let pool = match host_pool {
                Some(fetch) => fetch(&rocket),
                None => Db::fetch(&rocket).map(Db::pool),
            };
            let Some(pool) = pool else {
                return refuse(rocket, format!("the `{pool_name}` pool is not attached"));
            };
            let counter = PublicCounter::new(
                (pool.clone(), service.bounds.clone()),
                service.schema.clone(),
                crate::rate_limit::public(&service.config),
            );
            let bounds = service.bounds.clone();
            let service = service.with_pool(pool.clone());
            Ok(rocket.manage(ManagedPool(pool, bounds)).manage(counter).manage(service))
        });
        #[cfg(feature = "bench")]
        let rocket = {
            log::warn!("user_account: bench-only routes are mounted under {}/_bench", config.mount);
            rocket.mount(format!("{}/_bench", config.mount.trim_end_matches('/')), crate::bench::routes())
        };
        Ok(rocket
            .attach(database)
            .mount(config.mount.as_str(), routes::routes(debug_routes))
            .register(config.mount.as_str(), routes::catchers())
            .mount("/", page_routes)
            .mount(config.mount.as_str(), asset_routes)
            .manage(ManagedAuthenticator(self.authenticator.clone()))
            .manage(default_store)
            .manage(schema)
            .manage(queue)
            .manage(Config::clone(&config)))
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
            rocket::tokio::spawn(queue.clone().run(pool.0.clone(), rocket.shutdown()));
        }
    }
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
    fn with_pool(self, pool: rocket_db_pools::diesel::PgPool) -> RecoveryService {
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
        }
    }
}

/// For the guards' [`rocket::Sentinel`]s: whether `rocket` has this fairing's state, so a
/// host that puts a guard on a route without attaching the fairing fails at launch (with
/// this log line) rather than with a 500 on every request.
pub(crate) fn missing(rocket: &Rocket<rocket::Ignite>, guard: &str) -> bool {
    let attached = rocket.state::<Config>().is_some() && rocket.state::<ManagedPool>().is_some();
    if !attached {
        log::error!("user_account: `{guard}` is used on a route but the UserAccount fairing is not attached");
    }
    !attached
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
