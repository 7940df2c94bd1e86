//! The delivery worker: claims due mails from the outbox and sends them, with bounded retries
//! and exponential backoff. Safe with several instances on one database.

use std::sync::Arc;
use std::time::Duration as StdDuration;

use chrono::Duration;
use rocket::tokio::sync::Notify;
use rocket_db_pools::diesel::PgPool;
use serde_json::json;

use super::Mailer;
use crate::db::audit::{event, NewAuditEvent};
use crate::db::outbox::{Finished, OutboxMail};
use crate::db::recovery_tokens;
use crate::error::Error;

/// How long a claimed mail stays invisible to other workers; longer than one SMTP exchange
/// may take (`mail.smtp_timeout_secs` is at most 300), so only a worker that died lets a mail
/// be sent twice.
const LEASE: Duration = Duration::seconds(600);
/// The first retry waits this long; each further one twice as long, up to [`MAX_BACKOFF`].
const FIRST_BACKOFF: Duration = Duration::seconds(5);
const MAX_BACKOFF: Duration = Duration::hours(1);
/// How often the worker purges old rows.
const PURGE_INTERVAL: StdDuration = StdDuration::from_secs(3600);
/// How often an idle worker looks for mails other instances enqueued.
const POLL_INTERVAL: StdDuration = StdDuration::from_secs(5);

/// What one pass over the due mails did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct DeliveryReport {
    /// Accepted by the transport.
    pub sent: usize,
    /// Failed, to be tried again later.
    pub retried: usize,
    /// Failed for the last time.
    pub abandoned: usize,
    /// Not sent because their token is no longer live.
    pub dropped: usize,
}

/// The outbox's sending side, managed by the fairing. Clones share one mailer and wake-up.
#[derive(Clone)]
pub struct MailQueue {
    mailer: Arc<Mailer>,
    wake: Arc<Notify>,
    max_attempts: u32,
}

impl MailQueue {
    /// A queue delivering through `mailer`, abandoning a mail after `max_attempts`.
    #[must_use]
    pub fn new(mailer: Mailer, max_attempts: u32) -> MailQueue {
        MailQueue { mailer: Arc::new(mailer), wake: Arc::new(Notify::new()), max_attempts }
    }

    /// The mailer (for the `Message-ID` domain).
    #[must_use]
    pub fn mailer(&self) -> &Mailer {
        &self.mailer
    }

    /// Wakes this instance's worker; call after committing an enqueued mail.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Delivers every mail that is due now, one claim at a time, and reports what happened.
    ///
    /// # Errors
    /// The database failed; mails already handled stay handled.
    pub async fn deliver_due(&self, pool: &PgPool) -> Result<DeliveryReport, Error> {
        let mut report = DeliveryReport::default();
        loop {
            let mut conn = pool.get().await.map_err(|e| Error::Unavailable(format!("database pool: {e}")))?;
            let Some(mail) = OutboxMail::claim_next(&mut conn, LEASE).await? else { return Ok(report) };
            if let Some(token) = mail.token_id {
                if !recovery_tokens::is_live(&mut conn, token).await? {
                    OutboxMail::finish(&mut conn, mail.id, Finished::Dropped, None).await?;
                    log::info!("user_account: mail {} dropped: its token is no longer live", mail.id);
                    report.dropped += 1;
                    continue;
                }
            }
            match self.attempt(&mail).await {
                Ok(()) => {
                    OutboxMail::finish(&mut conn, mail.id, Finished::Sent, None).await?;
                    report.sent += 1;
                }
                Err(cause) => self.failed(&mut conn, &mail, &cause, &mut report).await?,
            }
        }
    }

    /// One delivery, on a task of its own so that a panic in the transport fails this mail
    /// only, not the worker.
    async fn attempt(&self, mail: &OutboxMail) -> Result<(), String> {
        let message = self.mailer.build(mail)?;
        let mailer = Arc::clone(&self.mailer);
        match rocket::tokio::spawn(async move { mailer.send(message).await }).await {
            Ok(sent) => sent,
            Err(e) if e.is_panic() => Err("the transport panicked".into()),
            Err(e) => Err(format!("the delivery task ended: {e}")),
        }
    }

    async fn failed(
        &self,
        conn: &mut diesel_async::AsyncPgConnection,
        mail: &OutboxMail,
        cause: &str,
        report: &mut DeliveryReport,
    ) -> Result<(), Error> {
        let cause: String = cause.chars().take(500).collect();
        let attempts = u32::try_from(mail.attempts).unwrap_or(u32::MAX);
        let details = json!({"mail_id": mail.id, "kind": mail.kind, "attempts": attempts, "error": cause});
        if attempts >= self.max_attempts {
            log::error!("user_account: mail {} abandoned after {attempts} attempts: {cause}", mail.id);
            OutboxMail::finish(conn, mail.id, Finished::Abandoned, Some(&cause)).await?;
            NewAuditEvent::new(event::MAIL_ABANDONED).details(details).insert(conn).await?;
            report.abandoned += 1;
        } else {
            let backoff = backoff(attempts);
            log::warn!(
                "user_account: mail {} attempt {attempts} failed, retrying in {backoff}: {cause}",
                mail.id
            );
            OutboxMail::retry_later(conn, mail.id, backoff, &cause).await?;
            NewAuditEvent::new(event::MAIL_FAILED).details(details).insert(conn).await?;
            report.retried += 1;
        }
        Ok(())
    }

    /// Deletes what is no longer needed: recovery tokens a week past their expiry (used or
    /// not; their finished mails go with them), finished mails a week old, and rate-limit
    /// windows that ended days ago. Returns how many rows went.
    ///
    /// # Errors
    /// Database errors only.
    pub async fn purge(&self, pool: &PgPool) -> Result<usize, Error> {
        let mut conn = pool.get().await.map_err(|e| Error::Unavailable(format!("database pool: {e}")))?;
        let mut purged = 0;
        for sql in [
            "delete from recovery_tokens where expires_at < now() - interval '7 days'",
            "delete from mail_outbox where status <> 'queued' and updated_at < now() - interval '7 days'",
        ] {
            purged += diesel_async::RunQueryDsl::execute(diesel::sql_query(sql), &mut conn).await?;
        }
        purged += crate::db::rate_limits::purge(&mut conn).await?;
        Ok(purged)
    }

    /// Delivers until `shutdown` resolves: at once when woken, otherwise every few seconds;
    /// purges old rows every [`PURGE_INTERVAL`].
    pub(crate) async fn run(self, pool: PgPool, shutdown: rocket::Shutdown) {
        rocket::tokio::pin!(shutdown);
        let mut last_purge: Option<std::time::Instant> = None;
        loop {
            if let Err(e) = self.deliver_due(&pool).await {
                log::error!("user_account: mail delivery pass failed: {e}");
            }
            if last_purge.is_none_or(|at| at.elapsed() >= PURGE_INTERVAL) {
                match self.purge(&pool).await {
                    Ok(n) => log::debug!("user_account: purged {n} old rows"),
                    Err(e) => log::error!("user_account: purge failed: {e}"),
                }
                last_purge = Some(std::time::Instant::now());
            }
            rocket::tokio::select! {
                () = self.wake.notified() => {}
                () = rocket::tokio::time::sleep(POLL_INTERVAL) => {}
                () = &mut shutdown => return,
            }
        }
    }
}

/// The wait after the `attempts`-th failure: 5 s, 10 s, 20 s, ... up to an hour.
fn backoff(attempts: u32) -> Duration {
    let factor = 2_i32.saturating_pow(attempts.saturating_sub(1).min(20));
    (FIRST_BACKOFF * factor).min(MAX_BACKOFF)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_an_hour() {
        assert_eq!(backoff(1), Duration::seconds(5));
        assert_eq!(backoff(2), Duration::seconds(10));
        assert_eq!(backoff(4), Duration::seconds(40));
        assert_eq!(backoff(30), Duration::hours(1));
    }
}
