//! The reset page: the page the recovery mail links to, served at `user_account.reset_path`
//! (outside the mount point) when `user_account.reset_page` is true. When it is false the
//! crate serves nothing at that path, and a host links its own page there instead.
//!
//! The page reads the token from the link's fragment (`#token=...`) and removes it from the
//! address bar at once, checks it with `POST <mount>/verify-recovery-token` (saying plainly,
//! before any typing, when the link is invalid, expired, used, superseded or cancelled), then
//! offers the new password with its confirmation, the policy stated up front (the lengths of
//! `user_account.password.*`), live hints, and a "sign out everywhere" choice, and posts to
//! `POST <mount>/change-password`. It ends on a success state that counts the sessions still
//! signed in and those signed out.
//!
//! The mail's second link, `#cancel=...` ("this wasn't me"), opens the same page, which then
//! changes nothing on its own: it removes the token from the address bar, checks it with
//! `verify-recovery-token` (which only reads; a link that no longer works, or was already
//! cancelled, says so at once), and asks for a confirmation. Only the click on "Cancel this
//! link" posts `POST <mount>/cancel-recovery`, so a mail scanner that opens the link, even one
//! that runs the script, cancels nothing. The account and its password are never touched.
//!
//! ## Template
//!
//! The HTML is a tera template, [`TEMPLATE`], embedded in the crate and overridden by a file of
//! the same relative name in `user_account.templates` (like the mail templates). It is
//! autoescaped, rendered once per language at ignition with a [`PageContext`], and a template
//! that does not read, compile or render stops ignition. Every sentence comes from the
//! language's `page.ftl`; the script takes its settings from `data-*` attributes on `#main`
//! and every sentence it shows from `#strings`. An override keeps the embedded page's ids
//! (`#cancel-state`, `#cancel-button`, `#cancelled` and the rest) and `data-key`s.
//!
//! ## Language
//!
//! The page answers in the language of the link's `?lang=` (the mail's) when the crate speaks
//! it, else in the browser's (`Accept-Language`), else `user_account.default_locale`, with
//! `Content-Language`, `Vary: Accept-Language` and `<html lang dir>` (a right-to-left language
//! mirrors the layout). Its script asks the API in the same language.
//!
//! ## Hardening
//!
//! No inline script or style: the script, the stylesheet and the icon are served under the
//! mount at `<mount>/assets/reset-<first 16 hex digits of their SHA-256>.<ext>`, with
//! `Cache-Control: public, max-age=31536000, immutable` (a new build changes the URL). The page
//! itself is `text/html; charset=utf-8` with [`CONTENT_SECURITY_POLICY`],
//! `Referrer-Policy: no-referrer`, `Cache-Control: no-store`, `X-Frame-Options: DENY`,
//! `X-Content-Type-Options: nosniff` and `Cross-Origin-Opener-Policy: same-origin`, and no
//! `Server` banner. It answers GET and HEAD; any other method gets a 405 with `Allow`. Nothing
//! on it comes from a third party.

use std::collections::HashMap;
use std::io::Cursor;
use std::path::Path;
use std::sync::Arc;

use rocket::http::{ContentType, Header, Method, Status};
use rocket::route::{Handler, Outcome, Route};
use rocket::{Data, Request, Response};
use serde::Serialize;
use sha2::{Digest as _, Sha256};
use tera::{Context, Tera};

use crate::config::Config;
use crate::error::{error_chain, Error};
use crate::locale::{Lang, Locales, PageString};

/// The page's template, by its name relative to `user_account.templates`.
pub const TEMPLATE: &str = "reset_page/page.html.tera";

/// The embedded template.
const EMBEDDED: &str = include_str!("../../templates/user_account/reset_page/page.html.tera");

/// The page's `Content-Security-Policy`: its own script, style, icon and API calls, nothing
/// inline, nothing from elsewhere, no form submission, no framing.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// `Cache-Control` of the assets: their URL names their content.
pub const ASSET_CACHE_CONTROL: &str = "public, max-age=31536000, immutable";

/// Methods other than GET (HEAD is answered by the GET route).
const OTHER_METHODS: [Method; 5] =
    [Method::Post, Method::Put, Method::Delete, Method::Patch, Method::Options];

/// What the page's template is rendered with.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct PageContext<'a> {
    /// `mail.product_name`, for the title and the heading.
    pub product_name: &'a str,
    /// The mount point (`user_account.mount`): the script calls `<api>/verify-recovery-token`
    /// and `<api>/change-password`.
    pub api: &'a str,
    /// The script's URL, under the mount.
    pub script_url: String,
    /// The stylesheet's URL, under the mount.
    pub style_url: String,
    /// The icon's URL, under the mount.
    pub icon_url: String,
    /// `password.min_length`, in code points.
    pub min_length: usize,
    /// `password.max_length`, in code points.
    pub max_length: usize,
    /// Whether the page offers "send me a new link" (`self_service_recovery`).
    pub self_service: bool,
    /// The language's tag, for `<html lang>`.
    pub lang: &'a str,
    /// `ltr` or `rtl`, for `<html dir>`.
    pub dir: &'static str,
    /// Every sentence of the language's `page.ftl`, by id (a counting one in its `other` form).
    pub t: HashMap<String, String>,
    /// The same, as the script reads them from `#strings`.
    pub strings: Vec<PageString>,
}

/// A static file of the page, named by its content.
#[derive(Clone, Copy)]
struct Asset {
    body: &'static str,
    content_type: &'static str,
    extension: &'static str,
}

const SCRIPT: Asset = Asset {
    body: include_str!("static/reset.js"),
    content_type: "text/javascript; charset=utf-8",
    extension: "js",
};
const STYLE: Asset = Asset {
    body: include_str!("static/reset.css"),
    content_type: "text/css; charset=utf-8",
    extension: "css",
};
const ICON: Asset =
    Asset { body: include_str!("static/icon.svg"), content_type: "image/svg+xml", extension: "svg" };

impl Asset {
    /// `reset-<16 hex digits of its SHA-256>.<ext>`.
    fn file_name(&self) -> String {
        let digest = Sha256::digest(self.body.as_bytes());
        let hex: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
        format!("reset-{hex}.{}", self.extension)
    }
}

/// The routes of the page when `reset_page` is on, else none: the page's, to mount at `/`,
/// and the assets', to mount at the mount point. The template is read, compiled and rendered
/// here, once.
///
/// # Errors
/// A sentence naming the template that does not read, compile or render.
pub(crate) fn routes(config: &Config, locales: &Arc<Locales>) -> Result<(Vec<Route>, Vec<Route>), String> {
    if !config.reset_page {
        return Ok((Vec::new(), Vec::new()));
    }
    let mount = config.mount.trim_end_matches('/');
    let url = |asset: &Asset| format!("{mount}/assets/{}", asset.file_name());
    let template = Template::compile(config.templates.as_deref())?;
    let (min_length, max_length) = (config.password.min_length, config.password.max_length);
    let mut pages = Vec::new();
    for lang in locales.all() {
        let strings = locales.page_strings(lang, &config.mail.product_name, min_length, max_length);
        let context = PageContext {
            product_name: &config.mail.product_name,
            api: mount,
            script_url: url(&SCRIPT),
            style_url: url(&STYLE),
            icon_url: url(&ICON),
            min_length,
            max_length,
            self_service: config.self_service_recovery,
            lang: locales.tag(lang),
            dir: locales.dir(lang),
            t: sentences(&strings),
            strings,
        };
        let html = template.render(&context).map_err(|e| format!("{e} (in {})", locales.tag(lang)))?;
        pages.push((lang, Arc::from(html.into_bytes())));
    }
    let page = PageHandler { pages: Arc::new(pages), locales: Arc::clone(locales) };
    let mut page_routes = vec![named(Route::new(Method::Get, &config.reset_path, page))];
    page_routes.extend(
        OTHER_METHODS.map(|m| named(Route::ranked(100, m, &config.reset_path, PageMethodNotAllowed))),
    );
    let mut asset_routes = Vec::new();
    for asset in [SCRIPT, STYLE, ICON] {
        let path = format!("/assets/{}", asset.file_name());
        asset_routes.push(named(Route::new(Method::Get, &path, AssetHandler(asset))));
        asset_routes
            .extend(OTHER_METHODS.map(|m| named(Route::ranked(100, m, &path, AssetMethodNotAllowed))));
    }
    log::info!("user_account: reset page at {} (assets under {mount}/assets)", config.reset_path);
    Ok((page_routes, asset_routes))
}

fn named(mut route: Route) -> Route {
    route.name = Some("user_account::reset_page".into());
    route
}

/// The page's sentences by id, for the template's `t` (a counting one in its `other` form).
fn sentences(strings: &[PageString]) -> HashMap<String, String> {
    strings
        .iter()
        .filter(|s| matches!(s.plural, None | Some("other")))
        .map(|s| (s.key.clone(), s.text.clone()))
        .collect()
}

/// The page's template, compiled once: the embedded one, or the file of the same name in
/// `overrides`.
struct Template {
    tera: Tera,
    origin: String,
}

impl Template {
    fn compile(overrides: Option<&Path>) -> Result<Template, String> {
        let (source, origin) = match overrides.map(|dir| dir.join(TEMPLATE)) {
            Some(path) if path.is_file() => {
                let source = std::fs::read_to_string(&path)
                    .map_err(|e| format!("cannot read template {}: {e}", path.display()))?;
                (source, path.display().to_string())
            }
            _ => (EMBEDDED.to_owned(), format!("{TEMPLATE} (embedded)")),
        };
        let mut tera = Tera::default();
        tera.autoescape_on(vec![".html.tera"]);
        tera.add_raw_template(TEMPLATE, &source)
            .map_err(|e| format!("template {origin}: {}", error_chain(&e)))?;
        Ok(Template { tera, origin })
    }

    /// The page's HTML for `context`.
    fn render(&self, context: &PageContext<'_>) -> Result<String, String> {
        let context = Context::from_serialize(context)
            .map_err(|e| format!("reset page values: {}", error_chain(&e)))?;
        self.tera
            .render(TEMPLATE, &context)
            .map_err(|e| format!("template {}: {}", self.origin, error_chain(&e)))
    }
}

/// Marks a request the page (or its 405) answered, for [`finish`].
struct PageServed(bool);

/// The page's headers (see the module's documentation).
fn page_headers(res: &mut Response<'_>) {
    res.set_header(Header::new("Content-Security-Policy", CONTENT_SECURITY_POLICY));
    res.set_header(Header::new("Referrer-Policy", "no-referrer"));
    res.set_header(Header::new("Cache-Control", "no-store"));
    res.set_header(Header::new("X-Frame-Options", "DENY"));
    res.set_header(Header::new("X-Content-Type-Options", "nosniff"));
    res.set_header(Header::new("Cross-Origin-Opener-Policy", "same-origin"));
    res.remove_header("Server");
}

/// Run by the fairing's response hook, last: sets the page's headers (over Rocket's Shield, and
/// over the mount point's hardening when `reset_path` lies under the mount) and drops any
/// `Server` banner.
pub(crate) fn finish(req: &Request<'_>, res: &mut Response<'_>) {
    if req.local_cache(|| PageServed(false)).0 {
        page_headers(res);
    }
}

/// `GET <reset_path>`: the rendered page, in the language of the link's `?lang=` (the mail's)
/// when the crate speaks it, else in the browser's (`Accept-Language`), else the default.
#[derive(Clone)]
struct PageHandler {
    pages: Arc<Vec<(Lang, Arc<[u8]>)>>,
    locales: Arc<Locales>,
}

impl PageHandler {
    /// The language `req` gets the page in.
    fn language(&self, req: &Request<'_>) -> Lang {
        let chosen = req.query_value::<&str>("lang").and_then(Result::ok);
        chosen
            .and_then(|tag| self.locales.closest(tag))
            .unwrap_or_else(|| self.locales.for_accept_language(req.headers().get_one("Accept-Language")))
    }
}

#[rocket::async_trait]
impl Handler for PageHandler {
    async fn handle<'r>(&self, req: &'r Request<'_>, _data: Data<'r>) -> Outcome<'r> {
        // The headers are set by `finish`, after every other response fairing (Rocket's Shield
        // would otherwise warn that it cannot set its own `X-Frame-Options`).
        req.local_cache(|| PageServed(true));
        let lang = self.language(req);
        let Some((_, html)) = self.pages.iter().find(|(l, _)| *l == lang).or_else(|| self.pages.first())
        else {
            return Outcome::Error(Status::NotFound);
        };
        let res = Response::build()
            .status(Status::Ok)
            .header(ContentType::HTML)
            .header(Header::new("Content-Language", self.locales.tag(lang).to_owned()))
            .header(Header::new("Vary", "Accept-Language"))
            .sized_body(html.len(), Cursor::new(Arc::clone(html)))
            .finalize();
        Outcome::Success(res)
    }
}

/// Any other method at `<reset_path>`: a plain 405 with `Allow`.
#[derive(Clone)]
struct PageMethodNotAllowed;

#[rocket::async_trait]
impl Handler for PageMethodNotAllowed {
    async fn handle<'r>(&self, req: &'r Request<'_>, _data: Data<'r>) -> Outcome<'r> {
        req.local_cache(|| PageServed(true));
        let body = "This page answers GET and HEAD only.\n";
        let res = Response::build()
            .status(Status::MethodNotAllowed)
            .header(ContentType::Plain)
            .header(Header::new("Allow", "GET, HEAD"))
            .sized_body(body.len(), Cursor::new(body))
            .finalize();
        Outcome::Success(res)
    }
}

/// `GET <mount>/assets/reset-<hash>.<ext>`: a static file, cached for good. The mount point's
/// hardening adds `nosniff` and the rest, and keeps this `Cache-Control`.
#[derive(Clone)]
struct AssetHandler(Asset);

#[rocket::async_trait]
impl Handler for AssetHandler {
    async fn handle<'r>(&self, _req: &'r Request<'_>, _data: Data<'r>) -> Outcome<'r> {
        let Asset { body, content_type, .. } = self.0;
        let res = Response::build()
            .status(Status::Ok)
            .header(Header::new("Content-Type", content_type))
            .header(Header::new("Cache-Control", ASSET_CACHE_CONTROL))
            .sized_body(body.len(), Cursor::new(body))
            .finalize();
        Outcome::Success(res)
    }
}

/// Any other method on an asset: the mount point's JSON 405.
#[derive(Clone)]
struct AssetMethodNotAllowed;

#[rocket::async_trait]
impl Handler for AssetMethodNotAllowed {
    async fn handle<'r>(&self, req: &'r Request<'_>, _data: Data<'r>) -> Outcome<'r> {
        Outcome::Error(Error::MethodNotAllowed { allow: "GET, HEAD".into() }.stash(req))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn locales() -> Locales {
        Locales::load(None, "en").expect("shipped languages")
    }

    fn context(locales: &Locales, lang: Lang) -> PageContext<'_> {
        let product_name = "Acme <Accounts> & \"Co\"";
        let strings = locales.page_strings(lang, product_name, 15, 128);
        PageContext {
            product_name,
            api: "/api/users",
            script_url: "/api/users/assets/reset-0123456789abcdef.js".into(),
            style_url: "/api/users/assets/reset-0123456789abcdef.css".into(),
            icon_url: "/api/users/assets/reset-0123456789abcdef.svg".into(),
            min_length: 15,
            max_length: 128,
            self_service: true,
            lang: locales.tag(lang),
            dir: locales.dir(lang),
            t: sentences(&strings),
            strings,
        }
    }

    fn render(overrides: Option<&Path>, context: &PageContext<'_>) -> Result<String, String> {
        Template::compile(overrides)?.render(context)
    }

    #[test]
    fn the_embedded_page_renders_escaped_with_no_inline_script_or_style() {
        let locales = locales();
        let html = render(None, &context(&locales, locales.default_lang())).expect("renders");
        assert!(html.contains("Acme &lt;Accounts&gt; &amp; &quot;Co&quot;"), "{html}");
        assert!(!html.contains("<Accounts>"));
        assert!(!html.contains("<style") && !html.contains(" style="));
        // The one script element loads the asset; no handler attribute anywhere.
        assert_eq!(html.matches("<script").count(), 1);
        assert!(html.contains(
            "<script src=\"&#x2F;api&#x2F;users&#x2F;assets&#x2F;reset-0123456789abcdef.js\" defer></script>"
        ));
        let handler_attribute = html.split(" on").skip(1).any(|rest| {
            let name: String = rest.chars().take_while(char::is_ascii_lowercase).collect();
            !name.is_empty() && rest[name.len()..].starts_with('=')
        });
        assert!(!handler_attribute, "no inline event handler");
        assert!(html.contains("15 to 128 characters"));
        assert!(html.contains("<meta name=\"viewport\""));
        assert!(html.contains(r#"<html lang="en" dir="ltr">"#));
        assert!(html.contains("<title>Reset your password · Acme &lt;Accounts&gt;"), "{html}");
        assert!(html.contains(r#"For the account <strong id="email-hint"></strong>."#), "{html}");
        // The "this wasn't me" link's confirmation step and its outcomes.
        assert!(html.contains(
            "<button type=\"button\" id=\"cancel-button\" class=\"button\">Cancel this link</button>"
        ));
        for key in ["cancel-reason-cancelled-title", "cancel-reason-used-title", "cancel-error-limited"] {
            assert!(html.contains(&format!("data-key=\"{key}\"")), "{key}");
        }
        assert!(html.contains(r#"<span data-key="active" data-plural="one">{n} session is still"#), "{html}");
        assert!(html.contains(r#"<form id="new-link""#), "self-service on: the form is there");
        let off = PageContext { self_service: false, ..context(&locales, locales.default_lang()) };
        assert!(!render(None, &off).expect("renders").contains(r#"id="new-link""#), "off: no form");
    }

    #[test]
    fn every_language_renders_its_page_with_lang_dir_and_no_english_left() {
        let locales = locales();
        let english = render(None, &context(&locales, locales.default_lang())).expect("renders");
        for lang in locales.all() {
            let html = render(None, &context(&locales, lang)).expect("renders");
            let (tag, dir) = (locales.tag(lang), locales.dir(lang));
            assert!(html.contains(&format!(r#"<html lang="{tag}" dir="{dir}">"#)), "{tag}");
            assert!(html.contains(r#"<strong id="email-hint"></strong>"#), "{tag}");
            if tag != "en" {
                for sentence in ["Choose a new password", "Checking your link", "Set new password"] {
                    assert!(english.contains(sentence) && !html.contains(sentence), "{tag}: {sentence}");
                }
            }
        }
        let arabic = locales.for_tag(Some("ar"));
        assert_eq!(locales.dir(arabic), "rtl");
        let html = render(None, &context(&locales, arabic)).expect("renders");
        for category in ["zero", "one", "two", "few", "many", "other"] {
            assert!(html.contains(&format!(r#"data-key="active" data-plural="{category}""#)), "{category}");
        }
    }

    #[test]
    fn asset_names_follow_their_content() {
        let name = SCRIPT.file_name();
        assert!(name.starts_with("reset-") && name.ends_with(".js") && name.len() == "reset-.js".len() + 16);
        assert_ne!(SCRIPT.file_name().trim_end_matches(".js"), STYLE.file_name().trim_end_matches(".css"));
    }

    #[test]
    fn a_broken_override_is_refused_with_its_path() {
        let locales = locales();
        let context = context(&locales, locales.default_lang());
        let dir = std::env::temp_dir().join(format!("ua-reset-page-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("reset_page")).expect("mkdir");
        let file = dir.join(TEMPLATE);
        std::fs::write(&file, "<p>{{ product_name }} {{ api }}</p>").expect("write");
        assert_eq!(
            render(Some(&dir), &context).expect("override renders"),
            "<p>Acme &lt;Accounts&gt; &amp; &quot;Co&quot; &#x2F;api&#x2F;users</p>"
        );
        std::fs::write(&file, "{% if %}").expect("write");
        let err = render(Some(&dir), &context).expect_err("does not compile");
        assert!(err.contains("reset_page/page.html.tera"), "{err}");
        std::fs::write(&file, "{{ no_such_value }}").expect("write");
        assert!(render(Some(&dir), &context).is_err(), "an unknown value does not render");
        std::fs::remove_dir_all(&dir).ok();
    }
}
