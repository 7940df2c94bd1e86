//! Rows the tests arrange directly in the database.

use chrono::{Duration, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use rocket_user_account::db::schema::{sessions, users};
use rocket_user_account::db::sessions::NewSession;
use rocket_user_account::db::users::{NewUser, StoredAvatar};
use rocket_user_account::token::PlainToken;
use uuid::Uuid;

/// A 1x1 PNG.
pub const PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00,
    0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4, 0x89, 0x00,
    0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0x60, 0x00, 0x02, 0x00, 0x00, 0x05, 0x00,
    0x01, 0xe9, 0xfa, 0xdc, 0xd8, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];

/// Inserts a user and returns its id.
pub async fn user(conn: &mut AsyncPgConnection, email: &str) -> Uuid {
    NewUser::new(Some(email), "Test User", None).insert(conn).await.expect("insert user")
}

/// Inserts a session for `user_id` with `scopes`, expiring in an hour; returns its token.
pub async fn session(conn: &mut AsyncPgConnection, user_id: Uuid, scopes: &[&str]) -> PlainToken {
    let token = PlainToken::generate();
    let scopes = scopes.iter().map(|s| (*s).to_owned()).collect();
    NewSession::new(user_id, token.hash(), scopes, Utc::now() + Duration::hours(1))
        .insert(conn)
        .await
        .expect("insert session");
    token
}

/// Moves a session's expiry into the past.
pub async fn expire_session(conn: &mut AsyncPgConnection, token: &PlainToken) {
    diesel::update(sessions::table.filter(sessions::token_hash.eq(&token.hash().0[..])))
        .set(sessions::expires_at.eq(Utc::now() - Duration::seconds(1)))
        .execute(conn)
        .await
        .expect("expire session");
}

/// Revokes a session.
pub async fn revoke_session(conn: &mut AsyncPgConnection, token: &PlainToken) {
    diesel::update(sessions::table.filter(sessions::token_hash.eq(&token.hash().0[..])))
        .set(sessions::revoked_at.eq(Some(Utc::now())))
        .execute(conn)
        .await
        .expect("revoke session");
}

/// Disables a user.
pub async fn disable_user(conn: &mut AsyncPgConnection, id: Uuid) {
    diesel::update(users::table.find(id)).set(users::disabled.eq(true)).execute(conn).await.expect("disable");
}

/// Stores PNG bytes as the user's avatar.
pub async fn png_avatar(conn: &mut AsyncPgConnection, id: Uuid) {
    assert!(StoredAvatar::set_bytes(conn, id, PNG, "image/png").await.expect("store avatar"));
}

/// Stores an avatar URL.
pub async fn url_avatar(conn: &mut AsyncPgConnection, id: Uuid, url: &str) {
    assert!(StoredAvatar::set_url(conn, id, url).await.expect("store avatar url"));
}
