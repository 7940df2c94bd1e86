//! A transaction whose `BEGIN` travels with its first statement and whose `COMMIT` travels with
//! its last: two round trips fewer than diesel-async's `transaction`, for a transaction whose
//! other statements are few.
//!
//! diesel-async sends a statement when its future is first polled, and sends the statements of
//! futures polled together one after another without waiting for the answers between them
//! (pipelining; PostgreSQL still runs them one by one, in the order they arrive). Its
//! `transaction` cannot do that: its `BEGIN` and `COMMIT` are awaited on their own, and its
//! transaction manager may not be touched while any statement's future is alive. So here the
//! `BEGIN` and `COMMIT` are ordinary statements whose futures are polled together with the
//! first or last statement, the `BEGIN` first and the `COMMIT` last, and the transaction
//! manager is told of them once those futures are gone: between them, a nested `transaction`
//! becomes a savepoint and a connection that goes back to the pool with the transaction open
//! counts as broken, as with diesel-async's own. With the `BEGIN` goes [`GENERIC_PLANS`].
//!
//! **The order holds.** A statement not yet prepared on the connection is prepared first
//! (Parse/Describe, one round trip) while its future holds the connection's statement cache;
//! the future polled after it waits for that cache before it sends anything, so it cannot
//! overtake. A statement whose binds fail to serialize fails in its first poll, before
//! anything is sent: the last statement is polled once alone, and the `COMMIT` is sent only
//! if it is then on its way.
//!
//! **How it ends.** A statement that fails in PostgreSQL fails the transaction there, and the
//! `COMMIT` behind it then rolls it back: nothing is written. Only a failure on this side after
//! PostgreSQL ran the last statement (its rows could not be read) leaves a transaction
//! committed with an error; [`Ended::Committed`] says so, so the caller does not do the work
//! again. Only for the crate's own connections: behind a pooler in transaction mode
//! ([`Schema::pooled_begin`]) the transaction begins with the crate's bounds and every
//! statement is awaited alone, as in [`super::transaction`].

use std::future::poll_fn;
use std::task::Poll;

use diesel::connection::{TransactionDepthChange, TransactionManagerStatus};
use diesel::result::Error as DieselError;
use diesel::QueryResult;
use diesel_async::scoped_futures::ScopedBoxFuture;
use diesel_async::{AnsiTransactionManager, AsyncPgConnection, RunQueryDsl as _, TransactionManager as _};
use rocket::futures::future::join;

use super::sql::Prepare as _;
use crate::config::Schema;

/// Sent after `BEGIN`: for the rest of the transaction, a statement kept prepared runs its
/// generic plan. PostgreSQL would otherwise plan the crate's array statements (`unnest` of the
/// batch's values) afresh at every execution, as a plan made for the array's length looks
/// cheaper than one made for any length; the plan is the same, but making it cost more than
/// running it.
const GENERIC_PLANS: &str = "set local plan_cache_mode = force_generic_plan";

/// How a transaction that did not commit cleanly ended, with the error `E` that ended it.
#[derive(Debug)]
pub(crate) enum Ended<E = DieselError> {
    /// Rolled back (or its connection lost): nothing of it was written.
    RolledBack(E),
    /// Committed, but the last statement's answer could not be read.
    Committed(E),
}

impl<E> Ended<E> {
    /// The same ending with the error made an `F`.
    pub(crate) fn into<F: From<E>>(self) -> Ended<F> {
        match self {
            Ended::RolledBack(e) => Ended::RolledBack(e.into()),
            Ended::Committed(e) => Ended::Committed(e.into()),
        }
    }
}

/// An open transaction on a connection, begun by [`begin_with`]. End it with [`Open::commit_with`],
/// [`Open::commit`] or [`Open::rollback`] on the same connection.
#[must_use = "an open transaction must be committed or rolled back"]
pub(crate) struct Open {
    /// Whether `BEGIN` and `COMMIT` travel with a statement (the crate's own connection).
    pipelined: bool,
}

/// Begins a transaction on `conn` and runs `first` as its first statement. On the crate's own
/// connection, and when `alone` is false, the `BEGIN` (and [`GENERIC_PLANS`]) is sent with
/// `first`'s first statement; `first` must then send only statements of the crate's own and not
/// touch the transaction manager (a host's code may do anything, so the host's store passes
/// `alone`). `first` may run outside the transaction when the `BEGIN` fails: it should only read
/// or lock.
///
/// # Errors
/// The database's (the transaction is then rolled back).
pub(crate) async fn begin_with<'a, T, F>(
    conn: &mut AsyncPgConnection,
    s: &Schema,
    alone: bool,
    first: F,
) -> QueryResult<(Open, T)>
where
    F: for<'r> FnOnce(&'r mut AsyncPgConnection) -> ScopedBoxFuture<'a, 'r, QueryResult<T>> + Send + 'a,
    T: Send + 'a,
{
    let open = Open { pipelined: s.pooled_begin().is_none() };
    let first = if open.pipelined && !alone {
        let begin = diesel::sql_query("begin").cached().execute(conn);
        let generic = diesel::sql_query(GENERIC_PLANS).cached().execute(conn);
        let ((begun, generic), first) = join(join(begin, generic), first(&mut *conn)).await;
        begun?;
        in_transaction(conn, TransactionDepthChange::IncreaseDepth)?;
        generic.and(first)
    } else {
        match s.pooled_begin() {
            Some(begin) => AnsiTransactionManager::begin_transaction_sql(conn, begin).await?,
            None => AnsiTransactionManager::begin_transaction(conn).await?,
        }
        first(&mut *conn).await
    };
    match first {
        Ok(value) => Ok((open, value)),
        Err(e) => Err(open.rollback(conn, e).await),
    }
}

impl Open {
    /// Runs `last` as the transaction's last statement and commits, the `COMMIT` sent with it on
    /// the crate's own connection (`last` must then send one statement of the crate's own and
    /// not touch the transaction manager).
    ///
    /// # Errors
    /// [`Ended::RolledBack`] when nothing was written; [`Ended::Committed`] when the transaction
    /// committed but the statement's answer could not be read.
    pub(crate) async fn commit_with<'a, T, F>(self, conn: &mut AsyncPgConnection, last: F) -> Result<T, Ended>
    where
        F: for<'r> FnOnce(&'r mut AsyncPgConnection) -> ScopedBoxFuture<'a, 'r, QueryResult<T>> + Send + 'a,
        T: Send + 'a,
    {
        if !self.pipelined {
            let done = last(&mut *conn).await;
            return self.end_after(conn, done).await;
        }
        let commit = diesel::sql_query("commit").cached().execute(conn);
        let mut last = last(&mut *conn);
        // Polled once alone: a statement that fails before it is sent must not be followed by
        // a `COMMIT` of what came before it.
        let first_poll = poll_fn(|cx| Poll::Ready(last.as_mut().poll(cx))).await;
        let (done, committed) = match first_poll {
            Poll::Ready(done) => {
                drop((last, commit));
                return self.end_after(conn, done).await;
            }
            Poll::Pending => join(last, commit).await,
        };
        // Either way the transaction is over: a failed statement made the `COMMIT` a rollback.
        in_transaction(conn, TransactionDepthChange::DecreaseDepth).map_err(Ended::RolledBack)?;
        match (done, committed) {
            (Ok(value), Ok(_)) => Ok(value),
            (Ok(_), Err(e)) | (Err(e @ DieselError::DatabaseError(..)), Ok(_)) | (Err(e), Err(_)) => {
                Err(Ended::RolledBack(e))
            }
            (Err(e), Ok(_)) => Err(Ended::Committed(e)),
        }
    }

    /// Ends the transaction after its last statement, awaited alone: commits if `done` is a
    /// success, rolls back otherwise.
    async fn end_after<T>(self, conn: &mut AsyncPgConnection, done: QueryResult<T>) -> Result<T, Ended> {
        match done {
            Ok(value) => self.commit(conn).await.map(|()| value).map_err(Ended::RolledBack),
            Err(e) => Err(Ended::RolledBack(self.rollback(conn, e).await)),
        }
    }

    /// Commits the transaction with nothing more in it.
    ///
    /// # Errors
    /// The database's (the transaction is then rolled back).
    pub(crate) async fn commit(self, conn: &mut AsyncPgConnection) -> QueryResult<()> {
        AnsiTransactionManager::commit_transaction(conn).await
    }

    /// Rolls the transaction back after `cause`, and returns `cause` (or the rollback's error).
    pub(crate) async fn rollback<E: From<DieselError>>(self, conn: &mut AsyncPgConnection, cause: E) -> E {
        match AnsiTransactionManager::rollback_transaction(conn).await {
            Ok(()) | Err(DieselError::BrokenTransactionManager) => cause,
            Err(e) => e.into(),
        }
    }
}

/// Tells diesel-async's transaction manager of a `BEGIN` or `COMMIT` sent past it.
fn in_transaction(conn: &mut AsyncPgConnection, change: TransactionDepthChange) -> QueryResult<()> {
    match AnsiTransactionManager::transaction_manager_status_mut(conn) {
        TransactionManagerStatus::Valid(status) => status.change_transaction_depth(change),
        TransactionManagerStatus::InError => Err(DieselError::BrokenTransactionManager),
    }
}
