//! The account store: the seam between the crate and the host's accounts.
//!
//! The crate never reads or writes an account, a session or an avatar but through an
//! [`AccountStore`]. A host with accounts of its own implements it over its own tables and
//! hands it to [`crate::UserAccountBuilder::account_store`]; a host without gets
//! [`DefaultStore`], over the crate's own `users` and `sessions` tables.
//!
//! Every method runs on the crate's connection and, where the crate is changing something,
//! inside the crate's transaction: a store whose tables live in the same database keeps
//! redemption atomic (the token is claimed and the password stored together or not at all).
//!
//! A recovery token is bound to the account's [`Account::fingerprint`] when it is issued, and
//! the fingerprint is compared again when the token is verified and when it is redeemed, so a
//! token dies when the email or the credentials change by any path, the host's own pages and
//! plain SQL included.

mod default_store;

pub use default_store::{normalize_email, DefaultStore};

use std::sync::Arc;

use diesel::QueryResult;
use diesel_async::AsyncPgConnection;
use sha2::{Digest as _, Sha256};

/// An account as the crate needs it. Build one with [`Account::new`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Account {
    /// The host's id for the account, as text (a UUID, a number, anything stable).
    pub id: String,
    /// The address recovery mail goes to; `None` means the account cannot be recovered.
    pub email: Option<String>,
    /// The name used in mails.
    pub display_name: String,
    /// Whether the account may be recovered at all (false for a disabled or locked account).
    pub recoverable: bool,
    /// A value that changes whenever the account's email or credentials change; a recovery
    /// token is bound to it. See [`Account::fingerprint_of`].
    pub fingerprint: Vec<u8>,
}

impl Account {
    /// A recoverable account with no fingerprint yet (set one with [`Account::with_fingerprint`]).
    #[must_use]
    pub fn new(id: impl Into<String>, email: Option<String>, display_name: impl Into<String>) -> Account {
        Account {
            id: id.into(),
            email,
            display_name: display_name.into(),
            recoverable: true,
            fingerprint: Vec::new(),
        }
    }

    /// Whether the account may be recovered.
    #[must_use]
    pub fn recoverable(mut self, recoverable: bool) -> Account {
        self.recoverable = recoverable;
        self
    }

    /// The account's fingerprint.
    #[must_use]
    pub fn with_fingerprint(mut self, fingerprint: impl Into<Vec<u8>>) -> Account {
        self.fingerprint = fingerprint.into();
        self
    }

    /// A fingerprint of an email and a stored credential (a password hash, or whatever changes
    /// when the credentials do): SHA-256 of the two joined by a unit separator. What
    /// [`DefaultStore`] uses; a host may use it too.
    #[must_use]
    pub fn fingerprint_of(email: Option<&str>, credential: Option<&str>) -> Vec<u8> {
        let mut digest = Sha256::new();
        digest.update(email.unwrap_or_default().as_bytes());
        digest.update([0x1f]);
        digest.update(credential.unwrap_or_default().as_bytes());
        digest.finalize().to_vec()
    }
}

/// A user's avatar: image bytes with their type, or a URL to redirect to.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Avatar {
    /// Bytes; their type is sniffed again before they are served.
    Image(Vec<u8>),
    /// An http(s) URL; checked again before it is redirected to.
    Url(String),
}

/// Where the crate finds accounts, sessions and avatars. Every method gets the crate's
/// connection; `lock`, `set_password_hash`, `count_sessions` and `revoke_sessions` are called
/// inside the crate's transaction.
#[rocket::async_trait]
pub trait AccountStore: Send + Sync + 'static {
    /// The account with this id, if any. An id that is not of the store's form (not a number,
    /// say) is simply not found.
    async fn find_by_id(&self, conn: &mut AsyncPgConnection, id: &str) -> QueryResult<Option<Account>>;

    /// The account with this email, compared the way the host compares emails at login.
    async fn find_by_email(&self, conn: &mut AsyncPgConnection, email: &str) -> QueryResult<Option<Account>>;

    /// The account with this id, locked (`FOR UPDATE`) until the caller's transaction ends,
    /// so that concurrent recoveries and redemptions of one account take turns.
    async fn lock(&self, conn: &mut AsyncPgConnection, id: &str) -> QueryResult<Option<Account>>;

    /// The account with this email, locked like [`AccountStore::lock`]. The default finds it
    /// by email, then locks it by id; a store that can do both in one statement may say so.
    async fn lock_by_email(&self, conn: &mut AsyncPgConnection, email: &str) -> QueryResult<Option<Account>> {
        match self.find_by_email(conn, email).await? {
            Some(account) => self.lock(conn, &account.id).await,
            None => Ok(None),
        }
    }

    /// Stores a new password hash (from the configured [`crate::password::PasswordHasher`])
    /// for the account, which the caller holds locked.
    async fn set_password_hash(&self, conn: &mut AsyncPgConnection, id: &str, hash: &str) -> QueryResult<()>;

    /// How many live sessions the account has.
    async fn count_sessions(&self, conn: &mut AsyncPgConnection, id: &str) -> QueryResult<i64>;

    /// Revokes every live session of the account; returns how many.
    async fn revoke_sessions(&self, conn: &mut AsyncPgConnection, id: &str) -> QueryResult<u64>;

    /// The account's avatar, if it has one. The default says none.
    async fn avatar(&self, conn: &mut AsyncPgConnection, id: &str) -> QueryResult<Option<Avatar>> {
        let _ = (conn, id);
        Ok(None)
    }
}

/// The store in use: the crate's own tables, where a token can be checked in one statement,
/// or a host's.
#[derive(Clone)]
pub(crate) enum Store {
    Default(DefaultStore),
    Host(Arc<dyn AccountStore>),
}

impl Store {
    /// The store as the trait.
    pub(crate) fn get(&self) -> &dyn AccountStore {
        match self {
            Store::Default(store) => store,
            Store::Host(store) => store.as_ref(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Account;

    #[test]
    fn fingerprints_change_with_the_email_or_the_credential() {
        let base = Account::fingerprint_of(Some("a@example.org"), Some("$argon2id$x"));
        assert_eq!(base.len(), 32);
        assert_eq!(base, Account::fingerprint_of(Some("a@example.org"), Some("$argon2id$x")));
        assert_ne!(base, Account::fingerprint_of(Some("b@example.org"), Some("$argon2id$x")));
        assert_ne!(base, Account::fingerprint_of(Some("a@example.org"), Some("$argon2id$y")));
        // The separator keeps the two apart.
        assert_ne!(
            Account::fingerprint_of(Some("ab"), Some("c")),
            Account::fingerprint_of(Some("a"), Some("bc"))
        );
    }
}
