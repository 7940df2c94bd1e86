//! Whether a recovery token is still live: the one rule, for every account store.
//!
//! A token is live while it has not ended by itself (used, superseded, cancelled, revoked,
//! expired: [`StoredToken::ended`]) and its account is still there, still recoverable, still
//! has an email, and still has the fingerprint the token was bound to at issue. A token that
//! fails the second half is *unbound*: it is revoked in the same request, for good, so that
//! changing the account back (unlocking it, restoring its email) never revives it. Verify,
//! cancel, change-password, the mail worker, the admin status and the admin list all ask
//! [`inspect`], [`inspect_by_hash`] or [`live_among`], which all end in [`judge`]; none of
//! them relies on the default store's trigger (a second line of defence only).
//!
//! With the default store the token and its account are read in one statement
//! ([`DefaultStore::token_with_account`]), so verify stays one round trip; with a host's store
//! the token is read first and the account through the store.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use diesel::QueryResult;
use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use crate::accounts::{Account, Store};
use crate::config::Schema;
use crate::db::recovery_tokens::{self, StoredToken};
use crate::error::Reason;
use crate::token::TokenHash;

/// A live token's account, as the verify answer, the policy and the redemption need it.
#[derive(Debug, Clone)]
pub struct LiveToken {
    /// The account's id.
    pub user_id: String,
    /// When the token expires.
    pub expires_at: DateTime<Utc>,
    /// The account's stored email.
    pub email: String,
    /// The account's name.
    pub display_name: String,
    /// The account's language, if it has one.
    pub locale: Option<String>,
}

/// What the rule decides about a token and its account as they are now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Judgement {
    /// The token may be used; the account's stored email.
    Live(String),
    /// The token has ended by itself, for this reason.
    Ended(Reason),
    /// The account no longer matches the token: gone, not recoverable, without an email, or
    /// with another fingerprint (an empty fingerprint matches nothing).
    Unbound,
}

/// The rule itself, pure: what `token` is, given its `account` as the store returns it now.
pub(crate) fn judge(token: &StoredToken, account: Option<&Account>) -> Judgement {
    if let Some(reason) = token.ended() {
        return Judgement::Ended(reason);
    }
    match account {
        Some(account)
            if account.recoverable && !token.binding.is_empty() && account.fingerprint == token.binding =>
        {
            account.email.clone().map_or(Judgement::Unbound, Judgement::Live)
        }
        _ => Judgement::Unbound,
    }
}

/// Applies the rule to `token` and its `account` and makes an unbound verdict permanent (the
/// token is revoked on `conn`, in the caller's transaction if there is one). Answers the live
/// token, or why it is not live (`invalid` for an unbound one).
///
/// # Errors
/// Database errors only.
pub(crate) async fn settle(
    conn: &mut AsyncPgConnection,
    schema: &Schema,
    token: StoredToken,
    account: Option<Account>,
) -> QueryResult<Result<LiveToken, Reason>> {
    match judge(&token, account.as_ref()) {
        Judgement::Ended(reason) => Ok(Err(reason)),
        Judgement::Unbound => {
            recovery_tokens::revoke_unbound(conn, schema, &[token.id]).await?;
            Ok(Err(Reason::Invalid))
        }
        Judgement::Live(email) => Ok(Ok(LiveToken {
            user_id: token.user_id,
            expires_at: token.expires_at,
            email,
            display_name: account.as_ref().map(|a| a.display_name.clone()).unwrap_or_default(),
            locale: account.and_then(|a| a.locale),
        })),
    }
}

/// The token and its account as the store sees them now (the account only when the token has
/// not ended by itself: it is not needed then).
async fn with_account(
    conn: &mut AsyncPgConnection,
    store: &Store,
    token: StoredToken,
) -> QueryResult<(StoredToken, Option<Account>)> {
    if token.ended().is_some() {
        return Ok((token, None));
    }
    let account = store.get().find_by_id(conn, &token.user_id).await?;
    Ok((token, account))
}

/// What the token whose digest is `hash` is now (an unknown digest is `invalid`). With the
/// default store one statement reads the token and its account.
///
/// # Errors
/// Database errors only.
pub(crate) async fn inspect_by_hash(
    conn: &mut AsyncPgConnection,
    schema: &Schema,
    store: &Store,
    hash: &TokenHash,
) -> QueryResult<Result<LiveToken, Reason>> {
    let found = match store {
        Store::Default(default) => default.token_with_account(conn, hash).await?,
        Store::Host(_) => match recovery_tokens::find(conn, schema, hash).await? {
            Some(token) => Some(with_account(conn, store, token).await?),
            None => None,
        },
    };
    match found {
        Some((token, account)) => settle(conn, schema, token, account).await,
        None => Ok(Err(Reason::Invalid)),
    }
}

/// What `token` (already read) is now, its account read through the store.
///
/// # Errors
/// Database errors only.
pub(crate) async fn inspect(
    conn: &mut AsyncPgConnection,
    schema: &Schema,
    store: &Store,
    token: StoredToken,
) -> QueryResult<Result<LiveToken, Reason>> {
    let (token, account) = with_account(conn, store, token).await?;
    settle(conn, schema, token, account).await
}

/// Which of the tokens `ids` are live (the mail worker's batch). Those found unbound are
/// revoked for good, in one statement. With the default store one statement reads every token
/// and its account; with a host's store the tokens are read in one and the accounts through
/// the store, one by one.
///
/// # Errors
/// Database errors only.
pub(crate) async fn live_among(
    conn: &mut AsyncPgConnection,
    schema: &Schema,
    store: &Store,
    ids: &[Uuid],
) -> QueryResult<HashSet<Uuid>> {
    if ids.is_empty() {
        return Ok(HashSet::new());
    }
    let pairs = match store {
        Store::Default(default) => default.tokens_with_accounts(conn, ids).await?,
        Store::Host(_) => {
            let mut pairs = Vec::with_capacity(ids.len());
            for token in recovery_tokens::find_by_ids(conn, schema, ids).await? {
                pairs.push(with_account(conn, store, token).await?);
            }
            pairs
        }
    };
    let mut live = HashSet::new();
    let mut unbound = Vec::new();
    for (token, account) in &pairs {
        match judge(token, account.as_ref()) {
            Judgement::Live(_) => {
                live.insert(token.id);
            }
            Judgement::Unbound => unbound.push(token.id),
            Judgement::Ended(_) => {}
        }
    }
    recovery_tokens::revoke_unbound(conn, schema, &unbound).await?;
    Ok(live)
}

#[cfg(test)]
mod tests {
    use super::{judge, Judgement};
    use crate::accounts::Account;
    use crate::db::recovery_tokens::StoredToken;
    use crate::error::Reason;

    fn token(binding: &[u8]) -> StoredToken {
        StoredToken::for_tests("7", binding.to_vec())
    }

    fn account(fingerprint: &[u8]) -> Account {
        Account::new("7", Some("ann@example.org".into()), "Ann", fingerprint.to_vec())
    }

    #[test]
    fn a_token_is_live_only_while_its_account_matches_it() {
        let live = Judgement::Live("ann@example.org".into());
        assert_eq!(judge(&token(b"fp"), Some(&account(b"fp"))), live);
        assert_eq!(judge(&token(b"fp"), Some(&account(b"other"))), Judgement::Unbound);
        assert_eq!(judge(&token(b"fp"), None), Judgement::Unbound);
        assert_eq!(judge(&token(b"fp"), Some(&account(b"fp").recoverable(false))), Judgement::Unbound);
        let mut no_email = account(b"fp");
        no_email.email = None;
        assert_eq!(judge(&token(b"fp"), Some(&no_email)), Judgement::Unbound);
    }

    #[test]
    fn an_empty_fingerprint_binds_nothing() {
        assert_eq!(judge(&token(b""), Some(&account(b""))), Judgement::Unbound);
    }

    #[test]
    fn a_token_that_ended_says_why_whatever_its_account() {
        let mut used = token(b"fp");
        used.mark_for_tests(Reason::Used);
        assert_eq!(judge(&used, Some(&account(b"fp"))), Judgement::Ended(Reason::Used));
        assert_eq!(judge(&used, None), Judgement::Ended(Reason::Used));
    }
}
