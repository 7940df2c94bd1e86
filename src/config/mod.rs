//! The `user_account` configuration namespace: typed, with defaults in code, validated at
//! ignition so that a bad value stops the app with a message naming the key.

use std::path::PathBuf;

use rocket::data::ByteUnit;
use serde::Deserialize;
use url::Url;

/// Why the configuration was refused; the message always names the key.
#[derive(Debug, thiserror::Error)]
#[error("invalid configuration: `{key}`: {reason}")]
pub struct ConfigError {
    /// The full key, such as `user_account.mount`.
    pub key: String,
    /// What is wrong with it.
    pub reason: String,
}

/// The figment key this crate reads its configuration from.
pub(crate) const NAMESPACE: &str = "user_account";

/// The longest recovery-token lifetime accepted (NIST SP 800-63B-4 §4.2.1.2: 24 hours).
pub(crate) const MAX_TOKEN_TTL_SECS: u64 = 24 * 60 * 60;

/// Settings under `user_account` (Rocket.toml, `ROCKET_USER_ACCOUNT_*` environment variables).
///
/// Every field has a default, so a host that sets nothing gets a working configuration (apart
/// from the database URL, which lives under `databases.user_account`).
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Where the routes are mounted. Default `/api/users`.
    pub mount: String,
    /// The PostgreSQL schema the crate's tables and migration bookkeeping live in, created at
    /// ignition; nothing outside it is touched but through the account store. Default
    /// `user_account`.
    pub schema: String,
    /// Absolute base URL of links in emails. Default `http://127.0.0.1:8000`. Must be https
    /// outside Rocket's debug profile unless its host is loopback.
    pub public_url: String,
    /// Path of the page the recovery link opens. Default `/reset-password`.
    pub reset_path: String,
    /// Serve the crate's own reset page at `reset_path`, where the mailed links point.
    /// Default true. A host that serves its own page there turns it off; when nothing serves
    /// `GET <reset_path>` at liftoff, the launch log warns.
    pub reset_page: bool,
    /// Recovery-token lifetime in seconds. Default 3600; at most 86400.
    pub token_ttl_secs: u64,
    /// Revoke the user's sessions whenever the password changes. Default false.
    pub revoke_sessions_on_reset: bool,
    /// Serve the debug-only routes (the avatar) outside the debug profile. Default false.
    pub debug_routes: bool,
    /// Mount `POST <mount>/forgot-password`, where a user asks for a link themselves (and the
    /// reset page offers it under a link that does not work). Default false: only admins start
    /// a recovery.
    pub self_service_recovery: bool,
    /// Scope the admin guard requires. Default `admin`.
    pub admin_scope: String,
    /// Body limit of these routes. Default 8 KiB.
    pub json_limit: ByteUnit,
    /// Seconds a request body may take to arrive in full; a slower one gets a JSON 408 and
    /// holds nothing meanwhile. Default 10; 1 to 300.
    pub body_timeout_secs: u64,
    /// Seconds one of the crate's statements may run before PostgreSQL cancels it (its
    /// transaction then rolls back and the request gets a 503 with `Retry-After`). Default 5;
    /// 1 to 300.
    pub statement_timeout_secs: u64,
    /// Seconds one of the crate's statements may wait for a lock (a row or a table another
    /// session holds) before it is cancelled the same way. Default 3; 1 to 300, at most
    /// `statement_timeout_secs`.
    pub lock_timeout_secs: u64,
    /// Header to read the client IP from, only behind a proxy that sets it: `Forwarded`
    /// (its `for=`), `X-Forwarded-For` (its last entry), `X-Real-IP` or another of
    /// the proxy headers the crate parses. Default none: the socket's address.
    pub trusted_proxy_header: Option<String>,
    /// Days audit events are kept before the worker purges them. Default 90.
    pub audit_retention_days: u32,
    /// Keep the crate's statements prepared on each connection (named prepared statements).
    /// Default true. Set it to false when the pool goes through a pooler in transaction mode
    /// (PgBouncer before 1.21, or with `max_prepared_statements = 0`): every statement is then
    /// prepared and run inside one transaction and closed before it ends, so no statement
    /// outlives the server session it was made on (`docs/deployment.md`).
    pub prepared_statements: bool,
    /// A direct database URL (no pooler) for the migrations and the session advisory lock
    /// that orders them, when `databases.user_account.url` goes through a pooler in
    /// transaction mode. Default none: the pool's URL.
    pub migration_url: Option<String>,
    /// Where the runnable server serves its Prometheus `GET /metrics`, on a listener of its
    /// own (never the public port). Default none: not served. The library itself only records
    /// through the `metrics` facade; a host installs the exporter it likes.
    pub metrics_address: Option<std::net::SocketAddr>,
    /// Abuse limits.
    pub rate_limits: RateLimits,
    /// Mail delivery.
    pub mail: Mail,
    /// Folder whose templates override the embedded ones, and whose `locales/<tag>/*.ftl`
    /// add languages or reword messages. Default none.
    pub templates: Option<PathBuf>,
    /// The language (a BCP 47 tag) when the account, the request and the browser name none
    /// the crate speaks. Default `en`; it must be a shipped language or one the `templates`
    /// folder adds.
    pub default_locale: String,
    /// Password policy.
    pub password: PasswordPolicy,
    /// Argon2id cost and concurrency bound.
    pub argon2: Argon2Config,
}

/// `user_account.rate_limits.*`: counters kept in Postgres; 0 disables a limit.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RateLimits {
    /// Recovery mails per target user per hour. Default 3.
    pub recovery_per_user_hour: u32,
    /// Recovery mails per target user per day. Default 10.
    pub recovery_per_user_day: u32,
    /// Unauthenticated calls per client IP per minute. Default 10.
    pub public_per_ip_minute: u32,
    /// Unauthenticated calls per client IP per hour. Default 100.
    pub public_per_ip_hour: u32,
    /// Recovery calls per admin per hour. Default 50.
    pub recovery_per_admin_hour: u32,
    /// Self-service requests the whole deployment turns into mails per hour, whoever asks
    /// (`forgot-password`: beyond it, a request is still answered 202 and sends nothing).
    /// Default 1000; 0 disables the cap.
    pub self_service_per_hour: u32,
}

/// How mail leaves the process.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MailTransport {
    /// Deliver over SMTP (`mail.smtp_url`).
    Smtp,
    /// Write one `.eml` file per mail into `mail.file_dir` (development).
    File,
    /// Print the mail, token included, to the log (local development only).
    Log,
}

/// `user_account.mail.*`. Its `Debug` hides the password in `smtp_url`.
#[derive(Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Mail {
    /// `smtp`, `file` or `log`. Default `smtp` (the runnable server: `file`).
    pub transport: MailTransport,
    /// SMTP server URL, e.g. `smtps://user:pass@host` or `smtp://host:587?tls=required`.
    /// Default `smtp://127.0.0.1:25`. Plain `smtp://` is refused unless its host is loopback
    /// or `allow_insecure_smtp` is set.
    pub smtp_url: String,
    /// Accept a plain-text `smtp://` URL to a host that is not loopback (a trusted private
    /// network only: recovery links and SMTP credentials cross it in clear text). Default false.
    pub allow_insecure_smtp: bool,
    /// Folder for the `file` transport. Default `target/mail`.
    pub file_dir: PathBuf,
    /// Sender mailbox. Default `Accounts <no-reply@localhost>`.
    pub from: String,
    /// Product name used in the emails. Default `Your account`.
    pub product_name: String,
    /// Delivery attempts before a mail is abandoned. Default 5.
    pub max_attempts: u32,
    /// Seconds one delivery attempt may take in all (connecting, every SMTP command, the
    /// message) before it counts as failed. Default 10; at most 300.
    pub smtp_timeout_secs: u64,
    /// Run the delivery worker in this instance. Default true; turn it off on instances that
    /// should only enqueue (the outbox is shared, so another instance delivers).
    pub worker: bool,
}

impl std::fmt::Debug for Mail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mail")
            .field("transport", &self.transport)
            .field("smtp_url", &redact_url(&self.smtp_url))
            .field("allow_insecure_smtp", &self.allow_insecure_smtp)
            .field("file_dir", &self.file_dir)
            .field("from", &self.from)
            .field("product_name", &self.product_name)
            .field("max_attempts", &self.max_attempts)
            .field("smtp_timeout_secs", &self.smtp_timeout_secs)
            .field("worker", &self.worker)
            .finish()
    }
}

/// `url` with any password replaced by `***`, for messages and `Debug`.
#[must_use]
pub(crate) fn redact_url(url: &str) -> String {
    match Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.into()
        }
        Ok(parsed) => parsed.into(),
        Err(_) => "<not a URL>".into(),
    }
}

/// `user_account.password.*`: lengths in Unicode code points.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PasswordPolicy {
    /// Shortest accepted password. Default 15 (NIST SP 800-63B-4 for single-factor login).
    pub min_length: usize,
    /// Longest accepted password. Default 128.
    pub max_length: usize,
    /// Lowest accepted zxcvbn score (0 to 4). Default 3.
    pub min_score: u8,
}

/// `user_account.argon2.*`. `memory_kib`, `iterations` and `parallelism` set the default
/// hasher (argon2id) only; `max_concurrent` bounds whatever hasher is in use,
/// whose [`crate::PasswordHasher::memory_kib`] the memory check uses.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Argon2Config {
    /// Memory cost in KiB. Default 19456.
    pub memory_kib: u32,
    /// Iterations. Default 2.
    pub iterations: u32,
    /// Lanes. Default 1.
    pub parallelism: u32,
    /// Hashes computed at once. Default: the number of cores.
    pub max_concurrent: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            mount: "/api/users".into(),
            schema: Schema::DEFAULT.into(),
            public_url: "http://127.0.0.1:8000".into(),
            reset_path: "/reset-password".into(),
            reset_page: true,
            token_ttl_secs: 3600,
            revoke_sessions_on_reset: false,
            debug_routes: false,
            self_service_recovery: false,
            admin_scope: "admin".into(),
            json_limit: ByteUnit::Kibibyte(8),
            body_timeout_secs: 10,
            statement_timeout_secs: 5,
            lock_timeout_secs: 3,
            trusted_proxy_header: None,
            audit_retention_days: 90,
            prepared_statements: true,
            migration_url: None,
            metrics_address: None,
            rate_limits: RateLimits::default(),
            mail: Mail::default(),
            templates: None,
            default_locale: "en".into(),
            password: PasswordPolicy::default(),
            argon2: Argon2Config::default(),
        }
    }
}

impl Default for RateLimits {
    fn default() -> Self {
        RateLimits {
            recovery_per_user_hour: 3,
            recovery_per_user_day: 10,
            public_per_ip_minute: 10,
            public_per_ip_hour: 100,
            recovery_per_admin_hour: 50,
            self_service_per_hour: 1000,
        }
    }
}

impl Default for Mail {
    fn default() -> Self {
        Mail {
            transport: MailTransport::Smtp,
            smtp_url: "smtp://127.0.0.1:25".into(),
            allow_insecure_smtp: false,
            file_dir: PathBuf::from("target/mail"),
            from: "Accounts <no-reply@localhost>".into(),
            product_name: "Your account".into(),
            max_attempts: 5,
            smtp_timeout_secs: 10,
            worker: true,
        }
    }
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        PasswordPolicy { min_length: 15, max_length: 128, min_score: 3 }
    }
}

impl Default for Argon2Config {
    fn default() -> Self {
        Argon2Config {
            memory_kib: 19456,
            iterations: 2,
            parallelism: 1,
            max_concurrent: std::thread::available_parallelism().map_or(2, std::num::NonZero::get),
        }
    }
}

pub(crate) mod schema;
mod validate;

pub(crate) use schema::Schema;
pub(crate) use validate::total_memory_kib;

#[cfg(test)]
mod tests;
