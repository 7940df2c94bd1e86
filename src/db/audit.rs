//! `audit_events`: the append-only trail. Never holds a secret.
#![doc = include_str!("../../docs/audit.md")]

use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::query_builder::BoxedSqlQuery;
use diesel::sql_types::{Jsonb, Nullable, Text};
use diesel_async::AsyncPgConnection;

use super::sql::Run as _;
use serde_json::Value;

use super::Prepare as _;
use crate::config::Schema;
use crate::request_context::RequestContext;

/// The columns of `audit_events` an event fills, in the order [`NewAuditEvent::bind_to`] binds
/// their values.
pub(super) const COLUMNS: &str = "event, request_id, client_ip, actor_user_id, target_user_id, details";

/// Event names, after the OWASP logging vocabulary.
pub mod event {
    /// An admin started recovery (actor, target).
    pub const RECOVERY_REQUESTED: &str = "recovery_requested";
    /// A recovery token was refused (reason).
    pub const RECOVERY_TOKEN_INVALID: &str = "recovery_token_invalid";
    /// A password was changed with a recovery token.
    pub const PASSWORD_CHANGED: &str = "authn_password_change";
    /// A password change was refused by the policy.
    pub const PASSWORD_CHANGE_REFUSED: &str = "authn_password_change_fail";
    /// A rate limit was exceeded.
    pub const RATE_LIMITED: &str = "excess_rate_limit_exceeded";
    /// Credentials were missing, invalid or lacked the scope.
    pub const AUTHZ_FAILED: &str = "authz_fail";
    /// A delivery attempt failed and will be retried.
    pub const MAIL_FAILED: &str = "email_send_failed";
    /// Every delivery attempt failed.
    pub const MAIL_ABANDONED: &str = "email_abandoned";
    /// An admin repeated a recovery request with its `Idempotency-Key` and got the first answer.
    pub const RECOVERY_REPLAYED: &str = "recovery_replayed";
    /// An admin's `Idempotency-Key` was refused (`reason`: `invalid`, a malformed or repeated
    /// header; `reused`, a key of theirs already used with another request).
    pub const IDEMPOTENCY_KEY_REFUSED: &str = "idempotency_key_refused";
    /// An admin listed a user's live recovery tokens.
    pub const RECOVERY_TOKENS_LISTED: &str = "recovery_tokens_listed";
    /// An admin revoked a recovery token.
    pub const RECOVERY_TOKEN_REVOKED: &str = "recovery_token_revoked";
    /// The user cancelled a recovery with the mail's "this wasn't me" link.
    pub const RECOVERY_CANCELLED: &str = "recovery_cancelled";
    /// A self-service request sent nothing (`reason`: `unknown_address`, `not_recoverable`,
    /// `user_limit` or `global_cap`); its caller got the same 202 as every other.
    pub const SELF_SERVICE_REFUSED: &str = "self_service_refused";
}

/// An event to record.
#[derive(Debug)]
pub(crate) struct NewAuditEvent {
    pub(super) event: &'static str,
    pub(super) request_id: Option<String>,
    pub(super) client_ip: Option<String>,
    pub(super) actor_user_id: Option<String>,
    pub(super) target_user_id: Option<String>,
    pub(super) details: Value,
}

impl NewAuditEvent {
    /// An event with no context yet.
    #[must_use]
    pub fn new(event: &'static str) -> NewAuditEvent {
        NewAuditEvent {
            event,
            request_id: None,
            client_ip: None,
            actor_user_id: None,
            target_user_id: None,
            details: Value::Object(serde_json::Map::new()),
        }
    }

    /// The request it happened in (id and client IP).
    #[must_use]
    pub fn request(mut self, ctx: &RequestContext) -> Self {
        self.request_id = Some(ctx.request_id.clone());
        self.client_ip = ctx.client_ip.map(|ip| ip.to_string());
        self
    }

    /// Who did it (an account id).
    #[must_use]
    pub fn actor(mut self, user: Option<&str>) -> Self {
        self.actor_user_id = user.map(str::to_owned);
        self
    }

    /// Whom it concerns (an account id).
    #[must_use]
    pub fn target(mut self, user: Option<&str>) -> Self {
        self.target_user_id = user.map(str::to_owned);
        self
    }

    /// Machine-readable specifics.
    #[must_use]
    pub fn details(mut self, details: Value) -> Self {
        self.details = details;
        self
    }

    /// Records the event.
    ///
    /// # Errors
    /// Database errors only.
    pub async fn insert(&self, conn: &mut AsyncPgConnection, s: &Schema) -> QueryResult<()> {
        let insert = diesel::sql_query(format!(
            "insert into {s}.audit_events ({COLUMNS}) values ($1, $2, $3, $4, $5, $6)"
        ));
        self.bind_to(insert.into_boxed()).cached().execute_on(conn, s).await.map(|_| ())
    }

    /// `query` with the event's six values bound after its own binds, in the order of
    /// [`COLUMNS`]: for a statement that inserts the event from its next six placeholders.
    pub(super) fn bind_to<'a, Q>(&'a self, query: BoxedSqlQuery<'a, Pg, Q>) -> BoxedSqlQuery<'a, Pg, Q> {
        query
            .bind::<Text, _>(self.event)
            .bind::<Nullable<Text>, _>(&self.request_id)
            .bind::<Nullable<Text>, _>(&self.client_ip)
            .bind::<Nullable<Text>, _>(&self.actor_user_id)
            .bind::<Nullable<Text>, _>(&self.target_user_id)
            .bind::<Jsonb, _>(&self.details)
    }
}

/// Deletes events older than `retention_days` (through the index on `occurred_at`); returns
/// how many.
///
/// # Errors
/// Database errors only.
pub(crate) async fn purge(
    conn: &mut AsyncPgConnection,
    s: &Schema,
    retention_days: u32,
) -> QueryResult<usize> {
    diesel::sql_query(format!(
        "delete from {s}.audit_events where occurred_at < now() - make_interval(days => $1)"
    ))
    .bind::<diesel::sql_types::Integer, _>(i32::try_from(retention_days).unwrap_or(i32::MAX))
    .cached()
    .execute_on(conn, s)
    .await
}
