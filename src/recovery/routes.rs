//! The three recovery routes: parse, call [`RecoveryService`], answer. Nothing else.
//!
//! Each route's `#[utoipa::path]` is its entry in the OpenAPI document: the path and method
//! come from Rocket's attribute beside it, the description from its rustdoc, the errors from
//! its guards (see `crate::openapi`) and from its service.

use rocket::serde::json::Json;
use rocket::{post, State};
use secrecy::SecretString;
use serde::Deserialize;
use utoipa::openapi::schema::{AdditionalProperties, ObjectBuilder, OneOfBuilder, Schema, Type};
use utoipa::openapi::RefOr;
use utoipa::ToSchema;

use super::answers::{Changed, Queued, Target, Verdict};
use super::service::RecoveryService;
use crate::auth::AdminScope;
use crate::error::{Error, Result};
use crate::json::JsonBody;
use crate::openapi::{
    Conflict, InternalServerError, NotFound, ServiceUnavailable, TooManyRequests, RECOVERY,
};
use crate::rate_limit::PublicLimit;
use crate::request_context::RequestContext;

/// The body of `password-recovery`: exactly one of `email` and `user_id`. Nothing else is
/// accepted; in particular no recipient, token, password or expiry can be chosen by the caller.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PasswordRecovery {
    /// The account's email (compared as the account store compares emails).
    #[serde(default)]
    pub email: Option<String>,
    /// The account's id, as a string (the host's ids are opaque to the crate).
    #[serde(default)]
    pub user_id: Option<String>,
}

/// Longest email address accepted (RFC 5321 path limit).
const MAX_EMAIL_LEN: usize = 254;
/// Longest account id accepted.
const MAX_ID_LEN: usize = 255;

/// What [`plain`] accepts, as a JSON Schema pattern: no control character (Unicode `Cc`), and
/// not only white space.
const PLAIN: &str =
    r"^[^\u0000-\u001F\u007F-\u009F]*[^\s\u0000-\u001F\u007F-\u009F][^\u0000-\u001F\u007F-\u009F]*$";

/// Exactly one of the two, each a non-empty string: an object with `email` alone or with
/// `user_id` alone, no other property (a `null` counts as absent).
impl utoipa::PartialSchema for PasswordRecovery {
    fn schema() -> RefOr<Schema> {
        let one = |field: &str, max: usize, description: &str| {
            let value = ObjectBuilder::new()
                .schema_type(Type::String)
                .min_length(Some(1))
                .max_length(Some(max))
                .pattern(Some(PLAIN))
                .description(Some(description));
            ObjectBuilder::new()
                .schema_type(Type::Object)
                .property(field, value)
                .required(field)
                .additional_properties(Some(AdditionalProperties::FreeForm(false)))
        };
        OneOfBuilder::new()
            .item(one(
                "email",
                MAX_EMAIL_LEN,
                "The account's email, compared as the account store compares emails. The mail \
                 goes to the address stored for the account, never to this one.",
            ))
            .item(one("user_id", MAX_ID_LEN, "The account's id, as a string (the host's ids are opaque)."))
            .description(Some(
                "Whose password to recover: exactly one of `email` and `user_id`. Nothing else \
                 is accepted: no recipient, token, password or expiry can be chosen by the caller.",
            ))
            .examples([serde_json::json!({ "email": "ann@example.org" })])
            .into()
    }
}

impl ToSchema for PasswordRecovery {
    fn name() -> std::borrow::Cow<'static, str> {
        "PasswordRecovery".into()
    }
}

/// `value` as `field`, if it is non-empty, short enough and free of control characters
/// (Postgres refuses NUL in text, and no address or id holds a control character).
fn plain(field: &'static str, value: String, max: usize) -> Result<String> {
    let value = value.trim().to_owned();
    let invalid = |reason: String| Error::Validation { field, reason };
    if value.is_empty() {
        return Err(invalid("must not be empty".into()));
    }
    if value.chars().any(char::is_control) {
        return Err(invalid("must not contain control characters".into()));
    }
    if value.chars().count() > max {
        return Err(invalid(format!("must be at most {max} characters")));
    }
    Ok(value)
}

impl PasswordRecovery {
    fn target(self) -> Result<Target> {
        match (self.email, self.user_id) {
            (Some(email), None) => Ok(Target::Email(plain("email", email, MAX_EMAIL_LEN)?)),
            (None, Some(id)) => Ok(Target::Id(plain("user_id", id, MAX_ID_LEN)?)),
            _ => Err(Error::Validation {
                field: "email",
                reason: "or `user_id`: give exactly one of the two".into(),
            }),
        }
    }
}

/// The body of `verify-recovery-token`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenRequest {
    /// The token from the link's fragment.
    pub token: String,
}

/// The body of `change-password`. The account comes only from the token; nothing here can
/// name one.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordReset {
    /// The token from the link.
    pub token: String,
    /// The new password (never logged or echoed). The policy (by default 15 to 128 characters,
    /// hard enough to guess) is checked by the server: a weak one is a 422 `weak_password`.
    #[schema(value_type = String, format = Password)]
    pub new_password: SecretString,
    /// Revoke every session of the account too. Default false.
    #[serde(default)]
    pub sign_out_everywhere: bool,
}

/// `POST <mount>/password-recovery` (admin): issue a token and queue the recovery mail.
///
/// Supersedes the user's older tokens and queues the recovery mail to the address stored for
/// the user; answers once the token and its mail are committed (the token is never in the
/// answer). Needs a bearer with the admin scope.
#[utoipa::path(
    tag = RECOVERY,
    request_body = PasswordRecovery,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The token is issued and its mail queued.", body = Queued),
        AdminScope,
        JsonBody<PasswordRecovery>,
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 429, response = TooManyRequests),
        (status = 500, response = InternalServerError),
        (status = 503, response = ServiceUnavailable),
    )
)]
#[post("/password-recovery", data = "<body>")]
pub async fn password_recovery(
    admin: AdminScope,
    ctx: &RequestContext,
    service: &State<RecoveryService>,
    body: JsonBody<PasswordRecovery>,
) -> Result<Json<Queued>> {
    let target = body.0.target()?;
    Ok(Json(service.start(target, &admin.0, ctx).await?))
}

/// `POST <mount>/verify-recovery-token`: is this link still good? Reads only, so mail
/// scanners and link previews cannot burn a token.
///
/// A valid token answers its expiry and a masked email; any other answers why not. Either way
/// the status is 200.
#[utoipa::path(
    tag = RECOVERY,
    request_body = TokenRequest,
    responses(
        (status = 200, description = "Whether the token can be used, and why not.", body = Verdict),
        PublicLimit,
        JsonBody<TokenRequest>,
        (status = 500, response = InternalServerError),
        (status = 503, response = ServiceUnavailable),
    )
)]
#[post("/verify-recovery-token", data = "<body>")]
pub async fn verify_recovery_token(
    _limit: PublicLimit,
    service: &State<RecoveryService>,
    body: JsonBody<TokenRequest>,
) -> Result<Json<Verdict>> {
    Ok(Json(service.verify(&body.0.token).await?))
}

/// `POST <mount>/change-password`: set a new password with a recovery token.
///
/// A token that is not valid is a 400 `invalid_token` (the reason in `details.reason`); a
/// password that fails the policy is a 422 `weak_password` and leaves the token usable.
/// Sessions stay valid unless `sign_out_everywhere` (or the server's configuration) says
/// otherwise; the answer counts them. No cookie or credential is ever returned.
#[utoipa::path(
    tag = RECOVERY,
    request_body = PasswordReset,
    responses(
        (status = 200, description = "The password is changed.", body = Changed),
        PublicLimit,
        JsonBody<PasswordReset>,
        (status = 500, response = InternalServerError),
        (status = 503, response = ServiceUnavailable),
    )
)]
#[post("/change-password", data = "<body>")]
pub async fn change_password(
    _limit: PublicLimit,
    ctx: &RequestContext,
    service: &State<RecoveryService>,
    body: JsonBody<PasswordReset>,
) -> Result<Json<Changed>> {
    let PasswordReset { token, new_password, sign_out_everywhere } = body.0;
    Ok(Json(service.redeem(&token, new_password, sign_out_everywhere, ctx).await?))
}
