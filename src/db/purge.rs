//! The purge: deletes what the crate no longer needs, table by table, each table's own
//! statement living with its table.
//!
//! What is kept how long:
//!
//! | table | deleted |
//! |---|---|
//! | `recovery_tokens` | a week past their expiry, used or not (their finished mails go with them) |
//! | `mail_outbox` | finished mails a week old |
//! | `rate_limit_counters` | windows that ended days ago |
//! | `audit_events` | older than `audit_retention_days` (an attacker rotating addresses must not grow the trail without bound) |
//! | `self_service_requests` | a day old and still not taken (no worker ran); a handled one goes at once |

use diesel_async::AsyncPgConnection;

use super::{audit, outbox, rate_limits, recovery_tokens, self_service};
use crate::config::Schema;
use crate::error::Error;

/// Deletes, in `s`, what is kept no longer (see the [module](self)), audit events after
/// `audit_retention_days`; returns how many rows went.
///
/// # Errors
/// Database errors only.
pub(crate) async fn purge(
    conn: &mut AsyncPgConnection,
    s: &Schema,
    audit_retention_days: u32,
) -> Result<usize, Error> {
    let mut purged = 0;
    purged += recovery_tokens::purge(conn, s).await?;
    purged += outbox::purge(conn, s).await?;
    purged += rate_limits::purge(conn, s).await?;
    purged += audit::purge(conn, s, audit_retention_days).await?;
    purged += self_service::purge(conn, s).await?;
    Ok(purged)
}
