//! `Schema`: the PostgreSQL schema the crate's tables live in, as a checked identifier.

use std::fmt;
use std::sync::Arc;

/// The PostgreSQL schema the crate's tables and migrations live in (`user_account.schema`),
/// as it appears in SQL. Only plain lowercase names are accepted, so it needs no quoting
/// rules beyond the quotes it is shown with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schema(Arc<str>);

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
        Ok(Schema(name.into()))
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
