//! `recovery_tokens`: issue, inspect and atomically claim password-recovery tokens.
//!
//! A token is bound to its account's fingerprint as it was at issue (`binding`), and a token
//! is live only while the account's fingerprint is still that (the caller compares it; for
//! the default store one statement does, see [`inspect_default`]). All times are Postgres
//! `now()`, so app-instance clocks do not matter.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Bool, Bytea, Double, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Serialize;
use uuid::Uuid;

use super::Schema;
use crate::token::TokenHash;

/// When a token (aliased `t`) has not ended by itself: unused, not superseded, not revoked,
/// not expired. Every query shares this one definition.
const UNSPENT: &str = "t.used_at is null and t.superseded_at is null and t.revoked_at is null \
                       and t.expires_at > now()";

/// When a token (aliased `t`) is still in the one-live-per-user index
/// (`recovery_tokens_one_live_per_user`): unused, not superseded, not revoked, expired or not.
/// Ending a user's tokens must end these, or the next one issued collides with an expired one.
const UNENDED: &str = "t.used_at is null and t.superseded_at is null and t.revoked_at is null";

/// Why a token is not valid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Reason {
    /// Unknown, malformed, or dead because its account was disabled or its email or
    /// credentials changed.
    Invalid,
    /// Past its lifetime.
    Expired,
    /// Already redeemed.
    Used,
    /// A newer token was issued for the same account.
    Superseded,
}

/// A token as stored, with what it is now.
#[derive(Debug, Clone, QueryableByName)]
pub struct StoredToken {
    /// The account's id.
    #[diesel(sql_type = Text)]
    pub user_id: String,
    /// The account's fingerprint at issue.
    #[diesel(sql_type = Bytea)]
    pub binding: Vec<u8>,
    /// When it expires.
    #[diesel(sql_type = Timestamptz)]
    pub expires_at: DateTime<Utc>,
    #[diesel(sql_type = Bool)]
    used: bool,
    #[diesel(sql_type = Bool)]
    superseded: bool,
    #[diesel(sql_type = Bool)]
    expired: bool,
    #[diesel(sql_type = Bool)]
    revoked: bool,
}

impl StoredToken {
    /// Why the token has ended by itself, if it has (the account is not consulted).
    #[must_use]
    pub fn ended(&self) -> Option<Reason> {
        if self.used {
            Some(Reason::Used)
        } else if self.superseded {
            Some(Reason::Superseded)
        } else if self.expired {
            Some(Reason::Expired)
        } else if self.revoked {
            Some(Reason::Invalid)
        } else {
            None
        }
    }
}

const STORED_COLUMNS: &str = "t.user_id, t.binding, t.expires_at, t.used_at is not null as used, \
     t.superseded_at is not null as superseded, t.expires_at <= now() as expired, \
     t.revoked_at is not null as revoked";

/// The token whose digest is `hash`. One indexed equality lookup on the digest.
///
/// # Errors
/// Database errors only.
pub async fn find(
    conn: &mut AsyncPgConnection,
    s: &Schema,
    hash: &TokenHash,
) -> QueryResult<Option<StoredToken>> {
    diesel::sql_query(format!("select {STORED_COLUMNS} from {s}.recovery_tokens t where t.token_hash = $1"))
        .bind::<Bytea, _>(&hash.0[..])
        .get_result(conn)
        .await
        .optional()
}

/// The token with row id `id`.
///
/// # Errors
/// Database errors only.
pub async fn find_by_id(
    conn: &mut AsyncPgConnection,
    s: &Schema,
    id: Uuid,
) -> QueryResult<Option<StoredToken>> {
    diesel::sql_query(format!("select {STORED_COLUMNS} from {s}.recovery_tokens t where t.id = $1"))
        .bind::<SqlUuid, _>(id)
        .get_result(conn)
        .await
        .optional()
}

/// A live token's account, as the verify answer and the password policy need it.
#[derive(Debug, Clone)]
pub struct LiveToken {
    /// The account's id.
    pub user_id: String,
    /// When the token expires.
    pub expires_at: DateTime<Utc>,
    /// The account's stored email.
    pub email: String,
    /// The account's name.
    pub display_name: String,
}

/// For the default store only: what the token whose digest is `hash` is now, in one
/// statement that joins the crate's own `users` and computes their fingerprint the way
/// [`crate::accounts::Account::fingerprint_of`] does.
///
/// # Errors
/// Database errors only.
pub async fn inspect_default(
    conn: &mut AsyncPgConnection,
    s: &Schema,
    hash: &TokenHash,
) -> QueryResult<Result<LiveToken, Reason>> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(embed)]
        token: StoredToken,
        #[diesel(sql_type = Bool)]
        rebound: bool,
        #[diesel(sql_type = Nullable<Text>)]
        email: Option<String>,
        #[diesel(sql_type = Nullable<Text>)]
        display_name: Option<String>,
    }
    let row: Option<Row> = diesel::sql_query(format!(
        "select {STORED_COLUMNS}, \
                (u.id is null or u.disabled or t.binding <> sha256(convert_to(coalesce(u.email, '') \
                  || chr(31) || coalesce(u.password_hash, ''), 'UTF8'))) as rebound, \
                u.email, u.display_name \
         from {s}.recovery_tokens t left join {s}.users u on u.id = t.user_id::uuid \
         where t.token_hash = $1"
    ))
    .bind::<Bytea, _>(&hash.0[..])
    .get_result(conn)
    .await
    .optional()?;
    Ok(match row {
        None => Err(Reason::Invalid),
        Some(r) => match (r.token.ended(), r.rebound, r.email) {
            (Some(reason), _, _) => Err(reason),
            (None, false, Some(email)) => Ok(LiveToken {
                user_id: r.token.user_id,
                expires_at: r.token.expires_at,
                email,
                display_name: r.display_name.unwrap_or_default(),
            }),
            _ => Err(Reason::Invalid),
        },
    })
}

/// Issues a token for account `user_id` (which the caller holds locked in its transaction),
/// bound to `binding`: supersedes the account's unended tokens and inserts the new digest,
/// expiring `ttl_secs` from now, in one statement. Returns the row's id and expiry.
///
/// # Errors
/// Database errors only.
pub async fn issue(
    conn: &mut AsyncPgConnection,
    s: &Schema,
    user_id: &str,
    binding: &[u8],
    hash: &TokenHash,
    requested_by: Option<&str>,
    ttl_secs: u64,
) -> QueryResult<(Uuid, DateTime<Utc>)> {
    #[derive(QueryableByName)]
    struct Issued {
        #[diesel(sql_type = SqlUuid)]
        id: Uuid,
        #[diesel(sql_type = Timestamptz)]
        expires_at: DateTime<Utc>,
    }
    #[allow(clippy::cast_precision_loss)] // at most 86400
    let ttl = ttl_secs as f64;
    // The insert reads the count of superseded rows, so the update has run to the end before
    // the new row meets the one-live-per-user index (whose old entries are then rows this
    // transaction has itself updated, which do not conflict).
    let issued: Issued = diesel::sql_query(format!(
        "with ended as (update {s}.recovery_tokens t set superseded_at = now() \
                        where t.user_id = $1 and {UNENDED} returning 1) \
         insert into {s}.recovery_tokens (user_id, token_hash, binding, requested_by, expires_at) \
         select $1, $2, $3, $4, now() + make_interval(secs => $5) from (select count(*) from ended) e \
         returning id, expires_at"
    ))
    .bind::<Text, _>(user_id)
    .bind::<Bytea, _>(&hash.0[..])
    .bind::<Bytea, _>(binding)
    .bind::<Nullable<Text>, _>(requested_by)
    .bind::<Double, _>(ttl)
    .get_result(conn)
    .await?;
    Ok((issued.id, issued.expires_at))
}

/// Revokes every token of `user_id` not ended yet, expired ones included (after a password
/// change); returns how many.
///
/// # Errors
/// Database errors only.
pub async fn revoke_live(conn: &mut AsyncPgConnection, s: &Schema, user_id: &str) -> QueryResult<usize> {
    diesel::sql_query(format!(
        "update {s}.recovery_tokens t set revoked_at = now() where t.user_id = $1 and {UNENDED}"
    ))
    .bind::<Text, _>(user_id)
    .execute(conn)
    .await
}

/// Redeems the token: marks it used only if it has not ended and belongs to `user_id`, in one
/// statement. The caller has locked the account and compared its fingerprint first, so the
/// two paths (issue and redeem) take their locks in one order. Under concurrent redemptions
/// (on one instance or several) Postgres lets exactly one of them match; the others re-check
/// the row after the winner commits and find it used.
///
/// # Errors
/// Database errors only; whether the claim succeeded is the answer.
pub async fn claim(
    conn: &mut AsyncPgConnection,
    s: &Schema,
    hash: &TokenHash,
    user_id: &str,
) -> QueryResult<bool> {
    diesel::sql_query(format!(
        "update {s}.recovery_tokens t set used_at = now() where t.token_hash = $1 and t.user_id = $2 and {UNSPENT}"
    ))
    .bind::<Bytea, _>(&hash.0[..])
    .bind::<Text, _>(user_id)
    .execute(conn)
    .await
    .map(|n| n == 1)
}
