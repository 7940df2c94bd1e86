//! `self_service_requests`: the queue of `forgot-password` requests between the answer and the
//! worker.

use diesel::prelude::*;
use diesel::sql_types::{Nullable, Text};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::Prepare as _;
use crate::config::Schema;

/// A request as it was accepted. No `Debug`: it holds an address someone typed.
#[derive(QueryableByName)]
pub(crate) struct SelfServiceRequest {
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
}

/// Queues a request: one insert, the same for every address.
///
/// # Errors
/// Database errors only.
pub(crate) async fn insert(
    conn: &mut AsyncPgConnection,
    s: &Schema,
    request: &SelfServiceRequest,
) -> QueryResult<()> {
    diesel::sql_query(format!(
        "insert into {s}.self_service_requests (email, language, request_id, client_ip) values ($1, $2, $3, $4)"
    ))
    .bind::<Text, _>(&request.email)
    .bind::<Nullable<Text>, _>(&request.language)
    .bind::<Nullable<Text>, _>(&request.request_id)
    .bind::<Nullable<Text>, _>(&request.client_ip)
    .cached()
    .execute(conn)
    .await
    .map(|_| ())
}

/// Takes the oldest waiting request off the queue, in the caller's transaction (so it comes
/// back if the transaction rolls back), skipping those other workers hold.
///
/// # Errors
/// Database errors only.
pub(crate) async fn take_oldest(
    conn: &mut AsyncPgConnection,
    s: &Schema,
) -> QueryResult<Option<SelfServiceRequest>> {
    diesel::sql_query(format!(
        "delete from {s}.self_service_requests where id = \
           (select id from {s}.self_service_requests order by id limit 1 for update skip locked) \
         returning email, language, request_id, client_ip"
    ))
    .cached()
    .get_result(conn)
    .await
    .optional()
}
