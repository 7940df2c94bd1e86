//! Recoveries that arrive together share one transaction, two statements and one commit.
//!
//! An admin's recovery writes little (the token, its mail and the event), but each used to pay
//! for a transaction of its own: `BEGIN`, the account's lock, the writes, and a `COMMIT` that
//! waits for the WAL to reach the disk, four round trips. Under load those, not the writes,
//! bounded the requests a second. So recoveries that arrive while earlier ones are being
//! written wait for the next transaction (see [`Gathering`]: no timer, and at one request at a
//! time each has its transaction to itself, as before), where all of them are written by two
//! statements: one locks their accounts (in the order of their ids, so two such transactions
//! on shared accounts take turns rather than deadlock), one writes every token, mail and event
//! ([`NewOutboxMail::insert_many_with_tokens`]). The per-user limits are counted for all of them
//! in one statement between the two, when they are on. The `BEGIN` is sent with the lock and the
//! `COMMIT` with the write ([`pipelined`]), so the transaction is two round trips, also for one
//! recovery alone (its statements are then the ones made for one row).
//!
//! **Each keeps its own outcome.** A recovery refused for its account (unknown, disabled, no
//! usable address, over its per-user limit) is refused before anything of it is written, and is
//! answered so; the others are written. A second recovery of an account already in the
//! transaction is written after it, alone (one statement cannot see the token it would
//! supersede). A request with an `Idempotency-Key` is written alone too (it takes turns with
//! its key's other requests before its account's). And if the transaction fails (a database
//! error, a deadlock with a host's own transaction), it is rolled back with nothing written,
//! and each of its recoveries is run again alone; one of those failing does not fail the others
//! (unless the database has stopped answering, see [`RecoveryService::statement_bound`]). So one
//! request's refusal never fails another's, and each answer is the one it would have had alone.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use diesel_async::scoped_futures::ScopedFutureExt as _;
use diesel_async::AsyncPgConnection;
use rocket::http::Status;
use rocket::tokio::sync::oneshot;

use super::answers::{Queued, Target, QUEUED};
use super::start::{recoverable_email, StartRequest, Started};
use super::RecoveryService;
use crate::accounts::{Account, AccountKey};
use crate::auth::Principal;
use crate::db::gather::{Gathering, Joined};
use crate::db::outbox::{NewOutboxMail, NewRecovery};
use crate::db::pipelined::{self, Ended};
use crate::db::rate_limits::{self, Commit};
use crate::error::{Error, Result};
use crate::rate_limit;
use crate::request_context::RequestContext;
use crate::token::{PlainToken, TokenHash};

/// Transactions of recoveries in flight at once (each on its own pooled connection).
const SLOTS: usize = 2;
/// Most recoveries one transaction writes.
const MOST_TOGETHER: usize = 32;
/// Most recoveries waiting for a transaction. One more is refused at once with a 503 (the
/// database is not keeping up), so no queue grows without bound while PostgreSQL is stuck.
const MOST_WAITING: usize = 1_024;

/// The recoveries waiting for a transaction. Part of [`RecoveryService`].
pub(crate) type Waiting = Gathering<Job>;

/// A new, empty [`Waiting`].
pub(crate) fn waiting() -> Waiting {
    Gathering::new(SLOTS, MOST_WAITING)
}

/// One call of [`RecoveryService::start`] waiting for its transaction, with where its outcome
/// goes.
pub(crate) struct Job {
    pub(super) target: Target,
    pub(super) locale: Option<String>,
    pub(super) admin: Principal,
    pub(super) ctx: RequestContext,
    pub(super) token: PlainToken,
    pub(super) idempotency: Option<([u8; 32], [u8; 32])>,
    pub(super) reply: oneshot::Sender<Result<Started>>,
}

impl Job {
    /// The call as the transaction's steps read it.
    fn request(&self) -> StartRequest<'_> {
        StartRequest {
            target: &self.target,
            admin: &self.admin,
            ctx: &self.ctx,
            token: &self.token,
            idempotency: self.idempotency,
            locale: self.locale.as_deref(),
        }
    }
}

/// What a shared transaction gave each of its recoveries: an answer, or `None` for one to
/// write alone after it.
type Answers = Vec<Option<Result<Started>>>;

impl RecoveryService {
    /// Queues `job` for the next transaction, starting one if a slot is free; its outcome
    /// comes through its `reply`.
    pub(super) fn start_together(&self, job: Job) {
        match self.waiting.join(job) {
            Joined::Start => {
                let service = self.clone();
                rocket::tokio::spawn(async move {
                    service.waiting.drain(MOST_TOGETHER, |jobs| service.write_together(jobs)).await;
                });
            }
            Joined::Wait => {}
            Joined::Full(job) => {
                let _ = job.reply.send(Err(Error::Unavailable("too many recoveries are waiting".into())));
            }
        }
    }

    /// Writes `jobs` in one transaction and answers each; those it cannot write together are
    /// run alone after it.
    async fn write_together(&self, jobs: Vec<Job>) {
        let mut conn = match self.conn().await {
            Ok(conn) => conn,
            Err(e) => return answer_all(jobs, &e),
        };
        let (mut alone, jobs): (Vec<Job>, Vec<Job>) =
            jobs.into_iter().partition(|job| job.idempotency.is_some());
        if !jobs.is_empty() {
            match self.write_in_transaction(&mut conn, &jobs).await {
                Ok(answers) => {
                    if answers.iter().any(|answer| matches!(answer, Some(Ok(Started::Issued(_))))) {
                        self.queue.wake();
                    }
                    for (job, answer) in jobs.into_iter().zip(answers) {
                        match answer {
                            // A caller that stopped waiting was still served; nobody is left to tell.
                            Some(answer) => drop(job.reply.send(answer)),
                            None => alone.push(job),
                        }
                    }
                }
                // Alone in its transaction: its error is its answer.
                Err(Ended::RolledBack(e) | Ended::Committed(e)) if jobs.len() == 1 => {
                    if let Some(job) = jobs.into_iter().next() {
                        let _ = job.reply.send(Err(e));
                    }
                }
                // Rolled back, nothing written: each alone gets its own outcome.
                Err(Ended::RolledBack(e)) => {
                    log::warn!(
                        "user_account: {} recoveries written together were rolled back ({e}); each is written alone",
                        jobs.len()
                    );
                    alone.extend(jobs);
                }
                // Written, but how is not known: none is written again.
                Err(Ended::Committed(e)) => answer_all(jobs, &e),
            }
        }
        // When the first recovery written alone was answered 503.
        let mut unavailable_since: Option<Instant> = None;
        while !alone.is_empty() {
            let job = alone.remove(0);
            let answer = self.start_alone(&mut conn, &job).await;
            if let Err(e) = &answer {
                if e.status() == Status::ServiceUnavailable {
                    let since = *unavailable_since.get_or_insert_with(Instant::now);
                    if since.elapsed() >= self.statement_bound() {
                        answer_all(std::mem::take(&mut alone), e);
                    }
                }
            }
            let _ = job.reply.send(answer);
        }
    }

    /// How long the recoveries written alone keep being tried after one of them was answered
    /// 503. Such an answer may be one recovery's (a host's trigger refused its row, its account
    /// stayed locked past the lock bound, it lost a deadlock), and the others are then written
    /// as if it had not been there; but if the database stopped answering, each would wait out
    /// the statement bound in turn. So once 503s have come for longer than one statement bound
    /// (two recoveries, the second past it), the database is what fails, and the rest are
    /// answered 503 at once: the last caller waits about two statement bounds, not one per
    /// recovery before it.
    fn statement_bound(&self) -> Duration {
        Duration::from_secs(self.config.statement_timeout_secs)
    }

    /// The shared transaction: locks the accounts of `jobs` (the `BEGIN` sent with the lock),
    /// refuses those that cannot be recovered or are over their limit, and writes the others'
    /// tokens, mails and events (the `COMMIT` sent with the write).
    async fn write_in_transaction(
        &self,
        conn: &mut AsyncPgConnection,
        jobs: &[Job],
    ) -> std::result::Result<Answers, Ended<Error>> {
        let keys: Vec<AccountKey<'_>> = jobs.iter().map(|job| job.target.key()).collect();
        let alone = !self.store.own_statements();
        let (open, accounts) = pipelined::begin_with(conn, &self.schema, alone, |conn| {
            self.store.lock_many(conn, &keys).scope_boxed()
        })
        .await
        .map_err(|e| Ended::RolledBack(e.into()))?;
        let (mut answers, issuing) = match self.decide(conn, jobs, accounts).await {
            Ok(decided) => decided,
            Err(e) => return Err(Ended::RolledBack(open.rollback(conn, e).await)),
        };
        if issuing.is_empty() {
            open.commit(conn).await.map_err(|e| Ended::RolledBack(e.into()))?;
            return Ok(answers);
        }
        let hashes: Vec<TokenHash> = issuing.iter().map(|(at, ..)| jobs[*at].token.hash()).collect();
        let mut rows = Vec::with_capacity(issuing.len());
        for ((at, account, email), hash) in issuing.iter().zip(&hashes) {
            match self.recovery_rows(&jobs[*at].request().issue(), account, email, hash) {
                Ok(row) => rows.push(row),
                Err(e) => return Err(Ended::RolledBack(open.rollback(conn, e).await)),
            }
        }
        let ttl = self.config.token_ttl_secs;
        let issued = open
            .commit_with(conn, |conn| {
                NewOutboxMail::insert_many_with_tokens(conn, &self.schema, ttl, &rows).scope_boxed()
            })
            .await
            .map_err(Ended::into)?;
        for ((at, account, _), NewRecovery { token_id, .. }) in issuing.iter().zip(&rows) {
            let Some(&(_, expires_at)) = issued.iter().find(|(id, _)| id == token_id) else {
                return Err(Ended::Committed(Error::Internal("a recovery's token was not written".into())));
            };
            let queued =
                Queued { status: QUEUED, user_id: account.id.clone(), expires_at, recovery_id: *token_id };
            answers[*at] = Some(Ok(Started::Issued(queued)));
        }
        Ok(answers)
    }

    /// In the shared transaction, with `accounts` locked: answers the recoveries that cannot be
    /// recovered or are over their per-user limit, and says which to issue (where in `jobs`,
    /// the account, its address). A second recovery of an account is left unanswered, to be
    /// written alone.
    async fn decide(
        &self,
        conn: &mut AsyncPgConnection,
        jobs: &[Job],
        accounts: Vec<Option<Account>>,
    ) -> Result<(Answers, Vec<(usize, Account, String)>)> {
        let mut answers: Answers = jobs.iter().map(|_| None).collect();
        let mut seen = HashSet::new();
        let mut issuing: Vec<(usize, Account, String)> = Vec::new();
        for (at, account) in accounts.into_iter().enumerate() {
            let Some(account) = account else {
                answers[at] = Some(Err(Error::UserNotFound));
                continue;
            };
            match recoverable_email(&account) {
                Err(e) => answers[at] = Some(Err(e)),
                // Written alone after this transaction (its answer stays `None`).
                Ok(_) if !seen.insert(account.id.clone()) => {}
                Ok(email) => issuing.push((at, account, email)),
            }
        }
        let windows = rate_limit::target_user(&self.config);
        if !rate_limit::any_enabled(&windows) {
            return Ok((answers, issuing));
        }
        let hits: Vec<(&str, u32)> = issuing.iter().map(|(_, account, _)| (account.id.as_str(), 1)).collect();
        let tally = rate_limits::hit_many(conn, &self.schema, &hits, &windows, Commit::WithCaller).await?;
        let mut within = Vec::with_capacity(issuing.len());
        for (at, account, email) in issuing {
            let Some(exceeded) = tally.exceeded(&account.id, 0) else {
                within.push((at, account, email));
                continue;
            };
            if exceeded.first {
                rate_limit::record(conn, &self.schema, &jobs[at].ctx, &windows, Some(&account.id)).await?;
            }
            answers[at] = Some(Ok(Started::Limited { retry_after: exceeded.retry_after }));
        }
        Ok((answers, within))
    }

    /// `job` in a transaction of its own on `conn`, as every recovery ran before they were
    /// gathered.
    async fn start_alone(&self, conn: &mut AsyncPgConnection, job: &Job) -> Result<Started> {
        let request = job.request();
        let started = crate::db::transaction::<_, Error, _>(conn, &self.schema, |conn| {
            async move { self.start_in_transaction(conn, &request).await }.scope_boxed()
        })
        .await;
        if matches!(started, Ok(Started::Issued(_))) {
            self.queue.wake();
        }
        started
    }
}

/// Answers every job with `e`.
fn answer_all(jobs: Vec<Job>, e: &Error) {
    for job in jobs {
        let _ = job.reply.send(Err(e.shared()));
    }
}
