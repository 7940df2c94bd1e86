//! Mail: templates rendered into the durable outbox at request time, and a worker that
//! delivers the outbox through a transport (SMTP, files or the log).
//!
//! Delivery is at least once: a worker that crashes between the server's acceptance and
//! marking the row sent will send it again after its lease runs out. Every outbox row has a
//! stable `Message-ID`, so such a duplicate is recognisable. Exactly-once delivery over SMTP
//! is not achievable.

pub mod templates;
pub mod transport;
pub mod worker;

pub use templates::{MailContext, PasswordChangedMail, RecoveryMail, RenderedMail, Templates};
pub use transport::{Mailer, SendMail};
pub use worker::MailQueue;

/// A time as mails show it: `2026-11-26 21:40 UTC`.
#[must_use]
pub fn mail_time(at: chrono::DateTime<chrono::Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// The mails this crate sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailKind {
    /// The recovery link.
    Recovery,
    /// "Your password was changed" (no token).
    PasswordChanged,
}

impl MailKind {
    /// The name stored in `mail_outbox.kind` and the template folder.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            MailKind::Recovery => "recovery",
            MailKind::PasswordChanged => "password_changed",
        }
    }
}
