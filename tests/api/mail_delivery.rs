//! The outbox and its worker: durability, retries, dropping dead tokens, several workers.

use std::collections::HashSet;
use std::time::Duration;

use rocket::http::Status;
use serde_json::json;

use crate::helpers::{app, fixtures, smtp, Mode, SmtpServer, TestApp};

async fn request_recovery(app: &TestApp, admin: &str, email: &str) {
    let r = app.post("/password-recovery", &json!({"email": email}), Some(admin)).await;
    assert_eq!(r.status(), Status::Ok);
}

/// Makes every queued mail due now, as if its backoff had passed.
async fn backoff_passes(app: &TestApp) {
    let mut conn = app.db.conn().await;
    fixtures::execute(&mut conn, "update mail_outbox set next_attempt_at = now() where status = 'queued'")
        .await;
}

async fn statuses(app: &TestApp) -> Vec<(String, i32, bool)> {
    use diesel::sql_types::{Bool, Integer, Text};
    use diesel_async::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = Text)]
        status: String,
        #[diesel(sql_type = Integer)]
        attempts: i32,
        #[diesel(sql_type = Bool)]
        has_body: bool,
    }
    let mut conn = app.db.conn().await;
    let rows: Vec<Row> = diesel::sql_query(
        // What the mail says: its bodies, or the values it is rendered from when sent.
        "select status, attempts, coalesce(body_text, context) is not null as has_body \
         from mail_outbox order by created_at",
    )
    .load(&mut conn)
    .await
    .expect("outbox");
    rows.into_iter().map(|r| (r.status, r.attempts, r.has_body)).collect()
}

/// An app whose SMTP server is down (its address, to start it later), an admin, and Ann.
async fn while_smtp_is_down() -> (TestApp, std::net::SocketAddr, rocket_user_account::internals::PlainToken) {
    let addr = smtp::free_port();
    let down = SmtpServer::unstarted_at(addr);
    let app = app().smtp(&down).spawn().await;
    let mut conn = app.db.conn().await;
    let admin = fixtures::admin(&mut conn).await;
    fixtures::user(&mut conn, "ann@example.org").await;
    (app, addr, admin)
}

#[rocket::async_test]
async fn a_mail_queued_while_smtp_is_down_arrives_once_when_it_is_back() {
    let (app, addr, admin) = while_smtp_is_down().await;

    request_recovery(&app, admin.expose(), "ann@example.org").await;
    let report = app.deliver_mail().await;
    assert_eq!((report.sent, report.retried), (0, 1));
    assert_eq!(statuses(&app).await, vec![("queued".to_string(), 1, true)]);

    let up = SmtpServer::start_at(addr);
    // Not due yet: the backoff holds it back.
    assert_eq!(app.deliver_mail().await.sent, 0);
    backoff_passes(&app).await;
    assert_eq!(app.deliver_mail().await.sent, 1);
    assert_eq!(app.deliver_mail().await.sent, 0);
    assert_eq!(up.received().len(), 1);
    assert_eq!(statuses(&app).await, vec![("sent".to_string(), 2, false)]);
}

#[rocket::async_test]
async fn a_mail_refused_every_time_is_abandoned_after_max_attempts() {
    let server = SmtpServer::start();
    server.set_mode(Mode::TempFail);
    let app = app().smtp(&server).set("user_account.mail.max_attempts", 3).spawn().await;
    let mut conn = app.db.conn().await;
    let admin = fixtures::admin(&mut conn).await;
    fixtures::user(&mut conn, "ann@example.org").await;
    request_recovery(&app, admin.expose(), "ann@example.org").await;

    for attempt in 1..=3 {
        // A temporary refusal first, then permanent ones: both are retried up to the limit.
        if attempt == 2 {
            server.set_mode(Mode::PermFail);
        }
        let report = app.deliver_mail().await;
        assert_eq!(report.retried + report.abandoned, 1, "attempt {attempt}");
        backoff_passes(&app).await;
    }
    assert_eq!(statuses(&app).await, vec![("abandoned".to_string(), 3, false)]);
    assert_eq!(fixtures::count(&mut conn, "audit_events where event = 'email_send_failed'").await, 2);
    assert_eq!(fixtures::count(&mut conn, "audit_events where event = 'email_abandoned'").await, 1);
    assert!(server.received().is_empty());
}

#[rocket::async_test]
async fn a_mail_whose_token_expired_was_used_or_superseded_is_dropped_not_sent_late() {
    let app = crate::helpers::spawn_app().await;
    let mut conn = app.db.conn().await;
    let admin = fixtures::admin(&mut conn).await;
    let ann = fixtures::user(&mut conn, "ann@example.org").await;
    fixtures::user(&mut conn, "bob@example.org").await;
    let carol = fixtures::user(&mut conn, "carol@example.org").await;

    request_recovery(&app, admin.expose(), "ann@example.org").await;
    fixtures::expire_recovery_tokens(&mut conn, ann).await;
    request_recovery(&app, admin.expose(), "carol@example.org").await;
    fixtures::execute(
        &mut conn,
        &format!("update recovery_tokens set used_at = now() where user_id = '{carol}'"),
    )
    .await;
    request_recovery(&app, admin.expose(), "bob@example.org").await;
    request_recovery(&app, admin.expose(), "bob@example.org").await;

    let report = app.deliver_mail().await;
    assert_eq!((report.sent, report.dropped), (1, 3), "{report:?}");
    let mails = app.smtp.received();
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].rcpt, vec!["bob@example.org".to_string()]);
    assert!(statuses(&app).await.iter().all(|(_, _, body_kept)| !body_kept), "bodies wiped");
}

#[rocket::async_test]
async fn a_mail_whose_token_no_longer_matches_its_account_is_dropped() {
    let app = crate::helpers::spawn_app().await;
    let mut conn = app.db.conn().await;
    let admin = fixtures::admin(&mut conn).await;
    let ann = fixtures::user(&mut conn, "ann@example.org").await;
    fixtures::user(&mut conn, "bob@example.org").await;
    request_recovery(&app, admin.expose(), "ann@example.org").await;
    request_recovery(&app, admin.expose(), "bob@example.org").await;
    // As if ann's email or password had changed by a path no trigger saw: the token is not
    // revoked, but the fingerprint it was bound to is no longer the account's.
    fixtures::execute(
        &mut conn,
        &format!("update recovery_tokens set binding = sha256('elsewhere'::bytea) where user_id = '{ann}'"),
    )
    .await;

    let report = app.deliver_mail().await;
    assert_eq!((report.sent, report.dropped), (1, 1), "{report:?}");
    let mails = app.smtp.received();
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].rcpt, vec!["bob@example.org".to_string()]);
}

#[rocket::async_test]
async fn two_workers_on_one_database_deliver_a_hundred_mails_exactly_once() {
    let server = SmtpServer::start();
    // One admin asks for 100 users here: lift the per-admin limit for this test.
    let first = app().smtp(&server).set("user_account.rate_limits.recovery_per_admin_hour", 0).spawn().await;
    let second = app().smtp(&server).spawn_beside(&first).await;
    let mut conn = first.db.conn().await;
    let admin = fixtures::admin(&mut conn).await;
    for i in 0..100 {
        let email = format!("user{i}@example.org");
        fixtures::user(&mut conn, &email).await;
        let app = if i % 2 == 0 { &first } else { &second };
        request_recovery(app, admin.expose(), &email).await;
    }
    let (a, b) = rocket::tokio::join!(first.deliver_mail(), second.deliver_mail());
    assert_eq!(a.sent + b.sent, 100, "{a:?} {b:?}");
    let mails = server.received();
    assert_eq!(mails.len(), 100);
    let ids: HashSet<String> =
        mails.iter().map(|m| m.parsed().message_id().unwrap_or_default().to_owned()).collect();
    assert_eq!(ids.len(), 100, "distinct Message-IDs, none repeated");
    let recipients: HashSet<&String> = mails.iter().flat_map(|m| &m.rcpt).collect();
    assert_eq!(recipients.len(), 100);
}

#[rocket::async_test]
async fn the_worker_wakes_at_once_when_this_instance_enqueues() {
    let app = app().set("user_account.mail.worker", true).spawn().await;
    let mut conn = app.db.conn().await;
    let admin = fixtures::admin(&mut conn).await;
    fixtures::user(&mut conn, "ann@example.org").await;
    request_recovery(&app, admin.expose(), "ann@example.org").await;
    // Well under the worker's 5-second poll interval: only the wake-up can deliver it in time.
    assert!(app.smtp.wait_for(1, Duration::from_secs(3)).await, "the mail did not arrive promptly");
}

/// A sender that panics on its first delivery and records the others.
#[derive(Default, Clone)]
struct PanicsOnce {
    calls: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

#[rocket::async_trait]
impl rocket_user_account::SendMail for PanicsOnce {
    async fn send(&self, message: lettre::Message) -> Result<(), String> {
        let first = {
            let mut calls = self.calls.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            let subject = message.headers().get_raw("Subject").unwrap_or_default().to_owned();
            calls.push(subject);
            calls.len() == 1
        };
        assert!(!first, "a transport bug");
        Ok(())
    }
}

#[rocket::async_test]
async fn the_worker_survives_a_panic_in_one_delivery() {
    let sender = PanicsOnce::default();
    let app = app().mail_sender(sender.clone()).spawn().await;
    let mut conn = app.db.conn().await;
    let admin = fixtures::admin(&mut conn).await;
    fixtures::user(&mut conn, "ann@example.org").await;
    fixtures::user(&mut conn, "bob@example.org").await;
    request_recovery(&app, admin.expose(), "ann@example.org").await;
    request_recovery(&app, admin.expose(), "bob@example.org").await;

    let report = app.deliver_mail().await;
    assert_eq!((report.sent, report.retried), (1, 1), "the panic failed one mail, not the pass");
    backoff_passes(&app).await;
    assert_eq!(app.deliver_mail().await.sent, 1);
    assert_eq!(sender.calls.lock().map(|c| c.len()).unwrap_or_default(), 3);
    assert!(statuses(&app).await.iter().all(|(status, _, _)| status == "sent"));
}

/// A sender that takes 700 ms a mail (longer than a token check stays fresh for the worker)
/// and says when it starts one.
#[derive(Default, Clone)]
struct Slow {
    recipients: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
    started: std::sync::Arc<rocket::tokio::sync::Notify>,
}

#[rocket::async_trait]
impl rocket_user_account::SendMail for Slow {
    async fn send(&self, message: lettre::Message) -> Result<(), String> {
        let to = message.envelope().to().iter().map(ToString::to_string);
        self.recipients.lock().unwrap_or_else(std::sync::PoisonError::into_inner).extend(to);
        self.started.notify_one();
        rocket::tokio::time::sleep(Duration::from_millis(700)).await;
        Ok(())
    }
}

#[rocket::async_test]
async fn a_token_that_dies_while_its_batch_is_being_sent_drops_its_mail() {
    let sender = Slow::default();
    let app = app().mail_sender(sender.clone()).spawn().await;
    let mut conn = app.db.conn().await;
    let admin = fixtures::admin(&mut conn).await;
    fixtures::user(&mut conn, "ann@example.org").await;
    let bob = fixtures::user(&mut conn, "bob@example.org").await;
    request_recovery(&app, admin.expose(), "ann@example.org").await;
    request_recovery(&app, admin.expose(), "bob@example.org").await;

    // Both mails are claimed in one batch, their tokens live; bob's dies while ann's is sent.
    let kill = async {
        sender.started.notified().await;
        fixtures::expire_recovery_tokens(&mut conn, bob).await;
    };
    let (report, ()) = rocket::tokio::join!(app.deliver_mail(), kill);
    assert_eq!((report.sent, report.dropped), (1, 1), "{report:?}");
    let recipients = sender.recipients.lock().map(|r| r.clone()).unwrap_or_default();
    assert_eq!(recipients, vec!["ann@example.org".to_string()]);
    assert!(statuses(&app).await.iter().all(|(_, _, body_kept)| !body_kept), "bodies wiped");
}

#[rocket::async_test]
async fn a_recovery_mail_waits_as_its_values_and_is_rendered_when_it_is_sent() {
    let (app, addr, admin) = while_smtp_is_down().await;
    let mut conn = app.db.conn().await;
    let r = app
        .post(
            "/password-recovery",
            &json!({"email": "ann@example.org", "locale": "ja"}),
            Some(admin.expose()),
        )
        .await;
    assert_eq!(r.status(), Status::Ok);

    // Queued: no rendered subject or body, the values (with the language) instead.
    let waiting = "mail_outbox where subject is null and body_text is null and body_html is null \
                   and context::jsonb->>'lang' = 'ja' and language = 'ja'";
    assert_eq!(fixtures::count(&mut conn, waiting).await, 1);

    // Values of a format this version does not read: the attempt fails as `other`, nothing is
    // sent, and the mail waits for its next attempt.
    fixtures::execute(&mut conn, "update mail_outbox set context = replace(context, '\"v\":1', '\"v\":9')")
        .await;
    let up = SmtpServer::start_at(addr);
    let report = app.deliver_mail().await;
    assert_eq!((report.sent, report.retried), (0, 1), "{report:?}");
    assert_eq!(fixtures::count(&mut conn, "mail_outbox where last_error_class = 'other'").await, 1);
    assert!(up.received().is_empty());

    // Its values back: it goes out rendered in Japanese, and the values are wiped.
    fixtures::execute(&mut conn, "update mail_outbox set context = replace(context, '\"v\":9', '\"v\":1')")
        .await;
    backoff_passes(&app).await;
    assert_eq!(app.deliver_mail().await.sent, 1);
    let mails = up.received();
    assert_eq!(mails.len(), 1);
    let parsed = mails[0].parsed();
    assert_eq!(parsed.header("Content-Language").and_then(|h| h.as_text()), Some("ja"));
    assert!(parsed.body_text(0).is_some_and(|t| t.contains("#token=")));
    assert_eq!(
        fixtures::count(&mut conn, "mail_outbox where context is not null or body_text is not null").await,
        0
    );
}
