//! [`Cached`]: the crate's raw SQL, kept prepared on each connection.
//!
//! diesel's `sql_query` marks every statement unsafe to cache, so diesel-async prepares it
//! again on each call: a Parse/Describe round trip and a fresh plan before every Bind/Execute.
//! The crate's statements are a fixed set (their text varies only with the configured schema;
//! every value from a request is a bind), so they are safe to keep: diesel-async's statement
//! cache keys them by their text and bind types, and each connection prepares each statement
//! once. Measured on verify (`strace -c` on the server under load): three `sendto` calls to
//! the database per request before, one after.
//!
//! Every statement of the crate runs through [`execute`], [`load`], [`get_result`] or
//! [`transaction`], with the [`Schema`] it is written against. Behind a pooler in transaction
//! mode (PgBouncer before 1.21; `user_account.prepared_statements = false`) a server
//! connection is the crate's only for the length of a transaction, while diesel-async prepares
//! every statement under a name in one round trip and executes it in the next. So there each
//! statement runs inside a transaction (one of its own when none is open), nothing is kept
//! prepared, and each statement is closed before its transaction commits: no name outlives
//! the server connection it was made on, and none is looked for on another.

use diesel::pg::Pg;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::QueryResult;
use diesel_async::methods::LoadQuery;
use diesel_async::scoped_futures::{ScopedBoxFuture, ScopedFutureExt as _};
use diesel_async::{
    AnsiTransactionManager, AsyncConnection as _, AsyncPgConnection, RunQueryDsl as _,
    TransactionManager as _,
};

use crate::config::Schema;

/// A statement of the crate's own, safe to keep prepared. Make one with [`Cached::cached`]
/// on a `diesel::sql_query(..)` with its binds.
#[derive(Debug, Clone)]
#[must_use = "queries run only when loaded or executed"]
pub struct Cached<Q>(Q);

/// `.cached()` on a complete `diesel::sql_query(..).bind(..)` chain.
pub trait Prepare: Sized {
    /// The statement, kept prepared. Only for SQL text that is one of the crate's own: a
    /// text built from a request's values would grow the cache without bound.
    fn cached(self) -> Cached<Self> {
        Cached(self)
    }
}

impl<Q: QueryFragment<Pg>> Prepare for Q {}

impl<Q: QueryFragment<Pg>> QueryFragment<Pg> for Cached<Q> {
    fn walk_ast<'b>(&'b self, pass: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        self.0.walk_ast(pass)
    }

    fn is_safe_to_cache_prepared(&self, _backend: &Pg) -> QueryResult<bool> {
        Ok(true)
    }
}

impl<Q> QueryId for Cached<Q> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<Q: Query> Query for Cached<Q> {
    type SqlType = Q::SqlType;
}

/// A statement as the crate sends it: kept prepared when the statement allows it and the
/// connection is the crate's own, never behind a pooler in transaction mode.
#[derive(Debug, Clone)]
#[must_use = "queries run only when loaded or executed"]
pub(crate) struct Sent<Q> {
    query: Q,
    keep: bool,
}

impl<Q: QueryFragment<Pg>> QueryFragment<Pg> for Sent<Q> {
    fn walk_ast<'b>(&'b self, pass: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        self.query.walk_ast(pass)
    }

    fn is_safe_to_cache_prepared(&self, backend: &Pg) -> QueryResult<bool> {
        Ok(self.keep && self.query.is_safe_to_cache_prepared(backend)?)
    }
}

impl<Q> QueryId for Sent<Q> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<Q: Query> Query for Sent<Q> {
    type SqlType = Q::SqlType;
}

/// `query` as `s` sends it.
fn sent<Q>(s: &Schema, query: Q) -> Sent<Q> {
    Sent { query, keep: s.pooled_begin().is_none() }
}

/// Whether `conn` is inside a transaction (or a broken one).
fn in_transaction(conn: &mut AsyncPgConnection) -> QueryResult<bool> {
    Ok(AnsiTransactionManager::transaction_manager_status_mut(conn).transaction_depth()?.is_some())
}

/// Runs `query` on `conn` and answers how many rows it touched. Behind a pooler in transaction
/// mode ([`Schema::behind_pooler`]) a statement outside a transaction runs in one of its own, so
/// that its prepare and its execution reach the same server connection, and its statement is
/// closed before the transaction ends.
///
/// # Errors
/// Database errors only.
pub(crate) async fn execute<Q>(conn: &mut AsyncPgConnection, s: &Schema, query: Q) -> QueryResult<usize>
where
    Q: QueryFragment<Pg> + QueryId + Send,
{
    let query = sent(s, query);
    match s.pooled_begin() {
        Some(begin) if !in_transaction(conn)? => {
            pooled(conn, begin, |conn| async move { query.execute(conn).await }.scope_boxed()).await
        }
        _ => query.execute(conn).await,
    }
}

/// Runs `query` on `conn` and answers its rows, as [`execute`] runs a statement.
///
/// # Errors
/// Database errors only.
pub(crate) async fn load<'q, Q, U>(conn: &mut AsyncPgConnection, s: &Schema, query: Q) -> QueryResult<Vec<U>>
where
    Q: Send + 'q,
    Sent<Q>: LoadQuery<'q, AsyncPgConnection, U> + 'q,
    U: Send + 'q,
{
    let query = sent(s, query);
    match s.pooled_begin() {
        Some(begin) if !in_transaction(conn)? => {
            pooled(conn, begin, |conn| async move { query.load(conn).await }.scope_boxed()).await
        }
        _ => query.load(conn).await,
    }
}

/// Runs `query` on `conn` and answers its first row (`NotFound` without one), as [`load`].
///
/// # Errors
/// Database errors; `diesel::result::Error::NotFound` when there is no row.
pub(crate) async fn get_result<'q, Q, U>(conn: &mut AsyncPgConnection, s: &Schema, query: Q) -> QueryResult<U>
where
    Q: Send + 'q,
    Sent<Q>: LoadQuery<'q, AsyncPgConnection, U> + 'q,
    U: Send + 'q,
{
    load(conn, s, query).await?.into_iter().next().ok_or(diesel::result::Error::NotFound)
}

/// Runs `callback` in a transaction on `conn` (a savepoint inside one already open). Behind a
/// pooler it begins with the crate's bounds set for the transaction itself.
///
/// # Errors
/// The callback's error (the transaction rolled back), or the database's.
pub(crate) async fn transaction<'a, R, E, F>(
    conn: &mut AsyncPgConnection,
    s: &Schema,
    callback: F,
) -> Result<R, E>
where
    F: for<'r> FnOnce(&'r mut AsyncPgConnection) -> ScopedBoxFuture<'a, 'r, Result<R, E>> + Send + 'a,
    E: From<diesel::result::Error> + Send + 'a,
    R: Send + 'a,
{
    match s.pooled_begin() {
        Some(begin) if !in_transaction(conn)? => pooled(conn, begin, callback).await,
        _ => conn.transaction(callback).await,
    }
}

/// A transaction that begins with `begin` (the crate's bounds, set for it alone), as
/// diesel-async's own `transaction` ends one: committed on success, rolled back on error.
async fn pooled<'a, R, E, F>(conn: &mut AsyncPgConnection, begin: &str, callback: F) -> Result<R, E>
where
    F: for<'r> FnOnce(&'r mut AsyncPgConnection) -> ScopedBoxFuture<'a, 'r, Result<R, E>> + Send + 'a,
    E: From<diesel::result::Error> + Send + 'a,
    R: Send + 'a,
{
    AnsiTransactionManager::begin_transaction_sql(conn, begin).await?;
    match callback(&mut *conn).await {
        Ok(value) => {
            AnsiTransactionManager::commit_transaction(conn).await?;
            Ok(value)
        }
        Err(error) => match AnsiTransactionManager::rollback_transaction(conn).await {
            Ok(()) | Err(diesel::result::Error::BrokenTransactionManager) => Err(error),
            Err(rollback) => Err(rollback.into()),
        },
    }
}

/// [`execute`], [`load`] and [`get_result`] as methods at the end of a statement's chain:
/// `diesel::sql_query(..).bind(..).execute_on(conn, s)`.
pub(crate) trait Run: Sized + Send {
    /// [`execute`] this statement.
    fn execute_on<'c>(
        self,
        conn: &'c mut AsyncPgConnection,
        s: &'c Schema,
    ) -> impl std::future::Future<Output = QueryResult<usize>> + Send + 'c
    where
        Self: QueryFragment<Pg> + QueryId + 'c,
    {
        execute(conn, s, self)
    }

    /// [`load`] this statement's rows.
    fn load_on<'c, U>(
        self,
        conn: &'c mut AsyncPgConnection,
        s: &'c Schema,
    ) -> impl std::future::Future<Output = QueryResult<Vec<U>>> + Send + 'c
    where
        Sent<Self>: LoadQuery<'c, AsyncPgConnection, U> + 'c,
        U: Send + 'c,
        Self: 'c,
    {
        load(conn, s, self)
    }

    /// [`get_result`]: this statement's first row.
    fn get_result_on<'c, U>(
        self,
        conn: &'c mut AsyncPgConnection,
        s: &'c Schema,
    ) -> impl std::future::Future<Output = QueryResult<U>> + Send + 'c
    where
        Sent<Self>: LoadQuery<'c, AsyncPgConnection, U> + 'c,
        U: Send + 'c,
        Self: 'c,
    {
        get_result(conn, s, self)
    }
}

impl<Q: Send> Run for Q {}

#[cfg(test)]
mod tests {
    use super::*;

    fn kept<Q: QueryFragment<Pg>>(query: &Q) -> bool {
        query.is_safe_to_cache_prepared(&Pg).unwrap_or(false)
    }

    #[test]
    fn behind_a_pooler_nothing_is_kept_prepared() {
        let direct = Schema::new(Schema::DEFAULT).expect("schema");
        let pooled = direct.clone().behind_pooler(5, 3);
        // The crate's own statements are kept on its own connections...
        assert!(kept(&sent(&direct, diesel::sql_query("select 1").cached())));
        // ...a statement diesel marks unsafe to keep never is...
        assert!(!kept(&sent(&direct, diesel::sql_query("select 1"))));
        // ...and behind a pooler none is.
        assert!(!kept(&sent(&pooled, diesel::sql_query("select 1").cached())));
        assert_eq!(direct.pooled_begin(), None);
        assert_eq!(
            pooled.pooled_begin(),
            Some("begin; set local statement_timeout = '5s'; set local lock_timeout = '3s'")
        );
    }
}
