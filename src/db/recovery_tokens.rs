//! `recovery_tokens`: issue, inspect and atomically claim password-recovery tokens.
//!
//! A token is bound to the user's email and password hash as they were at issue (`binding`),
//! computed by the database itself, so a change by any path (this crate, the host's own pages,
//! plain SQL) kills it. All times are Postgres `now()`, so app-instance clocks do not matter.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Bool, Bytea, Double, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Serialize;
use uuid::Uuid;

use crate::token::TokenHash;

/// The digest a token is bound to, over the `users` row aliased `u`.
macro_rules! binding {
    () => {
        "sha256(convert_to(coalesce(u.email, '') || chr(31) || coalesce(u.password_hash, ''), 'UTF8'))"
    };
}

/// When a token (aliased `t`, its user `u`) can be redeemed: the one definition every query
/// shares, so they cannot drift apart.
const LIVE: &str = concat!(
    "t.used_at is null and t.superseded_at is null and t.revoked_at is null and t.expires_at > now() \
     and not u.disabled and t.binding = ",
    binding!()
);

/// Why a token is not valid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Reason {
    /// Unknown, malformed, or dead because its user was disabled or their email or password
    /// changed.
    Invalid,
    /// Past its lifetime.
    Expired,
    /// Already redeemed.
    Used,
    /// A newer token was issued for the same user.
    Superseded,
}

impl Reason {
    /// The reason as it appears in responses.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Invalid => "invalid",
            Reason::Expired => "expired",
            Reason::Used => "used",
            Reason::Superseded => "superseded",
        }
    }
}

/// A live token's user, as the change-password policy and the verify answer need it.
#[derive(Debug, Clone)]
pub struct LiveToken {
    /// The token's user.
    pub user_id: Uuid,
    /// When it expires.
    pub expires_at: DateTime<Utc>,
    /// The user's stored email.
    pub email: String,
    /// The user's name.
    pub display_name: String,
}

#[derive(QueryableByName)]
struct Row {
    #[diesel(sql_type = SqlUuid)]
    user_id: Uuid,
    #[diesel(sql_type = Timestamptz)]
    expires_at: DateTime<Utc>,
    #[diesel(sql_type = Bool)]
    used: bool,
    #[diesel(sql_type = Bool)]
    superseded: bool,
    #[diesel(sql_type = Bool)]
    expired: bool,
    #[diesel(sql_type = Bool)]
    revoked: bool,
    #[diesel(sql_type = Nullable<Text>)]
    email: Option<String>,
    #[diesel(sql_type = Text)]
    display_name: String,
}

#[derive(QueryableByName)]
struct Issued {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
    #[diesel(sql_type = Timestamptz)]
    expires_at: DateTime<Utc>,
}

#[derive(QueryableByName)]
struct Claimed {
    #[diesel(sql_type = SqlUuid)]
    user_id: Uuid,
}

/// Issues a token for `user_id` (whose row the caller holds `FOR UPDATE` in its transaction):
/// supersedes the user's live tokens and inserts the new digest, expiring `ttl_secs` from now.
/// Returns the token row's id and expiry.
///
/// # Errors
/// Database errors only.
pub async fn issue(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    hash: &TokenHash,
    requested_by: Option<Uuid>,
    ttl_secs: u64,
) -> QueryResult<(Uuid, DateTime<Utc>)> {
    supersede_live(conn, user_id).await?;
    #[allow(clippy::cast_precision_loss)] // at most 86400
    let ttl = ttl_secs as f64;
    let issued: Issued = diesel::sql_query(format!(
        "insert into recovery_tokens (user_id, token_hash, binding, requested_by, expires_at) \
         select u.id, $2, {binding}, $3, now() + make_interval(secs => $4) from users u where u.id = $1 \
         returning id, expires_at",
        binding = binding!()
    ))
    .bind::<SqlUuid, _>(user_id)
    .bind::<Bytea, _>(&hash.0[..])
    .bind::<Nullable<SqlUuid>, _>(requested_by)
    .bind::<Double, _>(ttl)
    .get_result(conn)
    .await?;
    Ok((issued.id, issued.expires_at))
}

/// Marks every live token of `user_id` superseded; returns how many.
///
/// # Errors
/// Database errors only.
pub async fn supersede_live(conn: &mut AsyncPgConnection, user_id: Uuid) -> QueryResult<usize> {
    use super::schema::recovery_tokens::dsl as t;
    diesel::update(
        t::recovery_tokens
            .filter(t::user_id.eq(user_id))
            .filter(t::used_at.is_null())
            .filter(t::superseded_at.is_null()),
    )
    .set(t::superseded_at.eq(diesel::dsl::now))
    .execute(conn)
    .await
}

/// What the token whose digest is `hash` is now: live, or why not. Reads only. One indexed
/// equality lookup on the digest.
///
/// # Errors
/// Database errors only.
pub async fn inspect(
    conn: &mut AsyncPgConnection,
    hash: &TokenHash,
) -> QueryResult<Result<LiveToken, Reason>> {
    let row: Option<Row> = diesel::sql_query(format!(
        "select t.user_id, t.expires_at, t.used_at is not null as used, \
                t.superseded_at is not null as superseded, t.expires_at <= now() as expired, \
                (t.revoked_at is not null or u.disabled or t.binding <> {binding}) as revoked, \
                u.email, u.display_name \
         from recovery_tokens t join users u on u.id = t.user_id where t.token_hash = $1",
        binding = binding!()
    ))
    .bind::<Bytea, _>(&hash.0[..])
    .get_result(conn)
    .await
    .optional()?;
    Ok(match row {
        None => Err(Reason::Invalid),
        Some(r) if r.used => Err(Reason::Used),
        Some(r) if r.superseded => Err(Reason::Superseded),
        Some(r) if r.expired => Err(Reason::Expired),
        Some(Row { revoked: true, .. } | Row { email: None, .. }) => Err(Reason::Invalid),
        Some(Row { user_id, expires_at, email: Some(email), display_name, .. }) => {
            Ok(LiveToken { user_id, expires_at, email, display_name })
        }
    })
}

/// Redeems the token: marks it used only if it is live (`LIVE`), in one statement that returns the
/// user. The caller locks the user's row first (as issuing does), so the binding is checked
/// against a row nobody else is changing and the two paths take their locks in one order. Under concurrent
/// redemptions (on one instance or several) Postgres lets exactly one of them match; the
/// others re-check the row after the winner commits and find it used.
///
/// # Errors
/// Database errors only; a token that cannot be claimed is `Ok(None)`.
pub async fn claim(conn: &mut AsyncPgConnection, hash: &TokenHash) -> QueryResult<Option<Uuid>> {
    let claimed: Option<Claimed> = diesel::sql_query(format!(
        "update recovery_tokens t set used_at = now() from users u \
         where t.token_hash = $1 and u.id = t.user_id and {LIVE} returning t.user_id"
    ))
    .bind::<Bytea, _>(&hash.0[..])
    .get_result(conn)
    .await
    .optional()?;
    Ok(claimed.map(|c| c.user_id))
}

/// Whether token `id` is still live (the worker drops mails whose token is not).
///
/// # Errors
/// Database errors only.
pub async fn is_live(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<bool> {
    #[derive(QueryableByName)]
    struct Live {
        #[diesel(sql_type = Bool)]
        live: bool,
    }
    let live: Option<Live> = diesel::sql_query(format!(
        "select ({LIVE}) as live from recovery_tokens t join users u on u.id = t.user_id where t.id = $1"
    ))
    .bind::<SqlUuid, _>(id)
    .get_result(conn)
    .await
    .optional()?;
    Ok(live.is_some_and(|l| l.live))
}
