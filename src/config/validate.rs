//! Reading and validating `user_account`: every refusal names its key.

use rocket::data::ByteUnit;
use rocket::figment::Figment;
use url::Url;

use super::{
    Argon2Config, Config, ConfigError, Mail, MailTransport, PasswordPolicy, MAX_TOKEN_TTL_SECS, NAMESPACE,
};

fn bad(key: &str, reason: impl Into<String>) -> ConfigError {
    ConfigError { key: format!("{NAMESPACE}.{key}"), reason: reason.into() }
}

/// Headers the client IP can be read from: `Forwarded` (RFC 7239, its `for=` parameter) and
/// the ones whose value is an address or a comma-separated list of addresses. Any other name
/// is refused at ignition, so a header whose values never parse cannot silently put every
/// client behind the proxy's own address.
pub const PROXY_HEADERS: [&str; 9] = [
    "Forwarded",
    "X-Forwarded-For",
    "X-Real-IP",
    "True-Client-IP",
    "CF-Connecting-IP",
    "Fastly-Client-IP",
    "Fly-Client-IP",
    "X-Client-IP",
    "X-Cluster-Client-IP",
];

/// OWASP's argon2id floor (Password Storage Cheat Sheet): the least memory, in KiB, for an
/// iteration count; these settings are of equal strength. Five iterations or more: 7 MiB.
#[must_use]
pub fn argon2_min_memory_kib(iterations: u32) -> u32 {
    match iterations {
        0 | 1 => 47_104,
        2 => 19_456,
        3 => 12_288,
        4 => 9_216,
        _ => 7_168,
    }
}

/// The most memory one hash may take: 1 GiB.
pub const ARGON2_MAX_MEMORY_KIB: u32 = 1024 * 1024;

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
        super::Schema::new(&self.schema).map_err(|reason| bad("schema", reason))?;
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
        if !(1..=300).contains(&self.body_timeout_secs) {
            return Err(bad("body_timeout_secs", "must be 1 to 300"));
        }
        if !(1..=300).contains(&self.statement_timeout_secs) {
            return Err(bad("statement_timeout_secs", "must be 1 to 300"));
        }
        if !(1..=self.statement_timeout_secs).contains(&self.lock_timeout_secs) {
            return Err(bad("lock_timeout_secs", "must be 1 to 300 and at most statement_timeout_secs"));
        }
        if !(1..=3650).contains(&self.audit_retention_days) {
            return Err(bad("audit_retention_days", "must be 1 to 3650"));
        }
        if let Some(url) = &self.migration_url {
            let parsed = Url::parse(url).map_err(|_| bad("migration_url", "not a URL"))?;
            if !matches!(parsed.scheme(), "postgres" | "postgresql") {
                return Err(bad("migration_url", "must be a postgres:// URL"));
            }
        }
        if let Some(header) = &self.trusted_proxy_header {
            if !PROXY_HEADERS.iter().any(|known| known.eq_ignore_ascii_case(header)) {
                return Err(bad(
                    "trusted_proxy_header",
                    format!("must be one of {} (the crate parses only these)", PROXY_HEADERS.join(", ")),
                ));
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

    /// One line for the launch log: the mail transport and where it delivers (never a
    /// credential), the public URL, where recovery links point, the mount and whether the
    /// debug routes are live.
    #[must_use]
    pub fn launch_line(&self, debug_routes: bool) -> String {
        let mail = match self.mail.transport {
            MailTransport::Smtp => match Url::parse(&self.mail.smtp_url) {
                Ok(url) => {
                    let host = url.host_str().unwrap_or("?");
                    let port = url.port().map(|p| format!(":{p}")).unwrap_or_default();
                    let tls = match smtp_tls(&url) {
                        SmtpTls::Implicit => "TLS",
                        SmtpTls::Required => "STARTTLS",
                        SmtpTls::Opportunistic => "STARTTLS if offered, else plain text",
                        SmtpTls::None => "plain text",
                    };
                    format!("smtp to {host}{port} ({tls})")
                }
                Err(_) => "smtp".to_owned(),
            },
            MailTransport::File => format!("file into {}", self.mail.file_dir.display()),
            MailTransport::Log => "log (prints tokens)".to_owned(),
        };
        let worker = if self.mail.worker { "" } else { ", worker off" };
        format!(
            "user_account: mail via {mail}{worker}; public_url {}; links open {}{}; mounted at {}; debug routes {}",
            self.public_url,
            self.public_url.trim_end_matches('/'),
            self.reset_path,
            self.mount,
            if debug_routes { "LIVE" } else { "off" }
        )
    }
}

/// How lettre protects a connection to an SMTP URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SmtpTls {
    /// `smtp://` without `tls`: plain text.
    None,
    /// `?tls=opportunistic`: STARTTLS when the server offers it, else plain text.
    Opportunistic,
    /// `?tls=required`: STARTTLS or no delivery.
    Required,
    /// `smtps://`: TLS from the first byte.
    Implicit,
}

/// What lettre does with `url` (`transport/smtp/connection_url.rs`): the scheme `smtps` is TLS
/// whatever the query; otherwise the *first* `tls` parameter decides. Any other value makes
/// lettre refuse the URL, read here as plain text (so it is never taken for encrypted).
pub(crate) fn smtp_tls(url: &Url) -> SmtpTls {
    if url.scheme() == "smtps" {
        return SmtpTls::Implicit;
    }
    match url.query_pairs().find(|(k, _)| k == "tls").map(|(_, v)| v) {
        Some(v) if v == "required" => SmtpTls::Required,
        Some(v) if v == "opportunistic" => SmtpTls::Opportunistic,
        _ => SmtpTls::None,
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
            // lettre reads the first of a repeated parameter; a reader of the URL may read
            // another. One meaning only: each parameter at most once.
            let mut seen = std::collections::BTreeSet::new();
            if let Some((key, _)) = url.query_pairs().find(|(key, _)| !seen.insert(key.clone())) {
                return Err(bad(
                    "mail.smtp_url",
                    format!("names `{key}` more than once; give each parameter once"),
                ));
            }
            // Recovery links and SMTP credentials must not cross a network in clear text.
            let encrypted = matches!(smtp_tls(&url), SmtpTls::Implicit | SmtpTls::Required);
            if !encrypted && !is_loopback(&url) && !self.allow_insecure_smtp {
                return Err(bad(
                    "mail.smtp_url",
                    "plain smtp:// to a host that is not loopback would send recovery links and \
                     credentials in clear text: use smtps://, or smtp://...?tls=required, or set \
                     `user_account.mail.allow_insecure_smtp = true` for a trusted network",
                ));
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
    /// Checks the default hasher's cost (`memory_kib`, `iterations`, `parallelism`) against
    /// OWASP's floor, and `max_concurrent`'s range. Those three keys are the default hasher's
    /// only; [`Argon2Config::check_memory`] holds the bound against whatever hasher is in use.
    pub(crate) fn validate(&self) -> Result<(), ConfigError> {
        if !(1..=16).contains(&self.parallelism) {
            return Err(bad("argon2.parallelism", "must be 1 to 16"));
        }
        if !(1..=16).contains(&self.iterations) {
            return Err(bad("argon2.iterations", "must be 1 to 16"));
        }
        let floor = argon2_min_memory_kib(self.iterations);
        if self.memory_kib < floor {
            return Err(bad(
                "argon2.memory_kib",
                format!(
                    "must be at least {floor} with {} iterations (OWASP's argon2id minimum: \
                     19456 KiB with 2 iterations, 47104 with 1, 12288 with 3, 9216 with 4, 7168 with 5)",
                    self.iterations
                ),
            ));
        }
        if self.memory_kib > ARGON2_MAX_MEMORY_KIB {
            return Err(bad("argon2.memory_kib", format!("must be at most {ARGON2_MAX_MEMORY_KIB} (1 GiB)")));
        }
        if !(1..=1024).contains(&self.max_concurrent) {
            return Err(bad("argon2.max_concurrent", "must be 1 to 1024"));
        }
        argon2::Params::new(self.memory_kib, self.iterations, self.parallelism, None)
            .map_err(|e| bad("argon2", format!("parameters refused by argon2: {e}")))?;
        Ok(())
    }
}

impl Argon2Config {
    /// Checks that `max_concurrent` hashes of `memory_kib_per_hash` each (what the hasher in
    /// use declares: [`crate::PasswordHasher::memory_kib`]) fit in half of `total_memory_kib`
    /// (the machine's memory, when known).
    pub(crate) fn check_memory(
        &self,
        memory_kib_per_hash: u64,
        total_memory_kib: Option<u64>,
    ) -> Result<(), ConfigError> {
        let needed = memory_kib_per_hash.saturating_mul(self.max_concurrent as u64);
        if let Some(total) = total_memory_kib {
            if needed > total / 2 {
                return Err(bad(
                    "argon2.max_concurrent",
                    format!(
                        "{} hashes of {} KiB at once (what the password hasher declares) need {} MiB, \
                         more than half of this machine's {} MiB",
                        self.max_concurrent,
                        memory_kib_per_hash,
                        needed / 1024,
                        total / 1024
                    ),
                ));
            }
        }
        Ok(())
    }
}

/// The machine's memory in KiB (`MemTotal` of `/proc/meminfo`), where the OS tells.
pub(crate) fn total_memory_kib() -> Option<u64> {
    let meminfo = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = meminfo.lines().find(|l| l.starts_with("MemTotal:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
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

/// Whether the URL's host is loopback (`localhost`, 127.0.0.0/8, `::1`).
pub(crate) fn is_loopback(url: &Url) -> bool {
    match url.host() {
        // A non-special scheme such as `smtp` keeps an IPv4 host as an opaque name.
        Some(url::Host::Domain(d)) => {
            d.eq_ignore_ascii_case("localhost")
                || d.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
        }
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use rocket::figment::providers::Serialized;
    use rocket::figment::Figment;

    use super::*;

    fn refused_key(key: &str, value: serde_json::Value) -> String {
        let figment = Figment::new().merge(Serialized::global(key, value.clone()));
        Config::from_figment(&figment, false).map(|_| ()).expect_err(&format!("{key} = {value}")).key
    }

    fn accepted(pairs: &[(&str, serde_json::Value)]) -> bool {
        let figment = pairs.iter().fold(Figment::new(), |f, (k, v)| f.merge(Serialized::global(k, v)));
        Config::from_figment(&figment, false).is_ok()
    }

    /// What lettre itself will do with `url`, read from its own parsed transport: the oracle.
    fn lettre_tls(url: &str) -> Option<SmtpTls> {
        use lettre::{AsyncSmtpTransport, Tokio1Executor};
        let builder = AsyncSmtpTransport::<Tokio1Executor>::from_url(url).ok()?;
        let debug = format!("{builder:?}");
        [
            ("tls: Wrapper", SmtpTls::Implicit),
            ("tls: Required", SmtpTls::Required),
            ("tls: Opportunistic", SmtpTls::Opportunistic),
            ("tls: None", SmtpTls::None),
        ]
        .into_iter()
        .find(|(needle, _)| debug.contains(needle))
        .map(|(_, tls)| tls)
    }

    #[test]
    fn tls_is_read_from_the_url_exactly_as_lettre_reads_it() {
        for url in [
            "smtp://relay.example.com:25",
            "smtp://relay.example.com:587?tls=required",
            "smtp://relay.example.com:587?tls=opportunistic",
            "smtp://user:pass@relay.example.com:2525?tls=opportunistic&tls=required",
            "smtp://user:pass@relay.example.com:2525?tls=required&tls=opportunistic",
            "smtp://relay.example.com:2525?other=1&tls=required",
            "smtps://relay.example.com",
            "smtps://relay.example.com?tls=opportunistic",
        ] {
            let ours = smtp_tls(&Url::parse(url).expect("a URL"));
            assert_eq!(Some(ours), lettre_tls(url), "{url}");
        }
    }

    #[test]
    fn a_parameter_given_twice_is_refused_without_echoing_the_password() {
        let key = "user_account.mail.smtp_url";
        for url in [
            "smtp://user:hunter2@relay.example.com:2525?tls=opportunistic&tls=required",
            "smtp://user:hunter2@relay.example.com:2525?tls=required&tls=required",
            "smtps://user:hunter2@relay.example.com?tls=required&tls=opportunistic",
        ] {
            let figment = Figment::new().merge(Serialized::global(key, url));
            let err = Config::from_figment(&figment, false).map(|_| ()).expect_err(url);
            assert_eq!(err.key, key, "{url}");
            assert!(err.reason.contains("`tls` more than once"), "{}", err.reason);
            assert!(!err.to_string().contains("hunter2"), "{err}");
        }
    }

    #[test]
    fn plain_smtp_is_refused_unless_loopback_encrypted_or_explicitly_allowed() {
        let key = "user_account.mail.smtp_url";
        assert_eq!(refused_key(key, "smtp://user:pass@relay.example.com:587".into()), key);
        assert_eq!(refused_key(key, "smtp://relay.example.com:587?tls=opportunistic".into()), key);
        for fine in [
            "smtp://127.0.0.1:2525",
            "smtp://localhost:25",
            "smtp://[::1]:25",
            "smtps://user:pass@relay.example.com",
            "smtp://user:pass@relay.example.com:587?tls=required",
        ] {
            assert!(accepted(&[(key, fine.into())]), "{fine}");
        }
        assert!(accepted(&[
            (key, "smtp://relay.internal:25".into()),
            ("user_account.mail.allow_insecure_smtp", true.into())
        ]));
    }

    #[test]
    fn argon2_cost_is_held_to_owasps_floor_and_the_machines_memory() {
        assert_eq!(refused_key("user_account.argon2.memory_kib", 8.into()), "user_account.argon2.memory_kib");
        assert_eq!(
            refused_key("user_account.argon2.memory_kib", 19_455.into()),
            "user_account.argon2.memory_kib"
        );
        assert_eq!(
            refused_key("user_account.argon2.memory_kib", 4_000_000_000_u32.into()),
            "user_account.argon2.memory_kib"
        );
        assert_eq!(
            refused_key("user_account.argon2.parallelism", 0.into()),
            "user_account.argon2.parallelism"
        );
        // OWASP's equal-strength alternatives are accepted.
        for (m, t) in [(47_104, 1), (19_456, 2), (12_288, 3), (9_216, 4), (7_168, 5)] {
            assert!(
                accepted(&[
                    ("user_account.argon2.memory_kib", m.into()),
                    ("user_account.argon2.iterations", t.into())
                ]),
                "m={m} t={t}"
            );
        }
        assert_eq!(refused_key("user_account.argon2.iterations", 0.into()), "user_account.argon2.iterations");
        // 1024 hashes of 1 GiB at once: more memory than any machine this runs on.
        let greedy =
            Argon2Config { memory_kib: 1024 * 1024, max_concurrent: 1024, ..Argon2Config::default() };
        let err =
            greedy.check_memory(1024 * 1024, Some(8 * 1024 * 1024)).expect_err("1 TiB of hashes on 8 GiB");
        assert_eq!(err.key, "user_account.argon2.max_concurrent");
        assert!(Argon2Config::default().check_memory(19_456, Some(8 * 1024 * 1024)).is_ok());
        // The bound is the hasher's declared cost, not `memory_kib`: a host hasher of 1 GiB a
        // hash, 16 at once, does not fit in 8 GiB whatever `argon2.memory_kib` says.
        let host = Argon2Config { max_concurrent: 16, ..Argon2Config::default() };
        assert!(host.validate().is_ok());
        assert_eq!(
            host.check_memory(1024 * 1024, Some(8 * 1024 * 1024)).expect_err("16 GiB on 8").key,
            "user_account.argon2.max_concurrent"
        );
        assert!(host.check_memory(64 * 1024, Some(8 * 1024 * 1024)).is_ok());
    }

    #[test]
    fn only_proxy_headers_the_crate_parses_are_accepted() {
        let key = "user_account.trusted_proxy_header";
        for header in ["Forwarded", "x-forwarded-for", "X-Real-IP"] {
            assert!(accepted(&[(key, header.into())]), "{header}");
        }
        for header in ["Via", "X-Forwarded-Host", "", "X Forwarded For"] {
            assert_eq!(refused_key(key, header.into()), key, "{header}");
        }
    }

    #[test]
    fn database_waits_are_bounded_and_the_lock_bound_fits_in_the_statement_bound() {
        for key in ["user_account.statement_timeout_secs", "user_account.lock_timeout_secs"] {
            assert_eq!(refused_key(key, 0.into()), key);
            assert_eq!(refused_key(key, 301.into()), key);
        }
        assert!(!accepted(&[
            ("user_account.statement_timeout_secs", 2.into()),
            ("user_account.lock_timeout_secs", 3.into())
        ]));
        assert!(accepted(&[
            ("user_account.statement_timeout_secs", 3.into()),
            ("user_account.lock_timeout_secs", 3.into())
        ]));
    }

    #[test]
    fn body_deadline_and_audit_retention_are_bounded() {
        assert_eq!(refused_key("user_account.body_timeout_secs", 0.into()), "user_account.body_timeout_secs");
        assert_eq!(
            refused_key("user_account.audit_retention_days", 0.into()),
            "user_account.audit_retention_days"
        );
        let defaults = Config::default();
        assert_eq!((defaults.body_timeout_secs, defaults.audit_retention_days), (10, 90));
    }

    #[test]
    fn the_launch_line_names_the_target_but_never_a_credential() {
        let mut config = Config::default();
        config.mail.smtp_url = "smtps://mailer:hunter2@relay.example.com:465".into();
        let line = config.launch_line(false);
        assert!(line.contains("smtp to relay.example.com:465 (TLS)"), "{line}");
        assert!(line.contains("mounted at /api/users") && line.contains("debug routes off"), "{line}");
        assert!(!line.contains("hunter2") && !line.contains("mailer"), "{line}");
        config.mail.transport = MailTransport::File;
        assert!(config.launch_line(true).contains("file into target/mail"), "{}", config.launch_line(true));
        assert!(config.launch_line(true).contains("debug routes LIVE"));
    }
}
