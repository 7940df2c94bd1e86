//! The default authenticator: `Authorization: Bearer <token>` looked up by digest in the
//! default store's `sessions`.

use rocket::request::Request;

use super::{AuthError, Authenticator, Principal};
use crate::accounts::DefaultStore;
use crate::db::DbConn;
use crate::token::PlainToken;

/// Reads `Authorization: Bearer <token>`, hashes the token and looks the digest up in
/// `sessions` (unexpired, unrevoked, user not disabled). The comparison happens in one
/// indexed equality on the digest, so response time does not depend on how much of a guessed
/// token is right.
#[derive(Debug, Clone, Copy, Default)]
pub struct SessionAuthenticator;

/// The token in an `Authorization` header value, if it is a well-formed bearer token.
fn bearer_token(header: &str) -> Option<PlainToken> {
    let (scheme, token) = header.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return None;
    }
    PlainToken::parse(token.trim())
}

#[rocket::async_trait]
impl Authenticator for SessionAuthenticator {
    async fn authenticate(&self, request: &Request<'_>) -> Result<Principal, AuthError> {
        let mut values = request.headers().get("Authorization");
        let header = values.next().ok_or(AuthError::Missing)?;
        if values.next().is_some() {
            return Err(AuthError::Invalid);
        }
        let token = bearer_token(header).ok_or(AuthError::Invalid)?;
        let store = request
            .rocket()
            .state::<DefaultStore>()
            .ok_or_else(|| AuthError::Failed(crate::error::Error::Internal("no default store".into())))?;
        let mut conn = DbConn::get(request.rocket()).await.map_err(AuthError::Failed)?;
        let session = store
            .find_session(&mut conn, &token.hash())
            .await
            .map_err(|e| AuthError::Failed(e.into()))?
            .ok_or(AuthError::Invalid)?;
        Ok(Principal {
            subject: session.user_id.to_string(),
            user_id: Some(session.user_id.to_string()),
            scopes: session.scopes,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::bearer_token;
    use crate::token::PlainToken;

    #[test]
    fn only_well_formed_bearer_headers_yield_a_token() {
        let t = PlainToken::generate();
        assert_eq!(bearer_token(&format!("Bearer {}", t.expose())), Some(t.clone()));
        assert_eq!(bearer_token(&format!("bearer {}", t.expose())), Some(t.clone()));
        assert_eq!(bearer_token(&format!("Basic {}", t.expose())), None);
        assert_eq!(bearer_token("Bearer"), None);
        assert_eq!(bearer_token("Bearer short"), None);
        assert_eq!(bearer_token(t.expose()), None);
    }
}
