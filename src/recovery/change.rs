//! `POST <mount>/change-password`: set a new password with a recovery token.

use diesel_async::scoped_futures::ScopedFutureExt as _;
use diesel_async::{AsyncConnection as _, AsyncPgConnection};
use rocket::serde::json::Json;
use rocket::State;
use secrecy::{ExposeSecret as _, SecretString};
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use crate::config::Config;
use crate::db::audit::{event, NewAuditEvent};
use crate::db::recovery_tokens::{self, LiveToken, Reason};
use crate::db::users::{User, UserRef};
use crate::db::{sessions, Db, DbConn};
use crate::error::{Error, Result};
use crate::json::JsonBody;
use crate::mail::{mail_time, MailKind, MailQueue, Templates};
use crate::password::Hasher;
use crate::rate_limit::PublicLimit;
use crate::request_context::RequestContext;
use crate::token::{PlainToken, TokenHash};

/// The body. The user comes only from the token; nothing here can name one.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PasswordReset {
    /// The token from the link.
    pub token: String,
    /// The new password (never logged or echoed).
    pub new_password: SecretString,
    /// Revoke every session of the user too. Default false.
    #[serde(default)]
    pub sign_out_everywhere: bool,
}

/// The answer. No cookie or credential is ever returned.
#[derive(Debug, Serialize)]
pub struct Changed {
    /// Always `password_changed`.
    pub status: &'static str,
    /// Whose password changed.
    pub user_id: Uuid,
    /// Sessions still active, so a UI can offer to sign out everywhere.
    pub active_sessions: i64,
    /// Sessions this change revoked.
    pub sessions_revoked: usize,
}

/// Changes the password: checks the token (no hash is computed for a bad one), then the
/// policy (a weak password leaves the token usable); waits for a hashing slot with no database
/// connection held, checks the token again once the slot is granted (a concurrent redemption
/// may have won meanwhile, and the loser then costs no hash), hashes with no connection or
/// transaction open, and finally, in one transaction, claims the token atomically, stores the
/// hash, kills the user's other tokens, revokes sessions when asked or configured, queues the
/// notification and records the change. The slot is held until that transaction ends.
#[rocket::post("/change-password", data = "<body>")]
#[allow(clippy::too_many_arguments)] // Rocket guards
pub async fn change_password(
    _limit: PublicLimit,
    ctx: &RequestContext,
    db: &State<Db>,
    config: &State<Config>,
    hasher: &State<Hasher>,
    templates: &State<Templates>,
    queue: &State<MailQueue>,
    body: JsonBody<PasswordReset>,
) -> Result<Json<Changed>> {
    let PasswordReset { token, new_password, sign_out_everywhere } = body.0;
    let Some(token) = PlainToken::parse(&token) else {
        let mut conn = DbConn::from_pool(db).await?;
        return Err(refuse_token(&mut conn, ctx, None, Reason::Invalid).await);
    };
    let hash = token.hash();
    let live = {
        let mut conn = DbConn::from_pool(db).await?;
        let live = live_or_refuse(&mut conn, ctx, &hash).await?;
        check_policy(&mut conn, ctx, config, &live, &new_password).await?;
        live
    };
    let slot = hasher.slot().await?;
    live_or_refuse(&mut *DbConn::from_pool(db).await?, ctx, &hash).await?;
    let phc = slot.hash(new_password).await?;
    let revoke = sign_out_everywhere || config.revoke_sessions_on_reset;
    let mut conn = DbConn::from_pool(db).await?;
    let changed = conn
        .transaction::<_, Error, _>(|conn| {
            async move {
                // The user's row first, then the token: the order issuing a token takes too.
                if User::lock(conn, &UserRef::Id(live.user_id)).await?.is_none() {
                    return Ok(None);
                }
                let Some(user_id) = recovery_tokens::claim(conn, &hash).await? else { return Ok(None) };
                // Storing the hash revokes the user's other live tokens (a trigger on `users`).
                User::set_password(conn, user_id, &phc).await?;
                let revoked = if revoke { sessions::revoke_all(conn, user_id).await? } else { 0 };
                let active = sessions::count_live(conn, user_id).await?;
                let mut context = tera::Context::new();
                context.insert("product_name", &config.mail.product_name);
                context.insert("display_name", &live.display_name);
                context.insert("changed_at", &mail_time(chrono::Utc::now()));
                queue
                    .enqueue(
                        conn,
                        templates,
                        MailKind::PasswordChanged,
                        (user_id, None),
                        &live.email,
                        &context,
                    )
                    .await?;
                NewAuditEvent::new(event::PASSWORD_CHANGED)
                    .request(ctx)
                    .actor(Some(user_id))
                    .target(Some(user_id))
                    .details(json!({ "sessions_revoked": revoked }))
                    .insert(conn)
                    .await?;
                Ok(Some(Changed {
                    status: "password_changed",
                    user_id,
                    active_sessions: active,
                    sessions_revoked: revoked,
                }))
            }
            .scope_boxed()
        })
        .await?;
    drop(slot);
    match changed {
        Some(changed) => {
            queue.wake();
            Ok(Json(changed))
        }
        // Another request redeemed it, or the account changed, between the check and the claim.
        None => Err(lost_claim(&mut conn, ctx, &hash, live.user_id).await),
    }
}

/// The live token whose digest is `hash`, or the recorded refusal to answer with.
async fn live_or_refuse(
    conn: &mut AsyncPgConnection,
    ctx: &RequestContext,
    hash: &TokenHash,
) -> Result<LiveToken> {
    match recovery_tokens::inspect(conn, hash).await? {
        Ok(live) => Ok(live),
        Err(reason) => Err(refuse_token(conn, ctx, None, reason).await),
    }
}

async fn check_policy(
    conn: &mut AsyncPgConnection,
    ctx: &RequestContext,
    config: &Config,
    live: &LiveToken,
    password: &SecretString,
) -> Result<()> {
    let local_part = live.email.rsplit_once('@').map_or(live.email.as_str(), |(local, _)| local);
    let personal = [live.email.as_str(), local_part, live.display_name.as_str()];
    let service = [config.mail.product_name.as_str()];
    let Err(weakness) = config.password.check(password.expose_secret(), &personal, &service) else {
        return Ok(());
    };
    let details = weakness.details();
    let reason = details.get("reason").cloned().unwrap_or_default();
    NewAuditEvent::new(event::PASSWORD_CHANGE_REFUSED)
        .request(ctx)
        .target(Some(live.user_id))
        .details(json!({ "reason": reason }))
        .insert(conn)
        .await?;
    Err(Error::WeakPassword(weakness))
}

async fn lost_claim(
    conn: &mut AsyncPgConnection,
    ctx: &RequestContext,
    hash: &TokenHash,
    user: Uuid,
) -> Error {
    let reason = match recovery_tokens::inspect(conn, hash).await {
        Ok(Err(reason)) => reason,
        Ok(Ok(_)) => Reason::Used,
        Err(e) => return e.into(),
    };
    refuse_token(conn, ctx, Some(user), reason).await
}

/// Records the refusal and returns the error to answer with (or the database error that kept
/// it from being recorded).
async fn refuse_token(
    conn: &mut AsyncPgConnection,
    ctx: &RequestContext,
    user: Option<Uuid>,
    reason: Reason,
) -> Error {
    let recorded = NewAuditEvent::new(event::RECOVERY_TOKEN_INVALID)
        .request(ctx)
        .target(user)
        .details(json!({ "reason": reason }))
        .insert(conn)
        .await;
    match recorded {
        Ok(()) => Error::InvalidToken(reason),
        Err(e) => e.into(),
    }
}
