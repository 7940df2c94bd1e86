//! The JSON error envelope for every failure Rocket or a guard can produce under the mount
//! point, through probe routes the tests mount there.

use rocket::http::{ContentType, Header};
use rocket::{get, post, routes};
use rocket_user_account::json::JsonBody;
use rocket_user_account::Error;
use serde::Deserialize;

use crate::helpers::{app, assert_error, TestApp, MOUNT};

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
    app.client
        .post(format!("{MOUNT}/probe/json"))
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

#[rocket::async_test]
async fn deeply_nested_json_is_refused_without_recursing() {
    let app = crate::helpers::app()
        .set("user_account.json_limit", "64 KiB")
        .routes(routes![json_probe])
        .spawn()
        .await;
    let deep = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
    // A sequence where an object belongs is refused at the first bracket.
    assert_error(post_json(&app, deep(10_000)).await, 422, "invalid_body").await;
    assert_error(post_json(&app, format!(r#"{{"name":{}}}"#, deep(10_000))).await, 422, "invalid_body").await;
    assert_error(
        post_json(&app, format!(r#"{{"name":"a","x":{}}}"#, deep(10_000))).await,
        422,
        "invalid_body",
    )
    .await;
    // Unbalanced nesting is malformed.
    assert_error(post_json(&app, "[".repeat(10_000)).await, 422, "invalid_body").await;
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
        let mut request = app.client.post(url.as_str()).body(body);
        if let Some(ct) = ct {
            request = request.header(ct);
        }
        assert_error(request.dispatch().await, 415, "unsupported_media_type").await;
    }
    let charset = app
        .client
        .post(url.as_str())
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
        app.client.post(avatar.as_str()).dispatch().await,
        app.client.put(avatar.as_str()).dispatch().await,
        app.client.delete(avatar.as_str()).dispatch().await,
    ] {
        assert_eq!(response.headers().get_one("Allow"), Some("GET, HEAD"));
        assert_error(response, 405, "method_not_allowed").await;
    }
    // An unknown path under the mount point is a JSON 404, whatever the method.
    assert_error(app.client.get(url.replace("json", "nothing")).dispatch().await, 404, "not_found").await;
}

#[rocket::async_test]
async fn an_internal_error_is_a_generic_500() {
    let app = probe_app().await;
    let error =
        assert_error(app.client.get(format!("{MOUNT}/probe/fail")).dispatch().await, 500, "internal_error")
            .await;
    assert!(!error.to_string().contains("secret-host"), "{error}");
}

#[rocket::async_test]
async fn the_hosts_own_catchers_outside_the_mount_point_are_untouched() {
    let app = probe_app().await;
    let response = app.client.get("/somewhere-else").dispatch().await;
    assert_eq!(response.status().code, 404);
    assert_eq!(response.content_type(), Some(ContentType::HTML), "Rocket's default catcher answers there");
}
