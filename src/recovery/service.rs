//! [`RecoveryService`]: the two operations of recovery, start and redeem, callable without
//! HTTP (the routes are thin wrappers; a host's own admin UI or job can call them too).

use std::sync::Arc;

use chrono::Utc;
use diesel_async::scoped_futures::ScopedFutureExt as _;
use diesel_async::{AsyncConnection as _, AsyncPgConnection};
use rocket_db_pools::diesel::PgPool;
use secrecy::{ExposeSecret as _, SecretString};
use serde_json::json;
use uuid::Uuid;

use super::answers::{
    Cancelled, Changed, OutstandingToken, OutstandingTokens, Queued, RecoveryStatus, Revoked, Target,
    Verdict, CANCELLED, PASSWORD_CHANGED, QUEUED, REVOKED,
};
use super::email_hint;
use super::redeeming::Redeeming;
use super::IdempotencyKey;
use crate::accounts::{Account, AccountStore, Store};
use crate::auth::Principal;
use crate::config::Config;
use crate::config::Schema;
use crate::db::audit::{event, NewAuditEvent};
use crate::db::rate_limits::{self, Commit};
use crate::db::recovery_tokens::{self, NewToken};
use crate::db::{DbConn, SessionBounds};
use crate::error::{Error, Result};
use crate::liveness::{self, LiveToken};
use crate::mail::{mail_time, MailQueue, PasswordChangedMail, RecoveryMail, Templates};
use crate::password::HashingPool;
use crate::rate_limit;
use crate::request_context::RequestContext;
use crate::token::{PlainToken, Reason, TokenHash};

/// Starts and redeems recoveries. Managed by the fairing: take it as `&State<RecoveryService>`.
#[derive(Clone)]
pub struct RecoveryService {
    pub(crate) pool: PgPool,
    pub(crate) bounds: SessionBounds,
    pub(crate) schema: Schema,
    pub(crate) store: Store,
    pub(crate) hashing: HashingPool,
    pub(crate) config: Arc<Config>,
    pub(crate) templates: Arc<Templates>,
    pub(crate) queue: MailQueue,
    pub(crate) redeeming: Redeeming,
}

impl RecoveryService {
    /// The account store in use.
    #[must_use]
    pub fn store(&self) -> &dyn AccountStore {
        self.store.get()
    }

    /// The bounded hashing pool (its [`HashingPool::computed`] counts the hashes).
    #[must_use]
    pub fn hashing(&self) -> &HashingPool {
        &self.hashing
    }

    /// A pooled connection.
    ///
    /// # Errors
    /// [`Error::Unavailable`] when the pool is exhausted or the database is away.
    pub async fn conn(&self) -> Result<DbConn> {
        DbConn::checkout(&self.pool, &self.bounds).await
    }

    /// Starts recovery for `target` on behalf of `admin`: counts the admin's per-hour limit,
    /// then in one transaction locks the account, counts its per-user limits, supersedes its
    /// live tokens, issues a new one bound to the account's fingerprint, queues the mail to the
    /// stored address and records who asked. Wakes the mail worker once committed; never
    /// waits on SMTP.
    ///
    /// With an idempotency `key` (the `Idempotency-Key` header), a repeat by the same admin
    /// with the same key and the same target, while the first token has not expired, answers
    /// the first answer again and issues nothing; the same key with another target is refused.
    /// Requests with one key take turns (a transaction-scoped advisory lock), so a retry racing
    /// the original cannot issue a second token.
    ///
    /// # Errors
    /// [`Error::UserNotFound`], [`Error::Conflict`] for an account that cannot be recovered,
    /// [`Error::IdempotencyKeyReused`], [`Error::RateLimited`], or a database or template error.
    pub async fn start(
        &self,
        target: Target,
        admin: &Principal,
        key: Option<&IdempotencyKey>,
        ctx: &RequestContext,
    ) -> Result<Queued> {
        let mut conn = self.conn().await?;
        rate_limit::enforce(&mut conn, &self.schema, ctx, &admin.subject, &rate_limit::admin(&self.config))
            .await?;
        let token = PlainToken::generate();
        let idempotency = key.map(|key| (key.digest(), target.digest()));
        let started = conn
            .transaction::<_, Error, _>(|conn| {
                async move {
                    if let Some((key, request)) = &idempotency {
                        if let Some(first) =
                            recovery_tokens::keyed(conn, &self.schema, &admin.subject, key).await?
                        {
                            let id = first.token.id;
                            // The key replays only while its token is live (the one rule): a
                            // key whose token ended or came unbound is released, and this
                            // request starts a new recovery, with a new mail.
                            let live =
                                liveness::inspect(conn, &self.schema, &self.store, first.token).await?;
                            match live {
                                Ok(_) if first.request_hash != request[..] => {
                                    return Err(Error::IdempotencyKeyReused);
                                }
                                Ok(live) => {
                                    NewAuditEvent::new(event::RECOVERY_REPLAYED)
                                        .request(ctx)
                                        .actor(admin.user_id.as_deref())
                                        .target(Some(&live.user_id))
                                        .details(json!({ "token_id": id, "admin": admin.subject }))
                                        .insert(conn, &self.schema)
                                        .await?;
                                    let queued = Queued {
                                        status: QUEUED,
                                        user_id: live.user_id,
                                        expires_at: live.expires_at,
                                        recovery_id: id,
                                    };
                                    return Ok(Ok((queued, false)));
                                }
                                Err(_) => recovery_tokens::release_key(conn, &self.schema, id).await?,
                            }
                        }
                    }
                    let account = match &target {
                        Target::Id(id) => self.store().lock(conn, id).await?,
                        Target::Email(email) => self.store().lock_by_email(conn, email).await?,
                    }
                    .ok_or(Error::UserNotFound)?;
                    let email = recoverable_email(&account)?;
                    // Counted in this transaction, under the account's lock: concurrent
                    // requests for one account, on any instance, see each other's counts.
                    let windows = rate_limit::target_user(&self.config);
                    if let Some(exceeded) =
                        rate_limits::hit(conn, &self.schema, &account.id, &windows, Commit::WithCaller)
                            .await?
                    {
                        if exceeded.first {
                            rate_limit::record(conn, &self.schema, ctx, &windows, Some(&account.id)).await?;
                        }
                        return Ok(Err(exceeded.retry_after));
                    }
                    let new = NewToken {
                        user_id: &account.id,
                        binding: &account.fingerprint,
                        hash: &token.hash(),
                        requested_by: admin.user_id.as_deref(),
                        requested_by_subject: &admin.subject,
                        idempotency,
                        ttl_secs: self.config.token_ttl_secs,
                    };
                    let (token_id, expires_at) = recovery_tokens::issue(conn, &self.schema, &new).await?;
                    let mail = RecoveryMail {
                        product_name: &self.config.mail.product_name,
                        display_name: &account.display_name,
                        link: &self.link(&token, "token"),
                        cancel_link: &self.link(&token, "cancel"),
                        expires_at: mail_time(expires_at),
                        ttl_minutes: self.config.token_ttl_secs.div_ceil(60),
                    };
                    let requested = NewAuditEvent::new(event::RECOVERY_REQUESTED)
                        .request(ctx)
                        .actor(admin.user_id.as_deref())
                        .target(Some(&account.id))
                        .details(json!({ "token_id": token_id, "admin": admin.subject }));
                    self.queue
                        .enqueue(
                            conn,
                            (&self.templates, &mail),
                            (&account.id, Some(token_id)),
                            &email,
                            &requested,
                        )
                        .await?;
                    let queued =
                        Queued { status: QUEUED, user_id: account.id, expires_at, recovery_id: token_id };
                    Ok(Ok((queued, true)))
                }
                .scope_boxed()
            })
            .await;
        let (queued, issued) = match started {
            // Rolled back with the transaction: recorded on its own.
            Err(Error::IdempotencyKeyReused) => {
                return Err(self.refuse_key(&mut conn, admin, ctx, Error::IdempotencyKeyReused).await);
            }
            started => started?.map_err(|retry_after| Error::RateLimited { retry_after })?,
        };
        if issued {
            self.queue.wake();
        }
        Ok(queued)
    }

    /// Records that `admin`'s `Idempotency-Key` was refused with `refusal`
    /// ([`Error::InvalidIdempotencyKey`] or [`Error::IdempotencyKeyReused`]) and returns the
    /// error to answer with (or the database error that kept it from being recorded).
    pub(crate) async fn refuse_key(
        &self,
        conn: &mut AsyncPgConnection,
        admin: &Principal,
        ctx: &RequestContext,
        refusal: Error,
    ) -> Error {
        let reason = if matches!(refusal, Error::IdempotencyKeyReused) { "reused" } else { "invalid" };
        let recorded = NewAuditEvent::new(event::IDEMPOTENCY_KEY_REFUSED)
            .request(ctx)
            .actor(admin.user_id.as_deref())
            .details(json!({ "reason": reason, "admin": admin.subject }))
            .insert(conn, &self.schema)
            .await;
        match recorded {
            Ok(()) => refusal,
            Err(e) => e.into(),
        }
    }

    /// Where the recovery `recovery_id` stands: its token and its mail.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown id, or a database error.
    pub async fn status(&self, recovery_id: Uuid) -> Result<RecoveryStatus> {
        let mut conn = self.conn().await?;
        let Some(record) = recovery_tokens::record(&mut conn, &self.schema, recovery_id).await? else {
            return Err(Error::NotFound);
        };
        if record.token.ended().is_some() {
            return Ok(RecoveryStatus::from(record));
        }
        // Not ended by itself: live only if its account still matches it. One found unbound is
        // revoked now, and read again to be reported as it now stands.
        if liveness::inspect(&mut conn, &self.schema, &self.store, record.token.clone()).await?.is_ok() {
            return Ok(RecoveryStatus::from(record));
        }
        let record = recovery_tokens::record(&mut conn, &self.schema, recovery_id).await?;
        record.map(RecoveryStatus::from).ok_or(Error::NotFound)
    }

    /// The live recovery tokens of the account `user_id`, without their secrets, recorded as
    /// seen by `admin`.
    ///
    /// # Errors
    /// [`Error::UserNotFound`] when the store knows no such account, or a database error.
    pub async fn outstanding(
        &self,
        user_id: &str,
        admin: &Principal,
        ctx: &RequestContext,
    ) -> Result<OutstandingTokens> {
        let mut conn = self.conn().await?;
        let account = self.store().find_by_id(&mut conn, user_id).await?.ok_or(Error::UserNotFound)?;
        let mut records = Vec::new();
        for record in recovery_tokens::live_records(&mut conn, &self.schema, &account.id).await? {
            // The account as just read judges each token; one it no longer matches is revoked.
            let token = record.token.clone();
            if liveness::settle(&mut conn, &self.schema, token, Some(account.clone())).await?.is_ok() {
                records.push(record);
            }
        }
        NewAuditEvent::new(event::RECOVERY_TOKENS_LISTED)
            .request(ctx)
            .actor(admin.user_id.as_deref())
            .target(Some(&account.id))
            .details(json!({ "admin": admin.subject, "live": records.len() }))
            .insert(&mut conn, &self.schema)
            .await?;
        Ok(OutstandingTokens {
            user_id: account.id,
            tokens: records.into_iter().map(OutstandingToken::from).collect(),
        })
    }

    /// Revokes the live token `token_id` on behalf of `admin`; its queued mail is then dropped
    /// rather than sent.
    ///
    /// # Errors
    /// [`Error::NotFound`] when no live token has that id, or a database error.
    pub async fn revoke(&self, token_id: Uuid, admin: &Principal, ctx: &RequestContext) -> Result<Revoked> {
        let mut conn = self.conn().await?;
        conn.transaction::<_, Error, _>(|conn| {
            async move {
                let user_id =
                    recovery_tokens::revoke(conn, &self.schema, token_id).await?.ok_or(Error::NotFound)?;
                NewAuditEvent::new(event::RECOVERY_TOKEN_REVOKED)
                    .request(ctx)
                    .actor(admin.user_id.as_deref())
                    .target(Some(&user_id))
                    .details(json!({ "token_id": token_id, "admin": admin.subject }))
                    .insert(conn, &self.schema)
                    .await?;
                Ok(Revoked { status: REVOKED, token_id })
            }
            .scope_boxed()
        })
        .await
    }

    /// Cancels `token` for the user who says the recovery was not theirs: the token dies, the
    /// account is not touched. Cancelling a cancelled token answers the same again.
    ///
    /// # Errors
    /// [`Error::InvalidToken`] for a token that is not live (the reason in it), or a database error.
    pub async fn cancel(&self, token: &str, ctx: &RequestContext) -> Result<Cancelled> {
        let Some(token) = PlainToken::parse(token) else {
            return Err(self.refuse(&mut *self.conn().await?, ctx, None, Reason::Invalid).await);
        };
        let hash = token.hash();
        let mut conn = self.conn().await?;
        // The one rule first: a token that is not live (an unbound one is revoked now) is
        // refused with its reason; cancelling a cancelled token answers the same again.
        match liveness::inspect_by_hash(&mut conn, &self.schema, &self.store, &hash).await? {
            Ok(_) => {}
            Err(Reason::Cancelled) => return Ok(Cancelled { status: CANCELLED }),
            Err(reason) => return Err(self.refuse(&mut conn, ctx, None, reason).await),
        }
        let cancelled = conn
            .transaction::<_, Error, _>(|conn| {
                async move {
                    let Some((token_id, user_id)) =
                        recovery_tokens::cancel(conn, &self.schema, &hash).await?
                    else {
                        return Ok(false);
                    };
                    NewAuditEvent::new(event::RECOVERY_CANCELLED)
                        .request(ctx)
                        .target(Some(&user_id))
                        .details(json!({ "token_id": token_id }))
                        .insert(conn, &self.schema)
                        .await?;
                    Ok(true)
                }
                .scope_boxed()
            })
            .await?;
        if cancelled {
            return Ok(Cancelled { status: CANCELLED });
        }
        // It ended between the check and the cancel: say how.
        match recovery_tokens::find(&mut conn, &self.schema, &hash).await?.and_then(|t| t.ended()) {
            Some(Reason::Cancelled) => Ok(Cancelled { status: CANCELLED }),
            Some(reason) => Err(self.refuse(&mut conn, ctx, None, reason).await),
            None => Err(self.refuse(&mut conn, ctx, None, Reason::Invalid).await),
        }
    }

    /// `public_url + reset_path + "#<what>=" + token`.
    fn link(&self, token: &PlainToken, what: &str) -> String {
        format!(
            "{}{}#{what}={}",
            self.config.public_url.trim_end_matches('/'),
            self.config.reset_path,
            token.expose()
        )
    }

    /// Whether `token` is valid, and why not. Never consumes it: a mail scanner or link
    /// preview cannot burn it (a token found unbound is revoked, as everywhere). With the
    /// default store, one SQL statement; with a host's store, the token's row and then the
    /// account, whose fingerprint must still be the one bound.
    ///
    /// # Errors
    /// Database errors only.
    pub async fn verify(&self, token: &str) -> Result<Verdict> {
        let Some(token) = PlainToken::parse(token) else {
            return Ok(Verdict::Invalid { valid: false, reason: Reason::Invalid });
        };
        let mut conn = self.conn().await?;
        Ok(match self.inspect(&mut conn, &token.hash()).await? {
            Ok(live) => Verdict::Valid {
                valid: true,
                expires_at: live.expires_at,
                email_hint: email_hint(&live.email),
            },
            Err(reason) => Verdict::Invalid { valid: false, reason },
        })
    }

    /// What the token whose digest is `hash` is now: the one rule ([`liveness`]).
    async fn inspect(
        &self,
        conn: &mut AsyncPgConnection,
        hash: &TokenHash,
    ) -> Result<Result<LiveToken, Reason>> {
        Ok(liveness::inspect_by_hash(conn, &self.schema, &self.store, hash).await?)
    }

    /// Sets a new password with `token`: checks the token (no hash is computed for a bad one),
    /// then the policy (a weak password leaves the token usable); waits for the token's turn
    /// (one redemption of a token at a time; if it had to be waited for, checks the token
    /// again: the redemption before may have won, and the loser then costs no hash), waits
    /// for a hashing slot with no database connection held, hashes
    /// with no connection or transaction open, and finally, in one transaction, locks the
    /// account, compares its fingerprint, claims the token atomically, stores the hash,
    /// revokes the account's other tokens, revokes sessions when asked or configured, queues
    /// the notification and records the change. The slot is given back as soon as the hash is
    /// done; the token's turn is held until that transaction ends.
    ///
    /// # Errors
    /// [`Error::InvalidToken`] (the reason in it), [`Error::WeakPassword`], or an outage.
    pub async fn redeem(
        &self,
        token: &str,
        new_password: SecretString,
        sign_out_everywhere: bool,
        ctx: &RequestContext,
    ) -> Result<Changed> {
        let Some(token) = PlainToken::parse(token) else {
            return Err(self.refuse(&mut *self.conn().await?, ctx, None, Reason::Invalid).await);
        };
        let hash = token.hash();
        let live = {
            let mut conn = self.conn().await?;
            let live = self.live_or_refuse(&mut conn, ctx, &hash).await?;
            self.check_policy(&mut conn, ctx, &live, &new_password).await?;
            live
        };
        // The token's turn, held until the transaction below ends: a racer with this token
        // waits here, and then finds it used without computing a hash.
        let turn = self.redeeming.turn(&hash).await;
        // Waited for the turn: another redemption of this token ended meanwhile, and if it
        // won, this one costs no hash. Otherwise the check just made stands: only another
        // instance or the clock can end the token now, and the claim below decides that.
        if turn.waited {
            self.live_or_refuse(&mut *self.conn().await?, ctx, &hash).await?;
        }
        let slot = self.hashing.slot().await?;
        let phc = slot.hash(new_password).await?;
        // The slot is free for other tokens while this one's transaction runs.
        drop(slot);
        let revoke = sign_out_everywhere || self.config.revoke_sessions_on_reset;
        let mut conn = self.conn().await?;
        let live = &live;
        let changed = conn
            .transaction::<_, Error, _>(|conn| {
                async move {
                    // The account first, then the token: the order issuing a token takes too.
                    let Some(account) = self.store().lock(conn, &live.user_id).await? else {
                        return Ok(None);
                    };
                    let Some(token) = recovery_tokens::find(conn, &self.schema, &hash).await? else {
                        return Ok(None);
                    };
                    // The one rule, on the account as locked: an unbound token is revoked here,
                    // in this transaction, for good.
                    if liveness::settle(conn, &self.schema, token, Some(account)).await?.is_err()
                        || !recovery_tokens::claim(conn, &self.schema, &hash, &live.user_id).await?
                    {
                        return Ok(None);
                    }
                    self.store().set_password_hash(conn, &live.user_id, &phc).await?;
                    recovery_tokens::revoke_live(conn, &self.schema, &live.user_id).await?;
                    let revoked =
                        if revoke { self.store().revoke_sessions(conn, &live.user_id).await? } else { 0 };
                    let active = self.store().count_sessions(conn, &live.user_id).await?;
                    let mail = PasswordChangedMail {
                        product_name: &self.config.mail.product_name,
                        display_name: &live.display_name,
                        changed_at: mail_time(Utc::now()),
                    };
                    let changed = NewAuditEvent::new(event::PASSWORD_CHANGED)
                        .request(ctx)
                        .actor(Some(&live.user_id))
                        .target(Some(&live.user_id))
                        .details(json!({ "sessions_revoked": revoked }));
                    self.queue
                        .enqueue(conn, (&self.templates, &mail), (&live.user_id, None), &live.email, &changed)
                        .await?;
                    Ok(Some(Changed {
                        status: PASSWORD_CHANGED,
                        user_id: live.user_id.clone(),
                        active_sessions: active,
                        sessions_revoked: revoked,
                    }))
                }
                .scope_boxed()
            })
            .await?;
        drop(turn);
        match changed {
            Some(changed) => {
                self.queue.wake();
                Ok(changed)
            }
            // Another request redeemed it, or the account changed, between the check and the claim.
            None => {
                let reason = match self.inspect(&mut conn, &hash).await? {
                    Err(reason) => reason,
                    Ok(_) => Reason::Used,
                };
                Err(self.refuse(&mut conn, ctx, Some(&live.user_id), reason).await)
            }
        }
    }

    /// The live token whose digest is `hash`, or the recorded refusal to answer with.
    async fn live_or_refuse(
        &self,
        conn: &mut AsyncPgConnection,
        ctx: &RequestContext,
        hash: &TokenHash,
    ) -> Result<LiveToken> {
        match self.inspect(conn, hash).await? {
            Ok(live) => Ok(live),
            Err(reason) => Err(self.refuse(conn, ctx, None, reason).await),
        }
    }

    async fn check_policy(
        &self,
        conn: &mut AsyncPgConnection,
        ctx: &RequestContext,
        live: &LiveToken,
        password: &SecretString,
    ) -> Result<()> {
        let Err(weakness) = self.config.password.check_for(
            password.expose_secret(),
            &live.email,
            &live.display_name,
            &self.config.mail.product_name,
        ) else {
            return Ok(());
        };
        let details = weakness.details();
        let reason = details.get("reason").cloned().unwrap_or_default();
        NewAuditEvent::new(event::PASSWORD_CHANGE_REFUSED)
            .request(ctx)
            .target(Some(&live.user_id))
            .details(json!({ "reason": reason }))
            .insert(conn, &self.schema)
            .await?;
        Err(Error::WeakPassword(weakness))
    }

    /// Records the refusal and returns the error to answer with (or the database error that
    /// kept it from being recorded).
    async fn refuse(
        &self,
        conn: &mut AsyncPgConnection,
        ctx: &RequestContext,
        user: Option<&str>,
        reason: Reason,
    ) -> Error {
        let recorded = NewAuditEvent::new(event::RECOVERY_TOKEN_INVALID)
            .request(ctx)
            .target(user)
            .details(json!({ "reason": reason }))
            .insert(conn, &self.schema)
            .await;
        match recorded {
            Ok(()) => Error::InvalidToken(reason),
            Err(e) => e.into(),
        }
    }
}

/// The stored address of an account that may be recovered.
fn recoverable_email(account: &Account) -> Result<String> {
    if account.fingerprint.is_empty() {
        // The host's store forgot the fingerprint: a token bound to nothing would survive any
        // change of the account, so none is issued. The operator reads this in the log.
        return Err(Error::Internal(format!(
            "the account store returned account {} with an empty fingerprint; a recovery token \
             must be bound to a value that changes with the email and credentials \
             (see Account::fingerprint_of)",
            account.id
        )));
    }
    if !account.recoverable {
        return Err(Error::Conflict {
            code: "user_disabled",
            message: "The user is disabled and cannot be recovered.",
        });
    }
    let Some(email) = &account.email else {
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
