//! The mailer: builds MIME messages with lettre's typed builders (so no value can inject a
//! header) and hands them to the configured transport.

use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;

use lettre::message::{header, Mailbox, MultiPart};
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport as _, Message, Tokio1Executor};

use super::failure::Failure;
use super::SendMail;
use crate::config::{Mail, MailTransport};
use crate::db::outbox::OutboxMail;
use crate::message::RenderedMail;

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
        let (Some(text), Some(html)) = (&mail.body_text, &mail.body_html) else {
            return Err("the mail's bodies are gone".into());
        };
        self.compose(mail, (&mail.subject, text, html), mail.language.as_deref())
    }

    /// The message for an outbox row queued as its values, with `rendered`'s subject, bodies
    /// and language.
    ///
    /// # Errors
    /// The row's recipient is not an address.
    pub fn build_rendered(&self, mail: &OutboxMail, rendered: &RenderedMail) -> Result<Message, String> {
        let parts = (&rendered.subject, &rendered.text, &rendered.html);
        self.compose(mail, parts, Some(&rendered.language))
    }

    fn compose(
        &self,
        mail: &OutboxMail,
        (subject, text, html): (&String, &String, &String),
        language: Option<&str>,
    ) -> Result<Message, String> {
        let to: Mailbox = mail.recipient.parse().map_err(|e| format!("recipient is not an address: {e}"))?;
        let mut builder = Message::builder();
        if let Some(language) = language {
            builder = builder.header(ContentLanguage(language.to_owned()));
        }
        builder
            .message_id(Some(format!("<{}>", mail.message_id)))
            .date_now()
            .from(self.from.clone())
            .to(to)
            .subject(subject.clone())
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

/// `Content-Language`: the language a mail is written in (RFC 3282), a tag the crate chose
/// from the languages it ships or a host added (letters, digits and `-` only).
#[derive(Debug, Clone)]
struct ContentLanguage(String);

impl header::Header for ContentLanguage {
    fn name() -> header::HeaderName {
        header::HeaderName::new_from_ascii_str("Content-Language")
    }

    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(ContentLanguage(s.to_owned()))
    }

    fn display(&self) -> header::HeaderValue {
        // Only a tag's characters, so no value can add a line or a header.
        let tag: String = self.0.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').collect();
        header::HeaderValue::new(Self::name(), tag)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_language_holds_a_tags_characters_and_nothing_else() {
        let message = Message::builder()
            .header(ContentLanguage("de\r\nBcc: evil@attacker.example".into()))
            .from("Accounts <no-reply@localhost>".parse().expect("from"))
            .to("ann@example.org".parse().expect("to"))
            .subject("x")
            .body(String::from("x"))
            .expect("a message");
        let raw = String::from_utf8(message.formatted()).expect("utf-8");
        assert!(raw.contains("Content-Language: deBccevilattackerexample\r\n"), "{raw}");
        assert!(!raw.to_ascii_lowercase().contains("\r\nbcc:"), "{raw}");
    }
}
