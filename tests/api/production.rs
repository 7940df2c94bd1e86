//! Running it in production: the metrics an operator scrapes, a link whose lifetime starts when
//! its mail leaves, the whole flow through PgBouncer in transaction mode, and a SIGTERM in the
//! middle of a mail batch. Real PostgreSQL, real SMTP, Debian's pgbouncer, the release binary.

use std::collections::{BTreeSet, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use rocket::http::{Header, Status};
use serde_json::{json, Value};

use crate::helpers::binary::{http, Server};
use crate::helpers::pooler::{self, PgBouncer};
use crate::helpers::smtp::{free_port, Mode};
use crate::helpers::{app, binary, fixtures, json, SmtpServer, TestApp, TestDb, MOUNT};
use rocket_db_pools::Database as _;

const PASSWORD: &str = "violet tugboat quarry lantern";

fn at(value: &Value) -> DateTime<Utc> {
    value.as_str().and_then(|s| s.parse().ok()).unwrap_or_else(|| panic!("a timestamp: {value}"))
}

async fn status(app: &TestApp, admin: &str, id: &str) -> Value {
    let response = app
        .get(format!("{MOUNT}/password-recovery/{id}"))
        .header(Header::new("Authorization", format!("Bearer {admin}")))
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Ok);
    json(response).await
}

/// Asks for `email`'s recovery as `admin`; the answer.
async fn request(app: &TestApp, admin: &str, email: &str) -> Value {
    let response = app.post("/password-recovery", &json!({ "email": email }), Some(admin)).await;
    assert_eq!(response.status(), Status::Ok);
    json(response).await
}

/// An app whose mail server at `address` is down, with `ttl_secs` links; Ann's recovery asked
/// for by an admin: the app, the admin's bearer token, the answer and the recovery's id.
async fn recovery_during_an_outage(
    address: std::net::SocketAddr,
    ttl_secs: u64,
) -> (TestApp, rocket_user_account::internals::PlainToken, Value, String) {
    let app = app()
        .set("user_account.token_ttl_secs", ttl_secs)
        .smtp(&SmtpServer::unstarted_at(address))
        .spawn()
        .await;
    let mut conn = app.db.conn().await;
    let admin = fixtures::admin(&mut conn).await;
    fixtures::user(&mut conn, "ann@example.org").await;
    let queued = request(&app, admin.expose(), "ann@example.org").await;
    let id = queued["recovery_id"].as_str().expect("an id").to_owned();
    (app, admin, queued, id)
}

#[rocket::async_test]
async fn a_link_lives_its_whole_lifetime_from_when_its_mail_is_accepted() {
    // The SMTP server is down for the first 15 seconds.
    let address = free_port();
    let asked = Instant::now();
    let (app, admin, queued, id) = recovery_during_an_outage(address, 600).await;
    let first = status(&app, admin.expose(), &id).await;
    let created = at(&first["created_at"]);
    // The answer says when the link would die had its mail left at once.
    assert_eq!((at(&queued["expires_at"]) - created).num_seconds(), 600, "{queued} {first}");
    assert_eq!(app.deliver_mail().await.retried, 1, "the outage fails the first attempt");

    std::thread::sleep(Duration::from_secs(15).saturating_sub(asked.elapsed()));
    let smtp = SmtpServer::start_at(address);
    // The retry is due 5 s after the failure, long past by now.
    assert_eq!(app.deliver_mail().await.sent, 1);
    assert_eq!(smtp.received().len(), 1);

    let after = status(&app, admin.expose(), &id).await;
    assert_eq!(after["delivery"]["state"], "sent", "{after}");
    let lifetime = at(&after["expires_at"]) - at(&after["created_at"]);
    assert!(lifetime.num_seconds() >= 610, "the outage ate the link's lifetime: {after}");
    let sent_at = at(&after["delivery"]["sent_at"]);
    assert_eq!((at(&after["expires_at"]) - sent_at).num_seconds(), 600, "{after}");
    // The user's link says the same.
    let token = fixtures::token_in(&smtp.received()[0]);
    let verified = json(app.post("/verify-recovery-token", &json!({ "token": token }), None).await).await;
    assert_eq!(verified["valid"], true, "{verified}");
    assert_eq!(at(&verified["expires_at"]), at(&after["expires_at"]));
}

#[rocket::async_test]
async fn a_mail_that_cannot_leave_within_the_lifetime_is_dropped_and_its_link_dies_then() {
    let address = free_port();
    let (app, admin, _, id) = recovery_during_an_outage(address, 2).await;
    let mut conn = app.db.conn().await;
    assert_eq!(app.deliver_mail().await.retried, 1);
    let waiting = status(&app, admin.expose(), &id).await;
    assert_eq!(
        (waiting["token"].as_str(), waiting["delivery"]["state"].as_str()),
        (Some("live"), Some("retrying"))
    );

    std::thread::sleep(Duration::from_millis(2500));
    // The admin sees it before the worker comes to it.
    let late = status(&app, admin.expose(), &id).await;
    assert_eq!(late["token"], "expired", "{late}");
    assert_eq!(late["delivery"]["state"], "dropped", "{late}");
    let smtp = SmtpServer::start_at(address);
    fixtures::execute(&mut conn, "update mail_outbox set next_attempt_at = now()").await;
    let report = app.deliver_mail().await;
    assert_eq!((report.sent, report.dropped), (0, 1), "{report:?}");
    assert!(smtp.received().is_empty(), "a dead link was mailed");
    assert_eq!(status(&app, admin.expose(), &id).await["delivery"]["state"], "dropped");
}

#[rocket::async_test]
async fn the_whole_flow_runs_through_pgbouncer_in_transaction_mode() {
    if !pooler::available() {
        return;
    }
    let db = Arc::new(TestDb::migrated().await);
    // Three server connections for up to 32 of the app's: every transaction may land on
    // another server connection than the one before.
    let bouncer = PgBouncer::start("pgbouncer", &db.url, 3);
    let app = app()
        .pool_url(&bouncer.url)
        .set("user_account.prepared_statements", false)
        .set("user_account.migration_url", &db.url)
        .set("databases.user_account.max_connections", 32)
        .spawn_on(Arc::clone(&db))
        .await;
    let mut conn = db.conn().await;
    let admin = fixtures::admin(&mut conn).await;
    let user =
        fixtures::user_with(&mut conn, "ann@example.org", "Ann", "the old password, long enough").await;

    request(&app, admin.expose(), "ann@example.org").await;
    assert_eq!(app.deliver_mail().await.sent, 1, "{}", bouncer.log());
    let token = fixtures::token_in(&app.smtp.received()[0]);

    // 200 verify calls at once, each from a client of its own (so each is counted by the
    // per-IP limiter, through the pooler too).
    let calls = (0..200u32).map(|i| {
        let remote = std::net::SocketAddr::from(([10, 200, (i / 250) as u8, (i % 250) as u8 + 1], 40000));
        let token = token.clone();
        let app = &app;
        async move {
            let response =
                app.post_from(remote, "/verify-recovery-token", &json!({ "token": token }), &[]).await;
            (response.status(), json(response).await)
        }
    });
    let answers = futures::future::join_all(calls).await;
    let failed: Vec<_> = answers.iter().filter(|(s, v)| *s != Status::Ok || v["valid"] != true).collect();
    assert!(
        failed.is_empty(),
        "{} of 200 failed, e.g. {:?}\n{}",
        failed.len(),
        failed.first(),
        bouncer.log()
    );

    let changed =
        app.post("/change-password", &json!({ "token": token, "new_password": PASSWORD }), None).await;
    assert_eq!(changed.status(), Status::Ok);
    let hash = fixtures::password_hash(&mut conn, user).await.expect("a hash");
    assert!(rocket_user_account::internals::verify(&hash, PASSWORD));
    assert_eq!(app.deliver_mail().await.sent, 1, "the notice");
    let log = bouncer.log();
    assert!(!log.contains("prepared statement"), "{log}");
}

/// The release binary in `dir` over `db`, delivering to `smtp`, with `extra` Rocket.toml lines
/// under `[default.user_account]`.
fn rocket_toml(dir: &std::path::Path, port: u16, db: &TestDb, smtp: &SmtpServer, extra: &str) {
    let toml = format!(
        "[default]\nport = {port}\nlog_level = \"normal\"\n\n[default.databases.user_account]\nurl = \"{}\"\n\n\
         [default.user_account]\n{extra}\n\n[default.user_account.mail]\ntransport = \"smtp\"\nsmtp_url = \"{}\"\n",
        db.url,
        smtp.url()
    );
    std::fs::write(dir.join("Rocket.toml"), toml).expect("write Rocket.toml");
}

/// One Prometheus sample: its name, its labels and its value.
type Sample = (String, Vec<(String, String)>, f64);

/// The samples of a scrape in Prometheus text.
fn samples(scrape: &str) -> Vec<Sample> {
    scrape
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|line| {
            let (series, value) = line.rsplit_once(' ').unwrap_or_else(|| panic!("a sample: {line}"));
            let (name, labels) = series.split_once('{').unwrap_or((series, "}"));
            let labels = labels
                .trim_end_matches('}')
                .split(',')
                .filter(|l| !l.is_empty())
                .map(|l| {
                    let (k, v) = l.split_once('=').unwrap_or_else(|| panic!("a label: {line}"));
                    (k.to_owned(), v.trim_matches('"').to_owned())
                })
                .collect();
            (name.to_owned(), labels, value.parse().unwrap_or_else(|_| panic!("a value: {line}")))
        })
        .collect()
}

/// The sum of the samples of `name` with `labels` (among others).
fn value(all: &[Sample], name: &str, labels: &[(&str, &str)]) -> f64 {
    all.iter()
        .filter(|(n, l, _)| {
            n == name && labels.iter().all(|(k, v)| l.iter().any(|(lk, lv)| lk == k && lv == v))
        })
        .map(|(_, _, v)| v)
        .sum()
}

#[rocket::async_test]
async fn a_scrape_after_a_flow_shows_every_named_series_and_nothing_personal() {
    let db = TestDb::migrated().await;
    let smtp = SmtpServer::start();
    let (port, metrics) = (free_port().port(), free_port());
    let dir = binary::work_dir("metrics");
    rocket_toml(
        &dir,
        port,
        &db,
        &smtp,
        &format!(
            "metrics_address = \"{metrics}\"\n\n[default.user_account.rate_limits]\npublic_per_ip_minute = 3"
        ),
    );
    let mut conn = db.conn().await;
    let admin = fixtures::admin(&mut conn).await;
    fixtures::user_with(&mut conn, "ann@example.org", "Ann", "the old password, long enough").await;
    let env = [("ROCKET_PROFILE", "release".to_owned())];
    let server = Server::start(&dir, &env, port);
    let bearer = format!("Bearer {}", admin.expose());
    let ask = |email: &str, key: Option<&str>| {
        let mut headers = vec![("Authorization", bearer.as_str())];
        if let Some(key) = key {
            headers.push(("Idempotency-Key", key));
        }
        let body = json!({ "email": email }).to_string();
        server.request("POST", "/api/users/password-recovery", &headers, Some(&body)).status
    };
    assert_eq!(ask("ann@example.org", Some("k1")), 200);
    assert_eq!(ask("ann@example.org", Some("k1")), 200, "the replay");
    assert_eq!(ask("nobody@example.org", None), 404);
    assert!(smtp.wait_for(1, Duration::from_secs(20)).await, "{}", server.log());
    let token = fixtures::token_in(&smtp.received()[0]);
    let post = |path: &str, body: Value| server.request("POST", path, &[], Some(&body.to_string())).status;
    assert_eq!(post("/api/users/verify-recovery-token", json!({ "token": token })), 200);
    assert_eq!(post("/api/users/verify-recovery-token", json!({ "token": "x".repeat(43) })), 200);
    assert_eq!(post("/api/users/change-password", json!({ "token": token, "new_password": PASSWORD })), 200);
    assert_eq!(post("/api/users/verify-recovery-token", json!({ "token": token })), 429, "over the limit");
    assert!(smtp.wait_for(2, Duration::from_secs(20)).await, "the notice");

    // The gauges are read at least every 5 s.
    std::thread::sleep(Duration::from_secs(6));
    let scrape = http(metrics.port(), "GET", "/metrics", &[], None);
    assert_eq!(scrape.status, 200);
    let all = samples(&scrape.body);
    let names: BTreeSet<&str> = all
        .iter()
        .map(|(n, _, _)| n.trim_end_matches("_bucket").trim_end_matches("_sum").trim_end_matches("_count"))
        .collect();
    for name in rocket_user_account::metrics::ALL {
        assert!(names.contains(name), "{name} is missing from:\n{}", scrape.body);
    }
    let counter = |name: &str, labels: &[(&str, &str)]| value(&all, name, labels);
    assert_eq!(counter("user_account_recovery_requests_total", &[("outcome", "queued")]), 1.0);
    assert_eq!(counter("user_account_recovery_requests_total", &[("outcome", "replayed")]), 1.0);
    assert_eq!(
        counter("user_account_recovery_requests_total", &[("outcome", "refused_user_not_found")]),
        1.0
    );
    assert_eq!(counter("user_account_mail_total", &[("kind", "recovery"), ("state", "sent")]), 1.0);
    assert_eq!(counter("user_account_mail_total", &[("kind", "password_changed"), ("state", "sent")]), 1.0);
    assert_eq!(counter("user_account_token_checks_total", &[("result", "valid")]), 1.0);
    assert_eq!(counter("user_account_token_checks_total", &[("result", "invalid")]), 1.0);
    assert_eq!(counter("user_account_password_changes_total", &[("outcome", "changed")]), 1.0);
    assert_eq!(counter("user_account_rate_limited_total", &[("limit", "public_per_ip")]), 1.0);
    assert_eq!(counter("user_account_hash_seconds_count", &[]), 1.0);
    assert!(counter("user_account_hash_seconds_sum", &[]) > 0.0);
    assert_eq!(counter("user_account_outbox_queued", &[]), 0.0);
    assert_eq!(counter("user_account_db_unavailable_total", &[]), 0.0);

    // Nothing personal, and every label value is one of the crate's own words.
    for secret in ["ann@example.org", "nobody@example.org", token.as_str(), "127.0.0.1", admin.expose()] {
        assert!(!scrape.body.contains(secret), "the scrape holds {secret}");
    }
    let words: HashSet<&str> = all.iter().flat_map(|(_, l, _)| l.iter().map(|(_, v)| v.as_str())).collect();
    for word in words {
        let bucket = word.parse::<f64>().is_ok() || word == "+Inf";
        assert!(bucket || word.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'), "label value {word:?}");
    }
    // Never on the public port.
    assert_eq!(server.request("GET", "/metrics", &[], None).status, 404);
}

#[rocket::async_test]
async fn a_sigterm_mid_batch_loses_and_repeats_no_mail() {
    let db = TestDb::migrated().await;
    let smtp = SmtpServer::start();
    // Each mail takes 300 ms to be accepted: 30 take 9 s.
    smtp.set_mode(Mode::Slow(Duration::from_millis(300)));
    let port = free_port().port();
    let dir = binary::work_dir("sigterm");
    rocket_toml(&dir, port, &db, &smtp, "");
    let mut conn = db.conn().await;
    let admin = fixtures::admin(&mut conn).await;
    let emails: Vec<String> = (0..30).map(|i| format!("user{i}@example.org")).collect();
    for email in &emails {
        fixtures::user(&mut conn, email).await;
    }
    let env = [("ROCKET_PROFILE", "release".to_owned())];
    let mut server = Server::start(&dir, &env, port);
    let bearer = format!("Bearer {}", admin.expose());
    let started = Instant::now();
    for email in &emails {
        let body = json!({ "email": email }).to_string();
        let response = server.request(
            "POST",
            "/api/users/password-recovery",
            &[("Authorization", &bearer)],
            Some(&body),
        );
        assert_eq!(response.status, 200, "{}", response.body);
    }
    std::thread::sleep(Duration::from_secs(1).saturating_sub(started.elapsed()));
    let exit = server.terminate(Duration::from_secs(20));
    let log = server.log();
    assert!(exit.is_some(), "still running 20 s after SIGTERM:\n{log}");
    let before = smtp.received().len();
    assert!(before < 30, "every mail left before the SIGTERM: the test proves nothing");
    // What went out is recorded as sent; what did not is queued and due now, not leased.
    let sent = fixtures::count(&mut conn, "mail_outbox where status = 'sent'").await;
    assert_eq!(usize::try_from(sent).ok(), Some(before), "{log}");
    let held =
        fixtures::count(&mut conn, "mail_outbox where status = 'queued' and next_attempt_at > now()").await;
    assert_eq!(held, 0, "mails left claimed until their lease ends:\n{log}");
    drop(server);

    let _restarted = Server::start(&dir, &env, port);
    assert!(smtp.wait_for(30, Duration::from_secs(40)).await, "only {} of 30 arrived", smtp.received().len());
    std::thread::sleep(Duration::from_secs(1));
    let recipients: Vec<String> = smtp.received().iter().flat_map(|m| m.rcpt.clone()).collect();
    let unique: HashSet<&String> = recipients.iter().collect();
    assert_eq!((recipients.len(), unique.len()), (30, 30), "lost or repeated: {recipients:?}");
}

/// A session setting of the connection the crate hands out.
async fn setting(app: &TestApp, name: &str) -> String {
    use diesel_async::RunQueryDsl as _;
    #[derive(diesel::QueryableByName)]
    struct Setting {
        #[diesel(sql_type = diesel::sql_types::Text)]
        value: String,
    }
    let mut conn =
        rocket_user_account::internals::DbConn::get(app.client.rocket()).await.expect("a connection");
    let row: Setting = diesel::sql_query(format!("select current_setting('{name}') as value"))
        .get_result(&mut *conn)
        .await
        .expect("read the setting");
    row.value
}

#[rocket::async_test]
async fn behind_a_pooler_no_setting_stays_on_the_session() {
    // On its own connections the crate sets its bounds once per session; behind a pooler such a
    // setting would stay with the server connection the pooler lent, so none is made there.
    let direct = app().set("user_account.statement_timeout_secs", 7).spawn().await;
    let pooled = app()
        .set("user_account.statement_timeout_secs", 7)
        .set("user_account.prepared_statements", false)
        .spawn()
        .await;
    assert_eq!(setting(&direct, "statement_timeout").await, "7s");
    // The crate's own connection keeps its setting from one checkout to the next.
    std::thread::sleep(Duration::from_millis(100));
    assert_eq!(setting(&direct, "statement_timeout").await, "7s");
    assert_eq!(setting(&pooled, "statement_timeout").await, "0");
    assert_eq!(setting(&pooled, "lock_timeout").await, "0");
}

#[rocket::async_test]
async fn one_pass_sends_batch_after_batch() {
    // More mails than one claim takes (54 with the default attempt timeout): one pass sends
    // them all, claiming the next batch while the one before is sent.
    let app = app().set("user_account.rate_limits.recovery_per_admin_hour", 0).spawn().await;
    let mut conn = app.db.conn().await;
    let admin = fixtures::admin(&mut conn).await;
    for i in 0..130 {
        let email = format!("user{i}@example.org");
        fixtures::user(&mut conn, &email).await;
        request(&app, admin.expose(), &email).await;
    }
    let report = app.deliver_mail().await;
    assert_eq!((report.sent, report.retried, report.dropped), (130, 0, 0), "{report:?}");
    assert_eq!(app.smtp.received().len(), 130);
}

#[rocket::async_test]
async fn the_worker_opens_no_connection_of_its_own_while_it_runs() {
    // Only a stopping worker whose pool has closed may connect by itself: a closed or empty
    // pool otherwise fails the pass, and nothing is sent.
    let app = app().spawn().await;
    let mut conn = app.db.conn().await;
    let admin = fixtures::admin(&mut conn).await;
    fixtures::user(&mut conn, "ann@example.org").await;
    request(&app, admin.expose(), "ann@example.org").await;
    let rocket = app.client.rocket();
    let queue = rocket.state::<rocket_user_account::internals::MailQueue>().expect("the queue");
    let pool = rocket_user_account::internals::Db::fetch(rocket).expect("the pool").pool();
    pool.close();
    assert!(queue.deliver_due(&pool).await.is_err(), "a closed pool fails the pass");
    assert!(app.smtp.received().is_empty());
}
