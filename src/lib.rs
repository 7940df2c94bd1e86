//! # rocket-user-account
//!
//! A Rocket 0.5 fairing that gives an auth server its *user account* endpoints.
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
//! else under `user_account` has a default (see [`Config`] and the README's table). The crate
//! owns its migrations and runs them at ignition under an advisory lock.
//!
//! ## Routes (under `user_account.mount`, default `/api/users`)
//!
//! | method | path | guard | success |
//! |---|---|---|---|
//! | POST | `/password-recovery` | [`AdminScope`] | 200 `{"status":"queued","user_id":..,"expires_at":..}` |
//! | POST | `/verify-recovery-token` | none (per-IP limit) | 200 `{"valid":true,..}` or `{"valid":false,"reason":..}` |
//! | POST | `/change-password` | none (per-IP limit) | 200 `{"status":"password_changed",..}` |
//! | GET | `/<id>/avatar` | [`DebugMode`] | 200 image bytes (with `ETag`), 304, or 302 to the stored URL |
//!
//! See [`recovery`] for the flow and [`mail`] for the durable outbox.
//!
//! ## Errors
//!
//! Every error under the mount point, Rocket's own included (404, 405, 413, 415, 422, 429),
//! is JSON of one shape, with the status decided by [`Error`]:
//!
//! ```json
//! {"error": {"code": "not_found", "message": "No such resource.", "request_id": "..."}}
//! ```
//!
//! The configuration keys and their defaults are on [`Config`]; the README has them as a table.

pub mod accounts;
pub mod auth;
pub mod avatar;
pub mod config;
pub mod db;
pub mod debug;
pub mod dev_db;
pub mod error;
mod fairing;
mod headers;
pub mod json;
pub mod mail;
pub mod password;
pub mod rate_limit;
pub mod recovery;
pub mod request_context;
mod routes;
pub mod token;

pub use accounts::{Account, AccountStore, Avatar, DefaultStore};
pub use auth::{AdminScope, AuthError, Authenticator, Principal, SessionAuthenticator};
pub use config::Config;
pub use debug::DebugMode;
pub use error::{Error, ErrorResponse};
pub use fairing::{UserAccount, UserAccountBuilder};
pub use password::{Argon2idHasher, PasswordHasher};
pub use recovery::RecoveryService;
