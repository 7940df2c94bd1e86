//! The delivery worker: claims due mails from the outbox and sends them, with bounded retries
//! and exponential backoff. Safe with several instances on one database.

use std::sync::Arc;
use std::time::Duration as StdDuration;

use chrono::Duration;
use rocket::tokio::sync::Notify;
use rocket_db_pools::diesel::PgPool;
use serde_json::json;

use super::{MailContext, Mailer, Templates};
use crate::accounts::Store;
use crate::db::audit::{event, NewAuditEvent};
use crate::db::outbox::{Finished, NewOutboxMail, OutboxMail};
use crate::db::{recovery_tokens, Schema};
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
    attempt_timeout: StdDuration,
    audit_retention_days: u32,
    schema: Schema,
    store: Store,
}

impl MailQueue {
    /// A queue over the outbox in `schema`, delivering through `mailer`, giving each attempt
    /// `attempt_timeout` in all and abandoning a mail after `max_attempts`; its purge keeps
    /// audit events `audit_retention_days`. It asks `store` whether a token's account still
    /// matches before it sends the token.
    #[must_use]
    pub(crate) fn new(
        mailer: Mailer,
        schema: Schema,
        store: Store,
        (max_attempts, attempt_timeout): (u32, StdDuration),
        audit_retention_days: u32,
    ) -> MailQueue {
        MailQueue {
            mailer: Arc::new(mailer),
            wake: Arc::new(Notify::new()),
            max_attempts,
            attempt_timeout,
            audit_retention_days,
            schema,
            store,
        }
    }

    /// Renders the mail `context` is for and writes it to the outbox for `recipient` (the
    /// account `user_id`'s stored address), inside the caller's transaction. Call
    /// [`MailQueue::wake`] once the transaction has committed.
    ///
    /// # Errors
    /// A template that fails to render, or a database error.
    pub async fn enqueue<M: MailContext>(
        &self,
        conn: &mut diesel_async::AsyncPgConnection,
        templates: &Templates,
        context: &M,
        (user_id, token_id): (&str, Option<uuid::Uuid>),
        recipient: &str,
    ) -> Result<uuid::Uuid, Error> {
        let mail = templates.render(context).map_err(Error::Internal)?;
        let domain = self.mailer.sender_domain();
        let new = NewOutboxMail::new(M::KIND, (user_id, token_id), recipient, mail, domain);
        Ok(new.insert(conn, &self.schema).await?)
    }

    /// Whether the token with row id `token_id` is still live: not ended, and its account
    /// still recoverable with the fingerprint it was bound to.
    async fn token_live(
        &self,
        conn: &mut diesel_async::AsyncPgConnection,
        token_id: uuid::Uuid,
    ) -> Result<bool, Error> {
        let Some(token) = recovery_tokens::find_by_id(conn, &self.schema, token_id).await? else {
            return Ok(false);
        };
        if token.ended().is_some() {
            return Ok(false);
        }
        let account = self.store.get().find_by_id(conn, &token.user_id).await?;
        Ok(account.is_some_and(|a| a.recoverable && a.email.is_some() && a.fingerprint == token.binding))
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
            let mail = {
                let mut conn = connect(pool).await?;
                let Some(mail) = OutboxMail::claim_next(&mut conn, &self.schema, LEASE).await? else {
                    return Ok(report);
                };
                let live = match mail.token_id {
                    Some(token) => self.token_live(&mut conn, token).await?,
                    None => true,
                };
                if !live {
                    OutboxMail::finish(&mut conn, &self.schema, &mail, Finished::Dropped, None).await?;
                    log::info!("user_account: mail {} dropped: its token is no longer live", mail.id);
                    report.dropped += 1;
                    continue;
                }
                mail
            };
            // No database connection is held while the transport works.
            // `attempt` enforces the deadline itself, so that it can also drop the stuck connection.
            let outcome = self.attempt(&mail).await;
            let mut conn = connect(pool).await?;
            match outcome {
                Ok(()) => {
                    if OutboxMail::finish(&mut conn, &self.schema, &mail, Finished::Sent, None).await? {
                        report.sent += 1;
                    } else {
                        log::warn!("user_account: mail {} was sent after its lease ran out", mail.id);
                    }
                }
                Err(cause) => self.failed(&mut conn, &mail, &cause, &mut report).await?,
            }
        }
    }

    /// One delivery, on a task of its own so that a panic in the transport fails this mail
    /// only, not the worker; the task is aborted at the attempt's deadline, so a stalled
    /// server can neither hold the worker nor deliver the mail late.
    async fn attempt(&self, mail: &OutboxMail) -> Result<(), String> {
        let message = self.mailer.build(mail)?;
        let mailer = Arc::clone(&self.mailer);
        let task = rocket::tokio::spawn(async move { mailer.send(message).await });
        let abort = task.abort_handle();
        match rocket::tokio::time::timeout(self.attempt_timeout, task).await {
            Ok(Ok(sent)) => sent,
            Ok(Err(e)) if e.is_panic() => Err("the transport panicked".into()),
            Ok(Err(e)) => Err(format!("the delivery task ended: {e}")),
            Err(_) => {
                abort.abort();
                // The abandoned connection must not serve the next attempt.
                self.mailer.reset_connections();
                Err(format!("no answer within {:?}", self.attempt_timeout))
            }
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
            if OutboxMail::finish(conn, &self.schema, mail, Finished::Abandoned, Some(&cause)).await? {
                log::error!("user_account: mail {} abandoned after {attempts} attempts: {cause}", mail.id);
                NewAuditEvent::new(event::MAIL_ABANDONED).details(details).insert(conn, &self.schema).await?;
                report.abandoned += 1;
            }
        } else {
            let backoff = backoff(attempts);
            if OutboxMail::retry_later(conn, &self.schema, mail, backoff, &cause).await? {
                log::warn!(
                    "user_account: mail {} attempt {attempts} failed, retrying in {backoff}: {cause}",
                    mail.id
                );
                NewAuditEvent::new(event::MAIL_FAILED).details(details).insert(conn, &self.schema).await?;
                report.retried += 1;
            }
        }
        Ok(())
    }

    /// Deletes what is no longer needed: recovery tokens a week past their expiry (used or
    /// not; their finished mails go with them), finished mails a week old, rate-limit
    /// windows that ended days ago, and audit events older than `audit_retention_days` (an
    /// attacker rotating addresses must not grow the trail without bound). Returns how many
    /// rows went.
    ///
    /// # Errors
    /// Database errors only.
    pub async fn purge(&self, pool: &PgPool) -> Result<usize, Error> {
        let mut conn = connect(pool).await?;
        let s = &self.schema;
        let mut purged = 0;
        for sql in [
            format!("delete from {s}.recovery_tokens where expires_at < now() - interval '7 days'"),
            format!("delete from {s}.mail_outbox where status <> 'queued' and updated_at < now() - interval '7 days'"),
        ] {
            purged += diesel_async::RunQueryDsl::execute(diesel::sql_query(sql), &mut conn).await?;
        }
        purged += crate::db::rate_limits::purge(&mut conn, s).await?;
        purged += crate::db::audit::purge(&mut conn, s, self.audit_retention_days).await?;
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

async fn connect(pool: &PgPool) -> Result<crate::db::DbConn, Error> {
    crate::db::DbConn::from_pool(pool).await
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
