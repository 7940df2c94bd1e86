//! [`UserAccount`], the one fairing a host attaches, and [`UserAccountBuilder`]: the host's own
//! parts plugged into it. What it does when Rocket ignites, lifts off and answers is in
//! `ignite`.

mod ignite;

use std::sync::Arc;

use rocket::{Build, Rocket};
use rocket_db_pools::diesel::PgPool;
use rocket_db_pools::Database;

use crate::accounts::AccountStore;
use crate::auth::{Authenticator, SessionAuthenticator};
use crate::mail::SendMail;
use crate::password::PasswordHasher;
use crate::recovery::RequestCheck;

/// The fairing. On ignite it reads and validates `user_account`, compiles the mail templates,
/// builds the mailer, attaches the `databases.user_account` pool (unless the host handed over
/// its own with [`UserAccountBuilder::database`], or already attached this one), creates the
/// crate's schema and runs the embedded migrations in it, manages what the routes need,
/// mounts the routes at `user_account.mount` and registers JSON catchers there. Any failure
/// stops ignition with a log line naming the cause. On liftoff it logs one line with the
/// effective mail transport, public URL, mount and debug routes, and starts the mail worker
/// (unless `mail.worker` is false), which stops with the server.
pub struct UserAccount {
    pub(super) authenticator: Arc<dyn Authenticator>,
    /// Whether the authenticator is the default one, which reads the default store's `sessions`.
    pub(super) default_authenticator: bool,
    pub(super) mail_sender: Option<Arc<dyn SendMail>>,
    pub(super) store: Option<Arc<dyn AccountStore>>,
    pub(super) hasher: Option<Arc<dyn PasswordHasher>>,
    pub(super) database: Option<HostDatabase>,
    pub(super) request_check: Option<Arc<dyn RequestCheck>>,
    /// The background tasks started at liftoff (the mail worker, the self-service worker),
    /// awaited at shutdown so that what they hold is finished or given back.
    pub(super) background: std::sync::Mutex<Vec<rocket::tokio::task::JoinHandle<()>>>,
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

/// A pool the host attached itself, handed to the fairing: its configuration name and how to
/// fetch it once Rocket has built it.
#[derive(Clone, Copy)]
pub(crate) struct HostDatabase {
    pub(crate) name: &'static str,
    pub(crate) fetch: fn(&Rocket<Build>) -> Option<PgPool>,
}

/// Builds a [`UserAccount`] with a host's own parts; every part has a default.
#[derive(Default)]
#[must_use]
pub struct UserAccountBuilder {
    authenticator: Option<Arc<dyn Authenticator>>,
    mail_sender: Option<Arc<dyn SendMail>>,
    store: Option<Arc<dyn AccountStore>>,
    hasher: Option<Arc<dyn PasswordHasher>>,
    database: Option<HostDatabase>,
    request_check: Option<Arc<dyn RequestCheck>>,
}

impl UserAccountBuilder {
    /// Uses `authenticator` to decide who is calling (for [`crate::AdminScope`]). Default:
    /// bearer tokens looked up in the default store's `sessions`.
    pub fn authenticator(mut self, authenticator: impl Authenticator) -> Self {
        self.authenticator = Some(Arc::new(authenticator));
        self
    }

    /// Reaches accounts, sessions and avatars through `store` (the host's own tables) instead
    /// of the crate's default store (its own `users` table). With a store and an authenticator of
    /// the host's, the crate creates none of the default store's tables (`users`, `sessions`).
    pub fn account_store(mut self, store: impl AccountStore) -> Self {
        self.store = Some(Arc::new(store));
        self
    }

    /// Stores new passwords with `hasher` (what the host's login verifies) instead of
    /// argon2id with `user_account.argon2.*`.
    pub fn password_hasher(mut self, hasher: impl PasswordHasher) -> Self {
        self.hasher = Some(Arc::new(hasher));
        self
    }

    /// Runs `check` on every self-service request (`forgot-password`) before it is accepted:
    /// a CAPTCHA or a proof of work. A request it refuses gets 403 `request_refused`. Default:
    /// none.
    pub fn request_check(mut self, check: impl RequestCheck) -> Self {
        self.request_check = Some(Arc::new(check));
        self
    }

    /// Delivers mail through `sender` instead of the configured `mail.transport`.
    pub fn mail_sender(mut self, sender: impl SendMail) -> Self {
        self.mail_sender = Some(Arc::new(sender));
        self
    }

    /// Works on the host's own rocket_db_pools diesel pool `D` (attached by the host, before
    /// or after this fairing) rather than opening a second one: `databases.<D's name>.url`
    /// is then the database the crate migrates and uses, and `databases.user_account` is not
    /// read.
    pub fn database<D: Database<Pool = PgPool>>(mut self) -> Self {
        self.database = Some(HostDatabase {
            name: D::NAME,
            fetch: |rocket| D::fetch(rocket).map(|db| PgPool::clone(db)),
        });
        self
    }

    /// The fairing.
    #[must_use]
    pub fn build(self) -> UserAccount {
        UserAccount {
            default_authenticator: self.authenticator.is_none(),
            authenticator: self.authenticator.unwrap_or_else(|| Arc::new(SessionAuthenticator)),
            mail_sender: self.mail_sender,
            store: self.store,
            hasher: self.hasher,
            database: self.database,
            request_check: self.request_check,
            background: std::sync::Mutex::default(),
        }
    }
}
