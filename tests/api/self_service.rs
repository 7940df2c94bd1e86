//! `POST <mount>/forgot-password`: off by default; on, the same answer whatever the address,
//! the work after the answer, and limits that say nothing. Real PostgreSQL, real SMTP.

use rocket::http::{ContentType, Method, Status};
use rocket::local::asynchronous::LocalResponse;
use serde_json::{json, Value};

use crate::helpers::{app, assert_error, fixtures, spawn_app, TestApp, MOUNT};

/// An app with self-service recovery on.
async fn self_service_app() -> TestApp {
    app().set("user_account.self_service_recovery", true).spawn().await
}

/// POSTs `{"email": email}` to forgot-password from `remote`.
async fn ask<'a>(app: &'a TestApp, email: &str, remote: std::net::SocketAddr) -> LocalResponse<'a> {
    app.post_from(remote, "/forgot-password", &json!({ "email": email }), &[]).await
}

/// A fresh client address, so the per-IP limit stays out of the way.
fn client(n: u8) -> std::net::SocketAddr {
    std::net::SocketAddr::from(([192, 0, 2, n], 40000))
}

/// Status, headers (but the request id and the date) and body bytes.
async fn answer(response: LocalResponse<'_>) -> (u16, Vec<(String, String)>, Vec<u8>) {
    let status = response.status().code;
    let mut headers: Vec<(String, String)> = response
        .headers()
        .iter()
        .filter(|h| {
            !h.name().as_str().eq_ignore_ascii_case("x-request-id")
                && !h.name().as_str().eq_ignore_ascii_case("date")
        })
        .map(|h| (h.name().to_string(), h.value().to_string()))
        .collect();
    headers.sort();
    (status, headers, response.into_bytes().await.unwrap_or_default())
}

async fn audit_reasons(app: &TestApp) -> Vec<String> {
    let mut conn = app.db.conn().await;
    #[derive(diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Text)]
        reason: String,
    }
    use diesel_async::RunQueryDsl as _;
    let rows: Vec<Row> = diesel::sql_query(
        "select details->>'reason' as reason from audit_events where event = 'self_service_refused' order by id",
    )
    .load(&mut conn)
    .await
    .expect("audit");
    rows.into_iter().map(|r| r.reason).collect()
}

#[rocket::async_test]
async fn off_by_default_the_path_does_not_exist() {
    let app = spawn_app().await;
    let r = ask(&app, "ann@example.org", client(1)).await;
    assert_error(r, 404, "not_found").await;
    let doc: Value = serde_json::from_str(
        &app.get(format!("{MOUNT}/openapi.json")).dispatch().await.into_string().await.unwrap_or_default(),
    )
    .expect("the document");
    assert!(doc["paths"].get(format!("{MOUNT}/forgot-password")).is_none(), "not in the document either");
}

#[rocket::async_test]
async fn a_known_and_an_unknown_address_get_the_same_bytes_and_only_the_known_one_a_mail() {
    let app = self_service_app().await;
    let mut conn = app.db.conn().await;
    let user =
        fixtures::user_with(&mut conn, "ann@example.org", "Ann", "the old password, long enough").await;
    let known = answer(ask(&app, "Ann@Example.org", client(2)).await).await;
    let unknown = answer(ask(&app, "nobody@example.org", client(3)).await).await;
    assert_eq!(known.0, 202);
    assert_eq!(known.2, br#"{"status":"accepted"}"#.to_vec());
    assert_eq!(known, unknown, "status, headers and body are the same");
    assert_eq!(fixtures::count(&mut conn, "recovery_tokens").await, 0, "nothing is issued before the answer");
    assert_eq!(app.process_self_service().await, 2);
    assert_eq!(fixtures::count(&mut conn, "self_service_requests").await, 0, "the queue is empty again");
    assert_eq!(app.deliver_mail().await.sent, 1);
    let mails = app.smtp.received();
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].rcpt, ["ann@example.org"], "the stored address, not the typed one");
    let text = mails[0].parsed().body_text(0).expect("text").into_owned();
    assert!(text.contains("probably you") && !text.contains("administrator started"), "{text}");
    // The link works like an admin's.
    let token = fixtures::token_in(&mails[0]);
    let v = app.post("/verify-recovery-token", &json!({ "token": token }), None).await;
    assert_eq!(crate::helpers::json(v).await["valid"], true);
    assert_eq!(audit_reasons(&app).await, ["unknown_address"]);
    // The request is audited with no actor, its client address and request id.
    #[derive(diesel::QueryableByName)]
    struct Requested {
        #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
        actor_user_id: Option<String>,
        #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
        client_ip: Option<String>,
        #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
        target_user_id: Option<String>,
    }
    use diesel_async::RunQueryDsl as _;
    let row: Requested = diesel::sql_query(
        "select actor_user_id, client_ip::text as client_ip, target_user_id from audit_events where event = 'recovery_requested'",
    )
    .get_result(&mut conn)
    .await
    .expect("one request event");
    assert_eq!(row.actor_user_id, None);
    assert_eq!(row.target_user_id, Some(user.to_string()));
    assert!(row.client_ip.is_some_and(|ip| ip.starts_with("192.0.2.2")), "the asking client's address");
}

#[rocket::async_test]
async fn thirty_requests_for_one_address_give_thirty_accepts_and_three_mails() {
    let app = self_service_app().await;
    let mut conn = app.db.conn().await;
    fixtures::user_with(&mut conn, "bob@example.org", "Bob", "the old password, long enough").await;
    // As the workers run in production: each request handled, its mail sent, before the next.
    let mut sent = 0;
    for n in 0..30 {
        let r = ask(&app, "bob@example.org", client(10 + n)).await;
        assert_eq!(r.status(), Status::Accepted, "request {n}");
        assert_eq!(app.process_self_service().await, 1);
        sent += app.deliver_mail().await.sent;
    }
    assert_eq!(sent, 3, "the default per-user cap");
    assert_eq!(app.smtp.received().len(), 3);
    let reasons = audit_reasons(&app).await;
    assert_eq!(reasons.len(), 27);
    assert!(reasons.iter().all(|r| r == "user_limit"), "{reasons:?}");
}

#[rocket::async_test]
async fn a_disabled_account_and_the_deployment_cap_send_nothing_and_say_nothing() {
    let app = app()
        .set("user_account.self_service_recovery", true)
        .set("user_account.rate_limits.self_service_per_hour", 1)
        .spawn()
        .await;
    let mut conn = app.db.conn().await;
    let carol =
        fixtures::user_with(&mut conn, "carol@example.org", "Carol", "the old password, long enough").await;
    fixtures::user_with(&mut conn, "dan@example.org", "Dan", "the old password, long enough").await;
    fixtures::user_with(&mut conn, "erin@example.org", "Erin", "the old password, long enough").await;
    fixtures::disable_user(&mut conn, carol).await;
    let answers = [
        answer(ask(&app, "carol@example.org", client(50)).await).await,
        answer(ask(&app, "dan@example.org", client(51)).await).await,
        answer(ask(&app, "erin@example.org", client(52)).await).await,
    ];
    assert!(answers.iter().all(|a| *a == answers[0]), "one answer for all three");
    assert_eq!(app.process_self_service().await, 3);
    assert_eq!(app.deliver_mail().await.sent, 1, "Dan's only: Carol is disabled, Erin is over the cap");
    assert_eq!(audit_reasons(&app).await, ["not_recoverable", "global_cap"]);
}

#[rocket::async_test]
async fn malformed_requests_get_the_usual_errors_and_queue_nothing() {
    let app = self_service_app().await;
    let mut conn = app.db.conn().await;
    let post = |body: &'static str, content_type: ContentType| {
        app.req(Method::Post, format!("{MOUNT}/forgot-password"))
            .remote(client(60))
            .header(content_type)
            .body(body)
    };
    assert_error(post("{", ContentType::JSON).dispatch().await, 400, "malformed_json").await;
    assert_error(post(r#"{"email": 1}"#, ContentType::JSON).dispatch().await, 422, "invalid_body").await;
    assert_error(
        post(r#"{"email": "a@b", "x": 1}"#, ContentType::JSON).dispatch().await,
        422,
        "invalid_body",
    )
    .await;
    assert_error(post(r#"{"email": "  "}"#, ContentType::JSON).dispatch().await, 422, "invalid_field").await;
    assert_error(post(r#"{"email": "a\u0000b"}"#, ContentType::JSON).dispatch().await, 422, "invalid_field")
        .await;
    assert_error(
        post(r#"{"email": "a@b"}"#, ContentType::Plain).dispatch().await,
        415,
        "unsupported_media_type",
    )
    .await;
    assert_eq!(fixtures::count(&mut conn, "self_service_requests").await, 0);
    // The per-IP limit is the only other answer.
    let mut statuses = Vec::new();
    for _ in 0..12 {
        statuses.push(ask(&app, "nobody@example.org", client(61)).await.status().code);
    }
    assert_eq!(statuses.iter().filter(|s| **s == 202).count(), 10, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 429).count(), 2, "{statuses:?}");
}

/// Refuses every request that lacks the header `X-Challenge: solved`.
struct Challenge;

#[rocket::async_trait]
impl rocket_user_account::RequestCheck for Challenge {
    async fn allows(&self, request: &rocket::Request<'_>) -> bool {
        request.headers().get_one("X-Challenge") == Some("solved")
    }
}

#[rocket::async_test]
async fn a_hosts_check_runs_before_the_request_is_accepted() {
    let app = app().set("user_account.self_service_recovery", true).request_check(Challenge).spawn().await;
    let r = ask(&app, "ann@example.org", client(70)).await;
    assert_error(r, 403, "request_refused").await;
    let r = app
        .post_from(
            client(71),
            "/forgot-password",
            &json!({"email": "ann@example.org"}),
            &[("X-Challenge", "solved".into())],
        )
        .await;
    assert_eq!(r.status(), Status::Accepted);
}

#[rocket::async_test]
async fn requests_anybody_can_make_never_use_up_what_an_admin_needs() {
    let app = self_service_app().await;
    let mut conn = app.db.conn().await;
    fixtures::user_with(&mut conn, "frank@example.org", "Frank", "the old password, long enough").await;
    let admin = fixtures::admin(&mut conn).await;
    for n in 0..5 {
        ask(&app, "frank@example.org", client(80 + n)).await;
    }
    app.process_self_service().await;
    assert_eq!(audit_reasons(&app).await, ["user_limit", "user_limit"], "3 of the 5 sent a link");
    // The admin's own quota for Frank is untouched.
    let r =
        app.post("/password-recovery", &json!({"email": "frank@example.org"}), Some(admin.expose())).await;
    assert_eq!(r.status(), Status::Ok);
}

#[rocket::async_test]
async fn a_request_nobody_handled_in_time_sends_nothing() {
    let app = self_service_app().await;
    let mut conn = app.db.conn().await;
    fixtures::user_with(&mut conn, "gina@example.org", "Gina", "the old password, long enough").await;
    ask(&app, "gina@example.org", client(90)).await;
    fixtures::execute(&mut conn, "update self_service_requests set created_at = now() - interval '2 hours'")
        .await;
    assert_eq!(app.process_self_service().await, 1);
    assert_eq!(app.deliver_mail().await.sent, 0);
    assert_eq!(audit_reasons(&app).await, ["stale"]);
}

/// The default store, but an error for one address (a host store that breaks on a row).
struct Brittle;

#[rocket::async_trait]
impl rocket_user_account::AccountStore for Brittle {
    async fn find_by_id(
        &self,
        conn: &mut diesel_async::AsyncPgConnection,
        id: &str,
    ) -> diesel::QueryResult<Option<rocket_user_account::Account>> {
        fixtures::store().find_by_id(conn, id).await
    }
    async fn find_by_email(
        &self,
        conn: &mut diesel_async::AsyncPgConnection,
        email: &str,
    ) -> diesel::QueryResult<Option<rocket_user_account::Account>> {
        if email.starts_with("boom") {
            return Err(diesel::result::Error::DeserializationError("a row the host cannot read".into()));
        }
        fixtures::store().find_by_email(conn, email).await
    }
    async fn lock(
        &self,
        conn: &mut diesel_async::AsyncPgConnection,
        id: &str,
    ) -> diesel::QueryResult<Option<rocket_user_account::Account>> {
        fixtures::store().lock(conn, id).await
    }
    async fn set_password_hash(
        &self,
        conn: &mut diesel_async::AsyncPgConnection,
        id: &str,
        hash: &str,
    ) -> diesel::QueryResult<()> {
        fixtures::store().set_password_hash(conn, id, hash).await
    }
    async fn count_sessions(
        &self,
        conn: &mut diesel_async::AsyncPgConnection,
        id: &str,
    ) -> diesel::QueryResult<i64> {
        fixtures::store().count_sessions(conn, id).await
    }
    async fn revoke_sessions(
        &self,
        conn: &mut diesel_async::AsyncPgConnection,
        id: &str,
    ) -> diesel::QueryResult<u64> {
        fixtures::store().revoke_sessions(conn, id).await
    }
}

#[rocket::async_test]
async fn a_request_that_fails_waits_its_turn_again_and_never_holds_up_the_rest() {
    let app = app().set("user_account.self_service_recovery", true).account_store(Brittle).spawn().await;
    let mut conn = app.db.conn().await;
    fixtures::user_with(&mut conn, "hana@example.org", "Hana", "the old password, long enough").await;
    ask(&app, "boom@example.org", client(100)).await;
    ask(&app, "hana@example.org", client(101)).await;
    assert_eq!(app.process_self_service().await, 2, "the failing one, put back, then Hana's");
    assert_eq!(app.deliver_mail().await.sent, 1, "Hana's link went out");
    assert_eq!(fixtures::count(&mut conn, "self_service_requests where attempts = 1").await, 1);
    assert_eq!(app.process_self_service().await, 0, "not due again yet");
    // After the fifth failure it is dropped, and that is audited.
    for _ in 0..4 {
        fixtures::execute(&mut conn, "update self_service_requests set not_before = now()").await;
        assert_eq!(app.process_self_service().await, 1);
    }
    assert_eq!(fixtures::count(&mut conn, "self_service_requests").await, 0);
    assert_eq!(audit_reasons(&app).await, ["failed"]);
}

#[rocket::async_test]
async fn an_unreachable_account_table_ends_the_pass_and_leaves_the_request_as_it_was() {
    let app = app()
        .set("user_account.self_service_recovery", true)
        .set("user_account.lock_timeout_secs", 1)
        .spawn()
        .await;
    let mut conn = app.db.conn().await;
    fixtures::user_with(&mut conn, "ivy@example.org", "Ivy", "the old password, long enough").await;
    ask(&app, "ivy@example.org", client(110)).await;
    let mut holder = app.db.conn().await;
    fixtures::execute(&mut holder, "begin; lock table users in access exclusive mode").await;
    let service = app.client.rocket().state::<rocket_user_account::RecoveryService>().expect("the service");
    let pass = service.process_self_service().await;
    assert!(pass.is_err_and(|e| e.status().code == 503), "the pass ends with the outage");
    fixtures::execute(&mut holder, "rollback").await;
    // Not a failure of the request: it was not counted, and goes out now.
    assert_eq!(fixtures::count(&mut conn, "self_service_requests where attempts = 0").await, 1);
    assert_eq!(app.process_self_service().await, 1);
    assert_eq!(app.deliver_mail().await.sent, 1);
}
