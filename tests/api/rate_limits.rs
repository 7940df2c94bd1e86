//! Rate limits kept in Postgres and shared by every instance.

use std::net::SocketAddr;

use serde_json::json;

use crate::helpers::{app, assert_error, assert_json_no_store, fixtures, SmtpServer, TestApp};

fn ip(last: u8) -> SocketAddr {
    SocketAddr::from(([198, 51, 100, last], 40000))
}

/// The most a test below takes from its call to `in_a_fresh_minute` to its last counted call.
const MARGIN_SECS: f64 = 15.0;

/// The counters use fixed windows (minute, hour, day) cut from the database's clock, and every
/// one of them ends on a minute boundary. When fewer than `MARGIN_SECS` are left in the current
/// minute, waits for the next one, so that no window ends in the middle of the test and resets
/// a count it is building up.
async fn in_a_fresh_minute(app: &TestApp) {
    let mut conn = app.db.conn().await;
    let left = 60.0 - fixtures::db_epoch(&mut conn).await.rem_euclid(60.0);
    if left < MARGIN_SECS {
        rocket::tokio::time::sleep(std::time::Duration::from_secs_f64(left + 0.25)).await;
    }
}

#[rocket::async_test]
async fn the_eleventh_public_call_in_a_minute_from_one_ip_is_429_and_other_ips_are_unaffected() {
    let app = app().spawn().await;
    in_a_fresh_minute(&app).await;
    let body = json!({"token": "not-a-real-token"});
    for i in 0..10 {
        // Spoofed forwarding headers change nothing: the socket address counts.
        let spoof = [("X-Real-IP", format!("10.0.0.{i}")), ("X-Forwarded-For", format!("10.1.0.{i}"))];
        let r = app.post_from(ip(1), "/verify-recovery-token", &body, &spoof).await;
        assert_eq!(r.status().code, 200, "call {i}");
    }
    let limited = app.post_from(ip(1), "/change-password", &body, &[("X-Real-IP", "10.9.9.9".into())]).await;
    let retry_after: u64 =
        limited.headers().get_one("Retry-After").and_then(|v| v.parse().ok()).expect("Retry-After");
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    assert_json_no_store(&limited, "429");
    assert_error(limited, 429, "rate_limited").await;
    // Even a malformed body is counted, and refused as over the limit rather than as malformed.
    let malformed =
        app.client.post("/api/users/verify-recovery-token").remote(ip(1)).body("{").dispatch().await;
    assert_error(malformed, 429, "rate_limited").await;
    assert_eq!(app.post_from(ip(2), "/verify-recovery-token", &body, &[]).await.status().code, 200);
    let mut conn = app.db.conn().await;
    // Audited once per window, not once per refused call.
    let audited = "audit_events where event = 'excess_rate_limit_exceeded' and client_ip = '198.51.100.1'";
    assert_eq!(fixtures::count(&mut conn, audited).await, 1);
}

#[rocket::async_test]
async fn a_trusted_proxy_header_names_the_client_by_the_entry_the_proxy_appended() {
    let app = app().set("user_account.trusted_proxy_header", "X-Forwarded-For").spawn().await;
    in_a_fresh_minute(&app).await;
    let body = json!({"token": "x"});
    // The proxy (at ip(1)) appends the address it saw: each of these is a different client.
    for i in 0..12u8 {
        let forwarded = [("X-Forwarded-For", format!("192.0.2.{i}"))];
        let r = app.post_from(ip(1), "/verify-recovery-token", &body, &forwarded).await;
        assert_eq!(r.status().code, 200, "each forwarded client has its own count");
    }
    // One client rotating what it puts before the proxy's entry is still one client.
    let mut statuses = Vec::new();
    for i in 0..11u8 {
        let forwarded = [("X-Forwarded-For", format!("10.9.{i}.1, 203.0.113.5"))];
        statuses.push(app.post_from(ip(1), "/verify-recovery-token", &body, &forwarded).await.status().code);
    }
    assert_eq!(statuses.last(), Some(&429), "{statuses:?}");
}

#[rocket::async_test]
async fn anonymous_calls_to_the_admin_route_count_against_the_client_ip() {
    let app = app().spawn().await;
    let body = json!({"email": "ann@example.org"});
    in_a_fresh_minute(&app).await;
    let mut statuses = Vec::new();
    for _ in 0..11 {
        statuses.push(app.post_from(ip(3), "/password-recovery", &body, &[]).await.status().code);
    }
    assert_eq!(statuses, [vec![401; 10], vec![429]].concat());
    let mut conn = app.db.conn().await;
    assert_eq!(fixtures::count(&mut conn, "audit_events where event = 'authz_fail'").await, 10);
    assert_eq!(
        fixtures::count(&mut conn, "audit_events where event = 'excess_rate_limit_exceeded'").await,
        1
    );
}

#[rocket::async_test]
async fn a_limit_of_zero_is_off() {
    let app = app().set("user_account.rate_limits.public_per_ip_minute", 0).spawn().await;
    for _ in 0..15 {
        let r = app.post_from(ip(1), "/verify-recovery-token", &json!({"token": "x"}), &[]).await;
        assert_eq!(r.status().code, 200);
    }
}

#[rocket::async_test]
async fn recovery_mails_per_user_are_capped_across_two_instances() {
    let server = SmtpServer::start();
    let first = app().smtp(&server).spawn().await;
    let second = app().smtp(&server).spawn_beside(&first).await;
    let mut conn = first.db.conn().await;
    let admin = fixtures::admin(&mut conn).await;
    fixtures::user(&mut conn, "ann@example.org").await;
    let body = json!({"email": "ann@example.org"});
    in_a_fresh_minute(&first).await;
    let mut statuses = Vec::new();
    for i in 0..6 {
        let app = if i % 2 == 0 { &first } else { &second };
        let r = app.post("/password-recovery", &body, Some(admin.expose())).await;
        statuses.push(r.status().code);
        if r.status().code == 429 {
            assert!(r.headers().get_one("Retry-After").is_some());
        }
    }
    assert_eq!(statuses, vec![200, 200, 200, 429, 429, 429]);
    assert_eq!(fixtures::count(&mut conn, "mail_outbox").await, 3, "exactly three mails queued");
    assert_eq!(fixtures::count(&mut conn, "recovery_tokens").await, 3, "no token for the refused ones");
    let audited = "audit_events where event = 'excess_rate_limit_exceeded' and target_user_id is not null";
    assert_eq!(fixtures::count(&mut conn, audited).await, 1, "the first refusal in the window is audited");
}

#[rocket::async_test]
async fn recovery_calls_per_admin_are_capped() {
    let app = app().set("user_account.rate_limits.recovery_per_admin_hour", 2).spawn().await;
    let mut conn = app.db.conn().await;
    let admin = fixtures::admin(&mut conn).await;
    for i in 0..3 {
        fixtures::user(&mut conn, &format!("u{i}@example.org")).await;
    }
    in_a_fresh_minute(&app).await;
    for i in 0..2 {
        let r = app
            .post("/password-recovery", &json!({"email": format!("u{i}@example.org")}), Some(admin.expose()))
            .await;
        assert_eq!(r.status().code, 200);
    }
    let r = app.post("/password-recovery", &json!({"email": "u2@example.org"}), Some(admin.expose())).await;
    assert_error(r, 429, "rate_limited").await;
    assert_eq!(fixtures::count(&mut conn, "recovery_tokens").await, 2);
}

#[rocket::async_test]
async fn the_per_ip_limit_holds_across_two_instances() {
    let first = app().spawn().await;
    let second = app().spawn_beside(&first).await;
    in_a_fresh_minute(&first).await;
    let body = json!({"token": "x"});
    let mut statuses = Vec::new();
    for i in 0..11 {
        let app = if i % 2 == 0 { &first } else { &second };
        statuses.push(app.post_from(ip(4), "/verify-recovery-token", &body, &[]).await.status().code);
    }
    assert_eq!(statuses, [vec![200; 10], vec![429]].concat(), "an in-memory limiter would allow 20");
}

#[rocket::async_test]
async fn the_daily_and_hourly_windows_count_too() {
    // The per-user day window alone (the hour window off), and the per-IP hour window alone.
    let app = app()
        .set("user_account.rate_limits.recovery_per_user_hour", 0)
        .set("user_account.rate_limits.recovery_per_user_day", 2)
        .set("user_account.rate_limits.public_per_ip_minute", 0)
        .set("user_account.rate_limits.public_per_ip_hour", 3)
        .spawn()
        .await;
    let mut conn = app.db.conn().await;
    let admin = fixtures::admin(&mut conn).await;
    fixtures::user(&mut conn, "ann@example.org").await;
    let body = json!({"email": "ann@example.org"});
    in_a_fresh_minute(&app).await;
    let mails: Vec<u16> = futures::future::join_all(
        (0..3).map(|_| app.post("/password-recovery", &body, Some(admin.expose()))),
    )
    .await
    .iter()
    .map(|r| r.status().code)
    .collect();
    assert_eq!(mails.iter().filter(|s| **s == 429).count(), 1, "{mails:?}");
    let mut public = Vec::new();
    for _ in 0..4 {
        public.push(
            app.post_from(ip(5), "/verify-recovery-token", &json!({"token": "x"}), &[]).await.status().code,
        );
    }
    assert_eq!(public, vec![200, 200, 200, 429]);
}

/// Calls that arrive together are counted together (one statement for all of them); each must
/// still get its own exact count, on one instance and across two.
#[rocket::async_test]
async fn calls_arriving_together_are_each_counted_exactly() {
    let first = app().spawn().await;
    let second = app().spawn_beside(&first).await;
    in_a_fresh_minute(&first).await;
    let body = json!({"token": "x"});
    // 25 calls at once from one client and 5 from each of three others, spread over both instances.
    let calls = (0..40u8).map(|i| {
        let app = if i % 2 == 0 { &first } else { &second };
        let client = if i < 25 { ip(6) } else { ip(7 + (i - 25) % 3) };
        let body = &body;
        async move { (client, app.post_from(client, "/verify-recovery-token", body, &[]).await.status().code) }
    });
    let answers = futures::future::join_all(calls).await;
    let of = |client: SocketAddr, status: u16| {
        answers.iter().filter(|(c, s)| *c == client && *s == status).count()
    };
    assert_eq!((of(ip(6), 200), of(ip(6), 429)), (10, 15), "{answers:?}");
    for other in [ip(7), ip(8), ip(9)] {
        assert_eq!(of(other, 200), 5, "another client is not held by the first: {answers:?}");
    }
    let mut conn = first.db.conn().await;
    let counted = "rate_limit_counters where bucket = 'public_ip_hour' and subject = '198.51.100.6' \
                   and hits = 25 and inner_hits = 25";
    assert_eq!(fixtures::count(&mut conn, counted).await, 1, "every call counted once, in both windows");
    let audited = "audit_events where event = 'excess_rate_limit_exceeded' and client_ip = '198.51.100.6'";
    assert_eq!(fixtures::count(&mut conn, audited).await, 1, "one call was the first over the limit");
}

/// A limit's two windows share a row: a new minute restarts the minute's count, while the
/// hour's count goes on.
#[rocket::async_test]
async fn a_new_minute_restarts_the_minute_count_but_not_the_hours() {
    let app = app().spawn().await;
    in_a_fresh_minute(&app).await;
    let mut conn = app.db.conn().await;
    // 98 calls in this hour so far, the last ten of them in the minute before this one.
    fixtures::execute(
        &mut conn,
        "insert into rate_limit_counters values ('public_ip_hour', '198.51.100.10', \
         to_timestamp(floor(extract(epoch from now()) / 3600) * 3600), 98, \
         to_timestamp(floor(extract(epoch from now()) / 60) * 60 - 60), 10)",
    )
    .await;
    let body = json!({"token": "x"});
    let mut statuses = Vec::new();
    for _ in 0..3 {
        statuses.push(app.post_from(ip(10), "/verify-recovery-token", &body, &[]).await.status().code);
    }
    assert_eq!(statuses, vec![200, 200, 429], "the minute starts again, the hour's 100 hold");
    let row = "rate_limit_counters where subject = '198.51.100.10' and hits = 101 and inner_hits = 3 \
               and inner_start = to_timestamp(floor(extract(epoch from now()) / 60) * 60)";
    assert_eq!(fixtures::count(&mut conn, row).await, 1);
}

/// A verify call over the per-IP limit costs no token lookup: with the token table locked by
/// another session, it still gets its 429 at once (a lookup would wait for the lock).
#[rocket::async_test]
async fn a_verify_call_over_the_limit_does_no_lookup() {
    let app = crate::helpers::app().set("user_account.lock_timeout_secs", 3).spawn().await;
    let token = "A".repeat(43);
    let body = serde_json::json!({"token": token});
    for _ in 0..10 {
        assert_eq!(app.post("/verify-recovery-token", &body, None).await.status().code, 200);
    }
    let mut holder = app.db.conn().await;
    fixtures::execute(&mut holder, "begin; lock table recovery_tokens in access exclusive mode").await;
    for _ in 0..5 {
        let started = std::time::Instant::now();
        let response = app.post("/verify-recovery-token", &body, None).await;
        assert_eq!(response.status().code, 429);
        assert!(
            started.elapsed() < std::time::Duration::from_secs(1),
            "answered after {:?}",
            started.elapsed()
        );
    }
    fixtures::execute(&mut holder, "rollback").await;
}
