//! The operators' side of recovery: `Idempotency-Key` on `password-recovery`, a recovery's
//! status, a user's outstanding tokens and their revocation, and the user's "this wasn't me"
//! cancel link. Tokens come from mails that really arrived over SMTP (or, for a mail that must
//! stay queued, from its row in the outbox).

use diesel_async::{AsyncPgConnection, RunQueryDsl};
use rocket::http::{ContentType, Header, Method, Status};
use rocket::local::asynchronous::LocalResponse;
use rocket_user_account::internals::verify as verify_password;
use rocket_user_account::internals::PlainToken;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::helpers::{app, assert_error, fixtures, json, smtp, spawn_app, Mode, SmtpServer, TestApp, MOUNT};

const GOOD: &str = "violet tugboat quarry lantern";
const OLD: &str = "the old password, long enough";

fn bearer(token: &str) -> Header<'static> {
    Header::new("Authorization", format!("Bearer {token}"))
}

/// An admin of their own (an account with an admin session): its id and bearer token.
async fn admin_named(conn: &mut AsyncPgConnection, email: &str) -> (Uuid, PlainToken) {
    let id = fixtures::user(conn, email).await;
    (id, fixtures::session(conn, id, &["admin"]).await)
}

/// `POST <mount>/password-recovery` as `admin`, with one `Idempotency-Key` header per key.
async fn recover<'a>(app: &'a TestApp, admin: &str, body: &Value, keys: &[&str]) -> LocalResponse<'a> {
    let mut request = app
        .req(Method::Post, format!("{MOUNT}/password-recovery"))
        .header(ContentType::JSON)
        .header(bearer(admin))
        .body(body.to_string());
    for key in keys {
        request = request.header(Header::new("Idempotency-Key", (*key).to_owned()));
    }
    request.dispatch().await
}

/// A recovery that must succeed: its answer.
async fn recovered(app: &TestApp, admin: &str, body: &Value, keys: &[&str]) -> Value {
    let response = recover(app, admin, body, keys).await;
    assert_eq!(response.status(), Status::Ok, "{body} {keys:?}");
    json(response).await
}

/// The `recovery_id` of an answer.
fn id_of(answer: &Value) -> String {
    let id = answer["recovery_id"].as_str().unwrap_or_else(|| panic!("no recovery_id: {answer}"));
    Uuid::parse_str(id).unwrap_or_else(|e| panic!("{id}: {e}"));
    id.to_owned()
}

/// `GET <mount>/password-recovery/<id>`, with a bearer if given.
async fn status<'a>(app: &'a TestApp, admin: Option<&str>, id: &str) -> LocalResponse<'a> {
    let mut request = app.get(format!("{MOUNT}/password-recovery/{id}"));
    if let Some(admin) = admin {
        request = request.header(bearer(admin));
    }
    request.dispatch().await
}

/// A recovery's status, which must be there; its shape is checked.
async fn status_of(app: &TestApp, admin: &str, id: &str) -> Value {
    let response = status(app, Some(admin), id).await;
    assert_eq!(response.status(), Status::Ok, "status of {id}");
    let body = json(response).await;
    assert_keys(
        &body,
        &["recovery_id", "user_id", "requested_by", "created_at", "expires_at", "token", "delivery"],
    );
    assert_keys(&body["delivery"], &["state", "attempts", "sent_at", "last_error"]);
    assert_eq!(body["recovery_id"], id, "{body}");
    body
}

/// `GET <mount>/recovery-tokens?user_id=<user>` (percent-encoded), with a bearer if given.
async fn outstanding<'a>(app: &'a TestApp, admin: Option<&str>, user: &str) -> LocalResponse<'a> {
    let user = rocket::http::RawStr::new(user).percent_encode();
    let mut request = app.get(format!("{MOUNT}/recovery-tokens?user_id={user}"));
    if let Some(admin) = admin {
        request = request.header(bearer(admin));
    }
    request.dispatch().await
}

/// `DELETE <mount>/recovery-tokens/<id>`, with a bearer if given.
async fn revoke<'a>(app: &'a TestApp, admin: Option<&str>, id: &str) -> LocalResponse<'a> {
    let mut request = app.req(Method::Delete, format!("{MOUNT}/recovery-tokens/{id}"));
    if let Some(admin) = admin {
        request = request.header(bearer(admin));
    }
    request.dispatch().await
}

async fn verify(app: &TestApp, token: &str) -> Value {
    let response = app.post("/verify-recovery-token", &json!({"token": token}), None).await;
    assert_eq!(response.status(), Status::Ok);
    json(response).await
}

async fn cancel<'a>(app: &'a TestApp, token: &str) -> LocalResponse<'a> {
    app.post("/cancel-recovery", &json!({"token": token}), None).await
}

async fn change<'a>(app: &'a TestApp, token: &str, new_password: &str) -> LocalResponse<'a> {
    app.post("/change-password", &json!({"token": token, "new_password": new_password}), None).await
}

/// Asserts a 400 `invalid_token` with `reason`.
async fn assert_invalid_token(response: LocalResponse<'_>, reason: &str) {
    let error = assert_error(response, 400, "invalid_token").await;
    assert_eq!(error["details"]["reason"], reason, "{error}");
}

/// Asserts that `value` is an object with exactly `keys`.
fn assert_keys(value: &Value, keys: &[&str]) {
    let mut got: Vec<&str> = value
        .as_object()
        .unwrap_or_else(|| panic!("not an object: {value}"))
        .keys()
        .map(String::as_str)
        .collect();
    got.sort_unstable();
    let mut want = keys.to_vec();
    want.sort_unstable();
    assert_eq!(got, want, "{value}");
}

/// The text column `v` of each row `sql` returns.
async fn texts(conn: &mut AsyncPgConnection, sql: &str) -> Vec<String> {
    #[derive(diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Text)]
        v: String,
    }
    let rows: Vec<Row> = diesel::sql_query(sql).load(conn).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
    rows.into_iter().map(|r| r.v).collect()
}

/// How many token rows and outbox rows there are.
async fn rows(app: &TestApp) -> (i64, i64) {
    let mut conn = app.db.conn().await;
    (fixtures::count(&mut conn, "recovery_tokens").await, fixtures::count(&mut conn, "mail_outbox").await)
}

/// How many `event`s concern `user`.
async fn audited(app: &TestApp, event: &str, user: Uuid) -> i64 {
    let mut conn = app.db.conn().await;
    fixtures::count(&mut conn, &format!("audit_events where event = '{event}' and target_user_id = '{user}'"))
        .await
}

/// The token in the last mail that arrived for `email`.
fn token_for(app: &TestApp, email: &str) -> String {
    let mails = app.smtp.received();
    let mail = mails
        .iter()
        .rev()
        .find(|m| m.rcpt.iter().any(|r| r == email))
        .unwrap_or_else(|| panic!("no mail arrived for {email}"));
    fixtures::token_in(mail)
}

/// The token in the still-queued mail of the recovery `id`, read from its outbox row.
async fn queued_token(app: &TestApp, id: &str) -> String {
    let mut conn = app.db.conn().await;
    let bodies = texts(
        &mut conn,
        // Its bodies, or (a recovery mail, rendered when sent) the values it is rendered from.
        &format!(
            "select coalesce(body_text, context) as v from mail_outbox where token_id = '{id}' and status = 'queued'"
        ),
    )
    .await;
    assert_eq!(bodies.len(), 1, "one queued mail for {id}");
    let start = bodies[0].find("#token=").expect("a link with the token") + "#token=".len();
    bodies[0][start..start + 43].to_owned()
}

/// Makes every queued mail due now, as if its backoff had passed.
async fn backoff_passes(app: &TestApp) {
    let mut conn = app.db.conn().await;
    fixtures::execute(&mut conn, "update mail_outbox set next_attempt_at = now() where status = 'queued'")
        .await;
}

#[rocket::async_test]
async fn a_retry_with_the_same_key_during_an_smtp_outage_sends_exactly_one_mail_once_smtp_is_back() {
    let addr = smtp::free_port();
    let down = SmtpServer::unstarted_at(addr);
    let app = app().smtp(&down).spawn().await;
    let mut conn = app.db.conn().await;
    let admin = fixtures::admin(&mut conn).await;
    let ann = fixtures::user(&mut conn, "ann@example.org").await;
    let body = json!({"email": "ann@example.org"});
    let key = "8e03978e-40d5-43e8-bc93-6894a57f9324";

    let first = recovered(&app, admin.expose(), &body, &[key]).await;
    assert_eq!(first["status"], "queued");
    assert_eq!(first["user_id"], ann.to_string());
    let id = id_of(&first);
    let report = app.deliver_mail().await;
    assert_eq!((report.sent, report.retried), (0, 1), "SMTP is down: {report:?}");

    // The admin's client timed out and retries, twice, while SMTP is still down.
    for retry in 0..2 {
        let again = recovered(&app, admin.expose(), &body, &[key]).await;
        assert_eq!(again, first, "retry {retry}: the first answer again");
        assert_eq!(rows(&app).await, (1, 1), "retry {retry}: one token row, one outbox row");
        backoff_passes(&app).await;
        let report = app.deliver_mail().await;
        assert_eq!((report.sent, report.retried), (0, 1), "retry {retry}: {report:?}");
    }
    assert_eq!(audited(&app, "recovery_requested", ann).await, 1);
    assert_eq!(audited(&app, "recovery_replayed", ann).await, 2);

    let up = SmtpServer::start_at(addr);
    backoff_passes(&app).await;
    assert_eq!(app.deliver_mail().await.sent, 1);
    assert_eq!(app.deliver_mail().await, Default::default(), "nothing left to deliver");
    // A retry after the mail went answers the same and sends nothing more.
    assert_eq!(recovered(&app, admin.expose(), &body, &[key]).await, first);
    backoff_passes(&app).await;
    assert_eq!(app.deliver_mail().await.sent, 0);
    assert_eq!(rows(&app).await, (1, 1));

    let mails = up.received();
    assert_eq!(mails.len(), 1, "exactly one mail");
    assert_eq!(mails[0].rcpt, vec!["ann@example.org".to_string()]);
    let token = fixtures::token_in(&mails[0]);
    let verdict = verify(&app, &token).await;
    assert_eq!(verdict["valid"], true, "the mailed token is the live one: {verdict}");
    // The link's lifetime started when its mail was accepted, after the outage.
    assert!(verdict["expires_at"].as_str() > first["expires_at"].as_str(), "{verdict} {first}");
    let status = status_of(&app, admin.expose(), &id).await;
    assert_eq!((&status["token"], &status["expires_at"]), (&json!("live"), &verdict["expires_at"]));
}

#[rocket::async_test]
async fn the_same_key_with_another_body_is_refused_and_writes_nothing() {
    let app = spawn_app().await;
    let mut conn = app.db.conn().await;
    let admin = fixtures::admin(&mut conn).await;
    let ann = fixtures::user(&mut conn, "ann@example.org").await;
    let bob = fixtures::user(&mut conn, "bob@example.org").await;
    let key = "retry-me";
    let first = recovered(&app, admin.expose(), &json!({"email": "ann@example.org"}), &[key]).await;

    let others = [
        json!({"email": "bob@example.org"}),
        json!({"user_id": bob}),
        // The same account named another way is another request.
        json!({"user_id": ann}),
        json!({"email": "nobody@example.org"}),
    ];
    for other in &others {
        let response = recover(&app, admin.expose(), other, &[key]).await;
        assert_error(response, 422, "idempotency_key_reused").await;
        assert_eq!(rows(&app).await, (1, 1), "{other}: no new token or mail row");
    }
    let refused = "audit_events where event = 'idempotency_key_refused' and details->>'reason' = 'reused'";
    assert_eq!(fixtures::count(&mut conn, refused).await, 4, "each refusal is recorded");
    assert_eq!(fixtures::count(&mut conn, &format!("recovery_tokens where user_id = '{bob}'")).await, 0);
    assert_eq!(fixtures::count(&mut conn, "audit_events where event = 'recovery_requested'").await, 1);
    // The key still answers its own request.
    assert_eq!(recovered(&app, admin.expose(), &json!({"email": "ann@example.org"}), &[key]).await, first);

    assert_eq!(app.deliver_mail().await.sent, 1);
    let mails = app.smtp.received();
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].rcpt, vec!["ann@example.org".to_string()]);
    assert_eq!(verify(&app, &fixtures::token_in(&mails[0])).await["valid"], true);
}

#[rocket::async_test]
async fn two_admins_using_one_key_are_independent() {
    let app = spawn_app().await;
    let mut conn = app.db.conn().await;
    let (first_admin, first_bearer) = admin_named(&mut conn, "admin.one@example.org").await;
    let (second_admin, second_bearer) = admin_named(&mut conn, "admin.two@example.org").await;
    let ann = fixtures::user(&mut conn, "ann@example.org").await;
    let bob = fixtures::user(&mut conn, "bob@example.org").await;
    let key = "\"shared-key\"";
    let for_ann = json!({"email": "ann@example.org"});
    let for_bob = json!({"email": "bob@example.org"});

    let a = recovered(&app, first_bearer.expose(), &for_ann, &[key]).await;
    let b = recovered(&app, second_bearer.expose(), &for_bob, &[key]).await;
    assert_ne!(id_of(&a), id_of(&b), "two recoveries");
    assert_eq!(a["user_id"], ann.to_string());
    assert_eq!(b["user_id"], bob.to_string());
    assert_eq!(rows(&app).await, (2, 2), "two tokens, two mails");

    // Each admin's key answers that admin's request, and is refused for the other's.
    assert_eq!(recovered(&app, first_bearer.expose(), &for_ann, &[key]).await, a);
    assert_eq!(recovered(&app, second_bearer.expose(), &for_bob, &[key]).await, b);
    assert_error(
        recover(&app, second_bearer.expose(), &for_ann, &[key]).await,
        422,
        "idempotency_key_reused",
    )
    .await;
    assert_eq!(rows(&app).await, (2, 2));
    assert_eq!(
        status_of(&app, first_bearer.expose(), &id_of(&a)).await["requested_by"],
        first_admin.to_string()
    );
    assert_eq!(
        status_of(&app, first_bearer.expose(), &id_of(&b)).await["requested_by"],
        second_admin.to_string()
    );

    assert_eq!(app.deliver_mail().await.sent, 2);
    for email in ["ann@example.org", "bob@example.org"] {
        assert_eq!(verify(&app, &token_for(&app, email)).await["valid"], true, "{email}");
    }
}

#[rocket::async_test]
async fn malformed_keys_are_refused_and_a_quoted_key_is_the_bare_key() {
    let app = spawn_app().await;
    let mut conn = app.db.conn().await;
    let admin = fixtures::admin(&mut conn).await;
    fixtures::user(&mut conn, "ann@example.org").await;
    let bob = fixtures::user(&mut conn, "bob@example.org").await;
    let body = json!({"email": "ann@example.org"});
    let too_long = "k".repeat(256);
    let cases: [&[&str]; 8] = [
        &[""],
        &["\"\""],
        &[&too_long],
        &["caf\u{e9}"],
        &["a b"],
        &["tab\there"],
        &["abc", "abc"],
        &["abc", "def"],
    ];
    for keys in cases {
        let response = recover(&app, admin.expose(), &body, keys).await;
        assert_error(response, 400, "invalid_idempotency_key").await;
        assert_eq!(rows(&app).await, (0, 0), "{keys:?}: nothing written");
    }
    let refused = "audit_events where event = 'idempotency_key_refused' and details->>'reason' = 'invalid' \
                   and request_id is not null";
    assert_eq!(fixtures::count(&mut conn, refused).await, 8, "each refusal is recorded");
    assert_eq!(app.deliver_mail().await.sent, 0);
    assert!(app.smtp.received().is_empty());

    let quoted = recovered(&app, admin.expose(), &body, &["\"abc\""]).await;
    let bare = recovered(&app, admin.expose(), &body, &["abc"]).await;
    assert_eq!(bare, quoted, "`\"abc\"` and `abc` are one key");
    assert_eq!(rows(&app).await, (1, 1));

    // The longest key is accepted.
    let longest = "k".repeat(255);
    let for_bob = recovered(&app, admin.expose(), &json!({"user_id": bob}), &[&longest]).await;
    assert_eq!(for_bob["user_id"], bob.to_string());
    assert_eq!(rows(&app).await, (2, 2));
    assert_eq!(app.deliver_mail().await.sent, 2);
}

#[rocket::async_test]
async fn the_status_walks_from_queued_through_retrying_to_sent() {
    let server = SmtpServer::start();
    server.set_mode(Mode::TempFail);
    let app = app().smtp(&server).spawn().await;
    let mut conn = app.db.conn().await;
    let (admin_id, admin) = admin_named(&mut conn, "admin@example.org").await;
    let ann = fixtures::user(&mut conn, "ann@example.org").await;
    let answer = recovered(&app, admin.expose(), &json!({"email": "ann@example.org"}), &[]).await;
    let id = id_of(&answer);

    let queued = status_of(&app, admin.expose(), &id).await;
    assert_eq!(queued["user_id"], ann.to_string());
    assert_eq!(queued["requested_by"], admin_id.to_string());
    assert_eq!(queued["expires_at"], answer["expires_at"]);
    assert!(queued["created_at"].is_string(), "{queued}");
    assert_eq!(queued["token"], "live");
    assert_eq!(
        queued["delivery"],
        json!({"state": "queued", "attempts": 0, "sent_at": null, "last_error": null})
    );

    // The server refuses with a 451.
    let report = app.deliver_mail().await;
    assert_eq!((report.sent, report.retried), (0, 1), "{report:?}");
    let stored = texts(&mut conn, "select coalesce(last_error, '') as v from mail_outbox").await;
    assert_eq!(stored.len(), 1);
    let response = status(&app, Some(admin.expose()), &id).await;
    let text = response.into_string().await.unwrap_or_default();
    assert!(!stored[0].is_empty(), "the outbox keeps the error's text for the log reader");
    assert!(!text.contains(&stored[0]), "the error's text is never answered: {text}");
    // The reply code as a server writes it ("451 4.3.0 ..."): a bare "451" can be part of an id or
    // a timestamp's fraction in the answer.
    for server_text in ["451 ", "Aborted", "local error"] {
        assert!(!text.contains(server_text), "{server_text:?} in {text}");
    }
    let retrying: Value = serde_json::from_str(&text).expect("json");
    assert_eq!(retrying["token"], "live");
    assert_eq!(
        retrying["delivery"],
        json!({"state": "retrying", "attempts": 1, "sent_at": null, "last_error": "transient"}),
        "the worker records the class of the last error"
    );

    // The server accepts again; the backoff passes.
    server.set_mode(Mode::Accept);
    backoff_passes(&app).await;
    assert_eq!(app.deliver_mail().await.sent, 1);
    let sent = status_of(&app, admin.expose(), &id).await;
    assert_eq!(sent["token"], "live");
    assert_eq!(sent["delivery"]["state"], "sent", "{sent}");
    assert_eq!(sent["delivery"]["attempts"], 2, "{sent}");
    assert!(sent["delivery"]["sent_at"].is_string(), "{sent}");
    assert_eq!(sent["delivery"]["last_error"], Value::Null, "{sent}");
    assert_eq!(server.received().len(), 1);
    assert_eq!(verify(&app, &token_for(&app, "ann@example.org")).await["valid"], true);
}

#[rocket::async_test]
async fn the_status_of_a_token_follows_what_happened_to_it() {
    let app = spawn_app().await;
    let mut conn = app.db.conn().await;
    let admin = fixtures::admin(&mut conn).await;
    let admin = admin.expose();
    for (email, name) in [
        ("ann@example.org", "Ann"),
        ("bob@example.org", "Bob"),
        ("carol@example.org", "Carol"),
        ("dave@example.org", "Dave"),
    ] {
        fixtures::user_with(&mut conn, email, name, OLD).await;
    }
    let on = &app;
    let ask = |email: &'static str| async move {
        id_of(&recovered(on, admin, &json!({"email": email}), &[]).await)
    };

    let redeemed = ask("ann@example.org").await;
    let superseded = ask("bob@example.org").await;
    let newer = ask("bob@example.org").await;
    let cancelled = ask("carol@example.org").await;
    let revoked = ask("dave@example.org").await;
    for id in [&redeemed, &superseded, &newer, &cancelled, &revoked] {
        let body = status_of(&app, admin, id).await;
        // A mail still queued behind a token that ended shows `dropped` before the worker
        // comes to it.
        let expected = if *id == superseded { ("superseded", "dropped") } else { ("live", "queued") };
        assert_eq!(
            (body["token"].as_str(), body["delivery"]["state"].as_str()),
            (Some(expected.0), Some(expected.1))
        );
    }
    assert_eq!(revoke(&app, Some(admin), &revoked).await.status(), Status::Ok);
    let report = app.deliver_mail().await;
    assert_eq!((report.sent, report.dropped), (3, 2), "{report:?}");
    assert_eq!(change(&app, &token_for(&app, "ann@example.org"), GOOD).await.status(), Status::Ok);
    assert_eq!(cancel(&app, &token_for(&app, "carol@example.org")).await.status(), Status::Ok);

    let expected = [
        (&redeemed, "redeemed", "sent"),
        (&superseded, "superseded", "dropped"),
        (&newer, "live", "sent"),
        (&cancelled, "cancelled", "sent"),
        (&revoked, "revoked", "dropped"),
    ];
    for (id, token, delivery) in expected {
        let body = status_of(&app, admin, id).await;
        assert_eq!(
            (body["token"].as_str(), body["delivery"]["state"].as_str()),
            (Some(token), Some(delivery)),
            "{body}"
        );
    }

    assert_error(status(&app, Some(admin), &Uuid::new_v4().to_string()).await, 404, "not_found").await;
    for malformed in ["not-a-uuid", "1", "%00", &format!("{redeemed}x")] {
        assert_error(status(&app, Some(admin), malformed).await, 404, "not_found").await;
    }
    let none = status(&app, None, &redeemed).await;
    assert_eq!(none.headers().get_one("WWW-Authenticate"), Some("Bearer"));
    assert_error(none, 401, "unauthenticated").await;
    assert_error(status(&app, Some("not-a-token"), &redeemed).await, 401, "unauthenticated").await;
    let user = fixtures::user(&mut conn, "plain@example.org").await;
    let plain = fixtures::session(&mut conn, user, &["profile"]).await;
    assert_error(status(&app, Some(plain.expose()), &redeemed).await, 403, "forbidden").await;
}

#[rocket::async_test]
async fn outstanding_tokens_list_the_live_one_without_secrets_and_revoking_it_drops_its_mail() {
    let app = spawn_app().await;
    let mut conn = app.db.conn().await;
    let (admin_id, admin) = admin_named(&mut conn, "admin@example.org").await;
    let admin = admin.expose();
    let ann = fixtures::user(&mut conn, "ann@example.org").await;
    let bob = fixtures::user(&mut conn, "bob@example.org").await;
    let older = id_of(&recovered(&app, admin, &json!({"email": "ann@example.org"}), &[]).await);
    let live = id_of(&recovered(&app, admin, &json!({"email": "ann@example.org"}), &[]).await);
    let bobs = id_of(&recovered(&app, admin, &json!({"email": "bob@example.org"}), &[]).await);
    let older_token = queued_token(&app, &older).await;
    let token = queued_token(&app, &live).await;
    assert_eq!(verify(&app, &token).await["valid"], true);

    let response = outstanding(&app, Some(admin), &ann.to_string()).await;
    assert_eq!(response.status(), Status::Ok);
    let text = response.into_string().await.unwrap_or_default();
    let body: Value = serde_json::from_str(&text).expect("json");
    assert_keys(&body, &["user_id", "tokens"]);
    assert_eq!(body["user_id"], ann.to_string());
    let tokens = body["tokens"].as_array().expect("an array");
    assert_eq!(tokens.len(), 1, "only the live one: {body}");
    assert_keys(&tokens[0], &["token_id", "created_at", "expires_at", "requested_by", "delivery"]);
    assert_eq!(tokens[0]["token_id"], live);
    assert_eq!(tokens[0]["requested_by"], admin_id.to_string());
    assert_eq!(
        tokens[0]["delivery"],
        json!({"state": "queued", "attempts": 0, "sent_at": null, "last_error": null})
    );
    assert!(!text.contains(&token) && !text.contains(&older_token), "no token in {text}");
    let digests = texts(
        &mut conn,
        "select encode(token_hash, 'hex') as v from recovery_tokens \
         union all select encode(token_hash, 'base64') from recovery_tokens",
    )
    .await;
    assert_eq!(digests.len(), 6);
    for digest in &digests {
        assert!(!text.contains(digest.as_str()), "no digest in {text}");
    }
    assert_eq!(audited(&app, "recovery_tokens_listed", ann).await, 1);

    for unknown in [Uuid::new_v4().to_string(), "not-a-uuid".to_owned(), "password-recovery/x".to_owned()] {
        assert_error(outstanding(&app, Some(admin), &unknown).await, 404, "user_not_found").await;
    }
    // The user is named in the query: without one (or with an empty one) the answer says which
    // field is missing; the old path form, and a path spelled like another route, name nothing.
    for query in ["", "?user_id=", "?user_id=%20", "?other=1"] {
        let response =
            app.get(format!("{MOUNT}/recovery-tokens{query}")).header(bearer(admin)).dispatch().await;
        let error = assert_error(response, 422, "invalid_field").await;
        assert_eq!(error["details"], json!({"field": "user_id"}), "{query}");
    }
    for path in [format!("/{ann}/recovery-tokens"), "/password-recovery/recovery-tokens".to_owned()] {
        let response = app.get(format!("{MOUNT}{path}")).header(bearer(admin)).dispatch().await;
        assert_error(response, 404, "not_found").await;
    }
    assert_error(outstanding(&app, None, &ann.to_string()).await, 401, "unauthenticated").await;
    assert_error(revoke(&app, None, &bobs).await, 401, "unauthenticated").await;

    let response = revoke(&app, Some(admin), &live).await;
    assert_eq!(response.status(), Status::Ok);
    assert_eq!(json(response).await, json!({"status": "revoked", "token_id": live}));
    assert_eq!(
        fixtures::count(
            &mut conn,
            &format!(
                "audit_events where event = 'recovery_token_revoked' and target_user_id = '{ann}' \
                 and details->>'token_id' = '{live}'"
            )
        )
        .await,
        1
    );
    let after = json(outstanding(&app, Some(admin), &ann.to_string()).await).await;
    assert_eq!(after, json!({"user_id": ann, "tokens": []}));
    assert_eq!(verify(&app, &token).await, json!({"valid": false, "reason": "invalid"}));
    for gone in [live.clone(), older, Uuid::new_v4().to_string(), "not-a-uuid".to_owned()] {
        assert_error(revoke(&app, Some(admin), &gone).await, 404, "not_found").await;
    }

    // Ann's two mails are dropped (superseded, revoked); Bob's, whose revocation was refused, goes.
    let report = app.deliver_mail().await;
    assert_eq!((report.sent, report.dropped), (1, 2), "{report:?}");
    let mails = app.smtp.received();
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].rcpt, vec!["bob@example.org".to_string()]);
    assert_eq!(status_of(&app, admin, &live).await["delivery"]["state"], "dropped");
    let bobs_list = json(outstanding(&app, Some(admin), &bob.to_string()).await).await;
    assert_eq!(bobs_list["tokens"][0]["token_id"], bobs, "{bobs_list}");
}

#[rocket::async_test]
async fn cancelling_kills_the_token_without_touching_the_account() {
    // About a dozen public calls from the app's one address: above the per-minute limit of 10,
    // which is not what this test is about.
    let app = app().set("user_account.rate_limits.public_per_ip_minute", 100).spawn().await;
    let mut conn = app.db.conn().await;
    let admin = fixtures::admin(&mut conn).await;
    let ann = fixtures::user_with(&mut conn, "ann@example.org", "Ann", OLD).await;
    let body = json!({"email": "ann@example.org"});
    let id = id_of(&recovered(&app, admin.expose(), &body, &[]).await);
    assert_eq!(app.deliver_mail().await.sent, 1);
    let token = token_for(&app, "ann@example.org");
    let before = fixtures::password_hash(&mut conn, ann).await;
    assert!(before.is_some());

    let response = cancel(&app, &token).await;
    assert_eq!(response.status(), Status::Ok);
    assert_eq!(json(response).await, json!({"status": "cancelled"}));
    assert_eq!(fixtures::password_hash(&mut conn, ann).await, before, "the account is not touched");
    assert_eq!(
        fixtures::count(
            &mut conn,
            &format!(
                "audit_events where event = 'recovery_cancelled' and target_user_id = '{ann}' \
                 and details->>'token_id' = '{id}'"
            )
        )
        .await,
        1
    );
    assert_eq!(verify(&app, &token).await, json!({"valid": false, "reason": "cancelled"}));
    assert_invalid_token(change(&app, &token, GOOD).await, "cancelled").await;
    assert_eq!(fixtures::password_hash(&mut conn, ann).await, before);
    let again = cancel(&app, &token).await;
    assert_eq!(again.status(), Status::Ok);
    assert_eq!(json(again).await, json!({"status": "cancelled"}));
    assert_eq!(status_of(&app, admin.expose(), &id).await["token"], "cancelled");

    assert_invalid_token(cancel(&app, "garbage").await, "invalid").await;
    assert_invalid_token(cancel(&app, PlainToken::generate().expose()).await, "invalid").await;

    // A newer recovery for the same account works.
    recovered(&app, admin.expose(), &body, &[]).await;
    assert_eq!(app.deliver_mail().await.sent, 1);
    let newer = token_for(&app, "ann@example.org");
    assert_ne!(newer, token);
    assert_eq!(change(&app, &newer, GOOD).await.status(), Status::Ok);
    let after = fixtures::password_hash(&mut conn, ann).await.unwrap_or_default();
    assert!(verify_password(&after, GOOD));
    assert!(!verify_password(&after, OLD));
    // A used token cannot be cancelled, and the cancelled one stays cancelled.
    assert_invalid_token(cancel(&app, &newer).await, "used").await;
    assert_eq!(verify(&app, &token).await, json!({"valid": false, "reason": "cancelled"}));
}

/// The default store's token dies by the one rule, not by its trigger: with the trigger gone,
/// a user disabled and enabled again, or whose email is changed and changed back, keeps a dead
/// link dead; verify, cancel, the status, the list and change-password agree.
#[rocket::async_test]
async fn without_the_trigger_a_token_found_unbound_stays_dead_when_the_account_changes_back() {
    let app = spawn_app().await;
    let mut conn = app.db.conn().await;
    fixtures::execute(&mut conn, "drop trigger users_account_change_revokes_recovery_tokens on users").await;
    let (_, admin) = admin_named(&mut conn, "admin@example.org").await;
    let changes = [
        ("ann@example.org", "update users set disabled = true where id = '{id}'", "update users set disabled = false where id = '{id}'"),
        (
            "bob@example.org",
            "update users set email = 'bob.new@example.org', email_normalized = 'bob.new@example.org' where id = '{id}'",
            "update users set email = 'bob@example.org', email_normalized = 'bob@example.org' where id = '{id}'",
        ),
    ];
    for (email, away, back) in changes {
        let user = fixtures::user(&mut conn, email).await;
        let id = id_of(&recovered(&app, admin.expose(), &json!({"email": email}), &[]).await);
        app.deliver_mail().await;
        let token = token_for(&app, email);
        assert_eq!(verify(&app, &token).await["valid"], true, "{email}");

        fixtures::execute(&mut conn, &away.replace("{id}", &user.to_string())).await;
        assert_eq!(verify(&app, &token).await, json!({"valid": false, "reason": "invalid"}), "{email}");
        fixtures::execute(&mut conn, &back.replace("{id}", &user.to_string())).await;
        assert_eq!(verify(&app, &token).await, json!({"valid": false, "reason": "invalid"}), "{email}: back");
        assert_eq!(status_of(&app, admin.expose(), &id).await["token"], "revoked", "{email}");
        let list = json(outstanding(&app, Some(admin.expose()), &user.to_string()).await).await;
        assert_eq!(list["tokens"], json!([]), "{email}: {list}");
        assert_invalid_token(cancel(&app, &token).await, "invalid").await;
        assert_invalid_token(change(&app, &token, "violet tugboat quarry lantern").await, "invalid").await;
    }
}

/// Each path finds an unbound token on its own, with no verify before it: the status, the
/// list, cancel and change-password each revoke it, so that the account changed back does not
/// bring it back for the next path.
#[rocket::async_test]
async fn every_path_revokes_an_unbound_token_itself() {
    let app = spawn_app().await;
    let mut conn = app.db.conn().await;
    fixtures::execute(&mut conn, "drop trigger users_account_change_revokes_recovery_tokens on users").await;
    let (_, admin) = admin_named(&mut conn, "admin@example.org").await;
    let paths = ["status", "list", "cancel", "change", "worker"];
    for (n, path) in paths.into_iter().enumerate() {
        let email = format!("user{n}@example.org");
        let user = fixtures::user(&mut conn, &email).await;
        let id = id_of(&recovered(&app, admin.expose(), &json!({"email": email}), &[]).await);
        let token = queued_token(&app, &id).await;
        fixtures::disable_user(&mut conn, user).await;
        match path {
            "status" => assert_eq!(status_of(&app, admin.expose(), &id).await["token"], "revoked"),
            "list" => {
                let list = json(outstanding(&app, Some(admin.expose()), &user.to_string()).await).await;
                assert_eq!(list["tokens"], json!([]), "{list}");
            }
            "cancel" => assert_invalid_token(cancel(&app, &token).await, "invalid").await,
            "change" => {
                assert_invalid_token(change(&app, &token, "violet tugboat quarry lantern").await, "invalid")
                    .await;
            }
            _ => {
                app.deliver_mail().await;
                let dropped = format!("mail_outbox where token_id = '{id}' and status = 'dropped'");
                assert_eq!(fixtures::count(&mut conn, &dropped).await, 1, "the worker drops its mail");
            }
        }
        fixtures::execute(&mut conn, &format!("update users set disabled = false where id = '{user}'")).await;
        let revoked = fixtures::count(
            &mut conn,
            &format!("recovery_tokens where id = '{id}' and revoked_at is not null"),
        )
        .await;
        assert_eq!(revoked, 1, "{path} revoked the token");
        assert_eq!(verify(&app, &token).await, json!({"valid": false, "reason": "invalid"}), "{path}");
    }
}

/// A key replays only while its token lives: once another admin's recovery superseded it, or it
/// was used, cancelled or revoked, the retry with the same key starts a new recovery and a new
/// mail (the first admin is never told "queued" for a dead link).
#[rocket::async_test]
async fn a_key_is_released_as_soon_as_its_token_is_no_longer_live() {
    // Ann gets eleven recoveries here: lift the per-user limits for this test.
    let app = app()
        .set("user_account.rate_limits.recovery_per_user_hour", 0)
        .set("user_account.rate_limits.recovery_per_user_day", 0)
        .spawn()
        .await;
    let mut conn = app.db.conn().await;
    let (_, first) = admin_named(&mut conn, "admin.one@example.org").await;
    let (_, second) = admin_named(&mut conn, "admin.two@example.org").await;
    let body = json!({"email": "ann@example.org"});
    fixtures::user(&mut conn, "ann@example.org").await;
    let endings: [(&str, &str); 4] =
        [("superseded", "k1"), ("used", "k2"), ("cancelled", "k3"), ("revoked", "k4")];
    for (ending, key) in endings {
        let a = recovered(&app, first.expose(), &body, &[key]).await;
        assert_eq!(recovered(&app, first.expose(), &body, &[key]).await, a, "{ending}: replayed while live");
        app.deliver_mail().await;
        let token = token_for(&app, "ann@example.org");
        match ending {
            "superseded" => drop(recovered(&app, second.expose(), &body, &[]).await),
            "used" => assert_eq!(
                change(&app, &token, &format!("violet tugboat quarry {key}")).await.status(),
                Status::Ok
            ),
            "cancelled" => assert_eq!(cancel(&app, &token).await.status(), Status::Ok),
            _ => assert_eq!(revoke(&app, Some(first.expose()), &id_of(&a)).await.status(), Status::Ok),
        }
        let mails = app.smtp.received().len();
        let again = recovered(&app, first.expose(), &body, &[key]).await;
        assert_ne!(id_of(&again), id_of(&a), "{ending}: a new recovery");
        assert_eq!(status_of(&app, first.expose(), &id_of(&again)).await["token"], "live", "{ending}");
        app.deliver_mail().await;
        assert!(app.smtp.received().len() > mails, "{ending}: a new mail");
        assert_eq!(verify(&app, &token_for(&app, "ann@example.org")).await["valid"], true, "{ending}");
        // The key now replays the new recovery.
        assert_eq!(recovered(&app, first.expose(), &body, &[key]).await, again, "{ending}");
    }
}
