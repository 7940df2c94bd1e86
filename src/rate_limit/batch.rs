//! [`PublicCounter`]: the per-IP count of the public routes, many calls to one statement.
//!
//! Each public call is counted before its body is read, with an upsert that commits on its
//! own. Under load that statement, not the route's work, was what PostgreSQL spent its time
//! on. So the calls that arrive while a count is running are gathered and counted together in
//! the next statement: one upsert of every (client, window) pair. No call waits for a timer: a
//! call that finds a slot free is counted at once, alone; only calls that arrive while every
//! slot is busy wait, for the next statement, with the others that arrived meanwhile.
//!
//! Each call still gets its own exact count: the statement adds a client's `n` calls at once
//! and answers the total, and the k-th of them is answered as if counted alone in that order
//! (see [`rate_limits::Tally::exceeded`]). The counts stay in PostgreSQL, so the limit holds
//! across instances as before; no count is kept in memory between statements.

use std::collections::BTreeMap;
use std::sync::Arc;

use rocket::tokio::sync::oneshot;
use rocket_db_pools::diesel::PgPool;

use super::limits;
use crate::config::Schema;
use crate::db::gather::{Gathering, Joined};
use crate::db::rate_limits::{self, Commit, Exceeded, Window};
use crate::db::{DbConn, SessionBounds};
use crate::error::Error;
use crate::request_context::RequestContext;

/// Statements in flight at once (each on its own pooled connection).
const SLOTS: usize = 2;
/// Most calls one statement counts.
const MOST_PER_STATEMENT: usize = 512;
/// Most calls waiting to be counted: what the slots count in one statement each. A call that
/// finds the queue full is refused at once with a 503 (the database is not keeping up, a lock
/// or a failover holds it), so no queue grows without bound while PostgreSQL is stuck; each
/// statement is itself bounded by `statement_timeout_secs`, so a waiting call waits at most
/// about one statement's bound.
const MOST_WAITING: usize = SLOTS * MOST_PER_STATEMENT;

/// Which limit a call is over, if any.
type Outcome = Result<Option<Exceeded>, Error>;

/// A call waiting to be counted: its client, its context (for the audit event of the first
/// call over a limit) and where its answer goes.
struct Call {
    subject: String,
    ctx: RequestContext,
    reply: oneshot::Sender<Outcome>,
}

/// A call's count, started: [`Pending::outcome`] waits for it.
pub(crate) struct Pending(oneshot::Receiver<Outcome>);

impl Pending {
    /// Which limit the call is over, if any.
    ///
    /// # Errors
    /// As [`PublicCounter::hit`].
    pub(crate) async fn outcome(self) -> Outcome {
        self.0.await.unwrap_or_else(|_| Err(Error::Internal("the rate-limit count was abandoned".into())))
    }
}

/// Counts calls against the per-IP windows of the public routes, batching the calls that
/// arrive together into one statement. Managed by the fairing.
#[derive(Clone)]
pub(crate) struct PublicCounter {
    inner: Arc<Inner>,
}

struct Inner {
    pool: PgPool,
    bounds: SessionBounds,
    schema: Schema,
    windows: [Window; 2],
    waiting: Gathering<Call>,
}

impl PublicCounter {
    /// A counter for `windows` that checks connections out of `pool`, bounded by `bounds`.
    pub(crate) fn new(
        pool: PgPool,
        bounds: SessionBounds,
        schema: Schema,
        windows: [Window; 2],
    ) -> PublicCounter {
        let waiting = Gathering::new(SLOTS, MOST_WAITING);
        let inner = Inner { pool, bounds, schema, windows, waiting };
        PublicCounter { inner: Arc::new(inner) }
    }

    /// Whether any of its windows is on (with every window off, nothing is counted).
    pub(crate) fn counts(&self) -> bool {
        limits::any_enabled(&self.inner.windows)
    }

    /// Counts one call from `subject` and says which limit it is over, if any. Holds no
    /// connection while it waits. The first call over a limit in its window is audited.
    ///
    /// # Errors
    /// [`Error::Unavailable`] when no connection can be had or the statement failed for the
    /// database's state; [`Error::Internal`] otherwise.
    pub(crate) async fn hit(&self, subject: String, ctx: RequestContext) -> Outcome {
        self.start(subject, ctx).outcome().await
    }

    /// Starts counting one call from `subject` without waiting for it: the count is made (and
    /// audited when it is the first over a limit) even if nobody waits for the outcome.
    pub(crate) fn start(&self, subject: String, ctx: RequestContext) -> Pending {
        let (reply, answer) = oneshot::channel();
        match self.inner.waiting.join(Call { subject, ctx, reply }) {
            Joined::Start => {
                let inner = Arc::clone(&self.inner);
                rocket::tokio::spawn(async move {
                    inner.waiting.drain(MOST_PER_STATEMENT, |calls| inner.count(calls)).await;
                });
            }
            Joined::Wait => {}
            Joined::Full(call) => {
                let _ = call.reply.send(Err(Error::Unavailable("the rate-limit queue is full".into())));
            }
        }
        Pending(answer)
    }
}

impl Inner {
    /// Counts `calls` in one statement, audits the first call over a limit, and answers each.
    async fn count(&self, calls: Vec<Call>) {
        let mut per_subject: BTreeMap<&str, u32> = BTreeMap::new();
        for call in &calls {
            *per_subject.entry(&call.subject).or_default() += 1;
        }
        let hits: Vec<(&str, u32)> = per_subject.iter().map(|(s, n)| (*s, *n)).collect();
        let mut conn = match DbConn::checkout(&self.pool, &self.bounds).await {
            Ok(conn) => conn,
            Err(e) => {
                for call in calls {
                    let _ = call.reply.send(Err(e.shared()));
                }
                return;
            }
        };
        let tally = rate_limits::hit_many(&mut conn, &self.schema, &hits, &self.windows, Commit::Relaxed)
            .await
            .map_err(Error::from);
        if tally.as_ref().is_err_and(|e| e.status() == rocket::http::Status::ServiceUnavailable) {
            crate::metrics::db_unavailable();
        }
        // Each call in arrival order, with how many calls of its subject came after it.
        let mut behind = per_subject;
        let mut answers: Vec<Outcome> = calls
            .iter()
            .map(|call| {
                let after = behind.get_mut(call.subject.as_str()).map_or(0, |n| {
                    *n -= 1;
                    *n
                });
                match &tally {
                    Ok(tally) => Ok(tally.exceeded(&call.subject, after)),
                    Err(e) => Err(e.shared()),
                }
            })
            .collect();
        for (call, answer) in calls.iter().zip(answers.iter_mut()) {
            if matches!(answer, Ok(Some(Exceeded { first: true, .. }))) {
                if let Err(e) = limits::record(&mut conn, &self.schema, &call.ctx, &self.windows, None).await
                {
                    *answer = Err(e);
                }
            }
        }
        for (call, answer) in calls.into_iter().zip(answers) {
            // A caller that stopped waiting was still counted; nobody is left to tell.
            let _ = call.reply.send(answer);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::future::Future as _;
    use std::task::Poll;

    use diesel_async::pooled_connection::AsyncDieselConnectionManager;
    use rocket_db_pools::diesel::PgPool;

    use super::{PublicCounter, MOST_PER_STATEMENT, SLOTS};
    use crate::config::Config;
    use crate::config::Schema;
    use crate::db::SessionBounds;
    use crate::error::Error;
    use crate::request_context::RequestContext;

    /// On a current-thread runtime the drains a call spawns do not run until the test yields,
    /// so every call started before that waits in the queue. It holds what the slots count in
    /// one statement each; the next call is refused at once with a 503, and nothing waits for a
    /// connection to say so.
    #[test]
    fn a_call_that_finds_the_queue_full_is_refused_at_once() {
        let runtime =
            rocket::tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
        runtime.block_on(queue_full());
    }

    async fn queue_full() {
        let manager = AsyncDieselConnectionManager::new("postgres://nobody@127.0.0.1:1/none");
        let pool = PgPool::builder(manager).max_size(1).build().expect("a pool, not connected yet");
        let schema = Schema::new(Schema::DEFAULT).expect("schema");
        let windows = super::limits::public(&Config::default());
        let counter = PublicCounter::new(pool, SessionBounds::new(5, 3, false), schema, windows);
        let ctx = RequestContext::detached();
        let capacity = SLOTS * MOST_PER_STATEMENT;
        let mut waiting: Vec<_> =
            (0..capacity).map(|i| counter.start(format!("client-{i}"), ctx.clone())).collect();
        let refused = counter.start("one-too-many".into(), ctx.clone());
        let mut refused = std::pin::pin!(refused.outcome());
        let answer = std::future::poll_fn(|cx| Poll::Ready(refused.as_mut().poll(cx))).await;
        assert!(
            matches!(answer, Poll::Ready(Err(Error::Unavailable(_)))),
            "the call past {capacity} is refused at once"
        );
        let last = waiting.pop().expect("calls").outcome();
        let mut last = std::pin::pin!(last);
        let answer = std::future::poll_fn(|cx| Poll::Ready(last.as_mut().poll(cx))).await;
        assert!(answer.is_pending(), "the {capacity}th call waits for its count");
    }
}
