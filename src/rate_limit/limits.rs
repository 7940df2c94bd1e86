//! The limits' windows, and counting a hit against them outside the per-IP batching.

use serde_json::json;

use crate::config::{Config, Schema};
use crate::db::audit::{event, NewAuditEvent};
use crate::db::rate_limits::{self, Commit, Window};
use crate::error::Error;
use crate::request_context::RequestContext;

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

/// The deployment-wide window of self-service recoveries (one subject for everybody).
pub(crate) fn self_service(config: &Config) -> [Window; 1] {
    [Window { bucket: "self_service_hour", seconds: HOUR, max: config.rate_limits.self_service_per_hour }]
}

/// The per-user windows of self-service recovery mails: the same limits as an admin's
/// recoveries (`recovery_per_user_*`), counted apart, so that requests anybody can make for an
/// address never use up what an admin needs to recover it.
pub(crate) fn self_service_user(config: &Config) -> [Window; 2] {
    let l = &config.rate_limits;
    [
        Window { bucket: "self_service_user_hour", seconds: HOUR, max: l.recovery_per_user_hour },
        Window { bucket: "self_service_user_day", seconds: DAY, max: l.recovery_per_user_day },
    ]
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
            crate::metrics::rate_limited("recovery_per_admin");
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
