//! What an operator alerts on, through the [`metrics`] facade: the host installs the
//! exporter it likes (the runnable server serves Prometheus text on `metrics_address`); with
//! none installed every call here is a no-op.
//!
//! The names are part of the crate's contract, so that dashboards and alerts can rely on them
//! (`docs/metrics.md`). Every label takes one of a fixed, small set of values, each a
//! `&'static str` the crate itself spells (a reason, an outcome, a mail kind: see
//! `Error::outcome` for refusals), never anything a
//! request carries: no account id, email, IP address or token ever reaches a label or a value.

use std::time::Duration;

use ::metrics::{counter, describe_counter, describe_gauge, describe_histogram, gauge, histogram, Unit};

/// Recovery requests by `outcome`: `queued`, `replayed` (an `Idempotency-Key` repeat) or
/// `refused_<reason>` (self-service requests included, once the worker has handled them).
pub const RECOVERY_REQUESTS: &str = "user_account_recovery_requests_total";
/// Mails by `kind` (`recovery`, `password_changed`) and `state` (`sent`, `retried`,
/// `abandoned`, `dropped`).
pub const MAIL: &str = "user_account_mail_total";
/// Mails waiting in the outbox (due or backing off).
pub const OUTBOX_QUEUED: &str = "user_account_outbox_queued";
/// Age in seconds of the oldest mail waiting in the outbox (0 when none waits).
pub const OUTBOX_OLDEST: &str = "user_account_outbox_oldest_seconds";
/// Verify answers by `result`: `valid`, or the reason the token is not (`expired`, `used`,
/// `superseded`, `cancelled`, `invalid`).
pub const TOKEN_CHECKS: &str = "user_account_token_checks_total";
/// Password changes with a recovery token by `outcome`: `changed` or `refused_<reason>`.
pub const PASSWORD_CHANGES: &str = "user_account_password_changes_total";
/// Calls refused by a rate limit, by `limit`.
pub const RATE_LIMITED: &str = "user_account_rate_limited_total";
/// Times the crate found the database unavailable: a connection the pool could not hand out
/// or set up, or a statement that failed for the database's state (a lost connection, a
/// timeout, a failover).
pub const DB_UNAVAILABLE: &str = "user_account_db_unavailable_total";
/// Seconds one password hash took on the hashing pool.
pub const HASH_SECONDS: &str = "user_account_hash_seconds";
/// Seconds a request waited for a hashing slot.
pub const HASH_WAIT_SECONDS: &str = "user_account_hash_wait_seconds";

/// Every name above, for a check that a scrape shows them all.
pub const ALL: [&str; 10] = [
    RECOVERY_REQUESTS,
    MAIL,
    OUTBOX_QUEUED,
    OUTBOX_OLDEST,
    TOKEN_CHECKS,
    PASSWORD_CHANGES,
    RATE_LIMITED,
    DB_UNAVAILABLE,
    HASH_SECONDS,
    HASH_WAIT_SECONDS,
];

/// Bucket bounds (seconds) that suit both histograms: argon2id at the OWASP cost takes tens
/// of milliseconds, and a saturated pool makes requests wait up to its 10 s timeout.
pub const SECONDS_BUCKETS: [f64; 12] = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

/// Describes every series to the installed recorder and starts each counter at zero with the
/// labels it is most often read with, so that a scrape right after launch shows every counter
/// and an alert's `rate()` has its first sample. The fairing calls it at ignition.
pub fn describe() {
    describe_counter!(
        RECOVERY_REQUESTS,
        "Recovery requests by outcome (queued, replayed, refused_<reason>)."
    );
    describe_counter!(MAIL, "Mails by kind and state (sent, retried, abandoned, dropped).");
    describe_gauge!(OUTBOX_QUEUED, "Mails waiting in the outbox.");
    describe_gauge!(OUTBOX_OLDEST, Unit::Seconds, "Age of the oldest mail waiting in the outbox.");
    describe_counter!(TOKEN_CHECKS, "Verify answers by result (valid or the reason).");
    describe_counter!(PASSWORD_CHANGES, "Password changes with a recovery token by outcome.");
    describe_counter!(RATE_LIMITED, "Calls refused by a rate limit, by limit.");
    describe_counter!(DB_UNAVAILABLE, "Times the crate found the database unavailable.");
    describe_histogram!(HASH_SECONDS, Unit::Seconds, "Time one password hash took.");
    describe_histogram!(HASH_WAIT_SECONDS, Unit::Seconds, "Time a request waited for a hashing slot.");
    counter!(RECOVERY_REQUESTS, "outcome" => "queued").absolute(0);
    for state in ["sent", "retried", "abandoned", "dropped"] {
        counter!(MAIL, "kind" => "recovery", "state" => state).absolute(0);
    }
    counter!(TOKEN_CHECKS, "result" => "valid").absolute(0);
    counter!(PASSWORD_CHANGES, "outcome" => "changed").absolute(0);
    counter!(RATE_LIMITED, "limit" => "public_per_ip").absolute(0);
    counter!(DB_UNAVAILABLE).absolute(0);
}

/// A recovery request ended with `outcome` (`queued`, `replayed`, `refused_<reason>`).
pub(crate) fn recovery_request(outcome: &'static str) {
    counter!(RECOVERY_REQUESTS, "outcome" => outcome).increment(1);
}

/// A mail of `kind` reached `state`.
pub(crate) fn mail(kind: &str, state: &'static str) {
    counter!(MAIL, "kind" => mail_kind(kind), "state" => state).increment(1);
}

/// The outbox holds `queued` mails, the oldest `oldest_secs` seconds old.
pub(crate) fn outbox(queued: u64, oldest_secs: f64) {
    #[allow(clippy::cast_precision_loss)] // a queue of 2^52 mails is beyond any database
    gauge!(OUTBOX_QUEUED).set(queued as f64);
    gauge!(OUTBOX_OLDEST).set(oldest_secs.max(0.0));
}

/// Verify answered `result`.
pub(crate) fn token_check(result: &'static str) {
    counter!(TOKEN_CHECKS, "result" => result).increment(1);
}

/// A password change ended with `outcome` (`changed`, `refused_<reason>`).
pub(crate) fn password_change(outcome: &'static str) {
    counter!(PASSWORD_CHANGES, "outcome" => outcome).increment(1);
}

/// The rate limit `limit` refused a call.
pub(crate) fn rate_limited(limit: &'static str) {
    counter!(RATE_LIMITED, "limit" => limit).increment(1);
}

/// The crate found the database unavailable.
pub(crate) fn db_unavailable() {
    counter!(DB_UNAVAILABLE).increment(1);
}

/// A request waited `waited` for a hashing slot (whether it got one or not).
pub(crate) fn hash_wait(waited: Duration) {
    histogram!(HASH_WAIT_SECONDS).record(waited.as_secs_f64());
}

/// One hash took `took`.
pub(crate) fn hash_took(took: Duration) {
    histogram!(HASH_SECONDS).record(took.as_secs_f64());
}

/// A mail kind as a label (only the crate's two kinds; anything else is `other`).
fn mail_kind(kind: &str) -> &'static str {
    match kind {
        "recovery" => "recovery",
        "password_changed" => "password_changed",
        _ => "other",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_come_from_fixed_tables() {
        assert_eq!(mail_kind("recovery"), "recovery");
        assert_eq!(mail_kind("password_changed"), "password_changed");
        assert_eq!(mail_kind("someone@example.com"), "other");
        assert!(ALL.iter().all(|name| name.starts_with("user_account_")));
    }
}
