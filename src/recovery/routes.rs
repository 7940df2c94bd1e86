//! The three recovery routes: parse, call [`RecoveryService`], answer. Nothing else.

use rocket::serde::json::Json;
use rocket::State;
use secrecy::SecretString;
use serde::Deserialize;

use super::service::{Changed, Queued, RecoveryService, Target, Verdict};
use crate::auth::AdminScope;
use crate::error::{Error, Result};
use crate::json::JsonBody;
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
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenRequest {
    /// The token from the link's fragment.
    pub token: String,
}

/// The body of `change-password`. The account comes only from the token; nothing here can
/// name one.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PasswordReset {
    /// The token from the link.
    pub token: String,
    /// The new password (never logged or echoed).
    pub new_password: SecretString,
    /// Revoke every session of the account too. Default false.
    #[serde(default)]
    pub sign_out_everywhere: bool,
}

/// `POST <mount>/password-recovery` (admin): issue a token and queue the recovery mail.
#[rocket::post("/password-recovery", data = "<body>")]
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
#[rocket::post("/verify-recovery-token", data = "<body>")]
pub async fn verify_recovery_token(
    _limit: PublicLimit,
    service: &State<RecoveryService>,
    body: JsonBody<TokenRequest>,
) -> Result<Json<Verdict>> {
    Ok(Json(service.verify(&body.0.token).await?))
}

/// `POST <mount>/change-password`: set a new password with a recovery token.
#[rocket::post("/change-password", data = "<body>")]
pub async fn change_password(
    _limit: PublicLimit,
    ctx: &RequestContext,
    service: &State<RecoveryService>,
    body: JsonBody<PasswordReset>,
) -> Result<Json<Changed>> {
    let PasswordReset { token, new_password, sign_out_everywhere } = body.0;
    Ok(Json(service.redeem(&token, new_password, sign_out_everywhere, ctx).await?))
}
