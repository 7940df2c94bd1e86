//! Email templates: for each mail a subject, a text and an HTML template, embedded in the crate
//! (so it works as a dependency, whatever the working directory) and overridable file by file
//! from the folder in `user_account.templates`. HTML templates are autoescaped. The templates
//! hold the layout; every sentence comes from the mail's language (`crate::locale`), as `t`.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use fluent_bundle::FluentValue;
use serde::{Deserialize, Serialize};
use tera::{Context, Tera};

use crate::error::error_chain;
use crate::locale::{Area, Lang, Locales};
use crate::message::{MailKind, RenderedMail};

/// Every template, by name, with its embedded source.
const EMBEDDED: [(&str, &str); 8] = [
    ("base.txt.tera", include_str!("../../templates/user_account/base.txt.tera")),
    ("base.html.tera", include_str!("../../templates/user_account/base.html.tera")),
    ("recovery/subject.txt.tera", include_str!("../../templates/user_account/recovery/subject.txt.tera")),
    ("recovery/body.txt.tera", include_str!("../../templates/user_account/recovery/body.txt.tera")),
    ("recovery/body.html.tera", include_str!("../../templates/user_account/recovery/body.html.tera")),
    (
        "password_changed/subject.txt.tera",
        include_str!("../../templates/user_account/password_changed/subject.txt.tera"),
    ),
    (
        "password_changed/body.txt.tera",
        include_str!("../../templates/user_account/password_changed/body.txt.tera"),
    ),
    (
        "password_changed/body.html.tera",
        include_str!("../../templates/user_account/password_changed/body.html.tera"),
    ),
];

/// What a mail's templates are rendered with: each mail has a typed context, so a template
/// and the code that fills it cannot drift apart on a key's name. Its values reach the
/// templates as themselves and, through [`MailContext::values`], the language's sentences
/// (`t["recovery-intro"]`, ...) as Fluent arguments.
pub trait MailContext: Serialize {
    /// Which mail this is.
    const KIND: MailKind;

    /// The values the mail's sentences may use (the `mail.ftl` variables), times written as
    /// `lang` writes them.
    fn values(&self, locales: &Locales, lang: Lang) -> Vec<(&'static str, FluentValue<'static>)>;

    /// The values to keep in the outbox so that the mail is rendered when it is sent, in the
    /// language `lang` (a tag), as [`Templates::render_stored`] reads them; `None` renders it
    /// when it is queued.
    fn stored(&self, _lang: &str) -> Option<String> {
        None
    }
}

/// A recovery mail's values as the outbox keeps them until it is sent (`mail_outbox.context`).
/// No `Debug`: the links hold a live token.
#[derive(Serialize, Deserialize)]
struct StoredRecovery {
    /// The format's version: a row written by a version that wrote another is refused, not
    /// misread.
    v: u32,
    /// The language's tag.
    lang: String,
    product_name: String,
    display_name: String,
    link: String,
    cancel_link: String,
    /// The link's lifetime, from when the mail is accepted.
    ttl_secs: u64,
    by_user: bool,
}

/// [`StoredRecovery::v`] of this version.
const STORED_VERSION: u32 = 1;

/// The recovery mail's values. No `Debug`: the link holds a live token.
#[derive(Serialize)]
pub struct RecoveryMail<'a> {
    /// `mail.product_name`.
    pub product_name: &'a str,
    /// The account's name.
    pub display_name: &'a str,
    /// `public_url + reset_path + "?lang=" + tag + "#token=" + token`. Never log a
    /// `RecoveryMail`'s link.
    pub link: &'a str,
    /// The same with `#cancel=`: the "this wasn't me" link, which lets the user cancel the
    /// token (after a confirmation on the page) without touching the account.
    pub cancel_link: &'a str,
    /// When the link stops working (the templates get it as the language writes it).
    #[serde(skip)]
    pub expires_at: DateTime<Utc>,
    /// The link's lifetime in seconds (the templates get it in minutes, as `ttl_minutes`).
    #[serde(skip)]
    pub ttl_secs: u64,
    /// The user asked for the link themselves (self-service), not an admin.
    pub by_user: bool,
}

impl MailContext for RecoveryMail<'_> {
    const KIND: MailKind = MailKind::Recovery;

    fn stored(&self, lang: &str) -> Option<String> {
        let stored = StoredRecovery {
            v: STORED_VERSION,
            lang: lang.to_owned(),
            product_name: self.product_name.to_owned(),
            display_name: self.display_name.to_owned(),
            link: self.link.to_owned(),
            cancel_link: self.cancel_link.to_owned(),
            ttl_secs: self.ttl_secs,
            by_user: self.by_user,
        };
        serde_json::to_string(&stored).ok()
    }

    fn values(&self, locales: &Locales, lang: Lang) -> Vec<(&'static str, FluentValue<'static>)> {
        vec![
            ("product_name", self.product_name.to_owned().into()),
            ("display_name", self.display_name.to_owned().into()),
            ("expires_at", locales.datetime(lang, self.expires_at).into()),
            ("ttl_minutes", self.ttl_secs.div_ceil(60).into()),
        ]
    }
}

/// The "your password was changed" mail's values (no token, no link).
#[derive(Debug, Serialize)]
pub struct PasswordChangedMail<'a> {
    /// `mail.product_name`.
    pub product_name: &'a str,
    /// The account's name.
    pub display_name: &'a str,
    /// When (the templates get it as the language writes it).
    #[serde(skip)]
    pub changed_at: DateTime<Utc>,
}

impl MailContext for PasswordChangedMail<'_> {
    const KIND: MailKind = MailKind::PasswordChanged;

    fn values(&self, locales: &Locales, lang: Lang) -> Vec<(&'static str, FluentValue<'static>)> {
        vec![
            ("product_name", self.product_name.to_owned().into()),
            ("display_name", self.display_name.to_owned().into()),
            ("changed_at", locales.datetime(lang, self.changed_at).into()),
        ]
    }
}

/// The compiled templates, and the languages their sentences come from.
#[derive(Debug)]
pub struct Templates {
    tera: Tera,
    locales: Arc<Locales>,
}

impl Templates {
    /// The embedded templates, with any file of the same relative name in `overrides` (for
    /// example `recovery/body.html.tera`) taking its place. Every template is compiled, and
    /// every mail rendered once with sample values in every language, so a broken override
    /// stops ignition.
    ///
    /// # Errors
    /// A sentence naming the template that does not read, compile or render.
    pub fn new(overrides: Option<&Path>, locales: Arc<Locales>) -> Result<Templates, String> {
        let mut sources = Vec::with_capacity(EMBEDDED.len());
        for (name, embedded) in EMBEDDED {
            let source = match overrides.map(|dir| dir.join(name)) {
                Some(path) if path.is_file() => std::fs::read_to_string(&path)
                    .map_err(|e| format!("cannot read template {}: {e}", path.display()))?,
                _ => embedded.to_owned(),
            };
            sources.push((name, source));
        }
        let mut tera = Tera::default();
        tera.autoescape_on(vec![".html.tera"]);
        tera.add_raw_templates(sources).map_err(|e| format!("templates: {}", error_chain(&e)))?;
        let templates = Templates { tera, locales };
        let link = "https://example.org/reset-password?lang=en#token=sample";
        let cancel_link = "https://example.org/reset-password?lang=en#cancel=sample";
        let (name, time) = ("Sample", Utc::now());
        for lang in templates.locales.all() {
            let recovery = RecoveryMail {
                product_name: name,
                display_name: name,
                link,
                cancel_link,
                expires_at: time,
                ttl_secs: 3600,
                by_user: false,
            };
            templates.render(&recovery, lang)?;
            templates.render(&RecoveryMail { by_user: true, ..recovery }, lang)?;
            templates.render(
                &PasswordChangedMail { product_name: name, display_name: "", changed_at: time },
                lang,
            )?;
        }
        Ok(templates)
    }

    /// The languages the sentences come from.
    pub fn locales(&self) -> &Locales {
        &self.locales
    }

    /// Renders the mail `context` is for, in `lang`.
    ///
    /// # Errors
    /// A sentence naming the template that failed.
    pub fn render<M: MailContext>(&self, context: &M, lang: Lang) -> Result<RenderedMail, String> {
        let mut tera_context =
            Context::from_serialize(context).map_err(|e| format!("mail values: {}", error_chain(&e)))?;
        let values = context.values(&self.locales, lang);
        let args = crate::locale::args(values.iter().map(|(k, v)| (*k, v.clone())));
        for (name, value) in &values {
            match value {
                FluentValue::String(text) => tera_context.insert(*name, text.as_ref()),
                FluentValue::Number(n) => tera_context.insert(*name, &n.value),
                _ => {}
            }
        }
        let sentences: HashMap<&str, String> = self
            .locales
            .ids(Area::Mail)
            .map(|id| (id, self.locales.message(lang, Area::Mail, id, Some(&args))))
            .collect();
        tera_context.insert("t", &sentences);
        tera_context.insert("lang", self.locales.tag(lang));
        tera_context.insert("dir", self.locales.dir(lang));
        self.render_kind(M::KIND, &tera_context, self.locales.tag(lang))
    }

    /// Renders a recovery mail from the values the outbox kept ([`MailContext::stored`]), in
    /// the language they name (or the nearest one spoken now), for a mail sent at about `now`:
    /// its link works until `now` plus its lifetime at the least (the lifetime runs from when
    /// the mail server accepts the mail, which is later).
    ///
    /// # Errors
    /// The values do not read (or were written in another format), or a template failed.
    pub fn render_stored(&self, stored: &str, now: DateTime<Utc>) -> Result<RenderedMail, String> {
        let stored: StoredRecovery =
            serde_json::from_str(stored).map_err(|e| format!("the mail's stored values do not read: {e}"))?;
        if stored.v != STORED_VERSION {
            return Err(format!("the mail's stored values are of format {}, not {STORED_VERSION}", stored.v));
        }
        let mail = RecoveryMail {
            product_name: &stored.product_name,
            display_name: &stored.display_name,
            link: &stored.link,
            cancel_link: &stored.cancel_link,
            expires_at: now + chrono::Duration::seconds(i64::try_from(stored.ttl_secs).unwrap_or(86_400)),
            ttl_secs: stored.ttl_secs,
            by_user: stored.by_user,
        };
        self.render(&mail, self.locales.for_tag(Some(&stored.lang)))
    }

    fn render_kind(&self, kind: MailKind, context: &Context, language: &str) -> Result<RenderedMail, String> {
        let render = |part: &str| {
            let name = format!("{}/{part}", kind.as_str());
            self.tera.render(&name, context).map_err(|e| format!("template {name}: {}", error_chain(&e)))
        };
        let subject = render("subject.txt.tera")?;
        // A subject is one line: whatever a template or a value put on more lines is folded.
        let subject = subject.split_whitespace().collect::<Vec<_>>().join(" ");
        Ok(RenderedMail {
            subject,
            text: render("body.txt.tera")?,
            html: render("body.html.tera")?,
            language: language.to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn locales() -> Arc<Locales> {
        Arc::new(Locales::load(None, "en").expect("shipped languages"))
    }

    fn at(time: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(time).expect("time").to_utc()
    }

    fn recovery_context(name: &str) -> RecoveryMail<'_> {
        RecoveryMail {
            product_name: "Acme",
            display_name: name,
            link: "https://acme.example/reset-password?lang=en#token=abc_DEF-123",
            cancel_link: "https://acme.example/reset-password?lang=en#cancel=abc_DEF-123",
            expires_at: at("2026-11-26T22:00:00Z"),
            ttl_secs: 3600,
            by_user: false,
        }
    }

    fn english(t: &Templates) -> Lang {
        t.locales().default_lang()
    }

    #[test]
    fn recovery_mail_carries_link_expiry_and_a_not_you_line_in_both_parts() {
        let t = Templates::new(None, locales()).expect("embedded templates");
        let mail = t.render(&recovery_context("Ann"), english(&t)).expect("render");
        assert_eq!(mail.subject, "Acme: reset your password");
        assert_eq!(mail.language, "en");
        for part in [&mail.text, &mail.html] {
            assert!(part.contains("https://acme.example/reset-password?lang=en#token=abc_DEF-123"), "{part}");
            assert!(part.contains("November 26, 2026, 22:00 UTC"), "{part}");
            assert!(part.contains("Hello Ann,"));
            assert!(part.contains("did not ask for this"));
            assert!(
                part.contains("https://acme.example/reset-password?lang=en#cancel=abc_DEF-123"),
                "{part}"
            );
        }
        assert!(mail.html.contains(r#"<html lang="en" dir="ltr">"#), "{}", mail.html);
    }

    #[test]
    fn a_recovery_mail_kept_as_its_values_renders_as_it_would_have_when_sent() {
        let t = Templates::new(None, locales()).expect("embedded templates");
        for lang in t.locales().all() {
            for by_user in [false, true] {
                let context = RecoveryMail { by_user, ..recovery_context("Ann <b>") };
                let tag = t.locales().tag(lang);
                let stored = context.stored(tag).expect("a recovery mail is kept as its values");
                // Sent an hour (its lifetime) before the deadline the context names.
                let sent = context.expires_at - chrono::Duration::seconds(3600);
                let later = t.render_stored(&stored, sent).expect("renders");
                let now = t.render(&context, lang).expect("renders");
                assert_eq!(
                    (&later.subject, &later.text, &later.html, &later.language),
                    (&now.subject, &now.text, &now.html, &now.language),
                    "{tag}"
                );
            }
        }
        // The notification is rendered when queued; a stored form of another version, or one
        // that does not read, is refused rather than misread.
        let changed =
            PasswordChangedMail { product_name: "Acme", display_name: "Ann", changed_at: Utc::now() };
        assert!(changed.stored("en").is_none());
        let stored = recovery_context("Ann").stored("en").unwrap_or_default();
        let other = stored.replace("\"v\":1", "\"v\":2");
        assert!(t.render_stored(&other, Utc::now()).is_err_and(|e| e.contains("format 2")), "{other}");
        assert!(t.render_stored("{", Utc::now()).is_err());
    }

    #[test]
    fn every_mail_renders_in_every_language_with_its_lang_dir_and_date() {
        let t = Templates::new(None, locales()).expect("embedded templates");
        let english = t.render(&recovery_context("Ann"), english(&t)).expect("render");
        for lang in t.locales().all() {
            let tag = t.locales().tag(lang);
            let dir = if tag == "ar" { "rtl" } else { "ltr" };
            let recovery = t.render(&recovery_context("Ann"), lang).expect("recovery");
            let changed = PasswordChangedMail {
                product_name: "Acme",
                display_name: "Ann",
                changed_at: at("2026-11-26T21:00:00Z"),
            };
            let changed = t.render(&changed, lang).expect("changed");
            for mail in [&recovery, &changed] {
                assert_eq!(mail.language, tag);
                assert!(
                    mail.html.contains(&format!(r#"<html lang="{tag}" dir="{dir}">"#)),
                    "{tag}: {}",
                    mail.html
                );
                assert!(
                    mail.subject.contains("Acme") && mail.text.contains("Ann"),
                    "{tag}: {}",
                    mail.subject
                );
                assert!(mail.text.contains("2026") && mail.text.contains("UTC"), "{tag}: {}", mail.text);
            }
            assert!(
                recovery.text.contains("#token=abc_DEF-123") && recovery.text.contains("#cancel=abc_DEF-123")
            );
            if tag != "en" {
                assert_ne!(recovery.subject, english.subject, "{tag} is not English");
                assert_ne!(recovery.text, english.text, "{tag} is not English");
            }
        }
    }

    #[test]
    fn a_name_is_text_in_every_language_and_the_subject_is_one_line() {
        let t = Templates::new(None, locales()).expect("embedded templates");
        let hostile = "<a href=//evil>x</a>\r\nBcc: a@evil";
        for lang in t.locales().all() {
            let mut c = recovery_context(hostile);
            c.product_name = "Acme\r\nBcc: a@evil";
            let mail = t.render(&c, lang).expect("render");
            assert!(!mail.html.contains("<a href=//evil>"), "{}", mail.html);
            assert!(mail.html.contains("&lt;a href=&#x2F;&#x2F;evil&gt;"), "{}", mail.html);
            assert!(!mail.subject.contains('\r') && !mail.subject.contains('\n'));
        }
    }

    #[test]
    fn the_notification_carries_no_link() {
        let t = Templates::new(None, locales()).expect("embedded templates");
        let c = PasswordChangedMail {
            product_name: "Acme",
            display_name: "Ann",
            changed_at: at("2026-11-26T21:00:00Z"),
        };
        let mail = t.render(&c, english(&t)).expect("render");
        let when = "November 26, 2026, 21:00 UTC";
        assert!(mail.text.contains(when) && mail.html.contains(when), "{}", mail.text);
        assert!(!mail.text.contains("token") && !mail.html.contains("token"));
        assert!(!mail.html.contains("<a "), "{}", mail.html);
    }

    #[test]
    fn a_folder_overrides_single_templates_and_a_broken_one_is_refused() {
        let dir = std::env::temp_dir().join(format!("ua-templates-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("recovery")).expect("mkdir");
        std::fs::write(dir.join("recovery/subject.txt.tera"), "Custom {{ product_name }} reset")
            .expect("write");
        let t = Templates::new(Some(&dir), locales()).expect("override compiles");
        let mail = t.render(&recovery_context("Ann"), english(&t)).expect("render");
        assert_eq!(mail.subject, "Custom Acme reset");
        assert!(mail.text.contains("#token=abc_DEF-123"), "the other templates stay embedded");
        std::fs::write(dir.join("recovery/body.txt.tera"), "{{ t[\"no-such-message\"] }}").expect("write");
        let err = Templates::new(Some(&dir), locales()).expect_err("unknown sentence");
        assert!(err.contains("recovery/body.txt.tera"), "{err}");
        std::fs::write(dir.join("recovery/body.txt.tera"), "{% if %}").expect("write");
        let err = Templates::new(Some(&dir), locales()).expect_err("broken override");
        assert!(err.contains("recovery/body.txt.tera"), "{err}");
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn a_hosts_sentence_is_text_too_it_cannot_add_a_link() {
        let dir = std::env::temp_dir().join(format!("ua-host-sentences-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("locales/en")).expect("mkdir");
        let hostile = "mail-greeting-named = <a href=\"//evil\">Hi</a> { $display_name },\n";
        std::fs::write(dir.join("locales/en/mail.ftl"), hostile).expect("write");
        let locales = Arc::new(Locales::load(Some(&dir), "en").expect("a host rewording loads"));
        let t = Templates::new(None, locales).expect("templates");
        let mail = t.render(&recovery_context("Ann"), english(&t)).expect("render");
        assert!(!mail.html.contains("<a href=\"//evil\">"), "{}", mail.html);
        assert!(
            mail.html.contains("&lt;a href=&quot;&#x2F;&#x2F;evil&quot;&gt;Hi&lt;&#x2F;a&gt; Ann,"),
            "{}",
            mail.html
        );
        std::fs::remove_dir_all(&dir).ok();
    }
}
