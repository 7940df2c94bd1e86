//! The server's logger: Rocket's `log_level`, plain lines on stderr, and no secrets.

use std::borrow::Cow;
use std::io::Write as _;

use rocket::config::LogLevel;

/// The server's logger, installed before Rocket's (Rocket then keeps it): Rocket's
/// `log_level`, plain lines on stderr, and no secrets. Rocket's own debug records of every
/// request and response (target `rocket::server`) print all headers, `Authorization` and
/// cookies included, so they are dropped; other crates never log below info, because
/// tokio-postgres prints every query's parameters at debug (token digests, password hashes);
/// and anything that looks like `Bearer <credential>` is redacted as a last line of defence.
pub(crate) struct PlainLogger;

impl PlainLogger {
    pub(crate) fn install(level: LogLevel) {
        if log::set_boxed_logger(Box::new(PlainLogger)).is_ok() {
            log::set_max_level(level.into());
        }
    }
}

/// Whether a record is one of Rocket's launch messages, shown at every level but `off`.
fn is_launch(metadata: &log::Metadata<'_>) -> bool {
    metadata.target().contains("rocket::launch")
}

impl log::Log for PlainLogger {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        let max = log::max_level();
        let target = metadata.target();
        let ours = target.starts_with("rocket") || target.starts_with("user_account");
        let cap = if ours { max } else { max.min(log::LevelFilter::Info) };
        let rocket_traffic = target == "rocket::server" && metadata.level() >= log::Level::Debug;
        max != log::LevelFilter::Off && !rocket_traffic && (metadata.level() <= cap || is_launch(metadata))
    }

    fn log(&self, record: &log::Record<'_>) {
        if !self.enabled(record.metadata()) {
            return;
        }
        let message = record.args().to_string();
        let message = redact_bearer(&message);
        // Rocket marks indented lines with a target ending in `_`.
        let indent = if record.target().ends_with('_') { "   >> " } else { "" };
        let level = match record.level() {
            _ if is_launch(record.metadata()) => "",
            log::Level::Error => "Error: ",
            log::Level::Warn => "Warning: ",
            log::Level::Info => "",
            log::Level::Debug => "debug: ",
            log::Level::Trace => "trace: ",
        };
        let _ = writeln!(std::io::stderr().lock(), "{indent}{level}{message}");
    }

    fn flush(&self) {}
}

/// `message` with the credential after every `Bearer` (any case, then whitespace) replaced by
/// `[redacted]`; the credential ends at whitespace, a quote, a backslash, `,` or `;`.
fn redact_bearer(message: &str) -> Cow<'_, str> {
    const WORD: &str = "bearer";
    // ASCII lowercasing keeps every byte offset, so offsets in `lower` are offsets in `message`.
    let lower = message.to_ascii_lowercase();
    let mut out = String::new();
    let (mut copied, mut from) = (0, 0);
    while let Some(found) = lower[from..].find(WORD) {
        let after = from + found + WORD.len();
        let rest = &message[after..];
        let start = after + (rest.len() - rest.trim_start().len());
        let len = message[start..]
            .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '\\' | ',' | ';'))
            .unwrap_or(message.len() - start);
        if start > after && len > 0 {
            out.push_str(&message[copied..start]);
            out.push_str("[redacted]");
            copied = start + len;
        }
        // Past the word at least, so the search always moves on.
        from = start + len;
    }
    if copied == 0 {
        return Cow::Borrowed(message);
    }
    out.push_str(&message[copied..]);
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_credentials_are_redacted() {
        assert_eq!(redact_bearer("no credential here"), "no credential here");
        assert_eq!(
            redact_bearer("Authorization: Bearer abc.DEF-123_~+/="),
            "Authorization: Bearer [redacted]"
        );
        assert_eq!(
            redact_bearer("{\"authorization\": \"bearer  tok1\", \"x\": \"BEARER\ttok2\"}"),
            "{\"authorization\": \"bearer  [redacted]\", \"x\": \"BEARER\t[redacted]\"}"
        );
        assert_eq!(redact_bearer("Bearer"), "Bearer");
        assert_eq!(redact_bearer("Bearer "), "Bearer ");
        assert_eq!(redact_bearer("bearertoken stays"), "bearertoken stays");
        assert_eq!(redact_bearer("é Bearer ünïcödé, then"), "é Bearer [redacted], then");
    }

    #[test]
    fn rocket_traffic_and_other_crates_debug_records_are_dropped() {
        PlainLogger::install(LogLevel::Debug);
        let logger = PlainLogger;
        let at = |target: &str, level: log::Level| {
            log::Log::enabled(&logger, &log::Metadata::builder().target(target).level(level).build())
        };
        assert!(!at("rocket::server", log::Level::Debug), "`received request` prints the headers");
        assert!(at("rocket::server", log::Level::Info));
        assert!(at("rocket::config::config", log::Level::Trace));
        assert!(at("rocket_user_account::error", log::Level::Debug));
        assert!(!at("tokio_postgres::query", log::Level::Debug), "prints query parameters");
        assert!(at("tokio_postgres::connection", log::Level::Info));
    }
}
