//! The route table under the mount point, the 405 answers for the other methods on its
//! paths, and the JSON catchers scoped to the mount point.

use std::collections::BTreeMap;

use rocket::http::{Method, Status};
use rocket::request::Request;
use rocket::route::{Handler, Outcome, Route};
use rocket::{catch, catchers, routes, Catcher, Data};

use crate::error::{Error, ErrorResponse};
use crate::{avatar, openapi};

/// The routes this crate mounts: recovery and the OpenAPI document always, the avatar only when
/// debug routes are enabled and `forgot-password` only when self-service recovery is, so that
/// otherwise their paths do not exist at all (not even as a 405).
#[must_use]
pub fn routes(debug_routes: bool, self_service: bool) -> Vec<Route> {
    let mut routes: Vec<Route> = crate::recovery::routes();
    if debug_routes {
        routes.extend(routes![avatar::avatar]);
    }
    if self_service {
        routes.extend(crate::recovery::self_service_routes());
    }
    routes.push(openapi::route(openapi::document(debug_routes, self_service)));
    let fallbacks = method_not_allowed(&routes);
    routes.extend(fallbacks);
    routes
}

/// The JSON catchers, registered at the mount point so the host's own catchers are untouched.
#[must_use]
pub fn catchers() -> Vec<Catcher> {
    catchers![json_catcher]
}

#[catch(default)]
fn json_catcher(status: Status, req: &Request<'_>) -> ErrorResponse {
    ErrorResponse::for_request(status, req)
}

/// The methods a path under the mount point answers: its own, or 405 with `Allow`. (CONNECT
/// names an authority, not a path.)
const METHODS: [Method; 8] = [
    Method::Get,
    Method::Head,
    Method::Post,
    Method::Put,
    Method::Delete,
    Method::Patch,
    Method::Options,
    Method::Trace,
];

/// For every path in `routes`, a route answering 405 (with `Allow`) for each method the path
/// does not take. Rocket itself would answer 404.
fn method_not_allowed(routes: &[Route]) -> Vec<Route> {
    let mut by_path: BTreeMap<String, Vec<Method>> = BTreeMap::new();
    for route in routes {
        let methods = by_path.entry(route.uri.unmounted_origin.path().to_string()).or_default();
        methods.push(route.method);
        if route.method == Method::Get {
            methods.push(Method::Head);
        }
    }
    // Each path's 405 routes get a rank of their own: two paths that can match one request
    // (`/<id>/avatar` and `/password-recovery/<recovery_id>`) must not collide at launch.
    by_path
        .into_iter()
        .zip(100..)
        .flat_map(|((path, taken), rank)| {
            let allow: Vec<&str> =
                METHODS.into_iter().filter(|m| taken.contains(m)).map(Method::as_str).collect();
            let allow = allow.join(", ");
            METHODS
                .into_iter()
                .filter(move |m| !taken.contains(m))
                .map(move |m| Route::ranked(rank, m, &path, MethodNotAllowed { allow: allow.clone() }))
        })
        .collect()
}

#[derive(Clone)]
struct MethodNotAllowed {
    allow: String,
}

#[rocket::async_trait]
impl Handler for MethodNotAllowed {
    async fn handle<'r>(&self, req: &'r Request<'_>, _data: Data<'r>) -> Outcome<'r> {
        let e = Error::MethodNotAllowed { allow: self.allow.clone() };
        Outcome::Error(e.stash(req))
    }
}
