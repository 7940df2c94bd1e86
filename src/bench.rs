//! Bench-only routes (feature `bench`, off by default): the ceilings `scripts/bench.sh` holds
//! each endpoint against, served by the same binary on the same pool, and a seeding route.
//! Mounted at `<mount>/_bench/` only when the crate is built with `--features bench`; a normal
//! build has none of this code. Never enable the feature in production: `tokens` hands out
//! live recovery tokens without any authentication.

use diesel::sql_types::{Bytea, Text};
use diesel_async::scoped_futures::ScopedFutureExt as _;
use diesel_async::{AsyncConnection as _, RunQueryDsl as _};
use rocket::serde::json::Json;
use rocket::{post, routes, Route, State};
use secrecy::SecretString;
use serde::Deserialize;

use crate::db::{recovery_tokens, DbConn};
use crate::error::{Error, Result};
use crate::recovery::RecoveryService;
use crate::token::PlainToken;

/// The bench routes, to mount at `<mount>/_bench`.
#[must_use]
pub fn routes() -> Vec<Route> {
    routes![select, insert, hash, tokens]
}

/// The ceiling of verify: one indexed SELECT (the recovery-token digest's unique index)
/// through the same pool, one pooled connection.
#[post("/select")]
async fn select(mut conn: DbConn, service: &State<RecoveryService>) -> Result<&'static str> {
    let probe = PlainToken::generate().hash();
    diesel::sql_query(format!("select 1 from {}.recovery_tokens where token_hash = $1", service.schema))
        .bind::<Bytea, _>(&probe.0[..])
        .execute(&mut *conn)
        .await?;
    Ok("{}")
}

/// The ceiling of password-recovery: one INSERT (an audit event) in a transaction.
#[post("/insert")]
async fn insert(mut conn: DbConn, service: &State<RecoveryService>) -> Result<&'static str> {
    let s = service.schema.clone();
    conn.transaction::<_, Error, _>(|conn| {
        async move {
            diesel::sql_query(format!("insert into {s}.audit_events (event) values ($1)"))
                .bind::<Text, _>("bench")
                .execute(conn)
                .await?;
            Ok(())
        }
        .scope_boxed()
    })
    .await?;
    Ok("{}")
}

/// The ceiling of change-password: one argon2id hash through the service's own hashing pool
/// (same parameters, same concurrency bound).
#[post("/hash")]
async fn hash(service: &State<RecoveryService>) -> Result<&'static str> {
    service.hashing().hash(SecretString::from("bench ceiling password, never stored")).await?;
    Ok("{}")
}

/// The body of `tokens`.
#[derive(Deserialize)]
struct TokensRequest {
    /// How many users (picked at random; their older tokens are superseded) get one.
    count: i64,
    /// The tokens' lifetime (1 s makes expired tokens after a short wait).
    ttl_secs: u64,
}

/// Seeding: issues a recovery token to each of `count` distinct users picked at random, as the
/// recovery transaction would (superseding older ones, bound to the account's fingerprint),
/// and answers the plain tokens. No mail is queued.
#[post("/tokens", data = "<body>")]
async fn tokens(service: &State<RecoveryService>, body: Json<TokensRequest>) -> Result<Json<Vec<String>>> {
    #[derive(diesel::QueryableByName)]
    struct Id {
        #[diesel(sql_type = Text)]
        id: String,
    }
    let mut conn = service.conn().await?;
    let s = service.schema.clone();
    let ids: Vec<Id> = diesel::sql_query(format!(
        "select u.id::text as id from {s}.users u where u.email is not null order by random() limit $1"
    ))
    .bind::<diesel::sql_types::BigInt, _>(body.count)
    .load(&mut *conn)
    .await?;
    let ttl_secs = body.ttl_secs;
    let mut plain = Vec::with_capacity(ids.len());
    for Id { id } in ids {
        let token = PlainToken::generate();
        let hash = token.hash();
        let issued = conn
            .transaction::<_, Error, _>(|conn| {
                let (s, id) = (s.clone(), id.clone());
                async move {
                    let Some(account) = service.store().lock(conn, &id).await? else { return Ok(false) };
                    recovery_tokens::issue(conn, &s, &id, &account.fingerprint, &hash, None, ttl_secs)
                        .await?;
                    Ok(true)
                }
                .scope_boxed()
            })
            .await?;
        if issued {
            plain.push(token.expose().to_owned());
        }
    }
    Ok(Json(plain))
}
