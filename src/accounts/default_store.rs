//! [`DefaultStore`]: accounts in the crate's own `users` table and bearer sessions in its
//! `sessions` table, both inside the crate's schema. For hosts that have no accounts of their
//! own, and for the runnable server.

use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Bool, Bytea, Nullable, Text, Uuid as SqlUuid};
use diesel_async::AsyncPgConnection;

use crate::db::Run as _;
use unicode_normalization::UnicodeNormalization as _;
use uuid::Uuid;

use super::{Account, AccountKey, AccountStore, Avatar};
use crate::config::Schema;
use crate::db::recovery_tokens::{StoredToken, STORED_COLUMNS};
use crate::db::Prepare as _;
use crate::token::TokenHash;

/// The form emails are compared in: NFKC, then lowercase, trimmed. Compatibility forms fold
/// together (`ＭＩＫＥ` finds `mike`) while distinct letters stay distinct (a dotless `ı`
/// does not become `i`), so a crafted look-alike never matches someone else's address.
#[must_use]
pub fn normalize_email(email: &str) -> String {
    email.trim().nfkc().collect::<String>().to_lowercase()
}

/// The default store over `<schema>.users` and `<schema>.sessions`. Ids are UUIDs; emails
/// are compared in `normalize_email` form; the fingerprint is
/// [`Account::fingerprint_of`] the email and the password hash, which the database computes
/// the same way where one statement checks a token.
#[derive(Debug, Clone)]
pub struct DefaultStore {
    schema: Schema,
}

#[derive(QueryableByName)]
struct UserRow {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
    #[diesel(sql_type = Nullable<Text>)]
    email: Option<String>,
    #[diesel(sql_type = Text)]
    display_name: String,
    #[diesel(sql_type = Bool)]
    disabled: bool,
    #[diesel(sql_type = Nullable<Text>)]
    password_hash: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    locale: Option<String>,
}

impl From<UserRow> for Account {
    fn from(row: UserRow) -> Account {
        let fingerprint = Account::fingerprint_of(row.email.as_deref(), row.password_hash.as_deref());
        Account::new(row.id.to_string(), row.email, row.display_name, fingerprint)
            .recoverable(!row.disabled)
            .locale(row.locale)
    }
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

/// The owner and scopes of a live session.
#[derive(Debug, Clone, QueryableByName)]
pub struct LiveSession {
    /// The session's user.
    #[diesel(sql_type = SqlUuid)]
    pub user_id: Uuid,
    /// What it may do.
    #[diesel(sql_type = Array<Text>)]
    pub scopes: Vec<String>,
}

const USER_COLUMNS: &str = "id, email, display_name, disabled, password_hash, locale";

impl DefaultStore {
    /// The store over the tables in `schema`.
    #[must_use]
    pub fn new(schema: Schema) -> DefaultStore {
        DefaultStore { schema }
    }

    async fn user_where(
        &self,
        conn: &mut AsyncPgConnection,
        condition: &str,
        value: &str,
        lock: bool,
    ) -> QueryResult<Option<Account>> {
        let sql = format!(
            "select {USER_COLUMNS} from {s}.users where {condition}{for_update}",
            s = self.schema,
            for_update = if lock { " for update" } else { "" }
        );
        let row: Option<UserRow> = diesel::sql_query(sql)
            .bind::<Text, _>(value)
            .cached()
            .get_result_on(conn, &self.schema)
            .await
            .optional()?;
        Ok(row.map(Account::from))
    }

    /// [`super::Store::lock_many`] over the crate's `users`: the ids in one statement, the
    /// emails in another, each locking its rows in the order of their ids.
    pub(crate) async fn lock_many(
        &self,
        conn: &mut AsyncPgConnection,
        keys: &[AccountKey<'_>],
    ) -> QueryResult<Vec<Option<Account>>> {
        #[derive(QueryableByName)]
        struct Keyed {
            /// The key's place among those of its statement, from 1.
            #[diesel(sql_type = BigInt)]
            i: i64,
            #[diesel(embed)]
            user: UserRow,
        }
        // One key: the statement of one lock, whose plan fits one row.
        if let [key] = keys {
            let account = match key {
                AccountKey::Id(id) => AccountStore::lock(self, conn, id).await?,
                AccountKey::Email(email) => AccountStore::lock_by_email(self, conn, email).await?,
            };
            return Ok(vec![account]);
        }
        let mut accounts: Vec<Option<Account>> = keys.iter().map(|_| None).collect();
        // Each kind's values, and where each of them came from in `keys`.
        let mut ids: Vec<(String, usize)> = Vec::new();
        let mut emails: Vec<(String, usize)> = Vec::new();
        for (at, key) in keys.iter().enumerate() {
            match key {
                AccountKey::Id(id) => ids.extend(uuid(id).map(|id| (id, at))),
                AccountKey::Email(email) => emails.push((normalize_email(email), at)),
            }
        }
        for (values, matches) in [(ids, "u.id = k.key::uuid"), (emails, "u.email_normalized = k.key")] {
            if values.is_empty() {
                continue;
            }
            let (values, at): (Vec<String>, Vec<usize>) = values.into_iter().unzip();
            let rows: Vec<Keyed> = diesel::sql_query(format!(
                "select k.i, {USER_COLUMNS} from unnest($1::text[]) with ordinality as k(key, i) \
                 join {s}.users u on {matches} order by u.id for update of u",
                s = self.schema
            ))
            .bind::<Array<Text>, _>(values)
            .cached()
            .load_on(conn, &self.schema)
            .await?;
            for row in rows {
                let place = usize::try_from(row.i - 1).ok().and_then(|i| at.get(i));
                if let Some(slot) = place.and_then(|&at| accounts.get_mut(at)) {
                    *slot = Some(Account::from(row.user));
                }
            }
        }
        Ok(accounts)
    }

    #[cfg(feature = "internals")]
    /// Creates a user with this email, name, language (a BCP 47 tag) and (already hashed)
    /// password; returns its id.
    ///
    /// # Errors
    /// A unique violation when the normalized email is taken, or any database error.
    pub async fn create_user(
        &self,
        conn: &mut AsyncPgConnection,
        (email, display_name, locale): (Option<&str>, &str, Option<&str>),
        password_hash: Option<&str>,
    ) -> QueryResult<Uuid> {
        #[derive(QueryableByName)]
        struct Id {
            #[diesel(sql_type = SqlUuid)]
            id: Uuid,
        }
        let id: Id = diesel::sql_query(format!(
            "insert into {s}.users (email, email_normalized, display_name, password_hash, password_changed_at, locale) \
             values ($1, $2, $3, $4, case when $4 is null then null else now() end, $5) returning id",
            s = self.schema
        ))
        .bind::<Nullable<Text>, _>(email.map(str::trim))
        .bind::<Nullable<Text>, _>(email.map(normalize_email))
        .bind::<Text, _>(display_name)
        .bind::<Nullable<Text>, _>(password_hash)
        .bind::<Nullable<Text>, _>(locale)
        .cached().get_result_on(conn, &self.schema)
        .await?;
        Ok(id.id)
    }

    #[cfg(feature = "internals")]
    /// Creates a bearer session for `user_id` whose token digests to `hash`.
    ///
    /// # Errors
    /// Database errors only.
    pub async fn create_session(
        &self,
        conn: &mut AsyncPgConnection,
        user_id: Uuid,
        hash: &TokenHash,
        scopes: &[String],
        expires_at: chrono::DateTime<chrono::Utc>,
    ) -> QueryResult<()> {
        diesel::sql_query(format!(
            "insert into {s}.sessions (user_id, token_hash, scopes, expires_at) values ($1, $2, $3, $4)",
            s = self.schema
        ))
        .bind::<SqlUuid, _>(user_id)
        .bind::<Bytea, _>(&hash.0[..])
        .bind::<Array<Text>, _>(scopes)
        .bind::<diesel::sql_types::Timestamptz, _>(expires_at)
        .cached()
        .execute_on(conn, &self.schema)
        .await
        .map(|_| ())
    }

    /// The session whose token digests to `hash`, if it is unexpired, unrevoked and its user
    /// is not disabled. One indexed equality lookup on the digest, so the time it takes does
    /// not depend on how much of a guessed token is right.
    ///
    /// # Errors
    /// Database errors only; no such session is `Ok(None)`.
    pub async fn find_session(
        &self,
        conn: &mut AsyncPgConnection,
        hash: &TokenHash,
    ) -> QueryResult<Option<LiveSession>> {
        diesel::sql_query(format!(
            "select s.user_id, s.scopes from {s}.sessions s join {s}.users u on u.id = s.user_id \
             where s.token_hash = $1 and s.revoked_at is null and s.expires_at > now() and not u.disabled",
            s = self.schema
        ))
        .bind::<Bytea, _>(&hash.0[..])
        .cached()
        .get_result_on(conn, &self.schema)
        .await
        .optional()
    }

    #[cfg(feature = "internals")]
    /// Stores an avatar for user `id` (image bytes already sniffed as `content_type`, or a
    /// validated URL), replacing the other kind. Returns whether the user exists.
    ///
    /// # Errors
    /// Database errors, including the size and type checks of the table.
    pub async fn set_avatar(
        &self,
        conn: &mut AsyncPgConnection,
        id: Uuid,
        avatar: &Avatar,
        content_type: Option<&str>,
    ) -> QueryResult<bool> {
        let (bytes, url) = match avatar {
            Avatar::Image(bytes) => (Some(bytes.as_slice()), None),
            Avatar::Url(url) => (None, Some(url.as_str())),
        };
        diesel::sql_query(format!(
            "update {s}.users set avatar_bytes = $2, avatar_content_type = $3, avatar_url = $4, \
             updated_at = now() where id = $1",
            s = self.schema
        ))
        .bind::<SqlUuid, _>(id)
        .bind::<Nullable<Bytea>, _>(bytes)
        .bind::<Nullable<Text>, _>(bytes.and(content_type))
        .bind::<Nullable<Text>, _>(url)
        .cached()
        .execute_on(conn, &self.schema)
        .await
        .map(|n| n == 1)
    }
}

/// A token joined with its account of the default store, which may be gone.
#[derive(QueryableByName)]
struct TokenAndUser {
    #[diesel(embed)]
    token: StoredToken,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    account_id: Option<Uuid>,
    #[diesel(sql_type = Nullable<Text>)]
    account_email: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    account_name: Option<String>,
    #[diesel(sql_type = Nullable<Bool>)]
    account_disabled: Option<bool>,
    #[diesel(sql_type = Nullable<Text>)]
    account_password_hash: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    account_locale: Option<String>,
}

impl TokenAndUser {
    fn split(self) -> (StoredToken, Option<Account>) {
        let account = self.account_id.map(|id| {
            Account::from(UserRow {
                id,
                email: self.account_email,
                display_name: self.account_name.unwrap_or_default(),
                disabled: self.account_disabled.unwrap_or(true),
                password_hash: self.account_password_hash,
                locale: self.account_locale,
            })
        });
        (self.token, account)
    }
}

impl DefaultStore {
    /// Tokens `t` with their accounts `u` (left joined: a token outlives its account); a
    /// `where` follows. A `user_id` that is not a canonical UUID names no account of this store
    /// (whose ids it wrote itself): the guard keeps such a row from failing the cast.
    fn tokens_sql(&self) -> String {
        format!(
            "select {STORED_COLUMNS}, u.id as account_id, u.email as account_email,                     u.display_name as account_name, u.disabled as account_disabled,                     u.password_hash as account_password_hash, u.locale as account_locale              from {s}.recovery_tokens t left join {s}.users u on u.id = case when t.user_id ~                  '^[0-9a-f]{{8}}-[0-9a-f]{{4}}-[0-9a-f]{{4}}-[0-9a-f]{{4}}-[0-9a-f]{{12}}$' then t.user_id::uuid end",
            s = self.schema
        )
    }

    /// The token whose digest is `hash` with its account, in one statement (verify's one round
    /// trip); [`crate::liveness`] judges them.
    pub(crate) async fn token_with_account(
        &self,
        conn: &mut AsyncPgConnection,
        hash: &TokenHash,
    ) -> QueryResult<Option<(StoredToken, Option<Account>)>> {
        let row: Option<TokenAndUser> =
            diesel::sql_query(format!("{} where t.token_hash = $1", self.tokens_sql()))
                .bind::<Bytea, _>(&hash.0[..])
                .cached()
                .get_result_on(conn, &self.schema)
                .await
                .optional()?;
        Ok(row.map(TokenAndUser::split))
    }

    /// The tokens `ids` with their accounts, in one statement (the mail worker's batch).
    pub(crate) async fn tokens_with_accounts(
        &self,
        conn: &mut AsyncPgConnection,
        ids: &[Uuid],
    ) -> QueryResult<Vec<(StoredToken, Option<Account>)>> {
        let rows: Vec<TokenAndUser> =
            diesel::sql_query(format!("{} where t.id = any($1)", self.tokens_sql()))
                .bind::<Array<SqlUuid>, _>(ids)
                .cached()
                .load_on(conn, &self.schema)
                .await?;
        Ok(rows.into_iter().map(TokenAndUser::split).collect())
    }
}

fn uuid(id: &str) -> Option<String> {
    Uuid::parse_str(id).ok().map(|u| u.to_string())
}

#[rocket::async_trait]
impl AccountStore for DefaultStore {
    async fn find_by_id(&self, conn: &mut AsyncPgConnection, id: &str) -> QueryResult<Option<Account>> {
        let Some(id) = uuid(id) else { return Ok(None) };
        self.user_where(conn, "id = $1::uuid", &id, false).await
    }

    async fn find_by_email(&self, conn: &mut AsyncPgConnection, email: &str) -> QueryResult<Option<Account>> {
        self.user_where(conn, "email_normalized = $1", &normalize_email(email), false).await
    }

    async fn lock(&self, conn: &mut AsyncPgConnection, id: &str) -> QueryResult<Option<Account>> {
        let Some(id) = uuid(id) else { return Ok(None) };
        self.user_where(conn, "id = $1::uuid", &id, true).await
    }

    async fn lock_by_email(&self, conn: &mut AsyncPgConnection, email: &str) -> QueryResult<Option<Account>> {
        self.user_where(conn, "email_normalized = $1", &normalize_email(email), true).await
    }

    async fn set_password_hash(&self, conn: &mut AsyncPgConnection, id: &str, hash: &str) -> QueryResult<()> {
        let Some(id) = uuid(id) else { return Err(diesel::result::Error::NotFound) };
        diesel::sql_query(format!(
            "update {s}.users set password_hash = $2, password_changed_at = now(), updated_at = now() \
             where id = $1::uuid",
            s = self.schema
        ))
        .bind::<Text, _>(id)
        .bind::<Text, _>(hash)
        .cached()
        .execute_on(conn, &self.schema)
        .await
        .map(|_| ())
    }

    async fn count_sessions(&self, conn: &mut AsyncPgConnection, id: &str) -> QueryResult<i64> {
        let Some(id) = uuid(id) else { return Ok(0) };
        let count: Count = diesel::sql_query(format!(
            "select count(*) as n from {s}.sessions \
             where user_id = $1::uuid and revoked_at is null and expires_at > now()",
            s = self.schema
        ))
        .bind::<Text, _>(id)
        .cached()
        .get_result_on(conn, &self.schema)
        .await?;
        Ok(count.n)
    }

    async fn revoke_sessions(&self, conn: &mut AsyncPgConnection, id: &str) -> QueryResult<u64> {
        let Some(id) = uuid(id) else { return Ok(0) };
        diesel::sql_query(format!(
            "update {s}.sessions set revoked_at = now() \
             where user_id = $1::uuid and revoked_at is null and expires_at > now()",
            s = self.schema
        ))
        .bind::<Text, _>(id)
        .cached()
        .execute_on(conn, &self.schema)
        .await
        .map(|n| n as u64)
    }

    async fn avatar(&self, conn: &mut AsyncPgConnection, id: &str) -> QueryResult<Option<Avatar>> {
        #[derive(QueryableByName)]
        struct Row {
            #[diesel(sql_type = Nullable<Bytea>)]
            avatar_bytes: Option<Vec<u8>>,
            #[diesel(sql_type = Nullable<Text>)]
            avatar_url: Option<String>,
        }
        let Some(id) = uuid(id) else { return Ok(None) };
        let row: Option<Row> = diesel::sql_query(format!(
            "select avatar_bytes, avatar_url from {s}.users where id = $1::uuid",
            s = self.schema
        ))
        .bind::<Text, _>(id)
        .cached()
        .get_result_on(conn, &self.schema)
        .await
        .optional()?;
        Ok(row.and_then(|r| match (r.avatar_bytes, r.avatar_url) {
            (Some(bytes), _) => Some(Avatar::Image(bytes)),
            (None, Some(url)) => Some(Avatar::Url(url)),
            (None, None) => None,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::normalize_email;

    #[test]
    fn normalization_folds_case_and_compatibility_forms_only() {
        assert_eq!(normalize_email(" MIKE@Example.ORG "), "mike@example.org");
        assert_eq!(normalize_email("ｍｉｋｅ@example.org"), "mike@example.org");
        assert_ne!(normalize_email("m\u{131}ke@example.org"), "mike@example.org");
    }
}
