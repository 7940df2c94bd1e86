//! The test harness: `spawn_app()` gives a Rocket with the fairing attached over a fresh
//! database, driven by the local async client.

pub mod db;
pub mod fixtures;

use rocket::figment::Figment;
use rocket::local::asynchronous::{Client, LocalResponse};
use rocket::{Build, Rocket, Route};
use rocket_user_account::{Authenticator, UserAccount};
use serde_json::Value;

pub use db::TestDb;

/// Where the tests mount the crate (the default).
pub const MOUNT: &str = "/api/users";

/// How to build the app under test.
pub struct AppBuilder {
    figment: Figment,
    routes: Vec<Route>,
    authenticator: Option<
        Box<dyn FnOnce(rocket_user_account::UserAccountBuilder) -> rocket_user_account::UserAccountBuilder>,
    >,
}

/// A running app over its own database.
pub struct TestApp {
    /// The client (dropped before the database).
    pub client: Client,
    /// The app's database.
    pub db: TestDb,
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
    AppBuilder { figment, routes: Vec::new(), authenticator: None }
}

impl AppBuilder {
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

    /// Plugs in an authenticator.
    pub fn authenticator(mut self, authenticator: impl Authenticator) -> Self {
        self.authenticator = Some(Box::new(move |b| b.authenticator(authenticator)));
        self
    }

    /// The Rocket over `db`, not yet ignited.
    pub fn rocket(self, db: &TestDb) -> Rocket<Build> {
        let figment = self.figment.merge(("databases.user_account.url", &db.url));
        let mut builder = UserAccount::builder();
        if let Some(with_auth) = self.authenticator {
            builder = with_auth(builder);
        }
        rocket::custom(figment).attach(builder.build()).mount(MOUNT, self.routes)
    }

    /// Ignites the app over a fresh migrated database.
    pub async fn spawn(self) -> TestApp {
        let db = TestDb::migrated().await;
        let client = Client::tracked(self.rocket(&db)).await.expect("the app ignites");
        TestApp { client, db }
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
