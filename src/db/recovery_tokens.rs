//! `recovery_tokens`: issue, inspect and atomically claim password-recovery tokens.
//!
//! A token is bound to its account's fingerprint as it was at issue (`binding`). Whether a
//! token is live is not decided here but in [`crate::liveness`], for every store alike; these
//! queries only read and write the rows. All times are Postgres `now()`, so app-instance
//! clocks do not matter.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use diesel::sql_types::{Array, Bool, Bytea, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::AsyncPgConnection;

use super::sql::Run as _;
use uuid::Uuid;

use super::Prepare as _;
use crate::config::Schema;
use crate::error::Reason;
use crate::token::TokenHash;

/// When a token (aliased `t`) has not ended by itself: unused, not superseded, not revoked
/// (a cancelled token is revoked too), not expired. Every query shares this one definition.
const UNSPENT: &str = "t.used_at is null and t.superseded_at is null and t.revoked_at is null \
                       and t.expires_at > now()";

/// When a token (aliased `t`) is still in the one-live-per-user index
/// (`recovery_tokens_one_live_per_user`): unused, not superseded, not revoked, expired or not.
/// Ending a user's tokens must end these, or the next one issued collides with an expired one.
pub(super) const UNENDED: &str = "t.used_at is null and t.superseded_at is null and t.revoked_at is null";

/// A token as stored, with what it is now.
#[derive(Debug, Clone, QueryableByName)]
pub struct StoredToken {
    /// The token's row id (a recovery's `recovery_id`).
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
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
    #[diesel(sql_type = Bool)]
    cancelled: bool,
}

impl StoredToken {
    /// Why the token has ended by itself, if it has (the account is not consulted).
    #[must_use]
    pub fn ended(&self) -> Option<Reason> {
        if self.used {
            Some(Reason::Used)
        } else if self.superseded {
            Some(Reason::Superseded)
        } else if self.cancelled {
            Some(Reason::Cancelled)
        } else if self.expired {
            Some(Reason::Expired)
        } else if self.revoked {
            Some(Reason::Invalid)
        } else {
            None
        }
    }
}

#[cfg(test)]
impl StoredToken {
    /// A live token of account `user_id` bound to `binding`.
    pub(crate) fn for_tests(user_id: &str, binding: Vec<u8>) -> StoredToken {
        StoredToken {
            id: Uuid::nil(),
            user_id: user_id.to_owned(),
            binding,
            expires_at: Utc::now(),
            used: false,
            superseded: false,
            expired: false,
            revoked: false,
            cancelled: false,
        }
    }

    /// Ends the token the way `reason` says.
    pub(crate) fn mark_for_tests(&mut self, reason: Reason) {
        match reason {
            Reason::Used => self.used = true,
            Reason::Superseded => self.superseded = true,
            Reason::Cancelled => (self.cancelled, self.revoked) = (true, true),
            Reason::Expired => self.expired = true,
            Reason::Invalid => self.revoked = true,
        }
    }
}

/// The columns of [`StoredToken`], from a token aliased `t`.
pub(crate) const STORED_COLUMNS: &str =
    "t.id, t.user_id, t.binding, t.expires_at, t.used_at is not null as used, \
     t.superseded_at is not null as superseded, t.expires_at <= now() as expired, \
     t.revoked_at is not null as revoked, t.cancelled_at is not null as cancelled";

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
        .cached()
        .get_result_on(conn, s)
        .await
        .optional()
}

/// A token to issue.
pub struct NewToken<'a> {
    /// The account's id (the caller holds it locked in its transaction).
    pub user_id: &'a str,
    /// The account's fingerprint now.
    pub binding: &'a [u8],
    /// The token's digest.
    pub hash: &'a TokenHash,
    /// The admin's account id, if they have one.
    pub requested_by: Option<&'a str>,
    /// The admin as the authenticator named them.
    pub requested_by_subject: &'a str,
    /// Digests of the request's `Idempotency-Key` and of the request, if it had a key.
    pub idempotency: Option<([u8; 32], [u8; 32])>,
    /// Lifetime in seconds.
    pub ttl_secs: u64,
}

/// A token as its statement issued it.
#[derive(QueryableByName)]
pub(super) struct Issued {
    /// Its id.
    #[diesel(sql_type = SqlUuid)]
    pub(super) id: Uuid,
    /// When it expires.
    #[diesel(sql_type = Timestamptz)]
    pub(super) expires_at: DateTime<Utc>,
}

/// A token's lifetime as the `make_interval(secs => ..)` of the statements that issue it.
#[allow(clippy::cast_precision_loss)] // at most 86400: exact
pub(super) fn ttl_seconds(ttl_secs: u64) -> f64 {
    ttl_secs as f64
}

/// Issues `new`: supersedes the account's unended tokens and inserts the new digest, expiring
/// `ttl_secs` from now, in one statement. Returns the row's id and expiry. A recovery issues
/// its token together with its mail (`NewOutboxMail::insert_with_token`); this alone is for the
/// benchmark's seeding of tokens without mails.
///
/// # Errors
/// Database errors only.
#[cfg(feature = "bench")]
pub async fn issue(
    conn: &mut AsyncPgConnection,
    s: &Schema,
    new: &NewToken<'_>,
) -> QueryResult<(Uuid, DateTime<Utc>)> {
    let ttl = ttl_seconds(new.ttl_secs);
    let (key, request) = new.idempotency.map_or((None, None), |(k, r)| (Some(k.to_vec()), Some(r.to_vec())));
    // The insert reads the count of superseded rows, so the update has run to the end before
    // the new row meets the one-live-per-user index (whose old entries are then rows this
    // transaction has itself updated, which do not conflict).
    let issued: Issued = diesel::sql_query(format!(
        "with ended as (update {s}.recovery_tokens t set superseded_at = now() \
                        where t.user_id = $1 and {UNENDED} returning 1) \
         insert into {s}.recovery_tokens (user_id, token_hash, binding, requested_by, expires_at, \
                                          requested_by_subject, idempotency_key_hash, request_hash) \
         select $1, $2, $3, $4, now() + make_interval(secs => $5), $6, $7, $8 \
         from (select count(*) from ended) e \
         returning id, expires_at"
    ))
    .bind::<Text, _>(new.user_id)
    .bind::<Bytea, _>(&new.hash.0[..])
    .bind::<Bytea, _>(new.binding)
    .bind::<Nullable<Text>, _>(new.requested_by)
    .bind::<diesel::sql_types::Double, _>(ttl)
    .bind::<Text, _>(new.requested_by_subject)
    .bind::<Nullable<Bytea>, _>(key)
    .bind::<Nullable<Bytea>, _>(request)
    .cached()
    .get_result_on(conn, s)
    .await?;
    Ok((issued.id, issued.expires_at))
}

/// The token an earlier request with this idempotency key issued.
#[derive(Debug, Clone, QueryableByName)]
pub struct KeyedToken {
    /// The token as stored (its id is the request's `recovery_id`).
    #[diesel(embed)]
    pub token: StoredToken,
    /// Digest of the request that came with the key.
    #[diesel(sql_type = Bytea)]
    pub request_hash: Vec<u8>,
    /// The expiry the first answer gave: its issue time plus the token's lifetime (the link's
    /// lifetime itself starts when its mail is accepted, so `expires_at` moves then).
    #[diesel(sql_type = Timestamptz)]
    pub answered_expires_at: DateTime<Utc>,
}

/// The token that `subject` asked for with the key whose digest is `key`, if any (whether it is
/// still live is the caller's question: the key replays only while it is, see [`release_key`]).
/// First the caller's transaction takes an advisory lock on (subject, key), so that two
/// requests with one key take turns.
///
/// # Errors
/// Database errors only.
pub async fn keyed(
    conn: &mut AsyncPgConnection,
    s: &Schema,
    subject: &str,
    key: &[u8; 32],
) -> QueryResult<Option<KeyedToken>> {
    let [a, b, c, d, e, f, g, h, ..] = *key;
    let lock = i64::from_be_bytes([a, b, c, d, e, f, g, h]);
    diesel::sql_query("select pg_advisory_xact_lock(hashtextextended($1, $2))")
        .bind::<Text, _>(subject)
        .bind::<diesel::sql_types::BigInt, _>(lock)
        .cached()
        .execute_on(conn, s)
        .await?;
    diesel::sql_query(format!(
        "select {STORED_COLUMNS}, t.request_hash, \
                t.created_at + (t.expires_at - coalesce(t.mailed_at, t.created_at)) as answered_expires_at \
         from {s}.recovery_tokens t \
         where t.requested_by_subject = $1 and t.idempotency_key_hash = $2"
    ))
    .bind::<Text, _>(subject)
    .bind::<Bytea, _>(&key[..])
    .cached()
    .get_result_on(conn, s)
    .await
    .optional()
}

/// Releases the idempotency key of the token `id` (its digests are cleared), once that token is
/// no longer live: the key then starts a new recovery.
///
/// # Errors
/// Database errors only.
pub async fn release_key(conn: &mut AsyncPgConnection, s: &Schema, id: Uuid) -> QueryResult<()> {
    diesel::sql_query(format!(
        "update {s}.recovery_tokens set idempotency_key_hash = null, request_hash = null where id = $1"
    ))
    .bind::<SqlUuid, _>(id)
    .cached()
    .execute_on(conn, s)
    .await
    .map(|_| ())
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
    .cached()
    .execute_on(conn, s)
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
    .cached().execute_on(conn, s)
    .await
    .map(|n| n == 1)
}

/// Cancels the live token whose digest is `hash` (the user's "this wasn't me"): marks it
/// cancelled and revoked, in one statement that a concurrent redemption cannot interleave
/// with. Returns the token's id and account, or `None` when no live token has that digest.
///
/// # Errors
/// Database errors only.
pub async fn cancel(
    conn: &mut AsyncPgConnection,
    s: &Schema,
    hash: &TokenHash,
) -> QueryResult<Option<(Uuid, String)>> {
    #[derive(QueryableByName)]
    struct Cancelled {
        #[diesel(sql_type = SqlUuid)]
        id: Uuid,
        #[diesel(sql_type = Text)]
        user_id: String,
    }
    let row: Option<Cancelled> = diesel::sql_query(format!(
        "update {s}.recovery_tokens t set cancelled_at = now(), revoked_at = now() \
         where t.token_hash = $1 and {UNSPENT} returning t.id, t.user_id"
    ))
    .bind::<Bytea, _>(&hash.0[..])
    .cached()
    .get_result_on(conn, s)
    .await
    .optional()?;
    Ok(row.map(|r| (r.id, r.user_id)))
}

/// Revokes the live token with row id `id` (an admin withdrew it). Returns its account, or
/// `None` when no live token has that id.
///
/// # Errors
/// Database errors only.
pub async fn revoke(conn: &mut AsyncPgConnection, s: &Schema, id: Uuid) -> QueryResult<Option<String>> {
    #[derive(QueryableByName)]
    struct Revoked {
        #[diesel(sql_type = Text)]
        user_id: String,
    }
    let row: Option<Revoked> = diesel::sql_query(format!(
        "update {s}.recovery_tokens t set revoked_at = now() where t.id = $1 and {UNSPENT} returning t.user_id"
    ))
    .bind::<SqlUuid, _>(id)
    .cached().get_result_on(conn, s)
    .await
    .optional()?;
    Ok(row.map(|r| r.user_id))
}

/// A token with where it stands and where its mail stands, for an admin. No digest.
#[derive(Debug, Clone, QueryableByName)]
pub struct TokenRecord {
    /// The token as stored (its id, account, expiry and how it ended).
    #[diesel(embed)]
    pub token: StoredToken,
    /// Who asked: the admin's subject (or account id, for tokens issued before subjects were kept).
    #[diesel(sql_type = Nullable<Text>)]
    pub requested_by: Option<String>,
    /// When it was issued.
    #[diesel(sql_type = Timestamptz)]
    pub created_at: DateTime<Utc>,
    /// The mail's outbox status (`queued`, `sent`, `dropped`, `abandoned`), if it has one.
    #[diesel(sql_type = Nullable<Text>)]
    pub mail_status: Option<String>,
    /// Delivery attempts so far.
    #[diesel(sql_type = Nullable<diesel::sql_types::Integer>)]
    pub attempts: Option<i32>,
    /// When the transport accepted the mail.
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub sent_at: Option<DateTime<Utc>>,
    /// The class of the last failed attempt's error.
    #[diesel(sql_type = Nullable<Text>)]
    pub last_error_class: Option<String>,
}

/// Tokens `t` with their latest mail `m`: the columns of [`TokenRecord`] and the tables they
/// come from; a `where` follows.
fn record_sql(s: &Schema) -> String {
    format!(
        "select {STORED_COLUMNS}, coalesce(t.requested_by_subject, t.requested_by) as requested_by, \
                t.created_at, m.status as mail_status, m.attempts, m.sent_at, m.last_error_class \
         from {s}.recovery_tokens t left join lateral \
           (select * from {s}.mail_outbox o where o.token_id = t.id order by o.created_at desc limit 1) m on true"
    )
}

/// The token with row id `id`, as an admin sees it.
///
/// # Errors
/// Database errors only.
pub async fn record(conn: &mut AsyncPgConnection, s: &Schema, id: Uuid) -> QueryResult<Option<TokenRecord>> {
    diesel::sql_query(format!("{} where t.id = $1", record_sql(s)))
        .bind::<SqlUuid, _>(id)
        .cached()
        .get_result_on(conn, s)
        .await
        .optional()
}

/// The live tokens of `user_id` (at most one, by the one-live-per-user index), as an admin sees them.
///
/// # Errors
/// Database errors only.
pub async fn live_records(
    conn: &mut AsyncPgConnection,
    s: &Schema,
    user_id: &str,
) -> QueryResult<Vec<TokenRecord>> {
    diesel::sql_query(format!("{} where t.user_id = $1 and {UNSPENT} order by t.created_at", record_sql(s)))
        .bind::<Text, _>(user_id)
        .cached()
        .load_on(conn, s)
        .await
}

/// The tokens with row ids `ids`, in one statement.
///
/// # Errors
/// Database errors only.
pub async fn find_by_ids(
    conn: &mut AsyncPgConnection,
    s: &Schema,
    ids: &[Uuid],
) -> QueryResult<Vec<StoredToken>> {
    diesel::sql_query(format!("select {STORED_COLUMNS} from {s}.recovery_tokens t where t.id = any($1)"))
        .bind::<Array<SqlUuid>, _>(ids)
        .cached()
        .load_on(conn, s)
        .await
}

/// Ends for good the tokens `ids` that were found unbound (their account is gone, no longer
/// recoverable, or its fingerprint is not the one they were bound to): they are revoked, so no
/// later change of the account brings them back. Tokens already ended are left as they are.
/// Returns how many were revoked.
///
/// # Errors
/// Database errors only.
pub async fn revoke_unbound(conn: &mut AsyncPgConnection, s: &Schema, ids: &[Uuid]) -> QueryResult<usize> {
    if ids.is_empty() {
        return Ok(0);
    }
    diesel::sql_query(format!(
        "update {s}.recovery_tokens t set revoked_at = now() where t.id = any($1) and {UNENDED}"
    ))
    .bind::<Array<SqlUuid>, _>(ids)
    .cached()
    .execute_on(conn, s)
    .await
}

/// Deletes the tokens a week past their expiry, used or not (their mails go with them, by the
/// foreign key's cascade); returns how many tokens.
///
/// # Errors
/// Database errors only.
pub(crate) async fn purge(conn: &mut AsyncPgConnection, s: &Schema) -> QueryResult<usize> {
    diesel::sql_query(format!("delete from {s}.recovery_tokens where expires_at < now() - interval '7 days'"))
        .execute_on(conn, s)
        .await
}
