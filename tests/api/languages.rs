//! Recovery in the user's own language: the account's locale (or the admin's `locale`) picks
//! the mail's language, the link carries it to the reset page, and the API's sentences follow
//! `Accept-Language`. Real PostgreSQL, real SMTP on loopback.

use rocket::http::{ContentType, Header, Method, Status};
use rocket::local::asynchronous::LocalResponse;
use serde_json::json;
use uuid::Uuid;

use crate::helpers::{
    app, assert_error, fixtures, ignition_fails, smtp::Received, spawn_app, TestApp, TestDb, MOUNT,
};

/// POSTs `body` as JSON to `path` under the mount point with `headers`.
async fn post_with<'a>(
    app: &'a TestApp,
    path: &str,
    body: &serde_json::Value,
    headers: &[Header<'static>],
) -> LocalResponse<'a> {
    let mut request =
        app.req(Method::Post, format!("{MOUNT}{path}")).header(ContentType::JSON).body(body.to_string());
    for header in headers {
        request = request.header(header.clone());
    }
    request.dispatch().await
}

/// A user with `locale` (none: no locale), an admin's recovery for them with `body_locale`,
/// and the mail that arrived.
async fn recovery_mail(
    app: &TestApp,
    email: &str,
    locale: Option<&str>,
    body_locale: Option<&str>,
) -> Received {
    let mut conn = app.db.conn().await;
    let admin_id = fixtures::user(&mut conn, &format!("admin.{email}")).await;
    let admin = fixtures::session(&mut conn, admin_id, &["admin"]).await;
    let user = fixtures::user_with(&mut conn, email, "Jürgen", "the old password, long enough").await;
    set_locale(&mut conn, user, locale).await;
    let mut body = json!({ "email": email });
    if let Some(tag) = body_locale {
        body["locale"] = json!(tag);
    }
    let r = app.post("/password-recovery", &body, Some(admin.expose())).await;
    assert_eq!(r.status(), Status::Ok, "an unknown or odd locale is never an error");
    assert_eq!(app.deliver_mail().await.sent, 1);
    app.smtp.received().pop().expect("the recovery mail")
}

async fn set_locale(conn: &mut diesel_async::AsyncPgConnection, user: Uuid, locale: Option<&str>) {
    let value = locale.map_or_else(|| "null".to_owned(), |l| format!("'{l}'"));
    fixtures::execute(conn, &format!("update users set locale = {value} where id = '{user}'")).await;
}

/// The mail's `Content-Language`, its HTML's `<html lang dir>`, its subject and text part.
fn language_of(mail: &Received) -> (String, String, String, String) {
    let parsed = mail.parsed();
    let raw = mail.raw();
    let header =
        raw.lines().find_map(|l| l.strip_prefix("Content-Language: ")).unwrap_or_default().trim().to_owned();
    let html = parsed.body_html(0).expect("an HTML part").into_owned();
    let start = html.find("<html ").expect("an html element");
    let element = html[start..start + html[start..].find('>').expect("closed")].to_owned();
    let subject = parsed.subject().unwrap_or_default().to_owned();
    (header, element, subject, parsed.body_text(0).expect("a text part").into_owned())
}

#[rocket::async_test]
async fn a_german_account_gets_a_german_mail_whose_link_opens_a_german_page() {
    let app = spawn_app().await;
    let mail = recovery_mail(&app, "juergen@example.org", Some("de"), None).await;
    let (header, html, subject, text) = language_of(&mail);
    assert_eq!(header, "de");
    assert_eq!(html, r#"<html lang="de" dir="ltr""#);
    assert!(subject.contains("Passwort"), "{subject}");
    assert!(text.contains("Jürgen,") && text.contains("Passwort"), "{text}");
    assert!(text.contains("UTC") && text.contains(" 20"), "a German date with its zone: {text}");
    assert!(text.contains("/reset-password?lang=de#token="), "the link carries the language: {text}");
    // The token is only in the fragment, so the query (the part a server log sees) holds no token.
    let token = fixtures::token_in(&mail);
    let link = text.split_whitespace().find(|w| w.contains("#token=")).expect("the link");
    assert!(!link.split('#').next().unwrap_or_default().contains(&token), "{link}");
    let r = app.get("/reset-password?lang=de").header(Header::new("Accept-Language", "fr")).dispatch().await;
    assert_eq!(r.headers().get_one("Content-Language"), Some("de"), "the mail's language, not the browser's");
    let page = r.into_string().await.unwrap_or_default();
    assert!(page.contains(r#"<html lang="de" dir="ltr">"#) && page.contains("Neues Passwort"), "{page}");
}

#[rocket::async_test]
async fn the_admins_locale_overrides_the_accounts_for_that_mail() {
    let app = spawn_app().await;
    let mail = recovery_mail(&app, "kenji@example.org", Some("de"), Some("ja")).await;
    let (header, html, subject, text) = language_of(&mail);
    assert_eq!(header, "ja");
    assert_eq!(html, r#"<html lang="ja" dir="ltr""#);
    assert!(subject.contains("パスワード"), "{subject}");
    assert!(text.contains("?lang=ja#token="), "{text}");
}

#[rocket::async_test]
async fn an_unknown_locale_falls_back_to_the_default_and_a_close_one_to_its_language() {
    let app = spawn_app().await;
    let (header, html, subject, _) =
        language_of(&recovery_mail(&app, "xx@example.org", Some("xx-YY"), None).await);
    assert_eq!((header.as_str(), html.as_str()), ("en", r#"<html lang="en" dir="ltr""#));
    assert!(subject.ends_with("reset your password"), "{subject}");
    let (header, ..) = language_of(&recovery_mail(&app, "pt@example.org", Some("pt-PT"), None).await);
    assert_eq!(header, "pt-BR", "pt-PT falls back to the Portuguese the server ships");
    let (header, html, ..) =
        language_of(&recovery_mail(&app, "odd@example.org", None, Some("not a tag!")).await);
    assert_eq!((header.as_str(), html.as_str()), ("en", r#"<html lang="en" dir="ltr""#));
    let (header, html, ..) = language_of(&recovery_mail(&app, "layla@example.org", Some("ar"), None).await);
    assert_eq!((header.as_str(), html.as_str()), ("ar", r#"<html lang="ar" dir="rtl""#));
}

#[rocket::async_test]
async fn the_api_speaks_accept_language_and_the_codes_stay_english() {
    let app = spawn_app().await;
    let mail = recovery_mail(&app, "greta@example.org", None, None).await;
    let token = fixtures::token_in(&mail);
    let weak = json!({"token": token, "new_password": "password"});
    let r = post_with(&app, "/change-password", &weak, &[Header::new("Accept-Language", "de-CH, en;q=0.5")])
        .await;
    assert_eq!(r.headers().get_one("Content-Language"), Some("de"));
    let error = assert_error(r, 422, "weak_password").await;
    assert!(error["message"].as_str().unwrap_or_default().contains("Passwort"), "{error}");
    assert_eq!(error["details"]["reason"], "too_short", "codes and reasons stay English");
    let guessable = json!({"token": token, "new_password": "passwordpassword1"});
    let r = post_with(&app, "/change-password", &guessable, &[Header::new("Accept-Language", "de")]).await;
    let error = assert_error(r, 422, "weak_password").await;
    let english = app.post("/change-password", &guessable, None).await;
    let english = assert_error(english, 422, "weak_password").await;
    assert_eq!(english["details"]["reason"], "too_guessable");
    assert_ne!(error["details"]["warning"], english["details"]["warning"], "{error} {english}");
    assert!(error["details"]["warning"].is_string(), "{error}");
    // A language the server does not speak: the default, said so.
    let r =
        post_with(&app, "/verify-recovery-token", &json!({}), &[Header::new("Accept-Language", "xx")]).await;
    assert_eq!(r.headers().get_one("Content-Language"), Some("en"));
    let error = assert_error(r, 422, "invalid_body").await;
    assert!(error["message"].as_str().unwrap_or_default().starts_with("The request body"), "{error}");
    // A catcher's sentence too.
    let r = app
        .get(format!("{MOUNT}/no-such-route"))
        .header(Header::new("Accept-Language", "fr"))
        .dispatch()
        .await;
    assert_eq!(r.headers().get_one("Content-Language"), Some("fr"));
    let error = assert_error(r, 404, "not_found").await;
    assert_ne!(error["message"], "No such resource.", "{error}");
}

#[rocket::async_test]
async fn the_page_without_a_link_speaks_the_browsers_language() {
    let app = spawn_app().await;
    for (accept, lang, dir) in
        [("fr-CA,fr;q=0.9", "fr", "ltr"), ("ar", "ar", "rtl"), ("xx", "en", "ltr"), ("", "en", "ltr")]
    {
        let r = app.get("/reset-password").header(Header::new("Accept-Language", accept)).dispatch().await;
        assert_eq!(r.headers().get_one("Content-Language"), Some(lang), "{accept}");
        assert_eq!(r.headers().get_one("Vary"), Some("Accept-Language"));
        let page = r.into_string().await.unwrap_or_default();
        assert!(page.contains(&format!(r#"<html lang="{lang}" dir="{dir}">"#)), "{accept}");
    }
    // A `?lang=` the server does not speak leaves the choice to the browser.
    let r = app.get("/reset-password?lang=xx").header(Header::new("Accept-Language", "es")).dispatch().await;
    assert_eq!(r.headers().get_one("Content-Language"), Some("es"));
}

#[rocket::async_test]
async fn default_locale_sets_the_language_of_an_account_without_one() {
    let app = app().set("user_account.default_locale", "de").spawn().await;
    let (header, ..) = language_of(&recovery_mail(&app, "no.locale@example.org", None, None).await);
    assert_eq!(header, "de");
}

/// A `templates` folder with `locales/<tag>/<file>` holding `text`.
fn host_locales(name: &str, tag: &str, file: &str, text: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("ua-host-locales-{name}-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("locales").join(tag)).expect("mkdir");
    std::fs::write(dir.join("locales").join(tag).join(file), text).expect("write");
    dir
}

#[rocket::async_test]
async fn a_broken_or_incomplete_host_language_stops_ignition_and_a_good_rewording_applies() {
    let db = TestDb::empty().await;
    let missing =
        host_locales("missing", "it", "mail.ftl", "recovery-subject = { $product_name }: reimposta\n");
    assert!(ignition_fails(app().set("user_account.templates", &missing).rocket(&db)).await);
    let broken = host_locales("broken", "de", "api.ftl", "error-not-found = { $detail\n");
    assert!(ignition_fails(app().set("user_account.templates", &broken).rocket(&db)).await);
    assert!(ignition_fails(app().set("user_account.default_locale", "xx").rocket(&db)).await);
    let reworded = host_locales("reworded", "de", "api.ftl", "error-not-found = Gibt es hier nicht.\n");
    let app = app().set("user_account.templates", &reworded).spawn().await;
    let r = app
        .get(format!("{MOUNT}/no-such-route"))
        .header(Header::new("Accept-Language", "de"))
        .dispatch()
        .await;
    assert_eq!(assert_error(r, 404, "not_found").await["message"], "Gibt es hier nicht.");
    for dir in [missing, broken, reworded] {
        std::fs::remove_dir_all(dir).ok();
    }
}
