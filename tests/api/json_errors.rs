//! The JSON error envelope for every failure Rocket or a guard can produce under the mount
//! point, through probe routes the tests mount there.

use rocket::http::{ContentType, Header, Method};
use rocket::{get, post, routes};
use rocket_user_account::internals::JsonBody;
use rocket_user_account::Error;
use serde::Deserialize;
use serde_json::json;

use crate::helpers::{app, assert_error, fixtures, json, TestApp, MOUNT};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Probe {
    name: String,
}

#[post("/probe/json", data = "<body>")]
fn json_probe(body: JsonBody<Probe>) -> String {
    body.0.name
}

#[get("/probe/fail")]
fn failing_probe() -> Result<(), Error> {
    Err(Error::Internal("pool at postgres://secret-host/db exploded".into()))
}

async fn probe_app() -> TestApp {
    app().routes(routes![json_probe, failing_probe]).spawn().await
}

async fn post_json(
    app: &TestApp,
    body: impl Into<Vec<u8>>,
) -> rocket::local::asynchronous::LocalResponse<'_> {
    app.req(Method::Post, format!("{MOUNT}/probe/json"))
        .header(ContentType::JSON)
        .body(body.into())
        .dispatch()
        .await
}

#[rocket::async_test]
async fn a_well_formed_body_passes() {
    let app = probe_app().await;
    let response = post_json(&app, r#"{"name":"ann"}"#).await;
    assert_eq!(response.status().code, 200);
    assert_eq!(response.into_string().await.as_deref(), Some("ann"));
}

#[rocket::async_test]
async fn malformed_json_is_400() {
    let app = probe_app().await;
    for body in [r#"{"name":"#, "not json", "", r#"{"name":"a",}"#, "\u{0}"] {
        assert_error(post_json(&app, body).await, 400, "malformed_json").await;
    }
}

/// `[[[...]]]`, `depth` levels deep: valid JSON.
fn nested_arrays(depth: usize) -> String {
    format!("{}{}", "[".repeat(depth), "]".repeat(depth))
}

/// `{"a":{"a":...1...}}`, `depth` levels deep: valid JSON.
fn nested_objects(depth: usize) -> String {
    format!("{}1{}", r#"{"a":"#.repeat(depth), "}".repeat(depth))
}

/// The deep bodies below are valid JSON: what the generators make parses at a small depth.
#[test]
fn the_nesting_generators_make_valid_json() {
    for depth in [1, 3, 100] {
        for text in [nested_arrays(depth), nested_objects(depth)] {
            assert!(serde_json::from_str::<serde_json::Value>(&text).is_ok(), "{text}");
        }
    }
}

/// Asserts a JSON refusal from the parser: 400 `malformed_json` or 422 `invalid_body` (never
/// 413, which would mean the body was not parsed at all, nor a 5xx or a crash).
async fn assert_parser_refused(response: rocket::local::asynchronous::LocalResponse<'_>, what: &str) {
    let status = response.status().code;
    let code = match status {
        400 => "malformed_json",
        422 => "invalid_body",
        other => panic!("{what}: status {other}, expected a 400 or 422 JSON error"),
    };
    assert_error(response, status, code).await;
}

/// A probe whose `extra` takes any JSON value, so the parser must descend into it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AnyProbe {
    name: String,
    #[serde(default)]
    #[allow(dead_code)]
    extra: Option<serde_json::Value>,
}

#[post("/probe/any", data = "<body>")]
fn any_probe(body: JsonBody<AnyProbe>) -> String {
    body.0.name
}

#[rocket::async_test]
async fn deeply_nested_json_that_the_parser_must_descend_into_is_refused_without_a_crash() {
    let app = app().set("user_account.json_limit", "64 KiB").routes(routes![any_probe]).spawn().await;
    let post = |body: String| {
        app.req(Method::Post, format!("{MOUNT}/probe/any")).header(ContentType::JSON).body(body).dispatch()
    };
    // The parser does walk nested values: 100 levels are read to the end and accepted.
    for deep in [nested_arrays(100), nested_objects(100)] {
        let response = post(format!(r#"{{"name":"ann","extra":{deep}}}"#)).await;
        assert_eq!(response.status().code, 200);
        assert_eq!(response.into_string().await.as_deref(), Some("ann"));
    }
    // 10,000 levels of valid JSON (20 KB and 60 KB, under the limit) are a JSON 4xx, not a
    // stack overflow: an unbounded recursive parser would abort the whole test process here.
    for deep in [nested_arrays(10_000), nested_objects(10_000)] {
        assert_parser_refused(post(format!(r#"{{"name":"ann","extra":{deep}}}"#)).await, "deep value").await;
        assert_parser_refused(post(format!(r#"{{"extra":{deep},"name":"ann"}}"#)).await, "deep value first")
            .await;
    }
    // Unbalanced nesting too.
    assert_parser_refused(
        post(format!(r#"{{"name":"ann","extra":{}"#, "[".repeat(10_000))).await,
        "unbalanced",
    )
    .await;
}

#[rocket::async_test]
async fn deeply_nested_json_on_the_crates_routes_is_refused_and_changes_nothing() {
    let app = app().set("user_account.json_limit", "64 KiB").spawn().await;
    let mut conn = app.db.conn().await;
    let admin = fixtures::admin(&mut conn).await;
    let user =
        fixtures::user_with(&mut conn, "ann@example.org", "Ann", "the old password, long enough").await;
    let r = app.post("/password-recovery", &json!({"email": "ann@example.org"}), Some(admin.expose())).await;
    assert_eq!(r.status().code, 200);
    assert_eq!(app.deliver_mail().await.sent, 1);
    let token = fixtures::token_in(&app.smtp.received()[0]);
    let good = "violet tugboat quarry lantern";

    let tables = ["recovery_tokens", "mail_outbox", "audit_events"];
    let mut before = Vec::new();
    for table in tables {
        before.push(fixtures::count(&mut conn, table).await);
    }
    let hash_before = fixtures::password_hash(&mut conn, user).await;

    let raw = |path: &str, body: String, bearer: Option<&str>| {
        let mut request =
            app.req(Method::Post, format!("{MOUNT}{path}")).header(ContentType::JSON).body(body);
        if let Some(token) = bearer {
            request = request.header(Header::new("Authorization", format!("Bearer {token}")));
        }
        request.dispatch()
    };
    for deep in [nested_arrays(10_000), nested_objects(10_000)] {
        let cases = [
            ("/verify-recovery-token", format!(r#"{{"token":{deep}}}"#), None),
            ("/verify-recovery-token", format!(r#"{{"token":"{token}","extra":{deep}}}"#), None),
            // A good token and a good password, with a deep value where a field belongs or in
            // an unknown field after them: had it been accepted, the password would change.
            ("/change-password", format!(r#"{{"token":"{token}","new_password":{deep}}}"#), None),
            (
                "/change-password",
                format!(r#"{{"token":"{token}","new_password":"{good}","extra":{deep}}}"#),
                None,
            ),
            ("/password-recovery", format!(r#"{{"email":{deep}}}"#), Some(admin.expose())),
            (
                "/password-recovery",
                format!(r#"{{"email":"ann@example.org","extra":{deep}}}"#),
                Some(admin.expose()),
            ),
        ];
        for (path, body, bearer) in cases {
            assert!(body.len() < 64 * 1024, "{path}: under the limit, so the parser runs");
            assert_parser_refused(raw(path, body, bearer).await, path).await;
        }
    }

    for (table, before) in tables.iter().zip(before) {
        assert_eq!(fixtures::count(&mut conn, table).await, before, "no new row in {table}");
    }
    assert_eq!(fixtures::password_hash(&mut conn, user).await, hash_before, "the password is unchanged");
    assert_eq!(app.deliver_mail().await.sent, 0, "no mail queued");
    assert_eq!(app.smtp.received().len(), 1, "only the recovery mail arrived");
    let verdict = json(app.post("/verify-recovery-token", &json!({"token": token}), None).await).await;
    assert_eq!(verdict["valid"], true, "the token is unspent: {verdict}");
}

#[rocket::async_test]
async fn json_of_the_wrong_shape_is_422() {
    let app = probe_app().await;
    let cases = [
        r#"{"name":"a","admin":true}"#,
        r#"{"name":["a","b"]}"#,
        r#"{"name":{"x":1}}"#,
        r#"{"name":null}"#,
        r#"{"name":5}"#,
        r#"{"name":"a","name":"b"}"#,
        r#"{}"#,
        r#"[]"#,
        r#""name""#,
    ];
    for body in cases {
        let error = assert_error(post_json(&app, body).await, 422, "invalid_body").await;
        assert!(!error["message"].as_str().unwrap_or_default().contains("hunter"), "{error}");
    }
}

#[rocket::async_test]
async fn a_value_sent_in_the_wrong_place_is_not_echoed() {
    let app = probe_app().await;
    let error =
        assert_error(post_json(&app, r#"{"name":{"password":"hunter2-canary"}}"#).await, 422, "invalid_body")
            .await;
    assert!(!error.to_string().contains("hunter2-canary"), "{error}");
    let error =
        assert_error(post_json(&app, r#"{"name": 1, "x": "hunter2-canary"}"#).await, 422, "invalid_body")
            .await;
    assert!(!error.to_string().contains("hunter2-canary"), "{error}");
}

#[rocket::async_test]
async fn a_body_over_the_limit_is_413() {
    let app = probe_app().await;
    let big = format!(r#"{{"name":"{}"}}"#, "a".repeat(9 * 1024));
    assert_error(post_json(&app, big).await, 413, "body_too_large").await;
    let just_under = format!(r#"{{"name":"{}"}}"#, "a".repeat(8 * 1024 - 20));
    assert_eq!(post_json(&app, just_under).await.status().code, 200);
}

#[rocket::async_test]
async fn a_body_that_is_not_json_is_415() {
    let app = probe_app().await;
    let url = format!("{MOUNT}/probe/json");
    let body = r#"{"name":"ann"}"#;
    for ct in [Some(ContentType::Plain), Some(ContentType::Form), Some(ContentType::XML), None] {
        let mut request = app.req(Method::Post, url.as_str()).body(body);
        if let Some(ct) = ct {
            request = request.header(ct);
        }
        assert_error(request.dispatch().await, 415, "unsupported_media_type").await;
    }
    let charset = app
        .req(Method::Post, url.as_str())
        .header(Header::new("Content-Type", "application/json; charset=utf-8"))
        .body(body);
    assert_eq!(charset.dispatch().await.status().code, 200);
}

#[rocket::async_test]
async fn a_wrong_method_is_405_with_allow() {
    let app = probe_app().await;
    let url = format!("{MOUNT}/probe/json");
    // Test-mounted routes are the host's: the crate's 405 answers cover its own paths. The
    // avatar path is the crate's in debug mode.
    let avatar = format!("{MOUNT}/00000000-0000-0000-0000-000000000000/avatar");
    for response in [
        app.req(Method::Post, avatar.as_str()).dispatch().await,
        app.req(Method::Put, avatar.as_str()).dispatch().await,
        app.req(Method::Delete, avatar.as_str()).dispatch().await,
    ] {
        assert_eq!(response.headers().get_one("Allow"), Some("GET, HEAD"));
        assert_error(response, 405, "method_not_allowed").await;
    }
    // An unknown path under the mount point is a JSON 404, whatever the method.
    assert_error(app.get(url.replace("json", "nothing")).dispatch().await, 404, "not_found").await;
}

#[rocket::async_test]
async fn an_internal_error_is_a_generic_500() {
    let app = probe_app().await;
    let error =
        assert_error(app.get(format!("{MOUNT}/probe/fail")).dispatch().await, 500, "internal_error").await;
    assert!(!error.to_string().contains("secret-host"), "{error}");
}

#[rocket::async_test]
async fn the_hosts_own_catchers_outside_the_mount_point_are_untouched() {
    let app = probe_app().await;
    let response = app.get("/somewhere-else").dispatch().await;
    assert_eq!(response.status().code, 404);
    assert_eq!(response.content_type(), Some(ContentType::HTML), "Rocket's default catcher answers there");
}
