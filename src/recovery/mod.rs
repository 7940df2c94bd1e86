//! Password recovery: an admin starts it (a tokened email), the user checks the link and sets
//! a new password with it.
//!
//! See [`RecoveryService`] for how it works.

mod answers;
mod idempotency;
mod redeeming;
pub mod routes;
mod service;

pub use answers::{Changed, Queued, Target, Verdict};
pub use idempotency::IdempotencyKey;
pub(crate) use redeeming::Redeeming;
pub use service::RecoveryService;

use rocket::Route;

/// The recovery routes.
#[must_use]
pub fn routes() -> Vec<Route> {
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

/// `a***e@example.com`: enough for the user to recognise the account, too little to learn the
/// address. One-character local parts show only that character.
#[must_use]
pub fn email_hint(email: &str) -> String {
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
