//! The `AdminScope` request guard.

use rocket::request::{FromRequest, Outcome, Request};

use super::{ManagedAuthenticator, Principal};
use crate::config::Config;
use crate::error::Error;

/// A caller holding the configured admin scope (`user_account.admin_scope`, default `admin`).
///
/// Fails with 401 (and `WWW-Authenticate: Bearer`) when credentials are missing or not valid,
/// 403 when they are valid but lack the scope, and 503 when the authenticator cannot decide.
/// Hosts can put it on their own routes; under this crate's mount point the failure is the
/// JSON error envelope, elsewhere take `Result<AdminScope, Error>` to render it yourself.
#[derive(Debug, Clone)]
pub struct AdminScope(pub Principal);

async fn admin(req: &Request<'_>) -> Result<AdminScope, Error> {
    let (Some(authn), Some(config)) =
        (req.rocket().state::<ManagedAuthenticator>(), req.rocket().state::<Config>())
    else {
        return Err(Error::Internal("AdminScope used without the UserAccount fairing".into()));
    };
    let principal = authn.0.authenticate(req).await?;
    if principal.has_scope(&config.admin_scope) {
        Ok(AdminScope(principal))
    } else {
        Err(Error::Forbidden)
    }
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for AdminScope {
    type Error = Error;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, Error> {
        match admin(req).await {
            Ok(admin) => Outcome::Success(admin),
            Err(e) => Outcome::Error((e.stash(req), e)),
        }
    }
}
