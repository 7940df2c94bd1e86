//! The delivery worker: claims due mails from the outbox and sends them, with bounded retries
//! and exponential backoff. Safe with several instances on one database.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration as StdDuration, Instant};

use chrono::Duration;
use rocket::tokio::sync::Notify;
use rocket_db_pools::diesel::PgPool;
use serde_json::json;

use super::failure::{Failure, FailureClass};
use super::{MailContext, Mailer, Templates};
use crate::accounts::Store;
use crate::config::Schema;
use crate::db::audit::{event, NewAuditEvent};
use crate::db::outbox::{Finished, MailBody, NewOutboxMail, OutboxMail};
use crate::db::SessionBounds;
use crate::error::Error;
use crate::liveness;
use crate::locale::Lang;
use crate::metrics;

/// How long a claimed mail stays invisible to other workers; longer than one SMTP exchange
/// may take (`mail.smtp_timeout_secs` is at most 300), so only a worker that died lets a mail
/// be sent twice.
const LEASE: Duration = Duration::seconds(600);
/// Lease time a batch keeps in hand: no attempt starts unless it can end this long before the
/// lease does.
const LEASE_MARGIN: StdDuration = StdDuration::from_secs(60);
/// The most mails one claim takes.
const BATCH: u128 = 64;
/// How old the check of a token may be when its mail is sent: a batch sent more slowly has its
/// tokens checked again.
const FRESH: StdDuration = StdDuration::from_millis(500);
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

impl DeliveryReport {
    fn add(&mut self, other: DeliveryReport) {
        self.sent += other.sent;
        self.retried += other.retried;
        self.abandoned += other.abandoned;
        self.dropped += other.dropped;
    }
}

/// Claimed mails whose tokens were live when last checked.
struct Batch {
    /// When the claim began (the lease runs from about then).
    claimed_at: Instant,
    /// When the tokens were last found live.
    checked_at: Instant,
    mails: Vec<OutboxMail>,
}

/// What sending a [`Batch`] did, to be recorded.
#[derive(Default)]
struct Outcome {
    /// With the instant the transport accepted each.
    sent: Vec<(OutboxMail, Instant)>,
    failed: Vec<(OutboxMail, Failure)>,
    /// Not sent: their token was found dead when checked again.
    dropped: Vec<OutboxMail>,
    /// Not attempted: too little of the lease was left, or their token could not be checked.
    unsent: Vec<OutboxMail>,
}

/// What a [`MailQueue`] is made of.
pub(crate) struct MailQueueParts {
    /// Delivers the mails.
    pub(crate) mailer: Mailer,
    /// Renders the mails queued as their values (a recovery mail), when they are sent.
    pub(crate) templates: Arc<Templates>,
    /// Asked whether a token's account still matches before the token is sent.
    pub(crate) store: Store,
    /// The schema of the outbox.
    pub(crate) schema: Schema,
    /// The bounds its statements run under.
    pub(crate) bounds: SessionBounds,
    /// A mail is abandoned after this many failed attempts.
    pub(crate) max_attempts: u32,
    /// The time each attempt gets in all.
    pub(crate) attempt_timeout: StdDuration,
    /// How long the purge keeps audit events.
    pub(crate) audit_retention_days: u32,
    /// The database, for a connection of the worker's own once the pool has closed.
    pub(crate) database_url: String,
}

/// The outbox's sending side, managed by the fairing. Clones share one mailer and wake-up.
#[derive(Clone)]
pub struct MailQueue {
    mailer: Arc<Mailer>,
    templates: Arc<Templates>,
    wake: Arc<Notify>,
    /// Set when the server shuts down: no further claim, no further attempt.
    stopping: Arc<AtomicBool>,
    max_attempts: u32,
    attempt_timeout: StdDuration,
    audit_retention_days: u32,
    schema: Schema,
    store: Store,
    bounds: SessionBounds,
    database_url: Arc<str>,
}

impl MailQueue {
    /// A queue made of `parts`.
    #[must_use]
    pub(crate) fn new(parts: MailQueueParts) -> MailQueue {
        let MailQueueParts {
            mailer,
            templates,
            store,
            schema,
            bounds,
            max_attempts,
            attempt_timeout,
            audit_retention_days,
            database_url,
        } = parts;
        MailQueue {
            mailer: Arc::new(mailer),
            templates,
            wake: Arc::new(Notify::new()),
            stopping: Arc::default(),
            max_attempts,
            attempt_timeout,
            audit_retention_days,
            schema,
            store,
            bounds,
            database_url: database_url.into(),
        }
    }

    /// Renders the mail `context` is for and writes it to the outbox for `recipient` (the
    /// account `user_id`'s stored address), with `event` (what needed the mail) in the same
    /// statement, inside the caller's transaction. Call [`MailQueue::wake`] once the
    /// transaction has committed.
    ///
    /// # Errors
    /// A template that fails to render, or a database error.
    pub(crate) async fn enqueue<M: MailContext>(
        &self,
        conn: &mut diesel_async::AsyncPgConnection,
        (templates, context, lang): (&Templates, &M, Lang),
        ids: (&str, Option<uuid::Uuid>),
        recipient: &str,
        event: &NewAuditEvent,
    ) -> Result<uuid::Uuid, Error> {
        let new = self.prepare((templates, context, lang), ids, recipient)?;
        Ok(new.insert(conn, &self.schema, event).await?)
    }

    /// The outbox row of the mail `context` is for, to `recipient` (the account `user_id`'s
    /// stored address), ready to insert: kept as its values when the mail allows (a recovery
    /// mail, rendered when it is sent), else rendered now.
    ///
    /// # Errors
    /// A template that fails to render.
    pub(crate) fn prepare<M: MailContext>(
        &self,
        (templates, context, lang): (&Templates, &M, Lang),
        (user_id, token_id): (&str, Option<uuid::Uuid>),
        recipient: &str,
    ) -> Result<NewOutboxMail, Error> {
        // A mail that can be kept as its values is rendered when it is sent: the request
        // renders nothing and writes a few hundred bytes.
        let language = templates.locales().tag(lang);
        let mail = match context.stored(language) {
            Some(context) => MailBody::Stored { context, language: language.to_owned() },
            None => MailBody::Rendered(templates.render(context, lang).map_err(Error::Internal)?),
        };
        let domain = self.mailer.sender_domain();
        Ok(NewOutboxMail::new(M::KIND, (user_id, token_id), recipient, mail, domain))
    }

    /// The mailer this queue delivers through (the bench's direct-transport ceiling uses it).
    #[cfg(feature = "bench")]
    pub(crate) fn mailer(&self) -> &Mailer {
        &self.mailer
    }

    /// Wakes this instance's worker; call after committing an enqueued mail.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Asks this queue's passes to stop: none claims again, none starts another attempt; the
    /// pass under way records what it sent and gives back the rest at once.
    pub fn stop(&self) {
        self.stopping.store(true, Ordering::SeqCst);
        self.wake.notify_one();
    }

    /// Whether [`MailQueue::stop`] was called.
    pub(crate) fn stopping(&self) -> bool {
        self.stopping.load(Ordering::SeqCst)
    }

    /// Delivers every mail that is due now and reports what happened.
    ///
    /// Mails are claimed in batches (one statement each, up to 64), their tokens checked
    /// by the one rule, in one query with the default store (and again if the check is more than half a second
    /// old when a mail's turn comes), and sent one after the other, each attempt under its
    /// deadline, with no database connection held while the transport works. The database
    /// work overlaps the sending: while a batch is being sent the previous one is settled (its
    /// sent mails finished in one statement, its failures scheduled for retry or abandoned) and
    /// then the next one claimed.
    ///
    /// # Errors
    /// The database failed; mails already handled stay handled, a batch sent but not yet
    /// recorded is sent again once its lease runs out.
    pub async fn deliver_due(&self, pool: &PgPool) -> Result<DeliveryReport, Error> {
        let mut report = DeliveryReport::default();
        let mut next = self.claim(pool, &mut report).await?;
        let mut sent: Option<Outcome> = None;
        while let Some(batch) = next.take() {
            let previous = sent.take();
            // The database work runs one statement at a time beside the sending: settle the
            // previous batch, then claim the next one.
            let database = async {
                let mut report = DeliveryReport::default();
                if let Some(previous) = previous {
                    report.add(self.settle(pool, previous).await?);
                }
                let next = self.claim(pool, &mut report).await?;
                Ok::<_, Error>((report, next))
            };
            let (outcome, database) = rocket::tokio::join!(self.send(pool, batch), database);
            match database {
                Ok((settled, claimed)) => {
                    // A batch claimed while the server began to stop is given back untried by
                    // `send`, which tries nothing once stopping, and no claim follows it.
                    report.add(settled);
                    next = claimed;
                    sent = Some(outcome);
                }
                Err(e) => {
                    // Record what was just sent if the database lets us, then report the failure.
                    if let Ok(settled) = self.settle(pool, outcome).await {
                        report.add(settled);
                    }
                    return Err(e);
                }
            }
        }
        if let Some(outcome) = sent {
            report.add(self.settle(pool, outcome).await?);
        }
        Ok(report)
    }

    /// Claims the next batch of due mails and drops those whose token is no longer live;
    /// `None` once nothing is due.
    async fn claim(&self, pool: &PgPool, report: &mut DeliveryReport) -> Result<Option<Batch>, Error> {
        // Measured before the claim, so the lease's end as the worker sees it comes no later
        // than the database's.
        let claimed_at = Instant::now();
        if self.stopping() {
            return Ok(None);
        }
        let mut conn = self.connect(pool).await?;
        loop {
            let mails =
                OutboxMail::claim_due(&mut conn, &self.schema, LEASE, batch_size(self.attempt_timeout))
                    .await?;
            if mails.is_empty() {
                return Ok(None);
            }
            let mails = self.drop_dead(&mut conn, mails, report).await?;
            if !mails.is_empty() {
                return Ok(Some(Batch { claimed_at, checked_at: Instant::now(), mails }));
            }
        }
    }

    /// Sends a batch, one mail after the other. A mail that could not end before the lease
    /// runs out (less the margin) is not attempted. A mail with a token is sent only if its
    /// token was found live at most [`FRESH`] ago: a batch sent slowly has its tokens checked
    /// again (between two attempts, never holding a connection during one), so a token that
    /// died meanwhile drops its mail as it did when mails were claimed one at a time.
    async fn send(&self, pool: &PgPool, batch: Batch) -> Outcome {
        let Batch { claimed_at, mut checked_at, mails } = batch;
        let mut outcome = Outcome::default();
        let mut mails: VecDeque<OutboxMail> = mails.into();
        while let Some(mail) = mails.pop_front() {
            if self.stopping() {
                // The server is stopping: the rest go back for the next instance, untried.
                outcome.unsent.push(mail);
                outcome.unsent.extend(mails);
                break;
            }
            if claimed_at.elapsed() + self.attempt_timeout + LEASE_MARGIN > lease_std() {
                // Too little of the lease is left for another attempt: give the rest back rather
                // than risk a second worker sending them too.
                outcome.unsent.push(mail);
                outcome.unsent.extend(mails);
                break;
            }
            if mail.token_id.is_some() && checked_at.elapsed() > FRESH {
                match self.recheck(pool, &mail, &mut mails, &mut outcome.dropped).await {
                    Ok((live, at)) => {
                        checked_at = at.unwrap_or(checked_at);
                        if !live {
                            outcome.dropped.push(mail);
                            continue;
                        }
                    }
                    Err(e) => {
                        log::warn!("user_account: could not check the batch's tokens again: {e}");
                        outcome.unsent.push(mail);
                        outcome.unsent.extend(mails);
                        break;
                    }
                }
            }
            // `attempt` enforces the deadline itself, so that it can also drop the stuck connection.
            match self.attempt(&mail).await {
                Ok(()) => outcome.sent.push((mail, Instant::now())),
                Err(cause) => outcome.failed.push((mail, cause)),
            }
        }
        outcome
    }

    /// Checks `next`'s token again and says whether it is live, with every token still to be
    /// sent in `rest` in the same check (dead mails move from `rest` to `dropped`); returns the
    /// instant of that check as the batch's new check time.
    async fn recheck(
        &self,
        pool: &PgPool,
        next: &OutboxMail,
        rest: &mut VecDeque<OutboxMail>,
        dropped: &mut Vec<OutboxMail>,
    ) -> Result<(bool, Option<Instant>), Error> {
        let Some(token) = next.token_id else { return Ok((true, None)) };
        let mut conn = self.connect(pool).await?;
        let at = Instant::now();
        let mut ids: Vec<uuid::Uuid> = rest.iter().filter_map(|m| m.token_id).collect();
        ids.push(token);
        let live = liveness::live_among(&mut conn, &self.schema, &self.store, &ids).await?;
        let (keep, dead): (VecDeque<OutboxMail>, VecDeque<OutboxMail>) =
            rest.drain(..).partition(|m| m.token_id.is_none_or(|t| live.contains(&t)));
        *rest = keep;
        dropped.extend(dead);
        Ok((live.contains(&token), Some(at)))
    }

    /// Records a sent batch: finishes its sent mails in one statement and those dropped late in
    /// another, schedules a retry for (or abandons) each failed one, and gives back those not
    /// attempted.
    async fn settle(&self, pool: &PgPool, outcome: Outcome) -> Result<DeliveryReport, Error> {
        let mut report = DeliveryReport::default();
        let mut conn = self.connect(pool).await?;
        let sent: Vec<(OutboxMail, f64)> =
            outcome.sent.into_iter().map(|(mail, at)| (mail, at.elapsed().as_secs_f64())).collect();
        let finished = OutboxMail::finish_sent(&mut conn, &self.schema, &sent).await?;
        report.sent += finished.len();
        for (mail, _) in sent.iter().filter(|(m, _)| finished.contains(&m.id)) {
            metrics::mail(&mail.kind, "sent");
        }
        for (mail, _) in sent.iter().filter(|(m, _)| !finished.contains(&m.id)) {
            log::warn!("user_account: mail {} was sent after its lease ran out", mail.id);
        }
        let dropped =
            OutboxMail::finish_all(&mut conn, &self.schema, &outcome.dropped, Finished::Dropped).await?;
        for mail in outcome.dropped.iter().filter(|m| dropped.contains(&m.id)) {
            log::info!("user_account: mail {} dropped: its token is no longer live", mail.id);
            metrics::mail(&mail.kind, "dropped");
        }
        report.dropped += dropped.len();
        for (mail, cause) in &outcome.failed {
            self.failed(&mut conn, mail, cause, &mut report).await?;
        }
        OutboxMail::release(&mut conn, &self.schema, &outcome.unsent).await?;
        Ok(report)
    }

    /// Ends (as dropped) the claimed mails whose token is no longer live, and returns the others,
    /// by the one rule ([`liveness::live_among`]).
    async fn drop_dead(
        &self,
        conn: &mut diesel_async::AsyncPgConnection,
        mails: Vec<OutboxMail>,
        report: &mut DeliveryReport,
    ) -> Result<Vec<OutboxMail>, Error> {
        let tokens: Vec<uuid::Uuid> = mails.iter().filter_map(|m| m.token_id).collect();
        if tokens.is_empty() {
            return Ok(mails);
        }
        let live = liveness::live_among(conn, &self.schema, &self.store, &tokens).await?;
        let (keep, dead): (Vec<OutboxMail>, Vec<OutboxMail>) =
            mails.into_iter().partition(|m| m.token_id.is_none_or(|t| live.contains(&t)));
        let dropped = OutboxMail::finish_all(conn, &self.schema, &dead, Finished::Dropped).await?;
        for mail in dead.iter().filter(|m| dropped.contains(&m.id)) {
            log::info!("user_account: mail {} dropped: its token is no longer live", mail.id);
            metrics::mail(&mail.kind, "dropped");
        }
        report.dropped += dropped.len();
        Ok(keep)
    }

    /// One delivery, on a task of its own so that a panic in the transport fails this mail
    /// only, not the worker; the task is aborted at the attempt's deadline, so a stalled
    /// server can neither hold the worker nor deliver the mail late.
    pub(crate) async fn attempt(&self, mail: &OutboxMail) -> Result<(), Failure> {
        let message = match (&mail.context, &mail.body_text) {
            // Queued as its values: rendered now, with the templates and sentences in use.
            (Some(stored), None) => {
                let rendered =
                    self.templates.render_stored(stored, mail.claimed_at).map_err(Failure::other)?;
                self.mailer.build_rendered(mail, &rendered)
            }
            _ => self.mailer.build(mail),
        }
        .map_err(Failure::other)?;
        let mailer = Arc::clone(&self.mailer);
        let task = rocket::tokio::spawn(async move { mailer.send(message).await });
        let abort = task.abort_handle();
        match rocket::tokio::time::timeout(self.attempt_timeout, task).await {
            Ok(Ok(sent)) => sent,
            Ok(Err(e)) if e.is_panic() => Err(Failure::other("the transport panicked")),
            Ok(Err(e)) => Err(Failure::other(format!("the delivery task ended: {e}"))),
            Err(_) => {
                abort.abort();
                // The abandoned connection must not serve the next attempt.
                self.mailer.reset_connections();
                Err(Failure::new(
                    FailureClass::Timeout,
                    format!("no answer within {:?}", self.attempt_timeout),
                ))
            }
        }
    }

    async fn failed(
        &self,
        conn: &mut diesel_async::AsyncPgConnection,
        mail: &OutboxMail,
        failure: &Failure,
        report: &mut DeliveryReport,
    ) -> Result<(), Error> {
        let cause: String = failure.text.chars().take(500).collect();
        let class = failure.class.as_str();
        let attempts = u32::try_from(mail.attempts).unwrap_or(u32::MAX);
        let details = json!({"mail_id": mail.id, "kind": mail.kind, "attempts": attempts, "error": cause, "class": class});
        if attempts >= self.max_attempts {
            if OutboxMail::finish(conn, &self.schema, mail, Finished::Abandoned, Some((&cause, class)))
                .await?
            {
                log::error!("user_account: mail {} abandoned after {attempts} attempts: {cause}", mail.id);
                NewAuditEvent::new(event::MAIL_ABANDONED).details(details).insert(conn, &self.schema).await?;
                metrics::mail(&mail.kind, "abandoned");
                report.abandoned += 1;
            }
        } else {
            let backoff = backoff(attempts);
            if OutboxMail::retry_later(conn, &self.schema, mail, backoff, (&cause, class)).await? {
                log::warn!(
                    "user_account: mail {} attempt {attempts} failed, retrying in {backoff}: {cause}",
                    mail.id
                );
                NewAuditEvent::new(event::MAIL_FAILED).details(details).insert(conn, &self.schema).await?;
                metrics::mail(&mail.kind, "retried");
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
        let mut conn = self.connect(pool).await?;
        crate::db::purge::purge(&mut conn, &self.schema, self.audit_retention_days).await
    }

    /// A connection from `pool`, or, when the server is stopping and the pool has closed (the
    /// pool's own shutdown runs beside the worker's), a direct one to the database.
    async fn connect(&self, pool: &PgPool) -> Result<Conn, Error> {
        match crate::db::DbConn::checkout(pool, &self.bounds).await {
            Ok(conn) => Ok(Conn::Pooled(conn)),
            Err(_) if self.stopping() && pool.is_closed() => {
                // Opened as the pool opens its own, so a pooler in front is no matter.
                let conn = crate::db::establish(&self.database_url)
                    .await
                    .map_err(|e| Error::Unavailable(format!("database: {e}")))?;
                Ok(Conn::Direct(Box::new(conn)))
            }
            Err(e) => Err(e),
        }
    }

    /// Reads what waits in the outbox into the `user_account_outbox_*` gauges.
    ///
    /// # Errors
    /// Database errors only.
    pub async fn observe(&self, pool: &PgPool) -> Result<(), Error> {
        let mut conn = self.connect(pool).await?;
        let (queued, oldest) = crate::db::outbox::backlog(&mut conn, &self.schema).await?;
        metrics::outbox(u64::try_from(queued).unwrap_or(0), oldest);
        Ok(())
    }

    /// Delivers until `shutdown` resolves: at once when woken, otherwise every few seconds;
    /// reads the outbox gauges at most every [`POLL_INTERVAL`] and purges old rows every
    /// [`PURGE_INTERVAL`].
    pub(crate) async fn run(self, pool: PgPool, shutdown: rocket::Shutdown) {
        // The shutdown is heard even in the middle of a pass: the pass stops at its next mail.
        let stop = self.clone();
        let watched = shutdown.clone();
        rocket::tokio::spawn(async move {
            watched.await;
            stop.stop();
        });
        rocket::tokio::pin!(shutdown);
        let mut last_purge: Option<std::time::Instant> = None;
        let mut last_observed: Option<std::time::Instant> = None;
        loop {
            if let Err(e) = self.deliver_due(&pool).await {
                log::error!("user_account: mail delivery pass failed: {e}");
            }
            if self.stopping() {
                return;
            }
            if last_observed.is_none_or(|at| at.elapsed() >= POLL_INTERVAL) {
                if let Err(e) = self.observe(&pool).await {
                    log::warn!("user_account: could not read the outbox's size: {e}");
                }
                last_observed = Some(std::time::Instant::now());
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

/// How many mails one claim takes: up to [`BATCH`], and no more than the lease leaves time to
/// attempt one after the other, each for at most `attempt_timeout` (54 with the default 10 s,
/// 1 with the longest, 300 s).
fn batch_size(attempt_timeout: StdDuration) -> i64 {
    let budget = lease_std().saturating_sub(LEASE_MARGIN).as_millis();
    let fits = (budget / attempt_timeout.as_millis().max(1)).clamp(1, BATCH);
    i64::try_from(fits).unwrap_or(1)
}

/// [`LEASE`] as a `std` duration.
fn lease_std() -> StdDuration {
    LEASE.to_std().unwrap_or(StdDuration::from_secs(600))
}

/// A connection the worker works on: the pool's, or, once the server is stopping and its pool
/// has closed, one of its own to the database, so that the pass under way still records what
/// it sent and gives back what it did not.
enum Conn {
    Pooled(crate::db::DbConn),
    Direct(Box<diesel_async::AsyncPgConnection>),
}

impl std::ops::Deref for Conn {
    type Target = diesel_async::AsyncPgConnection;
    fn deref(&self) -> &Self::Target {
        match self {
            Conn::Pooled(conn) => conn,
            Conn::Direct(conn) => conn,
        }
    }
}

impl std::ops::DerefMut for Conn {
    fn deref_mut(&mut self) -> &mut Self::Target {
        match self {
            Conn::Pooled(conn) => conn,
            Conn::Direct(conn) => conn,
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
    fn a_batch_can_be_sent_within_its_lease() {
        assert_eq!(batch_size(StdDuration::from_secs(10)), 54);
        assert_eq!(batch_size(StdDuration::from_secs(1)), 64);
        assert_eq!(batch_size(StdDuration::from_secs(300)), 1);
        assert_eq!(batch_size(StdDuration::ZERO), 64);
        for secs in 1..=300 {
            let n = u32::try_from(batch_size(StdDuration::from_secs(secs))).unwrap_or(u32::MAX);
            assert!(StdDuration::from_secs(secs) * n + LEASE_MARGIN <= lease_std(), "{secs} s: {n}");
        }
    }

    #[test]
    fn backoff_doubles_up_to_an_hour() {
        assert_eq!(backoff(1), Duration::seconds(5));
        assert_eq!(backoff(2), Duration::seconds(10));
        assert_eq!(backoff(4), Duration::seconds(40));
        assert_eq!(backoff(30), Duration::hours(1));
    }
}
