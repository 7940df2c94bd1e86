//! Bench-only routes (feature `bench`, off by default): the ceilings `scripts/bench.sh` holds
//! each endpoint against, served by the same binary on the same pool, and a seeding route.
//! Mounted at `<mount>/_bench/` only when the crate is built with `--features bench`; a normal
//! build has none of this code. Never enable the feature in production: `tokens` hands out
//! live recovery tokens without any authentication, and `mail-direct` and `enqueue-mails`
//! send mail to every seeded user.

use std::time::Instant;

use diesel::sql_types::{Array, BigInt, Bytea, Text, Uuid as SqlUuid};
use diesel_async::scoped_futures::ScopedFutureExt as _;
use diesel_async::{AsyncConnection as _, RunQueryDsl as _};
use rocket::serde::json::Json;
use rocket::{post, routes, Route, State};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::db::outbox::OutboxMail;
use crate::db::{recovery_tokens, DbConn, Prepare as _};
use crate::error::{Error, Invalid, Result};
use crate::mail::{MailContext as _, PasswordChangedMail};
use crate::message::RenderedMail;
use crate::recovery::RecoveryService;
use crate::token::PlainToken;

/// The most mails `mail-direct` sends or `enqueue-mails` queues in one request.
const MAX_MAILS: i64 = 20_000;
/// Rows per `insert` statement of `enqueue-mails`.
const INSERT_CHUNK: usize = 2_000;

/// The bench routes, to mount at `<mount>/_bench`.
#[must_use]
pub fn routes() -> Vec<Route> {
    routes![select, insert, hash, tokens, mail_direct, enqueue_mails]
}

/// The ceiling of verify: one indexed SELECT (the recovery-token digest's unique index)
/// through the same pool, one pooled connection, kept prepared like the crate's own statements.
#[post("/select")]
async fn select(mut conn: DbConn, service: &State<RecoveryService>) -> Result<&'static str> {
    let probe = PlainToken::generate().hash();
    diesel::sql_query(format!("select 1 from {}.recovery_tokens where token_hash = $1", service.schema))
        .bind::<Bytea, _>(&probe.0[..])
        .cached()
        .execute(&mut *conn)
        .await?;
    Ok("{}")
}

/// The ceiling of password-recovery: one INSERT (an audit event) in a transaction, kept
/// prepared like the crate's own statements.
#[post("/insert")]
async fn insert(mut conn: DbConn, service: &State<RecoveryService>) -> Result<&'static str> {
    let s = service.schema.clone();
    conn.transaction::<_, Error, _>(|conn| {
        async move {
            diesel::sql_query(format!("insert into {s}.audit_events (event) values ($1)"))
                .bind::<Text, _>("bench")
                .cached()
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
                    let new = recovery_tokens::NewToken {
                        user_id: &id,
                        binding: &account.fingerprint,
                        hash: &hash,
                        requested_by: None,
                        requested_by_subject: "bench",
                        idempotency: None,
                        ttl_secs,
                    };
                    recovery_tokens::issue(conn, &s, &new).await?;
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

/// The body of `mail-direct` and `enqueue-mails`.
#[derive(Deserialize)]
struct MailsRequest {
    /// How many mails, 1 to [`MAX_MAILS`].
    count: i64,
}

impl MailsRequest {
    fn count(&self) -> Result<usize> {
        if (1..=MAX_MAILS).contains(&self.count) {
            usize::try_from(self.count).map_err(|_| Error::Validation {
                field: "count",
                problem: Invalid::OutOfRange { min: 1, max: MAX_MAILS.unsigned_abs() },
            })
        } else {
            Err(Error::Validation {
                field: "count",
                problem: Invalid::OutOfRange { min: 1, max: MAX_MAILS.unsigned_abs() },
            })
        }
    }
}

/// What `mail-direct` did.
#[derive(Serialize)]
struct DirectAnswer {
    /// Accepted by the transport.
    sent: usize,
    /// Refused or failed (not retried).
    failed: usize,
    /// Wall time of the sends.
    seconds: f64,
    /// `sent / seconds`.
    per_second: f64,
}

/// The ids and addresses of up to `count` seeded users with an email (fewer when there are
/// fewer users; the callers cycle through them).
async fn recipients(service: &RecoveryService, count: usize) -> Result<Vec<(String, String)>> {
    #[derive(diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = Text)]
        id: String,
        #[diesel(sql_type = Text)]
        email: String,
    }
    let mut conn = service.conn().await?;
    let rows: Vec<Row> = diesel::sql_query(format!(
        "select id::text as id, email from {}.users where email is not null order by id limit $1",
        service.schema
    ))
    .bind::<BigInt, _>(i64::try_from(count).unwrap_or(MAX_MAILS))
    .load(&mut *conn)
    .await?;
    if rows.is_empty() {
        // No seeded user with an email: nobody to mail.
        return Err(Error::UserNotFound);
    }
    Ok(rows.into_iter().map(|r| (r.id, r.email)).collect())
}

/// A "your password was changed" mail rendered once with the service's real templates.
fn password_changed_mail(service: &RecoveryService) -> Result<RenderedMail> {
    let context = PasswordChangedMail {
        product_name: &service.config.mail.product_name,
        display_name: "Bench User",
        changed_at: chrono::Utc::now(),
    };
    let templates = &service.templates;
    templates.render(&context, templates.locales().default_lang()).map_err(Error::Internal)
}

/// The ceiling of mail delivery: `count` mails sent straight through the service's own mailer,
/// one after the other as the worker sends them (each message built from an outbox row by the
/// same code, each attempt on its own task under the same deadline), with no outbox at all.
/// Answers the wall time and the rate.
#[post("/mail-direct", data = "<body>")]
async fn mail_direct(
    service: &State<RecoveryService>,
    body: Json<MailsRequest>,
) -> Result<Json<DirectAnswer>> {
    let count = body.count()?;
    let to = recipients(service, count).await?;
    let mail = password_changed_mail(service)?;
    let queue = &service.queue;
    let domain = queue.mailer().sender_domain().to_owned();
    let (mut sent, mut failed) = (0, 0);
    let started = Instant::now();
    for (_, recipient) in to.iter().cycle().take(count) {
        let id = Uuid::new_v4();
        let row = OutboxMail {
            id,
            kind: PasswordChangedMail::KIND.as_str().to_owned(),
            token_id: None,
            recipient: recipient.clone(),
            subject: mail.subject.clone(),
            body_text: Some(mail.text.clone()),
            body_html: Some(mail.html.clone()),
            message_id: format!("{}@{domain}", id.simple()),
            attempts: 1,
            language: Some(mail.language.clone()),
            context: None,
            claimed_at: chrono::Utc::now(),
        };
        match queue.attempt(&row).await {
            Ok(()) => sent += 1,
            Err(_) => failed += 1,
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    #[allow(clippy::cast_precision_loss)] // at most MAX_MAILS
    let per_second = if seconds > 0.0 { sent as f64 / seconds } else { 0.0 };
    Ok(Json(DirectAnswer { sent, failed, seconds, per_second }))
}

/// Seeding for the worker's run: queues `count` live "your password was changed" mails (no
/// token) to seeded users' addresses, rendered once with the real templates and inserted in a
/// few multi-row statements in one transaction, then wakes the worker. Answers how many.
#[post("/enqueue-mails", data = "<body>")]
async fn enqueue_mails(service: &State<RecoveryService>, body: Json<MailsRequest>) -> Result<Json<usize>> {
    let count = body.count()?;
    let to = recipients(service, count).await?;
    let mail = password_changed_mail(service)?;
    let domain = service.queue.mailer().sender_domain().to_owned();
    let rows: Vec<(Uuid, &(String, String))> =
        to.iter().cycle().take(count).map(|r| (Uuid::new_v4(), r)).collect();
    let sql = format!(
        "insert into {}.mail_outbox \
         (id, kind, user_id, token_id, recipient, subject, body_text, body_html, message_id) \
         select r.id, $4, r.user_id, null, r.recipient, $5, $6, $7, replace(r.id::text, '-', '') || '@' || $8 \
         from unnest($1::uuid[], $2::text[], $3::text[]) as r(id, user_id, recipient)",
        service.schema
    );
    let mut conn = service.conn().await?;
    let inserted = conn
        .transaction::<_, Error, _>(|conn| {
            async move {
                let mut inserted = 0;
                for chunk in rows.chunks(INSERT_CHUNK) {
                    let ids: Vec<Uuid> = chunk.iter().map(|(id, _)| *id).collect();
                    let users: Vec<&str> = chunk.iter().map(|(_, (user, _))| user.as_str()).collect();
                    let recipients: Vec<&str> = chunk.iter().map(|(_, (_, to))| to.as_str()).collect();
                    inserted += diesel::sql_query(&sql)
                        .bind::<Array<SqlUuid>, _>(&ids)
                        .bind::<Array<Text>, _>(&users)
                        .bind::<Array<Text>, _>(&recipients)
                        .bind::<Text, _>(PasswordChangedMail::KIND.as_str())
                        .bind::<Text, _>(&mail.subject)
                        .bind::<Text, _>(&mail.text)
                        .bind::<Text, _>(&mail.html)
                        .bind::<Text, _>(&domain)
                        .execute(conn)
                        .await?;
                }
                Ok(inserted)
            }
            .scope_boxed()
        })
        .await?;
    // Only now, with every mail committed, may the worker start.
    service.queue.wake();
    Ok(Json(inserted))
}
