//! Password recovery: an admin starts it (a tokened email), the user checks the link and sets
//! a new password with it.
//!
//! See [`RecoveryService`] for how it works.

pub mod answers;
pub mod idempotency;
mod redeeming;
mod self_service;

pub(crate) use self_service::ManagedRequestCheck;
pub use self_service::RequestCheck;
pub(crate) mod routes;
mod service;
mod start;
mod together;
pub(crate) use together::waiting;

pub(crate) use redeeming::Redeeming;

use std::sync::Arc;

use rocket::Route;
use rocket_db_pools::diesel::PgPool;

use crate::accounts::Store;
use crate::config::{Config, Schema};
use crate::db::SessionBounds;
use crate::mail::{MailQueue, Templates};
use crate::password::HashingPool;

/// Starts and redeems recoveries. Managed by the fairing: take it as `&State<RecoveryService>`.
///
/// The routes are thin: [`RecoveryService`] does the work, and a host's own admin UI, job or
/// CLI can call it without HTTP (take it as `&State<RecoveryService>`).
///
/// ## How recovery works
///
/// - **Tokens** are 32 bytes from the OS CSPRNG, base64url (43 characters). Only their SHA-256
///   digest is stored. A token lives `token_ttl_secs` (Postgres `now()` decides), is single use,
///   and a new one supersedes the account's older ones (a partial unique index keeps at most one
///   live token per account). It is bound to the account's fingerprint (see
///   [`crate::accounts::Account::fingerprint`]) as it was at issue. One rule, the same for every
///   store, decides whether it is live wherever it is looked at (verify, cancel, redeem, the mail
///   worker, the admin's status and list): it dies when the email or the credentials change by
///   any path, the host's own pages and plain SQL included, or when the account stops being
///   recoverable, and the first path that finds it so revokes it for good, so changing the
///   account back does not revive it. With the default store a trigger also revokes it (a second
///   line of defence).
/// - **The mail** goes only to the address stored for the user (never one from the request; email
///   lookups compare an NFKC + lowercase form). The link is `public_url + reset_path +
///   "#token=" + token`: built from configuration, never from `Host` or `X-Forwarded-Host`, with
///   the token in the fragment so it never reaches a server log or a `Referer`.
/// - **Changing the password** checks the token first (an invalid one never costs an argon2 hash),
///   then the policy (15 to 128 code points, zxcvbn score at least 3 with the user's email and name
///   as context; no composition rules, no truncation), waits for a hashing slot with no database
///   connection held, checks the token again once the slot is granted, hashes on the blocking
///   pool with no connection or transaction held, and then, in one transaction, locks the
///   account through the store, compares its fingerprint, claims the token with one atomic
///   `UPDATE` (so concurrent redemptions, on one instance or several, give exactly one success),
///   stores the new hash through the store, kills the account's other tokens, revokes sessions if asked or configured, queues a "your password was
///   changed" mail (no token in it) and records an audit event. Sessions survive otherwise, and the
///   answer counts them so a UI can offer to sign out everywhere.
///
/// ## What operators and users can steer
///
/// - **Retries are safe.** `password-recovery` takes an `Idempotency-Key` header (see
///   [`idempotency::IdempotencyKey`]): a repeat by the same admin with the same key and body, while the first
///   token lives, answers the first answer again and issues no second token and no second mail,
///   so a retry after a timeout never voids the mail the user already has. Once that token is
///   no longer live the key is released and starts a new recovery. The same key with another
///   body is 422 `idempotency_key_reused`; refusals are audited.
/// - **Where a recovery stands.** Its answer carries a `recovery_id`;
///   `GET <mount>/password-recovery/<recovery_id>` answers the token's state (`live`,
///   `redeemed`, `expired`, `superseded`, `cancelled`, `revoked`) and the mail's (`queued`,
///   `retrying` with the attempts and the last error's class, `sent` with when, `abandoned`,
///   `dropped`), never an error's text, the token or its digest.
/// - **Outstanding links.** `GET <mount>/recovery-tokens?user_id=<user_id>` lists a user's live tokens
///   and `DELETE <mount>/recovery-tokens/<token_id>` revokes one (its queued mail is then
///   dropped); both are audited. A status read is not (it holds no secret, changes nothing and
///   is polled).
/// - **"This wasn't me".** The mail carries a second link, `public_url + reset_path +
///   "#cancel=" + token`. The reset page asks before it acts (a link scanner that opens the link
///   cancels nothing), then posts `<mount>/cancel-recovery`, which revokes the token without
///   touching the account and records a `recovery_cancelled` event. The token then verifies as
///   `{"valid": false, "reason": "cancelled"}`.
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
    /// Wakes the self-service worker when a request was queued.
    pub(crate) self_service_wake: Arc<rocket::tokio::sync::Notify>,
    /// The admins' recoveries waiting for a transaction (see `together`).
    pub(crate) waiting: Arc<together::Waiting>,
}

/// The recovery routes.
#[must_use]
pub(crate) fn routes() -> Vec<Route> {
    rocket::routes![
        routes::password_recovery,
        routes::verify_recovery_token,
        routes::change_password,
        routes::recovery_status,
        routes::recovery_tokens,
        routes::revoke_recovery_token,
        routes::cancel_recovery,
    ]
}

/// The self-service route, mounted only when `self_service_recovery` is on.
#[must_use]
pub(crate) fn self_service_routes() -> Vec<Route> {
    rocket::routes![routes::forgot_password]
}

/// `a***e@example.com`: enough for the user to recognise the account, too little to learn the
/// address. One-character local parts show only that character.
#[must_use]
pub(crate) fn email_hint(email: &str) -> String {
    let Some((local, domain)) = email.rsplit_once('@') else { return "***".into() };
    let mut chars = local.chars();
    let first = chars.next().map(String::from).unwrap_or_default();
    let last = if local.chars().count() > 2 {
        chars.last().map(String::from).unwrap_or_default()
    } else {
        String::new()
    };
    format!("{first}***{last}@{domain}")
}

#[cfg(test)]
mod tests {
    use super::email_hint;

    #[test]
    fn hints_mask_the_local_part() {
        assert_eq!(email_hint("alice@example.com"), "a***e@example.com");
        assert_eq!(email_hint("al@example.com"), "a***@example.com");
        assert_eq!(email_hint("a@example.com"), "a***@example.com");
        assert_eq!(email_hint("ünïcödé@example.com"), "ü***é@example.com");
        assert_eq!(email_hint("nonsense"), "***");
    }
}
