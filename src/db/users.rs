//! `users`: the accounts, looked up by id or by normalized email.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use unicode_normalization::UnicodeNormalization as _;
use uuid::Uuid;

use super::schema::users;

/// The columns of a user that the crate reads (never the password hash or avatar bytes).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users, check_for_backend(diesel::pg::Pg))]
pub struct User {
    /// Primary key.
    pub id: Uuid,
    /// The stored address; mail goes only here.
    pub email: Option<String>,
    /// Name used in mails.
    pub display_name: String,
    /// A disabled user cannot be recovered or authenticate.
    pub disabled: bool,
    /// When the password last changed.
    pub password_changed_at: Option<DateTime<Utc>>,
}

/// A user to insert. No `Debug`: it holds the password hash.
#[derive(Insertable)]
#[diesel(table_name = users)]
pub struct NewUser {
    email: Option<String>,
    email_normalized: Option<String>,
    display_name: String,
    password_hash: Option<String>,
    password_changed_at: Option<DateTime<Utc>>,
}

/// A user's avatar as stored: bytes with their type, or a URL.
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = users, check_for_backend(diesel::pg::Pg))]
pub struct StoredAvatar {
    /// Image bytes.
    #[diesel(column_name = avatar_bytes)]
    pub bytes: Option<Vec<u8>>,
    /// Their sniffed MIME type.
    #[diesel(column_name = avatar_content_type)]
    pub content_type: Option<String>,
    /// A URL to redirect to instead.
    #[diesel(column_name = avatar_url)]
    pub url: Option<String>,
}

/// The form emails are compared in: NFKC, then lowercase, trimmed. Compatibility forms fold
/// together (`ＭＩＫＥ` finds `mike`) while distinct letters stay distinct (a dotless `ı`
/// does not become `i`), so a crafted look-alike never matches someone else's address.
#[must_use]
pub fn normalize_email(email: &str) -> String {
    email.trim().nfkc().collect::<String>().to_lowercase()
}

impl NewUser {
    /// A user with this email, name and (already hashed) password.
    #[must_use]
    pub fn new(email: Option<&str>, display_name: &str, password_hash: Option<String>) -> NewUser {
        NewUser {
            email: email.map(|e| e.trim().to_owned()),
            email_normalized: email.map(normalize_email),
            display_name: display_name.to_owned(),
            password_changed_at: password_hash.as_ref().map(|_| Utc::now()),
            password_hash,
        }
    }

    /// Inserts the user and returns its id.
    ///
    /// # Errors
    /// A unique violation when the normalized email is taken, or any database error.
    pub async fn insert(&self, conn: &mut AsyncPgConnection) -> QueryResult<Uuid> {
        diesel::insert_into(users::table).values(self).returning(users::id).get_result(conn).await
    }
}

impl User {
    /// The user with this id, if any.
    ///
    /// # Errors
    /// Database errors only; absence is `Ok(None)`.
    pub async fn find(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<User>> {
        users::table.find(id).select(User::as_select()).first(conn).await.optional()
    }

    /// The user whose normalized email equals the normalized form of `email`, if any.
    ///
    /// # Errors
    /// Database errors only; absence is `Ok(None)`.
    pub async fn find_by_email(conn: &mut AsyncPgConnection, email: &str) -> QueryResult<Option<User>> {
        users::table
            .filter(users::email_normalized.eq(normalize_email(email)))
            .select(User::as_select())
            .first(conn)
            .await
            .optional()
    }
}

/// How a request names a user.
#[derive(Debug, Clone)]
pub enum UserRef {
    /// By id.
    Id(Uuid),
    /// By email, compared in normalized form.
    Email(String),
}

impl User {
    /// The user named by `user`, locked `FOR UPDATE` until the caller's transaction ends, so
    /// that concurrent recovery requests for one user take turns.
    ///
    /// # Errors
    /// Database errors only; absence is `Ok(None)`.
    pub async fn lock(conn: &mut AsyncPgConnection, user: &UserRef) -> QueryResult<Option<User>> {
        let select = users::table.select(User::as_select());
        match user {
            UserRef::Id(id) => select.filter(users::id.eq(*id)).for_update().first(conn).await,
            UserRef::Email(email) => {
                let normalized = normalize_email(email);
                select.filter(users::email_normalized.eq(normalized)).for_update().first(conn).await
            }
        }
        .optional()
    }

    /// Stores a new password hash and stamps `password_changed_at`.
    ///
    /// # Errors
    /// Database errors only.
    pub async fn set_password(conn: &mut AsyncPgConnection, id: Uuid, phc: &str) -> QueryResult<()> {
        diesel::update(users::table.find(id))
            .set((
                users::password_hash.eq(Some(phc)),
                users::password_changed_at.eq(super::now_nullable()),
                users::updated_at.eq(diesel::dsl::now),
            ))
            .execute(conn)
            .await
            .map(|_| ())
    }
}

impl StoredAvatar {
    /// The avatar columns of user `id`, or `None` when there is no such user.
    ///
    /// # Errors
    /// Database errors only.
    pub async fn find(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<StoredAvatar>> {
        users::table.find(id).select(StoredAvatar::as_select()).first(conn).await.optional()
    }

    /// Stores image bytes (already sniffed as `content_type`) for user `id`, clearing any URL.
    /// Returns whether the user exists.
    ///
    /// # Errors
    /// Database errors, including the size and type checks of the table.
    pub async fn set_bytes(
        conn: &mut AsyncPgConnection,
        id: Uuid,
        bytes: &[u8],
        content_type: &str,
    ) -> QueryResult<bool> {
        diesel::update(users::table.find(id))
            .set((
                users::avatar_bytes.eq(Some(bytes)),
                users::avatar_content_type.eq(Some(content_type)),
                users::avatar_url.eq(None::<String>),
                users::updated_at.eq(diesel::dsl::now),
            ))
            .execute(conn)
            .await
            .map(|n| n == 1)
    }

    /// Stores a URL (already validated) for user `id`, clearing any bytes. Returns whether the
    /// user exists.
    ///
    /// # Errors
    /// Database errors only.
    pub async fn set_url(conn: &mut AsyncPgConnection, id: Uuid, url: &str) -> QueryResult<bool> {
        diesel::update(users::table.find(id))
            .set((
                users::avatar_bytes.eq(None::<Vec<u8>>),
                users::avatar_content_type.eq(None::<String>),
                users::avatar_url.eq(Some(url)),
                users::updated_at.eq(diesel::dsl::now),
            ))
            .execute(conn)
            .await
            .map(|n| n == 1)
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
