//! The account store: the seam between the crate and the host's accounts.
//!
//! See [`AccountStore`] for how it works.

pub(crate) mod default_store;

pub(crate) use default_store::DefaultStore;

use std::sync::Arc;

use diesel::QueryResult;
use diesel_async::AsyncPgConnection;
use sha2::{Digest as _, Sha256};

/// An account as the crate needs it. Build one with [`Account::new`]: its fingerprint is
/// required, so no account exists without one.
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
    /// The account's language, a BCP 47 tag such as `de` or `pt-BR`: its mails, and the reset
    /// page their links open, speak it. `None`, or a language the crate does not speak, means
    /// `user_account.default_locale` (after the usual fallback: `pt-PT` → `pt-BR`).
    pub locale: Option<String>,
    /// A value that changes whenever the account's email or credentials change; a recovery
    /// token is bound to it. See [`Account::fingerprint_of`]. An empty one matches nothing:
    /// no token is issued for such an account (the admin gets a 500, the log says why).
    pub fingerprint: Vec<u8>,
}

impl Account {
    /// A recoverable account with this id, stored email, name and fingerprint (a value that
    /// changes whenever the email or the credentials do, usually [`Account::fingerprint_of`]
    /// the email and the password hash).
    #[must_use]
    pub fn new(
        id: impl Into<String>,
        email: Option<String>,
        display_name: impl Into<String>,
        fingerprint: impl Into<Vec<u8>>,
    ) -> Account {
        Account {
            id: id.into(),
            email,
            display_name: display_name.into(),
            recoverable: true,
            locale: None,
            fingerprint: fingerprint.into(),
        }
    }

    /// The account's language (a BCP 47 tag), if it has one.
    #[must_use]
    pub fn locale(mut self, locale: Option<String>) -> Account {
        self.locale = locale;
        self
    }

    /// Whether the account may be recovered.
    #[must_use]
    pub fn recoverable(mut self, recoverable: bool) -> Account {
        self.recoverable = recoverable;
        self
    }

    /// A fingerprint of an email and a stored credential (a password hash, or whatever changes
    /// when the credentials do): SHA-256 of the two joined by a unit separator. What
    /// the default store uses; a host may use it too.
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
///
/// The crate never reads or writes an account, a session or an avatar but through an
/// [`AccountStore`]. A host with accounts of its own implements it over its own tables and
/// hands it to [`crate::UserAccountBuilder::account_store`]; a host without gets
/// the default store, over the crate's own `users` and `sessions` tables.
///
/// Every method runs on the crate's connection and, where the crate is changing something,
/// inside the crate's transaction: a store whose tables live in the same database keeps
/// redemption atomic (the token is claimed and the password stored together or not at all).
///
/// A recovery token is bound to the account's [`Account::fingerprint`] when it is issued, and
/// the fingerprint is compared again wherever the token is looked at (verify, cancel, redeem,
/// the mail worker, the admin's status and list: one rule for every store), so a token
/// dies when the email or the credentials change by any path, the host's own pages and plain
/// SQL included. A token found so is revoked at once, for good: changing the account back does
/// not revive it, whatever the store.
///
/// ## Writing a store
///
/// A store is written with the `diesel` and `diesel_async` this crate re-exports
/// ([`crate::diesel`], [`crate::diesel_async`]), so its queries run on exactly the connection
/// type the crate hands it. Return `Err` only for a database failure (the crate answers 503 for
/// a lost connection, 500 otherwise, and logs the cause); an id or email that names no account
/// is `Ok(None)`, never an error.
///
/// ```
/// use rocket_user_account::diesel::{self, prelude::*, sql_types::{BigInt, Bool, Text}};
/// use rocket_user_account::diesel_async::{AsyncPgConnection, RunQueryDsl};
/// use rocket_user_account::{Account, AccountStore};
///
/// /// The host's `members` table (bigint ids).
/// struct Members;
///
/// #[derive(QueryableByName)]
/// struct Member {
///     #[diesel(sql_type = BigInt)]
///     id: i64,
///     #[diesel(sql_type = Text)]
///     email: String,
///     #[diesel(sql_type = Text)]
///     name: String,
///     #[diesel(sql_type = Text)]
///     pw_hash: String,
///     #[diesel(sql_type = Bool)]
///     locked: bool,
/// }
///
/// impl From<Member> for Account {
///     fn from(m: Member) -> Account {
///         // What a recovery token is bound to: it changes with the email or the password.
///         let fingerprint = Account::fingerprint_of(Some(&m.email), Some(&m.pw_hash));
///         Account::new(m.id.to_string(), Some(m.email), m.name, fingerprint).recoverable(!m.locked)
///     }
/// }
///
/// async fn member(conn: &mut AsyncPgConnection, id: &str, lock: bool) -> QueryResult<Option<Account>> {
///     // An id that is not one of ours names no account: Ok(None), not an error.
///     let Ok(id) = id.parse::<i64>() else { return Ok(None) };
///     let sql = if lock { "select * from members where id = $1 for update" } else { "select * from members where id = $1" };
///     let row: Option<Member> = diesel::sql_query(sql).bind::<BigInt, _>(id).get_result(conn).await.optional()?;
///     Ok(row.map(Account::from))
/// }
///
/// #[rocket::async_trait]
/// impl AccountStore for Members {
///     async fn find_by_id(&self, conn: &mut AsyncPgConnection, id: &str) -> QueryResult<Option<Account>> {
///         member(conn, id, false).await
///     }
///     async fn find_by_email(&self, conn: &mut AsyncPgConnection, email: &str) -> QueryResult<Option<Account>> {
///         let row: Option<Member> = diesel::sql_query("select * from members where lower(email) = lower($1)")
///             .bind::<Text, _>(email).get_result(conn).await.optional()?;
///         Ok(row.map(Account::from))
///     }
///     async fn lock(&self, conn: &mut AsyncPgConnection, id: &str) -> QueryResult<Option<Account>> {
///         member(conn, id, true).await
///     }
///     async fn set_password_hash(&self, conn: &mut AsyncPgConnection, id: &str, hash: &str) -> QueryResult<()> {
///         let Ok(id) = id.parse::<i64>() else { return Ok(()) };
///         diesel::sql_query("update members set pw_hash = $2 where id = $1")
///             .bind::<BigInt, _>(id).bind::<Text, _>(hash).execute(conn).await.map(|_| ())
///     }
///     async fn count_sessions(&self, conn: &mut AsyncPgConnection, id: &str) -> QueryResult<i64> {
///         # let _ = (conn, id);
///         Ok(0) // count the host's live sessions of `id`
///     }
///     async fn revoke_sessions(&self, conn: &mut AsyncPgConnection, id: &str) -> QueryResult<u64> {
///         # let _ = (conn, id);
///         Ok(0) // revoke them; return how many
///     }
/// }
/// ```
///
/// Plug it in with `UserAccount::builder().account_store(Members)`; the crate then creates
/// none of the default store's tables (`users`, `sessions`) in its schema.
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

    /// Whether [`Store::lock_many`] runs only the crate's own statements (the default store), so
    /// that a `BEGIN` may be sent with them ([`crate::db::pipelined`]); a host's store runs code
    /// of its own.
    pub(crate) fn own_statements(&self) -> bool {
        matches!(self, Store::Default(_))
    }

    /// The accounts `keys` name, each locked like [`AccountStore::lock`] until the caller's
    /// transaction ends, in the order of `keys` (`None` for a key that names no account). The
    /// default store locks them in one statement per kind of key, in the order of their ids,
    /// so two such calls on shared accounts wait for each other rather than deadlock; a host's
    /// store is asked one key after another.
    ///
    /// # Errors
    /// Database errors only.
    pub(crate) async fn lock_many(
        &self,
        conn: &mut AsyncPgConnection,
        keys: &[AccountKey<'_>],
    ) -> QueryResult<Vec<Option<Account>>> {
        match self {
            Store::Default(store) => store.lock_many(conn, keys).await,
            Store::Host(store) => {
                let mut accounts = Vec::with_capacity(keys.len());
                for key in keys {
                    accounts.push(match key {
                        AccountKey::Id(id) => store.lock(conn, id).await?,
                        AccountKey::Email(email) => store.lock_by_email(conn, email).await?,
                    });
                }
                Ok(accounts)
            }
        }
    }
}

/// What names an account to [`Store::lock_many`].
#[derive(Debug, Clone, Copy)]
pub(crate) enum AccountKey<'a> {
    /// The store's id.
    Id(&'a str),
    /// An email, as the store compares them.
    Email(&'a str),
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
