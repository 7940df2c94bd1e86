//! `POST <mount>/password-recovery` (admin): issue a token and queue the recovery mail.

use chrono::{DateTime, Utc};
use diesel_async::scoped_futures::ScopedFutureExt as _;
use diesel_async::AsyncConnection as _;
use rocket::serde::json::Json;
use rocket::State;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::auth::AdminScope;
use crate::config::Config;
use crate::db::audit::{event, NewAuditEvent};
use crate::db::users::{User, UserRef};
use crate::db::{rate_limits, recovery_tokens, Db, DbConn};
use crate::error::{Error, Result};
use crate::json::JsonBody;
use crate::mail::{mail_time, MailKind, MailQueue, Templates};
use crate::rate_limit;
use crate::request_context::RequestContext;
use crate::token::PlainToken;

/// The body: exactly one of `email` and `user_id`. Nothing else is accepted; in particular no
/// recipient, token, password or expiry can be chosen by the caller.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PasswordRecovery {
    /// The user's email (compared in normalized form).
    #[serde(default)]
    pub email: Option<String>,
    /// The user's id.
    #[serde(default)]
    pub user_id: Option<Uuid>,
}

/// The answer: the token itself is never in it.
#[derive(Debug, Serialize)]
pub struct Queued {
    /// Always `queued`.
    pub status: &'static str,
    /// Whose password can now be reset.
    pub user_id: Uuid,
    /// When the emailed link stops working.
    pub expires_at: DateTime<Utc>,
}

/// Longest email address accepted (RFC 5321 path limit).
const MAX_EMAIL_LEN: usize = 254;

impl PasswordRecovery {
    fn target(self) -> Result<UserRef> {
        match (self.email, self.user_id) {
            (Some(email), None) => {
                let email = email.trim().to_owned();
                if email.is_empty() {
                    return Err(Error::Validation { field: "email", reason: "must not be empty".into() });
                }
                // Postgres refuses NUL in text, and no address holds a control character.
                if email.chars().any(char::is_control) {
                    return Err(Error::Validation {
                        field: "email",
                        reason: "must not contain control characters".into(),
                    });
                }
                if email.chars().count() > MAX_EMAIL_LEN {
                    return Err(Error::Validation {
                        field: "email",
                        reason: format!("must be at most {MAX_EMAIL_LEN} characters"),
                    });
                }
                Ok(UserRef::Email(email))
            }
            (None, Some(id)) => Ok(UserRef::Id(id)),
            _ => Err(Error::Validation {
                field: "email",
                reason: "or `user_id`: give exactly one of the two".into(),
            }),
        }
    }
}

/// Starts recovery for a user: in one transaction, supersedes their live tokens, issues a new
/// one, queues the mail to their stored address and records who asked. The mail worker
/// delivers it; the request never waits on SMTP.
#[rocket::post("/password-recovery", data = "<body>")]
#[allow(clippy::too_many_arguments)] // Rocket guards
pub async fn password_recovery(
    admin: AdminScope,
    ctx: &RequestContext,
    db: &State<Db>,
    config: &State<Config>,
    templates: &State<Templates>,
    queue: &State<MailQueue>,
    body: JsonBody<PasswordRecovery>,
) -> Result<Json<Queued>> {
    let target = body.0.target()?;
    // Taken only now that the body is in: a client that dawdles over its body holds no
    // pooled connection.
    let mut conn = DbConn::from_pool(db).await?;
    rate_limit::enforce(&mut conn, ctx, &admin.0.subject, &rate_limit::admin(config)).await?;
    let token = PlainToken::generate();
    let queued = conn
        .transaction::<_, Error, _>(|conn| {
            async move {
                let user = User::lock(conn, &target).await?.ok_or(Error::UserNotFound)?;
                let email = recoverable_email(&user)?;
                // Counted in this transaction, under the user's row lock: concurrent requests
                // for one user, on any instance, see each other's counts.
                let windows = rate_limit::target_user(config);
                if let Some(exceeded) = rate_limits::hit(conn, &user.id.to_string(), &windows).await? {
                    if exceeded.first {
                        rate_limit::record(conn, ctx, &windows, Some(user.id)).await?;
                    }
                    return Ok(Err(exceeded.retry_after));
                }
                let (token_id, expires_at) = recovery_tokens::issue(
                    conn,
                    user.id,
                    &token.hash(),
                    admin.0.user_id,
                    config.token_ttl_secs,
                )
                .await?;
                let context = mail_context(config, &user, &token, expires_at);
                queue
                    .enqueue(conn, templates, MailKind::Recovery, (user.id, Some(token_id)), &email, &context)
                    .await?;
                NewAuditEvent::new(event::RECOVERY_REQUESTED)
                    .request(ctx)
                    .actor(admin.0.user_id)
                    .target(Some(user.id))
                    .details(serde_json::json!({ "token_id": token_id, "admin": admin.0.subject }))
                    .insert(conn)
                    .await?;
                Ok(Ok(Queued { status: "queued", user_id: user.id, expires_at }))
            }
            .scope_boxed()
        })
        .await?
        .map_err(|retry_after| Error::RateLimited { retry_after })?;
    queue.wake();
    Ok(Json(queued))
}

/// The stored address of a user who may be recovered.
fn recoverable_email(user: &User) -> Result<String> {
    if user.disabled {
        return Err(Error::Conflict {
            code: "user_disabled",
            message: "The user is disabled and cannot be recovered.",
        });
    }
    let Some(email) = &user.email else {
        return Err(Error::Conflict {
            code: "user_has_no_email",
            message: "The user has no email address to send a recovery link to.",
        });
    };
    if email.parse::<lettre::Address>().is_err() {
        return Err(Error::Conflict {
            code: "user_email_unusable",
            message: "The user's stored email address cannot receive mail.",
        });
    }
    Ok(email.clone())
}

fn mail_context(
    config: &Config,
    user: &User,
    token: &PlainToken,
    expires_at: DateTime<Utc>,
) -> tera::Context {
    let link =
        format!("{}{}#token={}", config.public_url.trim_end_matches('/'), config.reset_path, token.expose());
    let mut context = tera::Context::new();
    context.insert("product_name", &config.mail.product_name);
    context.insert("display_name", &user.display_name);
    context.insert("link", &link);
    context.insert("expires_at", &mail_time(expires_at));
    context.insert("ttl_minutes", &config.token_ttl_secs.div_ceil(60));
    context
}
