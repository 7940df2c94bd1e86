//! The mailer: builds MIME messages with lettre's typed builders (so no value can inject a
//! header) and hands them to the configured transport.

use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;

use lettre::message::{header, Mailbox, MultiPart};
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport as _, Message, Tokio1Executor};

use super::failure::Failure;
use crate::config::{Mail, MailTransport};
use crate::db::outbox::OutboxMail;

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
/// render stops ignition.
#[rocket::async_trait]
pub trait SendMail: Send + Sync + 'static {
    /// Delivers `message`; an error (as text, never holding the body) is retried.
    async fn send(&self, message: Message) -> Result<(), String>;
}

enum Backend {
    Smtp(SmtpPool),
    File(AsyncFileTransport<Tokio1Executor>),
    Log,
    Custom(Arc<dyn SendMail>),
}

/// A pooled SMTP transport that can be thrown away: a connection abandoned mid-exchange (the
/// attempt's deadline passed) would otherwise go back to the pool and stall the next attempt.
struct SmtpPool {
    url: String,
    timeout: Duration,
    transport: RwLock<AsyncSmtpTransport<Tokio1Executor>>,
}

impl SmtpPool {
    fn build(url: &str, timeout: Duration) -> Result<AsyncSmtpTransport<Tokio1Executor>, String> {
        Ok(AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| format!("`user_account.mail.smtp_url`: {e}"))?
            .timeout(Some(timeout))
            .build())
    }

    fn current(&self) -> AsyncSmtpTransport<Tokio1Executor> {
        self.transport.read().unwrap_or_else(PoisonError::into_inner).clone()
    }

    fn reset(&self) {
        if let Ok(fresh) = Self::build(&self.url, self.timeout) {
            *self.transport.write().unwrap_or_else(PoisonError::into_inner) = fresh;
        }
    }
}

/// Sends mail through the configured transport.
pub(crate) struct Mailer {
    backend: Backend,
    from: Mailbox,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match self.backend {
            Backend::Smtp(_) => "smtp",
            Backend::File(_) => "file",
            Backend::Log => "log",
            Backend::Custom(_) => "custom",
        };
        f.debug_struct("Mailer").field("transport", &kind).field("from", &self.from.to_string()).finish()
    }
}

impl Mailer {
    /// The mailer for `config`, or for `custom` when the host gave one. The SMTP URL's
    /// credentials stay inside lettre.
    ///
    /// # Errors
    /// A sentence naming the key whose value does not work.
    pub fn new(config: &Mail, custom: Option<Arc<dyn SendMail>>) -> Result<Mailer, String> {
        let from: Mailbox =
            config.from.parse().map_err(|e| format!("`user_account.mail.from`: not a mailbox ({e})"))?;
        if let Some(custom) = custom {
            return Ok(Mailer { backend: Backend::Custom(custom), from });
        }
        let backend = match config.transport {
            MailTransport::Smtp => {
                let timeout = Duration::from_secs(config.smtp_timeout_secs);
                let transport = RwLock::new(SmtpPool::build(&config.smtp_url, timeout)?);
                Backend::Smtp(SmtpPool { url: config.smtp_url.clone(), timeout, transport })
            }
            MailTransport::File => {
                std::fs::create_dir_all(&config.file_dir).map_err(|e| {
                    format!("`user_account.mail.file_dir`: cannot create {}: {e}", config.file_dir.display())
                })?;
                Backend::File(AsyncFileTransport::new(&config.file_dir))
            }
            MailTransport::Log => {
                log::warn!(
                    "user_account: mail.transport = \"log\" prints every mail, recovery tokens included, \
                     to the log; use it for local development only"
                );
                Backend::Log
            }
        };
        Ok(Mailer { backend, from })
    }

    /// The domain of the sender, for `Message-ID`s.
    #[must_use]
    pub fn sender_domain(&self) -> &str {
        self.from.email.domain()
    }

    /// The `multipart/alternative` message for an outbox row: one `To` (the stored address),
    /// the configured `From`, `Date`, and the row's stable `Message-ID`.
    ///
    /// # Errors
    /// The row's recipient is not an address, or its bodies were wiped.
    pub fn build(&self, mail: &OutboxMail) -> Result<Message, String> {
        let to: Mailbox = mail.recipient.parse().map_err(|e| format!("recipient is not an address: {e}"))?;
        let (Some(text), Some(html)) = (&mail.body_text, &mail.body_html) else {
            return Err("the mail's bodies are gone".into());
        };
        Message::builder()
            .message_id(Some(format!("<{}>", mail.message_id)))
            .date_now()
            .from(self.from.clone())
            .to(to)
            .subject(mail.subject.clone())
            .header(header::MIME_VERSION_1_0)
            .multipart(MultiPart::alternative_plain_html(text.clone(), html.clone()))
            .map_err(|e| format!("cannot build the message: {e}"))
    }

    /// Drops every pooled SMTP connection, for after an attempt was abandoned mid-exchange.
    pub fn reset_connections(&self) {
        if let Backend::Smtp(smtp) = &self.backend {
            smtp.reset();
        }
    }

    /// Hands `message` to the transport.
    ///
    /// # Errors
    /// The transport's error, classified, its text never containing the message body. A host's
    /// own [`SendMail`] and the file transport fail with [`super::failure::FailureClass::Other`].
    pub async fn send(&self, message: Message) -> Result<(), Failure> {
        match &self.backend {
            Backend::Smtp(smtp) => smtp.current().send(message).await.map(|_| ()).map_err(Failure::from),
            Backend::File(file) => {
                file.send(message).await.map(|_| ()).map_err(|e| Failure::other(e.to_string()))
            }
            Backend::Custom(custom) => custom.send(message).await.map_err(Failure::other),
            Backend::Log => {
                log::info!(
                    "user_account: mail (log transport):\n{}",
                    String::from_utf8_lossy(&message.formatted())
                );
                Ok(())
            }
        }
    }
}
