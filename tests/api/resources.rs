//! No client holds a shared resource while it dawdles: stalled bodies take no pooled
//! connection and end in 408, racing redemptions of one token cost one hash, and a database
//! connection killed mid-request is a 503.

use std::time::{Duration, Instant};

use rocket_user_account::internals::PlainToken;
use serde_json::json;

use diesel_async::{AsyncConnection as _, AsyncPgConnection};

use crate::helpers::db::{admin_execute, admin_url};
use crate::helpers::{app, assert_error, fixtures, json, MOUNT};

const POOL: usize = 3;
const DEADLINE: u64 = 3;

#[rocket::async_test]
async fn stalled_bodies_hold_no_connection_and_end_in_408_after_the_deadline() {
    let live = app()
        .set("databases.user_account.max_connections", POOL)
        .set("databases.user_account.connect_timeout", 5)
        .set("user_account.body_timeout_secs", DEADLINE)
        // Every connection comes from 127.0.0.1: the per-IP limit would stop this test first.
        .set("user_account.rate_limits.public_per_ip_minute", 0)
        .set("user_account.rate_limits.public_per_ip_hour", 0)
        .launch()
        .await;
    let mut conn = live.db.conn().await;
    let admin = fixtures::admin(&mut conn).await;
    drop(conn);
    // Four times the pool in stalled bodies, on every route that takes one.
    let started = Instant::now();
    let mut stalled = Vec::new();
    for i in 0..4 * POOL {
        let path = ["verify-recovery-token", "change-password", "password-recovery"][i % 3];
        let mut stream = live.stall(&format!("{MOUNT}/{path}"), 8000, 700).await;
        if path == "password-recovery" {
            // The admin's credentials are checked before the body; send them on a fresh stream.
            drop(stream);
            stream = stall_as_admin(&live, admin.expose()).await;
        }
        stalled.push(stream);
    }
    rocket::tokio::time::sleep(Duration::from_millis(300)).await;

    // Meanwhile other requests are served at once, each needing a pooled connection.
    for _ in 0..2 * POOL {
        let asked = Instant::now();
        let token = PlainToken::generate();
        let body = json!({"token": token.expose()}).to_string();
        let r = live.post(&format!("{MOUNT}/verify-recovery-token"), &body, "").await;
        assert_eq!(r.status, 200, "{r:?}");
        assert!(r.body.contains(r#""reason":"invalid""#), "{r:?}");
        assert!(asked.elapsed() < Duration::from_secs(1), "answered after {:?}", asked.elapsed());
    }
    let asked = Instant::now();
    let body = json!({"email": "nobody@example.org"}).to_string();
    let auth = format!("Authorization: Bearer {}\r\n", admin.expose());
    let r = live.post(&format!("{MOUNT}/password-recovery"), &body, &auth).await;
    assert_eq!(r.status, 404, "{r:?}");
    assert!(asked.elapsed() < Duration::from_secs(1), "answered after {:?}", asked.elapsed());

    // The stalled ones end with a JSON 408 once the deadline passes, not before.
    for mut stream in stalled {
        let r = crate::helpers::live::read_response(&mut stream).await;
        assert_eq!(r.status, 408, "{r:?}");
        assert!(r.body.contains(r#""code":"request_timeout""#), "{r:?}");
        assert!(r.head.to_lowercase().contains("content-type: application/json"), "{r:?}");
    }
    let waited = started.elapsed();
    assert!(waited >= Duration::from_secs(DEADLINE), "ended after {waited:?}");
    assert!(waited < Duration::from_secs(DEADLINE + 5), "ended after {waited:?}");
    let mut conn = live.db.conn().await;
    assert_eq!(fixtures::count(&mut conn, "recovery_tokens").await, 0, "nothing was written");
}

async fn stall_as_admin(live: &crate::helpers::live::LiveApp, bearer: &str) -> rocket::tokio::net::TcpStream {
    use rocket::tokio::io::AsyncWriteExt as _;
    let mut stream = rocket::tokio::net::TcpStream::connect(live.addr).await.expect("connect");
    let head = format!(
        "POST {MOUNT}/password-recovery HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {bearer}\r\n\
         Content-Type: application/json\r\nContent-Length: 8000\r\nConnection: close\r\n\r\n{{\"email\": \""
    );
    stream.write_all(head.as_bytes()).await.expect("send the head");
    stream.write_all(&[b'a'; 600]).await.expect("send part of the body");
    stream
}

#[rocket::async_test]
async fn racing_redemptions_of_one_token_cost_one_hash() {
    let live = app()
        .set("user_account.argon2.max_concurrent", 1)
        .set("user_account.mail.worker", true)
        .launch()
        .await;
    let mut conn = live.db.conn().await;
    let admin = fixtures::admin(&mut conn).await;
    fixtures::user(&mut conn, "ann@example.org").await;
    let auth = format!("Authorization: Bearer {}\r\n", admin.expose());
    let r = live.post(&format!("{MOUNT}/password-recovery"), r#"{"email":"ann@example.org"}"#, &auth).await;
    assert_eq!(r.status, 200, "{r:?}");
    assert!(live.smtp.wait_for(1, Duration::from_secs(10)).await, "the recovery mail arrives");
    let token = fixtures::token_in(&live.smtp.received()[0]);
    let before = live.hasher.computed();
    let requests = (0..6).map(|i| {
        let body = json!({"token": token, "new_password": format!("violet tugboat quarry lantern {i}")});
        let live = &live;
        async move { live.post(&format!("{MOUNT}/change-password"), &body.to_string(), "").await.status }
    });
    let statuses = futures::future::join_all(requests).await;
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 1, "{statuses:?}");
    assert!(statuses.iter().all(|s| *s == 200 || *s == 400), "{statuses:?}");
    assert_eq!(live.hasher.computed() - before, 1, "the losers computed no hash: {statuses:?}");
}

#[rocket::async_test]
async fn a_connection_terminated_mid_request_is_a_503_and_changes_nothing() {
    let app = app().spawn().await;
    let mut conn = app.db.conn().await;
    let admin = fixtures::admin(&mut conn).await;
    fixtures::user(&mut conn, "ann@example.org").await;
    // Hold ann's row so that the request's transaction waits on it, then kill the request's
    // backend while it waits.
    let mut holder = app.db.conn().await;
    fixtures::execute(&mut holder, "begin; select id from users where email = 'ann@example.org' for update")
        .await;
    let name = app.db.name.clone();
    let killer = async move {
        for _ in 0..100 {
            rocket::tokio::time::sleep(Duration::from_millis(50)).await;
            let mut admin_conn = AsyncPgConnection::establish(admin_url()).await.expect("admin connection");
            if fixtures::count(
                &mut admin_conn,
                &format!("pg_stat_activity where datname = '{name}' and wait_event_type = 'Lock'"),
            )
            .await
                > 0
            {
                admin_execute(&format!(
                    "select pg_terminate_backend(pid) from pg_stat_activity \
                     where datname = '{name}' and wait_event_type = 'Lock'"
                ))
                .await;
                return true;
            }
        }
        false
    };
    let body = json!({"email": "ann@example.org"});
    let request = app.post("/password-recovery", &body, Some(admin.expose()));
    let (response, killed) = rocket::tokio::join!(request, killer);
    assert!(killed, "the request never waited on the lock");
    let error = assert_error(response, 503, "service_unavailable").await;
    assert!(!error.to_string().contains("terminat"), "{error}");
    fixtures::execute(&mut holder, "rollback").await;
    assert_eq!(fixtures::count(&mut conn, "recovery_tokens").await, 0);
    assert_eq!(fixtures::count(&mut conn, "mail_outbox").await, 0);
    // The pool recovers: the next request succeeds.
    let r = app.post("/password-recovery", &json!({"email": "ann@example.org"}), Some(admin.expose())).await;
    assert_eq!(r.status().code, 200, "{}", json(r).await);
}
