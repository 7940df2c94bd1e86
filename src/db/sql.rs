//! [`Cached`]: the crate's raw SQL, kept prepared on each connection.
//!
//! diesel's `sql_query` marks every statement unsafe to cache, so diesel-async prepares it
//! again on each call: a Parse/Describe round trip and a fresh plan before every Bind/Execute.
//! The crate's statements are a fixed set (their text varies only with the configured schema;
//! every value from a request is a bind), so they are safe to keep: diesel-async's statement
//! cache keys them by their text and bind types, and each connection prepares each statement
//! once. Measured on verify (`strace -c` on the server under load): three `sendto` calls to
//! the database per request before, one after.

use diesel::pg::Pg;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::QueryResult;

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
