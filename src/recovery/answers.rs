//! What the recovery operations take and answer: [`Target`], [`Queued`], [`Verdict`] and
//! [`Changed`], with their OpenAPI schemas.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::db::recovery_tokens::Reason;

/// Whose password to recover.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Target {
    /// The account with this id.
    Id(String),
    /// The account with this email, as the store compares emails.
    Email(String),
}

/// [`Queued::status`].
pub(super) const QUEUED: &str = "queued";
/// [`Changed::status`].
pub(super) const PASSWORD_CHANGED: &str = "password_changed";

/// The schemas of the fields that never vary, for the OpenAPI document.
mod schema {
    use crate::openapi::only;
    use utoipa::openapi::Object;

    pub(super) fn queued() -> Object {
        only(super::QUEUED)
    }
    pub(super) fn password_changed() -> Object {
        only(super::PASSWORD_CHANGED)
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
    /// When the emailed link stops working.
    pub expires_at: DateTime<Utc>,
}

/// What verifying a token answers: valid with its expiry and a masked email, or why not.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum Verdict {
    /// The token can be used.
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
    Invalid {
        /// Always false.
        #[schema(schema_with = schema::is_false)]
        valid: bool,
        /// `invalid`, `expired`, `used` or `superseded`.
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
