//! The test harness: `spawn_app()` gives a Rocket with the fairing attached over a fresh
//! database, driven by the local async client.

pub mod binary;
pub mod db;
pub mod fixtures;
pub mod live;
pub mod pooler;
pub mod smtp;

use rocket::figment::Figment;
use rocket::http::uri::Origin;
use rocket::http::Method;
use rocket::local::asynchronous::{Client, LocalRequest, LocalResponse};
use rocket::{Build, Rocket, Route};
use rocket_user_account::SendMail;
use rocket_user_account::{Authenticator, UserAccount, UserAccountBuilder};
use serde_json::Value;

pub use db::TestDb;
pub use smtp::{Mode, SmtpServer};

use rocket::http::{ContentType, Header};
use rocket_db_pools::Database as _;
use rocket_user_account::internals::Db;
use rocket_user_account::internals::DeliveryReport;
use rocket_user_account::internals::MailQueue;

/// Where the tests mount the crate (the default).
pub const MOUNT: &str = "/api/users";

/// How to build the app under test.
pub struct AppBuilder {
    figment: Figment,
    smtp: Option<SmtpServer>,
    routes: Vec<Route>,
    parts: Vec<Box<dyn FnOnce(UserAccountBuilder) -> UserAccountBuilder>>,
    /// The pool's URL when it is not the database's own (a pooler in front of it).
    pool_url: Option<String>,
}

/// A running app over its own database.
pub struct TestApp {
    /// The client (dropped before the database).
    pub client: Client,
    /// The app's database (shared with a second app in multi-instance tests).
    pub db: std::sync::Arc<TestDb>,
    /// The SMTP server the app delivers to.
    pub smtp: SmtpServer,
    /// The client address its requests come from (the local client's `.remote()`; no network
    /// traffic): one per app, so the per-IP limiter runs, and counts in Postgres, in every test.
    pub remote: std::net::SocketAddr,
}

/// An app in the debug profile with default configuration over a fresh migrated database.
pub async fn spawn_app() -> TestApp {
    app().spawn().await
}

/// A builder for an app with non-default settings.
pub fn app() -> AppBuilder {
    let mut figment = rocket::Config::figment();
    if std::env::var_os("TEST_LOG").is_none() {
        figment = figment.merge(("log_level", "off"));
    }
    // Delivery is driven by the tests (`deliver_mail`), not by the background worker, so no
    // test has to wait for it; `worker_wakes_on_enqueue` turns it back on.
    figment = figment.merge(("user_account.mail.worker", false));
    AppBuilder { figment, smtp: None, routes: Vec::new(), parts: Vec::new(), pool_url: None }
}

impl AppBuilder {
    /// Sends the pool's connections to `url` (a pooler in front of the test's database) instead
    /// of to the database itself.
    pub fn pool_url(mut self, url: &str) -> Self {
        self.pool_url = Some(url.to_owned());
        self
    }

    /// Sets a configuration value (a full key such as `user_account.debug_routes`).
    pub fn set(mut self, key: &str, value: impl serde::Serialize) -> Self {
        self.figment = self.figment.merge((key, value));
        self
    }

    /// Runs Rocket in `profile` (tests run in `debug` otherwise).
    pub fn profile(mut self, profile: &str) -> Self {
        self.figment = self.figment.select(profile);
        self
    }

    /// Mounts extra routes at the crate's mount point.
    pub fn routes(mut self, routes: Vec<Route>) -> Self {
        self.routes.extend(routes);
        self
    }

    /// Plugs in a password hasher.
    pub fn password_hasher(mut self, hasher: impl rocket_user_account::PasswordHasher) -> Self {
        self.parts.push(Box::new(move |b| b.password_hasher(hasher)));
        self
    }

    /// Plugs in an account store.
    pub fn account_store(mut self, store: impl rocket_user_account::AccountStore) -> Self {
        self.parts.push(Box::new(move |b| b.account_store(store)));
        self
    }

    /// Plugs in an authenticator.
    pub fn authenticator(mut self, authenticator: impl Authenticator) -> Self {
        self.parts.push(Box::new(move |b| b.authenticator(authenticator)));
        self
    }

    /// Plugs in a check on self-service requests.
    pub fn request_check(mut self, check: impl rocket_user_account::RequestCheck) -> Self {
        self.parts.push(Box::new(move |b| b.request_check(check)));
        self
    }

    /// Plugs in a mail sender in place of SMTP.
    pub fn mail_sender(mut self, sender: impl SendMail) -> Self {
        self.parts.push(Box::new(move |b| b.mail_sender(sender)));
        self
    }

    /// Delivers to `smtp` (by default each app gets a server of its own).
    pub fn smtp(mut self, smtp: &SmtpServer) -> Self {
        self.smtp = Some(smtp.clone());
        self
    }

    /// The Rocket over `db`, not yet ignited, delivering to `smtp`.
    pub fn rocket_with(self, db: &TestDb, smtp: &SmtpServer) -> Rocket<Build> {
        let figment = self
            .figment
            .merge(("databases.user_account.url", self.pool_url.as_ref().unwrap_or(&db.url)))
            .merge(("user_account.mail.smtp_url", smtp.url()));
        let builder = self.parts.into_iter().fold(UserAccount::builder(), |b, part| part(b));
        rocket::custom(figment).attach(builder.build()).mount(MOUNT, self.routes)
    }

    /// The Rocket over `db`, not yet ignited, delivering to a server that is not there.
    pub fn rocket(self, db: &TestDb) -> Rocket<Build> {
        let nowhere = SmtpServer::unstarted();
        self.rocket_with(db, &nowhere)
    }

    /// Ignites the app over a fresh migrated database.
    pub async fn spawn(self) -> TestApp {
        let db = TestDb::migrated().await;
        self.spawn_on(std::sync::Arc::new(db)).await
    }

    /// Ignites a second instance over the database of `other`.
    pub async fn spawn_beside(self, other: &TestApp) -> TestApp {
        self.spawn_on(std::sync::Arc::clone(&other.db)).await
    }

    /// Ignites the app over `db`.
    pub async fn spawn_on(mut self, db: std::sync::Arc<TestDb>) -> TestApp {
        let smtp = self.smtp.take().unwrap_or_else(SmtpServer::start);
        let client = Client::tracked(self.rocket_with(&db, &smtp)).await.expect("the app ignites");
        TestApp { client, db, smtp, remote: next_client_address() }
    }
}

/// A fresh client address, 10.x.y.z, one per call in this run.
fn next_client_address() -> std::net::SocketAddr {
    static COUNTER: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(1);
    let [_, x, y, z] = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed).to_be_bytes();
    std::net::SocketAddr::from(([10, x, y, z], 40000))
}

impl TestApp {
    /// Handles the queued self-service requests, as the background task would; how many.
    pub async fn process_self_service(&self) -> usize {
        let service =
            self.client.rocket().state::<rocket_user_account::RecoveryService>().expect("the service");
        service.process_self_service().await.expect("a self-service pass")
    }

    /// Runs one pass of the mail worker, as the background task would.
    pub async fn deliver_mail(&self) -> DeliveryReport {
        let queue = self.client.rocket().state::<MailQueue>().expect("the fairing manages the queue");
        let pool = Db::fetch(self.client.rocket()).expect("the pool is attached").pool();
        queue.deliver_due(&pool).await.expect("a delivery pass")
    }

    /// POSTs `body` as JSON to `path` from the client at `remote`, with extra headers.
    pub async fn post_from(
        &self,
        remote: std::net::SocketAddr,
        path: &str,
        body: &Value,
        headers: &[(&'static str, String)],
    ) -> LocalResponse<'_> {
        let mut request = self
            .client
            .post(format!("{MOUNT}{path}"))
            .remote(remote)
            .header(ContentType::JSON)
            .body(body.to_string());
        for (name, value) in headers {
            request = request.header(Header::new(*name, value.clone()));
        }
        request.dispatch().await
    }

    /// A request to `uri` (a full path) from the app's client address, not yet dispatched.
    pub fn req<'c, 'u: 'c, U>(&'c self, method: Method, uri: U) -> LocalRequest<'c>
    where
        U: TryInto<Origin<'u>> + std::fmt::Display,
    {
        self.client.req(method, uri).remote(self.remote)
    }

    /// A GET to `uri` (a full path) from the app's client address, not yet dispatched.
    pub fn get<'c, 'u: 'c, U>(&'c self, uri: U) -> LocalRequest<'c>
    where
        U: TryInto<Origin<'u>> + std::fmt::Display,
    {
        self.req(Method::Get, uri)
    }

    /// POSTs `body` as JSON to `path` under the mount point, with a bearer token if given, from
    /// the app's client address.
    pub async fn post(&self, path: &str, body: &Value, bearer: Option<&str>) -> LocalResponse<'_> {
        let mut request =
            self.req(Method::Post, format!("{MOUNT}{path}")).header(ContentType::JSON).body(body.to_string());
        if let Some(token) = bearer {
            request = request.header(Header::new("Authorization", format!("Bearer {token}")));
        }
        request.dispatch().await
    }
}

/// Whether ignition of `rocket` fails (Rocket's error is inspected, as Rocket requires).
pub async fn ignition_fails(rocket: Rocket<Build>) -> bool {
    match Client::tracked(rocket).await {
        Ok(_) => false,
        Err(e) => {
            let _kind = e.kind();
            true
        }
    }
}

/// The JSON body of a response.
pub async fn json(response: LocalResponse<'_>) -> Value {
    let text = response.into_string().await.unwrap_or_default();
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

/// Asserts the error envelope: `status`, a JSON content type and `{"error":{"code":code,...}}`
/// with a non-empty message. Returns the `error` object.
pub async fn assert_error(response: LocalResponse<'_>, status: u16, code: &str) -> Value {
    assert_eq!(response.status().code, status, "status");
    let content_type = response.content_type().map(|c| c.to_string()).unwrap_or_default();
    assert!(content_type.starts_with("application/json"), "content type {content_type}");
    let body = json(response).await;
    let error = &body["error"];
    assert_eq!(error["code"], code, "{body}");
    assert!(error["message"].as_str().is_some_and(|m| !m.is_empty()), "{body}");
    assert_eq!(body.as_object().map(serde_json::Map::len), Some(1), "only `error` at the top: {body}");
    error.clone()
}

/// Asserts the headers every response under the mount point carries.
pub fn assert_hardened(response: &LocalResponse<'_>, what: &str) {
    let h = response.headers();
    assert_eq!(h.get_one("X-Content-Type-Options"), Some("nosniff"), "{what}");
    assert_eq!(h.get_one("Referrer-Policy"), Some("no-referrer"), "{what}");
    assert_eq!(h.get_one("Content-Security-Policy"), Some("frame-ancestors 'none'"), "{what}");
    assert!(h.get_one("X-Request-Id").is_some_and(|id| id.len() == 32), "{what}");
    assert!(h.get_one("Server").is_none(), "{what}");
}

/// Asserts those headers plus `no-store` and JSON with its charset.
pub fn assert_json_no_store(response: &LocalResponse<'_>, what: &str) {
    assert_hardened(response, what);
    assert_eq!(response.headers().get_one("Cache-Control"), Some("no-store"), "{what}");
    assert_eq!(response.headers().get_one("Content-Type"), Some("application/json; charset=utf-8"), "{what}");
}
