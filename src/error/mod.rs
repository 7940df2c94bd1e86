//! The crate's one error type and the JSON envelope every failing route answers with:
//!
//! ```json
//! {"error": {"code": "invalid_token", "message": "a sentence", "details": {}}}
//! ```
//!
//! The status is decided here and nowhere else. Internal variants are logged in full while the
//! client gets a fixed message, so no database or SMTP text ever reaches a response.

use rocket::http::{ContentType, Header, Status};
use rocket::request::Request;
use rocket::response::{self, Responder, Response};
use rocket::serde::json::Value;
use serde::Serialize;
use serde_json::json;

use crate::request_context::RequestContext;

pub(crate) mod responses;

/// Everything that can go wrong in a request to these routes.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The body is not well-formed JSON (400).
    #[error("The request body is not valid JSON: {0}.")]
    MalformedBody(String),
    /// The body is JSON of the wrong shape: unknown field, wrong type, missing field (422).
    #[error("The request body does not match what this endpoint takes: {0}.")]
    InvalidBody(String),
    /// A field has the right type but an unacceptable value (422).
    #[error("`{field}` {reason}.")]
    Validation {
        /// The offending field.
        field: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// The body is larger than `json_limit` (413).
    #[error("The request body is larger than {0}.")]
    BodyTooLarge(rocket::data::ByteUnit),
    /// The body did not arrive within `body_timeout_secs` (408).
    #[error("The request body did not arrive in time.")]
    BodyTimeout,
    /// The content type is not `application/json` (415).
    #[error("The request body must be sent as application/json.")]
    UnsupportedMediaType,
    /// Credentials are missing or not valid (401, with `WWW-Authenticate: Bearer`).
    #[error("Valid bearer credentials are required.")]
    Unauthenticated,
    /// The credentials are valid but lack the scope the route needs (403).
    #[error("The credentials lack the scope this route needs.")]
    Forbidden,
    /// No such resource, or a route that is not served here (404).
    #[error("No such resource.")]
    NotFound,
    /// The path exists but not for this method (405, with `Allow`).
    #[error("This method is not allowed here.")]
    MethodNotAllowed {
        /// The methods the path does take, for the `Allow` header.
        allow: String,
    },
    /// No user matches the request (404 `user_not_found`; admins only).
    #[error("No user matches the request.")]
    UserNotFound,
    /// The request conflicts with the account's state (409), e.g. a disabled user.
    #[error("{message}")]
    Conflict {
        /// A stable code such as `user_disabled`.
        code: &'static str,
        /// A sentence.
        message: &'static str,
    },
    /// A recovery token that is not valid (400 `invalid_token`, the reason in `details`).
    #[error("The recovery token is not valid.")]
    InvalidToken(Reason),
    /// An `Idempotency-Key` header that is not one key of 1 to 255 visible ASCII characters (400).
    #[error("The Idempotency-Key header must be one key of 1 to 255 visible ASCII characters.")]
    InvalidIdempotencyKey,
    /// An `Idempotency-Key` this admin already used with another request (422).
    #[error("This Idempotency-Key was already used with another request.")]
    IdempotencyKeyReused,
    /// A new password that fails the policy (422 `weak_password`, what to fix in `details`).
    #[error("{}", .0.message())]
    WeakPassword(Weakness),
    /// Too many requests for one client, admin or user (429, with `Retry-After`).
    #[error("Too many requests; try again in {retry_after} seconds.")]
    RateLimited {
        /// Seconds until the window that was exceeded ends.
        retry_after: u64,
    },
    /// A database error (500, or 503 when the connection was lost).
    #[error("database error: {0}")]
    Database(#[from] diesel::result::Error),
    /// The database or another dependency cannot be reached right now (503).
    #[error("service unavailable: {0}")]
    Unavailable(String),
    /// Anything else that is our fault (500). The text is logged, never sent.
    #[error("internal error: {0}")]
    Internal(String),
}

/// The envelope every error response is: `{"error": {...}}`, and nothing else at the top.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)] // no effect on serializing: the document's `additionalProperties: false`
pub(crate) struct ErrorEnvelope {
    /// What went wrong.
    pub error: ErrorBody,
}

/// The `error` object of the envelope.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)] // no effect on serializing: the document's `additionalProperties: false`
pub(crate) struct ErrorBody {
    /// A stable, machine-readable code such as `invalid_token` (the README's Errors table lists
    /// them all, with their statuses).
    #[schema(value_type = String, example = "invalid_token")]
    pub code: &'static str,
    /// A human-readable sentence. It never repeats a value from the request body.
    pub message: String,
    /// Machine-readable specifics, when there are any: `reason` for `invalid_token`, `field`
    /// for `invalid_field`, what to fix for `weak_password`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Object)]
    pub details: Option<Value>,
    /// The request's id, as in the `X-Request-Id` header and the log line (always set in a
    /// response).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = String, required = true)]
    pub request_id: Option<String>,
}

/// A rendered error: status, envelope and the headers that go with the status.
#[derive(Debug, Clone)]
pub(crate) struct ErrorResponse {
    /// The HTTP status.
    pub status: Status,
    /// The envelope's `error` object.
    pub body: ErrorBody,
    /// `Allow` for 405.
    pub allow: Option<String>,
    /// `Retry-After` (seconds) for 429 and 503.
    pub retry_after: Option<u64>,
}

impl Error {
    /// The HTTP status this error answers with.
    #[must_use]
    pub fn status(&self) -> Status {
        match self {
            Error::MalformedBody(_) | Error::InvalidToken(_) | Error::InvalidIdempotencyKey => {
                Status::BadRequest
            }
            Error::IdempotencyKeyReused => Status::UnprocessableEntity,
            Error::UserNotFound => Status::NotFound,
            Error::Conflict { .. } => Status::Conflict,
            Error::WeakPassword(_) => Status::UnprocessableEntity,
            Error::RateLimited { .. } => Status::TooManyRequests,
            Error::InvalidBody(_) | Error::Validation { .. } => Status::UnprocessableEntity,
            Error::BodyTooLarge(_) => Status::PayloadTooLarge,
            Error::BodyTimeout => Status::RequestTimeout,
            Error::UnsupportedMediaType => Status::UnsupportedMediaType,
            Error::Unauthenticated => Status::Unauthorized,
            Error::Forbidden => Status::Forbidden,
            Error::NotFound => Status::NotFound,
            Error::MethodNotAllowed { .. } => Status::MethodNotAllowed,
            Error::Database(e) if connection_lost(e) => Status::ServiceUnavailable,
            Error::Unavailable(_) => Status::ServiceUnavailable,
            Error::Database(_) | Error::Internal(_) => Status::InternalServerError,
        }
    }

    /// Whether this is our fault or an outage rather than the client's.
    #[must_use]
    pub fn is_internal(&self) -> bool {
        self.status().code >= 500
    }

    /// The response for this error. Internal details never enter it.
    #[must_use]
    pub(crate) fn render(&self) -> ErrorResponse {
        let status = self.status();
        if self.is_internal() {
            return ErrorResponse::for_status(status);
        }
        let (code, details) = match self {
            Error::MalformedBody(_) => ("malformed_json", None),
            Error::UserNotFound => ("user_not_found", None),
            Error::Conflict { code, .. } => (*code, None),
            Error::InvalidToken(reason) => ("invalid_token", Some(serde_json::json!({ "reason": reason }))),
            Error::WeakPassword(weakness) => ("weak_password", Some(weakness.details())),
            Error::InvalidIdempotencyKey => ("invalid_idempotency_key", None),
            Error::IdempotencyKeyReused => ("idempotency_key_reused", None),
            Error::RateLimited { .. } => ("rate_limited", None),
            Error::InvalidBody(_) => ("invalid_body", None),
            Error::Validation { field, .. } => ("invalid_field", Some(serde_json::json!({ "field": field }))),
            Error::BodyTooLarge(_) => ("body_too_large", None),
            Error::BodyTimeout => ("request_timeout", None),
            Error::UnsupportedMediaType => ("unsupported_media_type", None),
            Error::Unauthenticated => ("unauthenticated", None),
            Error::Forbidden => ("forbidden", None),
            Error::NotFound => ("not_found", None),
            Error::MethodNotAllowed { .. } => ("method_not_allowed", None),
            Error::Database(_) | Error::Unavailable(_) | Error::Internal(_) => {
                unreachable!("internal errors are rendered generically above")
            }
        };
        let allow = match self {
            Error::MethodNotAllowed { allow } => Some(allow.clone()),
            _ => None,
        };
        let retry_after = match self {
            Error::RateLimited { retry_after } => Some(*retry_after),
            _ => None,
        };
        ErrorResponse {
            status,
            body: ErrorBody { code, message: self.to_string(), details, request_id: None },
            allow,
            retry_after,
        }
    }

    /// Logs the error with the request's id: internal ones in full at `error`, client ones
    /// briefly at `debug`.
    fn log(&self, request: &Request<'_>) {
        let id = &RequestContext::of(request).request_id;
        if self.is_internal() {
            log::error!("user_account: request {id}: {self}");
        } else {
            log::debug!("user_account: request {id}: {}: {self}", self.status());
        }
    }

    /// Logs and records this error on the request so that the JSON catcher renders it, and
    /// returns the status for a guard's `Outcome::Error`. Guards use this because Rocket hands
    /// catchers only the status, not the guard's error value.
    pub fn stash(&self, request: &Request<'_>) -> Status {
        self.log(request);
        let rendered = self.render();
        let status = rendered.status;
        request.local_cache(|| Some(rendered));
        status
    }
}

/// Whether a database failure is the database's state rather than our bug: a lost, closed or
/// terminated connection (`pg_terminate_backend`, a restart, a failover), a serialization
/// failure, a deadlock, a lock or statement timeout, a read-only standby. A client can cause
/// any of these by timing alone, so they are 503 ("try again"), never 500. What stays 500 is
/// what only a bug in this crate can cause: constraint violations of its own writes, and
/// queries or values diesel could not build or read.
fn connection_lost(e: &diesel::result::Error) -> bool {
    use diesel::result::{DatabaseErrorKind as K, Error as D};
    match e {
        D::DatabaseError(kind, _) => !matches!(
            kind,
            K::UniqueViolation | K::ForeignKeyViolation | K::NotNullViolation | K::CheckViolation
        ),
        D::BrokenTransactionManager | D::RollbackErrorOnCommit { .. } => true,
        _ => false,
    }
}

/// The `Retry-After` of every 503: the database's statement and lock bounds are a few seconds.
pub(crate) const RETRY_AFTER_UNAVAILABLE_SECS: u64 = 5;

impl ErrorResponse {
    /// The generic response for a status, used by catchers and for internal errors.
    #[must_use]
    pub fn for_status(status: Status) -> ErrorResponse {
        let (code, message) = match status.code {
            400 => ("bad_request", "The request could not be understood."),
            401 => ("unauthenticated", "Valid bearer credentials are required."),
            403 => ("forbidden", "The credentials lack the scope this route needs."),
            404 => ("not_found", "No such resource."),
            405 => ("method_not_allowed", "This method is not allowed here."),
            408 => ("request_timeout", "The request did not arrive in time."),
            409 => ("conflict", "The request conflicts with the account's state."),
            413 => ("body_too_large", "The request body is too large."),
            415 => ("unsupported_media_type", "The request body must be sent as application/json."),
            422 => ("invalid_body", "The request body does not match what this endpoint takes."),
            429 => ("rate_limited", "Too many requests; try again later."),
            503 => ("service_unavailable", "The service is unavailable right now; try again shortly."),
            code if code >= 500 => ("internal_error", "Something went wrong on our side."),
            _ => ("request_failed", "The request failed."),
        };
        ErrorResponse {
            status,
            body: ErrorBody { code, message: message.into(), details: None, request_id: None },
            allow: None,
            // An outage or a stuck lock: worth trying again shortly, not at once.
            retry_after: (status == Status::ServiceUnavailable).then_some(RETRY_AFTER_UNAVAILABLE_SECS),
        }
    }

    /// The error a guard stashed on this request for `status`, or the generic one.
    #[must_use]
    pub fn for_request(status: Status, request: &Request<'_>) -> ErrorResponse {
        match request.local_cache(|| None::<ErrorResponse>) {
            Some(stashed) if stashed.status == status => stashed.clone(),
            _ => ErrorResponse::for_status(status),
        }
    }
}

impl<'r> Responder<'r, 'static> for ErrorResponse {
    fn respond_to(mut self, request: &'r Request<'_>) -> response::Result<'static> {
        self.body.request_id = Some(RequestContext::of(request).request_id.clone());
        let body = serde_json::to_string(&ErrorEnvelope { error: self.body })
            .map_err(|_| Status::InternalServerError)?;
        let mut response = Response::build_from(body.respond_to(request)?);
        response.status(self.status).header(ContentType::JSON);
        if self.status == Status::Unauthorized {
            response.header(Header::new("WWW-Authenticate", "Bearer"));
        }
        if let Some(allow) = self.allow {
            response.header(Header::new("Allow", allow));
        }
        if let Some(seconds) = self.retry_after {
            response.header(Header::new("Retry-After", seconds.to_string()));
        }
        response.ok()
    }
}

impl<'r> Responder<'r, 'static> for Error {
    fn respond_to(self, request: &'r Request<'_>) -> response::Result<'static> {
        self.log(request);
        self.render().respond_to(request)
    }
}

/// `e` and every error beneath it, as one line (`outer: inner: innermost`), for messages that
/// name what failed (a template, a configuration value).
pub(crate) fn error_chain(e: &dyn std::error::Error) -> String {
    let mut message = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        message.push_str(": ");
        message.push_str(&s.to_string());
        source = s.source();
    }
    message
}

/// What this crate's routes return.
pub(crate) type Result<T, E = Error> = std::result::Result<T, E>;

/// Why a token is not valid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Reason {
    /// Unknown, malformed, or dead because its account was disabled or its email or
    /// credentials changed.
    Invalid,
    /// Past its lifetime.
    Expired,
    /// Already redeemed.
    Used,
    /// A newer token was issued for the same account.
    Superseded,
    /// The user cancelled it with the mail's "this wasn't me" link.
    Cancelled,
}

/// Why a new password is refused; rendered as 422 `weak_password` with these details.
#[derive(Debug, Clone, PartialEq)]
pub enum Weakness {
    /// Fewer code points than `password.min_length`.
    TooShort {
        /// The minimum.
        min_length: usize,
    },
    /// More code points than `password.max_length`.
    TooLong {
        /// The maximum.
        max_length: usize,
    },
    /// zxcvbn scores it below `password.min_score`, e.g. because it is common or built from
    /// the user's own email or name.
    TooGuessable {
        /// zxcvbn's score (0 to 4).
        score: u8,
        /// The minimum.
        min_score: u8,
        /// zxcvbn's warning, if any.
        warning: Option<String>,
        /// zxcvbn's suggestions.
        suggestions: Vec<String>,
    },
}

impl Weakness {
    /// A sentence for the error message.
    #[must_use]
    pub fn message(&self) -> String {
        match self {
            Weakness::TooShort { min_length } => {
                format!("The new password must be at least {min_length} characters long.")
            }
            Weakness::TooLong { max_length } => {
                format!("The new password must be at most {max_length} characters long.")
            }
            Weakness::TooGuessable { .. } => {
                "The new password is too easy to guess; a few unrelated words make a strong one.".into()
            }
        }
    }

    /// Machine-readable details (never the password).
    #[must_use]
    pub fn details(&self) -> Value {
        match self {
            Weakness::TooShort { min_length } => json!({"reason": "too_short", "min_length": min_length}),
            Weakness::TooLong { max_length } => json!({"reason": "too_long", "max_length": max_length}),
            Weakness::TooGuessable { score, min_score, warning, suggestions } => json!({
                "reason": "too_guessable",
                "score": score,
                "min_score": min_score,
                "warning": warning,
                "suggestions": suggestions,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_errors_render_without_their_cause() {
        let e = Error::Internal("connection string postgres://secret@db".into());
        let r = e.render();
        assert_eq!(r.status, Status::InternalServerError);
        assert_eq!(r.body.code, "internal_error");
        assert!(!r.body.message.contains("secret"));
    }

    #[test]
    fn lost_connections_are_503_not_500() {
        use diesel::result::{DatabaseErrorKind as K, Error as D};
        let db = |kind| Error::Database(D::DatabaseError(kind, Box::new(String::from("x")))).status().code;
        assert_eq!(Error::Database(D::BrokenTransactionManager).status(), Status::ServiceUnavailable);
        // A terminated backend surfaces as an error of no particular kind, or as a closed one.
        for kind in [K::Unknown, K::ClosedConnection, K::UnableToSendCommand, K::SerializationFailure] {
            assert_eq!(db(kind), 503, "{kind:?}");
        }
        for kind in [K::UniqueViolation, K::CheckViolation, K::ForeignKeyViolation, K::NotNullViolation] {
            assert_eq!(db(kind), 500, "{kind:?}");
        }
        assert_eq!(Error::Database(D::NotFound).status().code, 500);
    }

    #[test]
    fn client_errors_keep_their_code_and_message() {
        let r = Error::Validation { field: "email", reason: "must not be empty".into() }.render();
        assert_eq!((r.status.code, r.body.code), (422, "invalid_field"));
        assert_eq!(r.body.message, "`email` must not be empty.");
        assert_eq!(Error::MethodNotAllowed { allow: "POST".into() }.render().allow.as_deref(), Some("POST"));
    }
}
