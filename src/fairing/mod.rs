//! `UserAccount`: the one fairing a host attaches. [`builder`] holds the types a host builds
//! it with; `ignite` what it does when Rocket ignites, lifts off and answers.

mod builder;
mod ignite;

pub use builder::{UserAccount, UserAccountBuilder};
