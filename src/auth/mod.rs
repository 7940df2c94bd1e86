//! Who is calling: the [`Authenticator`] seam, its default implementation over `sessions`, and
//! the [`AdminScope`] request guard built on it.

mod guard;
pub(crate) mod session;

pub(crate) use session::SessionAuthenticator;

use std::sync::Arc;

use crate::error::Error;
use rocket::request::Request;

/// A caller holding the configured admin scope (`user_account.admin_scope`, default `admin`).
///
/// Fails with 401 (and `WWW-Authenticate: Bearer`) when credentials are missing or not valid,
/// 403 when they are valid but lack the scope, and 503 when the authenticator cannot decide.
/// Hosts can put it on their own routes; under this crate's mount point the failure is the
/// JSON error envelope, elsewhere take `Result<AdminScope, Error>` to render it yourself.
#[derive(Debug, Clone)]
pub struct AdminScope(pub Principal);

/// An authenticated caller.
#[derive(Debug, Clone)]
pub struct Principal {
    /// A stable identifier for rate limits and the audit trail (for the default
    /// authenticator, the user id).
    pub subject: String,
    /// The caller's account id, when the caller is an account (recorded as who asked for a
    /// recovery; never required to exist in any table).
    pub user_id: Option<String>,
    /// What the caller may do.
    pub scopes: Vec<String>,
}

impl Principal {
    /// Whether the caller holds `scope`.
    #[must_use]
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope)
    }
}

/// Why a caller could not be authenticated.
#[derive(Debug)]
pub enum AuthError {
    /// No credentials were presented (401).
    Missing,
    /// Credentials were presented but are not valid: unknown, expired, revoked, malformed, or
    /// their user is disabled (401).
    Invalid,
    /// The authenticator could not decide, e.g. the database is down (503 or 500).
    Failed(Error),
}

impl From<AuthError> for Error {
    fn from(e: AuthError) -> Error {
        match e {
            AuthError::Missing | AuthError::Invalid => Error::Unauthenticated,
            AuthError::Failed(e) => e,
        }
    }
}

/// Decides who is calling. The default reads bearer tokens from the default store's `sessions`; a host passes its own to
/// [`crate::UserAccountBuilder::authenticator`].
///
/// [`AdminScope`] calls it, then requires the scope named by `user_account.admin_scope`
/// (default `admin`) among [`Principal::scopes`]: map the host's notion of an administrator (a
/// staff flag, a role) to that scope. Answer [`AuthError::Missing`] when no credentials came
/// (401), [`AuthError::Invalid`] for bad, expired or revoked ones (401), and
/// [`AuthError::Failed`] with [`Error::Unavailable`] when the host's pool or database cannot
/// be reached (503, the cause logged, never sent) or [`Error::Internal`] for anything else
/// (500).
///
/// ```
/// use rocket::request::Request;
/// use rocket_db_pools::{diesel::PgPool, Database};
/// use rocket_user_account::{AuthError, Authenticator, Error, Principal};
///
/// /// The host's own pool, attached by the host.
/// #[derive(Database)]
/// #[database("host")]
/// struct HostDb(PgPool);
///
/// struct HostAuthenticator;
///
/// #[rocket::async_trait]
/// impl Authenticator for HostAuthenticator {
///     async fn authenticate(&self, request: &Request<'_>) -> Result<Principal, AuthError> {
///         let header = request.headers().get_one("Authorization").ok_or(AuthError::Missing)?;
///         let token = header.strip_prefix("Bearer ").ok_or(AuthError::Invalid)?;
///         // The host's pool, reached through the request's rocket.
///         let db = HostDb::fetch(request.rocket())
///             .ok_or_else(|| AuthError::Failed(Error::Internal("the host pool is not attached".into())))?;
///         let mut conn = db
///             .get()
///             .await
///             .map_err(|e| AuthError::Failed(Error::Unavailable(format!("host pool: {e}"))))?;
///         // Look `token` up in the host's sessions on `conn` (by its digest); unknown: Invalid.
///         let _ = (&mut conn, token);
///         let staff = true;
///         Ok(Principal {
///             subject: "member:7".into(),
///             user_id: Some("7".into()),
///             // `admin` is `user_account.admin_scope`'s default.
///             scopes: if staff { vec!["admin".into()] } else { Vec::new() },
///         })
///     }
/// }
/// ```
#[rocket::async_trait]
pub trait Authenticator: Send + Sync + 'static {
    /// The caller of `request`, or why not.
    async fn authenticate(&self, request: &Request<'_>) -> Result<Principal, AuthError>;
}

/// The authenticator the fairing manages.
#[derive(Clone)]
pub(crate) struct ManagedAuthenticator(pub(crate) Arc<dyn Authenticator>);
