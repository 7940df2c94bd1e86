//! `RequestContext`: the request id and client IP that audit events and logs carry.

use std::net::IpAddr;

use rocket::request::{FromRequest, Outcome, Request};
use uuid::Uuid;

use crate::config::Config;

/// The request's id and its client's IP.
#[derive(Debug, Clone)]
pub struct RequestContext {
    /// A fresh id for this request.
    pub request_id: String,
    /// From the socket, or from `trusted_proxy_header` when configured; never from Rocket's
    /// default `X-Real-IP`, which any client can set.
    pub client_ip: Option<IpAddr>,
}

impl RequestContext {
    /// The context of `req`, made once per request.
    pub fn of<'r>(req: &'r Request<'_>) -> &'r RequestContext {
        req.local_cache(|| {
            let header = req.rocket().state::<Config>().and_then(|c| c.trusted_proxy_header.as_deref());
            let from_header = header
                .and_then(|h| req.headers().get_one(h))
                .and_then(|v| v.split(',').next())
                .and_then(|v| v.trim().parse().ok());
            RequestContext {
                request_id: Uuid::new_v4().simple().to_string(),
                client_ip: from_header.or_else(|| req.remote().map(|a| a.ip())),
            }
        })
    }
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for &'r RequestContext {
    type Error = std::convert::Infallible;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        Outcome::Success(RequestContext::of(req))
    }
}
