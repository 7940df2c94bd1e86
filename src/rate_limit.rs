//! Abuse limits: per client IP on the unauthenticated routes, per admin on recovery requests,
//! per target user on recovery mails. Counters live in Postgres, so limits hold across
//! instances; excess gets 429 with `Retry-After`, an audit event, and changes nothing else.
//!
//! ## The limits
//!
//! Three limits, all counted in Postgres so they hold across instances, all configurable under
//! `rate_limits.*` (0 turns one off):
//!
//! | limit | default | counted |
//! |---|---|---|
//! | calls per client IP to the unauthenticated routes (and refused calls to the admin route) | 10/minute, 100/hour | by a request guard, before the body is read, so malformed floods count too |
//! | recovery requests per admin | 50/hour | after authentication |
//! | recovery mails per target user | 3/hour, 10/day | inside the recovery transaction, under the user's row lock |
//!
//! Excess gets 429 `rate_limited` with `Retry-After` (seconds until the window ends) and writes no
//! token and no mail; the first refusal in each window is audited. The counters are fixed
//! windows: one row per (limit, subject, window start), bumped by one `INSERT ... ON CONFLICT DO
//! UPDATE` per request that covers all of the request's windows at once. Different clients touch
//! different rows, so counting never serializes unrelated requests on one hot row; only one
//! client's own calls queue on their own rows. The per-IP and per-admin counts are one statement
//! each, committing with `synchronous_commit = off` for that statement alone: a crash may forget
//! the last few counts, which a limiter can afford. The worker deletes windows that ended days ago.
//!
//! What it costs, measured with `bash scripts/bench_rate_limit.sh 5 4` (pgbench, 4 clients, 5 s,
//! against the local PostgreSQL 15 on this 2-core machine, while a benchmark ran beside it; the
//! absolute figures move with the load, the order between the rows does not):
//!
//! | case | throughput | mean latency |
//! |---|---|---|
//! | `select 1` (a round trip, for scale) | 15 784 tps | 0.25 ms |
//! | the upsert, a new client IP each call, durable commit | 625 tps | 6.40 ms |
//! | the upsert, one client IP for every call (the hot-row worst case) | 330 tps | 12.11 ms |
//! | the upsert in `BEGIN; SET LOCAL synchronous_commit = off; ..; COMMIT` (before) | 2 310 tps | 1.73 ms |
//! | the upsert as the app runs it: one statement, `synchronous_commit` off for itself | 3 109 tps | 1.29 ms |

use rocket::request::{FromRequest, Outcome, Request};
use serde_json::json;

use crate::config::Config;
use crate::db::audit::{event, NewAuditEvent};
use crate::db::rate_limits::{self, Commit, Window};
use crate::db::{DbConn, Schema};
use crate::error::Error;
use crate::request_context::{limit_key, RequestContext};

const MINUTE: i64 = 60;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;

/// The per-IP windows of the unauthenticated routes.
pub(crate) fn public(config: &Config) -> [Window; 2] {
    let l = &config.rate_limits;
    [
        Window { bucket: "public_ip_minute", seconds: MINUTE, max: l.public_per_ip_minute },
        Window { bucket: "public_ip_hour", seconds: HOUR, max: l.public_per_ip_hour },
    ]
}

/// The per-admin window of recovery requests.
pub(crate) fn admin(config: &Config) -> [Window; 1] {
    [Window { bucket: "recovery_admin_hour", seconds: HOUR, max: config.rate_limits.recovery_per_admin_hour }]
}

/// The per-target-user windows of recovery mails.
pub(crate) fn target_user(config: &Config) -> [Window; 2] {
    let l = &config.rate_limits;
    [
        Window { bucket: "recovery_user_hour", seconds: HOUR, max: l.recovery_per_user_hour },
        Window { bucket: "recovery_user_day", seconds: DAY, max: l.recovery_per_user_day },
    ]
}

/// Whether any of `windows` is on (a `max` of 0 turns a window off).
pub(crate) fn any_enabled(windows: &[Window]) -> bool {
    windows.iter().any(|w| w.max > 0)
}

/// Counts a hit for `subject` and fails with 429 (recording an audit event) when a window is
/// exceeded. The count is one statement that commits without waiting for the WAL flush
/// ([`rate_limits::Commit::Relaxed`]): a crash may forget the last few counts, which a limiter
/// can afford, and each call costs one round trip (`scripts/bench_rate_limit.sh`). With every
/// window off it touches the database not at all. Call it outside a transaction.
///
/// # Errors
/// [`Error::RateLimited`], or a database error.
pub(crate) async fn enforce(
    conn: &mut diesel_async::AsyncPgConnection,
    s: &Schema,
    ctx: &RequestContext,
    subject: &str,
    windows: &[Window],
) -> Result<(), Error> {
    if !any_enabled(windows) {
        return Ok(());
    }
    let exceeded = rate_limits::hit(conn, s, subject, windows, Commit::Relaxed).await?;
    match exceeded {
        None => Ok(()),
        Some(exceeded) => {
            if exceeded.first {
                record(conn, s, ctx, windows, None).await?;
            }
            Err(Error::RateLimited { retry_after: exceeded.retry_after })
        }
    }
}

/// Records that `windows` were exceeded (for a target user, if any).
///
/// # Errors
/// Database errors only.
pub(crate) async fn record(
    conn: &mut diesel_async::AsyncPgConnection,
    s: &Schema,
    ctx: &RequestContext,
    windows: &[Window],
    target: Option<&str>,
) -> Result<(), Error> {
    let buckets: Vec<&str> = windows.iter().map(|w| w.bucket).collect();
    NewAuditEvent::new(event::RATE_LIMITED)
        .request(ctx)
        .target(target)
        .details(json!({ "limits": buckets }))
        .insert(conn, s)
        .await
        .map_err(Error::from)
}

/// Request guard for the unauthenticated routes: counts the call against the client's IP
/// before the body is even read, so malformed floods are limited too.
#[derive(Debug, Clone, Copy)]
pub struct PublicLimit;

impl rocket::Sentinel for PublicLimit {
    fn abort(rocket: &rocket::Rocket<rocket::Ignite>) -> bool {
        crate::fairing::missing(rocket, "PublicLimit")
    }
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for PublicLimit {
    type Error = Error;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, Error> {
        let result = async {
            let (Some(config), Some(schema)) =
                (req.rocket().state::<Config>(), req.rocket().state::<Schema>())
            else {
                return Err(Error::Internal("PublicLimit used without the UserAccount fairing".into()));
            };
            let ctx = RequestContext::of(req);
            let Some(ip) = ctx.client_ip else { return Ok(()) };
            let windows = public(config);
            // With the per-IP limit off, no connection is checked out for it.
            if !any_enabled(&windows) {
                return Ok(());
            }
            let mut conn = DbConn::get(req.rocket()).await?;
            enforce(&mut conn, schema, ctx, &limit_key(ip), &windows).await
        };
        match result.await {
            Ok(()) => Outcome::Success(PublicLimit),
            Err(e) => Outcome::Error((e.stash(req), e)),
        }
    }
}
