//! The example host (`examples/existing_host`): an auth server with its own accounts, sessions,
//! argon2 parameters, login and admins, with the crate attached through its own store, hasher,
//! authenticator and pool. Driven end to end over a fresh, empty database and a real SMTP server.

#[allow(dead_code)] // `main` and the configuration helpers only serve the example's binary.
#[path = "../../examples/existing_host/main.rs"]
mod existing_host;

use std::net::SocketAddr;
use std::time::Duration;

use diesel_async::{AsyncPgConnection, RunQueryDsl};
use rocket::http::{ContentType, Header, Method, Status};
use rocket::local::asynchronous::{Client, LocalResponse};
use rocket_db_pools::Database as _;
use rocket_user_account::internals::MailQueue;
use serde_json::{json, Value};

use crate::helpers::{fixtures, SmtpServer, TestDb, MOUNT};

/// The example app over its own empty database, delivering over SMTP when told to.
struct Host {
    client: Client,
    smtp: SmtpServer,
    remote: SocketAddr,
    db: TestDb,
}

/// A fresh client address, 10.200.x.y, for each call (the crate limits calls per client IP).
fn address() -> SocketAddr {
    static NEXT: std::sync::atomic::AtomicU16 = std::sync::atomic::AtomicU16::new(1);
    let [x, y] = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed).to_be_bytes();
    SocketAddr::from(([10, 200, x, y], 40000))
}

/// The figment the harness uses, pointed at `db` and `smtp`.
fn figment(db: &TestDb, smtp: &SmtpServer) -> rocket::figment::Figment {
    let mut figment = rocket::Config::figment();
    if std::env::var_os("TEST_LOG").is_none() {
        figment = figment.merge(("log_level", "off"));
    }
    figment
        .merge(("databases.user_account.url", &db.url))
        .merge(("user_account.mail.transport", "smtp"))
        .merge(("user_account.mail.smtp_url", smtp.url()))
        .merge(("user_account.mail.worker", false))
}

async fn host() -> Host {
    let db = TestDb::empty().await;
    let smtp = SmtpServer::start();
    let client = Client::tracked(existing_host::app(figment(&db, &smtp))).await.expect("the example ignites");
    Host { client, smtp, remote: address(), db }
}

impl Host {
    /// A JSON request from `remote`; answers the status and the body as JSON (null if empty).
    async fn call_from(
        &self,
        remote: SocketAddr,
        method: Method,
        path: &str,
        body: Option<&Value>,
        bearer: Option<&str>,
    ) -> (u16, Value) {
        let mut request = self.client.req(method, path.to_owned()).remote(remote);
        if let Some(body) = body {
            request = request.header(ContentType::JSON).body(body.to_string());
        }
        if let Some(token) = bearer {
            request = request.header(Header::new("Authorization", format!("Bearer {token}")));
        }
        answer(request.dispatch().await).await
    }

    async fn post(&self, path: &str, body: &Value, bearer: Option<&str>) -> (u16, Value) {
        self.call_from(self.remote, Method::Post, path, Some(body), bearer).await
    }

    async fn me(&self, bearer: &str) -> (u16, Value) {
        self.call_from(self.remote, Method::Get, "/me", None, Some(bearer)).await
    }

    /// Signs up; returns the host's integer id.
    async fn signup(&self, email: &str, password: &str, admin: bool) -> i64 {
        let body = json!({"email": email, "password": password, "name": "Test Person", "admin": admin});
        let (status, answer) = self.post("/signup", &body, None).await;
        assert_eq!(status, 200, "{answer}");
        answer["id"].as_i64().unwrap_or_else(|| panic!("an integer id: {answer}"))
    }

    /// Logs in through the host's own `/login`: the status and the token, if any.
    async fn login(&self, email: &str, password: &str) -> (u16, Option<String>) {
        let (status, answer) =
            self.post("/login", &json!({"email": email, "password": password}), None).await;
        (status, answer["token"].as_str().map(str::to_owned))
    }

    async fn login_ok(&self, email: &str, password: &str) -> String {
        match self.login(email, password).await {
            (200, Some(token)) => token,
            other => panic!("login of {email}: {other:?}"),
        }
    }

    /// One pass of the crate's mail worker over the host's pool, as the background task would.
    async fn deliver_mail(&self) -> usize {
        let rocket = self.client.rocket();
        let queue = rocket.state::<MailQueue>().expect("the fairing manages the queue");
        let pool: &existing_host::HostDb = existing_host::HostDb::fetch(rocket).expect("the host's pool");
        queue.deliver_due(pool).await.expect("a delivery pass").sent
    }

    /// Starts a recovery as `admin` and returns the token from the mail that arrives over SMTP.
    async fn recovery_token(&self, admin: &str, target: &Value) -> String {
        self.recovery(admin, target).await.0
    }

    /// Starts a recovery as `admin`: the token from the mail that arrives over SMTP, and the
    /// recovery's id.
    async fn recovery(&self, admin: &str, target: &Value) -> (String, String) {
        let (status, answer) = self.post(&format!("{MOUNT}/password-recovery"), target, Some(admin)).await;
        assert_eq!(status, 200, "{answer}");
        let before = self.smtp.received().len();
        assert_eq!(self.deliver_mail().await, 1);
        assert!(self.smtp.wait_for(before + 1, Duration::from_secs(10)).await, "the mail arrived");
        let id = answer["recovery_id"].as_str().expect("a recovery id").to_owned();
        (fixtures::token_in(&self.smtp.received()[before]), id)
    }

    /// What verify, the admin's status and the admin's list say of a token: its verdict's
    /// `valid`, the status's `token` state, and how many live tokens the list shows.
    async fn token_views(
        &self,
        admin: &str,
        token: &str,
        recovery_id: &str,
        user_id: i64,
    ) -> (Value, Value, usize) {
        let (status, verdict) =
            self.post(&format!("{MOUNT}/verify-recovery-token"), &json!({"token": token}), None).await;
        assert_eq!(status, 200, "{verdict}");
        let path = format!("{MOUNT}/password-recovery/{recovery_id}");
        let (status, state) = self.call_from(self.remote, Method::Get, &path, None, Some(admin)).await;
        assert_eq!(status, 200, "{state}");
        let path = format!("{MOUNT}/recovery-tokens?user_id={user_id}");
        let (status, list) = self.call_from(self.remote, Method::Get, &path, None, Some(admin)).await;
        assert_eq!(status, 200, "{list}");
        let live = list["tokens"].as_array().map_or(usize::MAX, Vec::len);
        (verdict, state["token"].clone(), live)
    }

    async fn conn(&self) -> AsyncPgConnection {
        self.db.host_conn().await
    }
}

async fn answer(response: LocalResponse<'_>) -> (u16, Value) {
    let status = response.status().code;
    let text = response.into_string().await.unwrap_or_default();
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
    };
    (status, body)
}

/// One text value read with SQL.
async fn text(conn: &mut AsyncPgConnection, sql: &str) -> String {
    #[derive(diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Text)]
        value: String,
    }
    let row: Row = diesel::sql_query(sql).get_result(conn).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
    row.value
}

const ANN_OLD: &str = "ann's old passphrase, long enough";
const ANN_NEW: &str = "violet tugboat quarry lantern";
const ADMIN_PASSWORD: &str = "granite heron seventy mosaic";

#[rocket::async_test]
async fn the_whole_flow_runs_on_the_hosts_accounts_sessions_hashing_and_login() {
    let host = host().await;
    let admin_id = host.signup("Ada@Example.org", ADMIN_PASSWORD, true).await;
    let ann_id = host.signup("ann@example.org", ANN_OLD, false).await;
    assert_ne!(admin_id, ann_id);
    // The host's own rules: the email is taken whatever its case and spaces; the crate's policy.
    let again = json!({"email": "  ANN@example.org ", "password": ANN_NEW});
    assert_eq!(host.post("/signup", &again, None).await.0, 409);
    let (status, weak) =
        host.post("/signup", &json!({"email": "bo@example.org", "password": "short"}), None).await;
    assert_eq!((status, weak["error"]["code"].as_str()), (422, Some("weak_password")), "{weak}");
    let (status, bad) = host.post("/signup", &json!({"email": "bo@example.org", "password": 5}), None).await;
    assert_eq!((status, bad["error"]["code"].as_str()), (422, Some("invalid_body")), "{bad}");

    let admin = host.login_ok(" ada@example.org", ADMIN_PASSWORD).await;
    let ann = host.login_ok("ann@example.org", ANN_OLD).await;
    assert_eq!(host.me(&ann).await, (200, json!({"id": ann_id, "email": "ann@example.org"})));

    // Only the host's admins hold the crate's admin scope.
    let by_email = json!({"email": "ANN@example.org"});
    assert_eq!(host.post(&format!("{MOUNT}/password-recovery"), &by_email, Some(&ann)).await.0, 403);
    assert_eq!(host.post(&format!("{MOUNT}/password-recovery"), &by_email, None).await.0, 401);

    // By email, then by id (the host's integer as a string): the second supersedes the first.
    let first = host.recovery_token(&admin, &by_email).await;
    let token = host.recovery_token(&admin, &json!({"user_id": ann_id.to_string()})).await;
    let mails = host.smtp.received();
    assert!(mails.iter().all(|m| m.rcpt == ["ann@example.org"]), "only to the stored address");
    let (_, verdict) =
        host.post(&format!("{MOUNT}/verify-recovery-token"), &json!({"token": first}), None).await;
    assert_eq!(verdict, json!({"valid": false, "reason": "superseded"}));
    let (status, verdict) =
        host.post(&format!("{MOUNT}/verify-recovery-token"), &json!({"token": token}), None).await;
    assert_eq!((status, &verdict["valid"]), (200, &json!(true)), "{verdict}");
    assert_eq!(verdict["email_hint"], "a***n@example.org");

    let change = json!({"token": token, "new_password": ANN_NEW, "sign_out_everywhere": true});
    let (status, changed) = host.post(&format!("{MOUNT}/change-password"), &change, None).await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(changed["status"], "password_changed");
    assert_eq!(changed["user_id"], json!(ann_id.to_string()), "the host's id, as a string");
    assert!(changed["sessions_revoked"].as_u64().is_some_and(|n| n >= 1), "{changed}");
    assert_eq!(changed["active_sessions"], 0);

    // The host sees it all through its own routes.
    let (status, refused) = host.me(&ann).await;
    assert_eq!((status, refused["error"]["code"].as_str()), (401, Some("unauthenticated")), "{refused}");
    assert_eq!(host.login("ann@example.org", ANN_OLD).await, (401, None));
    let fresh = host.login_ok("ann@example.org", ANN_NEW).await;
    assert_eq!(host.me(&fresh).await.0, 200);
    assert_eq!(host.me(&admin).await.0, 200, "the admin's session is untouched");

    // Stored with the host's own argon2id parameters, not the crate's defaults.
    let mut conn = host.conn().await;
    let pw_hash =
        text(&mut conn, &format!("select pw_hash as value from accounts where account_id = {ann_id}")).await;
    assert!(pw_hash.starts_with("$argon2id$v=19$m=47104,t=1,p=1$"), "the host's parameters");
    assert_eq!(host.deliver_mail().await, 1, "the \"password changed\" notice");
}

#[rocket::async_test]
async fn two_redemptions_of_one_token_racing_give_one_success() {
    let host = host().await;
    host.signup("admin@example.org", ADMIN_PASSWORD, true).await;
    let ann_id = host.signup("ann@example.org", ANN_OLD, false).await;
    let admin = host.login_ok("admin@example.org", ADMIN_PASSWORD).await;
    let token = host.recovery_token(&admin, &json!({"user_id": ann_id.to_string()})).await;

    let path = format!("{MOUNT}/change-password");
    let bodies = [
        json!({"token": token, "new_password": ANN_NEW}),
        json!({"token": token, "new_password": "a different quarry lantern tugboat"}),
    ];
    let racers = bodies.iter().map(|body| host.call_from(address(), Method::Post, &path, Some(body), None));
    let mut answers = futures::future::join_all(racers).await;
    answers.sort_by_key(|(status, _)| *status);
    assert_eq!(answers[0].0, 200, "{answers:?}");
    assert_eq!(answers[1].0, 400, "{answers:?}");
    assert_eq!(answers[1].1["error"]["code"], "invalid_token", "{answers:?}");
    // Exactly one of the two passwords logs in.
    let logged_in = [ANN_NEW, "a different quarry lantern tugboat"];
    let mut statuses = Vec::new();
    for password in logged_in {
        statuses.push(host.login("ann@example.org", password).await.0);
    }
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 401]);
}

#[rocket::async_test]
async fn a_change_behind_the_crates_back_kills_an_outstanding_token() {
    let host = host().await;
    host.signup("admin@example.org", ADMIN_PASSWORD, true).await;
    let admin = host.login_ok("admin@example.org", ADMIN_PASSWORD).await;
    let changes = [
        ("ann@example.org", "update accounts set login_email = 'ann.new@example.org' where account_id = {id}"),
        ("bob@example.org", "update accounts set pw_hash = '$argon2id$v=19$m=47104,t=1,p=1$c2FsdHNhbHQ$eA' where account_id = {id}"),
    ];
    let mut conn = host.conn().await;
    for (email, sql) in changes {
        let id = host.signup(email, ANN_OLD, false).await;
        let token = host.recovery_token(&admin, &json!({"email": email})).await;
        let verify = json!({"token": token});
        let (_, verdict) = host.post(&format!("{MOUNT}/verify-recovery-token"), &verify, None).await;
        assert_eq!(verdict["valid"], true, "{email}: {verdict}");

        fixtures::execute(&mut conn, &sql.replace("{id}", &id.to_string())).await;
        let (status, verdict) = host.post(&format!("{MOUNT}/verify-recovery-token"), &verify, None).await;
        assert_eq!((status, verdict), (200, json!({"valid": false, "reason": "invalid"})), "{email}");
        let change = json!({"token": token, "new_password": ANN_NEW});
        let (status, refused) = host.post(&format!("{MOUNT}/change-password"), &change, None).await;
        assert_eq!((status, &refused["error"]["code"]), (400, &json!("invalid_token")), "{email}: {refused}");
    }
    // Neither password was changed by the dead tokens.
    assert_eq!(host.login("ann.new@example.org", ANN_OLD).await.0, 200);
    assert_eq!(host.login("ann.new@example.org", ANN_NEW).await.0, 401);
}

/// A token found unbound dies for good with the host's store, which has no trigger: a member
/// locked and unlocked again behind the crate's back, or whose email is changed and changed
/// back, keeps a dead link dead, and verify, the status, the list and change-password agree.
#[rocket::async_test]
async fn a_token_found_unbound_stays_dead_when_the_account_changes_back() {
    let host = host().await;
    host.signup("admin@example.org", ADMIN_PASSWORD, true).await;
    let admin = host.login_ok("admin@example.org", ADMIN_PASSWORD).await;
    let mut conn = host.conn().await;
    let changes = [
        (
            "ann@example.org",
            "update accounts set locked = true where account_id = {id}",
            "update accounts set locked = false where account_id = {id}",
        ),
        (
            "bob@example.org",
            "update accounts set login_email = 'bob.new@example.org' where account_id = {id}",
            "update accounts set login_email = 'bob@example.org' where account_id = {id}",
        ),
    ];
    for (email, change, back) in changes {
        let id = host.signup(email, ANN_OLD, false).await;
        let (token, recovery_id) = host.recovery(&admin, &json!({"email": email})).await;
        let (verdict, state, live) = host.token_views(&admin, &token, &recovery_id, id).await;
        assert_eq!((verdict["valid"].clone(), state, live), (json!(true), json!("live"), 1), "{email}");

        fixtures::execute(&mut conn, &change.replace("{id}", &id.to_string())).await;
        let (verdict, _, _) = host.token_views(&admin, &token, &recovery_id, id).await;
        assert_eq!(verdict, json!({"valid": false, "reason": "invalid"}), "{email}: after the change");

        fixtures::execute(&mut conn, &back.replace("{id}", &id.to_string())).await;
        let (verdict, state, live) = host.token_views(&admin, &token, &recovery_id, id).await;
        assert_eq!(verdict, json!({"valid": false, "reason": "invalid"}), "{email}: changed back");
        assert_eq!((state, live), (json!("revoked"), 0), "{email}: the status and the list agree");
        let change = json!({"token": token, "new_password": ANN_NEW});
        let (status, refused) = host.post(&format!("{MOUNT}/change-password"), &change, None).await;
        assert_eq!((status, &refused["error"]["code"]), (400, &json!("invalid_token")), "{email}: {refused}");
        assert_eq!(host.login(email, ANN_OLD).await.0, 200, "{email}: the password is unchanged");
    }
}

/// The status and the list judge a token by the one rule too, without a verify first: a token
/// whose account changed is not reported live, and stays dead after the change is undone.
#[rocket::async_test]
async fn the_admins_status_and_list_never_report_an_unbound_token_live() {
    let host = host().await;
    host.signup("admin@example.org", ADMIN_PASSWORD, true).await;
    let admin = host.login_ok("admin@example.org", ADMIN_PASSWORD).await;
    let id = host.signup("ann@example.org", ANN_OLD, false).await;
    let (token, recovery_id) = host.recovery(&admin, &json!({"user_id": id.to_string()})).await;
    let mut conn = host.conn().await;
    fixtures::execute(&mut conn, &format!("update accounts set locked = true where account_id = {id}")).await;
    let path = format!("{MOUNT}/password-recovery/{recovery_id}");
    let (_, state) = host.call_from(host.remote, Method::Get, &path, None, Some(&admin)).await;
    assert_eq!(state["token"], "revoked", "{state}");
    fixtures::execute(&mut conn, &format!("update accounts set locked = false where account_id = {id}"))
        .await;
    let (verdict, state, live) = host.token_views(&admin, &token, &recovery_id, id).await;
    assert_eq!((verdict["valid"].clone(), state, live), (json!(false), json!("revoked"), 0));
}

/// A database migrated before the default store's tables became a set of their own keeps
/// them, rows and all, when a host with its own store starts on it.
#[rocket::async_test]
async fn an_upgraded_database_keeps_the_default_stores_rows_under_a_host_store() {
    let db = TestDb::migrated().await;
    let mut conn = db.conn().await;
    let kept = fixtures::user(&mut conn, "kept@example.org").await;
    fixtures::session(&mut conn, kept, &["admin"]).await;
    let smtp = SmtpServer::start();
    let client = Client::tracked(existing_host::app(figment(&db, &smtp))).await.expect("the host ignites");
    drop(client);
    assert_eq!(fixtures::count(&mut conn, &format!("users where id = '{kept}'")).await, 1);
    assert_eq!(fixtures::count(&mut conn, &format!("sessions where user_id = '{kept}'")).await, 1);
}

/// On the host's own pool the crate's statement and lock bounds hold for the crate's work (a
/// locked token table gives a 503 in time), and the connection goes back to the host without
/// them: the host's own queries run under the host's settings.
#[rocket::async_test]
async fn the_crates_bounds_hold_on_the_hosts_pool_and_never_leak_into_the_hosts_queries() {
    let db = TestDb::empty().await;
    let smtp = SmtpServer::start();
    let figment = figment(&db, &smtp)
        .merge(("databases.user_account.max_connections", 1))
        .merge(("user_account.lock_timeout_secs", 1))
        .merge(("user_account.statement_timeout_secs", 2));
    let client = Client::tracked(existing_host::app(figment)).await.expect("the example ignites");
    let host = Host { client, smtp, remote: address(), db };
    let verify = json!({"token": "A".repeat(43)});
    let (status, _) = host.post(&format!("{MOUNT}/verify-recovery-token"), &verify, None).await;
    assert_eq!(status, 200);

    let mut holder = host.conn().await;
    fixtures::execute(&mut holder, "begin; lock table user_account.recovery_tokens in access exclusive mode")
        .await;
    let started = std::time::Instant::now();
    let (status, _) = host.post(&format!("{MOUNT}/verify-recovery-token"), &verify, None).await;
    assert_eq!(status, 503, "bounded on the host's pool");
    assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
    fixtures::execute(&mut holder, "rollback").await;

    // The one connection of the host's pool, once the crate has given it back.
    rocket::tokio::time::sleep(Duration::from_millis(200)).await;
    let pool: &existing_host::HostDb = existing_host::HostDb::fetch(host.client.rocket()).expect("the pool");
    let mut conn = pool.get().await.expect("the host's connection");
    for setting in ["statement_timeout", "lock_timeout"] {
        let value = text(&mut conn, &format!("select current_setting('{setting}') as value")).await;
        assert_eq!(value, "0", "{setting} on the host's connection");
    }
}

/// The shape of `public`: its tables with their columns, its indexes, triggers and functions.
async fn public_shape(conn: &mut AsyncPgConnection) -> String {
    text(
        conn,
        "select concat_ws(' | ',
            (select string_agg(table_name || '.' || column_name || ':' || data_type || ':' || is_nullable,
                               ',' order by table_name, ordinal_position)
               from information_schema.columns where table_schema = 'public'),
            (select string_agg(indexname, ',' order by indexname) from pg_indexes where schemaname = 'public'),
            (select string_agg(trigger_name, ',') from information_schema.triggers
               where event_object_schema = 'public'),
            (select string_agg(routine_name, ',') from information_schema.routines
               where routine_schema = 'public')) as value",
    )
    .await
}

#[rocket::async_test]
async fn the_crate_never_touches_the_hosts_tables_and_a_restart_keeps_them() {
    let host = host().await;
    let mut conn = host.conn().await;
    let tables = text(
        &mut conn,
        "select string_agg(table_name, ',' order by table_name) as value \
         from information_schema.tables where table_schema = 'public'",
    )
    .await;
    assert_eq!(tables, "accounts,host_sessions", "nothing but the host's own tables in public");
    let shape = public_shape(&mut conn).await;
    assert_eq!(
        shape,
        "accounts.account_id:bigint:NO,accounts.login_email:text:NO,accounts.full_name:text:YES,\
         accounts.pw_hash:text:NO,accounts.is_admin:boolean:NO,accounts.locked:boolean:NO,\
         accounts.created_at:timestamp with time zone:NO,host_sessions.token_digest:bytea:NO,\
         host_sessions.account_id:bigint:NO,host_sessions.created_at:timestamp with time zone:NO,\
         host_sessions.expires_at:timestamp with time zone:NO,host_sessions.revoked_at:timestamp with time zone:YES \
         | accounts_login_email_key,accounts_pkey,host_sessions_account_id,host_sessions_pkey",
        "the host's columns and indexes, no trigger, no function"
    );

    // A whole recovery leaves the shape as it was.
    host.signup("admin@example.org", ADMIN_PASSWORD, true).await;
    let ann_id = host.signup("ann@example.org", ANN_OLD, false).await;
    let admin = host.login_ok("admin@example.org", ADMIN_PASSWORD).await;
    let token = host.recovery_token(&admin, &json!({"user_id": ann_id.to_string()})).await;
    let change = json!({"token": token, "new_password": ANN_NEW, "sign_out_everywhere": true});
    assert_eq!(host.post(&format!("{MOUNT}/change-password"), &change, None).await.0, 200);
    assert_eq!(public_shape(&mut conn).await, shape);
    let crate_tables = fixtures::count(
        &mut conn,
        "information_schema.tables where table_schema = 'user_account' and table_name = 'recovery_tokens'",
    )
    .await;
    assert_eq!(crate_tables, 1, "the crate's tables are in its own schema");
    let default_store_tables = text(
        &mut conn,
        "select coalesce(string_agg(table_name, ','), '') as value from information_schema.tables \
         where table_schema = 'user_account' and table_name in ('users', 'sessions')",
    )
    .await;
    assert_eq!(default_store_tables, "", "a host with its own store gets none of the default store's tables");

    // A second start over the same database creates nothing twice and keeps every account.
    let second = Client::tracked(existing_host::app(figment(&host.db, &host.smtp))).await.expect("restarts");
    let response = second
        .post("/login")
        .remote(address())
        .header(ContentType::JSON)
        .body(json!({"email": "ann@example.org", "password": ANN_NEW}).to_string())
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Ok);
    assert_eq!(public_shape(&mut conn).await, shape);
}

#[rocket::async_test]
async fn the_hosts_routes_refuse_bad_input_with_json_errors() {
    let host = host().await;
    let cases: [(&str, Option<&str>, &str, u16, &str); 5] = [
        ("/signup", Some("application/json"), "{not json", 400, "malformed_json"),
        (
            "/signup",
            Some("application/json"),
            r#"{"email": "a@example.org", "password": "x", "extra": 1}"#,
            422,
            "invalid_body",
        ),
        (
            "/signup",
            Some("application/json"),
            r#"{"email": "not an address", "password": "violet tugboat quarry lantern"}"#,
            422,
            "invalid_field",
        ),
        (
            "/login",
            Some("text/plain"),
            r#"{"email": "a@example.org", "password": "x"}"#,
            415,
            "unsupported_media_type",
        ),
        (
            "/login",
            Some("application/json"),
            r#"{"email": "nobody@example.org", "password": "whatever it is"}"#,
            401,
            "invalid_credentials",
        ),
    ];
    for (path, content_type, body, status, code) in cases {
        let mut request = host.client.post(path).remote(host.remote).body(body);
        if let Some(ct) = content_type {
            request = request.header(Header::new("Content-Type", ct));
        }
        let (got, answer) = answer(request.dispatch().await).await;
        assert_eq!((got, answer["error"]["code"].as_str()), (status, Some(code)), "{path} {body}: {answer}");
    }
    let (status, unknown) = host.call_from(host.remote, Method::Get, "/me", None, Some("not-a-token")).await;
    assert_eq!((status, unknown["error"]["code"].as_str()), (401, Some("unauthenticated")));
    let (status, nowhere) = host.call_from(host.remote, Method::Get, "/nowhere", None, None).await;
    assert_eq!((status, nowhere["error"]["code"].as_str()), (404, Some("not_found")));
}
