//! The `AdminScope` request guard.

use rocket::request::{FromRequest, Outcome, Request};

use super::{ManagedAuthenticator, Principal};
use crate::config::Config;
use crate::db::audit::{event, NewAuditEvent};
use crate::db::DbConn;
use crate::error::Error;
use crate::request_context::RequestContext;

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
            Err(e) => {
                if matches!(e, Error::Unauthenticated | Error::Forbidden) {
                    record_refusal(req, &e).await;
                }
                Outcome::Error((e.stash(req), e))
            }
        }
    }
}

/// Records the refusal in the audit trail; a failure to record is logged, not fatal.
async fn record_refusal(req: &Request<'_>, e: &Error) {
    let ctx = RequestContext::of(req);
    let event = NewAuditEvent::new(event::AUTHZ_FAILED)
        .request(ctx)
        .details(serde_json::json!({ "status": e.status().code, "path": req.uri().path().as_str() }));
    let recorded = match DbConn::get(req.rocket()).await {
        Ok(mut conn) => event.insert(&mut conn).await.map_err(Error::from),
        Err(e) => Err(e),
    };
    if let Err(e) = recorded {
        log::warn!("user_account: request {}: could not record a refused authorization: {e}", ctx.request_id);
    }
}
