//! The `user_account` configuration namespace: typed, with defaults in code, validated at
//! ignition so that a bad value stops the app with a message naming the key.

use std::path::PathBuf;

use rocket::data::ByteUnit;
use rocket::figment::Figment;
use serde::Deserialize;
use url::Url;

/// The figment key this crate reads its configuration from.
pub const NAMESPACE: &str = "user_account";

/// The longest recovery-token lifetime accepted (NIST SP 800-63B-4 §4.2.1.2: 24 hours).
pub const MAX_TOKEN_TTL_SECS: u64 = 24 * 60 * 60;

/// Settings under `user_account` (Rocket.toml, `ROCKET_USER_ACCOUNT_*` environment variables).
///
/// Every field has a default, so a host that sets nothing gets a working configuration (apart
/// from the database URL, which lives under `databases.user_account`).
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Where the routes are mounted. Default `/api/users`.
    pub mount: String,
    /// Absolute base URL of links in emails. Default `http://127.0.0.1:8000`. Must be https
    /// outside Rocket's debug profile unless its host is loopback.
    pub public_url: String,
    /// Path of the page the recovery link opens. Default `/reset-password`.
    pub reset_path: String,
    /// Recovery-token lifetime in seconds. Default 3600; at most 86400.
    pub token_ttl_secs: u64,
    /// Revoke the user's sessions whenever the password changes. Default false.
    pub revoke_sessions_on_reset: bool,
    /// Serve the debug-only routes (the avatar) outside the debug profile. Default false.
    pub debug_routes: bool,
    /// Scope the admin guard requires. Default `admin`.
    pub admin_scope: String,
    /// Body limit of these routes. Default 8 KiB.
    pub json_limit: ByteUnit,
    /// Header to read the client IP from, only behind a proxy that sets it. Default none.
    pub trusted_proxy_header: Option<String>,
    /// Abuse limits.
    pub rate_limits: RateLimits,
    /// Mail delivery.
    pub mail: Mail,
    /// Folder whose templates override the embedded ones. Default none.
    pub templates: Option<PathBuf>,
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
    /// SMTP server URL, e.g. `smtps://user:pass@host`. Default `smtp://127.0.0.1:25`.
    pub smtp_url: String,
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
pub fn redact_url(url: &str) -> String {
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

/// `user_account.argon2.*`.
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
            public_url: "http://127.0.0.1:8000".into(),
            reset_path: "/reset-password".into(),
            token_ttl_secs: 3600,
            revoke_sessions_on_reset: false,
            debug_routes: false,
            admin_scope: "admin".into(),
            json_limit: ByteUnit::Kibibyte(8),
            trusted_proxy_header: None,
            rate_limits: RateLimits::default(),
            mail: Mail::default(),
            templates: None,
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
        }
    }
}

impl Default for Mail {
    fn default() -> Self {
        Mail {
            transport: MailTransport::Smtp,
            smtp_url: "smtp://127.0.0.1:25".into(),
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

/// Why the configuration was refused; the message always names the key.
#[derive(Debug, thiserror::Error)]
#[error("invalid configuration: `{key}`: {reason}")]
pub struct ConfigError {
    /// The full key, such as `user_account.mount`.
    pub key: String,
    /// What is wrong with it.
    pub reason: String,
}

fn bad(key: &str, reason: impl Into<String>) -> ConfigError {
    ConfigError { key: format!("{NAMESPACE}.{key}"), reason: reason.into() }
}

impl Config {
    /// Reads `user_account` from `figment` (defaults where absent) and validates it.
    /// `debug_profile` says whether Rocket runs its debug profile, which relaxes the https rule.
    ///
    /// # Errors
    /// A value of the wrong type or one that fails validation, naming the key.
    pub fn from_figment(figment: &Figment, debug_profile: bool) -> Result<Config, ConfigError> {
        let config: Config = if figment.contains(NAMESPACE) {
            figment.extract_inner(NAMESPACE).map_err(|e| {
                // Figment's path may or may not include the namespace; always name the full key.
                let path = e.path.iter().filter(|p| *p != NAMESPACE).cloned();
                let key = std::iter::once(NAMESPACE.to_string()).chain(path).collect::<Vec<_>>();
                ConfigError { key: key.join("."), reason: e.kind.to_string() }
            })?
        } else {
            Config::default()
        };
        config.validate(debug_profile)?;
        // Links are built from the parsed form: whatever the URL parser normalized or
        // percent-encoded is what goes into mail.
        let mut config = config;
        if let Ok(url) = Url::parse(&config.public_url) {
            config.public_url = url.into();
        }
        Ok(config)
    }

    /// Checks every value that the types alone do not.
    ///
    /// # Errors
    /// The first invalid value, naming its key.
    pub fn validate(&self, debug_profile: bool) -> Result<(), ConfigError> {
        validate_path("mount", &self.mount)?;
        validate_path("reset_path", &self.reset_path)?;
        let url = Url::parse(&self.public_url)
            .map_err(|e| bad("public_url", format!("not an absolute URL ({e})")))?;
        match url.scheme() {
            "https" => {}
            "http" if debug_profile || is_loopback(&url) => {}
            "http" => {
                return Err(bad(
                    "public_url",
                    "must be https outside the debug profile unless its host is loopback",
                ))
            }
            other => return Err(bad("public_url", format!("scheme `{other}` is not http(s)"))),
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(bad("public_url", "must not carry a query or fragment"));
        }
        if self.token_ttl_secs == 0 || self.token_ttl_secs > MAX_TOKEN_TTL_SECS {
            return Err(bad("token_ttl_secs", format!("must be 1 to {MAX_TOKEN_TTL_SECS}")));
        }
        if self.admin_scope.trim().is_empty() {
            return Err(bad("admin_scope", "must not be empty"));
        }
        if self.json_limit < ByteUnit::Byte(64) || self.json_limit > ByteUnit::Mebibyte(1) {
            return Err(bad("json_limit", "must be between 64 B and 1 MiB"));
        }
        if let Some(header) = &self.trusted_proxy_header {
            if header.is_empty() || !header.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
                return Err(bad("trusted_proxy_header", "must be a header name"));
            }
        }
        self.mail.validate()?;
        if self.mail.transport == MailTransport::Log && !debug_profile {
            return Err(bad(
                "mail.transport",
                "`log` prints tokens and is refused outside the debug profile",
            ));
        }
        self.password.validate()?;
        self.argon2.validate()
    }
}

impl Mail {
    fn validate(&self) -> Result<(), ConfigError> {
        if self.transport == MailTransport::Smtp {
            let url =
                Url::parse(&self.smtp_url).map_err(|e| bad("mail.smtp_url", format!("not a URL ({e})")))?;
            if !matches!(url.scheme(), "smtp" | "smtps") || url.host_str().is_none() {
                return Err(bad("mail.smtp_url", "must look like smtp://host:port or smtps://host"));
            }
        }
        if !(1..=300).contains(&self.smtp_timeout_secs) {
            return Err(bad("mail.smtp_timeout_secs", "must be 1 to 300"));
        }
        if self.max_attempts == 0 {
            return Err(bad("mail.max_attempts", "must be at least 1"));
        }
        if self.product_name.trim().is_empty() {
            return Err(bad("mail.product_name", "must not be empty"));
        }
        if !self.from.contains('@') {
            return Err(bad("mail.from", "must be a mailbox such as `Accounts <a@b.example>`"));
        }
        Ok(())
    }
}

impl PasswordPolicy {
    fn validate(&self) -> Result<(), ConfigError> {
        if self.min_length < 8 {
            return Err(bad("password.min_length", "must be at least 8 (NIST SP 800-63B-4)"));
        }
        if self.max_length < 64 || self.max_length < self.min_length {
            return Err(bad("password.max_length", "must be at least 64 and at least min_length"));
        }
        if self.min_score > 4 {
            return Err(bad("password.min_score", "must be 0 to 4"));
        }
        Ok(())
    }
}

impl Argon2Config {
    fn validate(&self) -> Result<(), ConfigError> {
        argon2::Params::new(self.memory_kib, self.iterations, self.parallelism, None)
            .map_err(|e| bad("argon2", format!("parameters refused by argon2: {e}")))?;
        if self.max_concurrent == 0 {
            return Err(bad("argon2.max_concurrent", "must be at least 1"));
        }
        Ok(())
    }
}

fn validate_path(key: &str, path: &str) -> Result<(), ConfigError> {
    if !path.starts_with('/') {
        return Err(bad(key, format!("`{path}` must start with `/`")));
    }
    if path.len() > 1 && path.ends_with('/') {
        return Err(bad(key, format!("`{path}` must not end with `/`")));
    }
    // Only unreserved URL characters and `/`: the path goes into links in HTML mail as is.
    let plain = path.bytes().all(|b| b.is_ascii_alphanumeric() || b"/-._~".contains(&b));
    if !plain || path.contains("//") {
        return Err(bad(key, format!("`{path}` may only hold letters, digits, `/`, `-`, `.`, `_` and `~`")));
    }
    Ok(())
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d == "localhost",
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

#[cfg(test)]
mod tests;
