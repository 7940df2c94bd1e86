//! Email templates: for each mail a subject, a text and an HTML template, embedded in the crate
//! (so it works as a dependency, whatever the working directory) and overridable file by file
//! from the folder in `user_account.templates`. HTML templates are autoescaped.

use std::path::Path;

use serde::Serialize;
use tera::{Context, Tera};

use crate::error::error_chain;
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
/// and the code that fills it cannot drift apart on a key's name.
pub trait MailContext: Serialize {
    /// Which mail this is.
    const KIND: MailKind;
}

/// The recovery mail's values. No `Debug`: the link holds a live token.
#[derive(Serialize)]
pub struct RecoveryMail<'a> {
    /// `mail.product_name`.
    pub product_name: &'a str,
    /// The account's name.
    pub display_name: &'a str,
    /// `public_url + reset_path + "#token=" + token`. Never log a `RecoveryMail`'s link.
    pub link: &'a str,
    /// `public_url + reset_path + "#cancel=" + token`: the "this wasn't me" link, which lets
    /// the user cancel the token (after a confirmation on the page) without touching the account.
    pub cancel_link: &'a str,
    /// When the link stops working, as mails show times.
    pub expires_at: String,
    /// The token lifetime in minutes.
    pub ttl_minutes: u64,
}

impl MailContext for RecoveryMail<'_> {
    const KIND: MailKind = MailKind::Recovery;
}

/// The "your password was changed" mail's values (no token, no link).
#[derive(Debug, Serialize)]
pub struct PasswordChangedMail<'a> {
    /// `mail.product_name`.
    pub product_name: &'a str,
    /// The account's name.
    pub display_name: &'a str,
    /// When, as mails show times.
    pub changed_at: String,
}

impl MailContext for PasswordChangedMail<'_> {
    const KIND: MailKind = MailKind::PasswordChanged;
}

/// The compiled templates.
#[derive(Debug)]
pub struct Templates {
    tera: Tera,
}

impl Templates {
    /// The embedded templates, with any file of the same relative name in `overrides` (for
    /// example `recovery/body.html.tera`) taking its place. Every template is compiled, and
    /// every mail rendered once with sample values, so a broken override stops ignition.
    ///
    /// # Errors
    /// A sentence naming the template that does not read, compile or render.
    pub fn new(overrides: Option<&Path>) -> Result<Templates, String> {
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
        let templates = Templates { tera };
        let link = "https://example.org/reset-password#token=sample";
        let cancel_link = "https://example.org/reset-password#cancel=sample";
        let (name, time) = ("Sample", "2026-01-01 00:00 UTC".to_owned());
        templates.render(&RecoveryMail {
            product_name: name,
            display_name: name,
            link,
            cancel_link,
            expires_at: time.clone(),
            ttl_minutes: 60,
        })?;
        templates.render(&PasswordChangedMail {
            product_name: name,
            display_name: name,
            changed_at: time,
        })?;
        Ok(templates)
    }

    /// Renders the mail `context` is for.
    ///
    /// # Errors
    /// A sentence naming the template that failed.
    pub fn render<M: MailContext>(&self, context: &M) -> Result<RenderedMail, String> {
        let context =
            Context::from_serialize(context).map_err(|e| format!("mail values: {}", error_chain(&e)))?;
        self.render_kind(M::KIND, &context)
    }

    fn render_kind(&self, kind: MailKind, context: &Context) -> Result<RenderedMail, String> {
        let render = |part: &str| {
            let name = format!("{}/{part}", kind.as_str());
            self.tera.render(&name, context).map_err(|e| format!("template {name}: {}", error_chain(&e)))
        };
        let subject = render("subject.txt.tera")?;
        // A subject is one line: whatever a template or a value put on more lines is folded.
        let subject = subject.split_whitespace().collect::<Vec<_>>().join(" ");
        Ok(RenderedMail { subject, text: render("body.txt.tera")?, html: render("body.html.tera")? })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn recovery_context(name: &str) -> RecoveryMail<'_> {
        RecoveryMail {
            product_name: "Acme",
            display_name: name,
            link: "https://acme.example/reset-password#token=abc_DEF-123",
            cancel_link: "https://acme.example/reset-password#cancel=abc_DEF-123",
            expires_at: "2026-11-26 22:00 UTC".into(),
            ttl_minutes: 60,
        }
    }

    #[test]
    fn recovery_mail_carries_link_expiry_and_a_not_you_line_in_both_parts() {
        let t = Templates::new(None).expect("embedded templates");
        let mail = t.render(&recovery_context("Ann")).expect("render");
        assert_eq!(mail.subject, "Acme: reset your password");
        for part in [&mail.text, &mail.html] {
            assert!(part.contains("https://acme.example/reset-password#token=abc_DEF-123"), "{part}");
            assert!(part.contains("2026-11-26 22:00 UTC"));
            assert!(part.contains("Ann"));
            assert!(part.contains("did not ask for this"));
            assert!(part.contains("https://acme.example/reset-password#cancel=abc_DEF-123"), "{part}");
        }
    }

    #[test]
    fn html_is_escaped_and_the_subject_is_one_line() {
        let t = Templates::new(None).expect("embedded templates");
        let hostile = "<a href=//evil>x</a>\r\nBcc: a@evil";
        let mut c = recovery_context(hostile);
        c.product_name = "Acme\r\nBcc: a@evil";
        let mail = t.render(&c).expect("render");
        assert!(!mail.html.contains("<a href=//evil>"), "{}", mail.html);
        assert!(mail.html.contains("&lt;a href=&#x2F;&#x2F;evil&gt;"), "{}", mail.html);
        assert!(!mail.subject.contains('\r') && !mail.subject.contains('\n'));
    }

    #[test]
    fn the_notification_carries_no_link() {
        let t = Templates::new(None).expect("embedded templates");
        let c = PasswordChangedMail {
            product_name: "Acme",
            display_name: "Ann",
            changed_at: "2026-11-26 21:00 UTC".into(),
        };
        let mail = t.render(&c).expect("render");
        assert!(mail.text.contains("2026-11-26 21:00 UTC") && mail.html.contains("2026-11-26 21:00 UTC"));
        assert!(!mail.text.contains("token") && !mail.html.contains("token"));
    }

    #[test]
    fn a_folder_overrides_single_templates_and_a_broken_one_is_refused() {
        let dir = std::env::temp_dir().join(format!("ua-templates-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("recovery")).expect("mkdir");
        std::fs::write(dir.join("recovery/subject.txt.tera"), "Custom {{ product_name }} reset")
            .expect("write");
        let t = Templates::new(Some(&dir)).expect("override compiles");
        let mail = t.render(&recovery_context("Ann")).expect("render");
        assert_eq!(mail.subject, "Custom Acme reset");
        assert!(mail.text.contains("#token=abc_DEF-123"), "the other templates stay embedded");
        std::fs::write(dir.join("recovery/body.txt.tera"), "{% if %}").expect("write");
        let err = Templates::new(Some(&dir)).expect_err("broken override");
        assert!(err.contains("recovery/body.txt.tera"), "{err}");
        std::fs::remove_dir_all(&dir).ok();
    }
}
