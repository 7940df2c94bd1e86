//! `JsonBody<T>`: the strict JSON data guard of these routes.
//!
//! Unlike Rocket's `Json`, it refuses a non-JSON content type (415) instead of falling through
//! to a 404, applies this crate's own `json_limit` (413) without touching the host's
//! `limits.json`, gives the body `body_timeout_secs` to arrive (408), and tells malformed JSON (400) from JSON of the wrong shape (422). Error
//! messages never echo a value from the body, so a password sent in the wrong place is not
//! repeated back or logged.

use std::collections::BTreeMap;

use crate::error::responses::{
    BadRequest, PayloadTooLarge, RequestTimeout, UnprocessableEntity, UnsupportedMediaType,
};
use utoipa::openapi::{RefOr, Response as ApiResponse};
use utoipa::IntoResponses;

use std::time::Duration;

use rocket::data::{self, Data, FromData};
use rocket::request::Request;
use serde::de::DeserializeOwned;

use crate::config::Config;
use crate::error::Error;

/// A JSON request body deserialized into `T`. Give `T` `#[serde(deny_unknown_fields)]`.
#[derive(Debug)]
pub struct JsonBody<T>(pub T);

#[rocket::async_trait]
impl<'r, T: DeserializeOwned> FromData<'r> for JsonBody<T> {
    type Error = Error;

    async fn from_data(req: &'r Request<'_>, data: Data<'r>) -> data::Outcome<'r, Self> {
        let e = match parse(req, data).await {
            Ok(value) => return data::Outcome::Success(JsonBody(value)),
            Err(e) => e,
        };
        // A call whose per-IP count is still running is refused as over the limit first, if
        // it is: its body does not matter then.
        let e = crate::rate_limit::refusal_of_unread(req).await.unwrap_or(e);
        data::Outcome::Error((e.stash(req), e))
    }
}

async fn parse<T: DeserializeOwned>(req: &Request<'_>, data: Data<'_>) -> Result<T, Error> {
    if !req.content_type().is_some_and(|ct| ct.media_type().is_json()) {
        return Err(Error::UnsupportedMediaType);
    }
    let (limit, deadline) = req
        .rocket()
        .state::<Config>()
        .map_or_else(|| (Config::default().json_limit, 10), |c| (c.json_limit, c.body_timeout_secs));
    // A body that does not arrive in time is refused: a client must not hold a request (and
    // whatever the route would take after it) open by dawdling.
    let capped = rocket::tokio::time::timeout(Duration::from_secs(deadline), data.open(limit).into_bytes())
        .await
        .map_err(|_| Error::BodyTimeout)?
        .map_err(|_| Error::MalformedBody("the body could not be read".into()))?;
    if !capped.is_complete() {
        return Err(Error::BodyTooLarge(limit));
    }
    serde_json::from_slice(&capped.into_inner()).map_err(|e| {
        let message = redact(&e);
        match e.classify() {
            serde_json::error::Category::Data => Error::InvalidBody(message),
            _ => Error::MalformedBody(message),
        }
    })
}

/// serde_json's message without any value taken from the body: `invalid type: string
/// "hunter2", expected u32` becomes `invalid type: string, expected u32`; field names are cut
/// short and control characters escaped so a hostile key cannot forge a log line.
fn redact(e: &serde_json::Error) -> String {
    let full = e.to_string();
    let message = full.rsplit_once(" at line ").map_or(full.as_str(), |(m, _)| m);
    let message = ["invalid type: ", "invalid value: ", "invalid length "]
        .iter()
        .find_map(|prefix| {
            let rest = message.strip_prefix(prefix)?;
            let kind = rest.split([' ', ',']).next().unwrap_or("value");
            let expected = rest.rsplit_once(", expected ").map_or("another value", |(_, x)| x);
            Some(format!("{prefix}{kind}, expected {expected}"))
        })
        .unwrap_or_else(|| message.to_string());
    let mut safe: String = message.chars().take(160).flat_map(char::escape_default).collect();
    if safe.len() > 200 {
        safe.truncate(200);
    }
    if e.line() > 0 {
        safe.push_str(&format!(" (line {}, column {})", e.line(), e.column()));
    }
    safe
}

/// The errors of [`JsonBody`]: not JSON, too slow, too large, not sent as JSON, the wrong shape.
impl<T> IntoResponses for JsonBody<T> {
    fn responses() -> BTreeMap<String, RefOr<ApiResponse>> {
        [
            BadRequest::entry(),
            RequestTimeout::entry(),
            PayloadTooLarge::entry(),
            UnsupportedMediaType::entry(),
            UnprocessableEntity::entry(),
        ]
        .into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Probe {
        n: u32,
        s: String,
    }

    fn message(input: &str) -> String {
        redact(&serde_json::from_str::<Probe>(input).expect_err("input is invalid"))
    }

    #[test]
    fn values_from_the_body_are_not_repeated() {
        let m = message(r#"{"n": "hunter2-secret", "s": "x"}"#);
        assert!(m.starts_with("invalid type: string, expected u32"), "{m}");
        assert!(!m.contains("hunter2"), "{m}");
        let m = message(r#"{"n": 1, "s": ["a", "b"]}"#);
        assert!(m.starts_with("invalid type: sequence, expected a string"), "{m}");
    }

    #[test]
    fn hostile_field_names_are_escaped_and_cut() {
        let key = format!("x\r\nFAKE{}", "y".repeat(5000));
        let m = message(&format!(r#"{{"{}": 1}}"#, key.replace('\r', "\\r").replace('\n', "\\n")));
        assert!(m.contains("unknown field"), "{m}");
        assert!(!m.contains('\n') && !m.contains('\r'), "{m}");
        assert!(m.len() < 260, "{}", m.len());
    }
}
