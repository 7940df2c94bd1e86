//! What the recovery operations take and answer: [`Target`], [`Queued`], [`Verdict`],
//! [`Changed`], and for the operators' routes a recovery's status, a user's outstanding tokens,
//! a revocation and a cancellation, with their OpenAPI schemas.

use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

use crate::accounts::AccountKey;
use crate::db::recovery_tokens::{StoredToken, TokenRecord};
use crate::error::Reason;
use crate::mail::failure::FailureClass;

/// Whose password to recover.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Target {
    /// The account with this id.
    Id(String),
    /// The account with this email, as the store compares emails.
    Email(String),
}

impl Target {
    /// The account it names, as the store looks it up.
    pub(super) fn key(&self) -> AccountKey<'_> {
        match self {
            Target::Id(id) => AccountKey::Id(id),
            Target::Email(email) => AccountKey::Email(email),
        }
    }
}

/// [`Queued::status`].
pub(super) const QUEUED: &str = "queued";
/// [`Changed::status`].
pub(super) const PASSWORD_CHANGED: &str = "password_changed";
/// [`Revoked::status`].
pub(super) const REVOKED: &str = "revoked";
/// [`Accepted::status`].
pub(super) const ACCEPTED: &str = "accepted";
/// [`Cancelled::status`].
pub(super) const CANCELLED: &str = "cancelled";

/// The schemas of the fields that never vary, for the OpenAPI document.
mod schema {
    use crate::error::responses::only;
    use utoipa::openapi::Object;

    pub(super) fn queued() -> Object {
        only(super::QUEUED)
    }
    pub(super) fn password_changed() -> Object {
        only(super::PASSWORD_CHANGED)
    }
    pub(super) fn revoked() -> Object {
        only(super::REVOKED)
    }
    pub(super) fn cancelled() -> Object {
        only(super::CANCELLED)
    }
    pub(super) fn accepted() -> Object {
        only(super::ACCEPTED)
    }
    pub(super) fn is_true() -> Object {
        only(true)
    }
    pub(super) fn is_false() -> Object {
        only(false)
    }
}

/// What starting recovery answers: the token itself is never in it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)] // no effect on serializing: the document's `additionalProperties: false`
#[non_exhaustive]
pub struct Queued {
    /// Always `queued`.
    #[schema(schema_with = schema::queued)]
    pub status: &'static str,
    /// Whose password can now be reset.
    pub user_id: String,
    /// When the emailed link would stop working if its mail left at once: the link's lifetime
    /// starts when the mail server accepts the mail (the status route then shows the real time).
    pub expires_at: DateTime<Utc>,
    /// This recovery's id: ask `GET <mount>/password-recovery/<recovery_id>` where it stands.
    /// A repeat with the same `Idempotency-Key` answers the same id.
    pub recovery_id: Uuid,
}

/// What verifying a token answers: valid with its expiry and a masked email, or why not.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum Verdict {
    /// The token can be used.
    #[schema(title = "VerdictValid")]
    Valid {
        /// Always true.
        #[schema(schema_with = schema::is_true)]
        valid: bool,
        /// When it stops working.
        expires_at: DateTime<Utc>,
        /// `a***e@example.com`.
        email_hint: String,
    },
    /// It cannot.
    #[schema(title = "VerdictInvalid")]
    Invalid {
        /// Always false.
        #[schema(schema_with = schema::is_false)]
        valid: bool,
        /// `invalid`, `expired`, `used`, `superseded` or `cancelled`.
        reason: Reason,
    },
}

/// What a redemption answers. No cookie or credential is ever in it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)] // no effect on serializing: the document's `additionalProperties: false`
#[non_exhaustive]
pub struct Changed {
    /// Always `password_changed`.
    #[schema(schema_with = schema::password_changed)]
    pub status: &'static str,
    /// Whose password changed.
    pub user_id: String,
    /// Sessions still active, so a UI can offer to sign out everywhere.
    #[schema(minimum = 0)]
    pub active_sessions: i64,
    /// Sessions this change revoked.
    pub sessions_revoked: u64,
}

/// Where a recovery's mail stands: `queued` (not tried yet, or being sent), `retrying` (an
/// attempt failed, another is due), `sent`, `abandoned` (every attempt failed) or `dropped`
/// (the token ended first, so it was not sent late).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub(crate) enum DeliveryState {
    /// Not tried yet, or being sent.
    Queued,
    /// An attempt failed; another is due.
    Retrying,
    /// The mail server accepted it.
    Sent,
    /// Every attempt failed.
    Abandoned,
    /// The token ended first, so it was not sent late.
    Dropped,
}

/// Where a recovery's token stands: `live`, `redeemed`, `expired`, `superseded` (a newer
/// recovery replaced it), `cancelled` (the user said it was not them) or `revoked` (an admin
/// withdrew it, the password was changed another way, or the account changed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub(crate) enum TokenState {
    /// It can be used.
    Live,
    /// It was used to set a password.
    Redeemed,
    /// Past its lifetime.
    Expired,
    /// A newer recovery replaced it.
    Superseded,
    /// The user said it was not them.
    Cancelled,
    /// An admin withdrew it, the password was changed another way, or the account changed.
    Revoked,
}

impl TokenState {
    /// Where `token` stands: the same verdict, in the same order, as [`StoredToken::ended`].
    fn of(token: &StoredToken) -> TokenState {
        match token.ended() {
            None => TokenState::Live,
            Some(Reason::Used) => TokenState::Redeemed,
            Some(Reason::Superseded) => TokenState::Superseded,
            Some(Reason::Cancelled) => TokenState::Cancelled,
            Some(Reason::Expired) => TokenState::Expired,
            Some(Reason::Invalid) => TokenState::Revoked,
        }
    }
}

/// Where a recovery's mail stands.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)] // no effect on serializing: the document's `additionalProperties: false`
#[non_exhaustive]
pub(crate) struct Delivery {
    /// `queued` (not tried yet, or being sent), `retrying` (an attempt failed, another is
    /// due), `sent`, `abandoned` (every attempt failed) or `dropped` (the token ended first,
    /// so it was not sent late).
    pub state: DeliveryState,
    /// Attempts so far.
    #[schema(minimum = 0)]
    pub attempts: i32,
    /// When the mail server accepted it; null until it did.
    #[schema(required = true)]
    pub sent_at: Option<DateTime<Utc>>,
    /// What kind of failure the last failed attempt met, never its text; null when none did
    /// (or once the mail is sent).
    #[schema(required = true)]
    pub last_error: Option<FailureClass>,
}

impl Delivery {
    fn of(record: &TokenRecord) -> Delivery {
        let state = match record.mail_status.as_deref() {
            Some("sent") => DeliveryState::Sent,
            Some("dropped") => DeliveryState::Dropped,
            Some("abandoned") => DeliveryState::Abandoned,
            // Still queued, but its token ended first (most often: the mail did not leave
            // within the token's lifetime): the worker drops it when it next comes up.
            Some(_) if record.token.ended().is_some() => DeliveryState::Dropped,
            Some(_) if record.last_error_class.is_some() => DeliveryState::Retrying,
            // A token always has its mail; without one it is purged or was never queued.
            Some(_) | None => DeliveryState::Queued,
        };
        let last_error = match state {
            DeliveryState::Sent => None,
            _ => record.last_error_class.as_deref().map(FailureClass::stored),
        };
        Delivery { state, attempts: record.attempts.unwrap_or(0), sent_at: record.sent_at, last_error }
    }
}

/// Where a recovery stands: its token and its mail. Never the token or its digest.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)] // no effect on serializing: the document's `additionalProperties: false`
#[non_exhaustive]
pub(crate) struct RecoveryStatus {
    /// The recovery's id.
    pub recovery_id: Uuid,
    /// Whose password it recovers.
    pub user_id: String,
    /// The admin who asked, as the authenticator named them; null for a user's own request.
    #[schema(required = true)]
    pub requested_by: Option<String>,
    /// When it was asked for.
    pub created_at: DateTime<Utc>,
    /// When its link stops working: the mail's acceptance plus the lifetime once the mail is
    /// accepted; until then the latest the mail may leave (`created_at` plus the lifetime).
    pub expires_at: DateTime<Utc>,
    /// `live`, `redeemed`, `expired`, `superseded` (a newer recovery replaced it), `cancelled`
    /// (the user said it was not them) or `revoked` (an admin withdrew it, the password was
    /// changed another way, or the account changed).
    pub token: TokenState,
    /// Where its mail stands.
    pub delivery: Delivery,
}

impl From<TokenRecord> for RecoveryStatus {
    fn from(record: TokenRecord) -> RecoveryStatus {
        let delivery = Delivery::of(&record);
        RecoveryStatus {
            recovery_id: record.token.id,
            token: TokenState::of(&record.token),
            user_id: record.token.user_id,
            requested_by: record.requested_by,
            created_at: record.created_at,
            expires_at: record.token.expires_at,
            delivery,
        }
    }
}

/// One live token, as an admin sees it. Never the token or its digest.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)] // no effect on serializing: the document's `additionalProperties: false`
#[non_exhaustive]
pub(crate) struct OutstandingToken {
    /// The token's id (the `recovery_id` of the request that issued it).
    pub token_id: Uuid,
    /// When it was issued.
    pub created_at: DateTime<Utc>,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
    /// The admin who asked, as the authenticator named them; null for a user's own request.
    #[schema(required = true)]
    pub requested_by: Option<String>,
    /// Where its mail stands.
    pub delivery: Delivery,
}

/// A user's live recovery tokens.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)] // no effect on serializing: the document's `additionalProperties: false`
#[non_exhaustive]
pub(crate) struct OutstandingTokens {
    /// Whose tokens.
    pub user_id: String,
    /// The live ones (at most one: a new recovery supersedes the older token).
    pub tokens: Vec<OutstandingToken>,
}

impl From<TokenRecord> for OutstandingToken {
    fn from(record: TokenRecord) -> OutstandingToken {
        OutstandingToken {
            delivery: Delivery::of(&record),
            token_id: record.token.id,
            created_at: record.created_at,
            expires_at: record.token.expires_at,
            requested_by: record.requested_by,
        }
    }
}

/// What revoking a token answers.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)] // no effect on serializing: the document's `additionalProperties: false`
#[non_exhaustive]
pub(crate) struct Revoked {
    /// Always `revoked`.
    #[schema(schema_with = schema::revoked)]
    pub status: &'static str,
    /// The token's id.
    pub token_id: Uuid,
}

/// What a self-service request answers, whatever the address: the same bytes for an address
/// with an account and one without.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)] // no effect on serializing: the document's `additionalProperties: false`
pub(crate) struct Accepted {
    /// Always `accepted`.
    #[schema(schema_with = schema::accepted)]
    pub status: &'static str,
}

impl Accepted {
    /// The answer.
    pub(crate) const ANSWER: Accepted = Accepted { status: ACCEPTED };
}

/// What cancelling a token answers.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)] // no effect on serializing: the document's `additionalProperties: false`
#[non_exhaustive]
pub(crate) struct Cancelled {
    /// Always `cancelled`.
    #[schema(schema_with = schema::cancelled)]
    pub status: &'static str,
}
