//! One admin's recovery as its steps read it, whether it is written alone or together with
//! others ([`super::together`]).

use super::answers::{Queued, Target};
use crate::accounts::Account;
use crate::auth::Principal;
use crate::error::{Error, Result};
use crate::request_context::RequestContext;
use crate::token::PlainToken;

/// One call of [`RecoveryService::start`], as its steps read it.
pub(super) struct StartRequest<'a> {
    /// The account to recover.
    pub(super) target: &'a Target,
    /// Who asks.
    pub(super) admin: &'a Principal,
    /// The request it came with.
    pub(super) ctx: &'a RequestContext,
    /// The token to issue (only its digest is stored; the mail carries it).
    pub(super) token: &'a PlainToken,
    /// Digests of the request's `Idempotency-Key` and of the request, if it had a key.
    pub(super) idempotency: Option<([u8; 32], [u8; 32])>,
    /// The language the admin chose for this mail, if any.
    pub(super) locale: Option<&'a str>,
}

impl<'a> StartRequest<'a> {
    /// The token to issue for it, and who asked.
    pub(super) fn issue(&self) -> Issue<'a> {
        Issue {
            ctx: self.ctx,
            token: self.token,
            requested_by: self.admin.user_id.as_deref(),
            subject: &self.admin.subject,
            idempotency: self.idempotency,
            locale: self.locale,
            by_user: false,
        }
    }
}

/// How the transaction of [`RecoveryService::start`] ended; each of these commits.
pub(super) enum Started {
    /// A repeat of a keyed request: its first answer again, nothing issued.
    Replayed(Queued),
    /// A token was issued and its mail queued.
    Issued(Queued),
    /// The account's per-user limit was exceeded (the count is kept): another recovery is
    /// allowed in `retry_after` seconds.
    Limited {
        /// Seconds until the exceeded window ends.
        retry_after: u64,
    },
}

/// The stored address of an account that may be recovered.
pub(super) fn recoverable_email(account: &Account) -> Result<String> {
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

/// A token to issue and who asked for it.
pub(crate) struct Issue<'a> {
    /// The request it came with (for a self-service request, the one that was accepted).
    pub ctx: &'a RequestContext,
    /// The token (only its digest is stored; the mail carries it).
    pub token: &'a PlainToken,
    /// The admin's account id, if an admin asked and has one.
    pub requested_by: Option<&'a str>,
    /// Who asked, as recorded on the token: the admin's subject, or `self-service`.
    pub subject: &'a str,
    /// Digests of the `Idempotency-Key` and of the request, if it had a key.
    pub idempotency: Option<([u8; 32], [u8; 32])>,
    /// The language asked for: an admin's choice (over the account's), or the language of a
    /// user's own request (under the account's).
    pub locale: Option<&'a str>,
    /// The user asked, not an admin.
    pub by_user: bool,
}
