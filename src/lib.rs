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
//! else under `user_account` has a default (see [`Config`] and the README's table). The crate's
//! tables live in a schema of their own ([`db`]); the host's accounts are reached only through an
//! [`AccountStore`] ([`accounts`]), new passwords are stored by a [`PasswordHasher`], callers are
//! identified by an [`Authenticator`]: each has a default, and [`UserAccount::builder`] takes the
//! host's own.
//!
//! ## Routes (under `user_account.mount`, default `/api/users`)
//!
//! | method | path | guard | success |
//! |---|---|---|---|
//! | POST | `/password-recovery` | [`AdminScope`] | 200 `{"status":"queued","user_id":"..","expires_at":..}` |
//! | POST | `/verify-recovery-token` | none (per-IP limit) | 200 `{"valid":true,..}` or `{"valid":false,"reason":..}` |
//! | POST | `/change-password` | none (per-IP limit) | 200 `{"status":"password_changed",..}` |
//! | GET | `/<id>/avatar` | [`DebugMode`] | 200 image bytes (with `ETag`), 304, or 302 to the stored URL |
//! | GET | `/openapi.json` | none | 200 the OpenAPI 3.1 document of these routes |
//! | GET | `<reset_path>` (outside the mount) | none | the reset page, when `reset_page` is on ([`reset_page`]) |
//!
//! The routes are thin over [`RecoveryService`]; see [`recovery`] for the flow, [`rate_limit`]
//! for the abuse limits, [`mail`] for the durable outbox, [`db::audit`] for the audit trail and
//! [`security`] for every reviewer's requirement with the test that proves it.
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
pub mod avatar;
#[cfg(feature = "bench")]
pub mod bench;
pub mod config;
pub mod db;
pub mod debug;
#[cfg(feature = "cli")]
pub mod dev_db;
pub mod error;
mod fairing;
mod headers;
pub mod json;
mod liveness;
pub mod mail;
mod message;
mod openapi;
pub mod password;
pub mod rate_limit;
pub mod recovery;
pub mod request_context;
pub mod reset_page;
mod routes;
pub mod token;

/// The diesel this crate is built with (2.1, which rocket_db_pools 0.2 pins through
/// diesel-async 0.4): write an [`AccountStore`] against it, so its queries run on exactly the
/// connection type the crate hands it.
pub use diesel;
/// The diesel-async this crate is built with (0.4): [`diesel_async::AsyncPgConnection`] is the
/// connection every [`AccountStore`] method gets.
pub use diesel_async;

pub use accounts::{Account, AccountStore, Avatar, DefaultStore};
pub use auth::{AdminScope, AuthError, Authenticator, Principal, SessionAuthenticator};
pub use config::Config;
pub use debug::DebugMode;
pub use error::{Error, ErrorResponse, Weakness};
pub use fairing::{UserAccount, UserAccountBuilder};
pub use password::{Argon2idHasher, PasswordHasher};
pub use rate_limit::{PublicLimit, PublicLimitOverlapped};
pub use recovery::RecoveryService;
pub use request_context::RequestContext;
