//! The host's own routes (`/signup`, `/login`, `/me`) and its JSON errors.

use rocket::data::{self, ByteUnit, Data, FromData};
use rocket::http::{ContentType, Header, Status};
use rocket::request::{self as request, FromRequest, Request};
use rocket::response::{self, Responder, Response};
use rocket::{catch, catchers, get, post, routes, Catcher, Route, State};
use rocket_user_account::{Config, Error, Feedback, RecoveryService};
use secrecy::{ExposeSecret as _, SecretString};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{json, Value};

use super::accounts;
use super::sessions::{self, SignedIn};
use super::HostDb;

/// The host's routes.
pub fn routes() -> Vec<Route> {
    routes![signup, login, me]
}

/// JSON errors for everything outside the crate's mount (which has its own catchers).
pub fn catchers() -> Vec<Catcher> {
    catchers![any]
}

#[catch(default)]
fn any(status: Status, _request: &Request<'_>) -> HostError {
    HostError::status(status)
}

/// A JSON answer, never cached (a login's answer holds a credential).
pub struct Reply(Value);

impl<'r> Responder<'r, 'static> for Reply {
    fn respond_to(self, request: &'r Request<'_>) -> response::Result<'static> {
        Response::build_from(self.0.to_string().respond_to(request)?)
            .header(ContentType::JSON)
            .header(Header::new("Cache-Control", "no-store"))
            .ok()
    }
}

/// The host's error: `{"error": {"code", "message", "details"?}}`, the envelope the crate's
/// routes use too, so a client handles one shape. Never carries a value from the request.
#[derive(Debug)]
pub struct HostError {
    status: Status,
    code: &'static str,
    message: String,
    details: Option<Value>,
}

impl HostError {
    fn new(status: Status, code: &'static str, message: impl Into<String>) -> HostError {
        HostError { status, code, message: message.into(), details: None }
    }

    /// The generic error for a status (catchers, failed guards).
    fn status(status: Status) -> HostError {
        let (code, message) = match status.code {
            400 => ("malformed_json", "The request body is not valid JSON."),
            401 => ("unauthenticated", "Valid bearer credentials are required."),
            404 => ("not_found", "No such resource."),
            413 => ("body_too_large", "The request body is too large."),
            415 => ("unsupported_media_type", "The request body must be sent as application/json."),
            422 => ("invalid_body", "The request body does not match what this endpoint takes."),
            503 => ("service_unavailable", "The service is unavailable right now; try again shortly."),
            code if code >= 500 => ("internal_error", "Something went wrong on our side."),
            _ => ("request_failed", "The request failed."),
        };
        HostError::new(status, code, message)
    }

    fn invalid(field: &str, reason: &str) -> HostError {
        HostError::new(Status::UnprocessableEntity, "invalid_field", format!("`{field}` {reason}."))
    }
}

/// A database failure: logged (diesel's text holds no bound value), answered 503 or 500 as the
/// crate would answer it, with no database text in the body.
impl From<diesel::result::Error> for HostError {
    fn from(e: diesel::result::Error) -> HostError {
        log::error!("host: database error: {e}");
        HostError::status(Error::Database(e).status())
    }
}

/// The crate's errors met here (the hashing pool is busy or failed): their status, generically.
impl From<Error> for HostError {
    fn from(e: Error) -> HostError {
        log::error!("host: {e}");
        HostError::status(e.status())
    }
}

impl<'r> Responder<'r, 'static> for HostError {
    fn respond_to(self, request: &'r Request<'_>) -> response::Result<'static> {
        let mut error = json!({ "code": self.code, "message": self.message });
        if let Some(details) = self.details {
            error["details"] = details;
        }
        let mut response = Response::build_from(Reply(json!({ "error": error })).respond_to(request)?);
        response.status(self.status);
        if self.status == Status::Unauthorized {
            response.header(Header::new("WWW-Authenticate", "Bearer"));
        }
        response.ok()
    }
}

/// The host's JSON body guard: `application/json` only (415), at most 16 KiB (413), malformed
/// JSON 400, the wrong shape (unknown field, wrong type) 422. It fails with no error value, so
/// Rocket's log line about the failed guard never holds the body (Rocket's own `Json` would
/// log it, password included).
pub struct Body<T>(T);

#[rocket::async_trait]
impl<'r, T: DeserializeOwned> FromData<'r> for Body<T> {
    type Error = ();

    async fn from_data(request: &'r Request<'_>, data: Data<'r>) -> data::Outcome<'r, Self> {
        if !request.content_type().is_some_and(|ct| ct.media_type().is_json()) {
            return data::Outcome::Error((Status::UnsupportedMediaType, ()));
        }
        let bytes = match data.open(ByteUnit::Kibibyte(16)).into_bytes().await {
            Ok(bytes) if bytes.is_complete() => bytes.into_inner(),
            Ok(_) => return data::Outcome::Error((Status::PayloadTooLarge, ())),
            Err(_) => return data::Outcome::Error((Status::BadRequest, ())),
        };
        match serde_json::from_slice(&bytes) {
            Ok(value) => data::Outcome::Success(Body(value)),
            Err(e) if e.classify() == serde_json::error::Category::Data => {
                data::Outcome::Error((Status::UnprocessableEntity, ()))
            }
            Err(_) => data::Outcome::Error((Status::BadRequest, ())),
        }
    }
}

/// `POST /signup`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Signup {
    email: String,
    password: SecretString,
    #[serde(default)]
    name: String,
    /// An example shortcut: anyone may sign up as an admin here. A real host decides who its
    /// admins are its own way (an operator's command, an admin page, a directory group).
    #[serde(default)]
    admin: bool,
}

/// Creates an account: 200 `{"id": 7}`. The email must be a deliverable address (the one
/// recovery mail goes to) and the password must pass the crate's policy
/// (`user_account.password.*`), so signup and reset accept the same passwords.
#[post("/signup", data = "<body>")]
async fn signup(
    body: Body<Signup>,
    db: &State<HostDb>,
    config: &State<Config>,
    service: &State<RecoveryService>,
    language: AcceptLanguage<'_>,
) -> Result<Reply, HostError> {
    let Signup { email, password, name, admin } = body.0;
    let email = email.trim().to_owned();
    if email.chars().count() > 254 || email.parse::<lettre::Address>().is_err() {
        return Err(HostError::invalid("email", "must be an email address"));
    }
    let name = name.trim().to_owned();
    if name.chars().count() > 200 || name.chars().any(char::is_control) {
        return Err(HostError::invalid("name", "must be at most 200 characters, none of them control"));
    }
    let policy = &config.password;
    if let Err(weakness) =
        policy.check_for(password.expose_secret(), &email, &name, &config.mail.product_name)
    {
        return Err(weak_password(service.explain(&weakness, language.0)));
    }
    if accounts::by_email(&mut *db.get().await.map_err(unavailable)?, &email).await?.is_some() {
        return Err(email_taken());
    }
    // No connection is held while the hash is computed. The crate's bounded hashing pool runs
    // the hasher the fairing was given, the host's `HostHasher`, on a blocking thread.
    let pw_hash = service.hashing().hash(password).await?;
    #[derive(diesel::QueryableByName)]
    struct Id {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        account_id: i64,
    }
    let inserted: Result<Id, _> = diesel_async::RunQueryDsl::get_result(
        diesel::sql_query(
            "insert into public.accounts (login_email, full_name, pw_hash, is_admin) \
             values ($1, nullif($2, ''), $3, $4) returning account_id",
        )
        .bind::<diesel::sql_types::Text, _>(&email)
        .bind::<diesel::sql_types::Text, _>(&name)
        .bind::<diesel::sql_types::Text, _>(&pw_hash)
        .bind::<diesel::sql_types::Bool, _>(admin),
        &mut *db.get().await.map_err(unavailable)?,
    )
    .await;
    match inserted {
        Ok(id) => Ok(Reply(json!({ "id": id.account_id }))),
        // Signed up by a concurrent request since the check above.
        Err(diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)) => {
            Err(email_taken())
        }
        Err(e) => Err(e.into()),
    }
}

fn email_taken() -> HostError {
    HostError::new(Status::Conflict, "email_taken", "An account with this email already exists.")
}

/// The request's `Accept-Language`: the crate's sentences (a weak password's feedback) come in
/// the language it names.
struct AcceptLanguage<'r>(Option<&'r str>);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for AcceptLanguage<'r> {
    type Error = std::convert::Infallible;

    async fn from_request(req: &'r Request<'_>) -> request::Outcome<Self, Self::Error> {
        request::Outcome::Success(AcceptLanguage(req.headers().get_one("Accept-Language")))
    }
}

/// The crate's own answer to a weak password, in the request's language.
fn weak_password(feedback: Feedback) -> HostError {
    HostError {
        details: Some(feedback.details),
        ..HostError::new(Status::UnprocessableEntity, "weak_password", feedback.message)
    }
}

fn unavailable(e: impl std::fmt::Display) -> HostError {
    log::error!("host: no database connection: {e}");
    HostError::status(Status::ServiceUnavailable)
}

/// `POST /login`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Login {
    email: String,
    password: SecretString,
}

/// Checks the password and starts a session: 200 `{"token": "..."}`, or 401 whatever was wrong
/// (unknown email, wrong password, locked account), in about the same time.
#[post("/login", data = "<body>")]
async fn login(
    body: Body<Login>,
    db: &State<HostDb>,
    service: &State<RecoveryService>,
) -> Result<Reply, HostError> {
    let Login { email, password } = body.0;
    let account = accounts::by_email(&mut *db.get().await.map_err(unavailable)?, &email).await?;
    let (account_id, stored, locked) = match account {
        Some(a) => (Some(a.account_id), a.pw_hash, a.locked),
        None => (None, accounts::dummy_hash().to_owned(), false),
    };
    // Argon2 on a blocking thread, within the same bound as the crate's hashes.
    let slot = service.hashing().slot().await?;
    let matches = rocket::tokio::task::spawn_blocking(move || {
        accounts::verify_password(&stored, password.expose_secret())
    })
    .await
    .map_err(|e| Error::Internal(format!("password check: {e}")))?;
    drop(slot);
    match account_id {
        Some(id) if matches && !locked => {
            let token = sessions::create(&mut *db.get().await.map_err(unavailable)?, id).await?;
            Ok(Reply(json!({ "token": token })))
        }
        _ => Err(HostError::new(
            Status::Unauthorized,
            "invalid_credentials",
            "The email or the password is not right.",
        )),
    }
}

/// `GET /me`: 200 `{"id": 7, "email": "..."}` for a live session, 401 otherwise.
#[get("/me")]
fn me(account: SignedIn) -> Reply {
    Reply(json!({ "id": account.account_id, "email": account.login_email }))
}
