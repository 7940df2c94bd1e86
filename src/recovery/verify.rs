//! `POST <mount>/verify-recovery-token`: is this link still good? Reads only, so mail scanners
//! and link previews cannot burn a token.

use rocket::serde::json::Json;
use rocket::State;
use serde::{Deserialize, Serialize};

use super::email_hint;
use crate::db::recovery_tokens::{self, Reason};
use crate::db::{Db, DbConn};
use crate::error::Result;
use crate::json::JsonBody;
use crate::rate_limit::PublicLimit;
use crate::token::PlainToken;

/// The body.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenRequest {
    /// The token from the link's fragment.
    pub token: String,
}

/// The answer: valid with its expiry and a masked email, or why not.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum Verdict {
    /// The token can be used.
    Valid {
        /// Always true.
        valid: bool,
        /// When it stops working.
        expires_at: chrono::DateTime<chrono::Utc>,
        /// `a***e@example.com`.
        email_hint: String,
    },
    /// It cannot.
    Invalid {
        /// Always false.
        valid: bool,
        /// `invalid`, `expired`, `used` or `superseded`.
        reason: Reason,
    },
}

/// Says whether a token is valid, and why not. A malformed token gets the answer an unknown
/// one gets, without a database round trip.
#[rocket::post("/verify-recovery-token", data = "<body>")]
pub async fn verify_recovery_token(
    _limit: PublicLimit,
    db: &State<Db>,
    body: JsonBody<TokenRequest>,
) -> Result<Json<Verdict>> {
    let Some(token) = PlainToken::parse(&body.0.token) else {
        return Ok(Json(Verdict::Invalid { valid: false, reason: Reason::Invalid }));
    };
    // Taken only now that the body is in: a client that dawdles over its body holds no
    // pooled connection.
    let mut conn = DbConn::from_pool(db).await?;
    Ok(Json(match recovery_tokens::inspect(&mut conn, &token.hash()).await? {
        Ok(live) => {
            Verdict::Valid { valid: true, expires_at: live.expires_at, email_hint: email_hint(&live.email) }
        }
        Err(reason) => Verdict::Invalid { valid: false, reason },
    }))
}
