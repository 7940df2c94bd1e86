//! `self_service_requests`: the queue of `forgot-password` requests between the answer and the
//! worker.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Nullable, Text, Timestamptz};
use diesel_async::AsyncPgConnection;

use super::sql::Run as _;

use super::Prepare as _;
use crate::config::Schema;

/// A request as it was accepted. No `Debug`: it holds an address someone typed.
#[derive(QueryableByName)]
pub(crate) struct SelfServiceRequest {
    /// Its place in the queue.
    #[diesel(sql_type = BigInt)]
    pub id: i64,
    /// As typed (trimmed).
    #[diesel(sql_type = Text)]
    pub email: String,
    /// The language of the page it came from.
    #[diesel(sql_type = Nullable<Text>)]
    pub language: Option<String>,
    /// The accepting request's id.
    #[diesel(sql_type = Nullable<Text>)]
    pub request_id: Option<String>,
    /// The accepting request's client address.
    #[diesel(sql_type = Nullable<Text>)]
    pub client_ip: Option<String>,
    /// When it was accepted.
    #[diesel(sql_type = Timestamptz)]
    pub created_at: DateTime<Utc>,
}

/// A request to queue.
pub(crate) struct NewSelfServiceRequest<'a> {
    /// As typed (trimmed).
    pub email: &'a str,
    /// The language of the page it came from.
    pub language: Option<&'a str>,
    /// The accepting request's id.
    pub request_id: &'a str,
    /// The accepting request's client address.
    pub client_ip: Option<String>,
}

/// Failures after which a request is dropped.
pub(crate) const MAX_ATTEMPTS: i32 = 5;

/// Queues a request: one insert, the same for every address.
///
/// # Errors
/// Database errors only.
pub(crate) async fn insert(
    conn: &mut AsyncPgConnection,
    s: &Schema,
    request: &NewSelfServiceRequest<'_>,
) -> QueryResult<()> {
    diesel::sql_query(format!(
        "insert into {s}.self_service_requests (email, language, request_id, client_ip) values ($1, $2, $3, $4)"
    ))
    .bind::<Text, _>(request.email)
    .bind::<Nullable<Text>, _>(request.language)
    .bind::<Text, _>(request.request_id)
    .bind::<Nullable<Text>, _>(&request.client_ip)
    .cached()
    .execute_on(conn, s)
    .await
    .map(|_| ())
}

/// Takes the oldest due request off the queue, in the caller's transaction (so it comes back
/// if the transaction rolls back), skipping those other workers hold.
///
/// # Errors
/// Database errors only.
pub(crate) async fn take_oldest(
    conn: &mut AsyncPgConnection,
    s: &Schema,
) -> QueryResult<Option<SelfServiceRequest>> {
    diesel::sql_query(format!(
        "delete from {s}.self_service_requests where id = \
           (select id from {s}.self_service_requests where not_before <= now() \
            order by id limit 1 for update skip locked) \
         returning id, email, language, request_id, client_ip, created_at"
    ))
    .cached()
    .get_result_on(conn, s)
    .await
    .optional()
}

/// Counts a failed attempt at the request `id` and puts it back for later (30 s, 60 s, ...),
/// or drops it after [`MAX_ATTEMPTS`]; returns whether it was dropped.
///
/// # Errors
/// Database errors only.
pub(crate) async fn postpone(conn: &mut AsyncPgConnection, s: &Schema, id: i64) -> QueryResult<bool> {
    #[derive(QueryableByName)]
    struct Attempts {
        #[diesel(sql_type = Integer)]
        attempts: i32,
    }
    let row: Option<Attempts> = diesel::sql_query(format!(
        "update {s}.self_service_requests set attempts = attempts + 1, \
           not_before = now() + make_interval(secs => 30 * (attempts + 1)) \
         where id = $1 returning attempts"
    ))
    .bind::<BigInt, _>(id)
    .cached()
    .get_result_on(conn, s)
    .await
    .optional()?;
    match row {
        Some(row) if row.attempts >= MAX_ATTEMPTS => {
            diesel::sql_query(format!("delete from {s}.self_service_requests where id = $1"))
                .bind::<BigInt, _>(id)
                .cached()
                .execute_on(conn, s)
                .await?;
            Ok(true)
        }
        _ => Ok(false),
    }
}

/// Deletes requests a day old that no worker took (an instance with the route on and none
/// with a worker): an address someone typed is kept no longer than that.
///
/// # Errors
/// Database errors only.
pub(crate) async fn purge(conn: &mut AsyncPgConnection, s: &Schema) -> QueryResult<usize> {
    diesel::sql_query(format!(
        "delete from {s}.self_service_requests where created_at < now() - interval '1 day'"
    ))
    .cached()
    .execute_on(conn, s)
    .await
}
