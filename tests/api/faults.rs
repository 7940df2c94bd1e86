//! Failure is closed and quiet: the database going away, SMTP misbehaving.

use std::time::{Duration, Instant};

use rocket::local::asynchronous::LocalResponse;
use serde_json::json;

use crate::helpers::db::admin_execute;
use crate::helpers::{
    app, assert_error, assert_json_no_store, fixtures, spawn_app, Mode, SmtpServer, TestApp, MOUNT,
};

async fn refuse_connections(app: &TestApp, refuse: bool) {
    let name = &app.db.name;
    admin_execute(&format!("alter database {name} allow_connections {}", !refuse)).await;
    if refuse {
        admin_execute(&format!(
            "select pg_terminate_backend(pid) from pg_stat_activity where datname = '{name}' and pid <> pg_backend_pid()"
        ))
        .await;
    }
}

async fn assert_quiet_503(started: Instant, response: LocalResponse<'_>, what: &str) {
    assert!(started.elapsed() < Duration::from_secs(5), "{what}: answered after {:?}", started.elapsed());
    assert_json_no_store(&response, what);
    let error = assert_error(response, 503, "service_unavailable").await;
    let text = error.to_string().to_lowercase();
    for leak in ["postgres", "database", "fatal", "connection", "diesel"] {
        assert!(!text.contains(leak), "{what}: {error}");
    }
}

#[rocket::async_test]
async fn with_the_database_gone_every_route_answers_a_quiet_503_and_recovers_by_itself() {
    let app = spawn_app().await;
    let mut conn = app.db.conn().await;
    let admin = fixtures::admin(&mut conn).await;
    let ann = fixtures::user(&mut conn, "ann@example.org").await;
    fixtures::png_avatar(&mut conn, ann).await;
    assert_eq!(
        app.post("/password-recovery", &json!({"user_id": ann}), Some(admin.expose())).await.status().code,
        200
    );
    app.deliver_mail().await;
    let token = fixtures::token_in(&app.smtp.received()[0]);
    drop(conn);

    refuse_connections(&app, true).await;
    let recovery = json!({"user_id": ann});
    let t = Instant::now();
    assert_quiet_503(t, app.post("/password-recovery", &recovery, Some(admin.expose())).await, "recovery")
        .await;
    let t = Instant::now();
    assert_quiet_503(t, app.post("/verify-recovery-token", &json!({"token": token}), None).await, "verify")
        .await;
    let t = Instant::now();
    let change = json!({"token": token, "new_password": "violet tugboat quarry lantern"});
    assert_quiet_503(t, app.post("/change-password", &change, None).await, "change").await;
    let t = Instant::now();
    assert_quiet_503(t, app.get(format!("{MOUNT}/{ann}/avatar")).dispatch().await, "avatar").await;
    assert_eq!(app.smtp.received().len(), 1, "no mail went out while the database was away");

    refuse_connections(&app, false).await;
    let verified = app.post("/verify-recovery-token", &json!({"token": token}), None).await;
    assert_eq!(crate::helpers::json(verified).await["valid"], true, "the token survived the outage");
    assert_eq!(app.post("/change-password", &change, None).await.status().code, 200);
}

#[rocket::async_test]
async fn a_stalled_or_dropped_smtp_exchange_is_retried_and_the_mail_arrives_once() {
    for mode in [Mode::Stall, Mode::Drop] {
        let server = SmtpServer::start();
        server.set_mode(mode);
        let app = app().smtp(&server).set("user_account.mail.smtp_timeout_secs", 1).spawn().await;
        let mut conn = app.db.conn().await;
        let admin = fixtures::admin(&mut conn).await;
        fixtures::user(&mut conn, "ann@example.org").await;
        assert_eq!(
            app.post("/password-recovery", &json!({"email": "ann@example.org"}), Some(admin.expose()))
                .await
                .status()
                .code,
            200
        );

        let started = Instant::now();
        let report = app.deliver_mail().await;
        assert_eq!((report.sent, report.retried), (0, 1), "{mode:?}");
        // The attempt's deadline (1 s here) bounds a server that never answers.
        assert!(started.elapsed() < Duration::from_secs(5), "{mode:?}: {:?}", started.elapsed());
        server.set_mode(Mode::Accept);
        fixtures::execute(&mut conn, "update mail_outbox set next_attempt_at = now()").await;
        assert_eq!(app.deliver_mail().await.sent, 1, "{mode:?}");
        assert_eq!(server.received().len(), 1, "{mode:?}: exactly once");
    }
}

#[rocket::async_test]
async fn two_instances_racing_a_hundred_redemptions_of_one_token_give_one_success() {
    let first = spawn_app().await;
    let second = app().spawn_beside(&first).await;
    let mut conn = first.db.conn().await;
    let admin = fixtures::admin(&mut conn).await;
    let ann = fixtures::user(&mut conn, "ann@example.org").await;
    assert_eq!(
        first.post("/password-recovery", &json!({"user_id": ann}), Some(admin.expose())).await.status().code,
        200
    );
    first.deliver_mail().await;
    let token = fixtures::token_in(&first.smtp.received()[0]);

    let attempts = (0..100u8).map(|i| {
        let app = if i % 2 == 0 { &first } else { &second };
        let password = format!("violet tugboat quarry lantern {i}");
        let body = json!({"token": token, "new_password": password});
        // A hundred clients, one address each: the per-IP limit is not what this is about.
        let client = std::net::SocketAddr::from(([203, 0, 113, i], 40000));
        async move { (app.post_from(client, "/change-password", &body, &[]).await.status().code, password) }
    });
    let results = futures::future::join_all(attempts).await;
    let winners: Vec<&String> = results.iter().filter(|(s, _)| *s == 200).map(|(_, p)| p).collect();
    assert_eq!(winners.len(), 1, "{:?}", results.iter().map(|r| r.0).collect::<Vec<_>>());
    assert!(results.iter().all(|(s, _)| matches!(s, 200 | 400)));
    let hash = fixtures::password_hash(&mut conn, ann).await.unwrap_or_default();
    assert!(rocket_user_account::internals::verify(&hash, winners[0]));
    assert_eq!(fixtures::count(&mut conn, "mail_outbox where kind = 'password_changed'").await, 1);
}

#[rocket::async_test]
async fn a_failure_after_the_claim_rolls_the_whole_change_back() {
    let app = spawn_app().await;
    let mut conn = app.db.conn().await;
    let admin = fixtures::admin(&mut conn).await;
    let ann = fixtures::user_with(&mut conn, "ann@example.org", "Ann", "the old password, long enough").await;
    assert_eq!(
        app.post("/password-recovery", &json!({"user_id": ann}), Some(admin.expose())).await.status().code,
        200
    );
    app.deliver_mail().await;
    let token = fixtures::token_in(&app.smtp.received()[0]);
    let before = fixtures::password_hash(&mut conn, ann).await;
    // The password update, which comes after the token is claimed, fails an integrity check
    // (a bug, so 500; a failure of the database's state, such as a killed connection, is a
    // 503: see `resources::a_connection_terminated_mid_request_is_a_503_and_changes_nothing`).
    fixtures::execute(
        &mut conn,
        "create function fail_password_update() returns trigger language plpgsql as \
         $$ begin raise exception 'injected failure' using errcode = 'check_violation'; end $$; \
         create trigger fail_password_update before update of password_hash on users \
         for each row execute function fail_password_update();",
    )
    .await;
    let change = json!({"token": token, "new_password": "violet tugboat quarry lantern"});
    let error = assert_error(app.post("/change-password", &change, None).await, 500, "internal_error").await;
    assert!(!error.to_string().contains("injected"), "{error}");
    assert_eq!(fixtures::password_hash(&mut conn, ann).await, before, "password unchanged");
    assert_eq!(fixtures::count(&mut conn, "mail_outbox where kind = 'password_changed'").await, 0);
    let verified = app.post("/verify-recovery-token", &json!({"token": token}), None).await;
    assert_eq!(crate::helpers::json(verified).await["valid"], true, "the token was not spent");
    fixtures::execute(&mut conn, "drop trigger fail_password_update on users").await;
    assert_eq!(app.post("/change-password", &change, None).await.status().code, 200);
}

#[rocket::async_test]
async fn with_the_pool_exhausted_requests_get_a_503_within_the_checkout_timeout() {
    let app = app()
        .set("databases.user_account.max_connections", 1)
        .set("databases.user_account.connect_timeout", 1)
        .spawn()
        .await;
    let db =
        rocket_db_pools::Database::fetch(app.client.rocket()).map(rocket_user_account::internals::Db::pool);
    let held = rocket_user_account::internals::DbConn::from_pool(&db.expect("pool"))
        .await
        .expect("the one connection");
    // A well-formed token: a malformed one is answered without the database.
    let token = json!({"token": rocket_user_account::internals::PlainToken::generate().expose()});
    let started = Instant::now();
    let response = app.post("/verify-recovery-token", &token, None).await;
    assert_quiet_503(started, response, "exhausted pool").await;
    drop(held);
    assert_eq!(app.post("/verify-recovery-token", &token, None).await.status().code, 200);
}

/// An admin the host recognises without the database (an API key).
struct ApiKey;

#[rocket::async_trait]
impl rocket_user_account::Authenticator for ApiKey {
    async fn authenticate(
        &self,
        request: &rocket::Request<'_>,
    ) -> Result<rocket_user_account::Principal, rocket_user_account::AuthError> {
        match request.headers().get_one("X-Api-Key") {
            Some("ops-key") => Ok(rocket_user_account::Principal {
                subject: "key:ops".into(),
                user_id: None,
                scopes: vec!["admin".into()],
            }),
            _ => Err(rocket_user_account::AuthError::Missing),
        }
    }
}

/// A recovery that reaches its transaction with the pool exhausted (its admin was known
/// without the database, and no per-admin limit is counted) is answered a quiet 503 within the
/// checkout timeout, as every recovery waiting with it, and is written once the pool is back.
#[rocket::async_test]
async fn with_the_pool_exhausted_a_recovery_gets_a_503_within_the_checkout_timeout() {
    let app = app()
        .authenticator(ApiKey)
        .set("user_account.rate_limits.recovery_per_admin_hour", 0)
        .set("databases.user_account.max_connections", 1)
        .set("databases.user_account.connect_timeout", 1)
        .spawn()
        .await;
    let mut conn = app.db.conn().await;
    fixtures::user(&mut conn, "ann@example.org").await;
    fixtures::user(&mut conn, "bob@example.org").await;
    let recover = |email: &'static str| {
        app.req(rocket::http::Method::Post, format!("{MOUNT}/password-recovery"))
            .header(rocket::http::ContentType::JSON)
            .header(rocket::http::Header::new("X-Api-Key", "ops-key"))
            .body(json!({ "email": email }).to_string())
            .dispatch()
    };
    let db =
        rocket_db_pools::Database::fetch(app.client.rocket()).map(rocket_user_account::internals::Db::pool);
    let held = rocket_user_account::internals::DbConn::from_pool(&db.expect("pool"))
        .await
        .expect("the one connection");
    let started = Instant::now();
    let (ann, bob) = futures::join!(recover("ann@example.org"), recover("bob@example.org"));
    assert_quiet_503(started, ann, "recovery, exhausted pool").await;
    assert_quiet_503(started, bob, "recovery waiting with it, exhausted pool").await;
    assert_eq!(fixtures::count(&mut conn, "recovery_tokens").await, 0);
    drop(held);
    assert_eq!(recover("ann@example.org").await.status().code, 200);
}

#[rocket::async_test]
async fn a_recovery_request_does_not_wait_on_a_stalled_smtp_server() {
    let server = SmtpServer::start();
    server.set_mode(Mode::Stall);
    let app = app().smtp(&server).set("user_account.mail.worker", true).spawn().await;
    let mut conn = app.db.conn().await;
    let admin = fixtures::admin(&mut conn).await;
    for i in 0..3 {
        fixtures::user(&mut conn, &format!("u{i}@example.org")).await;
    }
    for i in 0..3 {
        let started = Instant::now();
        let r = app
            .post("/password-recovery", &json!({"email": format!("u{i}@example.org")}), Some(admin.expose()))
            .await;
        assert_eq!(r.status().code, 200);
        // Generous for a debug build on a busy machine; the stalled exchange takes 10 s.
        assert!(started.elapsed() < Duration::from_secs(2), "request {i} took {:?}", started.elapsed());
    }
}

#[rocket::async_test]
async fn concurrent_recovery_requests_on_two_instances_leave_one_live_token() {
    let first = app().set("user_account.rate_limits.recovery_per_user_hour", 0).spawn().await;
    let second = app().set("user_account.rate_limits.recovery_per_user_hour", 0).spawn_beside(&first).await;
    let mut conn = first.db.conn().await;
    let admin = fixtures::admin(&mut conn).await;
    let ann = fixtures::user(&mut conn, "ann@example.org").await;
    let body = json!({"user_id": ann});
    let requests = (0..10).map(|i| {
        let app = if i % 2 == 0 { &first } else { &second };
        app.post("/password-recovery", &body, Some(admin.expose()))
    });
    let statuses: Vec<u16> =
        futures::future::join_all(requests).await.iter().map(|r| r.status().code).collect();
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    let live = "recovery_tokens where used_at is null and superseded_at is null and revoked_at is null";
    assert_eq!(fixtures::count(&mut conn, live).await, 1);
    assert_eq!(fixtures::count(&mut conn, "recovery_tokens").await, 10);
}

/// What a recovery or a redemption writes: tokens, mails, their audit events, Ann's hash.
async fn written(
    conn: &mut diesel_async::AsyncPgConnection,
    ann: uuid::Uuid,
) -> (i64, i64, i64, Option<String>) {
    (
        fixtures::count(conn, "recovery_tokens").await,
        fixtures::count(conn, "mail_outbox").await,
        fixtures::count(conn, "audit_events where event in ('recovery_requested', 'authn_password_change')")
            .await,
        fixtures::password_hash(conn, ann).await,
    )
}

/// What the routes answer while `tables` are locked by another session: each of verify,
/// change-password and password-recovery a 503 with `Retry-After` within the lock bound plus a
/// second, nothing written half; then, the lock gone, each succeeds.
async fn under_a_lock(tables: &str) {
    under_a_lock_with(tables, true).await;
}

/// [`under_a_lock`], with the crate's statements kept prepared or, as behind a pooler in
/// transaction mode, each in a transaction that sets the bounds for itself.
async fn under_a_lock_with(tables: &str, prepared_statements: bool) {
    let app = app()
        .set("user_account.lock_timeout_secs", 1)
        .set("user_account.statement_timeout_secs", 2)
        .set("user_account.prepared_statements", prepared_statements)
        .spawn()
        .await;
    let mut conn = app.db.conn().await;
    let admin = fixtures::admin(&mut conn).await;
    let ann = fixtures::user(&mut conn, "ann@example.org").await;
    let recover = json!({"email": "ann@example.org"});
    assert_eq!(app.post("/password-recovery", &recover, Some(admin.expose())).await.status().code, 200);
    app.deliver_mail().await;
    let token = fixtures::token_in(&app.smtp.received()[0]);
    let before = written(&mut conn, ann).await;

    let mut holder = app.db.conn().await;
    fixtures::execute(&mut holder, &format!("begin; lock table {tables} in access exclusive mode")).await;
    let change = json!({"token": token, "new_password": "violet tugboat quarry lantern"});
    let calls = [
        ("/verify-recovery-token", json!({"token": token}), None),
        ("/change-password", change.clone(), None),
        ("/password-recovery", recover.clone(), Some(admin.expose())),
    ];
    for (path, body, bearer) in &calls {
        let started = Instant::now();
        let response = app.post(path, body, *bearer).await;
        let took = started.elapsed();
        assert!(took < Duration::from_secs(2), "{tables}: {path} answered after {took:?}");
        assert_eq!(response.headers().get_one("Retry-After"), Some("5"), "{tables}: {path}");
        assert_quiet_503(started, response, path).await;
    }
    fixtures::execute(&mut holder, "rollback").await;
    assert_eq!(written(&mut conn, ann).await, before, "{tables}: nothing was written, not even half");

    let verdict =
        crate::helpers::json(app.post("/verify-recovery-token", &json!({"token": token}), None).await).await;
    assert_eq!(verdict["valid"], true, "{tables}: {verdict}");
    assert_eq!(app.post("/change-password", &change, None).await.status().code, 200, "{tables}");
    assert_eq!(app.post("/password-recovery", &recover, Some(admin.expose())).await.status().code, 200);
}

#[rocket::async_test]
async fn with_every_crate_table_locked_the_routes_answer_503_in_time_and_recover() {
    under_a_lock("recovery_tokens, mail_outbox, audit_events, rate_limit_counters, users, sessions").await;
}

#[rocket::async_test]
async fn with_the_token_table_locked_the_routes_answer_503_in_time_and_write_nothing_half() {
    under_a_lock("recovery_tokens").await;
}

#[rocket::async_test]
async fn behind_a_pooler_the_bounds_hold_for_each_transaction() {
    // No session setting (it would stay with the pooler's server connection): each transaction
    // sets the bounds for itself, so a locked table still answers 503 in time.
    under_a_lock_with("recovery_tokens, rate_limit_counters", false).await;
}

/// Recoveries that shared a failed transaction are written again one by one, each with its
/// own outcome; but when the database stops answering them (here every account stays locked
/// past the lock bound), the rest are answered 503 once the 503s have come for one statement
/// bound: the last of twelve waits about two bounds after its transaction, not twelve lock
/// bounds in turn. Nothing is written.
#[rocket::async_test]
async fn recoveries_written_again_alone_stop_waiting_once_the_database_stops_answering() {
    let app = app()
        .set("user_account.lock_timeout_secs", 1)
        .set("user_account.statement_timeout_secs", 2)
        .spawn()
        .await;
    let mut conn = app.db.conn().await;
    let admin = fixtures::admin(&mut conn).await;
    let emails: Vec<String> = (0..14).map(|i| format!("u{i}@example.org")).collect();
    for email in &emails {
        fixtures::user(&mut conn, email).await;
    }
    let mut holder = app.db.conn().await;
    fixtures::execute(&mut holder, "begin; select 1 from users where email like 'u%' for update").await;
    let post = |email: &String| {
        let (app, admin) = (&app, admin.expose());
        let body = json!({ "email": email });
        async move { app.post("/password-recovery", &body, Some(admin)).await.status().code }
    };
    let started = Instant::now();
    // Two fill both transactions; the twelve sent after them wait and share the next one.
    let first = futures::future::join_all(emails[..2].iter().map(post));
    let together = async {
        rocket::tokio::time::sleep(Duration::from_millis(200)).await;
        futures::future::join_all(emails[2..].iter().map(post)).await
    };
    let (first, together) = rocket::tokio::join!(first, together);
    let took = started.elapsed();
    fixtures::execute(&mut holder, "rollback").await;
    assert_eq!(first, [503, 503]);
    assert_eq!(together, [503; 12]);
    // 1 s for the first two, 1 s for the shared transaction, then 1 s for each of the three
    // written alone before the 503s have lasted 2 s: about 5 s, where one by one it is 14.
    assert!(took < Duration::from_secs(9), "the last answer came after {took:?}");
    assert_eq!(fixtures::count(&mut conn, "recovery_tokens").await, 0);
}

#[rocket::async_test]
async fn behind_a_pooler_a_lone_statement_and_a_transaction_are_bounded_too() {
    // Statements that wait inside a recovery's transaction (its mail) and a lone statement (a
    // self-service request's INSERT) take the bounds their transaction set for itself.
    let app = app()
        .set("user_account.lock_timeout_secs", 1)
        .set("user_account.statement_timeout_secs", 2)
        .set("user_account.prepared_statements", false)
        .set("user_account.self_service_recovery", true)
        .spawn()
        .await;
    let mut conn = app.db.conn().await;
    let admin = fixtures::admin(&mut conn).await;
    fixtures::user(&mut conn, "ann@example.org").await;
    let mut holder = app.db.conn().await;
    fixtures::execute(
        &mut holder,
        "begin; lock table mail_outbox, self_service_requests in access exclusive mode",
    )
    .await;
    let calls = [("/password-recovery", Some(admin.expose())), ("/forgot-password", None)];
    for (path, bearer) in calls {
        let started = Instant::now();
        let response = app.post(path, &json!({"email": "ann@example.org"}), bearer).await;
        let took = started.elapsed();
        assert!(took < Duration::from_secs(2), "{path} answered after {took:?}");
        assert_quiet_503(started, response, path).await;
    }
    fixtures::execute(&mut holder, "rollback").await;
    assert_eq!(fixtures::count(&mut conn, "recovery_tokens").await, 0, "the recovery rolled back whole");
}
