//! # rocket-user-account
//!
//! A Rocket 0.5 fairing that gives an existing auth server its *user account* endpoints:
//! password recovery (an admin starts it, the user verifies the emailed link and sets a new
//! password) and, in debug mode, an avatar lookup.
//!
//! ```no_run
//! use rocket_user_account::UserAccount;
//!
//! #[rocket::launch]
//! fn rocket() -> _ {
//!     rocket::build().attach(UserAccount::fairing())
//! }
//! ```
//!
//! The pool is configured under `databases.user_account` (a `postgres://` URL); everything
//! else under `user_account` has a default (see [`Config`]). The crate's tables live in a schema
//! of their own; the host's accounts are reached only through an [`AccountStore`], new
//! passwords are stored by a [`PasswordHasher`], callers are identified by an
//! [`Authenticator`], mail leaves through a [`SendMail`]: each has a default, and
//! [`UserAccount::builder`] takes the host's own. [`RecoveryService`] runs the flow without
//! HTTP; [`AdminScope`], [`PublicLimit`], [`DebugMode`] and [`RequestContext`] are guards a
//! host's own routes may take.
//!
//! The routes (under `user_account.mount`, default `/api/users`), the configuration keys, the
//! error codes, the reset page, the abuse limits, the mail outbox, the audit trail and every
//! security requirement with the test that proves it are documented in the repository's
//! `README.md` and `docs/`.
//!
//! ## Layers
//!
//! Each module imports only from the layers below its own, so no import cycle exists
//! (`python3 scripts/module_cycles.py` checks it, by file and by folder). From the bottom:
//! *domain* values that need nothing of the crate (`token`, `message`, `attached`, `config`,
//! `locale` (the languages every sentence for a person comes from), `request_context`, `error`); *parts* with no storage (`password`); *storage*: the crate's
//! tables and queries (`db`), the account store (`accounts`) and the one liveness rule
//! (`liveness`); *services* over storage (`mail`, `rate_limit`, `auth`, `recovery`'s
//! `RecoveryService`); *HTTP*: guards, routes, catchers, the OpenAPI document and the reset page
//! (`json`, `debug`, `headers`, `recovery::routes`, `avatar`, `reset_page`, `openapi`,
//! `routes`); and the *fairing* that wires it all. A type two layers need lives in the lower
//! one; a guard's launch check is `attached::missing`, not the fairing's.
//!
//! ## Errors
//!
//! Every error under the mount point, Rocket's own included (404, 405, 408, 413, 415, 422, 429),
//! is JSON of one shape, with the status decided by [`Error`]:
//!
//! ```json
//! {"error": {"code": "not_found", "message": "No such resource.", "request_id": "..."}}
//! ```
//!
//! ## Headers
//!
//! Every response under the mount point, catchers and errors included, carries `X-Request-Id`
//! (also in the error body and the log line), `X-Content-Type-Options: nosniff`,
//! `Referrer-Policy: no-referrer`, `Content-Security-Policy: frame-ancestors 'none'`,
//! `Cache-Control: no-store` (the avatar keeps its own short private caching) and
//! `application/json; charset=utf-8` for JSON, and no `Server` banner whatever the host's `ident`.
//! With the database away, every route answers a JSON 503 within the pool's `connect_timeout`
//! (5 s) and recovers by itself when the database is back.

pub mod accounts;
mod attached;
pub mod auth;
mod avatar;
#[cfg(feature = "bench")]
mod bench;
pub mod config;
mod db;
pub mod debug;
#[cfg(feature = "cli")]
pub mod dev_db;
pub mod error;
pub mod fairing;
mod headers;
#[cfg(feature = "internals")]
pub mod internals;
mod json;
mod liveness;
pub(crate) mod locale;
pub mod mail;
mod message;
pub mod metrics;
mod openapi;
pub mod password;
pub mod rate_limit;
pub mod recovery;
pub mod request_context;
mod reset_page;
mod routes;
mod token;

/// The diesel this crate is built with (2.1, which rocket_db_pools 0.2 pins through
/// diesel-async 0.4): write an [`AccountStore`] against it, so its queries run on exactly the
/// connection type the crate hands it.
pub use diesel;
/// The diesel-async this crate is built with (0.4): [`diesel_async::AsyncPgConnection`] is the
/// connection every [`AccountStore`] method gets.
pub use diesel_async;

pub use accounts::{Account, AccountStore, Avatar};
pub use auth::{AdminScope, AuthError, Authenticator, Principal};
pub use config::{Argon2Config, Config, ConfigError, Mail, MailTransport, PasswordPolicy, RateLimits};
pub use debug::DebugMode;
pub use error::{Error, Feedback, Hint, Invalid, Reason, Weakness};
pub use fairing::{UserAccount, UserAccountBuilder};
pub use mail::SendMail;
pub use password::{HashSlot, HashingPool, PasswordHasher};
pub use rate_limit::PublicLimit;
pub use recovery::answers::{Changed, Queued, Target, Verdict};
pub use recovery::idempotency::IdempotencyKey;
pub use recovery::{RecoveryService, RequestCheck};
pub use request_context::RequestContext;
