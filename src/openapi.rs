//! The OpenAPI 3.1 document of these routes, served at `GET <mount>/openapi.json`.
//!
//! It is generated from the code with [`utoipa`]: every operation from its handler (the
//! `#[utoipa::path]` beside each route: path and method from Rocket's own attribute, the
//! handler's rustdoc as its description), every body from its Rust type, and the error
//! statuses from what answers them: each guard states the errors it can answer (the
//! `IntoResponses` impls in [`responses`] for `AdminScope`, `PublicLimit` and `JsonBody`), each
//! route adds its service's, and every error is the [`ErrorEnvelope`] schema through one
//! reusable response per status (with `WWW-Authenticate` on 401, `Allow` on 405 and
//! `Retry-After` on 429).
//!
//! The paths are the real ones: the document's paths are the mount point followed by the
//! route's path (`/api/users/password-recovery`), and the one server is `/`, so a generated
//! client or a fuzzer takes the server's origin as its base URL whatever the mount. Every
//! operation says its security: the bearer scheme, or `[]` for the public ones. The avatar
//! route appears only where it answers (debug mode).
//!
//! The document is built once, when the fairing mounts the routes at ignition; its JSON text
//! with the mount point is rendered once, on the first request (the handler learns the mount
//! point from the route Rocket matched), and served from memory from then on.

use std::io::Cursor;
use std::sync::{Arc, OnceLock};

use rocket::http::{ContentType, Method};
use rocket::route::{Handler, Outcome, Route};
use rocket::{Data, Request, Response};
use serde_json::Value;
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ObjectBuilder, OpenApi as Document, RefOr, Response as ApiResponse, Type};
use utoipa::{Modify, OpenApi, PartialSchema, ToSchema};

use crate::debug::OPENAPI_TAG as DEBUG;
use crate::error::responses::{
    BadRequest, Conflict, Forbidden, InternalServerError, NotAcceptable, NotFound, PayloadTooLarge,
    RequestTimeout, ServiceUnavailable, TooManyRequests, Unauthorized, UnprocessableEntity,
    UnsupportedMediaType,
};
use crate::error::Reason;
use crate::error::{Error, ErrorEnvelope};
use crate::recovery::routes::{OPENAPI_TAG as RECOVERY, SELF_SERVICE_TAG as SELF_SERVICE};
use crate::{avatar, recovery};

/// The document's path, under the mount point.
const PATH: &str = "/openapi.json";

/// The operations' tag for this document.
const DOCUMENT: &str = "document";
/// The name of the bearer security scheme.
const BEARER: &str = "bearer";

#[derive(OpenApi)]
#[openapi(
    info(description = "The user-account routes of a Rocket auth server (the `rocket-user-account` \
        crate): password recovery, and in debug mode an avatar lookup.\n\n\
        Every error is JSON of one shape, the `ErrorEnvelope` schema: \
        `{\"error\": {\"code\", \"message\", \"details\"?, \"request_id\"}}`, with `details` typed \
        per `code` (the `ErrorBody` schema). Besides the operations below, a method a path does \
        not take answers 405 `method_not_allowed` with `Allow` listing the methods it takes, a \
        path that does not exist under the mount point answers 404 `not_found`, and a request \
        Rocket cannot parse at all (a method it does not know) 400 `bad_request`. Every response \
        carries `X-Request-Id`, \
        `X-Content-Type-Options: nosniff`, `Referrer-Policy: no-referrer` and \
        `Cache-Control: no-store` (the avatar keeps its own short private caching)."),
    paths(
        recovery::routes::password_recovery,
        recovery::routes::verify_recovery_token,
        recovery::routes::change_password,
        recovery::routes::recovery_status,
        recovery::routes::recovery_tokens,
        recovery::routes::revoke_recovery_token,
        recovery::routes::cancel_recovery,
        recovery::routes::forgot_password,
        avatar::avatar,
        openapi_json,
    ),
    components(schemas(ErrorEnvelope), responses(
        BadRequest,
        Unauthorized,
        Forbidden,
        NotFound,
        NotAcceptable,
        RequestTimeout,
        Conflict,
        PayloadTooLarge,
        UnsupportedMediaType,
        UnprocessableEntity,
        TooManyRequests,
        InternalServerError,
        ServiceUnavailable,
    )),
    modifiers(&Bearer, &Public, &Headers, &Origin, &RequestIds),
    tags(
        (name = RECOVERY, description = "An admin starts a recovery (a tokened email); the user \
            checks the emailed link and sets a new password with it."),
        (name = SELF_SERVICE, description = "A user asks for a link themselves; mounted only when \
            `user_account.self_service_recovery = true` (otherwise a JSON 404). The answer is the \
            same whether or not the address has an account."),
        (name = DEBUG, description = "Answers only when Rocket runs its debug profile or \
            `user_account.debug_routes = true`; otherwise the path does not exist (a JSON 404)."),
        (name = DOCUMENT, description = "This document."),
    )
)]
struct ApiDoc;

/// The document with the paths as the routes declare them (relative to the mount point),
/// without the debug-only operations unless `debug_routes`, nor the self-service one unless
/// `self_service`.
#[must_use]
pub(crate) fn document(debug_routes: bool, self_service: bool) -> Document {
    let mut doc = ApiDoc::openapi();
    if !debug_routes {
        doc.paths.paths.retain(|_, item| !item.get.as_ref().is_some_and(|op| tagged(op, DEBUG)));
    }
    if !self_service {
        doc.paths.paths.retain(|_, item| !item.post.as_ref().is_some_and(|op| tagged(op, SELF_SERVICE)));
    }
    doc
}

fn tagged(op: &utoipa::openapi::path::Operation, tag: &str) -> bool {
    op.tags.as_ref().is_some_and(|tags| tags.iter().any(|t| t == tag))
}

/// `doc` with every path under `mount` (a Rocket mount point: `/` or a path without a
/// trailing slash).
#[must_use]
pub(crate) fn mounted(mut doc: Document, mount: &str) -> Document {
    let base = mount.trim_end_matches('/');
    doc.paths.paths = std::mem::take(&mut doc.paths.paths)
        .into_iter()
        .map(|(path, item)| (format!("{base}{path}"), item))
        .collect();
    doc
}

/// The route serving the document, built once from `doc` (see the module's rustdoc).
#[must_use]
pub(crate) fn route(doc: Document) -> Route {
    let mut route =
        Route::new(Method::Get, PATH, Serve { doc: Arc::new(doc), rendered: Arc::new(OnceLock::new()) });
    route.name = Some("openapi_json".into());
    route
}

/// Serves the document, rendered with its route's mount point on the first request.
#[derive(Clone)]
struct Serve {
    doc: Arc<Document>,
    rendered: Arc<OnceLock<Result<Arc<[u8]>, String>>>,
}

#[rocket::async_trait]
impl Handler for Serve {
    async fn handle<'r>(&self, req: &'r Request<'_>, _data: Data<'r>) -> Outcome<'r> {
        if !accepts_json(req) {
            return Outcome::Error(Error::NotAcceptable.stash(req));
        }
        let mount = req.route().map_or("/", |route| route.uri.base());
        let rendered = self.rendered.get_or_init(|| {
            mounted(Document::clone(&self.doc), mount)
                .to_json()
                .map(|json| json.into_bytes().into())
                .map_err(|e| e.to_string())
        });
        match openapi_json(rendered) {
            Ok(response) => Outcome::Success(response),
            Err(e) => Outcome::Error(e.stash(req)),
        }
    }
}

/// Whether the request's `Accept` (if any) takes `application/json`: `*/*`, `application/*` or
/// `application/json` with a weight above zero.
fn accepts_json(req: &Request<'_>) -> bool {
    req.accept().is_none_or(|accept| {
        accept.iter().any(|media| {
            let ty = media.media_type();
            let json = (ty.top() == "*" && ty.sub() == "*")
                || (ty.top() == "application" && (ty.sub() == "*" || ty.sub() == "json"));
            json && media.weight_or(1.0) > 0.0
        })
    })
}

/// `GET <mount>/openapi.json`: this document.
///
/// The OpenAPI 3.1 description of these routes, generated from the code, with the paths under
/// the server's mount point. Served as JSON only: a request whose `Accept` refuses
/// `application/json` is a 406 `not_acceptable`.
#[utoipa::path(
    get,
    path = "/openapi.json",
    tag = DOCUMENT,
    responses(
        (status = 200, description = "The OpenAPI 3.1 document.", content_type = "application/json",
            body = Object),
        (status = 406, response = NotAcceptable),
        (status = 500, response = InternalServerError),
    )
)]
fn openapi_json(rendered: &Result<Arc<[u8]>, String>) -> Result<Response<'static>, Error> {
    let json = rendered.as_ref().map_err(|e| Error::Internal(format!("the OpenAPI document: {e}")))?;
    Ok(Response::build()
        .header(ContentType::JSON)
        .sized_body(json.len(), Cursor::new(Arc::clone(json)))
        .finalize())
}

/// Every reason a token can be refused for.
const REASONS: [Reason; 5] =
    [Reason::Invalid, Reason::Expired, Reason::Used, Reason::Superseded, Reason::Cancelled];

/// A new [`Reason`] fails to compile here until [`REASONS`] (and so the document) has it.
const _: fn(Reason) = |reason| match reason {
    Reason::Invalid | Reason::Expired | Reason::Used | Reason::Superseded | Reason::Cancelled => {}
};

/// The reasons as the JSON says them.
impl PartialSchema for Reason {
    fn schema() -> RefOr<utoipa::openapi::Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(REASONS.map(|reason| serde_json::to_value(reason).unwrap_or(Value::Null))))
            .description(Some(
                "Why a token is not valid: `invalid` (unknown, malformed, or dead because its \
                 account was disabled or its email or credentials changed, or an admin revoked \
                 it), `expired`, `used`, `superseded` (a newer token was issued), `cancelled` \
                 (the user followed the mail's \"this wasn't me\" link).",
            ))
            .into()
    }
}

impl ToSchema for Reason {
    fn name() -> std::borrow::Cow<'static, str> {
        "Reason".into()
    }
}

/// The bearer security scheme of the admin route.
struct Bearer;

impl Modify for Bearer {
    fn modify(&self, doc: &mut Document) {
        let scheme = HttpBuilder::new()
            .scheme(HttpAuthScheme::Bearer)
            .description(Some(
                "`Authorization: Bearer <token>`: by default a session token from the crate's \
                 `sessions` table (`user-account token issue --scope admin`), or whatever the \
                 host's authenticator accepts. The admin route needs the admin scope.",
            ))
            .build();
        doc.components
            .get_or_insert_with(Default::default)
            .add_security_scheme(BEARER, SecurityScheme::Http(scheme));
    }
}

/// `security: []` on every operation that takes no credentials, so that a reader (and a
/// linter) sees "public" said rather than forgotten.
struct Public;

impl Modify for Public {
    fn modify(&self, doc: &mut Document) {
        for op in operations(doc) {
            op.security.get_or_insert_with(Vec::new);
        }
    }
}

/// An optional header is absent or a string, never `null`: the optional parameters the macro
/// writes as `Option<String>` lose the `null` it adds, so a generated client takes a plain
/// string.
struct Headers;

impl Modify for Headers {
    fn modify(&self, doc: &mut Document) {
        use utoipa::openapi::path::ParameterIn;
        use utoipa::openapi::schema::{Schema, SchemaType};
        for op in operations(doc) {
            let headers =
                op.parameters.iter_mut().flatten().filter(|p| p.parameter_in == ParameterIn::Header);
            for header in headers {
                if let Some(RefOr::T(Schema::Object(schema))) = header.schema.as_mut() {
                    if let SchemaType::Array(types) = &schema.schema_type {
                        let types: Vec<Type> = types.iter().filter(|t| **t != Type::Null).cloned().collect();
                        if let [only] = types.as_slice() {
                            schema.schema_type = SchemaType::Type(only.clone());
                        }
                    }
                }
            }
        }
    }
}

/// Every operation of `doc`.
fn operations(doc: &mut Document) -> impl Iterator<Item = &mut utoipa::openapi::path::Operation> {
    doc.paths.paths.values_mut().flat_map(|item| {
        [&mut item.get, &mut item.post, &mut item.put, &mut item.delete, &mut item.patch]
            .into_iter()
            .flatten()
    })
}

/// One server, `/`: the document's own origin. The paths carry the mount point, so a client
/// takes the server's origin as its base URL whatever the mount.
struct Origin;

impl Modify for Origin {
    fn modify(&self, doc: &mut Document) {
        let server = utoipa::openapi::server::ServerBuilder::new().url("/").description(Some(
            "The origin this document is served from; every path below already starts with the \
             mount point.",
        ));
        doc.servers = Some(vec![server.build()]);
    }
}

/// `X-Request-Id` on every response: the fairing sets it on everything under the mount point.
struct RequestIds;

impl Modify for RequestIds {
    fn modify(&self, doc: &mut Document) {
        let header = || {
            HeaderBuilder::new()
                .schema(ObjectBuilder::new().schema_type(Type::String).pattern(Some("^[0-9a-f]{32}$")))
                .description(Some("The request's id, as in the log line and an error's `request_id`."))
                .build()
        };
        let inline = |response: &mut RefOr<ApiResponse>| {
            if let RefOr::T(response) = response {
                response.headers.insert("X-Request-Id".into(), header());
            }
        };
        for op in operations(doc) {
            op.responses.responses.values_mut().for_each(inline);
        }
        if let Some(components) = doc.components.as_mut() {
            components.responses.values_mut().for_each(inline);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_put_under_the_mount_point() {
        let paths = |mount: &str| -> Vec<String> {
            mounted(document(false, false), mount).paths.paths.into_keys().collect()
        };
        assert!(paths("/api/users").contains(&"/api/users/password-recovery".to_owned()));
        assert!(paths("/").contains(&"/password-recovery".to_owned()), "no `//` at the root");
        assert!(paths("/a").iter().all(|p| p.starts_with("/a/")));
    }

    #[test]
    fn debug_operations_are_listed_only_when_debug_routes_are_live() {
        let debug = |doc: &Document| {
            doc.paths
                .paths
                .values()
                .filter(|item| item.get.as_ref().is_some_and(|op| tagged(op, DEBUG)))
                .count()
        };
        assert_eq!(debug(&document(true, false)), 1);
        assert_eq!(debug(&document(false, false)), 0);
        assert_eq!(document(true, false).paths.paths.len(), document(false, false).paths.paths.len() + 1);
    }
}
