//! The recovery routes: parse, call [`RecoveryService`], answer. Nothing else.
//!
//! Each route's `#[utoipa::path]` is its entry in the OpenAPI document: the path and method
//! come from Rocket's attribute beside it, the description from its rustdoc, the errors from
//! its guards (see `crate::openapi`) and from its service.

use rocket::serde::json::Json;
use rocket::{delete, get, post, State};
use secrecy::SecretString;
use serde::Deserialize;
use utoipa::openapi::schema::{AdditionalProperties, AnyOfBuilder, ObjectBuilder, Schema, Type};
use utoipa::openapi::{Ref, RefOr};
use utoipa::ToSchema;

use super::answers::{
    Accepted, Cancelled, Changed, OutstandingTokens, Queued, RecoveryStatus, Revoked, Target, Verdict,
};
use super::idempotency::Idempotency;
use super::self_service::CheckedRequest;
use super::RecoveryService;
use crate::auth::AdminScope;
use crate::error::responses::{
    Conflict, InternalServerError, NotFound, ServiceUnavailable, TooManyRequests, UnprocessableEntity,
};
use crate::error::{Error, Invalid, Result};
use crate::json::JsonBody;
use crate::rate_limit::{PublicLimit, PublicLimitOverlapped};
use crate::request_context::RequestContext;

/// The OpenAPI tag of these routes.
pub(crate) const OPENAPI_TAG: &str = "password recovery";

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
    /// The language of this mail (a BCP 47 tag such as `ja`), over the account's own. A tag
    /// the crate does not speak, or one that does not parse, falls back like the account's.
    #[serde(default)]
    pub locale: Option<String>,
}

/// Longest email address accepted (RFC 5321 path limit).
const MAX_EMAIL_LEN: usize = 254;
/// Longest account id accepted.
const MAX_ID_LEN: usize = 255;

/// What [`plain`] accepts, as a JSON Schema pattern: no control character (Unicode `Cc`), and
/// not only white space.
const PLAIN: &str =
    r"^[^\u0000-\u001F\u007F-\u009F]*[^\s\u0000-\u001F\u007F-\u009F][^\u0000-\u001F\u007F-\u009F]*$";

/// The two shapes of the body, by name: `PasswordRecoveryByEmail` and
/// `PasswordRecoveryByUserId`.
const BY_EMAIL: &str = "PasswordRecoveryByEmail";
const BY_USER_ID: &str = "PasswordRecoveryByUserId";

/// One shape of [`PasswordRecovery`]: `field` (a non-empty string), the other field at most
/// as `null` (so a generated type refuses both), an optional `locale`, nothing else.
fn recovery_by(field: &str, other: &str, max: usize, description: &str) -> Schema {
    let value = ObjectBuilder::new()
        .schema_type(Type::String)
        .min_length(Some(1))
        .max_length(Some(max))
        .pattern(Some(PLAIN))
        .description(Some(description));
    let absent = ObjectBuilder::new().schema_type(Type::Null).description(Some(format!(
        "Not with `{field}`: give exactly one of the two (`null` counts as absent)."
    )));
    let locale = ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::SchemaType::from_iter([Type::String, Type::Null]))
        .description(Some(
            "The language of this mail (a BCP 47 tag such as `ja` or `pt-BR`), over the \
             account's own. A tag the server does not speak falls back (`pt-PT` → `pt-BR` \
             → `user_account.default_locale`); it is never an error.",
        ))
        .examples([serde_json::json!("ja")]);
    ObjectBuilder::new()
        .schema_type(Type::Object)
        .property(field, value)
        .required(field)
        .property(other, absent)
        .property("locale", locale)
        .additional_properties(Some(AdditionalProperties::FreeForm(false)))
        .description(Some(format!("A recovery for the account with this `{field}`.")))
        .into()
}

/// Exactly one of the two shapes: `email` alone or `user_id` alone (a `null` counts as
/// absent), each a non-empty string, and no other property but `locale`. Each shape refuses
/// the other's field, so no body fits both; `anyOf` says no more than that (a linter cannot
/// prove `oneOf` exclusive through the `null`-typed fields), and a generated type refuses a
/// body with both.
impl utoipa::PartialSchema for PasswordRecovery {
    fn schema() -> RefOr<Schema> {
        AnyOfBuilder::new()
            .item(Ref::from_schema_name(BY_EMAIL))
            .item(Ref::from_schema_name(BY_USER_ID))
            .description(Some(
                "Whose password to recover: exactly one of `email` and `user_id`, and optionally \
                 the mail's `locale`. Nothing else is accepted: no recipient, token, password or \
                 expiry can be chosen by the caller.",
            ))
            .examples([serde_json::json!({ "email": "ann@example.org" })])
            .into()
    }
}

impl ToSchema for PasswordRecovery {
    fn name() -> std::borrow::Cow<'static, str> {
        "PasswordRecovery".into()
    }

    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        let by_email = recovery_by(
            "email",
            "user_id",
            MAX_EMAIL_LEN,
            "The account's email, compared as the account store compares emails. The mail goes \
             to the address stored for the account, never to this one.",
        );
        let by_id = recovery_by(
            "user_id",
            "email",
            MAX_ID_LEN,
            "The account's id, as a string (the host's ids are opaque).",
        );
        schemas.push((BY_EMAIL.to_owned(), by_email.into()));
        schemas.push((BY_USER_ID.to_owned(), by_id.into()));
    }
}

/// `value` as `field`, if it is non-empty, short enough and free of control characters
/// (Postgres refuses NUL in text, and no address or id holds a control character).
fn plain(field: &'static str, value: String, max: usize) -> Result<String> {
    let value = value.trim().to_owned();
    let invalid = |problem: Invalid| Error::Validation { field, problem };
    if value.is_empty() {
        return Err(invalid(Invalid::Empty));
    }
    if value.chars().any(char::is_control) {
        return Err(invalid(Invalid::ControlCharacters));
    }
    if value.chars().count() > max {
        return Err(invalid(Invalid::TooLong { max }));
    }
    Ok(value)
}

impl PasswordRecovery {
    fn target(self) -> Result<Target> {
        match (self.email, self.user_id) {
            (Some(email), None) => Ok(Target::Email(plain("email", email, MAX_EMAIL_LEN)?)),
            (None, Some(id)) => Ok(Target::Id(plain("user_id", id, MAX_ID_LEN)?)),
            _ => Err(Error::Validation { field: "email", problem: Invalid::OneOf { other: "user_id" } }),
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
///
/// With an `Idempotency-Key` header (1 to 255 visible ASCII characters, bare or as a quoted
/// string), a repeat by the same admin with the same key and body, while the first token has
/// not expired, answers the first answer again and issues no second token and no second mail;
/// the same key with another body is 422 `idempotency_key_reused`.
#[utoipa::path(
    tag = OPENAPI_TAG,
    request_body = PasswordRecovery,
    security(("bearer" = [])),
    params(
        ("Idempotency-Key" = Option<String>, Header, max_length = 255, pattern = "^[!-~]+$",
         description = "Makes a retry safe: a repeat with the same key and body answers the \
            first answer again (`\"quoted\"` keys are read without their quotes)."),
    ),
    responses(
        (status = 200, description = "The token is issued and its mail queued (or, for a repeat \
            with the same `Idempotency-Key`, the first answer again).", body = Queued),
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
    idempotency: Idempotency,
    ctx: &RequestContext,
    service: &State<RecoveryService>,
    body: JsonBody<PasswordRecovery>,
) -> Result<Json<Queued>> {
    let Ok(key) = idempotency.0 else {
        let mut conn = service.conn().await?;
        return Err(service.refuse_key(&mut conn, &admin.0, ctx, Error::InvalidIdempotencyKey).await);
    };
    let locale = body.0.locale.clone();
    let target = body.0.target()?;
    Ok(Json(service.start(target, locale.as_deref(), &admin.0, key.as_ref(), ctx).await?))
}

/// A UUID from the path, or 404: an id that cannot exist names nothing.
fn uuid(id: &str) -> Result<uuid::Uuid> {
    uuid::Uuid::parse_str(id).map_err(|_| Error::NotFound)
}

/// `GET <mount>/password-recovery/<recovery_id>` (admin): where a recovery stands.
///
/// The token's state and the mail's: `queued`, `retrying` (with the attempts and the class of
/// the last error, never its text), `sent` (with when), `abandoned` or `dropped` (the token
/// ended before the mail went). An unknown id is 404.
#[utoipa::path(
    tag = OPENAPI_TAG,
    security(("bearer" = [])),
    params(("recovery_id" = uuid::Uuid, Path, description = "From the `password-recovery` answer.")),
    responses(
        (status = 200, description = "Where the recovery stands.", body = RecoveryStatus),
        AdminScope,
        (status = 404, response = NotFound),
        (status = 500, response = InternalServerError),
        (status = 503, response = ServiceUnavailable),
    )
)]
#[get("/password-recovery/<recovery_id>", rank = 2)]
pub async fn recovery_status(
    _admin: AdminScope,
    service: &State<RecoveryService>,
    recovery_id: &str,
) -> Result<Json<RecoveryStatus>> {
    Ok(Json(service.status(uuid(recovery_id)?).await?))
}

/// `GET <mount>/recovery-tokens?user_id=<user_id>` (admin): a user's live recovery tokens.
///
/// Their ids, when they were issued and expire, who asked, and where their mails stand; never
/// a token or its digest. Audited. The user is named in the query, not the path, so that any
/// id the host uses (one with a `/`, or one spelled like another route) names only a user.
/// Without `user_id` the answer is 422 `invalid_field`; an unknown user is 404
/// `user_not_found`.
#[utoipa::path(
    tag = OPENAPI_TAG,
    security(("bearer" = [])),
    params(("user_id" = String, Query, min_length = 1, max_length = 255,
        description = "The account's id, as the account store names it (percent-encoded).")),
    responses(
        (status = 200, description = "The user's live tokens.", body = OutstandingTokens),
        AdminScope,
        (status = 404, response = NotFound),
        (status = 422, response = UnprocessableEntity),
        (status = 500, response = InternalServerError),
        (status = 503, response = ServiceUnavailable),
    )
)]
#[get("/recovery-tokens?<user_id>")]
pub async fn recovery_tokens(
    admin: AdminScope,
    ctx: &RequestContext,
    service: &State<RecoveryService>,
    user_id: Option<String>,
) -> Result<Json<OutstandingTokens>> {
    let user_id = plain("user_id", user_id.unwrap_or_default(), MAX_ID_LEN)?;
    Ok(Json(service.outstanding(&user_id, &admin.0, ctx).await?))
}

/// `DELETE <mount>/recovery-tokens/<token_id>` (admin): revoke a live recovery token.
///
/// Its link stops working and its mail, if not sent yet, is dropped. A token that is unknown
/// or no longer live is 404. Audited.
#[utoipa::path(
    tag = OPENAPI_TAG,
    security(("bearer" = [])),
    params(("token_id" = uuid::Uuid, Path, description = "The token's id (a `recovery_id`).")),
    responses(
        (status = 200, description = "The token is revoked.", body = Revoked),
        AdminScope,
        (status = 404, response = NotFound),
        (status = 500, response = InternalServerError),
        (status = 503, response = ServiceUnavailable),
    )
)]
#[delete("/recovery-tokens/<token_id>")]
pub async fn revoke_recovery_token(
    admin: AdminScope,
    ctx: &RequestContext,
    service: &State<RecoveryService>,
    token_id: &str,
) -> Result<Json<Revoked>> {
    Ok(Json(service.revoke(uuid(token_id)?, &admin.0, ctx).await?))
}

/// `POST <mount>/cancel-recovery`: "this wasn't me". Revokes the token without touching the
/// account.
///
/// The recovery mail's second link (`#cancel=`) leads here through the reset page, which asks
/// first. A token that is already cancelled answers the same; any other token that is not live
/// is a 400 `invalid_token` (the reason in `details.reason`).
#[utoipa::path(
    tag = OPENAPI_TAG,
    request_body = TokenRequest,
    responses(
        (status = 200, description = "The token is cancelled.", body = Cancelled),
        PublicLimit,
        JsonBody<TokenRequest>,
        (status = 500, response = InternalServerError),
        (status = 503, response = ServiceUnavailable),
    )
)]
#[post("/cancel-recovery", data = "<body>")]
pub async fn cancel_recovery(
    _limit: PublicLimit,
    ctx: &RequestContext,
    service: &State<RecoveryService>,
    body: JsonBody<TokenRequest>,
) -> Result<Json<Cancelled>> {
    Ok(Json(service.cancel(&body.0.token, ctx).await?))
}

/// The body of `forgot-password`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ForgotPassword {
    /// The address the user typed. The link goes to the address stored for the account with
    /// this address, if there is one; nothing says whether there is.
    #[schema(min_length = 1, max_length = 254, example = "ann@example.org")]
    pub email: String,
}

/// The OpenAPI tag of the self-service route.
pub(crate) const SELF_SERVICE_TAG: &str = "self-service recovery";

/// `POST <mount>/forgot-password` (when `self_service_recovery` is on): a user asks for a link
/// themselves.
///
/// Every well-formed request answers the same 202, whether or not an account has the address,
/// and does the same work before answering (it queues the request); the account is looked up
/// after the answer. An account that exists and may be recovered gets a link at its stored
/// address, within its per-user limits and the deployment's `self_service_per_hour`; every
/// other request sends nothing, and nothing in the answer or its timing says which. The reset
/// page offers it under a link that no longer works.
#[utoipa::path(
    tag = SELF_SERVICE_TAG,
    request_body = ForgotPassword,
    responses(
        (status = 202, description = "Accepted. If an account has this address, a link is on its way.", body = Accepted),
        PublicLimit,
        CheckedRequest,
        JsonBody<ForgotPassword>,
        (status = 500, response = InternalServerError),
    )
)]
#[post("/forgot-password", data = "<body>")]
pub async fn forgot_password(
    _limit: PublicLimit,
    _checked: CheckedRequest,
    ctx: &RequestContext,
    language: AcceptLanguage<'_>,
    service: &State<RecoveryService>,
    body: JsonBody<ForgotPassword>,
) -> Result<rocket::response::status::Accepted<Json<Accepted>>> {
    let email = plain("email", body.0.email, MAX_EMAIL_LEN)?;
    let locales = service.templates.locales();
    let language = locales.spoken_in(language.0).map(|lang| locales.tag(lang));
    service.accept(&email, language, ctx).await?;
    Ok(rocket::response::status::Accepted(Json(Accepted::ANSWER)))
}

/// The request's `Accept-Language` header, as sent.
pub(crate) struct AcceptLanguage<'r>(Option<&'r str>);

#[rocket::async_trait]
impl<'r> rocket::request::FromRequest<'r> for AcceptLanguage<'r> {
    type Error = std::convert::Infallible;

    async fn from_request(req: &'r rocket::Request<'_>) -> rocket::request::Outcome<Self, Self::Error> {
        rocket::request::Outcome::Success(AcceptLanguage(req.headers().get_one("Accept-Language")))
    }
}

/// `POST <mount>/verify-recovery-token`: is this link still good? Reads only, so mail
/// scanners and link previews cannot burn a token.
///
/// A valid token answers its expiry and a masked email; any other answers why not. Either way
/// the status is 200.
#[utoipa::path(
    tag = OPENAPI_TAG,
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
    limit: PublicLimitOverlapped<'_>,
    service: &State<RecoveryService>,
    body: JsonBody<TokenRequest>,
) -> Result<Json<Verdict>> {
    // The count ran while the body arrived; a call over the limit gets its 429 and costs no
    // lookup.
    limit.settle().await?;
    Ok(Json(service.verify(&body.0.token).await?))
}

/// `POST <mount>/change-password`: set a new password with a recovery token.
///
/// A token that is not valid is a 400 `invalid_token` (the reason in `details.reason`); a
/// password that fails the policy is a 422 `weak_password` and leaves the token usable.
/// Sessions stay valid unless `sign_out_everywhere` (or the server's configuration) says
/// otherwise; the answer counts them. No cookie or credential is ever returned.
#[utoipa::path(
    tag = OPENAPI_TAG,
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
