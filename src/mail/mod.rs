//! Mail: templates rendered into the durable outbox at request time, and a worker that
//! delivers the outbox through a transport (SMTP, files or the log).
//!
//! See [`SendMail`] for how it works.

pub(crate) mod failure;
mod templates;
mod transport;
mod worker;

pub use templates::{MailContext, PasswordChangedMail, RecoveryMail, Templates};
pub(crate) use transport::Mailer;
pub use transport::SendMail;
#[cfg(feature = "internals")]
pub use worker::DeliveryReport;
pub use worker::MailQueue;
pub(crate) use worker::MailQueueParts;

/// A time as mails show it: `2026-11-26 21:40 UTC`.
#[must_use]
pub fn mail_time(at: chrono::DateTime<chrono::Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}
