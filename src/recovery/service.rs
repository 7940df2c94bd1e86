//! [`RecoveryService`]: the two operations of recovery, start and redeem, callable without
//! HTTP (the routes are thin wrappers; a host's own admin UI or job can call them too).

use chrono::Utc;
use diesel_async::scoped_futures::ScopedFutureExt as _;
use diesel_async::AsyncPgConnection;
use rocket::tokio::sync::oneshot;
use secrecy::{ExposeSecret as _, SecretString};
use serde_json::json;
use uuid::Uuid;

use super::answers::{
    Cancelled, Changed, OutstandingToken, OutstandingTokens, Queued, RecoveryStatus, Revoked, Target,
    Verdict, CANCELLED, PASSWORD_CHANGED, QUEUED, REVOKED,
};
use super::email_hint;
use super::idempotency::IdempotencyKey;
use super::start::{recoverable_email, Issue, StartRequest, Started};
use super::together::Job;
use super::RecoveryService;
use crate::accounts::{Account, AccountStore};
use crate::auth::Principal;
use crate::db::audit::{event, NewAuditEvent};
use crate::db::outbox::NewRecovery;
use crate::db::rate_limits::{self, Commit, Window};
use crate::db::recovery_tokens::{self, NewToken};
use crate::db::DbConn;
use crate::error::{Error, Feedback, Reason, Result, Weakness};
use crate::liveness::{self, LiveToken};
use crate::locale::Lang;
use crate::mail::{PasswordChangedMail, RecoveryMail};
use crate::metrics;
use crate::password::HashingPool;
use crate::rate_limit;
use crate::request_context::RequestContext;
use crate::token::{PlainToken, TokenHash};

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
    pub(crate) async fn conn(&self) -> Result<DbConn> {
        DbConn::checkout(&self.pool, &self.bounds).await
    }

    /// Starts recovery for `target` on behalf of `admin`: counts the admin's per-hour limit,
    /// then in one transaction locks the account, counts its per-user limits, supersedes its
    /// live tokens, issues a new one bound to the account's fingerprint, queues the mail to the
    /// stored address and records who asked. Wakes the mail worker once committed; never
    /// waits on SMTP. Recoveries that arrive together share that transaction and its commit,
    /// each with its own outcome (see `docs/routes.md`, "Recoveries that arrive together").
    ///
    /// With an idempotency `key` (the `Idempotency-Key` header), a repeat by the same admin
    /// with the same key and the same target, while the first token has not expired, answers
    /// the first answer again and issues nothing; the same key with another target is refused.
    /// Requests with one key take turns (a transaction-scoped advisory lock), so a retry racing
    /// the original cannot issue a second token.
    ///
    /// The mail speaks `locale` (a BCP 47 tag) when one is given, else the account's language,
    /// else `user_account.default_locale`; a tag the crate does not speak falls back along the
    /// usual chain and is never an error.
    ///
    /// # Errors
    /// [`Error::UserNotFound`], [`Error::Conflict`] for an account that cannot be recovered,
    /// [`Error::IdempotencyKeyReused`], [`Error::RateLimited`], or a database or template error.
    pub async fn start(
        &self,
        target: Target,
        locale: Option<&str>,
        admin: &Principal,
        key: Option<&IdempotencyKey>,
        ctx: &RequestContext,
    ) -> Result<Queued> {
        let started = self.start_uncounted(target, locale, admin, key, ctx).await;
        metrics::recovery_request(match &started {
            Ok((_, true)) => "replayed",
            Ok((_, false)) => "queued",
            Err(e) => e.outcome(),
        });
        started.map(|(queued, _)| queued)
    }

    /// [`RecoveryService::start`] before it is counted; says whether the answer is a replay.
    async fn start_uncounted(
        &self,
        target: Target,
        locale: Option<&str>,
        admin: &Principal,
        key: Option<&IdempotencyKey>,
        ctx: &RequestContext,
    ) -> Result<(Queued, bool)> {
        let windows = rate_limit::admin(&self.config);
        if rate_limit::any_enabled(&windows) {
            let mut conn = self.conn().await?;
            rate_limit::enforce(&mut conn, &self.schema, ctx, &admin.subject, &windows).await?;
        }
        let (reply, outcome) = oneshot::channel();
        self.start_together(Job {
            idempotency: key.map(|key| (key.digest(), target.digest(locale))),
            target,
            locale: locale.map(str::to_owned),
            admin: admin.clone(),
            ctx: ctx.clone(),
            token: PlainToken::generate(),
            reply,
        });
        let started = outcome
            .await
            .unwrap_or_else(|_| Err(Error::Internal("the recovery's transaction was abandoned".into())));
        match started {
            // Rolled back with the transaction: recorded on its own.
            Err(Error::IdempotencyKeyReused) => {
                let mut conn = self.conn().await?;
                Err(self.refuse_key(&mut conn, admin, ctx, Error::IdempotencyKeyReused).await)
            }
            Err(e) => Err(e),
            Ok(Started::Replayed(queued)) => Ok((queued, true)),
            // The mail worker was woken once the transaction committed.
            Ok(Started::Issued(queued)) => Ok((queued, false)),
            Ok(Started::Limited { retry_after }) => {
                metrics::rate_limited("recovery_per_user");
                Err(Error::RateLimited { retry_after })
            }
        }
    }

    /// The transaction of [`RecoveryService::start`]: replays a repeat of a keyed request, or
    /// locks the target account, counts its per-user limits, issues its token and queues the
    /// mail. Every outcome but an error commits (an exceeded limit's count with it).
    pub(super) async fn start_in_transaction(
        &self,
        conn: &mut AsyncPgConnection,
        request: &StartRequest<'_>,
    ) -> Result<Started> {
        if let Some(queued) = self.replay(conn, request).await? {
            return Ok(Started::Replayed(queued));
        }
        let account = self.lock_target(conn, request.target).await?;
        let email = recoverable_email(&account)?;
        // Counted in this transaction, under the account's lock: concurrent
        // requests for one account, on any instance, see each other's counts.
        let windows = rate_limit::target_user(&self.config);
        if let Some(retry_after) = self.limit_target(conn, request.ctx, &account.id, &windows).await? {
            return Ok(Started::Limited { retry_after });
        }
        let queued = self.issue_and_enqueue(conn, request, account, &email).await?;
        Ok(Started::Issued(queued))
    }

    /// The first answer again, recorded as replayed, when the admin already used the request's
    /// `Idempotency-Key` and its token is live. `None` when the request has no key, the key is
    /// new, or its token is no longer live (the key is then released).
    ///
    /// # Errors
    /// [`Error::IdempotencyKeyReused`] when the key came with another target, or a database error.
    async fn replay(
        &self,
        conn: &mut AsyncPgConnection,
        request: &StartRequest<'_>,
    ) -> Result<Option<Queued>> {
        let Some((key, digest)) = &request.idempotency else {
            return Ok(None);
        };
        let admin = request.admin;
        let Some(first) = recovery_tokens::keyed(conn, &self.schema, &admin.subject, key).await? else {
            return Ok(None);
        };
        let id = first.token.id;
        let answered_expires_at = first.answered_expires_at;
        // The key replays only while its token is live (the one rule): a
        // key whose token ended or came unbound is released, and this
        // request starts a new recovery, with a new mail.
        let live = liveness::inspect(conn, &self.schema, &self.store, first.token).await?;
        match live {
            Ok(_) if first.request_hash != digest[..] => Err(Error::IdempotencyKeyReused),
            Ok(live) => {
                NewAuditEvent::new(event::RECOVERY_REPLAYED)
                    .request(request.ctx)
                    .actor(admin.user_id.as_deref())
                    .target(Some(&live.user_id))
                    .details(json!({ "token_id": id, "admin": admin.subject }))
                    .insert(conn, &self.schema)
                    .await?;
                let queued = Queued {
                    status: QUEUED,
                    user_id: live.user_id,
                    expires_at: answered_expires_at,
                    recovery_id: id,
                };
                Ok(Some(queued))
            }
            Err(_) => {
                recovery_tokens::release_key(conn, &self.schema, id).await?;
                Ok(None)
            }
        }
    }

    /// The account `target` names, locked until the transaction ends.
    ///
    /// # Errors
    /// [`Error::UserNotFound`], or a database error.
    async fn lock_target(&self, conn: &mut AsyncPgConnection, target: &Target) -> Result<Account> {
        match target {
            Target::Id(id) => self.store().lock(conn, id).await?,
            Target::Email(email) => self.store().lock_by_email(conn, email).await?,
        }
        .ok_or(Error::UserNotFound)
    }

    /// Counts a recovery of the account `user_id` against its per-user limits, in the caller's
    /// transaction; when one is exceeded, the seconds until it allows another (the first hit
    /// over it in its window is recorded).
    pub(super) async fn limit_target(
        &self,
        conn: &mut AsyncPgConnection,
        ctx: &RequestContext,
        user_id: &str,
        windows: &[Window],
    ) -> Result<Option<u64>> {
        let Some(exceeded) =
            rate_limits::hit(conn, &self.schema, user_id, windows, Commit::WithCaller).await?
        else {
            return Ok(None);
        };
        if exceeded.first {
            rate_limit::record(conn, &self.schema, ctx, windows, Some(user_id)).await?;
        }
        Ok(Some(exceeded.retry_after))
    }

    /// Issues the request's token for `account`, bound to its fingerprint (superseding its live
    /// tokens), and queues its mail to `email` with the event recording who asked, in the
    /// caller's transaction.
    async fn issue_and_enqueue(
        &self,
        conn: &mut AsyncPgConnection,
        request: &StartRequest<'_>,
        account: Account,
        email: &str,
    ) -> Result<Queued> {
        self.issue(conn, &request.issue(), account, email).await
    }

    /// Issues `issue`'s token for `account`, bound to its fingerprint (superseding its live
    /// tokens), and queues its mail to `email` in the account's language (or the one `issue`
    /// names), with the event recording who asked, in the caller's transaction.
    pub(crate) async fn issue(
        &self,
        conn: &mut AsyncPgConnection,
        issue: &Issue<'_>,
        account: Account,
        email: &str,
    ) -> Result<Queued> {
        let hash = issue.token.hash();
        let rows = self.recovery_rows(issue, &account, email, &hash)?;
        let token = (&rows.token, rows.token_id);
        let expires_at = rows.mail.insert_with_token(conn, &self.schema, token, &rows.event).await?;
        let recovery_id = rows.token_id;
        drop(rows);
        Ok(Queued { status: QUEUED, user_id: account.id, expires_at, recovery_id })
    }

    /// The rows a recovery writes: `issue`'s token (digest `hash`) for `account`, bound to its
    /// fingerprint, the token's id (chosen here, so that the rows can be written by one
    /// statement), its mail to `email` in the account's language (or the one `issue` names) and
    /// the event recording who asked.
    pub(super) fn recovery_rows<'a>(
        &self,
        issue: &Issue<'a>,
        account: &'a Account,
        email: &str,
        hash: &'a TokenHash,
    ) -> Result<NewRecovery<'a>> {
        let token = NewToken {
            user_id: &account.id,
            binding: &account.fingerprint,
            hash,
            requested_by: issue.requested_by,
            requested_by_subject: issue.subject,
            idempotency: issue.idempotency,
            ttl_secs: self.config.token_ttl_secs,
        };
        let token_id = Uuid::new_v4();
        let locales = self.templates.locales();
        // The admin's choice first; for a user's own request, the account's, then the page's.
        let lang = match (issue.by_user, issue.locale, account.locale.as_deref()) {
            (false, Some(chosen), _) | (true, _, Some(chosen)) => locales.for_tag(Some(chosen)),
            (false, None, own) | (true, own, None) => locales.for_tag(own),
        };
        let mail = RecoveryMail {
            product_name: &self.config.mail.product_name,
            display_name: &account.display_name,
            link: &self.link(issue.token, "token", lang),
            cancel_link: &self.link(issue.token, "cancel", lang),
            // The mail is kept as its values and rendered when it is sent, naming the send
            // time plus the lifetime (`Templates::render_stored`); this is what it would name
            // if it were rendered now.
            expires_at: chrono::Utc::now()
                + chrono::Duration::seconds(i64::try_from(self.config.token_ttl_secs).unwrap_or(86_400)),
            ttl_secs: self.config.token_ttl_secs,
            by_user: issue.by_user,
        };
        let details = if issue.by_user {
            json!({ "token_id": token_id, "self_service": true })
        } else {
            json!({ "token_id": token_id, "admin": issue.subject })
        };
        let requested = NewAuditEvent::new(event::RECOVERY_REQUESTED)
            .request(issue.ctx)
            .actor(issue.requested_by)
            .target(Some(&account.id))
            .details(details);
        let mail =
            self.queue.prepare((&self.templates, &mail, lang), (&account.id, Some(token_id)), email)?;
        Ok(NewRecovery { token, token_id, mail, event: requested })
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
    pub(crate) async fn status(&self, recovery_id: Uuid) -> Result<RecoveryStatus> {
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
    pub(crate) async fn outstanding(
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
    pub(crate) async fn revoke(
        &self,
        token_id: Uuid,
        admin: &Principal,
        ctx: &RequestContext,
    ) -> Result<Revoked> {
        let mut conn = self.conn().await?;
        crate::db::transaction::<_, Error, _>(&mut conn, &self.schema, |conn| {
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
    pub(crate) async fn cancel(&self, token: &str, ctx: &RequestContext) -> Result<Cancelled> {
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
        let cancelled = crate::db::transaction::<_, Error, _>(&mut conn, &self.schema, |conn| {
            async move {
                let Some((token_id, user_id)) = recovery_tokens::cancel(conn, &self.schema, &hash).await?
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
    fn link(&self, token: &PlainToken, what: &str, lang: Lang) -> String {
        format!(
            "{}{}?lang={}#{what}={}",
            self.config.public_url.trim_end_matches('/'),
            self.config.reset_path,
            self.templates.locales().tag(lang),
            token.expose()
        )
    }

    /// What a weak password's `weakness` says, in the language of an `Accept-Language` header:
    /// the `message` and `details` a host's own route (signup, say) answers with, so that it
    /// speaks like the crate's `change-password`.
    #[must_use]
    pub fn explain(&self, weakness: &Weakness, accept_language: Option<&str>) -> Feedback {
        self.templates.locales().explain(weakness, accept_language)
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
            metrics::token_check(Reason::Invalid.as_str());
            return Ok(Verdict::Invalid { valid: false, reason: Reason::Invalid });
        };
        let mut conn = self.conn().await?;
        let verdict = match self.inspect(&mut conn, &token.hash()).await? {
            Ok(live) => Verdict::Valid {
                valid: true,
                expires_at: live.expires_at,
                email_hint: email_hint(&live.email),
            },
            Err(reason) => Verdict::Invalid { valid: false, reason },
        };
        metrics::token_check(match &verdict {
            Verdict::Valid { .. } => "valid",
            Verdict::Invalid { reason, .. } => reason.as_str(),
        });
        Ok(verdict)
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
        let changed = self.redeem_uncounted(token, new_password, sign_out_everywhere, ctx).await;
        metrics::password_change(match &changed {
            Ok(_) => "changed",
            Err(e) => e.outcome(),
        });
        changed
    }

    /// [`RecoveryService::redeem`] before it is counted.
    async fn redeem_uncounted(
        &self,
        token: &str,
        new_password: SecretString,
        sign_out_everywhere: bool,
        ctx: &RequestContext,
    ) -> Result<Changed> {
        let token = self.parse_or_refuse(token, ctx).await?;
        let hash = token.hash();
        let live = self.precheck(ctx, &hash, &new_password).await?;
        // The token's turn, held until the transaction below ends: a racer with this token
        // waits here, and then finds it used without computing a hash.
        let turn = self.redeeming.turn(&hash).await;
        // Waited for the turn: another redemption of this token ended meanwhile, and if it
        // won, this one costs no hash. Otherwise the check just made stands: only another
        // instance or the clock can end the token now, and the claim below decides that.
        if turn.waited {
            self.live_or_refuse(&mut *self.conn().await?, ctx, &hash).await?;
        }
        let phc = self.hash_password(new_password).await?;
        let redemption = Redemption {
            live: &live,
            hash: &hash,
            phc: &phc,
            revoke_sessions: sign_out_everywhere || self.config.revoke_sessions_on_reset,
            ctx,
        };
        let mut conn = self.conn().await?;
        let changed = crate::db::transaction::<_, Error, _>(&mut conn, &self.schema, |conn| {
            async move { self.set_password(conn, &redemption).await }.scope_boxed()
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

    /// `token` parsed, or the recorded refusal of a malformed one.
    async fn parse_or_refuse(&self, token: &str, ctx: &RequestContext) -> Result<PlainToken> {
        let Some(token) = PlainToken::parse(token) else {
            return Err(self.refuse(&mut *self.conn().await?, ctx, None, Reason::Invalid).await);
        };
        Ok(token)
    }

    /// The live token whose digest is `hash`, with `password` checked against the policy, on
    /// one connection given back before the redemption waits for anything; or the recorded
    /// refusal to answer with.
    async fn precheck(
        &self,
        ctx: &RequestContext,
        hash: &TokenHash,
        password: &SecretString,
    ) -> Result<LiveToken> {
        let mut conn = self.conn().await?;
        let live = self.live_or_refuse(&mut conn, ctx, hash).await?;
        self.check_policy(&mut conn, ctx, &live, password).await?;
        Ok(live)
    }

    /// The PHC string of `password`, hashed in a slot of the hashing pool (waited for with no
    /// connection held); the slot is given back as soon as the hash is done.
    async fn hash_password(&self, password: SecretString) -> Result<String> {
        let slot = self.hashing.slot().await?;
        let phc = slot.hash(password).await?;
        // The slot is free for other tokens while this one's transaction runs.
        drop(slot);
        Ok(phc)
    }

    /// The transaction of [`RecoveryService::redeem`]: claims the token, stores the hash,
    /// revokes the account's other tokens (and its sessions when asked), and queues the
    /// notification with the event recording the change. `None` when the token could not be
    /// claimed: another request redeemed it, or the account changed.
    async fn set_password(
        &self,
        conn: &mut AsyncPgConnection,
        redemption: &Redemption<'_>,
    ) -> Result<Option<Changed>> {
        let Redemption { live, hash, phc, revoke_sessions, ctx } = *redemption;
        if !self.claim_token(conn, live, hash).await? {
            return Ok(None);
        }
        self.store().set_password_hash(conn, &live.user_id, phc).await?;
        recovery_tokens::revoke_live(conn, &self.schema, &live.user_id).await?;
        let revoked =
            if revoke_sessions { self.store().revoke_sessions(conn, &live.user_id).await? } else { 0 };
        let active = self.store().count_sessions(conn, &live.user_id).await?;
        self.notify_changed(conn, ctx, live, revoked).await?;
        Ok(Some(Changed {
            status: PASSWORD_CHANGED,
            user_id: live.user_id.clone(),
            active_sessions: active,
            sessions_revoked: revoked,
        }))
    }

    /// Claims the token whose digest is `hash` for `live`'s account, in the caller's
    /// transaction, if it is still live on the account as locked; whether it did.
    async fn claim_token(
        &self,
        conn: &mut AsyncPgConnection,
        live: &LiveToken,
        hash: &TokenHash,
    ) -> Result<bool> {
        // The account first, then the token: the order issuing a token takes too.
        let Some(account) = self.store().lock(conn, &live.user_id).await? else {
            return Ok(false);
        };
        let Some(token) = recovery_tokens::find(conn, &self.schema, hash).await? else {
            return Ok(false);
        };
        // The one rule, on the account as locked: an unbound token is revoked here,
        // in this transaction, for good.
        Ok(liveness::settle(conn, &self.schema, token, Some(account)).await?.is_ok()
            && recovery_tokens::claim(conn, &self.schema, hash, &live.user_id).await?)
    }

    /// Queues the password-changed mail to `live`'s stored address, with the event recording
    /// the change (`revoked` sessions with it), in the caller's transaction.
    async fn notify_changed(
        &self,
        conn: &mut AsyncPgConnection,
        ctx: &RequestContext,
        live: &LiveToken,
        revoked: u64,
    ) -> Result<()> {
        let mail = PasswordChangedMail {
            product_name: &self.config.mail.product_name,
            display_name: &live.display_name,
            changed_at: Utc::now(),
        };
        let lang = self.templates.locales().for_tag(live.locale.as_deref());
        let changed = NewAuditEvent::new(event::PASSWORD_CHANGED)
            .request(ctx)
            .actor(Some(&live.user_id))
            .target(Some(&live.user_id))
            .details(json!({ "sessions_revoked": revoked }));
        self.queue
            .enqueue(conn, (&self.templates, &mail, lang), (&live.user_id, None), &live.email, &changed)
            .await?;
        Ok(())
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
        NewAuditEvent::new(event::PASSWORD_CHANGE_REFUSED)
            .request(ctx)
            .target(Some(&live.user_id))
            .details(json!({ "reason": weakness.reason() }))
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

/// What the transaction of [`RecoveryService::redeem`] works with.
#[derive(Clone, Copy)]
struct Redemption<'a> {
    /// The token as checked before hashing.
    live: &'a LiveToken,
    /// The token's digest.
    hash: &'a TokenHash,
    /// The new password's hash (PHC string).
    phc: &'a str,
    /// Whether the account's sessions are revoked too.
    revoke_sessions: bool,
    /// The request it came with.
    ctx: &'a RequestContext,
}
