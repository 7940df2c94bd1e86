//! The mails the crate sends, as values: their kind, and a mail rendered from its templates.

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

/// A mail rendered from its templates. No `Debug`: a recovery mail holds a live token.
#[derive(Clone)]
pub struct RenderedMail {
    /// One line, no CR or LF.
    pub subject: String,
    /// The plain-text part.
    pub text: String,
    /// The HTML part.
    pub html: String,
    /// The language it is written in (a BCP 47 tag), for `Content-Language`.
    pub language: String,
}
