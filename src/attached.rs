//! The launch check every request guard of the crate shares. A host that puts one of the
//! crate's guards on a route without attaching the fairing fails at launch, with a log line
//! naming the guard, rather than with a 500 on every request.

use rocket::{Ignite, Rocket};

/// Managed by the fairing once the crate's state (its configuration and its pool) is in
/// place: its presence is what the guards' [`rocket::Sentinel`]s check.
pub(crate) struct Attached;

/// For a guard's [`rocket::Sentinel`]: whether `rocket` lacks the fairing's state. Logs the
/// guard's name when it does.
pub(crate) fn missing(rocket: &Rocket<Ignite>, guard: &str) -> bool {
    let missing = rocket.state::<Attached>().is_none();
    if missing {
        log::error!("user_account: `{guard}` is used on a route but the UserAccount fairing is not attached");
    }
    missing
}
