//! `mail_outbox`: the durable mail queue.

use std::collections::HashSet;

use chrono::Duration;
use chrono::{DateTime, Utc};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::query_builder::BoxedSqlQuery;
use diesel::sql_types::{
    Array, BigInt, Bytea, Double, Integer, Jsonb, Nullable, Text, Timestamptz, Uuid as SqlUuid,
};
use diesel_async::AsyncPgConnection;

use super::sql::Run as _;
use uuid::Uuid;

use super::audit::{NewAuditEvent, COLUMNS};
use super::recovery_tokens::{ttl_seconds, Issued, NewToken, UNENDED};
use super::Prepare as _;
use crate::config::Schema;
use crate::message::{MailKind, RenderedMail};

/// A CTE named `relax` that makes the statement reading it (its own transaction) commit without
/// waiting for the WAL flush (`synchronous_commit = off` for that transaction only). For the
/// worker's batch statements: a database crash may forget their last fraction of a second,
/// which only puts mails back where they were (claimable again once their lease runs out, so
/// sent at least once, as ever), and saves a flush per batch statement.
const RELAX: &str = ", relax(off) as (select set_config('synchronous_commit', 'off', true))";

/// What a queued mail carries. No `Debug`: either holds a live token.
pub enum MailBody {
    /// Rendered when queued.
    Rendered(RenderedMail),
    /// The values it is rendered from when it is sent (`mail_outbox.context`), and its
    /// language's tag.
    Stored {
        /// The values, as `Templates::render_stored` reads them.
        context: String,
        /// The language's tag.
        language: String,
    },
}

/// The columns of `mail_outbox` a new mail fills, in the order `NewOutboxMail::bind_to` binds
/// them.
const MAIL_COLUMNS: &str =
    "id, kind, user_id, token_id, recipient, subject, body_text, body_html, message_id, language, context";

/// What one recovery writes: its token, the token's id (chosen beforehand, so that the rows can
/// be written by one statement), its mail and the event recording who asked.
pub struct NewRecovery<'a> {
    /// The token.
    pub token: NewToken<'a>,
    /// The token's id.
    pub token_id: Uuid,
    /// Its mail.
    pub mail: NewOutboxMail,
    /// The event recording who asked.
    pub event: NewAuditEvent,
}

/// A new mail's bodies (or the values it is rendered from) and language.
struct MailValues<'a> {
    subject: Option<&'a String>,
    text: Option<&'a String>,
    html: Option<&'a String>,
    context: Option<&'a String>,
    language: &'a String,
}

/// A mail to enqueue. No `Debug`: its bodies hold a live token.
pub struct NewOutboxMail {
    id: Uuid,
    kind: &'static str,
    user_id: String,
    token_id: Option<Uuid>,
    recipient: String,
    mail: MailBody,
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
    /// Subject line (empty until a mail queued as its values is rendered).
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
    /// The language it was written in, for `Content-Language` (none for older rows).
    #[diesel(sql_type = Nullable<Text>)]
    pub language: Option<String>,
    /// The values it is rendered from when it is sent, for a mail queued without bodies
    /// (gone once the mail is finished).
    #[diesel(sql_type = Nullable<Text>)]
    pub context: Option<String>,
    /// When it was claimed, by the database's clock: a recovery mail rendered now names this
    /// plus the link's lifetime, which its acceptance (later) can only extend.
    #[diesel(sql_type = Timestamptz)]
    pub claimed_at: DateTime<Utc>,
}

/// How a mail ended unsent (a sent one ends with [`OutboxMail::finish_sent`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Finished {
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
        mail: MailBody,
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

    /// Inserts the mail and records `event` (the state change that needed the mail), in one
    /// statement inside the caller's transaction; returns the mail's id.
    ///
    /// # Errors
    /// Database errors only.
    pub async fn insert(
        &self,
        conn: &mut AsyncPgConnection,
        s: &Schema,
        event: &NewAuditEvent,
    ) -> QueryResult<Uuid> {
        // Both rows in one statement: one round trip fewer in the transaction that queues a mail.
        // The mail's values are $1 to $11, the event's the six after them.
        let mail = diesel::sql_query(format!(
            "with mail as (insert into {s}.mail_outbox ({MAIL_COLUMNS}) \
               values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) returning 1) \
             insert into {s}.audit_events ({COLUMNS}) \
             select $12, $13, $14, $15, $16, $17 from mail"
        ))
        .into_boxed();
        event.bind_to(self.bind_to(mail)).cached().execute_on(conn, s).await?;
        Ok(self.id)
    }
}

impl NewOutboxMail {
    /// Issues `token` with the id `token_id` (superseding the account's unended tokens, so that
    /// the new one is the account's only live token), queues this mail for it and records `event`,
    /// all in one statement inside the caller's transaction: one round trip for the whole
    /// recovery. Returns the token's expiry (`ttl_secs` from now).
    ///
    /// # Errors
    /// Database errors only.
    pub async fn insert_with_token(
        &self,
        conn: &mut AsyncPgConnection,
        s: &Schema,
        (token, token_id): (&NewToken<'_>, Uuid),
        event: &NewAuditEvent,
    ) -> QueryResult<DateTime<Utc>> {
        let ttl = ttl_seconds(token.ttl_secs);
        let (key, request) =
            token.idempotency.map_or((None, None), |(k, r)| (Some(k.to_vec()), Some(r.to_vec())));
        // The token's values are $1 to $9, the mail's $10 to $20 (its token id, $13, is $9),
        // the event's the six after them. The insert reads the count of superseded rows, so the
        // update has run to the end before the new row meets the one-live-per-user index; the
        // mail reads the inserted token, and the event the inserted mail, so each row is written
        // only if the one before it was.
        let query = diesel::sql_query(format!(
            "with ended as (update {s}.recovery_tokens t set superseded_at = now() \
                            where t.user_id = $1 and {UNENDED} returning 1), \
             token as (insert into {s}.recovery_tokens (id, user_id, token_hash, binding, requested_by, \
                                   expires_at, requested_by_subject, idempotency_key_hash, request_hash) \
                       select $9, $1, $2, $3, $4, now() + make_interval(secs => $5), $6, $7, $8 \
                       from (select count(*) from ended) e returning id, expires_at), \
             mail as (insert into {s}.mail_outbox ({MAIL_COLUMNS}) \
                      select $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20 from token returning 1), \
             event as (insert into {s}.audit_events ({COLUMNS}) select $21, $22, $23, $24, $25, $26 from mail) \
             select id, expires_at from token"
        ))
        .bind::<Text, _>(token.user_id)
        .bind::<Bytea, _>(&token.hash.0[..])
        .bind::<Bytea, _>(token.binding)
        .bind::<Nullable<Text>, _>(token.requested_by)
        .bind::<Double, _>(ttl)
        .bind::<Text, _>(token.requested_by_subject)
        .bind::<Nullable<Bytea>, _>(key)
        .bind::<Nullable<Bytea>, _>(request)
        .bind::<SqlUuid, _>(token_id)
        .into_boxed();
        let issued: Issued = event.bind_to(self.bind_to(query)).cached().get_result_on(conn, s).await?;
        Ok(issued.expires_at)
    }

    /// Issues several recoveries at once, each one's rows as
    /// [`NewOutboxMail::insert_with_token`] writes them (its token superseding its account's
    /// unended ones, its mail, the event recording who asked), all in one statement inside the
    /// caller's transaction. The accounts must be distinct (a
    /// statement does not see its own rows: two new tokens for one account would meet in the
    /// one-live-per-user index). Returns each token's id and expiry, in no set order.
    ///
    /// # Errors
    /// Database errors only.
    pub async fn insert_many_with_tokens(
        conn: &mut AsyncPgConnection,
        s: &Schema,
        ttl_secs: u64,
        recoveries: &[NewRecovery<'_>],
    ) -> QueryResult<Vec<(Uuid, DateTime<Utc>)>> {
        // One recovery: the statement of one, whose plan fits one row.
        if let [one] = recoveries {
            let expires_at =
                one.mail.insert_with_token(conn, s, (&one.token, one.token_id), &one.event).await?;
            return Ok(vec![(one.token_id, expires_at)]);
        }
        let ttl = ttl_seconds(ttl_secs);
        let column =
            |f: &dyn Fn(&NewRecovery<'_>) -> Option<String>| recoveries.iter().map(f).collect::<Vec<_>>();
        let bytes =
            |f: &dyn Fn(&NewRecovery<'_>) -> Option<Vec<u8>>| recoveries.iter().map(f).collect::<Vec<_>>();
        let mails: Vec<MailValues<'_>> = recoveries.iter().map(|r| r.mail.values()).collect();
        // One array per column ($2 to $23), one element per recovery; the mail's kind and the
        // token's lifetime are the same for all ($1, $24).
        let query = diesel::sql_query(format!(
            "with input as (select * from unnest($2::text[], $3::bytea[], $4::bytea[], $5::text[], $6::text[], \
                                   $7::bytea[], $8::bytea[], $9::uuid[], $10::uuid[], $11::text[], $12::text[], \
                                   $13::text[], $14::text[], $15::text[], $16::text[], $17::text[], $18::text[], \
                                   $19::text[], $20::text[], $21::text[], $22::text[], $23::jsonb[]) \
                            as i(user_id, token_hash, binding, requested_by, subject, key_hash, request_hash, \
                                 token_id, mail_id, recipient, mail_subject, body_text, body_html, message_id, \
                                 language, context, event, request_id, client_ip, actor, target, details)), \
             ended as (update {s}.recovery_tokens t set superseded_at = now() \
                       where t.user_id = any($2) and {UNENDED} returning 1), \
             token as (insert into {s}.recovery_tokens (id, user_id, token_hash, binding, requested_by, \
                                   expires_at, requested_by_subject, idempotency_key_hash, request_hash) \
                       select i.token_id, i.user_id, i.token_hash, i.binding, i.requested_by, \
                              now() + make_interval(secs => $24), i.subject, i.key_hash, i.request_hash \
                       from input i, (select count(*) from ended) e returning id, expires_at), \
             mail as (insert into {s}.mail_outbox ({MAIL_COLUMNS}) \
                      select i.mail_id, $1, i.user_id, i.token_id, i.recipient, i.mail_subject, i.body_text, \
                             i.body_html, i.message_id, i.language, i.context \
                      from input i join token t on t.id = i.token_id returning token_id), \
             event as (insert into {s}.audit_events ({COLUMNS}) \
                       select i.event, i.request_id, i.client_ip, i.actor, i.target, i.details \
                       from input i join mail m on m.token_id = i.token_id) \
             select id, expires_at from token"
        ))
        .bind::<Text, _>(MailKind::Recovery.as_str())
        .bind::<Array<Nullable<Text>>, _>(column(&|r| Some(r.token.user_id.to_owned())))
        .bind::<Array<Nullable<Bytea>>, _>(bytes(&|r| Some(r.token.hash.0.to_vec())))
        .bind::<Array<Nullable<Bytea>>, _>(bytes(&|r| Some(r.token.binding.to_vec())))
        .bind::<Array<Nullable<Text>>, _>(column(&|r| r.token.requested_by.map(str::to_owned)))
        .bind::<Array<Nullable<Text>>, _>(column(&|r| Some(r.token.requested_by_subject.to_owned())))
        .bind::<Array<Nullable<Bytea>>, _>(bytes(&|r| r.token.idempotency.map(|(k, _)| k.to_vec())))
        .bind::<Array<Nullable<Bytea>>, _>(bytes(&|r| r.token.idempotency.map(|(_, request)| request.to_vec())))
        .bind::<Array<SqlUuid>, _>(recoveries.iter().map(|r| r.token_id).collect::<Vec<Uuid>>())
        .bind::<Array<SqlUuid>, _>(recoveries.iter().map(|r| r.mail.id).collect::<Vec<Uuid>>())
        .bind::<Array<Nullable<Text>>, _>(column(&|r| Some(r.mail.recipient.clone())))
        .bind::<Array<Nullable<Text>>, _>(mails.iter().map(|m| m.subject.cloned()).collect::<Vec<_>>())
        .bind::<Array<Nullable<Text>>, _>(mails.iter().map(|m| m.text.cloned()).collect::<Vec<_>>())
        .bind::<Array<Nullable<Text>>, _>(mails.iter().map(|m| m.html.cloned()).collect::<Vec<_>>())
        .bind::<Array<Nullable<Text>>, _>(column(&|r| Some(r.mail.message_id.clone())))
        .bind::<Array<Nullable<Text>>, _>(mails.iter().map(|m| Some(m.language.clone())).collect::<Vec<_>>())
        .bind::<Array<Nullable<Text>>, _>(mails.iter().map(|m| m.context.cloned()).collect::<Vec<_>>())
        .bind::<Array<Nullable<Text>>, _>(column(&|r| Some(r.event.event.to_owned())))
        .bind::<Array<Nullable<Text>>, _>(column(&|r| r.event.request_id.clone()))
        .bind::<Array<Nullable<Text>>, _>(column(&|r| r.event.client_ip.clone()))
        .bind::<Array<Nullable<Text>>, _>(column(&|r| r.event.actor_user_id.clone()))
        .bind::<Array<Nullable<Text>>, _>(column(&|r| r.event.target_user_id.clone()))
        .bind::<Array<Jsonb>, _>(recoveries.iter().map(|r| r.event.details.clone()).collect::<Vec<_>>())
        .bind::<Double, _>(ttl);
        let issued: Vec<Issued> = query.cached().load_on(conn, s).await?;
        Ok(issued.into_iter().map(|row| (row.id, row.expires_at)).collect())
    }

    /// The mail's bodies or kept values and its language, as [`NewOutboxMail::bind_to`] binds
    /// them.
    fn values(&self) -> MailValues<'_> {
        match &self.mail {
            MailBody::Rendered(m) => MailValues {
                subject: Some(&m.subject),
                text: Some(&m.text),
                html: Some(&m.html),
                context: None,
                language: &m.language,
            },
            MailBody::Stored { context, language } => {
                MailValues { subject: None, text: None, html: None, context: Some(context), language }
            }
        }
    }

    /// `query` with the mail's eleven values bound after its others, in the order of
    /// [`MAIL_COLUMNS`].
    fn bind_to<'a, Q>(&'a self, query: BoxedSqlQuery<'a, Pg, Q>) -> BoxedSqlQuery<'a, Pg, Q> {
        let MailValues { subject, text, html, context, language } = self.values();
        query
            .bind::<SqlUuid, _>(self.id)
            .bind::<Text, _>(self.kind)
            .bind::<Text, _>(&self.user_id)
            .bind::<Nullable<SqlUuid>, _>(self.token_id)
            .bind::<Text, _>(&self.recipient)
            .bind::<Nullable<Text>, _>(subject)
            .bind::<Nullable<Text>, _>(text)
            .bind::<Nullable<Text>, _>(html)
            .bind::<Text, _>(&self.message_id)
            .bind::<Text, _>(language)
            .bind::<Nullable<Text>, _>(context)
    }
}

impl OutboxMail {
    /// Claims up to `limit` due queued mails for `lease`, oldest due first: counts each one's
    /// attempt and pushes its next attempt past the lease, in one statement that skips rows
    /// other workers hold, so two workers never claim one mail. A worker that dies mid-send
    /// leaves its mails to be claimed again when the lease runs out. The order is the due
    /// index's alone (`mail_outbox_due`, on `next_attempt_at`), so a claim reads about `limit`
    /// rows however long the queue; mails due at the same instant (enqueued by one
    /// transaction) come in any order. Commits without waiting for the WAL flush ([`RELAX`]).
    ///
    /// # Errors
    /// Database errors only.
    pub async fn claim_due(
        conn: &mut AsyncPgConnection,
        s: &Schema,
        lease: Duration,
        limit: i64,
    ) -> QueryResult<Vec<OutboxMail>> {
        diesel::sql_query(format!(
            "with due as (select id, next_attempt_at, created_at from {s}.mail_outbox \
                          where status = 'queued' and next_attempt_at <= now() \
                          order by next_attempt_at limit $2 for update skip locked), \
             claimed as (update {s}.mail_outbox m set attempts = m.attempts + 1, updated_at = now(), \
                             next_attempt_at = now() + make_interval(secs => $1) \
                         from due where m.id = due.id \
                         returning m.id, m.kind, m.token_id, m.recipient, m.subject, m.body_text, m.body_html, \
                                   m.message_id, m.attempts, m.language, m.context, due.next_attempt_at as due_at, \
                                   due.created_at){RELAX} \
             select id, kind, token_id, recipient, coalesce(subject, '') as subject, body_text, body_html, \
                    message_id, attempts, language, context, now() as claimed_at \
             from claimed cross join relax order by due_at, created_at",
        ))
        .bind::<Double, _>(seconds(lease))
        .bind::<BigInt, _>(limit)
        .cached().load_on(conn, s)
        .await
    }

    /// Ends the mail, wiping its bodies so no live token rests in the database, with the last
    /// failure's text and class (`error`) when it ends abandoned. Only while this
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
        error: Option<(&str, &str)>,
    ) -> QueryResult<bool> {
        let status = how.as_str();
        diesel::sql_query(format!(
            "update {s}.mail_outbox set status = $3, body_text = null, body_html = null, context = null, last_error = $4, \
             last_error_class = $5, updated_at = now() \
             where id = $1 and status = 'queued' and attempts = $2"
        ))
        .bind::<SqlUuid, _>(claimed.id)
        .bind::<Integer, _>(claimed.attempts)
        .bind::<Text, _>(status)
        .bind::<Nullable<Text>, _>(error.map(|(text, _)| text))
        .bind::<Nullable<Text>, _>(error.map(|(_, class)| class))
        .cached()
        .execute_on(conn, s)
        .await
        .map(|n| n == 1)
    }

    /// Schedules another attempt after `backoff`, recording the failure's text and class, if
    /// this worker still holds the claim;
    /// returns whether it did.
    ///
    /// # Errors
    /// Database errors only.
    pub async fn retry_later(
        conn: &mut AsyncPgConnection,
        s: &Schema,
        claimed: &OutboxMail,
        backoff: Duration,
        (error, class): (&str, &str),
    ) -> QueryResult<bool> {
        diesel::sql_query(format!(
            "update {s}.mail_outbox set next_attempt_at = now() + make_interval(secs => $3), last_error = $4, \
             last_error_class = $5, updated_at = now() where id = $1 and status = 'queued' and attempts = $2",
        ))
        .bind::<SqlUuid, _>(claimed.id)
        .bind::<Integer, _>(claimed.attempts)
        .bind::<Double, _>(seconds(backoff))
        .bind::<Text, _>(error)
        .bind::<Text, _>(class)
        .cached().execute_on(conn, s)
        .await
        .map(|n| n == 1)
    }
}

impl OutboxMail {
    /// Ends each of `claimed` the same way, as [`OutboxMail::finish`] does one, in one
    /// statement; returns the ids of those this worker still held (the others' leases ran out
    /// and another worker took them over). Commits without waiting for the WAL flush
    /// ([`RELAX`]): a crash that forgets it leaves the mails to be sent again after their lease.
    ///
    /// # Errors
    /// Database errors only.
    pub async fn finish_all(
        conn: &mut AsyncPgConnection,
        s: &Schema,
        claimed: &[OutboxMail],
        how: Finished,
    ) -> QueryResult<HashSet<Uuid>> {
        if claimed.is_empty() {
            return Ok(HashSet::new());
        }
        let (ids, attempts) = claims(claimed);
        let rows: Vec<Id> = diesel::sql_query(format!(
            "with c(id, attempts) as (select * from unnest($1::uuid[], $2::int[])){RELAX} \
             update {s}.mail_outbox m set status = $3, body_text = null, body_html = null, context = null, last_error = null, \
             updated_at = now() \
             from c cross join relax \
             where m.id = c.id and m.status = 'queued' and m.attempts = c.attempts returning m.id"
        ))
        .bind::<Array<SqlUuid>, _>(&ids)
        .bind::<Array<Integer>, _>(&attempts)
        .bind::<Text, _>(how.as_str())
        .cached().load_on(conn, s)
        .await?;
        Ok(rows.into_iter().map(|r| r.id).collect())
    }

    /// Ends each of `sent` as sent, in one statement, as [`OutboxMail::finish_all`] does, and
    /// starts the lifetime of the recovery link each one carries: its token's `expires_at`
    /// moves to the moment the transport accepted the mail plus the token's lifetime (its
    /// `expires_at` less its `created_at`, or less its last `mailed_at` for a mail sent again
    /// after a lost lease), and `mailed_at` records that moment. `ago` is how many seconds
    /// before this statement each mail was accepted, so the database's clock alone decides
    /// both instants. A token that ended otherwise (used, superseded, revoked), or whose
    /// deadline passed before its mail was accepted (an attempt that began in time and ended
    /// late), is left as it is. Returns the ids of the mails this worker still held.
    ///
    /// # Errors
    /// Database errors only.
    pub async fn finish_sent(
        conn: &mut AsyncPgConnection,
        s: &Schema,
        sent: &[(OutboxMail, f64)],
    ) -> QueryResult<HashSet<Uuid>> {
        if sent.is_empty() {
            return Ok(HashSet::new());
        }
        let (ids, attempts): (Vec<Uuid>, Vec<i32>) = sent.iter().map(|(m, _)| (m.id, m.attempts)).unzip();
        let ago: Vec<f64> = sent.iter().map(|(_, ago)| ago.max(0.0)).collect();
        // The tokens by their ids too: the one plan kept for this statement then reads them
        // through the primary key whatever the tables' sizes (a join on the CTE alone was
        // planned as a scan of every token once the table grew: 6 times slower delivery).
        let tokens: Vec<Uuid> = sent.iter().filter_map(|(m, _)| m.token_id).collect();
        let rows: Vec<Id> = diesel::sql_query(format!(
            "with c(id, attempts, ago) as (select * from unnest($1::uuid[], $2::int[], $3::float8[])){RELAX}, \
             done as (update {s}.mail_outbox m set status = 'sent', body_text = null, body_html = null, context = null, \
                          last_error = null, updated_at = now(), \
                          sent_at = now() - make_interval(secs => c.ago) \
                      from c cross join relax \
                      where m.id = c.id and m.status = 'queued' and m.attempts = c.attempts \
                      returning m.id, m.token_id, m.sent_at), \
             started as (update {s}.recovery_tokens t \
                             set expires_at = done.sent_at + (t.expires_at - coalesce(t.mailed_at, t.created_at)), \
                                 mailed_at = done.sent_at \
                         from done where t.id = any($4) and t.id = done.token_id and t.used_at is null \
                               and t.superseded_at is null and t.revoked_at is null \
                               and t.expires_at >= done.sent_at) \
             select id from done"
        ))
        .bind::<Array<SqlUuid>, _>(&ids)
        .bind::<Array<Integer>, _>(&attempts)
        .bind::<Array<Double>, _>(&ago)
        .bind::<Array<SqlUuid>, _>(&tokens)
        .cached().load_on(conn, s)
        .await?;
        Ok(rows.into_iter().map(|r| r.id).collect())
    }

    /// Gives back claimed mails that were not attempted (their batch ran short of lease): the
    /// claim's attempt is uncounted and they are due again at once. Only those this worker
    /// still holds. Commits without waiting for the WAL flush ([`RELAX`]).
    ///
    /// # Errors
    /// Database errors only.
    pub async fn release(
        conn: &mut AsyncPgConnection,
        s: &Schema,
        claimed: &[OutboxMail],
    ) -> QueryResult<usize> {
        if claimed.is_empty() {
            return Ok(0);
        }
        let (ids, attempts) = claims(claimed);
        diesel::sql_query(format!(
            "with c(id, attempts) as (select * from unnest($1::uuid[], $2::int[])){RELAX} \
             update {s}.mail_outbox m set attempts = m.attempts - 1, next_attempt_at = now(), updated_at = now() \
             from c cross join relax \
             where m.id = c.id and m.status = 'queued' and m.attempts = c.attempts"
        ))
        .bind::<Array<SqlUuid>, _>(&ids)
        .bind::<Array<Integer>, _>(&attempts)
        .cached().execute_on(conn, s)
        .await
    }
}

/// What waits in the outbox: how many mails are queued (due or backing off) and how many
/// seconds the oldest of them has waited since it was enqueued (0 when none waits).
///
/// # Errors
/// Database errors only.
pub(crate) async fn backlog(conn: &mut AsyncPgConnection, s: &Schema) -> QueryResult<(i64, f64)> {
    let row: Backlog = diesel::sql_query(format!(
        "select count(*) as queued, \
                coalesce(extract(epoch from now() - min(created_at)), 0)::float8 as oldest \
         from {s}.mail_outbox where status = 'queued'"
    ))
    .cached()
    .get_result_on(conn, s)
    .await?;
    Ok((row.queued, row.oldest))
}

#[derive(QueryableByName)]
struct Backlog {
    #[diesel(sql_type = BigInt)]
    queued: i64,
    #[diesel(sql_type = Double)]
    oldest: f64,
}

/// Deletes the finished mails (sent, dropped or abandoned) last changed more than a week ago;
/// returns how many.
///
/// # Errors
/// Database errors only.
pub(crate) async fn purge(conn: &mut AsyncPgConnection, s: &Schema) -> QueryResult<usize> {
    diesel::sql_query(format!(
        "delete from {s}.mail_outbox where status <> 'queued' and updated_at < now() - interval '7 days'"
    ))
    .execute_on(conn, s)
    .await
}

impl Finished {
    fn as_str(self) -> &'static str {
        match self {
            Finished::Dropped => "dropped",
            Finished::Abandoned => "abandoned",
        }
    }
}

#[derive(QueryableByName)]
struct Id {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
}

/// The ids and claimed attempt counts of `claimed`, as two parallel arrays.
fn claims(claimed: &[OutboxMail]) -> (Vec<Uuid>, Vec<i32>) {
    claimed.iter().map(|m| (m.id, m.attempts)).unzip()
}

#[allow(clippy::cast_precision_loss)] // leases and backoffs are far below 2^52 ms
fn seconds(d: Duration) -> f64 {
    d.num_milliseconds() as f64 / 1000.0
}
