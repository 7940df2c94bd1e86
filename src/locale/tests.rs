use super::load::SHIPPED;
use super::*;

fn shipped() -> Locales {
    Locales::load(None, "en").expect("the shipped languages load")
}

/// A folder of host files, `locales/<tag>/<area>.ftl`, removed when dropped.
struct HostFiles(std::path::PathBuf);

impl HostFiles {
    fn new(name: &str, files: &[(&str, &str, &str)]) -> HostFiles {
        let dir = std::env::temp_dir().join(format!("ua-locales-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        for (tag, file, text) in files {
            let folder = dir.join("locales").join(tag);
            std::fs::create_dir_all(&folder).expect("mkdir");
            std::fs::write(folder.join(file), text).expect("write");
        }
        HostFiles(dir)
    }
}

impl Drop for HostFiles {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn every_shipped_language_loads_complete_and_checked() {
    let locales = shipped();
    let tags: Vec<&str> = locales.all().map(|l| locales.tag(l)).collect();
    assert_eq!(tags, SHIPPED.iter().map(|(t, _)| *t).collect::<Vec<_>>());
    for lang in locales.all() {
        for area in Area::ALL {
            for id in &locales.ids[&area] {
                let text = locales.message(lang, area, id, Some(&load_sample(area)));
                assert!(!text.is_empty() && text != *id, "{} {id}", locales.tag(lang));
            }
        }
    }
}

fn load_sample(area: Area) -> FluentArgs<'static> {
    args(area.variables().iter().map(|name| (*name, FluentValue::from(if *name == "n" { "1" } else { "x" }))))
}

#[test]
fn a_tag_falls_back_along_the_chain_and_never_fails() {
    let locales = shipped();
    let tag = |t: Option<&str>| locales.tag(locales.for_tag(t)).to_owned();
    assert_eq!(tag(Some("en-GB")), "en");
    assert_eq!(tag(Some("xx-YY")), "en");
    assert_eq!(tag(Some("not a tag at all!")), "en");
    assert_eq!(tag(None), "en");
    assert_eq!(tag(Some("pt")), "pt-BR");
    assert_eq!(tag(Some("pt-PT")), "pt-BR");
    assert_eq!(tag(Some("de-CH")), "de");
    assert_eq!(tag(Some(" ar ")), "ar");
    assert_eq!(locales.closest("xx"), None, "a language nobody speaks is no choice");
    assert_eq!(locales.closest("de,fr"), None, "one tag, not a list");
    assert_eq!(locales.closest("ja").map(|l| locales.tag(l)), Some("ja"));
}

#[test]
fn accept_language_is_read_by_quality_then_order() {
    let ranges = |h: &str| accepted(h).iter().map(ToString::to_string).collect::<Vec<_>>();
    assert_eq!(ranges("fr;q=0.1, de;q=0.9, ja"), ["ja", "de", "fr"]);
    assert_eq!(ranges("de, en;q=0, *;q=0.5"), ["de"]);
    assert_eq!(ranges("de;q=abc, fr"), ["fr"]);
    assert!(ranges("").is_empty());
}

#[test]
fn a_host_rewords_one_message_and_the_rest_stays() {
    let files = HostFiles::new(
        "reword",
        &[("en", "mail.ftl", "recovery-subject = { $product_name }: your reset link\n")],
    );
    let locales = Locales::load(Some(&files.0), "en").expect("loads");
    let args = args([("product_name", FluentValue::from("Acme"))]);
    let en = locales.default_lang();
    assert_eq!(locales.message(en, Area::Mail, "recovery-subject", Some(&args)), "Acme: your reset link");
    assert_eq!(
        locales.message(en, Area::Mail, "changed-subject", Some(&args)),
        "Acme: your password was changed"
    );
}

#[test]
fn a_host_language_missing_a_message_stops_loading_naming_it() {
    let files =
        HostFiles::new("missing", &[("it", "mail.ftl", "recovery-subject = { $product_name }: reimposta\n")]);
    let err = Locales::load(Some(&files.0), "en").expect_err("incomplete");
    assert!(err.contains("it/mail.ftl") && err.contains("is missing"), "{err}");
}

#[test]
fn a_broken_file_an_unknown_id_or_an_unknown_variable_stops_loading() {
    for (name, text, expected) in [
        ("syntax", "recovery-subject = { $product_name\n", "line 1 does not parse"),
        ("unknown-id", "recovery-subjekt = x\n", "`recovery-subjekt` is not one this crate uses"),
        ("unknown-variable", "recovery-subject = { $token }\n", "uses $token"),
        ("variable-in-a-function", "recovery-subject = { NUMBER($token) }\n", "uses $token"),
        ("variable-in-a-placeable", "recovery-subject = { { $token } }\n", "uses $token"),
        ("missing-reference", "recovery-subject = { other-message }\n", "does not format"),
    ] {
        let files = HostFiles::new(name, &[("en", "mail.ftl", text)]);
        let err = Locales::load(Some(&files.0), "en").expect_err(name);
        assert!(err.contains("en/mail.ftl") && err.contains(expected), "{name}: {err}");
    }
    // An error's sentence gets only the values its English one uses.
    let files =
        HostFiles::new("api-variable", &[("de", "api.ftl", "error-not-found = Nicht da: { $detail }\n")]);
    let err = Locales::load(Some(&files.0), "en").expect_err("a value no 404 passes");
    assert!(
        err.contains("de/api.ftl") && err.contains("uses $detail") && err.contains("passes none"),
        "{err}"
    );
}

#[test]
fn a_default_locale_the_server_does_not_speak_stops_loading() {
    let err = Locales::load(None, "xx").expect_err("unknown default");
    assert!(err.contains("default_locale") && err.contains("xx"), "{err}");
    let err = Locales::load(None, "no tag!").expect_err("malformed default");
    assert!(err.contains("default_locale"), "{err}");
}

#[test]
fn a_mail_date_is_written_for_its_language_with_its_time_zone() {
    let locales = shipped();
    let at = chrono::DateTime::parse_from_rfc3339("2026-12-07T14:05:00Z").expect("time").to_utc();
    assert_eq!(locales.datetime(locales.default_lang(), at), "December 7, 2026, 14:05 UTC");
}

#[test]
fn a_counting_page_sentence_comes_once_per_plural_category_with_the_scripts_placeholder() {
    let locales = shipped();
    let strings = locales.page_strings(locales.default_lang(), "Acme", 15, 128);
    let active: Vec<_> = strings.iter().filter(|s| s.key == "active").collect();
    let mut forms: Vec<_> = active.iter().map(|s| (s.plural.unwrap_or("-"), s.text.as_str())).collect();
    forms.sort_unstable();
    assert_eq!(
        forms,
        [
            ("0", "No session is signed in with your account now."),
            ("one", "{n} session is still signed in with your account, on this or another device."),
            ("other", "{n} sessions are still signed in with your account, on this or other devices."),
        ]
    );
    let hint = strings.iter().find(|s| s.key == "hint-empty").expect("hint");
    assert_eq!((hint.plural, hint.text.as_str()), (None, "Use 15 to 128 characters."));
    let title = strings.iter().find(|s| s.key == "title").expect("title");
    assert_eq!(title.text, "{title} · Acme");
}

#[test]
fn a_number_a_message_formats_is_checked_as_a_number() {
    // NUMBER() on a value the check passed as text would fail, and refuse a good resource.
    let text =
        "recovery-expiry = It works once, for { NUMBER($ttl_minutes) } minutes, until { $expires_at }.\n";
    let files = HostFiles::new("number", &[("en", "mail.ftl", text)]);
    let locales = Locales::load(Some(&files.0), "en").expect("a message using NUMBER() loads");
    let args = args([("ttl_minutes", FluentValue::from(5)), ("expires_at", FluentValue::from("noon"))]);
    let en = locales.default_lang();
    assert_eq!(
        locales.message(en, Area::Mail, "recovery-expiry", Some(&args)),
        "It works once, for 5 minutes, until noon."
    );
}

#[test]
fn a_broken_plural_form_is_found_whichever_form_it_is() {
    let text = "recovery-expiry = { $ttl_minutes ->\n    [one] Eine Minute { no-such-message }\n   *[other] { $ttl_minutes } Minuten\n}\n";
    let files = HostFiles::new("plural", &[("de", "mail.ftl", text)]);
    let err = Locales::load(Some(&files.0), "en").expect_err("the [one] form does not format");
    assert!(
        err.contains("de/mail.ftl") && err.contains("recovery-expiry") && err.contains("does not format"),
        "{err}"
    );
}
