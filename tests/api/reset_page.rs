//! The reset page (`user_account.reset_page`): on by default, served at `reset_path`
//! with its hardening headers, its assets under the mount point with their types and caching,
//! from an overridable, autoescaped template. What it does in a browser is tested in
//! `tests/browser/` (headless Chromium, `scripts/browser.sh`).

use rocket::http::{ContentType, Method};
use rocket::local::asynchronous::LocalResponse;
use sha2::{Digest as _, Sha256};
use uuid::Uuid;

use crate::helpers::{app, assert_error, assert_hardened, ignition_fails, TestApp, TestDb, MOUNT};

const PAGE: &str = "/reset-password";
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; \
                   img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

async fn page_app() -> TestApp {
    app().set("user_account.reset_page", true).spawn().await
}

/// Asserts the page's own headers (not the JSON routes' ones).
fn assert_page_headers(response: &LocalResponse<'_>, what: &str) {
    let h = response.headers();
    assert_eq!(h.get_one("Content-Security-Policy"), Some(CSP), "{what}");
    assert_eq!(h.get("Content-Security-Policy").count(), 1, "{what}: one policy");
    assert_eq!(h.get_one("Referrer-Policy"), Some("no-referrer"), "{what}");
    assert_eq!(h.get_one("Cache-Control"), Some("no-store"), "{what}");
    assert_eq!(h.get_one("X-Frame-Options"), Some("DENY"), "{what}");
    assert_eq!(h.get_one("X-Content-Type-Options"), Some("nosniff"), "{what}");
    assert!(h.get_one("Server").is_none(), "{what}: no banner");
}

/// The page's HTML after asserting a 200 with its headers.
async fn page(app: &TestApp, path: &str) -> String {
    let response = app.get(path).dispatch().await;
    assert_eq!(response.status().code, 200, "GET {path}");
    assert_page_headers(&response, path);
    assert_eq!(response.headers().get_one("Content-Type"), Some("text/html; charset=utf-8"));
    response.into_string().await.expect("a body")
}

/// Every `src` and `href` value of `html`, unescaped.
fn references(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    for attribute in [" src=\"", " href=\""] {
        for rest in html.split(attribute).skip(1) {
            let value = rest.split('"').next().unwrap_or_default();
            found.push(value.replace("&#x2F;", "/").replace("&amp;", "&"));
        }
    }
    found
}

#[rocket::async_test]
async fn the_page_is_served_by_default_and_not_when_turned_off() {
    let on = app().spawn().await;
    let assets = references(&page(&on, PAGE).await);
    assert_eq!(assets.len(), 4, "script, stylesheet, icon (link and img): {assets:?}");

    let off = app().set("user_account.reset_page", false).spawn().await;
    for method in [Method::Get, Method::Head, Method::Post] {
        let response = off.req(method, PAGE).dispatch().await;
        assert_eq!(response.status().code, 404, "{method} {PAGE}");
        assert!(response.headers().get_one("Content-Security-Policy").is_none(), "nothing of the page's");
    }
    for asset in &assets {
        assert_error(off.get(asset.as_str()).dispatch().await, 404, "not_found").await;
    }
}

#[rocket::async_test]
async fn the_page_is_hardened_self_contained_and_answers_get_and_head_only() {
    let app = page_app().await;
    let html = page(&app, PAGE).await;
    assert!(html.starts_with("<!DOCTYPE html>"), "{html}");
    assert!(html.contains("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"));
    assert!(html.contains("<title>Reset your password · Your account</title>"));
    // No inline script or style: one script element, which loads the asset, and no style at all.
    assert_eq!(html.matches("<script").count(), 1);
    assert_eq!(html.matches("<script src=").count(), 1);
    assert!(!html.contains("<style") && !html.contains(" style="), "no inline style");
    assert!(!html.contains("javascript:"));
    // Nothing from a third party: every reference is a path on this server.
    for reference in references(&html) {
        assert!(reference.starts_with('/') && !reference.starts_with("//"), "{reference}");
    }
    // The policy as configured, and the API the script calls.
    assert!(html.contains("15 to 128 characters long"));
    assert!(html.contains("data-api=\"&#x2F;api&#x2F;users\""));
    // The "this wasn't me" link's step: a confirmation whose button alone cancels, and what
    // the page says when the link was already cancelled.
    assert!(html.contains("id=\"cancel-state\""), "{html}");
    assert!(
        html.contains(
            "Someone asked to reset the password of this account. If it was not you, cancel this link; \
             your password stays as it is."
        ),
        "{html}"
    );
    assert!(html.contains("id=\"cancel-button\" class=\"button\">Cancel this link</button>"), "{html}");
    assert!(html.contains(">This link was already cancelled</span>"), "{html}");
    assert!(html.contains(">This link was cancelled</span>"), "{html}");

    let head = app.req(Method::Head, PAGE).dispatch().await;
    assert_eq!(head.status().code, 200);
    assert_page_headers(&head, "HEAD");
    assert!(head.into_string().await.unwrap_or_default().is_empty());

    for method in [Method::Post, Method::Put, Method::Delete, Method::Patch, Method::Options] {
        let response = app.req(method, PAGE).header(ContentType::JSON).body("{}").dispatch().await;
        assert_eq!(response.status().code, 405, "{method}");
        assert_eq!(response.headers().get_one("Allow"), Some("GET, HEAD"), "{method}");
        assert_page_headers(&response, "405");
    }
}

#[rocket::async_test]
async fn the_assets_resolve_with_their_types_and_are_cached_for_good() {
    let app = page_app().await;
    let html = page(&app, PAGE).await;
    let mut kinds = Vec::new();
    for url in references(&html) {
        let name = url.strip_prefix(&format!("{MOUNT}/assets/reset-")).unwrap_or_else(|| panic!("{url}"));
        let (hash, extension) = name.split_once('.').unwrap_or_else(|| panic!("{url}"));
        let response = app.get(url.as_str()).dispatch().await;
        assert_eq!(response.status().code, 200, "{url}");
        assert_hardened(&response, &url);
        assert_eq!(
            response.headers().get_one("Cache-Control"),
            Some("public, max-age=31536000, immutable"),
            "{url}"
        );
        let content_type = response.headers().get_one("Content-Type").map(str::to_owned);
        let expected = match extension {
            "js" => "text/javascript; charset=utf-8",
            "css" => "text/css; charset=utf-8",
            "svg" => "image/svg+xml",
            other => panic!("unexpected asset type {other}"),
        };
        assert_eq!(content_type.as_deref(), Some(expected), "{url}");
        let body = response.into_bytes().await.expect("a body");
        let digest: String = Sha256::digest(&body)[..8].iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hash, digest, "{url}: the name follows the content");
        kinds.push(extension.to_owned());

        let head = app.req(Method::Head, url.as_str()).dispatch().await;
        assert_eq!(head.status().code, 200, "HEAD {url}");
        let post = app.req(Method::Post, url.as_str()).header(ContentType::JSON).body("{}").dispatch().await;
        assert_eq!(post.headers().get_one("Allow").map(str::to_owned).as_deref(), Some("GET, HEAD"));
        assert_error(post, 405, "method_not_allowed").await;
    }
    kinds.sort();
    kinds.dedup();
    assert_eq!(kinds, ["css", "js", "svg"]);
    assert_error(
        app.get(format!("{MOUNT}/assets/reset-0000000000000000.js")).dispatch().await,
        404,
        "not_found",
    )
    .await;
}

#[rocket::async_test]
async fn the_page_escapes_the_product_name() {
    let app = app()
        .set("user_account.reset_page", true)
        .set("user_account.mail.product_name", "<script>alert(\"x\")</script> & Co")
        .spawn()
        .await;
    let html = page(&app, PAGE).await;
    assert!(!html.contains("<script>alert"), "{html}");
    let escaped = "&lt;script&gt;alert(&quot;x&quot;)&lt;&#x2F;script&gt; &amp; Co";
    assert!(html.contains(&format!("<title>Reset your password · {escaped}</title>")), "{html}");
    assert!(html.contains(&format!("<span class=\"product\">{escaped}</span>")), "{html}");
}

#[rocket::async_test]
async fn the_page_follows_the_mount_the_path_and_the_policy() {
    let app = app()
        .set("user_account.reset_page", true)
        .set("user_account.mount", "/accounts")
        .set("user_account.reset_path", "/account/new-password")
        .set("user_account.password.min_length", 20)
        .set("user_account.password.max_length", 64)
        .spawn()
        .await;
    let html = page(&app, "/account/new-password").await;
    assert!(html.contains("20 to 64 characters long"), "{html}");
    assert!(html.contains("data-min-length=\"20\" data-max-length=\"64\""), "{html}");
    assert!(html.contains("data-api=\"&#x2F;accounts\""), "{html}");
    for url in references(&html) {
        assert!(url.starts_with("/accounts/assets/reset-"), "{url}");
        assert_eq!(app.get(url.as_str()).dispatch().await.status().code, 200, "{url}");
    }
    assert_eq!(app.get(PAGE).dispatch().await.status().code, 404);
}

#[rocket::async_test]
async fn a_reset_path_under_the_mount_keeps_the_page_headers() {
    let app = app()
        .set("user_account.reset_page", true)
        .set("user_account.reset_path", "/api/users/reset")
        .spawn()
        .await;
    let html = page(&app, "/api/users/reset").await;
    assert!(html.contains("Choose a new password"));
}

/// A fresh folder for template overrides.
fn template_dir(page: Option<&str>) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("ua-reset-page-{}-{}", std::process::id(), Uuid::new_v4()));
    std::fs::create_dir_all(dir.join("reset_page")).expect("mkdir");
    if let Some(page) = page {
        std::fs::write(dir.join("reset_page/page.html.tera"), page).expect("write the override");
    }
    dir
}

#[rocket::async_test]
async fn a_template_folder_overrides_the_page_and_a_broken_one_stops_ignition() {
    let custom = "<!DOCTYPE html><title>{{ product_name }}</title>\
                  <script src=\"{{ script_url }}\" defer></script><p>Nieuw wachtwoord: {{ min_length }}+</p>";
    let dir = template_dir(Some(custom));
    let overridden =
        app().set("user_account.reset_page", true).set("user_account.templates", &dir).spawn().await;
    std::fs::remove_dir_all(&dir).ok(); // rendered at ignition
    let html = page(&overridden, PAGE).await;
    assert!(html.contains("<p>Nieuw wachtwoord: 15+</p>"), "{html}");
    let script = references(&html).pop().expect("the script's URL");
    assert_eq!(
        overridden.get(script.as_str()).dispatch().await.status().code,
        200,
        "the override can use the assets"
    );

    // A folder without the page's file keeps the embedded page.
    let dir = template_dir(None);
    let embedded =
        app().set("user_account.reset_page", true).set("user_account.templates", &dir).spawn().await;
    assert!(page(&embedded, PAGE).await.contains("Choose a new password"));
    std::fs::remove_dir_all(&dir).ok();

    let db = TestDb::empty().await;
    for broken in ["{% if %}", "<p>{{ no_such_value }}</p>", "{{ product_name | no_such_filter }}"] {
        let dir = template_dir(Some(broken));
        let rocket =
            app().set("user_account.reset_page", true).set("user_account.templates", &dir).rocket(&db);
        assert!(ignition_fails(rocket).await, "{broken:?} must stop ignition");
        // With the page off, its template is not used.
        let rocket =
            app().set("user_account.reset_page", false).set("user_account.templates", &dir).rocket(&db);
        assert!(!ignition_fails(rocket).await, "{broken:?} is ignored with the page off");
        std::fs::remove_dir_all(&dir).ok();
    }
}
