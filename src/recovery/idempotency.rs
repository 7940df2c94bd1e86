//! The `Idempotency-Key` header of `password-recovery` (the IETF httpapi draft
//! "The Idempotency-Key HTTP Header Field"): an admin, or the admin UI or job acting as one,
//! may retry a recovery request after a timeout without voiding the mail the user already has.
//!
//! The key is scoped to the admin (the authenticator's subject), so two admins using one key
//! never collide. Only its SHA-256 digest is stored, beside the digest of the request it came
//! with, on the token it issued; both go when the token is purged. A key replays its first
//! answer only while that token is live: once it is used, superseded, cancelled, revoked,
//! expired or unbound, the key is released and starts a new recovery. A malformed key and a
//! key reused with another request are refused, and the refusal is audited
//! (`idempotency_key_refused`).
//!
//! A header value that is not UTF-8 cannot be seen: Rocket 0.5 drops such a value before any
//! guard runs (`rocket::request::Request::from_hyp`), so the request arrives as one without a
//! key. A client that sends one gets what a client without a key gets.

use rocket::request::{FromRequest, Outcome, Request};
use sha2::{Digest as _, Sha256};

use super::answers::Target;
use crate::error::Error;

/// The header's name.
pub(crate) const HEADER: &str = "Idempotency-Key";
/// Longest key accepted.
const MAX_LEN: usize = 255;

/// A well-formed `Idempotency-Key`: 1 to 255 visible ASCII characters. The draft's form is a
/// structured-field string (`"8e03978e-40d5"`); a bare key is taken as it is, and the quotes
/// of a quoted one are not part of it. No `Debug` of the value: a key is not a secret, but it
/// has no business in a log either.
#[derive(Clone, PartialEq, Eq)]
pub struct IdempotencyKey(String);

impl std::fmt::Debug for IdempotencyKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("IdempotencyKey(..)")
    }
}

impl IdempotencyKey {
    /// The key in a header value, if it is well formed.
    #[must_use]
    pub fn parse(value: &str) -> Option<IdempotencyKey> {
        let value = value.trim();
        let key = match value.strip_prefix('"') {
            // A structured-field string: no escapes are allowed in a key, so a backslash or
            // a quote inside is refused rather than unescaped.
            Some(rest) => rest.strip_suffix('"').filter(|k| !k.contains(['"', '\\']))?,
            None => value,
        };
        let visible = key.bytes().all(|b| b.is_ascii_graphic());
        (visible && (1..=MAX_LEN).contains(&key.len())).then(|| IdempotencyKey(key.to_owned()))
    }

    /// What is stored: the key's SHA-256.
    #[must_use]
    pub(crate) fn digest(&self) -> [u8; 32] {
        Sha256::digest(self.0.as_bytes()).into()
    }
}

impl Target {
    /// What the request is, for comparing a repeat with the first: the SHA-256 of the field
    /// and its value as given (after the body's own trimming), and of the mail's `locale` when
    /// the request chose one.
    pub(crate) fn digest(&self, locale: Option<&str>) -> [u8; 32] {
        let (field, value) = match self {
            Target::Id(id) => ("user_id", id),
            Target::Email(email) => ("email", email),
        };
        let mut hash = Sha256::new();
        hash.update(field.as_bytes());
        hash.update([0x1f]);
        hash.update(value.as_bytes());
        if let Some(locale) = locale {
            hash.update(b"\x1flocale\x1f");
            hash.update(locale.as_bytes());
        }
        hash.finalize().into()
    }
}

/// Request guard: the request's `Idempotency-Key`, if it has one, or the refusal of a
/// malformed one (two of them, or one that is not 1 to 255 visible ASCII characters), which
/// the route answers with 400 `invalid_idempotency_key` once the refusal is recorded.
#[derive(Debug, Clone)]
pub(crate) struct Idempotency(pub(crate) Result<Option<IdempotencyKey>, ()>);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for Idempotency {
    type Error = Error;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, Error> {
        let mut values = req.headers().get(HEADER);
        let first = values.next();
        let key = match (first, values.next()) {
            (None, _) => return Outcome::Success(Idempotency(Ok(None))),
            (Some(value), None) => IdempotencyKey::parse(value),
            (Some(_), Some(_)) => None,
        };
        Outcome::Success(Idempotency(key.map(Some).ok_or(())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_visible_ascii_bare_or_quoted() {
        let key = |v: &str| IdempotencyKey::parse(v).map(|k| k.0);
        assert_eq!(key("abc-123").as_deref(), Some("abc-123"));
        assert_eq!(key("\"8e03978e-40d5\"").as_deref(), Some("8e03978e-40d5"));
        assert_eq!(key(&"k".repeat(255)).map(|k| k.len()), Some(255));
        for bad in ["", "\"\"", "a b", "caf\u{e9}", "\"a\\\"b\"", "\"open", "a\u{7}"] {
            assert_eq!(key(bad), None, "{bad:?}");
        }
        assert_eq!(key(&"k".repeat(256)), None);
    }

    #[test]
    fn requests_differ_by_field_and_value() {
        let a = Target::Email("ann@example.org".into()).digest(None);
        assert_eq!(a, Target::Email("ann@example.org".into()).digest(None));
        assert_ne!(a, Target::Email("bob@example.org".into()).digest(None));
        assert_ne!(a, Target::Id("ann@example.org".into()).digest(None));
        let de = Target::Email("ann@example.org".into()).digest(Some("de"));
        assert_ne!(a, de, "a chosen language is part of the request");
        assert_ne!(de, Target::Email("ann@example.org".into()).digest(Some("ja")));
    }
}
