//! The error responses of the document: one reusable response per status, each the
//! [`ErrorEnvelope`] with the headers its status carries, and the errors each guard can answer.

use rocket::http::ContentType;
use serde_json::Value;
use utoipa::openapi::header::{Header, HeaderBuilder};
use utoipa::openapi::response::ResponseBuilder;
use utoipa::openapi::{ContentBuilder, Object, ObjectBuilder, Ref, RefOr, Response, Type};
use utoipa::{ToResponse, ToSchema};

use super::ErrorEnvelope;

/// Declares the reusable error responses: one per status, each the error envelope with its
/// status's headers.
macro_rules! error_responses {
    ($($(#[doc = $doc:literal])+ $name:ident = $status:literal $(, $header:ident)?;)+) => {
        $(
            $(#[doc = $doc])+
            pub(crate) struct $name;

            impl<'r> ToResponse<'r> for $name {
                fn response() -> (&'r str, RefOr<Response>) {
                    let description = [$($doc.trim()),+].join(" ");
                    let response = error_response(&description);
                    $(let response = response.header($header.0, $header.1());)?
                    (stringify!($name), response.build().into())
                }
            }

            #[allow(dead_code)] // only the responses a guard answers are listed by status here
            impl $name {
                /// This response's status and a reference to it.
                pub(crate) fn entry() -> (String, RefOr<Response>) {
                    ($status.to_string(), Ref::from_response_name(stringify!($name)).into())
                }
            }
        )+
    };
}

error_responses! {
    /// `malformed_json`: the body is not JSON. `invalid_token` (change-password,
    /// cancel-recovery): the recovery token is not valid, `details.reason` says why (`invalid`,
    /// `expired`, `used`, `superseded`, `cancelled`). `invalid_idempotency_key`
    /// (password-recovery): the `Idempotency-Key` header is not one key of 1 to 255 visible
    /// ASCII characters.
    BadRequest = 400;
    /// `unauthenticated`: bearer credentials are missing or not valid.
    Unauthorized = 401, WWW_AUTHENTICATE;
    /// `forbidden`: the credentials are valid but lack the admin scope
    /// (`user_account.admin_scope`). `request_refused` (forgot-password): the host's check on
    /// the request (a CAPTCHA, say) did not pass.
    Forbidden = 403;
    /// `not_found`: no such resource (or route); `user_not_found`: the admin named no existing
    /// user.
    NotFound = 404;
    /// `not_acceptable`: the request's `Accept` refuses `application/json`, the only type
    /// served.
    NotAcceptable = 406;
    /// `request_timeout`: the body did not arrive in full within `body_timeout_secs`.
    RequestTimeout = 408;
    /// `user_disabled`, `user_has_no_email`, `user_email_unusable`: the user cannot be
    /// recovered.
    Conflict = 409;
    /// `body_too_large`: the body exceeds `json_limit` (8 KiB by default).
    PayloadTooLarge = 413;
    /// `unsupported_media_type`: the body is not sent as `application/json`.
    UnsupportedMediaType = 415;
    /// `invalid_body`: JSON of the wrong shape (an unknown field, a wrong type, a missing
    /// field); `invalid_field`: a field with a value that is not acceptable (`details.field`
    /// names it); `weak_password` (change-password): the new password fails the policy,
    /// `details` says what to fix, and the token stays usable; `idempotency_key_reused`
    /// (password-recovery): this admin already used the `Idempotency-Key` with another body.
    UnprocessableEntity = 422;
    /// `rate_limited`: too many requests from this client IP, by this admin or for this user;
    /// nothing was changed. Try again after `Retry-After` seconds.
    TooManyRequests = 429, RETRY_AFTER;
    /// `internal_error`: our fault; the cause is logged, never sent.
    InternalServerError = 500;
    /// `service_unavailable`: the database cannot be reached right now (within the pool's
    /// `connect_timeout`); try again shortly.
    ServiceUnavailable = 503;
}

/// An error response: the envelope as JSON.
fn error_response(description: &str) -> ResponseBuilder {
    ResponseBuilder::new().description(description).content(
        ContentType::JSON.to_string(),
        ContentBuilder::new().schema(Some(Ref::from_schema_name(ErrorEnvelope::name()))).build(),
    )
}

/// A response header: its name and schema.
type HeaderSpec = (&'static str, fn() -> Header);

const WWW_AUTHENTICATE: HeaderSpec = ("WWW-Authenticate", || {
    HeaderBuilder::new().schema(only("Bearer")).description(Some("The scheme to authenticate with.")).build()
});
const RETRY_AFTER: HeaderSpec = ("Retry-After", || {
    HeaderBuilder::new()
        .schema(ObjectBuilder::new().schema_type(Type::Integer).minimum(Some(0)))
        .description(Some("Seconds until the exceeded window ends."))
        .build()
});

/// A schema that admits `value` only (an `enum` of one): a field that never varies.
#[must_use]
pub(crate) fn only(value: impl Into<Value>) -> Object {
    let value = value.into();
    let ty = match value {
        Value::Bool(_) => Type::Boolean,
        Value::Number(_) => Type::Number,
        _ => Type::String,
    };
    ObjectBuilder::new().schema_type(ty).enum_values(Some([value])).build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fixed_value_is_an_enum_of_one() {
        let json = |o: Object| serde_json::to_value(o).unwrap_or_default();
        assert_eq!(json(only("queued")), serde_json::json!({"type": "string", "enum": ["queued"]}));
        assert_eq!(json(only(false)), serde_json::json!({"type": "boolean", "enum": [false]}));
    }
}
