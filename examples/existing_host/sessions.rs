//! The host's bearer sessions: issuing them at login, finding them again, and the crate's
//! `Authenticator` over them.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Bytea, Text};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use rand::rngs::OsRng;
use rand::RngCore as _;
use rocket::http::Status;
use rocket::request::{FromRequest, Outcome, Request};
use rocket_db_pools::Database as _;
use rocket_user_account::{AuthError, Authenticator, Config, Error, Principal};
use sha2::{Digest as _, Sha256};

use super::HostDb;

/// How long a login lasts.
const SESSION_HOURS: i32 = 12;

/// A session token: 32 bytes from the OS CSPRNG, base64url without padding (43 characters).
fn new_token() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// What the database keeps of a token: its SHA-256 (a fast hash is enough for 256 random bits).
fn digest(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// Starts a session for `account_id`; returns the token, which only its owner ever sees.
///
/// # Errors
/// Database errors only.
pub async fn create(conn: &mut AsyncPgConnection, account_id: i64) -> QueryResult<String> {
    let token = new_token();
    diesel::sql_query(
        "insert into public.host_sessions (token_digest, account_id, expires_at) \
         values ($1, $2, now() + make_interval(hours => $3))",
    )
    .bind::<Bytea, _>(&digest(&token)[..])
    .bind::<BigInt, _>(account_id)
    .bind::<diesel::sql_types::Integer, _>(SESSION_HOURS)
    .execute(conn)
    .await?;
    Ok(token)
}

/// A live session's account.
#[derive(Debug, Clone, QueryableByName)]
pub struct SignedIn {
    /// The host's id.
    #[diesel(sql_type = BigInt)]
    pub account_id: i64,
    /// The account's login email.
    #[diesel(sql_type = Text)]
    pub login_email: String,
    /// Whether the account is an admin.
    #[diesel(sql_type = Bool)]
    pub is_admin: bool,
}

/// The token of `Authorization: Bearer <token>`: missing without the header, invalid when there
/// are several or it is not a token of ours (43 base64url characters), which spares a query.
fn bearer(request: &Request<'_>) -> Result<String, AuthError> {
    let mut values = request.headers().get("Authorization");
    let header = values.next().ok_or(AuthError::Missing)?;
    if values.next().is_some() {
        return Err(AuthError::Invalid);
    }
    let (scheme, token) = header.split_once(' ').ok_or(AuthError::Invalid)?;
    let token = token.trim();
    let ours = token.len() == 43 && URL_SAFE_NO_PAD.decode(token).is_ok_and(|b| b.len() == 32);
    if scheme.eq_ignore_ascii_case("bearer") && ours {
        Ok(token.to_owned())
    } else {
        Err(AuthError::Invalid)
    }
}

/// The account of the request's bearer session, if it is unexpired, unrevoked and its account
/// is not locked. One indexed equality on the digest.
async fn signed_in(request: &Request<'_>) -> Result<SignedIn, AuthError> {
    let token = bearer(request)?;
    let db = HostDb::fetch(request.rocket())
        .ok_or_else(|| AuthError::Failed(Error::Internal("the host's pool is not attached".into())))?;
    let mut conn =
        db.get().await.map_err(|e| AuthError::Failed(Error::Unavailable(format!("no connection: {e}"))))?;
    let session: Option<SignedIn> = diesel::sql_query(
        "select a.account_id, a.login_email, a.is_admin \
         from public.host_sessions s join public.accounts a on a.account_id = s.account_id \
         where s.token_digest = $1 and s.revoked_at is null and s.expires_at > now() and not a.locked",
    )
    .bind::<Bytea, _>(&digest(&token)[..])
    .get_result(&mut conn)
    .await
    .optional()
    .map_err(|e| AuthError::Failed(Error::Database(e)))?;
    session.ok_or(AuthError::Invalid)
}

/// The host's routes take the signed-in account as a guard: 401 without a live session, 503
/// when the database cannot say.
#[rocket::async_trait]
impl<'r> FromRequest<'r> for SignedIn {
    type Error = ();

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, ()> {
        match signed_in(request).await {
            Ok(account) => Outcome::Success(account),
            Err(AuthError::Missing | AuthError::Invalid) => Outcome::Error((Status::Unauthorized, ())),
            Err(AuthError::Failed(e)) => {
                log::error!("host: cannot check a session: {e}");
                Outcome::Error((Status::ServiceUnavailable, ()))
            }
        }
    }
}

/// Tells the crate who is calling, from the host's own sessions. Admins are the accounts the
/// host flags `is_admin`; they get the crate's admin scope (`user_account.admin_scope`).
#[derive(Debug, Clone, Copy)]
pub struct HostAuthenticator;

#[rocket::async_trait]
impl Authenticator for HostAuthenticator {
    async fn authenticate(&self, request: &Request<'_>) -> Result<Principal, AuthError> {
        let account = signed_in(request).await?;
        let admin_scope = request.rocket().state::<Config>().map_or("admin", |c| c.admin_scope.as_str());
        let id = account.account_id.to_string();
        Ok(Principal {
            subject: id.clone(),
            user_id: Some(id),
            scopes: if account.is_admin { vec![admin_scope.to_owned()] } else { Vec::new() },
        })
    }
}
