//! [`UserAccountBuilder`]: the host's own parts, plugged into the fairing.

use std::sync::Arc;

use rocket::{Build, Rocket};
use rocket_db_pools::diesel::PgPool;
use rocket_db_pools::Database;

use super::UserAccount;
use crate::accounts::AccountStore;
use crate::auth::{Authenticator, SessionAuthenticator};
use crate::mail::SendMail;
use crate::password::PasswordHasher;

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
}

impl UserAccountBuilder {
    /// Uses `authenticator` to decide who is calling (for [`crate::AdminScope`]). Default:
    /// [`SessionAuthenticator`], over the default store's sessions.
    pub fn authenticator(mut self, authenticator: impl Authenticator) -> Self {
        self.authenticator = Some(Arc::new(authenticator));
        self
    }

    /// Reaches accounts, sessions and avatars through `store` (the host's own tables) instead
    /// of the crate's [`crate::accounts::DefaultStore`]. With a store and an authenticator of
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
        }
    }
}
