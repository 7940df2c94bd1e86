//! The error envelope's schema in the OpenAPI document, typed per code so that a generated
//! client reads `details` without a cast: `ErrorBody` is one of four objects told apart by
//! `code` (a discriminator):
//!
//! - `InvalidTokenError`: `invalid_token`, with `details.reason` (a [`Reason`]);
//! - `WeakPasswordError`: `weak_password`, with `details` one of `PasswordTooShort`,
//!   `PasswordTooLong` and `PasswordTooGuessable` (told apart by `details.reason`);
//! - `InvalidFieldError`: `invalid_field`, with `details.field`;
//! - `PlainError`: every other code in [`CODES`], with no `details`.
//!
//! The JSON itself is built in [`super::Details`]; the conformance tests and schemathesis hold
//! the two together.

use std::borrow::Cow;

use utoipa::openapi::schema::{
    AdditionalProperties, ArrayBuilder, Discriminator, ObjectBuilder, OneOfBuilder, Schema, Type,
};
use utoipa::openapi::{Ref, RefOr};
use utoipa::{PartialSchema, ToSchema};

use super::responses::only;
use super::{ErrorBody, Reason};

/// Every code an error answer can carry. A code outside this list is never sent: the render
/// tests hold every [`super::Error`] and every status to it. `malformed_request` is the runnable
/// server's front's (a request it cannot frame without doubt), never the crate's.
pub(crate) const CODES: [&str; 27] = [
    "bad_request",
    "malformed_request",
    "malformed_json",
    "invalid_token",
    "invalid_idempotency_key",
    "unauthenticated",
    "forbidden",
    "request_refused",
    "not_found",
    "user_not_found",
    "method_not_allowed",
    "not_acceptable",
    "request_timeout",
    "conflict",
    "user_disabled",
    "user_has_no_email",
    "user_email_unusable",
    "body_too_large",
    "unsupported_media_type",
    "invalid_body",
    "invalid_field",
    "weak_password",
    "idempotency_key_reused",
    "rate_limited",
    "internal_error",
    "service_unavailable",
    "request_failed",
];

/// The codes with details of their own, and their object's name.
const DETAILED: [(&str, &str); 3] = [
    ("invalid_token", "InvalidTokenError"),
    ("weak_password", "WeakPasswordError"),
    ("invalid_field", "InvalidFieldError"),
];

/// The object of every other code.
const PLAIN: &str = "PlainError";

/// `#/components/schemas/<name>`.
fn reference(name: &str) -> String {
    format!("#/components/schemas/{name}")
}

/// A closed object: exactly these properties, all of them required.
fn closed(description: &str, properties: Vec<(&str, RefOr<Schema>)>) -> ObjectBuilder {
    properties.into_iter().fold(
        ObjectBuilder::new()
            .schema_type(Type::Object)
            .description(Some(description))
            .additional_properties(Some(AdditionalProperties::FreeForm(false))),
        |object, (name, schema)| object.property(name, schema).required(name),
    )
}

/// An error object with `code` fixed to `codes` and, when given, its `details`.
fn error_object(description: &str, codes: &[&str], details: Option<&str>) -> Schema {
    let code = ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(codes.iter().copied()))
        .description(Some("The stable, machine-readable code (the README's Errors table lists them all)."));
    let message = ObjectBuilder::new().schema_type(Type::String).description(Some(
        "A human-readable sentence in the language of `Accept-Language` (see `Content-Language`). \
         It never repeats a value from the request body.",
    ));
    let request_id = ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some("^[0-9a-f]{32}$"))
        .description(Some("The request's id, as in the `X-Request-Id` header and the log line."));
    let mut properties: Vec<(&str, RefOr<Schema>)> = vec![("code", code.into()), ("message", message.into())];
    if let Some(details) = details {
        properties.push(("details", Ref::from_schema_name(details).into()));
    }
    properties.push(("request_id", request_id.into()));
    closed(description, properties).into()
}

/// An integer in `min..=max` (or from `min` up).
fn integer(min: u8, max: Option<u8>, description: &str) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::Integer)
        .minimum(Some(min))
        .maximum(max)
        .description(Some(description))
        .into()
}

/// The named schemas `ErrorBody` is made of, for the document's components.
fn parts() -> Vec<(String, RefOr<Schema>)> {
    let plain: Vec<&str> =
        CODES.iter().copied().filter(|code| DETAILED.iter().all(|(detailed, _)| code != detailed)).collect();
    let string = |description: &str| -> RefOr<Schema> {
        ObjectBuilder::new().schema_type(Type::String).description(Some(description)).into()
    };
    let weak =
        |reason: &str, description: &str, fields: Vec<(&'static str, RefOr<Schema>)>| -> RefOr<Schema> {
            let mut properties = vec![("reason", only(reason).into())];
            properties.extend(fields);
            closed(description, properties).into()
        };
    let schemas: [(&str, RefOr<Schema>); 11] = [
        (
            "InvalidTokenError",
            error_object(
                "`invalid_token` (change-password, cancel-recovery): the recovery token is not valid.",
                &["invalid_token"],
                Some("InvalidTokenDetails"),
            )
            .into(),
        ),
        (
            "InvalidTokenDetails",
            closed(
                "Why the token is not valid.",
                vec![("reason", Ref::from_schema_name(Reason::name()).into())],
            )
            .into(),
        ),
        (
            "WeakPasswordError",
            error_object(
                "`weak_password` (change-password): the new password fails the policy; the token \
                 stays usable.",
                &["weak_password"],
                Some("WeakPasswordDetails"),
            )
            .into(),
        ),
        (
            "WeakPasswordDetails",
            OneOfBuilder::new()
                .item(Ref::from_schema_name("PasswordTooShort"))
                .item(Ref::from_schema_name("PasswordTooLong"))
                .item(Ref::from_schema_name("PasswordTooGuessable"))
                .discriminator(Some(Discriminator::with_mapping(
                    "reason",
                    [
                        ("too_short", reference("PasswordTooShort")),
                        ("too_long", reference("PasswordTooLong")),
                        ("too_guessable", reference("PasswordTooGuessable")),
                    ],
                )))
                .description(Some("What to fix, by `reason`."))
                .into(),
        ),
        (
            "PasswordTooShort",
            weak(
                "too_short",
                "Fewer characters than the policy's minimum.",
                vec![("min_length", integer(1, None, "The fewest characters allowed."))],
            ),
        ),
        (
            "PasswordTooLong",
            weak(
                "too_long",
                "More characters than the policy's maximum.",
                vec![("max_length", integer(1, None, "The most characters allowed."))],
            ),
        ),
        (
            "PasswordTooGuessable",
            weak(
                "too_guessable",
                "Too easy to guess (zxcvbn's score is below the policy's minimum), e.g. because it \
                 is common or built from the account's email or name.",
                vec![
                    ("score", integer(0, Some(4), "zxcvbn's score of the password, 0 to 4.")),
                    ("min_score", integer(0, Some(4), "The least score the policy accepts.")),
                    (
                        "warning",
                        ObjectBuilder::new()
                            .schema_type(utoipa::openapi::schema::SchemaType::from_iter([
                                Type::String,
                                Type::Null,
                            ]))
                            .description(Some(
                                "What makes it easy to guess, as a sentence in the answer's \
                                 language; null when nothing in particular does.",
                            ))
                            .into(),
                    ),
                    (
                        "suggestions",
                        ArrayBuilder::new()
                            .items(ObjectBuilder::new().schema_type(Type::String))
                            .description(Some(
                                "How to make it stronger, as sentences in the answer's language \
                                 (possibly none).",
                            ))
                            .into(),
                    ),
                ],
            ),
        ),
        (
            "InvalidFieldError",
            error_object(
                "`invalid_field`: a field has a value that is not acceptable.",
                &["invalid_field"],
                Some("InvalidFieldDetails"),
            )
            .into(),
        ),
        (
            "InvalidFieldDetails",
            closed("Which field.", vec![("field", string("The field's name, such as `email`."))]).into(),
        ),
        (PLAIN, error_object("Every other code: no `details`.", &plain, None).into()),
        ("Reason", Reason::schema()),
    ];
    schemas.into_iter().map(|(name, schema)| (name.to_owned(), schema)).collect()
}

/// One of the four error objects, by `code`.
impl PartialSchema for ErrorBody {
    fn schema() -> RefOr<Schema> {
        let variants = DETAILED.iter().map(|(_, name)| *name).chain([PLAIN]);
        let one_of =
            variants.fold(OneOfBuilder::new(), |one_of, name| one_of.item(Ref::from_schema_name(name)));
        let mapping = CODES.iter().map(|code| {
            let name =
                DETAILED.iter().find(|(detailed, _)| detailed == code).map_or(PLAIN, |(_, name)| *name);
            (*code, reference(name))
        });
        one_of
            .discriminator(Some(Discriminator::with_mapping("code", mapping)))
            .description(Some(
                "What went wrong: `code`, a sentence, the request's id, and for `invalid_token`, \
                 `weak_password` and `invalid_field` typed `details`.",
            ))
            .into()
    }
}

impl ToSchema for ErrorBody {
    fn name() -> Cow<'static, str> {
        "ErrorBody".into()
    }

    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        schemas.extend(parts());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_errors_page_names_every_code() {
        let page = include_str!("../../docs/errors.md");
        for code in CODES {
            assert!(page.contains(&format!("`{code}`")), "docs/errors.md does not name `{code}`");
        }
    }

    #[test]
    fn every_code_maps_to_exactly_one_object_and_codes_are_unique() {
        let mut sorted = CODES.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), CODES.len(), "a code listed twice");
        let json = serde_json::to_value(ErrorBody::schema()).unwrap_or_default();
        let mapping = json["discriminator"]["mapping"].as_object().cloned().unwrap_or_default();
        assert_eq!(mapping.len(), CODES.len());
        assert_eq!(mapping["weak_password"], "#/components/schemas/WeakPasswordError");
        assert_eq!(mapping["rate_limited"], "#/components/schemas/PlainError");
        let parts: std::collections::BTreeMap<String, serde_json::Value> = parts()
            .into_iter()
            .map(|(name, schema)| (name, serde_json::to_value(schema).unwrap_or_default()))
            .collect();
        let plain = parts["PlainError"]["properties"]["code"]["enum"].as_array().cloned().unwrap_or_default();
        assert_eq!(plain.len(), CODES.len() - DETAILED.len());
        assert!(!plain.contains(&"weak_password".into()));
        assert!(plain.contains(&"not_found".into()));
    }
}
