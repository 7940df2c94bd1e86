//! `POST /password-recovery`.

use rocket::http::{ContentType, Header, Method};
use serde_json::json;
use uuid::Uuid;

use crate::helpers::{app, assert_error, fixtures, json, spawn_app, TestApp, MOUNT};

async fn nothing_was_written(app: &TestApp) {
    let mut conn = app.db.conn().await;
    assert_eq!(fixtures::count(&mut conn, "recovery_tokens").await, 0, "no token row");
    assert_eq!(fixtures::count(&mut conn, "mail_outbox").await, 0, "no outbox row");
    assert_eq!(app.deliver_mail().await.sent, 0);
    assert!(app.smtp.received().is_empty(), "no mail");
}

#[rocket::async_test]
async fn the_recovery_mail_goes_to_the_stored_address_with_the_token_in_the_links_fragment() {
    let app = app().set("user_account.public_url", "https://accounts.example.org").spawn().await;
    let mut conn = app.db.conn().await;
    let admin = fixtures::admin(&mut conn).await;
    let user = fixtures::user_with(&mut conn, "Mike@Example.org", "Mike", "old password here").await;

    let response =
        app.post("/password-recovery", &json!({"email": "MIKE@EXAMPLE.ORG"}), Some(admin.expose())).await;
    assert_eq!(response.status().code, 200);
    let header_text: String =
        response.headers().iter().map(|h| format!("{}: {}\n", h.name(), h.value())).collect();
    let body_text = response.into_string().await.unwrap_or_default();
    let body: serde_json::Value = serde_json::from_str(&body_text).expect("json");
    assert_eq!(body["status"], "queued");
    assert_eq!(body["user_id"], user.to_string());
    assert!(body["expires_at"].is_string());
    assert!(body["recovery_id"].as_str().is_some_and(|id| uuid::Uuid::parse_str(id).is_ok()), "{body}");
    assert_eq!(body.as_object().map(serde_json::Map::len), Some(4), "{body}");

    let report = app.deliver_mail().await;
    assert_eq!(report.sent, 1);
    let mails = app.smtp.received();
    assert_eq!(mails.len(), 1);
    let mail = &mails[0];
    assert_eq!(mail.rcpt, vec!["Mike@Example.org".to_string()], "one envelope recipient: the stored address");
    let raw = mail.raw();
    assert!(raw.contains("Content-Type: multipart/alternative"), "{raw}");
    let parsed = mail.parsed();
    assert!(parsed.message_id().is_some_and(|id| id.ends_with("@localhost")));
    assert!(parsed.header_raw("Date").is_some());
    assert!(parsed.header_raw("Cc").is_none() && parsed.header_raw("Bcc").is_none());
    let token = fixtures::token_in(mail);
    let link = format!("https://accounts.example.org/reset-password?lang=en#token={token}");
    let cancel = format!("https://accounts.example.org/reset-password?lang=en#cancel={token}");
    assert!(parsed
        .body_text(0)
        .is_some_and(|t| t.contains(&link) && t.contains(&cancel) && t.contains("Mike")));
    assert!(parsed
        .body_html(0)
        .is_some_and(|h| h.contains(&link) && h.contains(&cancel) && h.contains("Mike")));
    assert!(
        !body_text.contains(&token) && !header_text.contains(&token),
        "the token is never in the response"
    );

    // Only the digest is stored, and the sent mail's bodies are wiped.
    let stored: i64 = {
        use diesel_async::RunQueryDsl;
        #[derive(diesel::QueryableByName)]
        struct N {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        let sql = format!(
            "select count(*) as n from recovery_tokens where token_hash = sha256('{token}'::bytea) and user_id = '{user}'"
        );
        diesel::sql_query(sql).get_result::<N>(&mut conn).await.expect("query").n
    };
    assert_eq!(stored, 1, "the stored value is sha256(token)");
    fixtures::execute(&mut conn, "do $$ begin if exists (select 1 from mail_outbox where body_text is not null or body_html is not null or context is not null) then raise 'bodies kept'; end if; end $$").await;
    // Requesting recovery changes nothing on the account.
    assert!(fixtures::password_hash(&mut conn, user)
        .await
        .is_some_and(|h| rocket_user_account::internals::verify(&h, "old password here")));
}

#[rocket::async_test]
async fn recovery_by_user_id_works_and_records_who_asked() {
    let app = spawn_app().await;
    let mut conn = app.db.conn().await;
    let admin = fixtures::admin(&mut conn).await;
    let user = fixtures::user(&mut conn, "ann@example.org").await;
    let response = app.post("/password-recovery", &json!({"user_id": user}), Some(admin.expose())).await;
    assert_eq!(response.status().code, 200);
    assert_eq!(json(response).await["user_id"], user.to_string());
    fixtures::execute(
        &mut conn,
        &format!("do $$ begin if (select count(*) from audit_events where event = 'recovery_requested' and target_user_id = '{user}' and actor_user_id is not null and request_id is not null and details ? 'token_id') <> 1 then raise 'no audit'; end if; end $$"),
    )
    .await;
}

#[rocket::async_test]
async fn recovery_requires_the_admin_scope_and_writes_nothing_otherwise() {
    let app = spawn_app().await;
    let mut conn = app.db.conn().await;
    let user = fixtures::user(&mut conn, "ann@example.org").await;
    let plain = fixtures::session(&mut conn, user, &["profile"]).await;
    let body = json!({"email": "ann@example.org"});

    let none = app.post("/password-recovery", &body, None).await;
    assert_eq!(none.headers().get_one("WWW-Authenticate"), Some("Bearer"));
    assert_error(none, 401, "unauthenticated").await;
    let garbage = app.post("/password-recovery", &body, Some("not-a-token")).await;
    assert_error(garbage, 401, "unauthenticated").await;
    assert_error(app.post("/password-recovery", &body, Some(plain.expose())).await, 403, "forbidden").await;
    nothing_was_written(&app).await;
}

#[rocket::async_test]
async fn unknown_disabled_and_emailless_users_are_refused_without_a_token_or_mail() {
    let app = spawn_app().await;
    let mut conn = app.db.conn().await;
    let admin = fixtures::admin(&mut conn).await;
    let disabled = fixtures::user(&mut conn, "gone@example.org").await;
    fixtures::disable_user(&mut conn, disabled).await;
    let no_email =
        fixtures::store().create_user(&mut conn, (None, "No Mail", None), None).await.expect("insert");
    let cases = [
        (json!({"email": "nobody@example.org"}), 404, "user_not_found"),
        (json!({"user_id": Uuid::new_v4()}), 404, "user_not_found"),
        // Ids are the store's, opaque to the crate: one the store cannot read is not found.
        (json!({"user_id": "not-a-uuid"}), 404, "user_not_found"),
        (json!({"user_id": "1' or 1=1 --"}), 404, "user_not_found"),
        // A look-alike with a dotless i is a different address.
        (json!({"email": "admın@example.org"}), 404, "user_not_found"),
        (json!({"user_id": disabled}), 409, "user_disabled"),
        (json!({"email": "GONE@example.org"}), 409, "user_disabled"),
        (json!({"user_id": no_email}), 409, "user_has_no_email"),
    ];
    for (body, status, code) in cases {
        assert_error(app.post("/password-recovery", &body, Some(admin.expose())).await, status, code).await;
    }
    nothing_was_written(&app).await;
}

#[rocket::async_test]
async fn malformed_and_hostile_bodies_are_refused_and_write_nothing() {
    let app = spawn_app().await;
    let mut conn = app.db.conn().await;
    let admin = fixtures::admin(&mut conn).await;
    fixtures::user(&mut conn, "ann@example.org").await;
    let huge = "a".repeat(300) + "@example.org";
    let cases = [
        (json!({"email": ["ann@example.org", "attacker@evil.example"]}), "invalid_body"),
        (json!({"email": "ann@example.org", "user_id": Uuid::new_v4()}), "invalid_field"),
        (json!({}), "invalid_field"),
        (json!({"email": null}), "invalid_field"),
        (json!({"email": ""}), "invalid_field"),
        (json!({"email": "   "}), "invalid_field"),
        (json!({"email": huge}), "invalid_field"),
        (json!({"email": "ann\u{0}@example.org"}), "invalid_field"),
        (json!({"email": "ann@example.org\r\nBcc: attacker@evil.example"}), "invalid_field"),
        (json!({"user_id": "x\u{0}y"}), "invalid_field"),
        (json!({"user_id": "9".repeat(256)}), "invalid_field"),
        (json!({"user_id": ""}), "invalid_field"),
        (json!({"user_id": 1}), "invalid_body"),
        (json!({"email": {"address": "ann@example.org"}}), "invalid_body"),
        (json!({"email": "ann@example.org", "recipient": "attacker@evil.example"}), "invalid_body"),
        (json!({"email": "ann@example.org", "token": "chosen"}), "invalid_body"),
        (json!({"email": "ann@example.org", "password": "chosen"}), "invalid_body"),
        (json!({"email": "ann@example.org", "expires_in": 999_999}), "invalid_body"),
        (json!({"email": "ann@example.org", "redirect_url": "https://evil.example"}), "invalid_body"),
    ];
    for (body, code) in cases {
        assert_error(app.post("/password-recovery", &body, Some(admin.expose())).await, 422, code).await;
    }
    let too_big = json!({"email": "a".repeat(9000)});
    assert_error(app.post("/password-recovery", &too_big, Some(admin.expose())).await, 413, "body_too_large")
        .await;
    let form = app
        .req(Method::Post, format!("{MOUNT}/password-recovery"))
        .header(ContentType::Form)
        .header(Header::new("Authorization", format!("Bearer {}", admin.expose())))
        .body("email=ann%40example.org");
    assert_error(form.dispatch().await, 415, "unsupported_media_type").await;
    nothing_was_written(&app).await;
}

#[rocket::async_test]
async fn the_link_ignores_host_headers_and_names_are_escaped() {
    let app = spawn_app().await;
    let mut conn = app.db.conn().await;
    let admin = fixtures::admin(&mut conn).await;
    let hostile = "<a href=//evil>x</a>\r\nBcc: attacker@evil.example";
    fixtures::user_with(&mut conn, "ann@example.org", hostile, "whatever it was").await;
    let response = app
        .req(Method::Post, format!("{MOUNT}/password-recovery"))
        .header(ContentType::JSON)
        .header(Header::new("Authorization", format!("Bearer {}", admin.expose())))
        .header(Header::new("Host", "evil.example"))
        .header(Header::new("X-Forwarded-Host", "evil.example"))
        .body(json!({"email": "ann@example.org"}).to_string())
        .dispatch()
        .await;
    assert_eq!(response.status().code, 200);
    app.deliver_mail().await;
    let mails = app.smtp.received();
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].rcpt, vec!["ann@example.org".to_string()]);
    assert_no_injected_header(&mails[0]);
    let parsed = mails[0].parsed();
    let html = parsed.body_html(0).expect("html part").into_owned();
    assert!(!html.contains("<a href=//evil>"), "{html}");
    assert!(html.contains("&lt;a href="), "{html}");
    let text = parsed.body_text(0).expect("text part").into_owned();
    assert!(text.contains("http://127.0.0.1:8000/reset-password?lang=en#token="), "{text}");
    assert!(!text.contains("evil.example/reset") && !html.contains("evil.example/reset"));
}

/// Asserts that no header was injected into `mail`: no `Bcc`, `Cc` or `X-Injected` header in
/// the message or any of its MIME parts, and no header line in the raw message's header block
/// that is not one of the headers the crate writes.
fn assert_no_injected_header(mail: &crate::helpers::smtp::Received) {
    let raw = mail.raw();
    let parsed = mail.parsed();
    for part in &parsed.parts {
        for header in &part.headers {
            let name = header.name.as_str().to_ascii_lowercase();
            assert!(!["bcc", "cc", "x-injected"].contains(&name.as_str()), "injected `{name}`:\n{raw}");
        }
    }
    let (head, _) = raw.split_once("\r\n\r\n").expect("a header block");
    let written =
        ["content-language", "message-id", "date", "from", "to", "subject", "mime-version", "content-type"];
    for line in head.split("\r\n") {
        if line.starts_with([' ', '\t']) {
            continue; // a folded continuation of the header above
        }
        let name = line.split_once(':').map(|(n, _)| n.to_ascii_lowercase()).unwrap_or_default();
        assert!(written.contains(&name.as_str()), "unexpected header line {line:?}:\n{raw}");
    }
    for injected in ["\nbcc:", "\ncc:", "\nx-injected:", "\rbcc:", "\rcc:", "\rx-injected:"] {
        assert!(!head.to_ascii_lowercase().contains(injected), "{injected:?} in the header block:\n{raw}");
    }
}

#[rocket::async_test]
async fn a_hostile_display_name_in_the_subject_injects_no_header() {
    // The embedded subject does not carry the name; a host's override may (the contract lets
    // it), which takes the name into a header, where a line break could start a new one.
    let dir = std::env::temp_dir().join(format!("ua-subject-{}-{}", std::process::id(), Uuid::new_v4()));
    std::fs::create_dir_all(dir.join("recovery")).expect("mkdir");
    std::fs::write(dir.join("recovery/subject.txt.tera"), "Reset the password of {{ display_name }}")
        .expect("write the override");
    let app = app().set("user_account.templates", &dir).spawn().await;
    std::fs::remove_dir_all(&dir).ok(); // compiled at ignition
    let mut conn = app.db.conn().await;
    let admin = fixtures::admin(&mut conn).await;
    let hostile = "Eve\r\nBcc: evil@attacker.example\nCc: cc@attacker.example\rX-Injected: yes";
    fixtures::user_with(&mut conn, "ann@example.org", hostile, "whatever it was").await;

    let r = app.post("/password-recovery", &json!({"email": "ann@example.org"}), Some(admin.expose())).await;
    assert_eq!(r.status().code, 200);
    assert_eq!(app.deliver_mail().await.sent, 1);
    let mails = app.smtp.received();
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].rcpt, vec!["ann@example.org".to_string()], "exactly one RCPT: the stored address");
    assert_no_injected_header(&mails[0]);
    // The name did reach the header, on one line.
    let subject = mails[0].parsed().subject().map(str::to_owned).unwrap_or_default();
    assert!(subject.starts_with("Reset the password of Eve"), "{subject:?}");
    assert!(
        subject.contains("Bcc: evil@attacker.example"),
        "the hostile text is in the subject: {subject:?}"
    );
    assert!(!subject.contains(['\r', '\n']), "{subject:?}");
}

#[rocket::async_test]
async fn a_new_request_supersedes_the_previous_token() {
    let app = spawn_app().await;
    let mut conn = app.db.conn().await;
    let admin = fixtures::admin(&mut conn).await;
    fixtures::user(&mut conn, "ann@example.org").await;
    for _ in 0..2 {
        let r =
            app.post("/password-recovery", &json!({"email": "ann@example.org"}), Some(admin.expose())).await;
        assert_eq!(r.status().code, 200);
        app.deliver_mail().await;
    }
    let mails = app.smtp.received();
    assert_eq!(mails.len(), 2);
    let (first, second) = (fixtures::token_in(&mails[0]), fixtures::token_in(&mails[1]));
    let app = &app;
    let verify = |t: String| async move {
        json(app.post("/verify-recovery-token", &json!({"token": t}), None).await).await
    };
    assert_eq!(verify(first).await, json!({"valid": false, "reason": "superseded"}));
    assert_eq!(verify(second).await["valid"], true);
    fixtures::execute(&mut conn, "do $$ begin if (select count(*) from recovery_tokens where used_at is null and superseded_at is null) <> 1 then raise 'more than one live token'; end if; end $$").await;
}

#[rocket::async_test]
async fn a_new_request_after_the_previous_token_expired_unused_issues_a_new_one() {
    let app = spawn_app().await;
    let mut conn = app.db.conn().await;
    let admin = fixtures::admin(&mut conn).await;
    let ann = fixtures::user(&mut conn, "ann@example.org").await;
    let body = json!({"email": "ann@example.org"});
    let request = || app.post("/password-recovery", &body, Some(admin.expose()));
    assert_eq!(request().await.status().code, 200);
    app.deliver_mail().await;
    // Expired but neither used, superseded nor revoked: still in the one-live-per-user index.
    fixtures::expire_recovery_tokens(&mut conn, ann).await;
    assert_eq!(request().await.status().code, 200);
    app.deliver_mail().await;
    let mails = app.smtp.received();
    assert_eq!(mails.len(), 2);
    let (first, second) = (fixtures::token_in(&mails[0]), fixtures::token_in(&mails[1]));
    let app = &app;
    let verify = |t: String| async move {
        json(app.post("/verify-recovery-token", &json!({"token": t}), None).await).await
    };
    assert_eq!(verify(first).await["valid"], false);
    assert_eq!(verify(second).await["valid"], true);
}

/// Recoveries that arrive together share a transaction (`recovery::together`): some refused
/// (unknown, disabled, over their account's limit, a reused `Idempotency-Key`), some for one
/// account, some keyed (written alone, right after). Each is answered its own outcome, a refusal
/// fails none of the others, and the rows are as if each had been written alone (one live token
/// per account).
#[rocket::async_test]
async fn recoveries_arriving_together_each_keep_their_own_answer() {
    let app = spawn_app().await;
    let mut conn = app.db.conn().await;
    let admin = fixtures::admin(&mut conn).await;
    let mut bodies: Vec<(serde_json::Value, u16, Option<String>)> = Vec::new();
    for i in 0..12 {
        fixtures::user(&mut conn, &format!("u{i}@example.org")).await;
        bodies.push((json!({"email": format!("u{i}@example.org")}), 200, None));
    }
    let disabled = fixtures::user(&mut conn, "gone@example.org").await;
    fixtures::disable_user(&mut conn, disabled).await;
    for i in 0..4 {
        bodies.insert(3 * i + 1, (json!({"email": format!("nobody{i}@example.org")}), 404, None));
        bodies.insert(3 * i + 2, (json!({"user_id": disabled}), 409, None));
    }
    // Four for one account whose limit is three an hour: one of them is refused.
    for i in 0..3 {
        bodies.insert(5 * i + 3, (json!({"email": "u0@example.org"}), 200, None));
    }
    // A key already used for another account comes back for u2, three times, each before a
    // keyed request that must still succeed.
    fixtures::user(&mut conn, "keyed@example.org").await;
    let first = app
        .req(Method::Post, format!("{MOUNT}/password-recovery"))
        .header(ContentType::JSON)
        .header(Header::new("Authorization", format!("Bearer {}", admin.expose())))
        .header(Header::new("Idempotency-Key", "used-before"))
        .body(json!({"email": "keyed@example.org"}).to_string())
        .dispatch()
        .await;
    assert_eq!(first.status().code, 200);
    for i in 0..3 {
        let reused = (json!({"email": "u2@example.org"}), 422, Some("used-before".to_owned()));
        let fresh = (json!({"email": format!("u{}@example.org", 6 + i)}), 200, Some(format!("fresh-{i}")));
        bodies.insert(7 * i + 4, reused);
        bodies.insert(7 * i + 5, fresh);
    }
    let requests = bodies.iter().map(|(body, _, key)| {
        let app = &app;
        let admin = admin.expose();
        async move {
            let mut request = app
                .req(Method::Post, format!("{MOUNT}/password-recovery"))
                .header(ContentType::JSON)
                .header(Header::new("Authorization", format!("Bearer {admin}")))
                .body(body.to_string());
            if let Some(key) = key {
                request = request.header(Header::new("Idempotency-Key", key.clone()));
            }
            let r = request.dispatch().await;
            let status = r.status().code;
            (status, json(r).await)
        }
    });
    let answers = futures::future::join_all(requests).await;
    let mut limited = 0;
    for ((body, want, _), (status, answer)) in bodies.iter().zip(&answers) {
        match (*want, *status) {
            (200, 429) if body["email"] == "u0@example.org" => limited += 1,
            (200, 200) => assert_eq!(answer["status"], "queued", "{body}: {answer}"),
            (404, 404) => assert_eq!(answer["error"]["code"], "user_not_found", "{body}: {answer}"),
            (409, 409) => assert_eq!(answer["error"]["code"], "user_disabled", "{body}: {answer}"),
            (422, 422) => assert_eq!(answer["error"]["code"], "idempotency_key_reused", "{body}: {answer}"),
            _ => panic!("{body}: {status} {answer}, not {want}"),
        }
    }
    assert_eq!(limited, 1, "one of u0's four is over its limit: {answers:?}");
    let issued = i64::try_from(answers.iter().filter(|(status, _)| *status == 200).count()).expect("a count");
    assert_eq!(issued, 17);
    // With the keyed one before them.
    assert_eq!(fixtures::count(&mut conn, "recovery_tokens").await, issued + 1);
    assert_eq!(fixtures::count(&mut conn, "recovery_tokens where superseded_at is null").await, 13);
    assert_eq!(fixtures::count(&mut conn, "mail_outbox where kind = 'recovery'").await, issued + 1);
    let requested = "audit_events where event = 'recovery_requested'";
    assert_eq!(fixtures::count(&mut conn, requested).await, issued + 1);
    assert_eq!(fixtures::count(&mut conn, "audit_events where event = 'idempotency_key_refused'").await, 3);
    // Each answer names its own token, for its own account.
    for ((body, _, _), (status, answer)) in bodies.iter().zip(&answers) {
        if *status == 200 {
            let row = format!(
                "recovery_tokens t join users u on u.id::text = t.user_id \
                 where t.id = '{}' and u.email = '{}'",
                answer["recovery_id"].as_str().expect("an id"),
                body["email"].as_str().expect("an address")
            );
            assert_eq!(fixtures::count(&mut conn, &row).await, 1, "{body}: {answer}");
        }
    }
    // And they were written together: some of the thirteen live tokens share the transaction
    // that wrote them (a superseded token is rewritten by the transaction that superseded it, so
    // only the live ones tell).
    let live = "(select distinct xmin::text from recovery_tokens where superseded_at is null) t";
    let transactions = fixtures::count(&mut conn, live).await;
    assert!(transactions < 13, "13 live tokens written by {transactions} transactions");
}

/// The app's own connections to its database, with what each is doing (this connection left
/// out).
async fn app_backends(conn: &mut diesel_async::AsyncPgConnection) -> Vec<(i32, Option<String>)> {
    use diesel_async::RunQueryDsl as _;
    #[derive(diesel::QueryableByName)]
    struct Backend {
        #[diesel(sql_type = diesel::sql_types::Integer)]
        pid: i32,
        #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
        state: Option<String>,
    }
    let rows: Vec<Backend> = diesel::sql_query(
        "select pid, state from pg_stat_activity \
         where datname = current_database() and pid <> pg_backend_pid() order by pid",
    )
    .load(conn)
    .await
    .expect("read pg_stat_activity");
    rows.into_iter().map(|b| (b.pid, b.state)).collect()
}

/// A recovery's `BEGIN` travels with its lock and its `COMMIT` with its write, past
/// diesel-async's transaction manager, which is told of both. So its connection goes back to
/// the pool idle and is used again: one left in a transaction would stay "idle in transaction",
/// or be dropped as broken and a new one opened. With a pool of one connection, every kind of
/// ending (written, written together, nothing to write, refused) leaves that one connection
/// idle.
#[rocket::async_test]
async fn each_recovery_leaves_its_connection_idle_for_the_next() {
    let app = app().set("databases.user_account.max_connections", 1).spawn().await;
    let mut conn = app.db.conn().await;
    let admin = fixtures::admin(&mut conn).await;
    for i in 0..8 {
        fixtures::user(&mut conn, &format!("u{i}@example.org")).await;
    }
    let carol = fixtures::user(&mut conn, "carol@example.org").await;
    fixtures::disable_user(&mut conn, carol).await;
    let recover = |email: &str| json!({ "email": email });
    let first = app.post("/password-recovery", &recover("u0@example.org"), Some(admin.expose())).await;
    assert_eq!(first.status().code, 200);
    let backends = app_backends(&mut conn).await;
    assert_eq!(backends.len(), 1, "{backends:?}");
    assert_eq!(backends[0].1.as_deref(), Some("idle"), "{backends:?}");

    // Alone: written, a second time (superseding), disabled (nothing written), unknown.
    let calls = [
        ("u1@example.org", 200),
        ("u0@example.org", 200),
        ("carol@example.org", 409),
        ("x@example.org", 404),
    ];
    for (email, want) in calls {
        let response = app.post("/password-recovery", &recover(email), Some(admin.expose())).await;
        assert_eq!(response.status().code, want, "{email}");
        assert_eq!(app_backends(&mut conn).await, backends, "after {email}");
    }
    // Together: eight at once, one of them refused.
    let requests = (1..8).map(|i| format!("u{i}@example.org")).chain(["carol@example.org".to_owned()]);
    let requests = requests.map(|email| {
        let app = &app;
        let admin = admin.expose();
        async move {
            let body = recover(&email);
            app.post("/password-recovery", &body, Some(admin)).await.status().code
        }
    });
    let mut codes = futures::future::join_all(requests).await;
    codes.sort_unstable();
    assert_eq!(codes, [200, 200, 200, 200, 200, 200, 200, 409]);
    assert_eq!(app_backends(&mut conn).await, backends, "after eight together");
    assert_eq!(fixtures::count(&mut conn, "recovery_tokens").await, 10, "every 200 wrote its token");
}

/// A transaction shared by recoveries that fails (here a constraint refuses one mail) is
/// rolled back with nothing written, and each of its recoveries is written again alone: the
/// one the constraint refuses fails, the others are written.
#[rocket::async_test]
async fn a_shared_transaction_that_fails_is_written_again_one_by_one() {
    let refusal = "alter table mail_outbox add constraint refuse_bad check (recipient <> 'bad@example.org')";
    assert_eq!(written_together_with_one_refused(refusal).await, [200, 200, 500, 200, 200]);
}

/// A host's trigger that raises an exception for one recovery's row fails that recovery with a
/// 503 (the error is the database's, as far as the crate can tell), and only that one: the
/// recoveries written alone after it are still written, each with its own outcome.
#[rocket::async_test]
async fn a_recovery_the_database_refuses_fails_no_other_written_with_it() {
    let refusal = "create function refuse_bad() returns trigger language plpgsql as $$ \
                   begin if new.recipient = 'bad@example.org' then raise exception 'refused by the host'; end if; \
                   return new; end $$; \
                   create trigger refuse_bad before insert on mail_outbox for each row execute function refuse_bad()";
    assert_eq!(written_together_with_one_refused(refusal).await, [200, 200, 503, 200, 200]);
}

/// Sends five recoveries that share one transaction, the third (`bad@example.org`) refused by
/// what `refusal` installs, and answers their statuses in the order sent; asserts that nothing
/// of the refused one and everything of the others was written. Two recoveries whose accounts a
/// held row lock keeps waiting fill both transactions, so the five sent after them wait and
/// are written together.
async fn written_together_with_one_refused(refusal: &str) -> Vec<u16> {
    let app = app().spawn().await;
    let mut conn = app.db.conn().await;
    let admin = fixtures::admin(&mut conn).await;
    let emails = ["block-a", "block-b", "u1", "u2", "bad", "u3", "u4"].map(|n| format!("{n}@example.org"));
    for email in &emails {
        fixtures::user(&mut conn, email).await;
    }
    fixtures::execute(&mut conn, refusal).await;
    let mut holder = app.db.conn().await;
    fixtures::execute(
        &mut holder,
        "begin; select 1 from users where email_normalized in ('block-a@example.org', 'block-b@example.org') \
         for update",
    )
    .await;
    let post = |email: &String| {
        let app = &app;
        let admin = admin.expose();
        let body = json!({ "email": email });
        async move { app.post("/password-recovery", &body, Some(admin)).await.status().code }
    };
    let blocked = futures::future::join_all(emails[..2].iter().map(post));
    let together = async {
        rocket::tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        futures::future::join_all(emails[2..].iter().map(post)).await
    };
    let release = async {
        rocket::tokio::time::sleep(std::time::Duration::from_millis(600)).await;
        fixtures::execute(&mut holder, "rollback").await;
    };
    let (blocked, together, ()) = rocket::tokio::join!(blocked, together, release);
    assert_eq!(blocked, [200, 200]);
    let tokens = "recovery_tokens t join users u on u.id::text = t.user_id";
    assert_eq!(fixtures::count(&mut conn, &format!("{tokens} where u.email = 'bad@example.org'")).await, 0);
    let written = together.iter().filter(|&&code| code == 200).count();
    assert_eq!(fixtures::count(&mut conn, tokens).await, 2 + i64::try_from(written).unwrap_or(i64::MAX));
    together
}
