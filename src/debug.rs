//! `DebugMode`: the one place that decides whether debug-only routes answer.

use rocket::http::Status;
use rocket::request::{FromRequest, Outcome, Request};

use crate::config::Config;

/// The OpenAPI tag of the operations that answer only in debug mode.
pub(crate) const OPENAPI_TAG: &str = "debug";

/// Passes when Rocket runs its debug profile or `user_account.debug_routes = true`. Otherwise
/// the request is forwarded with 404, so the route answers exactly like one that does not exist.
#[derive(Debug, Clone, Copy)]
pub struct DebugMode;

/// Whether debug-only routes are live for this Rocket and configuration.
#[must_use]
pub(crate) fn debug_routes_enabled<P: rocket::Phase>(rocket: &rocket::Rocket<P>, config: &Config) -> bool {
    rocket.figment().profile() == rocket::Config::DEBUG_PROFILE || config.debug_routes
}

impl rocket::Sentinel for DebugMode {
    fn abort(rocket: &rocket::Rocket<rocket::Ignite>) -> bool {
        crate::attached::missing(rocket, "DebugMode")
    }
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for DebugMode {
    type Error = std::convert::Infallible;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        match req.rocket().state::<Config>() {
            Some(config) if debug_routes_enabled(req.rocket(), config) => Outcome::Success(DebugMode),
            _ => Outcome::Forward(Status::NotFound),
        }
    }
}
