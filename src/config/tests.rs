//! Unit tests of the configuration: defaults, parsing, and every refusal naming its key.
use super::*;
use rocket::figment::providers::Serialized;
use rocket::figment::Figment;

fn figment(pairs: &[(&str, serde_json::Value)]) -> Figment {
    pairs.iter().fold(Figment::new(), |f, (k, v)| f.merge(Serialized::global(k, v)))
}

#[test]
fn defaults_are_the_documented_ones() {
    let c = Config::from_figment(&Figment::new(), false).expect("defaults are valid");
    assert_eq!(c.mount, "/api/users");
    assert_eq!(c.public_url, "http://127.0.0.1:8000/", "normalized by the URL parser");
    assert_eq!(c.reset_path, "/reset-password");
    assert_eq!(c.token_ttl_secs, 3600);
    assert!(c.reset_page, "links open a page by default");
    assert_eq!((c.statement_timeout_secs, c.lock_timeout_secs), (5, 3));
    assert_eq!(c.json_limit, ByteUnit::Kibibyte(8));
    assert_eq!(c.admin_scope, "admin");
    assert_eq!(c.rate_limits.recovery_per_user_hour, 3);
    assert_eq!(c.rate_limits.public_per_ip_hour, 100);
    assert_eq!(c.mail.transport, MailTransport::Smtp);
    assert_eq!(c.mail.max_attempts, 5);
    assert_eq!((c.password.min_length, c.password.max_length, c.password.min_score), (15, 128, 3));
    assert_eq!((c.argon2.memory_kib, c.argon2.iterations, c.argon2.parallelism), (19456, 2, 1));
    assert!(c.argon2.max_concurrent >= 1);
}

#[test]
fn nested_values_and_byte_units_are_read() {
    let f = figment(&[
        ("user_account.json_limit", "16 KiB".into()),
        ("user_account.mail.transport", "file".into()),
        ("user_account.rate_limits.public_per_ip_minute", 0.into()),
    ]);
    let c = Config::from_figment(&f, false).expect("valid");
    assert_eq!(c.json_limit, ByteUnit::Kibibyte(16));
    assert_eq!(c.mail.transport, MailTransport::File);
    assert_eq!(c.rate_limits.public_per_ip_minute, 0);
}

#[test]
fn each_bad_value_names_its_key() {
    let cases: &[(&str, serde_json::Value, &str)] = &[
        ("user_account.mount", "api".into(), "user_account.mount"),
        ("user_account.mount", "/api/".into(), "user_account.mount"),
        ("user_account.reset_path", "/reset\"onclick=\"x".into(), "user_account.reset_path"),
        ("user_account.public_url", "not a url".into(), "user_account.public_url"),
        ("user_account.public_url", "http://example.com".into(), "user_account.public_url"),
        ("user_account.public_url", "ftp://example.com".into(), "user_account.public_url"),
        ("user_account.token_ttl_secs", 90_000.into(), "user_account.token_ttl_secs"),
        ("user_account.token_ttl_secs", "soon".into(), "user_account.token_ttl_secs"),
        ("user_account.mail.transport", "pigeon".into(), "user_account.mail.transport"),
        ("user_account.mail.smtp_url", "http://x".into(), "user_account.mail.smtp_url"),
        ("user_account.password.min_length", 4.into(), "user_account.password.min_length"),
        ("user_account.argon2.memory_kib", 1.into(), "user_account.argon2.memory_kib"),
        ("user_account.json_limit", "1 GiB".into(), "user_account.json_limit"),
        ("user_account.mail.transport", "log".into(), "user_account.mail.transport"),
        ("user_account.no_such_key", true.into(), "user_account.no_such_key"),
        ("user_account.mail.no_such_key", true.into(), "user_account.mail.no_such_key"),
        (
            "user_account.rate_limits.public_per_ip_minute",
            "many".into(),
            "user_account.rate_limits.public_per_ip_minute",
        ),
    ];
    for (key, value, named) in cases {
        let err = Config::from_figment(&figment(&[(key, value.clone())]), false)
            .expect_err(&format!("{key} = {value} must be refused"));
        // Exactly that key: not its parent, not a sibling, not a key that merely starts the same.
        assert_eq!(err.key, *named, "{key} = {value}: {err}");
        assert!(err.to_string().contains(&format!("`{named}`")), "{err}");
    }
}

#[test]
fn debug_output_hides_the_smtp_password() {
    let mail = Mail { smtp_url: "smtps://user:hunter2@mail.example".into(), ..Mail::default() };
    let shown = format!("{mail:?}");
    assert!(!shown.contains("hunter2") && shown.contains("user:***@mail.example"), "{shown}");
    assert_eq!(redact_url("postgres://app:s3cret@db/x"), "postgres://app:***@db/x");
}

#[test]
fn http_public_url_is_allowed_on_loopback_or_in_debug() {
    let loopback = figment(&[("user_account.public_url", "http://localhost:8000".into())]);
    assert!(Config::from_figment(&loopback, false).is_ok());
    let remote = figment(&[("user_account.public_url", "http://accounts.example".into())]);
    assert!(Config::from_figment(&remote, false).is_err());
    assert!(Config::from_figment(&remote, true).is_ok());
}
