//! Abuse limits: per client IP on the unauthenticated routes, per admin on recovery requests,
//! per target user on recovery mails. Counters live in Postgres, so limits hold across
//! instances; excess gets 429 with `Retry-After`, an audit event, and changes nothing else.
//!
//! See [`PublicLimit`] for how it works.

/// Request guard for the unauthenticated routes: counts the call against the client's IP
/// before the body is even read, so malformed floods are limited too.
///
/// ## The limits
///
/// Three limits, all counted in Postgres so they hold across instances, all configurable under
/// `rate_limits.*` (0 turns one off):
///
/// | limit | default | counted |
/// |---|---|---|
/// | calls per client IP to the unauthenticated routes (and refused calls to the admin route) | 10/minute, 100/hour | by a request guard as the call arrives, so malformed floods count too (verify's count runs while its body arrives: `PublicLimitOverlapped`); a call over the limit costs no lookup on any route |
/// | recovery requests per admin | 50/hour | after authentication |
/// | recovery mails per target user | 3/hour, 10/day | inside the recovery transaction, under the user's row lock |
///
/// Excess gets 429 `rate_limited` with `Retry-After` (seconds until the window ends) and writes no
/// token and no mail; the first refusal in each window is audited. The counters are fixed
/// windows, one row per (limit, subject, longer window): the limit's shorter window (the minute of
/// the per-IP limit, the hour of the per-user one) rides in the same row and restarts when its
/// window moves on, so a counted call writes one row, bumped by one `INSERT ... ON CONFLICT DO
/// UPDATE`. Different clients touch different rows, so counting never serializes unrelated
/// requests on one hot row; only one client's own calls queue on their own row. The per-IP and
/// per-admin counts are one statement each, committing with `synchronous_commit = off` for that
/// statement alone: a crash may forget the last few counts, which a limiter can afford. The
/// per-IP calls that arrive together share one statement (`PublicCounter`: under load, one
/// upsert counts every call that came in while the previous one ran, each still getting its own
/// exact count). The worker deletes windows that ended days ago.
///
/// What it costs, measured with `bash scripts/bench_rate_limit.sh 5 4` (pgbench with prepared
/// statements, 4 clients, 5 s, against the local PostgreSQL 15 on this 2-core machine; the
/// absolute figures move with the load, the order between the rows does not):
///
/// | case | throughput | mean latency |
/// |---|---|---|
/// | `select 1` (a round trip, for scale) | 26 087 tps | 0.15 ms |
/// | the upsert, a new client IP each call, durable commit | 4 573 tps | 0.88 ms |
/// | the upsert, one client IP for every call (the hot-row worst case) | 2 852 tps | 1.40 ms |
/// | the upsert as the app counts a lone call: one statement, `synchronous_commit` off for itself | 9 053 tps | 0.44 ms |
/// | the same, 16 clients per statement, as the app counts calls that arrive together | 3 625 statements/s (58 000 calls/s) | 1.10 ms |
///
/// Before the shorter window moved into the longer one's row, a call wrote a row per window and
/// each row had a B-tree entry for the purge besides its key: 16 clients per statement ran
/// 1 700 statements/s where one row per client and a BRIN index for the purge run 3 600 (pgbench,
/// 8 clients, side by side on one database).
#[derive(Debug, Clone, Copy)]
pub struct PublicLimit;

mod batch;
mod guard;
mod limits;

pub(crate) use batch::PublicCounter;
pub(crate) use guard::PublicLimitOverlapped;
pub(crate) use guard::{count_public, refusal_of_unread};
pub(crate) use limits::{
    admin, any_enabled, enforce, public, record, self_service, self_service_user, target_user,
};
