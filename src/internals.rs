//! The crate's internals, for its runnable server (`src/bin/user-account`), its examples and its
//! test suite: the migrations and the pool, the mail queue's passes, the default parts, tokens
//! and password hashing outside a request. Behind the `internals` feature (which `cli` turns
//! on), and outside the crate's semver promise: a host uses the crate's root items instead.

use rocket::{Phase, Rocket};

pub use crate::accounts::default_store::DefaultStore;
pub use crate::auth::session::SessionAuthenticator;
pub use crate::avatar::{sniff_image, validate_url};
pub use crate::config::schema::Schema;
pub use crate::db::{run_migrations, run_migrations_of, Db, DbConn, Migrations, MIGRATIONS};
pub use crate::json::JsonBody;
pub use crate::locale::Locales;
pub use crate::mail::worker::{DeliveryReport, MailQueue};
pub use crate::password::{hash, verify};
pub use crate::token::PlainToken;
use crate::Config;

/// Whether the debug-only routes answer on `rocket` with `config` (the debug profile, or
/// `user_account.debug_routes`).
#[must_use]
pub fn debug_routes_enabled<P: Phase>(rocket: &Rocket<P>, config: &Config) -> bool {
    crate::debug::debug_routes_enabled(rocket, config)
}
