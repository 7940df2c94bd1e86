//! Headers on every response, the audit trail, and purging.

use rocket::http::{ContentType, Method};
use rocket::local::asynchronous::LocalResponse;
use serde_json::json;

use crate::helpers::{assert_hardened, assert_json_no_store, fixtures, json, spawn_app, MOUNT};

#[rocket::async_test]
async fn every_response_under_the_mount_point_carries_the_security_headers() {
    // Rocket's default `ident` is on: the crate still sends no banner on its routes.
    let app = spawn_app().await;
    let mut conn = app.db.conn().await;
    let admin = fixtures::admin(&mut conn).await;
    let ann = fixtures::user(&mut conn, "ann@example.org").await;
    fixtures::png_avatar(&mut conn, ann).await;
    let token = rocket_user_account::internals::PlainToken::generate();

    let cases: Vec<(&str, LocalResponse<'_>, u16)> = vec![
        (
            "recovery 200",
            app.post("/password-recovery", &json!({"email": "ann@example.org"}), Some(admin.expose())).await,
            200,
        ),
        (
            "recovery 401",
            app.post("/password-recovery", &json!({"email": "ann@example.org"}), None).await,
            401,
        ),
        (
            "recovery 404",
            app.post("/password-recovery", &json!({"email": "x@example.org"}), Some(admin.expose())).await,
            404,
        ),
        (
            "verify 200",
            app.post("/verify-recovery-token", &json!({"token": token.expose()}), None).await,
            200,
        ),
        (
            "change 400",
            app.post("/change-password", &json!({"token": "x", "new_password": "y"}), None).await,
            400,
        ),
        ("change 422", app.post("/change-password", &json!({"token": 1}), None).await, 422),
        ("catcher 404", app.get(format!("{MOUNT}/nothing/here")).dispatch().await, 404),
        ("catcher 405", app.get(format!("{MOUNT}/change-password")).dispatch().await, 405),
        (
            "catcher 415",
            app.req(Method::Post, format!("{MOUNT}/verify-recovery-token"))
                .header(ContentType::Plain)
                .body("x")
                .dispatch()
                .await,
            415,
        ),
        (
            "catcher 413",
            app.post("/verify-recovery-token", &json!({"token": "a".repeat(9000)}), None).await,
            413,
        ),
    ];
    for (what, response, status) in &cases {
        assert_eq!(response.status().code, *status, "{what}");
        assert_json_no_store(response, what);
    }
    // The request id in the header is the one in the error body.
    let response = app.get(format!("{MOUNT}/nothing")).dispatch().await;
    let id = response.headers().get_one("X-Request-Id").map(str::to_owned);
    assert_eq!(json(response).await["error"]["request_id"].as_str().map(str::to_owned), id);

    // The avatar keeps its image type and may be cached.
    let avatar = app.get(format!("{MOUNT}/{ann}/avatar")).dispatch().await;
    assert_hardened(&avatar, "avatar");
    assert_eq!(avatar.content_type(), Some(ContentType::PNG));
    assert_eq!(avatar.headers().get_one("Cache-Control"), Some("private, max-age=300"));
}

#[rocket::async_test]
async fn trace_and_other_methods_are_refused_as_json() {
    let app = spawn_app().await;
    for response in [
        app.req(Method::Put, format!("{MOUNT}/password-recovery")).dispatch().await,
        app.req(Method::Delete, format!("{MOUNT}/change-password")).dispatch().await,
        app.get(format!("{MOUNT}/verify-recovery-token")).dispatch().await,
    ] {
        assert_eq!(response.status().code, 405);
        assert_eq!(response.headers().get_one("Allow"), Some("POST"));
        assert_json_no_store(&response, "405");
    }
    let trace = app.req(Method::Trace, format!("{MOUNT}/change-password")).dispatch().await;
    assert!(matches!(trace.status().code, 404 | 405), "{}", trace.status());
}

#[rocket::async_test]
async fn refused_authorization_is_audited_with_request_id_and_client_ip() {
    let app = spawn_app().await;
    let mut conn = app.db.conn().await;
    let user = fixtures::user(&mut conn, "plain@example.org").await;
    let plain = fixtures::session(&mut conn, user, &[]).await;
    let remote = "203.0.113.7:5555".parse().expect("addr");
    let r = app.post_from(remote, "/password-recovery", &json!({"user_id": user}), &[]).await;
    assert_eq!(r.status().code, 401);
    let request_id = r.headers().get_one("X-Request-Id").expect("id").to_owned();
    let bearer = ("Authorization", format!("Bearer {}", plain.expose()));
    assert_eq!(
        app.post_from(remote, "/password-recovery", &json!({"user_id": user}), &[bearer]).await.status().code,
        403
    );
    assert_eq!(
        fixtures::count(&mut conn, "audit_events where event = 'authz_fail' and client_ip = '203.0.113.7'")
            .await,
        2
    );
    assert_eq!(
        fixtures::count(&mut conn, &format!("audit_events where request_id = '{request_id}'")).await,
        1
    );
}

#[rocket::async_test]
async fn old_tokens_finished_mails_and_rate_windows_are_purged() {
    let app = spawn_app().await;
    let mut conn = app.db.conn().await;
    let admin = fixtures::admin(&mut conn).await;
    let old = fixtures::user(&mut conn, "old@example.org").await;
    fixtures::user(&mut conn, "new@example.org").await;
    for email in ["old@example.org", "new@example.org"] {
        let r = app.post("/password-recovery", &json!({"email": email}), Some(admin.expose())).await;
        assert_eq!(r.status().code, 200);
    }
    app.deliver_mail().await;
    fixtures::execute(&mut conn, &format!(
        "update recovery_tokens set created_at = now() - interval '9 days', expires_at = now() - interval '8 days' where user_id = '{old}'"
    )).await;
    fixtures::execute(&mut conn, "insert into rate_limit_counters values ('public_ip_hour', '192.0.2.1', now() - interval '3 days', 5)").await;
    // Both mails are sent; the fresh token's one was finished eight days ago.
    fixtures::execute(&mut conn, "update mail_outbox set updated_at = now() - interval '8 days'").await;
    let queue = app.client.rocket().state::<rocket_user_account::internals::MailQueue>().expect("queue");
    let pool = rocket_db_pools::Database::fetch(app.client.rocket())
        .map(rocket_user_account::internals::Db::pool)
        .expect("pool");
    let purged = queue.purge(&pool).await.expect("purge");
    // The old token, the fresh token's finished mail and the old window (the old token's mail
    // goes with its token, not counted apart); the fresh audit events stay.
    assert_eq!(purged, 3);
    assert_eq!(fixtures::count(&mut conn, "recovery_tokens").await, 1, "the fresh token stays");
    assert_eq!(fixtures::count(&mut conn, "mail_outbox").await, 0, "the old token's mail went with it");
    assert_eq!(fixtures::count(&mut conn, "rate_limit_counters where subject = '192.0.2.1'").await, 0);
}

#[rocket::async_test]
async fn paths_that_rocket_routes_under_the_mount_get_the_same_headers_whatever_their_spelling() {
    // Rocket routes on percent-decoded, non-empty segments: these reach the crate's routes and
    // catchers, so they must be hardened like the plain spelling.
    let live = crate::helpers::app().launch().await;
    let token = rocket_user_account::internals::PlainToken::generate();
    let body = json!({"token": token.expose()}).to_string();
    for path in [
        "/api/users/verify-recovery-token",
        "/api//users/verify-recovery-token",
        "/api/%75sers/verify-recovery-token",
        "//api/users//verify-recovery-token",
        "/api/users/%76erify-recovery-token",
        "/api//users/nothing-here",
    ] {
        let r = live.post(path, &body, "").await;
        let head = r.head.to_lowercase();
        assert!(matches!(r.status, 200 | 404), "{path}: {r:?}");
        for header in [
            "x-request-id: ",
            "x-content-type-options: nosniff",
            "referrer-policy: no-referrer",
            "cache-control: no-store",
            "content-type: application/json",
        ] {
            assert!(head.contains(header), "{path}: no `{header}` in {head}");
        }
        assert!(!head.contains("\r\nserver:"), "{path}: a banner in {head}");
    }
    // Paths outside the mount keep the host's defaults (Rocket's banner included).
    let r = live.post("/api/usersx/verify-recovery-token", &body, "").await;
    assert!(!r.head.to_lowercase().contains("x-request-id"), "{r:?}");
}

#[rocket::async_test]
async fn audit_events_are_kept_for_the_retention_period_then_purged() {
    let app = crate::helpers::app().set("user_account.audit_retention_days", 30).spawn().await;
    let mut conn = app.db.conn().await;
    for age in [1, 29, 31, 400] {
        fixtures::execute(
            &mut conn,
            &format!(
                "insert into audit_events (occurred_at, event, details) \
                 values (now() - interval '{age} days', 'authz_fail', '{{\"age\": {age}}}')"
            ),
        )
        .await;
    }
    let queue = app.client.rocket().state::<rocket_user_account::internals::MailQueue>().expect("queue");
    let pool = rocket_db_pools::Database::fetch(app.client.rocket())
        .map(rocket_user_account::internals::Db::pool)
        .expect("pool");
    queue.purge(&pool).await.expect("purge");
    let kept = fixtures::count(&mut conn, "audit_events where (details->>'age')::int in (1, 29)").await;
    let gone = fixtures::count(&mut conn, "audit_events where (details->>'age')::int in (31, 400)").await;
    assert_eq!((kept, gone), (2, 0));
}
