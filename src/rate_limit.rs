//! Abuse limits: per client IP on the unauthenticated routes, per admin on recovery requests,
//! per target user on recovery mails. Counters live in Postgres, so limits hold across
//! instances; excess gets 429 with `Retry-After`, an audit event, and changes nothing else.

use diesel_async::scoped_futures::ScopedFutureExt as _;
use diesel_async::AsyncConnection as _;
use rocket::request::{FromRequest, Outcome, Request};
use serde_json::json;

use crate::config::Config;
use crate::db::audit::{event, NewAuditEvent};
use crate::db::rate_limits::{self, Window};
use crate::db::{DbConn, Schema};
use crate::error::Error;
use crate::request_context::{limit_key, RequestContext};

const MINUTE: i64 = 60;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;

/// The per-IP windows of the unauthenticated routes.
pub fn public(config: &Config) -> [Window; 2] {
    let l = &config.rate_limits;
    [
        Window { bucket: "public_ip_minute", seconds: MINUTE, max: l.public_per_ip_minute },
        Window { bucket: "public_ip_hour", seconds: HOUR, max: l.public_per_ip_hour },
    ]
}

/// The per-admin window of recovery requests.
pub fn admin(config: &Config) -> [Window; 1] {
    [Window { bucket: "recovery_admin_hour", seconds: HOUR, max: config.rate_limits.recovery_per_admin_hour }]
}

/// The per-target-user windows of recovery mails.
pub fn target_user(config: &Config) -> [Window; 2] {
    let l = &config.rate_limits;
    [
        Window { bucket: "recovery_user_hour", seconds: HOUR, max: l.recovery_per_user_hour },
        Window { bucket: "recovery_user_day", seconds: DAY, max: l.recovery_per_user_day },
    ]
}

/// Counts a hit for `subject` and fails with 429 (recording an audit event) when a window is
/// exceeded. The count commits without waiting for the WAL flush (`synchronous_commit = off`
/// for this transaction only): a crash may forget the last few counts, which a limiter can
/// afford, and each call gets about a quarter cheaper (`scripts/bench_rate_limit.sh`).
///
/// # Errors
/// [`Error::RateLimited`], or a database error.
pub async fn enforce(
    conn: &mut diesel_async::AsyncPgConnection,
    s: &Schema,
    ctx: &RequestContext,
    subject: &str,
    windows: &[Window],
) -> Result<(), Error> {
    let exceeded = conn
        .transaction::<_, diesel::result::Error, _>(|conn| {
            async move {
                diesel_async::RunQueryDsl::execute(
                    diesel::sql_query("set local synchronous_commit = off"),
                    conn,
                )
                .await?;
                rate_limits::hit(conn, s, subject, windows).await
            }
            .scope_boxed()
        })
        .await?;
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
pub async fn record(
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
            let mut conn = DbConn::get(req.rocket()).await?;
            enforce(&mut conn, schema, ctx, &limit_key(ip), &public(config)).await
        };
        match result.await {
            Ok(()) => Outcome::Success(PublicLimit),
            Err(e) => Outcome::Error((e.stash(req), e)),
        }
    }
}
