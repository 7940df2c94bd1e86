//! `mail_outbox`: the durable mail queue.

use chrono::Duration;
use diesel::prelude::*;
use diesel::sql_types::{Double, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::schema::mail_outbox;
use crate::mail::{MailKind, RenderedMail};

/// A mail to enqueue. No `Debug`: its bodies hold a live token.
#[derive(Insertable)]
#[diesel(table_name = mail_outbox)]
pub struct NewOutboxMail {
    id: Uuid,
    kind: &'static str,
    user_id: Option<Uuid>,
    token_id: Option<Uuid>,
    recipient: String,
    subject: String,
    body_text: Option<String>,
    body_html: Option<String>,
    message_id: String,
}

/// A claimed mail, as the worker sees it. No `Debug`: its bodies hold a live token.
#[derive(QueryableByName)]
#[diesel(table_name = mail_outbox, check_for_backend(diesel::pg::Pg))]
pub struct OutboxMail {
    /// Row id.
    pub id: Uuid,
    /// `recovery` or `password_changed`.
    pub kind: String,
    /// The recovery token this mail carries, if any.
    pub token_id: Option<Uuid>,
    /// The stored address of the user.
    pub recipient: String,
    /// Subject line.
    pub subject: String,
    /// Plain-text body (gone once the mail is finished).
    pub body_text: Option<String>,
    /// HTML body (gone once the mail is finished).
    pub body_html: Option<String>,
    /// Stable `Message-ID` without angle brackets.
    pub message_id: String,
    /// Attempts so far, this one included.
    pub attempts: i32,
}

/// How a mail ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Finished {
    /// The transport accepted it.
    Sent,
    /// Its token was no longer live, so it was not sent late.
    Dropped,
    /// Every attempt failed.
    Abandoned,
}

impl NewOutboxMail {
    /// A mail of `kind` for `recipient`, with a fresh id and a `Message-ID` at `domain`.
    #[must_use]
    pub fn new(
        kind: MailKind,
        user_id: Uuid,
        token_id: Option<Uuid>,
        recipient: &str,
        mail: RenderedMail,
        domain: &str,
    ) -> NewOutboxMail {
        let id = Uuid::new_v4();
        NewOutboxMail {
            id,
            kind: kind.as_str(),
            user_id: Some(user_id),
            token_id,
            recipient: recipient.to_owned(),
            subject: mail.subject,
            body_text: Some(mail.text),
            body_html: Some(mail.html),
            message_id: format!("{}@{domain}", id.simple()),
        }
    }

    /// Inserts the mail (inside the caller's transaction) and returns its id.
    ///
    /// # Errors
    /// Database errors only.
    pub async fn insert(&self, conn: &mut AsyncPgConnection) -> QueryResult<Uuid> {
        diesel::insert_into(mail_outbox::table).values(self).returning(mail_outbox::id).get_result(conn).await
    }
}

impl OutboxMail {
    /// Claims the next due queued mail for `lease`: counts the attempt and pushes its next
    /// attempt past the lease, in one statement that skips rows other workers hold, so two
    /// workers never claim one mail. A worker that dies mid-send leaves the mail to be claimed
    /// again when the lease runs out.
    ///
    /// # Errors
    /// Database errors only.
    pub async fn claim_next(
        conn: &mut AsyncPgConnection,
        lease: Duration,
    ) -> QueryResult<Option<OutboxMail>> {
        diesel::sql_query(
            "update mail_outbox set attempts = attempts + 1, updated_at = now(), \
                 next_attempt_at = now() + make_interval(secs => $1) \
             where id = (select id from mail_outbox where status = 'queued' and next_attempt_at <= now() \
                         order by next_attempt_at, created_at limit 1 for update skip locked) \
             returning id, kind, token_id, recipient, subject, body_text, body_html, message_id, attempts",
        )
        .bind::<Double, _>(seconds(lease))
        .get_result(conn)
        .await
        .optional()
    }

    /// Ends the mail, wiping its bodies so no live token rests in the database. Only while this
    /// worker still holds the claim (`attempts` is what it claimed): returns false when the
    /// lease ran out and another worker took the mail over, which then decides its fate.
    ///
    /// # Errors
    /// Database errors only.
    pub async fn finish(
        conn: &mut AsyncPgConnection,
        claimed: &OutboxMail,
        how: Finished,
        error: Option<&str>,
    ) -> QueryResult<bool> {
        let status = match how {
            Finished::Sent => "sent",
            Finished::Dropped => "dropped",
            Finished::Abandoned => "abandoned",
        };
        let held = mail_outbox::table
            .find(claimed.id)
            .filter(mail_outbox::status.eq("queued"))
            .filter(mail_outbox::attempts.eq(claimed.attempts));
        diesel::update(held)
            .set((
                mail_outbox::status.eq(status),
                mail_outbox::body_text.eq(None::<String>),
                mail_outbox::body_html.eq(None::<String>),
                mail_outbox::last_error.eq(error),
                mail_outbox::updated_at.eq(diesel::dsl::now),
                mail_outbox::sent_at.eq(if how == Finished::Sent { Some(chrono::Utc::now()) } else { None }),
            ))
            .execute(conn)
            .await
            .map(|n| n == 1)
    }

    /// Schedules another attempt after `backoff`, if this worker still holds the claim;
    /// returns whether it did.
    ///
    /// # Errors
    /// Database errors only.
    pub async fn retry_later(
        conn: &mut AsyncPgConnection,
        claimed: &OutboxMail,
        backoff: Duration,
        error: &str,
    ) -> QueryResult<bool> {
        diesel::sql_query(
            "update mail_outbox set next_attempt_at = now() + make_interval(secs => $3), last_error = $4, \
             updated_at = now() where id = $1 and status = 'queued' and attempts = $2",
        )
        .bind::<SqlUuid, _>(claimed.id)
        .bind::<diesel::sql_types::Integer, _>(claimed.attempts)
        .bind::<Double, _>(seconds(backoff))
        .bind::<diesel::sql_types::Text, _>(error)
        .execute(conn)
        .await
        .map(|n| n == 1)
    }
}

#[allow(clippy::cast_precision_loss)] // leases and backoffs are far below 2^52 ms
fn seconds(d: Duration) -> f64 {
    d.num_milliseconds() as f64 / 1000.0
}
