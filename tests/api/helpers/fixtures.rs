//! Rows the tests arrange directly in the database.

use chrono::{Duration, Utc};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use rocket_user_account::internals::DefaultStore;
use rocket_user_account::internals::PlainToken;
use rocket_user_account::internals::Schema;
use rocket_user_account::Avatar;
use uuid::Uuid;

/// A 1x1 PNG.
pub const PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00,
    0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4, 0x89, 0x00,
    0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0x60, 0x00, 0x02, 0x00, 0x00, 0x05, 0x00,
    0x01, 0xe9, 0xfa, 0xdc, 0xd8, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];

/// The default store over the tests' schema.
pub fn store() -> DefaultStore {
    DefaultStore::new(Schema::new(Schema::DEFAULT).expect("the default schema"))
}

/// Inserts a user and returns its id.
pub async fn user(conn: &mut AsyncPgConnection, email: &str) -> Uuid {
    store().create_user(conn, (Some(email), "Test User", None), None).await.expect("insert user")
}

/// Inserts a session for `user_id` with `scopes`, expiring in an hour; returns its token.
pub async fn session(conn: &mut AsyncPgConnection, user_id: Uuid, scopes: &[&str]) -> PlainToken {
    let token = PlainToken::generate();
    let scopes: Vec<String> = scopes.iter().map(|s| (*s).to_owned()).collect();
    store()
        .create_session(conn, user_id, &token.hash(), &scopes, Utc::now() + Duration::hours(1))
        .await
        .expect("insert session");
    token
}

/// Runs `sql` with the session's token digest as `$1`.
async fn on_session(conn: &mut AsyncPgConnection, token: &PlainToken, sql: &str) {
    diesel::sql_query(sql)
        .bind::<diesel::sql_types::Bytea, _>(&token.hash().0[..])
        .execute(conn)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

/// Moves a session's expiry into the past.
pub async fn expire_session(conn: &mut AsyncPgConnection, token: &PlainToken) {
    on_session(
        conn,
        token,
        "update sessions set expires_at = now() - interval '1 second' where token_hash = $1",
    )
    .await;
}

/// Revokes a session.
pub async fn revoke_session(conn: &mut AsyncPgConnection, token: &PlainToken) {
    on_session(conn, token, "update sessions set revoked_at = now() where token_hash = $1").await;
}

/// Disables a user.
pub async fn disable_user(conn: &mut AsyncPgConnection, id: Uuid) {
    execute(conn, &format!("update users set disabled = true where id = '{id}'")).await;
}

/// Stores PNG bytes as the user's avatar.
pub async fn png_avatar(conn: &mut AsyncPgConnection, id: Uuid) {
    let stored = store().set_avatar(conn, id, &Avatar::Image(PNG.to_vec()), Some("image/png")).await;
    assert!(stored.expect("store avatar"));
}

/// Stores an avatar URL.
pub async fn url_avatar(conn: &mut AsyncPgConnection, id: Uuid, url: &str) {
    assert!(store().set_avatar(conn, id, &Avatar::Url(url.into()), None).await.expect("store avatar url"));
}

/// A user with the admin scope; returns their bearer token.
pub async fn admin(conn: &mut AsyncPgConnection) -> PlainToken {
    let id = user(conn, "admin@example.org").await;
    session(conn, id, &["admin"]).await
}

/// Inserts a user with a name and a password (hashed cheaply; only the fact of a hash matters).
pub async fn user_with(conn: &mut AsyncPgConnection, email: &str, name: &str, password: &str) -> Uuid {
    let cheap = rocket_user_account::Argon2Config {
        memory_kib: 1024,
        iterations: 1,
        parallelism: 1,
        max_concurrent: 1,
    };
    let hash = rocket_user_account::internals::hash(&cheap, password).expect("hash");
    store().create_user(conn, (Some(email), name, None), Some(&hash)).await.expect("insert user")
}

/// How many rows `table` has.
pub async fn count(conn: &mut AsyncPgConnection, table: &str) -> i64 {
    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let c: Count = diesel::sql_query(format!("select count(*) as n from {table}"))
        .get_result(conn)
        .await
        .expect("count rows");
    c.n
}

/// The database's clock (`now()`), in seconds since the epoch: the clock the rate-limit
/// windows are cut from.
pub async fn db_epoch(conn: &mut AsyncPgConnection) -> f64 {
    #[derive(diesel::QueryableByName)]
    struct Epoch {
        #[diesel(sql_type = diesel::sql_types::Double)]
        epoch: f64,
    }
    let e: Epoch = diesel::sql_query("select extract(epoch from now())::float8 as epoch")
        .get_result(conn)
        .await
        .expect("read the database clock");
    e.epoch
}

/// Runs a statement (moving time, changing a user behind the crate's back).
pub async fn execute(conn: &mut AsyncPgConnection, sql: &str) {
    use diesel_async::SimpleAsyncConnection as _;
    conn.batch_execute(sql).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
}

/// Moves every recovery token of `user` past its expiry (as if its lifetime had passed).
pub async fn expire_recovery_tokens(conn: &mut AsyncPgConnection, user: Uuid) {
    execute(
        conn,
        &format!(
            "update recovery_tokens set created_at = now() - interval '2 hours', \
             expires_at = now() - interval '1 second' where user_id = '{user}'"
        ),
    )
    .await;
}

/// The user's stored password hash.
pub async fn password_hash(conn: &mut AsyncPgConnection, id: Uuid) -> Option<String> {
    #[derive(diesel::QueryableByName)]
    struct Hash {
        #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
        password_hash: Option<String>,
    }
    let row: Hash = diesel::sql_query("select password_hash from users where id = $1")
        .bind::<diesel::sql_types::Uuid, _>(id)
        .get_result(conn)
        .await
        .expect("read hash");
    row.password_hash
}

/// The token in a recovery mail's link (`...#token=<43 chars>`), from the plain-text part.
pub fn token_in(mail: &crate::helpers::smtp::Received) -> String {
    let parsed = mail.parsed();
    let text = parsed.body_text(0).expect("a text part").into_owned();
    let start = text.find("#token=").expect("a link with the token in its fragment") + "#token=".len();
    text[start..start + 43].to_owned()
}
