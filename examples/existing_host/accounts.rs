//! The host's accounts: its password hashing and the crate's `AccountStore` over its tables.

use std::sync::OnceLock;

use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher as _, PasswordVerifier as _};
use argon2::password_hash::{Error as HashError, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Nullable, Text};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use rocket_user_account::{Account, AccountStore, PasswordHasher};

/// The host's argon2id cost: OWASP's m=47104 KiB (46 MiB), t=1, p=1 alternative. The crate's own
/// default (`user_account.argon2.*`) does not apply: the host's hasher decides.
pub const MEMORY_KIB: u32 = 47_104;
/// Iterations.
pub const ITERATIONS: u32 = 1;
/// Lanes.
pub const PARALLELISM: u32 = 1;

fn host_argon2() -> Result<Argon2<'static>, HashError> {
    let params = Params::new(MEMORY_KIB, ITERATIONS, PARALLELISM, None)?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// The host's password hashing, given to the crate so that a reset stores exactly what the
/// host's login verifies: an argon2id PHC string with the host's parameters and a fresh salt.
#[derive(Debug, Clone, Copy)]
pub struct HostHasher;

impl PasswordHasher for HostHasher {
    fn hash(&self, password: &str) -> Result<String, String> {
        let salt = SaltString::generate(&mut OsRng);
        host_argon2()
            .and_then(|argon2| argon2.hash_password(password.as_bytes(), &salt).map(|h| h.to_string()))
            .map_err(|e| format!("argon2id: {e}"))
    }

    /// What one hash takes, for the crate's memory bound (`argon2.max_concurrent` of these at once).
    fn memory_kib(&self) -> u64 {
        u64::from(MEMORY_KIB)
    }
}

/// Whether `password` matches the stored PHC string `stored` (what the login checks).
#[must_use]
pub fn verify_password(stored: &str, password: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(stored) else { return false };
    host_argon2().is_ok_and(|argon2| argon2.verify_password(password.as_bytes(), &parsed).is_ok())
}

/// A hash of nothing anyone knows, verified when the email is unknown so that a failed login
/// costs the same time whether or not the account exists.
#[must_use]
pub fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| HostHasher.hash("no account has this password").unwrap_or_default())
}

/// An account row as the store reads it.
#[derive(QueryableByName)]
pub struct AccountRow {
    /// The host's id.
    #[diesel(sql_type = BigInt)]
    pub account_id: i64,
    /// The login (and recovery) address, as it was signed up with.
    #[diesel(sql_type = Text)]
    pub login_email: String,
    /// The name used in mails.
    #[diesel(sql_type = Nullable<Text>)]
    pub full_name: Option<String>,
    /// The argon2id PHC string.
    #[diesel(sql_type = Text)]
    pub pw_hash: String,
    /// Whether the account is locked (no login, no recovery).
    #[diesel(sql_type = Bool)]
    pub locked: bool,
}

const ACCOUNT_COLUMNS: &str = "account_id, login_email, full_name, pw_hash, locked";

impl From<AccountRow> for Account {
    fn from(row: AccountRow) -> Account {
        let fingerprint = Account::fingerprint_of(Some(&row.login_email), Some(&row.pw_hash));
        let name = row.full_name.unwrap_or_default();
        Account::new(row.account_id.to_string(), Some(row.login_email), name, fingerprint)
            .recoverable(!row.locked)
    }
}

/// The account whose login email is `email`, compared as the login compares it: trimmed, then
/// lowercased by PostgreSQL (the same `lower()` the unique index is built on).
///
/// # Errors
/// Database errors only.
pub async fn by_email(conn: &mut AsyncPgConnection, email: &str) -> QueryResult<Option<AccountRow>> {
    diesel::sql_query(format!(
        "select {ACCOUNT_COLUMNS} from public.accounts where lower(login_email) = lower($1)"
    ))
    .bind::<Text, _>(email.trim())
    .get_result(conn)
    .await
    .optional()
}

/// The host's id as the crate sees it (a decimal string) back to a `bigint`: only the
/// canonical form, so every account has exactly one id string (`"7"`, not `"07"` or `"+7"`).
fn host_id(id: &str) -> Option<i64> {
    id.parse::<i64>().ok().filter(|n| n.to_string() == id)
}

/// The crate's view of the host's `accounts` and `host_sessions`. Every method runs on the
/// connection (and, where the crate changes something, in the transaction) the crate gives it.
#[derive(Debug, Clone, Copy)]
pub struct HostStore;

impl HostStore {
    async fn by_id(conn: &mut AsyncPgConnection, id: &str, lock: bool) -> QueryResult<Option<Account>> {
        let Some(id) = host_id(id) else { return Ok(None) };
        let row: Option<AccountRow> = diesel::sql_query(format!(
            "select {ACCOUNT_COLUMNS} from public.accounts where account_id = $1{}",
            if lock { " for update" } else { "" }
        ))
        .bind::<BigInt, _>(id)
        .get_result(conn)
        .await
        .optional()?;
        Ok(row.map(Account::from))
    }
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[rocket::async_trait]
impl AccountStore for HostStore {
    async fn find_by_id(&self, conn: &mut AsyncPgConnection, id: &str) -> QueryResult<Option<Account>> {
        HostStore::by_id(conn, id, false).await
    }

    async fn find_by_email(&self, conn: &mut AsyncPgConnection, email: &str) -> QueryResult<Option<Account>> {
        Ok(by_email(conn, email).await?.map(Account::from))
    }

    async fn lock(&self, conn: &mut AsyncPgConnection, id: &str) -> QueryResult<Option<Account>> {
        HostStore::by_id(conn, id, true).await
    }

    async fn set_password_hash(&self, conn: &mut AsyncPgConnection, id: &str, hash: &str) -> QueryResult<()> {
        let id = host_id(id).ok_or(diesel::result::Error::NotFound)?;
        let updated = diesel::sql_query("update public.accounts set pw_hash = $2 where account_id = $1")
            .bind::<BigInt, _>(id)
            .bind::<Text, _>(hash)
            .execute(conn)
            .await?;
        if updated == 1 {
            Ok(())
        } else {
            Err(diesel::result::Error::NotFound)
        }
    }

    async fn count_sessions(&self, conn: &mut AsyncPgConnection, id: &str) -> QueryResult<i64> {
        let Some(id) = host_id(id) else { return Ok(0) };
        let count: Count = diesel::sql_query(
            "select count(*) as n from public.host_sessions \
             where account_id = $1 and revoked_at is null and expires_at > now()",
        )
        .bind::<BigInt, _>(id)
        .get_result(conn)
        .await?;
        Ok(count.n)
    }

    async fn revoke_sessions(&self, conn: &mut AsyncPgConnection, id: &str) -> QueryResult<u64> {
        let Some(id) = host_id(id) else { return Ok(0) };
        let revoked = diesel::sql_query(
            "update public.host_sessions set revoked_at = now() \
             where account_id = $1 and revoked_at is null and expires_at > now()",
        )
        .bind::<BigInt, _>(id)
        .execute(conn)
        .await?;
        Ok(u64::try_from(revoked).unwrap_or_default())
    }

    // `avatar`: the trait's default (none); this host keeps no avatars.
}

#[cfg(test)]
mod tests {
    use super::host_id;

    #[test]
    fn only_canonical_decimal_ids_are_ids() {
        assert_eq!(host_id("7"), Some(7));
        for not_an_id in ["07", "+7", " 7", "7.0", "seven", "", "99999999999999999999"] {
            assert_eq!(host_id(not_an_id), None, "{not_an_id:?}");
        }
    }
}
