//! `POST /verify-recovery-token` and `POST /change-password`, driven by tokens that really
//! arrived over SMTP.

use rocket::http::{Method, Status};
use rocket_user_account::internals::verify as verify_password;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::helpers::{assert_error, fixtures, json, spawn_app, TestApp};

const GOOD: &str = "violet tugboat quarry lantern";

/// A user, an admin request for them, and the token from the mail that arrived.
async fn recovery(app: &TestApp, email: &str, name: &str) -> (Uuid, String) {
    let mut conn = app.db.conn().await;
    let admin_id = fixtures::user(&mut conn, &format!("admin.{email}")).await;
    let admin = fixtures::session(&mut conn, admin_id, &["admin"]).await;
    let user = fixtures::user_with(&mut conn, email, name, "the old password, long enough").await;
    let r = app.post("/password-recovery", &json!({"email": email}), Some(admin.expose())).await;
    assert_eq!(r.status(), Status::Ok);
    assert_eq!(app.deliver_mail().await.sent, 1);
    let mails = app.smtp.received();
    (user, fixtures::token_in(mails.last().expect("the recovery mail")))
}

async fn verify(app: &TestApp, token: &str) -> Value {
    let r = app.post("/verify-recovery-token", &json!({"token": token}), None).await;
    assert_eq!(r.status(), Status::Ok);
    json(r).await
}

async fn change<'a>(
    app: &'a TestApp,
    token: &str,
    new_password: &str,
) -> rocket::local::asynchronous::LocalResponse<'a> {
    app.post("/change-password", &json!({"token": token, "new_password": new_password}), None).await
}

async fn assert_refused(app: &TestApp, token: &str, reason: &str) {
    let error = assert_error(change(app, token, GOOD).await, 400, "invalid_token").await;
    assert_eq!(error["details"]["reason"], reason, "{error}");
}

#[rocket::async_test]
async fn the_whole_flow_from_the_admin_to_a_new_password() {
    let app = spawn_app().await;
    let (user, token) = recovery(&app, "ann@example.org", "Ann").await;
    let mut conn = app.db.conn().await;
    fixtures::session(&mut conn, user, &[]).await;

    let mut expiries = std::collections::HashSet::new();
    for _ in 0..3 {
        let v = verify(&app, &token).await;
        assert_eq!(v["valid"], true, "{v}");
        expiries.insert(v["expires_at"].to_string());
        assert_eq!(v["email_hint"], "a***n@example.org");
        assert!(v["expires_at"].is_string());
        assert_eq!(v.as_object().map(serde_json::Map::len), Some(3), "nothing else: {v}");
    }
    assert_eq!(expiries.len(), 1, "verifying never extends a token");

    let response = change(&app, &token, GOOD).await;
    assert_eq!(response.status(), Status::Ok);
    assert!(response.headers().get_one("Set-Cookie").is_none());
    let body = json(response).await;
    assert_eq!(
        body,
        json!({"status": "password_changed", "user_id": user, "active_sessions": 1, "sessions_revoked": 0})
    );

    let hash = fixtures::password_hash(&mut conn, user).await.expect("a hash");
    assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{hash}");
    assert!(verify_password(&hash, GOOD));
    assert!(!verify_password(&hash, "the old password, long enough"));

    // The notification arrives at the stored address and carries no token.
    assert_eq!(app.deliver_mail().await.sent, 1);
    let mails = app.smtp.received();
    let notice = mails.last().expect("the notification");
    assert_eq!(notice.rcpt, vec!["ann@example.org".to_string()]);
    assert!(!notice.raw().contains(&token) && !notice.raw().contains("#token="));
    assert!(!notice.raw().contains(GOOD), "the new password is never mailed");
    assert_eq!(fixtures::count(&mut conn, &format!("audit_events where event = 'authn_password_change' and target_user_id = '{user}' and request_id is not null")).await, 1);
    assert!(notice.parsed().subject().is_some_and(|s| s.contains("password was changed")));

    // The token is spent: verify says so, and a second change is refused.
    assert_eq!(verify(&app, &token).await, json!({"valid": false, "reason": "used"}));
    assert_refused(&app, &token, "used").await;
    assert!(verify_password(&fixtures::password_hash(&mut conn, user).await.unwrap_or_default(), GOOD));
}

#[rocket::async_test]
async fn unknown_and_malformed_tokens_get_the_same_invalid_answer() {
    // About 30 public calls from the app's one address: above the per-minute limit of 10, which
    // is not what this test is about.
    let app = crate::helpers::app().set("user_account.rate_limits.public_per_ip_minute", 100).spawn().await;
    let unknown = rocket_user_account::internals::PlainToken::generate();
    let well_formed = unknown.expose();
    let malformed = [
        String::new(),
        "short".into(),
        "A".repeat(42),
        "A".repeat(44),
        "A".repeat(10_000 / 2),
        // Percent-encoding is not decoded: three literal characters.
        "%00".into(),
        // Real NULs (Postgres refuses NUL in text): alone, in the middle of a token of the
        // right length, in place of a well-formed token's last character, and appended to it.
        "\u{0}".into(),
        format!("{}\u{0}{}", "A".repeat(21), "A".repeat(21)),
        format!("{}\u{0}", &well_formed[..42]),
        format!("{well_formed}\u{0}"),
        "ééééééééééééééééééééééééééééééééééééééééééé".into(),
    ];
    assert_eq!(malformed[7].len(), 43, "the same length as a token");
    assert_eq!(malformed[8].len(), 43, "the same length as a token");
    let expected = json!({"valid": false, "reason": "invalid"});
    assert_eq!(verify(&app, well_formed).await, expected);
    for token in &malformed {
        assert_eq!(verify(&app, token).await, expected, "{token:?}");
        assert_refused(&app, token, "invalid").await;
    }
    assert_refused(&app, unknown.expose(), "invalid").await;
    let mut conn = app.db.conn().await;
    let refusals = fixtures::count(&mut conn, "audit_events where event = 'recovery_token_invalid'").await;
    assert_eq!(refusals, i64::try_from(malformed.len()).expect("fits") + 1, "each refusal is audited");
    for body in [
        json!({"token": ["a", "b"]}),
        json!({"token": null}),
        json!({}),
        json!({"token": "x", "user_id": Uuid::new_v4()}),
    ] {
        assert_error(app.post("/verify-recovery-token", &body, None).await, 422, "invalid_body").await;
    }
}

#[rocket::async_test]
async fn an_expired_token_is_refused_by_both_endpoints() {
    let app = spawn_app().await;
    let (user, token) = recovery(&app, "ann@example.org", "Ann").await;
    let mut conn = app.db.conn().await;
    // Just before its expiry a token is still good; just after, it is not.
    fixtures::execute(&mut conn, "update recovery_tokens set expires_at = now() + interval '2 seconds'")
        .await;
    assert_eq!(verify(&app, &token).await["valid"], true);
    fixtures::expire_recovery_tokens(&mut conn, user).await;
    assert_eq!(verify(&app, &token).await, json!({"valid": false, "reason": "expired"}));
    assert_refused(&app, &token, "expired").await;
}

#[rocket::async_test]
async fn a_superseded_token_is_refused() {
    let app = spawn_app().await;
    let (_, first) = recovery(&app, "ann@example.org", "Ann").await;
    let mut conn = app.db.conn().await;
    let admin = fixtures::admin(&mut conn).await;
    assert_eq!(
        app.post("/password-recovery", &json!({"email": "ann@example.org"}), Some(admin.expose()))
            .await
            .status(),
        Status::Ok
    );
    assert_refused(&app, &first, "superseded").await;
}

#[rocket::async_test]
async fn a_token_dies_when_the_email_or_password_changes_by_any_path_or_the_user_is_disabled() {
    let app = spawn_app().await;
    let changes = [
        "update users set email = 'ann.new@example.org', email_normalized = 'ann.new@example.org' where email = 'ann@example.org'",
        "update users set password_hash = 'changed elsewhere' where email = 'ann@example.org'",
        "update users set disabled = true where email = 'ann@example.org'",
        // Disabled and enabled again, or the email changed and changed back: still dead.
        "update users set disabled = true where email = 'ann@example.org'; \
         update users set disabled = false where email = 'ann@example.org'",
        "update users set email = 'x@example.org' where email = 'ann@example.org'; \
         update users set email = 'ann@example.org' where email = 'x@example.org'",
    ];
    for change_sql in changes {
        let (user, token) = recovery(&app, "ann@example.org", "Ann").await;
        let mut conn = app.db.conn().await;
        fixtures::execute(&mut conn, change_sql).await;
        let after_change = fixtures::password_hash(&mut conn, user).await;
        assert_eq!(verify(&app, &token).await, json!({"valid": false, "reason": "invalid"}), "{change_sql}");
        assert_refused(&app, &token, "invalid").await;
        assert_eq!(fixtures::password_hash(&mut conn, user).await, after_change, "{change_sql}: unchanged");
        fixtures::execute(&mut conn, "delete from users").await;
    }
}

#[rocket::async_test]
async fn weak_passwords_are_refused_and_leave_the_token_usable() {
    // Thirteen public calls from the app's one address: above the per-minute limit of 10,
    // which is not what this test is about.
    let app = crate::helpers::app().set("user_account.rate_limits.public_per_ip_minute", 100).spawn().await;
    let (user, token) = recovery(&app, "margaret.hamilton@example.org", "Margaret Hamilton").await;
    let cases = [
        ("fourteen chars", "too_short"),
        (&"violet tugboat ".repeat(9)[..129], "too_long"),
        ("margaret.hamilton@example.org", "too_guessable"),
        ("MargaretHamilton-1969", "too_guessable"),
        ("passwordpassword", "too_guessable"),
        ("1234567890123456", "too_guessable"),
    ];
    let mut conn = app.db.conn().await;
    let before = fixtures::password_hash(&mut conn, user).await;
    for (weak, reason) in cases {
        let error = assert_error(change(&app, &token, weak).await, 422, "weak_password").await;
        assert_eq!(error["details"]["reason"], reason, "{weak}: {error}");
        assert!(!error.to_string().contains(weak), "the password is not echoed");
        assert_eq!(verify(&app, &token).await["valid"], true, "{weak}: the token stays usable");
    }
    assert_eq!(fixtures::password_hash(&mut conn, user).await, before);
    let audited = fixtures::count(&mut conn, "audit_events where event = 'authn_password_change_fail'").await;
    assert_eq!(audited, i64::try_from(cases.len()).expect("fits"));
    // 128 code points is the most, and emoji count as one each.
    let longest: String = "🦀 violet tugboat quarry ".chars().cycle().take(128).collect();
    assert_eq!(change(&app, &token, &longest).await.status(), Status::Ok);
    assert!(verify_password(&fixtures::password_hash(&mut conn, user).await.unwrap_or_default(), &longest));
}

#[rocket::async_test]
async fn the_body_cannot_name_a_user_or_carry_extra_fields() {
    let app = spawn_app().await;
    let (_, token) = recovery(&app, "ann@example.org", "Ann").await;
    let other = Uuid::new_v4();
    for body in [
        json!({"token": token, "new_password": GOOD, "user_id": other}),
        json!({"token": token, "new_password": [GOOD]}),
        json!({"token": token, "new_password": GOOD, "sign_out_everywhere": "yes"}),
        json!({"token": token}),
    ] {
        assert_error(app.post("/change-password", &body, None).await, 422, "invalid_body").await;
    }
    assert_eq!(verify(&app, &token).await["valid"], true);
}

#[rocket::async_test]
async fn twenty_concurrent_redemptions_give_exactly_one_success() {
    let app = spawn_app().await;
    let (user, token) = recovery(&app, "ann@example.org", "Ann").await;
    let passwords: Vec<String> = (0..20).map(|i| format!("{GOOD} number {i}")).collect();
    let requests = passwords.iter().zip(0u8..).map(|(p, i)| {
        let body = json!({"token": token, "new_password": p});
        let app = &app;
        // Twenty clients, one address each: the per-IP limit is not what this is about.
        let client = std::net::SocketAddr::from(([203, 0, 113, i], 40000));
        async move {
            let r = app.post_from(client, "/change-password", &body, &[]).await;
            (r.status().code, p.clone())
        }
    });
    let results = futures::future::join_all(requests).await;
    let winners: Vec<&String> = results.iter().filter(|(s, _)| *s == 200).map(|(_, p)| p).collect();
    assert_eq!(winners.len(), 1, "{results:?}");
    assert!(results.iter().all(|(s, _)| *s == 200 || *s == 400), "{results:?}");
    let mut conn = app.db.conn().await;
    let hash = fixtures::password_hash(&mut conn, user).await.unwrap_or_default();
    assert!(verify_password(&hash, winners[0]), "the stored hash is the winner's");
    assert_eq!(fixtures::count(&mut conn, "mail_outbox where kind = 'password_changed'").await, 1);
}

#[rocket::async_test]
async fn sessions_survive_unless_the_user_signs_out_everywhere() {
    let app = spawn_app().await;
    let (user, token) = recovery(&app, "ann@example.org", "Ann").await;
    let mut conn = app.db.conn().await;
    fixtures::session(&mut conn, user, &[]).await;
    fixtures::session(&mut conn, user, &[]).await;
    let body = json!({"token": token, "new_password": GOOD, "sign_out_everywhere": true});
    let response = app.post("/change-password", &body, None).await;
    assert_eq!(
        json(response).await,
        json!({"status": "password_changed", "user_id": user, "active_sessions": 0, "sessions_revoked": 2})
    );
}

#[rocket::async_test]
async fn a_session_token_is_not_a_recovery_token_and_the_query_string_is_ignored() {
    let app = spawn_app().await;
    let (user, token) = recovery(&app, "ann@example.org", "Ann").await;
    let mut conn = app.db.conn().await;
    let session = fixtures::session(&mut conn, user, &["admin"]).await;
    // A good verify earlier does not make a later change with another token pass.
    assert_eq!(verify(&app, &token).await["valid"], true);
    assert_eq!(verify(&app, session.expose()).await, json!({"valid": false, "reason": "invalid"}));
    assert_refused(&app, session.expose(), "invalid").await;
    // A token in the URL is never read: only the body counts.
    let r = app
        .req(Method::Post, format!("{}/verify-recovery-token?token={token}", crate::helpers::MOUNT))
        .header(rocket::http::ContentType::JSON)
        .body(json!({"token": "x"}).to_string())
        .dispatch()
        .await;
    assert_eq!(json(r).await, json!({"valid": false, "reason": "invalid"}));
}

#[rocket::async_test]
async fn invalid_tokens_and_weak_passwords_never_cost_an_argon2_hash() {
    // Thirty-four public calls from the app's one address: above the per-minute limit of 10,
    // which is not what this test is about.
    let app = crate::helpers::app().set("user_account.rate_limits.public_per_ip_minute", 100).spawn().await;
    let (_, token) = recovery(&app, "ann@example.org", "Ann").await;
    let hasher =
        app.client.rocket().state::<rocket_user_account::RecoveryService>().expect("service").hashing();
    for _ in 0..30 {
        let random = rocket_user_account::internals::PlainToken::generate();
        assert_refused(&app, random.expose(), "invalid").await;
    }
    assert_refused(&app, "garbage", "invalid").await;
    assert_error(change(&app, &token, "short").await, 422, "weak_password").await;
    assert_eq!(hasher.computed(), 0);
    assert_eq!(change(&app, &token, GOOD).await.status(), Status::Ok);
    assert_eq!(hasher.computed(), 1);
    assert_refused(&app, &token, "used").await;
    assert_eq!(hasher.computed(), 1, "a used token costs nothing either");
}

#[rocket::async_test]
async fn revoke_sessions_on_reset_signs_the_user_out_everywhere() {
    let app = crate::helpers::app().set("user_account.revoke_sessions_on_reset", true).spawn().await;
    let (user, token) = recovery(&app, "ann@example.org", "Ann").await;
    let mut conn = app.db.conn().await;
    let session = fixtures::session(&mut conn, user, &["admin"]).await;
    let probe = json!({"email": "nobody@example.org"});
    assert_error(app.post("/password-recovery", &probe, Some(session.expose())).await, 404, "user_not_found")
        .await;
    let body = json(change(&app, &token, GOOD).await).await;
    assert_eq!(body["sessions_revoked"], 1);
    assert_eq!(body["active_sessions"], 0);
    assert_error(
        app.post("/password-recovery", &probe, Some(session.expose())).await,
        401,
        "unauthenticated",
    )
    .await;
}

#[rocket::async_test]
async fn the_token_lifetime_follows_the_configuration() {
    let app = crate::helpers::app().set("user_account.token_ttl_secs", 120).spawn().await;
    let (user, _) = recovery(&app, "ann@example.org", "Ann").await;
    let mut conn = app.db.conn().await;
    let sql = format!(
        "do $$ begin if (select count(*) from recovery_tokens where user_id = '{user}' \
         and expires_at - coalesce(mailed_at, created_at) = interval '120 seconds') <> 1 then raise 'wrong lifetime'; end if; end $$"
    );
    fixtures::execute(&mut conn, &sql).await;
}
