//! A host's own parts plugged into the fairing: its password hasher, its pool, and what
//! happens when it uses the crate's guards without the fairing.

use rocket::local::asynchronous::Client;
use rocket::{get, routes};
use rocket_db_pools::diesel::PgPool;
use rocket_db_pools::Database;
use rocket_user_account::diesel::QueryResult;
use rocket_user_account::diesel_async::AsyncPgConnection;
use rocket_user_account::{Account, AccountStore, AdminScope, PasswordHasher, RecoveryService, UserAccount};
use serde_json::json;
use sha2::{Digest as _, Sha256};

use crate::helpers::{app, assert_error, fixtures, SmtpServer, TestDb, MOUNT};

/// A host's hasher of its own (a stand-in for bcrypt or scrypt): what the crate stores must
/// be exactly what this produces.
struct HostHasher;

impl PasswordHasher for HostHasher {
    fn hash(&self, password: &str) -> Result<String, String> {
        let digest: String = Sha256::digest(password.as_bytes()).iter().map(|b| format!("{b:02x}")).collect();
        Ok(format!("$host-sha256${digest}"))
    }
}

#[rocket::async_test]
async fn a_hosts_hasher_stores_the_new_password_behind_the_same_policy_and_bound() {
    let app = app().password_hasher(HostHasher).spawn().await;
    let mut conn = app.db.conn().await;
    let admin = fixtures::admin(&mut conn).await;
    let ann = fixtures::user_with(&mut conn, "ann@example.org", "Ann", "the old password, long enough").await;
    let r = app.post("/password-recovery", &json!({"user_id": ann}), Some(admin.expose())).await;
    assert_eq!(r.status().code, 200);
    app.deliver_mail().await;
    let token = fixtures::token_in(&app.smtp.received()[0]);
    let service = app.client.rocket().state::<RecoveryService>().expect("the service");

    // The policy still applies, before any hash.
    let weak = json!({"token": token, "new_password": "ann@example.org"});
    assert_error(app.post("/change-password", &weak, None).await, 422, "weak_password").await;
    assert_eq!(service.hashing().computed(), 0);

    let good = json!({"token": token, "new_password": "violet tugboat quarry lantern"});
    assert_eq!(app.post("/change-password", &good, None).await.status().code, 200);
    assert_eq!(service.hashing().computed(), 1, "through the bounded pool");
    let stored = fixtures::password_hash(&mut conn, ann).await.unwrap_or_default();
    assert_eq!(stored, HostHasher.hash("violet tugboat quarry lantern").expect("hash"));
}

/// A host's own pool, under a name of its own.
#[derive(Database)]
#[database("host_db")]
struct HostDb(PgPool);

#[rocket::async_test]
async fn the_fairing_works_on_a_pool_the_host_attached_before_or_after_it() {
    for host_first in [true, false] {
        let db = TestDb::empty().await;
        let smtp = SmtpServer::start();
        let figment = rocket::Config::figment()
            .merge(("log_level", "off"))
            .merge(("databases.host_db.url", &db.url))
            .merge(("user_account.mail.smtp_url", smtp.url()))
            .merge(("user_account.mail.worker", false));
        let fairing = UserAccount::builder().database::<HostDb>().build();
        let rocket = if host_first {
            rocket::custom(figment).attach(HostDb::init()).attach(fairing)
        } else {
            rocket::custom(figment).attach(fairing).attach(HostDb::init())
        };
        let client = Client::tracked(rocket).await.expect("ignites with the host's pool");
        assert!(rocket_user_account::internals::Db::fetch(client.rocket()).is_none(), "no second pool");
        let mut conn = db.conn().await;
        let admin = fixtures::admin(&mut conn).await;
        fixtures::user(&mut conn, "ann@example.org").await;
        let response = client
            .post(format!("{MOUNT}/password-recovery"))
            .remote("192.0.2.7:4000".parse().expect("address"))
            .header(rocket::http::ContentType::JSON)
            .header(rocket::http::Header::new("Authorization", format!("Bearer {}", admin.expose())))
            .body(json!({"email": "ann@example.org"}).to_string())
            .dispatch()
            .await;
        assert_eq!(response.status().code, 200, "host first: {host_first}: {}", json_text(response).await);
        assert_eq!(fixtures::count(&mut conn, "recovery_tokens").await, 1);
    }
}

async fn json_text(response: rocket::local::asynchronous::LocalResponse<'_>) -> String {
    response.into_string().await.unwrap_or_default()
}

#[get("/host/admin-only")]
fn admin_only(admin: AdminScope) -> String {
    admin.0.subject
}

#[rocket::async_test]
async fn a_guard_used_without_the_fairing_fails_at_launch_not_per_request() {
    let rocket =
        rocket::custom(rocket::Config::figment().merge(("log_level", "off"))).mount("/", routes![admin_only]);
    match Client::tracked(rocket).await {
        Ok(_) => panic!("a rocket using AdminScope without the fairing must not launch"),
        Err(e) => assert!(matches!(e.kind(), rocket::error::ErrorKind::SentinelAborts(_)), "{:?}", e.kind()),
    }
}

#[rocket::async_test]
async fn the_recovery_service_works_without_http() {
    let app = app().spawn().await;
    let mut conn = app.db.conn().await;
    let ann = fixtures::user(&mut conn, "ann@example.org").await;
    let service = app.client.rocket().state::<RecoveryService>().expect("the service");
    let admin = rocket_user_account::Principal {
        subject: "host-admin-ui".into(),
        user_id: Some("42".into()),
        scopes: vec!["admin".into()],
    };
    let ctx = rocket_user_account::RequestContext::detached();
    let target = rocket_user_account::Target::Email("ann@example.org".into());
    let queued = service.start(target, None, &admin, None, &ctx).await.expect("started");
    assert_eq!(queued.user_id, ann.to_string());
    app.deliver_mail().await;
    let token = fixtures::token_in(&app.smtp.received()[0]);
    let verdict = serde_json::to_value(service.verify(&token).await.expect("verified")).expect("json");
    assert_eq!(verdict["valid"], true);
    // The admin's id is recorded as given, though no such account exists.
    let asked = fixtures::count(&mut conn, "recovery_tokens where requested_by = '42'").await;
    assert_eq!(asked, 1);
}

/// `impl AccountStore for $store` with the methods given, the session and password ones passed
/// to the default store: the test stores below differ only in how they find and lock accounts.
macro_rules! over_the_default_store {
    ($store:ident { $($methods:item)* }) => {
        #[rocket::async_trait]
        impl AccountStore for $store {
            $($methods)*
            async fn set_password_hash(&self, conn: &mut AsyncPgConnection, id: &str, hash: &str) -> QueryResult<()> {
                fixtures::store().set_password_hash(conn, id, hash).await
            }
            async fn count_sessions(&self, conn: &mut AsyncPgConnection, id: &str) -> QueryResult<i64> {
                fixtures::store().count_sessions(conn, id).await
            }
            async fn revoke_sessions(&self, conn: &mut AsyncPgConnection, id: &str) -> QueryResult<u64> {
                fixtures::store().revoke_sessions(conn, id).await
            }
        }
    };
}

/// A host store that forgets the fingerprint: the default store's accounts, each with an empty one.
struct Fingerless;

impl Fingerless {
    fn strip(account: QueryResult<Option<Account>>) -> QueryResult<Option<Account>> {
        account.map(|found| {
            found.map(|mut account| {
                account.fingerprint.clear();
                account
            })
        })
    }
}

over_the_default_store!(Fingerless {
    async fn find_by_id(&self, conn: &mut AsyncPgConnection, id: &str) -> QueryResult<Option<Account>> {
        Self::strip(fixtures::store().find_by_id(conn, id).await)
    }
    async fn find_by_email(&self, conn: &mut AsyncPgConnection, email: &str) -> QueryResult<Option<Account>> {
        Self::strip(fixtures::store().find_by_email(conn, email).await)
    }
    async fn lock(&self, conn: &mut AsyncPgConnection, id: &str) -> QueryResult<Option<Account>> {
        Self::strip(fixtures::store().lock(conn, id).await)
    }
});

/// A store whose accounts have no fingerprint gets no token: a token bound to nothing would
/// survive every change of the account. The admin gets a 500, and nothing is written.
#[rocket::async_test]
async fn an_account_without_a_fingerprint_gets_no_token() {
    let app = app().account_store(Fingerless).spawn().await;
    let mut conn = app.db.conn().await;
    let admin = fixtures::admin(&mut conn).await;
    let ann = fixtures::user(&mut conn, "ann@example.org").await;
    let r = app.post("/password-recovery", &json!({"user_id": ann}), Some(admin.expose())).await;
    assert_error(r, 500, "internal_error").await;
    assert_eq!(fixtures::count(&mut conn, "recovery_tokens").await, 0);
    assert_eq!(fixtures::count(&mut conn, "mail_outbox").await, 0);
}

/// A host hasher that declares more memory per hash than `max_concurrent` of them can have
/// stops ignition naming the key, whatever `argon2.memory_kib` says; the same bound with the
/// default hasher's 19 MiB ignites.
#[rocket::async_test]
async fn the_memory_bound_uses_what_the_hosts_hasher_declares() {
    struct Greedy;
    impl PasswordHasher for Greedy {
        fn hash(&self, _: &str) -> Result<String, String> {
            Err("never called".into())
        }
        fn memory_kib(&self) -> u64 {
            // 512 GiB a hash: no machine this runs on holds half a TiB.
            512 * 1024 * 1024
        }
    }
    let db = TestDb::migrated().await;
    assert!(crate::helpers::ignition_fails(app().password_hasher(Greedy).rocket(&db)).await);
    assert!(Client::tracked(app().password_hasher(HostHasher).rocket(&db)).await.is_ok());
}

/// A host store that wraps each lookup in a transaction of its own, as a host's data layer may:
/// inside the crate's transaction that is a savepoint.
struct Nesting;

impl Nesting {
    /// `lock` of the default store, inside `conn.transaction`.
    async fn nested(conn: &mut AsyncPgConnection, key: &str, by_email: bool) -> QueryResult<Option<Account>> {
        use rocket_user_account::diesel_async::scoped_futures::ScopedFutureExt as _;
        use rocket_user_account::diesel_async::AsyncConnection as _;
        let key = key.to_owned();
        conn.transaction(|conn| {
            async move {
                if by_email {
                    fixtures::store().lock_by_email(conn, &key).await
                } else {
                    fixtures::store().lock(conn, &key).await
                }
            }
            .scope_boxed()
        })
        .await
    }
}

over_the_default_store!(Nesting {
    async fn find_by_id(&self, conn: &mut AsyncPgConnection, id: &str) -> QueryResult<Option<Account>> {
        fixtures::store().find_by_id(conn, id).await
    }
    async fn find_by_email(&self, conn: &mut AsyncPgConnection, email: &str) -> QueryResult<Option<Account>> {
        fixtures::store().find_by_email(conn, email).await
    }
    async fn lock_by_email(&self, conn: &mut AsyncPgConnection, email: &str) -> QueryResult<Option<Account>> {
        Self::nested(conn, email, true).await
    }
    async fn lock(&self, conn: &mut AsyncPgConnection, id: &str) -> QueryResult<Option<Account>> {
        Self::nested(conn, id, false).await
    }
});

/// A host store's `lock` may run a transaction of its own (docs/host-integration.md): the
/// crate begins its transaction through diesel-async's transaction manager before it calls a
/// host's store (it sends its `BEGIN` ahead of a statement only for its own store), so the
/// host's becomes a savepoint. Recoveries alone and together are written.
#[rocket::async_test]
async fn a_host_stores_lock_may_nest_a_transaction_of_its_own() {
    let app = app().account_store(Nesting).spawn().await;
    let mut conn = app.db.conn().await;
    let admin = fixtures::admin(&mut conn).await;
    let mut ids = Vec::new();
    for i in 0..6 {
        ids.push(fixtures::user(&mut conn, &format!("u{i}@example.org")).await);
    }
    let r = app.post("/password-recovery", &json!({"user_id": ids[0]}), Some(admin.expose())).await;
    assert_eq!(r.status().code, 200);
    let together = ids.iter().enumerate().map(|(i, id)| {
        let app = &app;
        let admin = admin.expose();
        let body =
            if i % 2 == 0 { json!({"user_id": id}) } else { json!({"email": format!("u{i}@example.org")}) };
        async move { app.post("/password-recovery", &body, Some(admin)).await.status().code }
    });
    let codes = futures::future::join_all(together).await;
    assert_eq!(codes, [200; 6]);
    let live = "recovery_tokens where superseded_at is null and used_at is null and revoked_at is null";
    assert_eq!(fixtures::count(&mut conn, live).await, 6, "one live token per account");
    assert_eq!(fixtures::count(&mut conn, "recovery_tokens").await, 7);
}
