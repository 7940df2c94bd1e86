//! The headers every response under the mount point carries, catchers and errors included.

use rocket::http::{ContentType, Header};
use rocket::{Request, Response};

use crate::request_context::RequestContext;

/// Adds the request id and the security headers and drops any `Server` banner. Responses that set their own
/// `Cache-Control` (the avatar's images and redirects) keep it; everything else is `no-store`.
/// JSON says its charset.
pub fn harden(req: &Request<'_>, res: &mut Response<'_>) {
    // No product banner on these routes, whatever the host's `ident`.
    res.remove_header("Server");
    res.set_header(Header::new("X-Request-Id", RequestContext::of(req).request_id.clone()));
    res.set_header(Header::new("X-Content-Type-Options", "nosniff"));
    res.set_header(Header::new("Referrer-Policy", "no-referrer"));
    res.set_header(Header::new("Content-Security-Policy", "frame-ancestors 'none'"));
    if !res.headers().contains("Cache-Control") {
        res.set_header(Header::new("Cache-Control", "no-store"));
    }
    if res.content_type().is_some_and(|ct| ct == ContentType::JSON) {
        res.set_header(Header::new("Content-Type", "application/json; charset=utf-8"));
    }
}
