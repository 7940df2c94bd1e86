use rocket::http::{Header, Method, Status};
use uuid::Uuid;

use crate::helpers::{app, assert_error, fixtures, spawn_app, MOUNT};

#[rocket::async_test]
async fn stored_png_is_served_with_its_type_an_etag_and_nosniff() {
    let app = spawn_app().await;
    let mut conn = app.db.conn().await;
    let id = fixtures::user(&mut conn, "pic@example.org").await;
    fixtures::png_avatar(&mut conn, id).await;

    let response = app.get(format!("{MOUNT}/{id}/avatar")).dispatch().await;
    assert_eq!(response.status(), Status::Ok);
    assert_eq!(response.content_type().map(|c| c.to_string()).as_deref(), Some("image/png"));
    assert_eq!(response.headers().get_one("X-Content-Type-Options"), Some("nosniff"));
    assert!(response.headers().get_one("Cache-Control").is_some());
    let etag = response.headers().get_one("ETag").expect("etag").to_owned();
    assert!(etag.starts_with('"') && etag.ends_with('"'), "{etag}");
    assert_eq!(response.into_bytes().await.as_deref(), Some(fixtures::PNG));

    let cached = app
        .get(format!("{MOUNT}/{id}/avatar"))
        .header(Header::new("If-None-Match", etag.clone()))
        .dispatch()
        .await;
    assert_eq!(cached.status(), Status::NotModified);
    assert_eq!(cached.headers().get_one("ETag"), Some(etag.as_str()));
    assert!(cached.into_bytes().await.unwrap_or_default().is_empty());

    let stale = app
        .get(format!("{MOUNT}/{id}/avatar"))
        .header(Header::new("If-None-Match", "\"other\""))
        .dispatch()
        .await;
    assert_eq!(stale.status(), Status::Ok);
}

#[rocket::async_test]
async fn stored_url_gives_a_redirect() {
    let app = spawn_app().await;
    let mut conn = app.db.conn().await;
    let id = fixtures::user(&mut conn, "pic@example.org").await;
    fixtures::url_avatar(&mut conn, id, "https://cdn.example.org/a.png").await;

    let response = app.get(format!("{MOUNT}/{id}/avatar")).dispatch().await;
    assert_eq!(response.status(), Status::Found);
    assert_eq!(response.headers().get_one("Location"), Some("https://cdn.example.org/a.png"));
}

#[rocket::async_test]
async fn a_hostile_url_written_behind_the_crates_back_is_not_followed() {
    let app = spawn_app().await;
    let mut conn = app.db.conn().await;
    let id = fixtures::user(&mut conn, "pic@example.org").await;
    for url in ["javascript:alert(1)", "data:text/html,<script>alert(1)</script>", "//evil.example/x"] {
        fixtures::url_avatar(&mut conn, id, url).await;
        let response = app.get(format!("{MOUNT}/{id}/avatar")).dispatch().await;
        assert!(response.headers().get_one("Location").is_none(), "{url}");
        assert_error(response, 404, "not_found").await;
    }
}

#[rocket::async_test]
async fn unknown_malformed_and_avatarless_ids_are_json_404s() {
    let app = spawn_app().await;
    let mut conn = app.db.conn().await;
    let bare = fixtures::user(&mut conn, "bare@example.org").await;
    let ids = [
        Uuid::new_v4().to_string(),
        bare.to_string(),
        "abc".into(),
        "-1".into(),
        "99999999999999999999".into(),
        "1'%20OR%201=1--".into(),
        "%00".into(),
        "x".repeat(2000),
    ];
    for id in ids {
        let response = app.get(format!("{MOUNT}/{id}/avatar")).dispatch().await;
        assert_error(response, 404, "not_found").await;
    }
}

#[rocket::async_test]
async fn outside_the_debug_profile_the_avatar_route_does_not_exist() {
    let app = app().profile("release").spawn().await;
    let mut conn = app.db.conn().await;
    let id = fixtures::user(&mut conn, "pic@example.org").await;
    fixtures::png_avatar(&mut conn, id).await;

    let get = app.get(format!("{MOUNT}/{id}/avatar")).dispatch().await;
    let mut get_error = assert_error(get, 404, "not_found").await;
    let unknown = app.get(format!("{MOUNT}/{id}/no-such-route")).dispatch().await;
    let mut unknown_error = assert_error(unknown, 404, "not_found").await;
    for error in [&mut get_error, &mut unknown_error] {
        error.as_object_mut().map(|o| o.remove("request_id"));
    }
    assert_eq!(unknown_error, get_error, "same answer as a route that does not exist");
    // Not even a 405 gives the path away.
    let post = app.req(Method::Post, format!("{MOUNT}/{id}/avatar")).dispatch().await;
    assert_error(post, 404, "not_found").await;
}

#[rocket::async_test]
async fn debug_routes_can_be_enabled_outside_the_debug_profile() {
    let app = app().profile("release").set("user_account.debug_routes", true).spawn().await;
    let mut conn = app.db.conn().await;
    let id = fixtures::user(&mut conn, "pic@example.org").await;
    fixtures::png_avatar(&mut conn, id).await;
    let response = app.get(format!("{MOUNT}/{id}/avatar")).dispatch().await;
    assert_eq!(response.status(), Status::Ok);
}
