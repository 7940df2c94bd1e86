//! `mail_outbox`: the durable mail queue.

use chrono::Duration;
use diesel::prelude::*;
use diesel::sql_types::{Double, Integer, Nullable, Text, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::Schema;
use crate::mail::{MailKind, RenderedMail};

/// A mail to enqueue. No `Debug`: its bodies hold a live token.
pub struct NewOutboxMail {
    id: Uuid,
    kind: &'static str,
    user_id: String,
    token_id: Option<Uuid>,
    recipient: String,
    mail: RenderedMail,
    message_id: String,
}

/// A claimed mail, as the worker sees it. No `Debug`: its bodies hold a live token.
#[derive(QueryableByName)]
pub struct OutboxMail {
    /// Row id.
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    /// `recovery` or `password_changed`.
    #[diesel(sql_type = Text)]
    pub kind: String,
    /// The recovery token this mail carries, if any.
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub token_id: Option<Uuid>,
    /// The stored address of the user.
    #[diesel(sql_type = Text)]
    pub recipient: String,
    /// Subject line.
    #[diesel(sql_type = Text)]
    pub subject: String,
    /// Plain-text body (gone once the mail is finished).
    #[diesel(sql_type = Nullable<Text>)]
    pub body_text: Option<String>,
    /// HTML body (gone once the mail is finished).
    #[diesel(sql_type = Nullable<Text>)]
    pub body_html: Option<String>,
    /// Stable `Message-ID` without angle brackets.
    #[diesel(sql_type = Text)]
    pub message_id: String,
    /// Attempts so far, this one included.
    #[diesel(sql_type = Integer)]
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
    /// A mail of `kind` for `recipient` (the account `user_id`'s stored address), with a
    /// fresh id and a `Message-ID` at `domain`.
    #[must_use]
    pub fn new(
        kind: MailKind,
        (user_id, token_id): (&str, Option<Uuid>),
        recipient: &str,
        mail: RenderedMail,
        domain: &str,
    ) -> NewOutboxMail {
        let id = Uuid::new_v4();
        NewOutboxMail {
            id,
            kind: kind.as_str(),
            user_id: user_id.to_owned(),
            token_id,
            recipient: recipient.to_owned(),
            mail,
            message_id: format!("{}@{domain}", id.simple()),
        }
    }

    /// Inserts the mail (inside the caller's transaction) and returns its id.
    ///
    /// # Errors
    /// Database errors only.
    pub async fn insert(&self, conn: &mut AsyncPgConnection, s: &Schema) -> QueryResult<Uuid> {
        diesel::sql_query(format!(
            "insert into {s}.mail_outbox \
             (id, kind, user_id, token_id, recipient, subject, body_text, body_html, message_id) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
        ))
        .bind::<SqlUuid, _>(self.id)
        .bind::<Text, _>(self.kind)
        .bind::<Text, _>(&self.user_id)
        .bind::<Nullable<SqlUuid>, _>(self.token_id)
        .bind::<Text, _>(&self.recipient)
        .bind::<Text, _>(&self.mail.subject)
        .bind::<Text, _>(&self.mail.text)
        .bind::<Text, _>(&self.mail.html)
        .bind::<Text, _>(&self.message_id)
        .execute(conn)
        .await?;
        Ok(self.id)
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
        s: &Schema,
        lease: Duration,
    ) -> QueryResult<Option<OutboxMail>> {
        diesel::sql_query(format!(
            "update {s}.mail_outbox set attempts = attempts + 1, updated_at = now(), \
                 next_attempt_at = now() + make_interval(secs => $1) \
             where id = (select id from {s}.mail_outbox where status = 'queued' and next_attempt_at <= now() \
                         order by next_attempt_at, created_at limit 1 for update skip locked) \
             returning id, kind, token_id, recipient, subject, body_text, body_html, message_id, attempts",
        ))
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
        s: &Schema,
        claimed: &OutboxMail,
        how: Finished,
        error: Option<&str>,
    ) -> QueryResult<bool> {
        let status = match how {
            Finished::Sent => "sent",
            Finished::Dropped => "dropped",
            Finished::Abandoned => "abandoned",
        };
        diesel::sql_query(format!(
            "update {s}.mail_outbox set status = $3, body_text = null, body_html = null, last_error = $4, \
             updated_at = now(), sent_at = case when $3 = 'sent' then now() end \
             where id = $1 and status = 'queued' and attempts = $2"
        ))
        .bind::<SqlUuid, _>(claimed.id)
        .bind::<Integer, _>(claimed.attempts)
        .bind::<Text, _>(status)
        .bind::<Nullable<Text>, _>(error)
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
        s: &Schema,
        claimed: &OutboxMail,
        backoff: Duration,
        error: &str,
    ) -> QueryResult<bool> {
        diesel::sql_query(format!(
            "update {s}.mail_outbox set next_attempt_at = now() + make_interval(secs => $3), last_error = $4, \
             updated_at = now() where id = $1 and status = 'queued' and attempts = $2",
        ))
        .bind::<SqlUuid, _>(claimed.id)
        .bind::<Integer, _>(claimed.attempts)
        .bind::<Double, _>(seconds(backoff))
        .bind::<Text, _>(error)
        .execute(conn)
        .await
        .map(|n| n == 1)
    }
}

#[allow(clippy::cast_precision_loss)] // leases and backoffs are far below 2^52 ms
fn seconds(d: Duration) -> f64 {
    d.num_milliseconds() as f64 / 1000.0
}
