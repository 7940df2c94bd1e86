//! `sessions`: the host's bearer sessions, stored as token digests.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::schema::{sessions, users};
use crate::token::TokenHash;

/// A session to insert. No `Debug`: it holds the token's digest.
#[derive(Insertable)]
#[diesel(table_name = sessions)]
pub struct NewSession {
    user_id: Uuid,
    token_hash: Vec<u8>,
    scopes: Vec<String>,
    expires_at: DateTime<Utc>,
}

/// The owner and scopes of a live session.
#[derive(Debug, Clone, Queryable)]
pub struct LiveSession {
    /// The session's user.
    pub user_id: Uuid,
    /// What it may do.
    pub scopes: Vec<String>,
}

impl NewSession {
    /// A session for `user_id` whose token digests to `hash`.
    #[must_use]
    pub fn new(user_id: Uuid, hash: TokenHash, scopes: Vec<String>, expires_at: DateTime<Utc>) -> Self {
        NewSession { user_id, token_hash: hash.0.to_vec(), scopes, expires_at }
    }

    /// Inserts the session and returns its id.
    ///
    /// # Errors
    /// Database errors only.
    pub async fn insert(&self, conn: &mut AsyncPgConnection) -> QueryResult<Uuid> {
        diesel::insert_into(sessions::table).values(self).returning(sessions::id).get_result(conn).await
    }
}

/// How many unexpired, unrevoked sessions `user_id` has.
///
/// # Errors
/// Database errors only.
pub async fn count_live(conn: &mut AsyncPgConnection, user_id: Uuid) -> QueryResult<i64> {
    live_of(user_id).count().get_result(conn).await
}

/// Revokes every live session of `user_id`; returns how many.
///
/// # Errors
/// Database errors only.
pub async fn revoke_all(conn: &mut AsyncPgConnection, user_id: Uuid) -> QueryResult<usize> {
    diesel::update(live_of(user_id)).set(sessions::revoked_at.eq(super::now_nullable())).execute(conn).await
}

/// The live sessions of one user, as a query.
type LiveOf = diesel::dsl::Filter<
    diesel::dsl::Filter<
        diesel::dsl::Filter<sessions::table, diesel::dsl::Eq<sessions::user_id, Uuid>>,
        diesel::dsl::IsNull<sessions::revoked_at>,
    >,
    diesel::dsl::Gt<sessions::expires_at, diesel::dsl::now>,
>;

fn live_of(user_id: Uuid) -> LiveOf {
    sessions::table
        .filter(sessions::user_id.eq(user_id))
        .filter(sessions::revoked_at.is_null())
        .filter(sessions::expires_at.gt(diesel::dsl::now))
}

impl LiveSession {
    /// The session whose token digests to `hash`, if it is unexpired, unrevoked and its user
    /// is not disabled. One indexed equality lookup on the digest.
    ///
    /// # Errors
    /// Database errors only; no such session is `Ok(None)`.
    pub async fn find(conn: &mut AsyncPgConnection, hash: &TokenHash) -> QueryResult<Option<LiveSession>> {
        sessions::table
            .inner_join(users::table)
            .filter(sessions::token_hash.eq(&hash.0[..]))
            .filter(sessions::revoked_at.is_null())
            .filter(sessions::expires_at.gt(diesel::dsl::now))
            .filter(users::disabled.eq(false))
            .select((sessions::user_id, sessions::scopes))
            .first(conn)
            .await
            .optional()
    }
}
