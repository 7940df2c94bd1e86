//! Abuse limits: per client IP on the unauthenticated routes, per admin on recovery requests,
//! per target user on recovery mails. Counters live in Postgres, so limits hold across
//! instances; excess gets 429 with `Retry-After`, an audit event, and changes nothing else.
//!
//! See [`PublicLimit`] for how it works.

mod batch;
mod guard;
mod limits;

pub(crate) use batch::PublicCounter;
pub(crate) use guard::{count_public, refusal_of_unread};
pub use guard::{PublicLimit, PublicLimitOverlapped};
pub(crate) use limits::{admin, enforce, public, record, target_user};
