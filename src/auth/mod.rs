//! Who is calling: the [`Authenticator`] seam, its default implementation over `sessions`, and
//! the [`AdminScope`] request guard built on it.

mod guard;
mod session;

pub use guard::AdminScope;
pub use session::SessionAuthenticator;

use std::sync::Arc;

use crate::error::Error;
use rocket::request::Request;

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

/// Decides who is calling. The default is [`SessionAuthenticator`]; a host passes its own to
/// [`crate::UserAccountBuilder::authenticator`].
#[rocket::async_trait]
pub trait Authenticator: Send + Sync + 'static {
    /// The caller of `request`, or why not.
    async fn authenticate(&self, request: &Request<'_>) -> Result<Principal, AuthError>;
}

/// The authenticator the fairing manages.
#[derive(Clone)]
pub(crate) struct ManagedAuthenticator(pub(crate) Arc<dyn Authenticator>);
