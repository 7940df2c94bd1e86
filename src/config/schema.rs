//! `Schema`: the PostgreSQL schema the crate's tables live in, as a checked identifier.

use std::fmt;
use std::sync::Arc;

/// The PostgreSQL schema the crate's tables and migrations live in (`user_account.schema`),
/// as it appears in SQL, and how the crate's statements reach it. Only plain lowercase names
/// are accepted, so it needs no quoting rules beyond the quotes it is shown with.
///
/// Every statement of the crate is written against a `Schema`, so it also carries the one
/// thing that changes how a statement is sent: whether the pool goes through a pooler in
/// transaction mode (`user_account.prepared_statements = false`, see `crate::db::sql`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schema(Arc<str>, Option<Arc<str>>);

impl Schema {
    /// The default schema, `user_account`.
    pub const DEFAULT: &'static str = "user_account";

    /// `name` as a schema, if it is a plain identifier: a lowercase letter or `_`, then
    /// lowercase letters, digits or `_`, at most 63 bytes, and not a `pg_` name.
    ///
    /// # Errors
    /// A sentence saying what is wrong with the name.
    pub fn new(name: &str) -> Result<Schema, String> {
        let plain = name
            .bytes()
            .enumerate()
            .all(|(i, b)| b.is_ascii_lowercase() || b == b'_' || (i > 0 && b.is_ascii_digit()));
        if name.is_empty() || name.len() > 63 || !plain {
            return Err("must be a plain lowercase identifier (a-z, 0-9, _; at most 63 bytes)".into());
        }
        if name.starts_with("pg_") || name == "public" || name == "information_schema" {
            return Err(format!(
                "`{name}` is PostgreSQL's or the host's; the crate needs a schema of its own"
            ));
        }
        Ok(Schema(name.into(), None))
    }

    /// This schema, reached through a pooler in transaction mode: no statement is kept
    /// prepared, each one outside a transaction runs in one of its own, and every transaction
    /// begins by setting the crate's bounds for itself (`statement_secs`, `lock_secs`), as a
    /// session setting would follow the pooler's server connection, not the crate's.
    #[must_use]
    pub fn behind_pooler(self, statement_secs: u64, lock_secs: u64) -> Schema {
        let begin = format!(
            "begin; set local statement_timeout = '{statement_secs}s'; set local lock_timeout = '{lock_secs}s'"
        );
        Schema(self.0, Some(begin.into()))
    }

    /// The statement that begins a transaction behind a pooler, with the crate's bounds; `None`
    /// when statements are kept prepared on a connection of the crate's own.
    pub(crate) fn pooled_begin(&self) -> Option<&str> {
        self.1.as_deref()
    }

    #[cfg(feature = "internals")]
    /// The bare name.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Schema {
    /// The quoted name, to put before a table name: `"user_account"`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "\"{}\"", self.0)
    }
}
