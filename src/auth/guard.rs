//! The `AdminScope` request guard.

use std::collections::BTreeMap;

use crate::error::responses::{Forbidden, ServiceUnavailable, TooManyRequests, Unauthorized};
use utoipa::openapi::{RefOr, Response as ApiResponse};
use utoipa::IntoResponses;

use rocket::request::{FromRequest, Outcome, Request};

use super::{AdminScope, ManagedAuthenticator};
use crate::config::Config;
use crate::config::Schema;
use crate::db::audit::{event, NewAuditEvent};
use crate::db::DbConn;
use crate::error::Error;
use crate::rate_limit;
use crate::request_context::RequestContext;

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

impl rocket::Sentinel for AdminScope {
    fn abort(rocket: &rocket::Rocket<rocket::Ignite>) -> bool {
        crate::attached::missing(rocket, "AdminScope")
    }
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for AdminScope {
    type Error = Error;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, Error> {
        match admin(req).await {
            Ok(admin) => Outcome::Success(admin),
            Err(e) => {
                let e = if matches!(e, Error::Unauthenticated | Error::Forbidden) {
                    refuse(req, e).await
                } else {
                    e
                };
                Outcome::Error((e.stash(req), e))
            }
        }
    }
}

/// A caller who could not show the scope is an unauthenticated caller: count the call against
/// the client's IP like the public routes (so anonymous floods of an admin route are limited
/// too), then record the refusal. Returns the error to answer with: the refusal, or 429.
async fn refuse(req: &Request<'_>, refusal: Error) -> Error {
    let ctx = RequestContext::of(req);
    let outcome = async {
        let Some(schema) = req.rocket().state::<Schema>() else {
            return Err(Error::Internal("no schema".into()));
        };
        rate_limit::count_public(req).await?;
        let mut conn = DbConn::get(req.rocket()).await?;
        NewAuditEvent::new(event::AUTHZ_FAILED)
            .request(ctx)
            .details(
                serde_json::json!({ "status": refusal.status().code, "path": req.uri().path().as_str() }),
            )
            .insert(&mut conn, schema)
            .await
            .map_err(Error::from)
    };
    match outcome.await {
        Ok(()) => refusal,
        Err(limited @ Error::RateLimited { .. }) => limited,
        Err(e) => {
            log::warn!(
                "user_account: request {}: could not record a refused authorization: {e}",
                ctx.request_id
            );
            refusal
        }
    }
}

/// The errors of [`AdminScope`]: no or bad credentials, credentials without the scope, a
/// refused caller over the per-IP limit, an authenticator that cannot reach the database.
impl IntoResponses for AdminScope {
    fn responses() -> BTreeMap<String, RefOr<ApiResponse>> {
        [Unauthorized::entry(), Forbidden::entry(), TooManyRequests::entry(), ServiceUnavailable::entry()]
            .into()
    }
}
