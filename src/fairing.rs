//! `UserAccount`: the one fairing a host attaches.

use std::sync::Arc;

use rocket::fairing::{self, AdHoc, Fairing, Info, Kind};
use rocket::{Build, Orbit, Request, Response, Rocket};
use rocket_db_pools::Database as _;

use crate::auth::{Authenticator, ManagedAuthenticator, SessionAuthenticator};
use crate::config::Config;
use crate::db::{run_migrations, Db};
use crate::debug::debug_routes_enabled;
use crate::mail::{MailQueue, Mailer, SendMail, Templates};
use crate::password::Hasher;
use crate::routes;

/// The fairing. On ignite it reads and validates `user_account`, compiles the mail templates,
/// builds the mailer, attaches the `databases.user_account` pool (unless the host already
/// did), runs the embedded migrations, manages what the routes need, mounts the routes at
/// `user_account.mount` and registers JSON catchers there. Any failure stops ignition with a
/// log line naming the cause. On liftoff it starts the mail worker (unless `mail.worker` is
/// false), which stops with the server.
pub struct UserAccount {
    authenticator: Arc<dyn Authenticator>,
    mail_sender: Option<Arc<dyn SendMail>>,
}

/// Builds a [`UserAccount`] with non-default parts.
#[derive(Default)]
pub struct UserAccountBuilder {
    authenticator: Option<Arc<dyn Authenticator>>,
    mail_sender: Option<Arc<dyn SendMail>>,
}

impl UserAccount {
    /// The fairing with the default [`SessionAuthenticator`].
    #[must_use]
    pub fn fairing() -> UserAccount {
        UserAccount::builder().build()
    }

    /// A builder, to plug in a host's own parts.
    #[must_use]
    pub fn builder() -> UserAccountBuilder {
        UserAccountBuilder::default()
    }
}

impl UserAccountBuilder {
    /// Uses `authenticator` to decide who is calling (for [`crate::AdminScope`]).
    #[must_use]
    pub fn authenticator(mut self, authenticator: impl Authenticator) -> Self {
        self.authenticator = Some(Arc::new(authenticator));
        self
    }

    /// Delivers mail through `sender` instead of the configured `mail.transport`.
    #[must_use]
    pub fn mail_sender(mut self, sender: impl SendMail) -> Self {
        self.mail_sender = Some(Arc::new(sender));
        self
    }

    /// The fairing.
    #[must_use]
    pub fn build(self) -> UserAccount {
        UserAccount {
            authenticator: self.authenticator.unwrap_or_else(|| Arc::new(SessionAuthenticator)),
            mail_sender: self.mail_sender,
        }
    }
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
            Err(e) => {
                log::error!("user_account: {e}");
                return Err(rocket);
            }
        };
        let Ok(url) = rocket.figment().extract_inner::<String>("databases.user_account.url") else {
            log::error!("user_account: invalid configuration: `databases.user_account.url` must be set to a postgres:// URL");
            return Err(rocket);
        };
        let parts = Templates::new(config.templates.as_deref())
            .and_then(|templates| Ok((templates, Mailer::new(&config.mail, self.mail_sender.clone())?)));
        let (templates, mailer) = match parts {
            Ok(parts) => parts,
            Err(e) => {
                log::error!("user_account: {e}");
                return Err(rocket);
            }
        };
        let debug_routes = debug_routes_enabled(&rocket, &config);
        if debug_routes && !debug_profile {
            log::warn!("user_account: debug routes (avatar) are live outside the debug profile (`user_account.debug_routes = true`)");
        }
        let mut rocket = rocket;
        // A host that attached the pool itself keeps it.
        if rocket.state::<Db>().is_none() {
            rocket = rocket.attach(Db::init());
        }
        let migrations = AdHoc::try_on_ignite("User Account migrations", |rocket| async move {
            match run_migrations(&url).await {
                Ok(ran) => {
                    log::info!("user_account: database schema up to date ({ran} migrations applied)");
                    Ok(rocket)
                }
                Err(e) => {
                    log::error!("user_account: {e}");
                    Err(rocket)
                }
            }
        });
        Ok(rocket
            .attach(migrations)
            .mount(config.mount.as_str(), routes::routes(debug_routes))
            .register(config.mount.as_str(), routes::catchers())
            .manage(ManagedAuthenticator(self.authenticator.clone()))
            .manage(templates)
            .manage(Hasher::new(config.argon2.clone()))
            .manage(MailQueue::new(
                mailer,
                config.mail.max_attempts,
                std::time::Duration::from_secs(config.mail.smtp_timeout_secs),
                config.audit_retention_days,
            ))
            .manage(config))
    }

    async fn on_response<'r>(&self, req: &'r Request<'_>, res: &mut Response<'r>) {
        if let Some(config) = req.rocket().state::<Config>() {
            if under(req, &config.mount) {
                crate::headers::harden(req, res);
            }
        }
    }

    async fn on_liftoff(&self, rocket: &Rocket<Orbit>) {
        let (Some(config), Some(queue), Some(db)) =
            (rocket.state::<Config>(), rocket.state::<MailQueue>(), Db::fetch(rocket))
        else {
            return;
        };
        log::info!("{}", config.launch_line(debug_routes_enabled(rocket, config)));
        if config.mail.worker {
            rocket::tokio::spawn(queue.clone().run(db.pool(), rocket.shutdown()));
        }
    }
}

/// Whether the request's path is `mount` or below it, compared as Rocket routes: on the
/// percent-decoded, non-empty segments (so `/api//users` and `/api/%75sers` count as under
/// `/api/users`, as Rocket serves them there).
fn under(req: &Request<'_>, mount: &str) -> bool {
    let mut path = req.uri().path().segments();
    mount.split('/').filter(|s| !s.is_empty()).all(|want| path.next() == Some(want))
}
