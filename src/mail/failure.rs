//! Why a delivery attempt failed: the text, for the log and `mail_outbox.last_error`, and its
//! class, the only part a delivery status answers (an SMTP server's reply text can carry
//! anything, addresses and internal host names included).

use std::fmt;

/// What kind of failure a delivery attempt met: `connection`, `timeout`, `tls`, `transient` (a
/// 4xx reply), `permanent` (a 5xx reply) or `other`. Never the failure's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum FailureClass {
    /// The mail server could not be reached, or the connection broke.
    Connection,
    /// No answer in time.
    Timeout,
    /// The TLS handshake or session failed.
    Tls,
    /// The server answered 4xx: try again later.
    Transient,
    /// The server answered 5xx: it will not take this mail.
    Permanent,
    /// Anything else (a message that cannot be built, a custom transport's error).
    Other,
}

impl FailureClass {
    /// The name stored in `mail_outbox.last_error_class` and answered by a delivery status.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            FailureClass::Connection => "connection",
            FailureClass::Timeout => "timeout",
            FailureClass::Tls => "tls",
            FailureClass::Transient => "transient",
            FailureClass::Permanent => "permanent",
            FailureClass::Other => "other",
        }
    }

    /// The class stored as `name` ([`Self::as_str`]); a name this version does not know is
    /// [`FailureClass::Other`].
    #[must_use]
    pub fn stored(name: &str) -> FailureClass {
        [
            FailureClass::Connection,
            FailureClass::Timeout,
            FailureClass::Tls,
            FailureClass::Transient,
            FailureClass::Permanent,
        ]
        .into_iter()
        .find(|class| class.as_str() == name)
        .unwrap_or(FailureClass::Other)
    }

    /// The class of an SMTP transport's error.
    #[must_use]
    pub fn of_smtp(e: &lettre::transport::smtp::Error) -> FailureClass {
        if e.is_timeout() {
            FailureClass::Timeout
        } else if e.is_tls() {
            FailureClass::Tls
        } else if e.is_transient() {
            FailureClass::Transient
        } else if e.is_permanent() {
            FailureClass::Permanent
        } else if io_error_in(e) || e.is_transport_shutdown() {
            FailureClass::Connection
        } else {
            FailureClass::Other
        }
    }
}

/// Whether an I/O error is among `e`'s causes (refused, reset, closed: the connection failed).
fn io_error_in(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut source = e.source();
    while let Some(cause) = source {
        if cause.is::<std::io::Error>() {
            return true;
        }
        source = cause.source();
    }
    false
}

/// A failed attempt: its class and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// What kind of failure.
    pub class: FailureClass,
    /// What happened, for the log (never answered).
    pub text: String,
}

impl Failure {
    /// A failure of `class` described by `text`.
    pub fn new(class: FailureClass, text: impl Into<String>) -> Failure {
        Failure { class, text: text.into() }
    }

    /// A failure that fits no other class.
    pub fn other(text: impl Into<String>) -> Failure {
        Failure::new(FailureClass::Other, text)
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl From<lettre::transport::smtp::Error> for Failure {
    fn from(e: lettre::transport::smtp::Error) -> Failure {
        Failure::new(FailureClass::of_smtp(&e), e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refused_connection_is_a_connection_failure() {
        let rt = rocket::tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
        // A port nothing listens on (bound, then released).
        let port =
            std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("port").port();
        let e = rt.block_on(async {
            use lettre::AsyncTransport as _;
            let smtp = lettre::AsyncSmtpTransport::<lettre::Tokio1Executor>::builder_dangerous("127.0.0.1")
                .port(port)
                .build();
            let message = lettre::Message::builder()
                .from("a@example.org".parse().expect("from"))
                .to("b@example.org".parse().expect("to"))
                .body(String::from("x"))
                .expect("message");
            smtp.send(message).await.expect_err("nothing listens")
        });
        assert_eq!(FailureClass::of_smtp(&e), FailureClass::Connection, "{e}");
    }
}
