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

use std::sync::Arc;

use fluent_bundle::FluentValue;

use crate::locale::{Area, Lang, Locales};
use crate::request_context::RequestContext;

pub(crate) mod responses;
mod schema;

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
    #[error("`{field}` {problem}.")]
    Validation {
        /// The offending field.
        field: &'static str,
        /// What is wrong with it.
        problem: Invalid,
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
    /// The route answers only in a media type the request's `Accept` refuses (406).
    #[error("The answer is only available as application/json.")]
    NotAcceptable,
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
    /// A host's check refused a self-service request (403 `request_refused`): a CAPTCHA or
    /// proof of work that did not pass. Whether the address has an account plays no part.
    #[error("The request did not pass this site's check.")]
    RequestRefused,
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

/// What is wrong with a field's value ([`Error::Validation`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Invalid {
    /// Empty, or only white space.
    #[error("must not be empty")]
    Empty,
    /// Holds a control character.
    #[error("must not contain control characters")]
    ControlCharacters,
    /// Longer than `max` characters.
    #[error("must be at most {max} characters")]
    TooLong {
        /// The most allowed.
        max: usize,
    },
    /// A number outside `min..=max`.
    #[error("must be a number from {min} to {max}")]
    OutOfRange {
        /// The least allowed.
        min: u64,
        /// The most allowed.
        max: u64,
    },
    /// Given together with `other`, or neither was given: exactly one of the two is needed.
    #[error("or `{other}`: give exactly one of the two")]
    OneOf {
        /// The field it goes with.
        other: &'static str,
    },
}

/// The envelope every error response is: `{"error": {...}}`, and nothing else at the top.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)] // no effect on serializing: the document's `additionalProperties: false`
pub(crate) struct ErrorEnvelope {
    /// What went wrong.
    pub error: ErrorBody,
}

/// The `error` object of the envelope. Its schema, typed per code, is in `schema.rs`.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ErrorBody {
    /// A stable, machine-readable code such as `invalid_token`: one of the document's closed
    /// list (docs/errors.md lists them all, with their statuses).
    pub code: &'static str,
    /// A human-readable sentence. It never repeats a value from the request body.
    pub message: String,
    /// Machine-readable specifics, for `invalid_token` (`reason`), `invalid_field` (`field`)
    /// and `weak_password` (what to fix); absent for every other code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub details: Option<Value>,
    /// The request's id, as in the `X-Request-Id` header and the log line (always set in a
    /// response).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

/// A rendered error: status, code, what the sentence and the details will say (in the
/// language of the request's `Accept-Language`, when it answers) and the headers that go with
/// the status.
#[derive(Debug, Clone)]
pub(crate) struct ErrorResponse {
    /// The HTTP status.
    pub status: Status,
    /// The stable code.
    pub code: &'static str,
    /// The sentence: a message of `api.ftl` and its values.
    pub message: Sentence,
    /// Machine-readable specifics.
    pub details: Option<Details>,
    /// `Allow` for 405.
    pub allow: Option<String>,
    /// `Retry-After` (seconds) for 429 and 503.
    pub retry_after: Option<u64>,
}

/// An error's sentence before it has a language: the id of its message in `api.ftl`, the
/// values it takes, and the English the log (and an answer outside the fairing) reads.
#[derive(Debug, Clone)]
pub(crate) struct Sentence {
    /// The message's id.
    pub id: &'static str,
    /// Its values.
    pub args: Vec<(&'static str, Arg)>,
    /// The sentence in English.
    pub english: String,
}

impl Sentence {
    fn new(id: &'static str, english: impl Into<String>) -> Sentence {
        Sentence { id, args: Vec::new(), english: english.into() }
    }

    fn with(mut self, name: &'static str, value: impl Into<Arg>) -> Sentence {
        self.args.push((name, value.into()));
        self
    }

    /// The sentence in `lang`.
    fn in_language(&self, locales: &Locales, lang: Lang) -> String {
        let args = crate::locale::args(self.args.iter().map(|(name, value)| {
            let value = match value {
                Arg::Text(text) => FluentValue::from(text.clone()),
                Arg::Number(n) => FluentValue::from(*n),
            };
            (*name, value)
        }));
        locales.message(lang, Area::Api, self.id, Some(&args))
    }
}

/// A value in an error's sentence.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Arg {
    /// Words (a field's name, the parser's words, a size).
    Text(String),
    /// A count.
    Number(f64),
}

impl From<String> for Arg {
    fn from(text: String) -> Arg {
        Arg::Text(text)
    }
}

impl From<&'static str> for Arg {
    fn from(text: &'static str) -> Arg {
        Arg::Text(text.to_owned())
    }
}

impl From<usize> for Arg {
    fn from(n: usize) -> Arg {
        Arg::Number(n as f64)
    }
}

impl From<u64> for Arg {
    fn from(n: u64) -> Arg {
        Arg::Number(n as f64)
    }
}

/// An error's `details` before it has a language.
#[derive(Debug, Clone)]
pub(crate) enum Details {
    /// `invalid_token`: why.
    Reason(Reason),
    /// `invalid_field`: which field.
    Field(&'static str),
    /// `weak_password`: what to fix (its sentences in the answer's language).
    Weak(Weakness),
}

impl Details {
    /// The JSON, with `sentence` giving a hint's words.
    fn json(&self, sentence: impl Fn(Hint) -> String) -> Value {
        match self {
            Details::Reason(reason) => json!({ "reason": reason }),
            Details::Field(field) => json!({ "field": field }),
            Details::Weak(weakness) => weakness.details(sentence),
        }
    }
}

impl Error {
    /// This failure once more, for another of the callers that one statement or one transaction
    /// served: a 503 stays a 503, anything else is a 500, with the same text.
    pub(crate) fn shared(&self) -> Error {
        match self {
            Error::Unavailable(cause) => Error::Unavailable(cause.clone()),
            Error::Internal(cause) => Error::Internal(cause.clone()),
            other if other.status() == Status::ServiceUnavailable => Error::Unavailable(other.to_string()),
            other => Error::Internal(other.to_string()),
        }
    }

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
            Error::Forbidden | Error::RequestRefused => Status::Forbidden,
            Error::NotFound => Status::NotFound,
            Error::MethodNotAllowed { .. } => Status::MethodNotAllowed,
            Error::NotAcceptable => Status::NotAcceptable,
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
        let english = self.to_string();
        let sentence = |id: &'static str| Sentence::new(id, english.clone());
        let (code, message, details) = match self {
            Error::MalformedBody(detail) => {
                ("malformed_json", sentence("error-malformed-json").with("detail", detail.clone()), None)
            }
            Error::UserNotFound => ("user_not_found", sentence("error-user-not-found"), None),
            Error::Conflict { code, .. } => (conflict_code(code), sentence(conflict_message(code)), None),
            Error::InvalidToken(reason) => {
                ("invalid_token", sentence("error-invalid-token"), Some(Details::Reason(*reason)))
            }
            Error::WeakPassword(weakness) => {
                ("weak_password", weakness.sentence(english.clone()), Some(Details::Weak(weakness.clone())))
            }
            Error::InvalidIdempotencyKey => {
                ("invalid_idempotency_key", sentence("error-invalid-idempotency-key"), None)
            }
            Error::IdempotencyKeyReused => {
                ("idempotency_key_reused", sentence("error-idempotency-key-reused"), None)
            }
            Error::RequestRefused => ("request_refused", sentence("error-request-refused"), None),
            Error::RateLimited { retry_after } => {
                ("rate_limited", sentence("error-rate-limited").with("retry_after", *retry_after), None)
            }
            Error::InvalidBody(detail) => {
                ("invalid_body", sentence("error-invalid-body").with("detail", detail.clone()), None)
            }
            Error::Validation { field, problem } => {
                ("invalid_field", problem.sentence(field, english.clone()), Some(Details::Field(field)))
            }
            Error::BodyTooLarge(limit) => {
                ("body_too_large", sentence("error-body-too-large").with("limit", limit.to_string()), None)
            }
            Error::BodyTimeout => ("request_timeout", sentence("error-request-timeout"), None),
            Error::UnsupportedMediaType => {
                ("unsupported_media_type", sentence("error-unsupported-media-type"), None)
            }
            Error::Unauthenticated => ("unauthenticated", sentence("error-unauthenticated"), None),
            Error::Forbidden => ("forbidden", sentence("error-forbidden"), None),
            Error::NotFound => ("not_found", sentence("error-not-found"), None),
            Error::NotAcceptable => ("not_acceptable", sentence("error-not-acceptable"), None),
            Error::MethodNotAllowed { .. } => {
                ("method_not_allowed", sentence("error-method-not-allowed"), None)
            }
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
        ErrorResponse { status, code, message, details, allow, retry_after }
    }

    /// This refusal as a metric's `outcome` label: `refused_<reason>` from a fixed table (a
    /// conflict code the table lacks is `refused_conflict`), or `failed` for the crate's own
    /// fault. Never anything the request carried.
    pub(crate) fn outcome(&self) -> &'static str {
        match self {
            Error::RateLimited { .. } => "refused_rate_limited",
            Error::UserNotFound => "refused_user_not_found",
            Error::Conflict { code: "user_disabled", .. } => "refused_user_disabled",
            Error::Conflict { code: "user_has_no_email", .. } => "refused_user_has_no_email",
            Error::Conflict { code: "user_email_unusable", .. } => "refused_user_email_unusable",
            Error::Conflict { .. } => "refused_conflict",
            Error::InvalidToken(_) => "refused_invalid_token",
            Error::WeakPassword(_) => "refused_weak_password",
            Error::InvalidIdempotencyKey | Error::IdempotencyKeyReused => "refused_idempotency_key",
            Error::Unauthenticated | Error::Forbidden | Error::RequestRefused => "refused_unauthorized",
            e if e.status() == Status::ServiceUnavailable => "refused_unavailable",
            e if e.is_internal() => "failed",
            _ => "refused_invalid_request",
        }
    }

    /// Logs the error with the request's id: internal ones in full at `error`, client ones
    /// briefly at `debug`.
    fn log(&self, request: &Request<'_>) {
        let id = &RequestContext::of(request).request_id;
        if let Error::Database(e) = self {
            if connection_lost(e) {
                crate::metrics::db_unavailable();
            }
        }
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
        let (code, id, english) = match status.code {
            400 => ("bad_request", "error-bad-request", "The request could not be understood."),
            401 => ("unauthenticated", "error-unauthenticated", "Valid bearer credentials are required."),
            403 => ("forbidden", "error-forbidden", "The credentials lack the scope this route needs."),
            404 => ("not_found", "error-not-found", "No such resource."),
            405 => ("method_not_allowed", "error-method-not-allowed", "This method is not allowed here."),
            406 => (
                "not_acceptable",
                "error-not-acceptable",
                "The answer is only available as application/json.",
            ),
            408 => ("request_timeout", "error-request-timeout", "The request body did not arrive in time."),
            409 => ("conflict", "error-conflict", "The request conflicts with the account's state."),
            413 => ("body_too_large", "error-body-too-large-generic", "The request body is too large."),
            415 => (
                "unsupported_media_type",
                "error-unsupported-media-type",
                "The request body must be sent as application/json.",
            ),
            422 => (
                "invalid_body",
                "error-invalid-body-generic",
                "The request body does not match what this endpoint takes.",
            ),
            429 => ("rate_limited", "error-rate-limited-later", "Too many requests; try again later."),
            503 => (
                "service_unavailable",
                "error-service-unavailable",
                "The service is unavailable right now; try again shortly.",
            ),
            code if code >= 500 => ("internal_error", "error-internal", "Something went wrong on our side."),
            _ => ("request_failed", "error-request-failed", "The request failed."),
        };
        ErrorResponse {
            status,
            code,
            message: Sentence::new(id, english),
            details: None,
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

impl ErrorResponse {
    /// The envelope's `error` object in the language of the request's `Accept-Language` (or
    /// the default one), and that language's tag. Without the fairing's languages (a request
    /// the fairing did not ignite), English.
    fn body(&self, request: &Request<'_>) -> (ErrorBody, Option<String>) {
        let request_id = Some(RequestContext::of(request).request_id.clone());
        let Some(locales) = request.rocket().state::<Arc<Locales>>() else {
            let details = self.details.as_ref().map(|d| d.json(|hint| hint.id().to_owned()));
            let body =
                ErrorBody { code: self.code, message: self.message.english.clone(), details, request_id };
            return (body, None);
        };
        let lang = locales.for_accept_language(request.headers().get_one("Accept-Language"));
        let sentence = |hint: Hint| locales.message(lang, Area::Api, hint.id(), None);
        let body = ErrorBody {
            code: self.code,
            message: self.message.in_language(locales, lang),
            details: self.details.as_ref().map(|d| d.json(sentence)),
            request_id,
        };
        (body, Some(locales.tag(lang).to_owned()))
    }

    /// The English sentence (the log's, and what a test reads).
    #[cfg(test)]
    pub(crate) fn english(&self) -> &str {
        &self.message.english
    }
}

/// The code a [`Error::Conflict`] answers with: its own when the document lists it, else
/// `conflict` (the document lists every code a client can meet).
fn conflict_code(code: &'static str) -> &'static str {
    match code {
        "user_disabled" | "user_has_no_email" | "user_email_unusable" => code,
        _ => "conflict",
    }
}

/// The message of a [`Error::Conflict`]'s code.
fn conflict_message(code: &str) -> &'static str {
    match code {
        "user_disabled" => "error-user-disabled",
        "user_has_no_email" => "error-user-has-no-email",
        "user_email_unusable" => "error-user-email-unusable",
        _ => "error-conflict",
    }
}

impl<'r> Responder<'r, 'static> for ErrorResponse {
    fn respond_to(self, request: &'r Request<'_>) -> response::Result<'static> {
        let (body, language) = self.body(request);
        let body =
            serde_json::to_string(&ErrorEnvelope { error: body }).map_err(|_| Status::InternalServerError)?;
        let mut response = Response::build_from(body.respond_to(request)?);
        response.status(self.status).header(ContentType::JSON);
        if let Some(language) = language {
            response.header(Header::new("Content-Language", language));
            // The sentence depends on the request's Accept-Language.
            response.header(Header::new("Vary", "Accept-Language"));
        }
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

impl Reason {
    /// The reason as the API spells it (`invalid`, `expired`, `used`, `superseded`, `cancelled`).
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Invalid => "invalid",
            Reason::Expired => "expired",
            Reason::Used => "used",
            Reason::Superseded => "superseded",
            Reason::Cancelled => "cancelled",
        }
    }
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
        /// What makes it easy to guess, if anything in particular.
        warning: Option<Hint>,
        /// How to make it stronger.
        suggestions: Vec<Hint>,
    },
}

/// One piece of feedback on a password (zxcvbn's, or the crate's own about personal words):
/// the id of its sentence in `api.ftl` (`password-warning-*`, `password-suggestion-*`), which
/// an answer carries in the request's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hint(pub(crate) &'static str);

impl Hint {
    /// The sentence's id in `api.ftl`, such as `password-warning-common`.
    #[must_use]
    pub fn id(self) -> &'static str {
        self.0
    }
}

impl Weakness {
    /// The error's sentence, with the English the log reads.
    fn sentence(&self, english: String) -> Sentence {
        match self {
            Weakness::TooShort { min_length } => {
                Sentence::new("error-too-short", english).with("min_length", *min_length)
            }
            Weakness::TooLong { max_length } => {
                Sentence::new("error-too-long", english).with("max_length", *max_length)
            }
            Weakness::TooGuessable { .. } => Sentence::new("error-too-guessable", english),
        }
    }

    /// A sentence for the log.
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

    /// `too_short`, `too_long` or `too_guessable`.
    #[must_use]
    pub fn reason(&self) -> &'static str {
        match self {
            Weakness::TooShort { .. } => "too_short",
            Weakness::TooLong { .. } => "too_long",
            Weakness::TooGuessable { .. } => "too_guessable",
        }
    }

    /// Machine-readable details (never the password), with `sentence` giving a hint's words.
    #[must_use]
    pub fn details(&self, sentence: impl Fn(Hint) -> String) -> Value {
        match self {
            Weakness::TooShort { min_length } => json!({"reason": self.reason(), "min_length": min_length}),
            Weakness::TooLong { max_length } => json!({"reason": self.reason(), "max_length": max_length}),
            Weakness::TooGuessable { score, min_score, warning, suggestions } => json!({
                "reason": self.reason(),
                "score": score,
                "min_score": min_score,
                "warning": warning.map(&sentence),
                "suggestions": suggestions.iter().map(|h| sentence(*h)).collect::<Vec<_>>(),
            }),
        }
    }
}

/// A weak password's `message` and `details` as the API answers them, in a language: for a
/// host's own routes that check passwords with the same policy (signup, say), so they answer
/// like the crate's. See [`crate::RecoveryService::explain`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Feedback {
    /// The language the sentences are in (for `Content-Language`).
    pub language: String,
    /// The error's sentence.
    pub message: String,
    /// The details, with the warning and suggestions in that language.
    pub details: Value,
}

impl Locales {
    /// What `weakness` says, in the language of an `Accept-Language` header.
    #[must_use]
    pub fn explain(&self, weakness: &Weakness, accept_language: Option<&str>) -> Feedback {
        let lang = self.for_accept_language(accept_language);
        Feedback {
            language: self.tag(lang).to_owned(),
            message: weakness.sentence(weakness.message()).in_language(self, lang),
            details: weakness.details(|hint| self.message(lang, Area::Api, hint.id(), None)),
        }
    }
}

impl Invalid {
    /// The error's sentence for `field`, with the English the log reads.
    fn sentence(self, field: &'static str, english: String) -> Sentence {
        let sentence = |id| Sentence::new(id, english).with("field", field);
        match self {
            Invalid::Empty => sentence("error-field-empty"),
            Invalid::ControlCharacters => sentence("error-field-control"),
            Invalid::TooLong { max } => sentence("error-field-too-long").with("max", max),
            Invalid::OutOfRange { min, max } => {
                sentence("error-field-range").with("min", min).with("max", max)
            }
            Invalid::OneOf { other } => sentence("error-field-one-of").with("other", other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::schema::CODES;
    use super::*;

    /// A failure shared by the callers of one statement or transaction keeps its status for each
    /// of them: a database that is away is a 503 for all, anything else a 500.
    #[test]
    fn a_shared_failure_keeps_its_status() {
        let away = Error::Unavailable("the pool is exhausted".into()).shared();
        assert_eq!(away.status(), Status::ServiceUnavailable);
        assert_eq!(away.to_string(), Error::Unavailable("the pool is exhausted".into()).to_string());
        let broken = Error::Internal("a bug".into()).shared();
        assert_eq!(broken.status(), Status::InternalServerError);
        assert_eq!(Error::UserNotFound.shared().status(), Status::InternalServerError);
    }

    #[test]
    fn a_refusal_is_counted_under_a_word_of_the_crates_own() {
        assert_eq!(Error::RateLimited { retry_after: 1 }.outcome(), "refused_rate_limited");
        let odd = Error::Conflict { code: "someone@example.com", message: "x" };
        assert_eq!(odd.outcome(), "refused_conflict");
        let disabled = Error::Conflict { code: "user_disabled", message: "x" };
        assert_eq!(disabled.outcome(), "refused_user_disabled");
        assert_eq!(Error::Unavailable("pool".into()).outcome(), "refused_unavailable");
        assert_eq!(Error::Internal("bug".into()).outcome(), "failed");
        assert_eq!(Error::BodyTimeout.outcome(), "refused_invalid_request");
        assert_eq!(Error::InvalidToken(Reason::Used).outcome(), "refused_invalid_token");
    }

    #[test]
    fn a_catcher_answers_each_status_with_the_same_code_as_the_error_behind_it() {
        for (error, status) in [
            (Error::NotAcceptable, 406),
            (Error::NotFound, 404),
            (Error::UnsupportedMediaType, 415),
            (Error::BodyTimeout, 408),
        ] {
            assert_eq!(ErrorResponse::for_status(Status::new(status)).code, error.render().code, "{status}");
        }
    }

    #[test]
    fn internal_errors_render_without_their_cause() {
        let e = Error::Internal("connection string postgres://secret@db".into());
        let r = e.render();
        assert_eq!(r.status, Status::InternalServerError);
        assert_eq!(r.code, "internal_error");
        assert!(!r.english().contains("secret"));
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
        let r = Error::Validation { field: "email", problem: Invalid::Empty }.render();
        assert_eq!((r.status.code, r.code), (422, "invalid_field"));
        assert_eq!(r.english(), "`email` must not be empty.");
        assert_eq!(r.message.id, "error-field-empty");
        assert_eq!(Error::MethodNotAllowed { allow: "POST".into() }.render().allow.as_deref(), Some("POST"));
    }

    #[test]
    fn every_sentence_an_error_can_say_is_in_the_shipped_resources() {
        let locales = Locales::load(None, "en").expect("shipped languages");
        let ids: Vec<&str> = locales.ids(Area::Api).collect();
        let weak = Weakness::TooGuessable { score: 0, min_score: 3, warning: None, suggestions: Vec::new() };
        let errors = [
            Error::MalformedBody("x".into()),
            Error::InvalidBody("x".into()),
            Error::Validation { field: "email", problem: Invalid::Empty },
            Error::Validation { field: "email", problem: Invalid::ControlCharacters },
            Error::Validation { field: "email", problem: Invalid::TooLong { max: 1 } },
            Error::Validation { field: "count", problem: Invalid::OutOfRange { min: 1, max: 2 } },
            Error::Validation { field: "email", problem: Invalid::OneOf { other: "user_id" } },
            Error::BodyTooLarge(rocket::data::ByteUnit::Kibibyte(8)),
            Error::BodyTimeout,
            Error::UnsupportedMediaType,
            Error::Unauthenticated,
            Error::Forbidden,
            Error::NotFound,
            Error::MethodNotAllowed { allow: "GET".into() },
            Error::NotAcceptable,
            Error::UserNotFound,
            Error::Conflict { code: "user_disabled", message: "x" },
            Error::Conflict { code: "user_has_no_email", message: "x" },
            Error::Conflict { code: "user_email_unusable", message: "x" },
            Error::InvalidToken(Reason::Expired),
            Error::InvalidIdempotencyKey,
            Error::IdempotencyKeyReused,
            Error::RequestRefused,
            Error::WeakPassword(Weakness::TooShort { min_length: 15 }),
            Error::WeakPassword(Weakness::TooLong { max_length: 128 }),
            Error::WeakPassword(weak),
            Error::RateLimited { retry_after: 1 },
        ];
        let statuses = [400, 401, 403, 404, 405, 406, 408, 409, 413, 415, 422, 429, 500, 503, 418];
        let rendered: Vec<ErrorResponse> = errors
            .iter()
            .map(Error::render)
            .chain(statuses.iter().map(|code| ErrorResponse::for_status(Status::new(*code))))
            .collect();
        // The document's closed list of codes is exactly what can be answered.
        let mut answered: std::collections::BTreeSet<&str> = rendered.iter().map(|r| r.code).collect();
        answered.insert("malformed_request"); // the runnable server's front answers it
        let listed: std::collections::BTreeSet<&str> = CODES.into_iter().collect();
        assert_eq!(answered, listed);
        let odd = Error::Conflict { code: "host_specific", message: "x" }.render();
        assert_eq!(odd.code, "conflict", "a code outside the list is never answered");
        // `details` exactly for the codes whose schema has them.
        for response in &rendered {
            let detailed = matches!(response.code, "invalid_token" | "weak_password" | "invalid_field");
            assert_eq!(response.details.is_some(), detailed, "{}", response.code);
        }
        for response in rendered {
            assert!(ids.contains(&response.message.id), "{} has no sentence", response.message.id);
            let lang = locales.for_tag(Some("de"));
            let german = response.message.in_language(&locales, lang);
            assert!(!german.is_empty() && german != response.message.id, "{german}");
        }
        let conflicts: Vec<_> = errors.iter().filter(|e| matches!(e, Error::Conflict { .. })).collect();
        for conflict in conflicts {
            assert_ne!(conflict.render().message.id, "error-conflict", "each conflict has its own sentence");
        }
    }

    #[test]
    fn a_sentence_takes_its_values_in_the_answers_language() {
        let locales = Locales::load(None, "en").expect("shipped languages");
        let r = Error::RateLimited { retry_after: 7 }.render();
        let en = r.message.in_language(&locales, locales.for_tag(Some("en")));
        assert_eq!(en, "Too many requests; try again in 7 seconds.");
        let one = Error::RateLimited { retry_after: 1 }.render();
        assert_eq!(
            one.message.in_language(&locales, locales.for_tag(Some("en"))),
            "Too many requests; try again in one second."
        );
        let field = Error::Validation { field: "email", problem: Invalid::TooLong { max: 254 } }.render();
        let fr = field.message.in_language(&locales, locales.for_tag(Some("fr")));
        assert!(fr.contains("`email`") && fr.contains("254"), "{fr}");
        let feedback = locales.explain(&Weakness::TooShort { min_length: 15 }, Some("ja"));
        assert_eq!(feedback.language, "ja");
        assert!(feedback.message.contains("15"), "{}", feedback.message);
        assert_eq!(feedback.details["reason"], "too_short");
    }
}
