//! Self-service recovery (`POST <mount>/forgot-password`, when `self_service_recovery` is on):
//! a user asks for a link themselves, and the answer tells nobody whether the address has an
//! account.
//!
//! The request does the same work whatever the address: it queues the address (one insert in
//! `self_service_requests`) and answers 202. Everything that depends on the account happens
//! after the answer, in the worker: the lookup, the per-user limits, the deployment-wide cap,
//! the token and the mail. A request that sends nothing (no account, an account that cannot be
//! recovered, a user over their limit, the deployment over its cap) is audited and answered
//! exactly like one that sends a mail.

use std::net::IpAddr;

use diesel_async::scoped_futures::ScopedFutureExt as _;
use diesel_async::AsyncPgConnection;
use serde_json::json;

use super::start::{recoverable_email, Issue};
use super::RecoveryService;
use crate::db::audit::{event, NewAuditEvent};
use crate::db::rate_limits::{self, Commit};
use crate::db::self_service::{self, NewSelfServiceRequest};
use crate::error::{Error, Result};
use crate::rate_limit;
use crate::request_context::RequestContext;
use crate::token::PlainToken;

/// Who asked, as a self-service token records it (an admin's subject stands there otherwise).
pub(crate) const SELF_SERVICE: &str = "self-service";

/// The one subject of the deployment-wide cap.
const DEPLOYMENT: &str = "deployment";

/// How often the worker looks at the queue when nothing woke it (another instance accepted).
const POLL_INTERVAL: std::time::Duration = std::time::Duration::from_secs(5);

impl RecoveryService {
    /// Accepts a self-service request for `email` (as typed, trimmed) from a page in
    /// `language`: queues it and wakes the worker. One insert, whatever the address.
    ///
    /// # Errors
    /// [`Error::Unavailable`] or a database error.
    pub(crate) async fn accept(
        &self,
        email: &str,
        language: Option<&str>,
        ctx: &RequestContext,
    ) -> Result<()> {
        let request = NewSelfServiceRequest {
            email,
            language,
            request_id: &ctx.request_id,
            client_ip: ctx.client_ip.map(|ip| ip.to_string()),
        };
        let mut conn = self.conn().await?;
        self_service::insert(&mut conn, &self.schema, &request).await?;
        self.self_service_wake.notify_one();
        Ok(())
    }

    /// Handles every queued self-service request that is due, oldest first, each in a
    /// transaction of its own that also takes it off the queue; returns how many were handled.
    /// The worker runs this whenever a request is queued (and every few seconds, for other
    /// instances'); a host that runs no worker (`mail.worker = false`) on any instance can run
    /// it itself.
    ///
    /// A request whose handling fails (the account store errs on it, say) is put back for
    /// later, 30 s more each time, and dropped after the fifth failure (audited `failed`), so
    /// it never holds up the ones behind it. A lost database ends the pass instead.
    ///
    /// # Errors
    /// [`Error::Unavailable`] or a database error; the request being handled stays queued.
    pub async fn process_self_service(&self) -> Result<usize> {
        let mut handled = 0;
        let mut conn = self.conn().await?;
        loop {
            // Stopping: each request is its own transaction, so the rest wait for the next instance.
            if self.queue.stopping() {
                return Ok(handled);
            }
            let taken = std::sync::Mutex::new(None);
            let outcome = crate::db::transaction::<_, Error, _>(&mut conn, &self.schema, |conn| {
                async { self.handle_one(conn, &taken).await }.scope_boxed()
            })
            .await;
            match outcome {
                Ok(None) => return Ok(handled),
                Ok(Some(sent)) => {
                    handled += 1;
                    if sent {
                        self.queue.wake();
                    }
                }
                // The database is away or overloaded: the request stays as it was, for the next pass.
                Err(e) if e.status().code == 503 => return Err(e),
                Err(e) => {
                    let Some(id) = taken.lock().ok().and_then(|t| *t) else {
                        return Err(e);
                    };
                    log::error!("user_account: self-service request {id} failed: {e}");
                    if self_service::postpone(&mut conn, &self.schema, id).await? {
                        NewAuditEvent::new(event::SELF_SERVICE_REFUSED)
                            .details(json!({ "reason": "failed" }))
                            .insert(&mut conn, &self.schema)
                            .await?;
                    }
                    handled += 1;
                }
            }
        }
    }

    /// Takes the oldest due request off the queue (its id into `taken`) and handles it: `None`
    /// when none is due, else whether a mail was queued.
    async fn handle_one(
        &self,
        conn: &mut AsyncPgConnection,
        taken: &std::sync::Mutex<Option<i64>>,
    ) -> Result<Option<bool>> {
        let Some(request) = self_service::take_oldest(conn, &self.schema).await? else {
            return Ok(None);
        };
        if let Ok(mut t) = taken.lock() {
            *t = Some(request.id);
        }
        let ctx = RequestContext {
            request_id: request.request_id.clone().unwrap_or_default(),
            client_ip: request.client_ip.as_deref().and_then(|ip| ip.parse::<IpAddr>().ok()),
        };
        let refused = |reason: &'static str, user: Option<&str>| {
            crate::metrics::recovery_request(match reason {
                "stale" => "refused_stale",
                "unknown_address" => "refused_unknown_address",
                "not_recoverable" => "refused_not_recoverable",
                "user_limit" => "refused_rate_limited",
                _ => "refused_global_cap",
            });
            match reason {
                "user_limit" => crate::metrics::rate_limited("self_service_per_user"),
                "global_cap" => crate::metrics::rate_limited("self_service_global"),
                _ => {}
            }
            NewAuditEvent::new(event::SELF_SERVICE_REFUSED)
                .request(&ctx)
                .target(user)
                .details(json!({ "reason": reason }))
        };
        // Handled after a link would have died anyway (no worker ran for that long): too late.
        // `token_ttl_secs` is bounded at ignition (a day at most), so the lifetime always fits.
        let ttl = i64::try_from(self.config.token_ttl_secs).ok().and_then(chrono::Duration::try_seconds);
        if ttl.is_some_and(|ttl| request.created_at + ttl < chrono::Utc::now()) {
            refused("stale", None).insert(conn, &self.schema).await?;
            return Ok(Some(false));
        }
        let Some(account) = self.store().lock_by_email(conn, &request.email).await? else {
            refused("unknown_address", None).insert(conn, &self.schema).await?;
            return Ok(Some(false));
        };
        let email = match recoverable_email(&account) {
            Ok(email) => email,
            Err(e) => {
                if e.is_internal() {
                    // The host's store broke a rule (an account without a fingerprint): the
                    // operator must hear of it; the caller never does.
                    log::error!("user_account: self-service request {}: {e}", ctx.request_id);
                }
                refused("not_recoverable", Some(&account.id)).insert(conn, &self.schema).await?;
                return Ok(Some(false));
            }
        };
        // The same limits as an admin's recoveries, counted apart: requests anybody can make
        // for an address never use up what an admin needs to recover it.
        let per_user = rate_limit::self_service_user(&self.config);
        if self.limit_target(conn, &ctx, &account.id, &per_user).await?.is_some() {
            refused("user_limit", Some(&account.id)).insert(conn, &self.schema).await?;
            return Ok(Some(false));
        }
        let cap = rate_limit::self_service(&self.config);
        if rate_limits::hit(conn, &self.schema, DEPLOYMENT, &cap, Commit::WithCaller).await?.is_some() {
            refused("global_cap", Some(&account.id)).insert(conn, &self.schema).await?;
            return Ok(Some(false));
        }
        let token = PlainToken::generate();
        let issue = Issue {
            ctx: &ctx,
            token: &token,
            requested_by: None,
            subject: SELF_SERVICE,
            idempotency: None,
            locale: request.language.as_deref(),
            by_user: true,
        };
        self.issue(conn, &issue, account, &email).await?;
        crate::metrics::recovery_request("queued");
        Ok(Some(true))
    }

    /// Handles queued requests until `shutdown` resolves: at once when one is accepted here,
    /// otherwise every few seconds.
    pub(crate) async fn run_self_service(self, shutdown: rocket::Shutdown) {
        rocket::tokio::pin!(shutdown);
        loop {
            if let Err(e) = self.process_self_service().await {
                log::error!("user_account: self-service pass failed: {e}");
            }
            rocket::tokio::select! {
                () = self.self_service_wake.notified() => {}
                () = rocket::tokio::time::sleep(POLL_INTERVAL) => {}
                () = &mut shutdown => return,
            }
        }
    }
}

/// A host's check on a self-service request before it is accepted: a CAPTCHA's token in a
/// header, a proof of work, an allow-list of networks. Given to
/// [`crate::UserAccountBuilder::request_check`]; none by default. It sees the request, never the
/// body, and runs before the address is read, so its answer cannot depend on the account.
#[rocket::async_trait]
pub trait RequestCheck: Send + Sync + 'static {
    /// Whether `request` may ask for a link. `false` answers 403 `request_refused`.
    async fn allows(&self, request: &rocket::Request<'_>) -> bool;
}

/// The host's check, as the fairing manages it.
#[derive(Clone, Default)]
pub(crate) struct ManagedRequestCheck(pub Option<std::sync::Arc<dyn RequestCheck>>);

/// Request guard of `forgot-password`: the host's [`RequestCheck`], if it gave one.
pub(crate) struct CheckedRequest;

#[rocket::async_trait]
impl<'r> rocket::request::FromRequest<'r> for CheckedRequest {
    type Error = Error;

    async fn from_request(req: &'r rocket::Request<'_>) -> rocket::request::Outcome<Self, Error> {
        let check = req.rocket().state::<ManagedRequestCheck>().and_then(|c| c.0.clone());
        match check {
            Some(check) if !check.allows(req).await => {
                let refused = Error::RequestRefused;
                rocket::request::Outcome::Error((refused.stash(req), refused))
            }
            _ => rocket::request::Outcome::Success(CheckedRequest),
        }
    }
}

/// The errors of [`CheckedRequest`].
impl utoipa::IntoResponses for CheckedRequest {
    fn responses(
    ) -> std::collections::BTreeMap<String, utoipa::openapi::RefOr<utoipa::openapi::response::Response>> {
        [crate::error::responses::Forbidden::entry()].into()
    }
}
