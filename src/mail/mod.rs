//! Mail: templates rendered into the durable outbox at request time, and a worker that
//! delivers the outbox through a transport (SMTP, files or the log).
//!
//! See [`SendMail`] for how it works.

pub(crate) mod failure;
mod templates;
mod transport;
pub(crate) mod worker;

use lettre::Message;

pub(crate) use templates::{MailContext, PasswordChangedMail, RecoveryMail, Templates};
pub(crate) use transport::Mailer;
pub(crate) use worker::MailQueue;
pub(crate) use worker::MailQueueParts;

/// A host's own way to deliver mail (an HTTP mail API, say), given to
/// [`crate::UserAccountBuilder::mail_sender`]; it replaces `mail.transport`.
///
/// Delivery is at least once: a worker that crashes between the server's acceptance and
/// marking the row sent will send it again after its lease runs out. Every outbox row has a
/// stable `Message-ID`, so such a duplicate is recognisable. Exactly-once delivery over SMTP
/// is not achievable.
///
/// ## How mail leaves
///
/// A request that needs a mail writes it to `mail_outbox` in the same transaction as the token; it
/// never waits on SMTP. A worker started at liftoff (set `mail.worker = false` on instances that
/// should only enqueue) wakes at once when its instance enqueues and polls every 5 s for the
/// others. It claims due mails in batches (up to 64, fewer when `mail.smtp_timeout_secs` is long)
/// with `FOR UPDATE SKIP LOCKED` and a 10-minute lease, sends them one after the other with no
/// database connection held (each attempt is aborted at `mail.smtp_timeout_secs`, and its SMTP
/// connections are then dropped; a mail that could not finish well inside the lease is given
/// back unattempted), and finishes the batch's sent mails in one statement while the next batch
/// sends. Several instances never send one mail twice in the normal case. Retries back off
/// exponentially (5 s, 10 s, 20 s, ... up to an hour) until `mail.max_attempts`, after which the
/// mail is `abandoned` and an audit event says so. Each failure is recorded with its text (for
/// the log reader) and its class (`connection`, `timeout`, `tls`, `transient`, `permanent`,
/// `other`), the only part a delivery status answers. A mail whose token is no longer live is
/// `dropped`, not sent late (checked at the claim, and again just before sending when the batch
/// has taken a while). Once a mail is finished its bodies are wiped, so no live token rests in the
/// database. Delivery is at least once: a worker that dies between the server's acceptance and
/// marking the row sent sends it again after the lease, with the same `Message-ID`, so the
/// duplicate is recognisable. Exactly-once delivery over SMTP is not achievable.
///
/// Messages are `multipart/alternative`, built with lettre's typed builders (no value can inject
/// a header), with a stable `Message-ID` per outbox row, `Date` and the configured `From`.
/// Templates are tera files embedded in the crate (`templates/user_account/`): `base.txt.tera`,
/// `base.html.tera`, and for each of `recovery/` and `password_changed/` a `subject.txt.tera`, a
/// `body.txt.tera` and a `body.html.tera`. HTML is autoescaped. Point `user_account.templates` at a
/// folder with the same layout to override any of them; a template that does not compile or
/// render stops ignition. The templates hold the layout; every sentence comes from the mail's
/// language (`locales/<tag>/mail.ftl`, the account's `locale` or the admin's), and the message
/// says which in `Content-Language` and `<html lang dir>`.
#[rocket::async_trait]
pub trait SendMail: Send + Sync + 'static {
    /// Delivers `message`; an error (as text, never holding the body) is retried.
    async fn send(&self, message: Message) -> Result<(), String>;
}
