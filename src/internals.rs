//! The crate's internals, for its runnable server (`src/bin/user-account`), its examples and its
//! test suite: the migrations and the pool, the mail queue's passes, the default parts, tokens
//! and password hashing outside a request. Behind the `internals` feature (which `cli` turns
//! on), and outside the crate's semver promise: a host uses the crate's root items instead.

pub use crate::accounts::DefaultStore;
pub use crate::auth::SessionAuthenticator;
pub use crate::avatar::{sniff_image, validate_url};
pub use crate::config::Schema;
pub use crate::db::{run_migrations, run_migrations_of, Db, DbConn, Migrations, MIGRATIONS};
pub use crate::debug::debug_routes_enabled;
pub use crate::json::JsonBody;
pub use crate::mail::{DeliveryReport, MailQueue};
pub use crate::password::{hash, verify, Argon2idHasher};
pub use crate::token::PlainToken;
