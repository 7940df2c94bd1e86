//! `rate_limit_counters`: fixed-window counters shared by every instance.

use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Double, Integer, Text};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

/// One window to count a hit in.
#[derive(Debug, Clone, Copy)]
pub struct Window {
    /// Which limit (`public_ip_minute`, ...).
    pub bucket: &'static str,
    /// Its length in seconds.
    pub seconds: i64,
    /// Hits allowed in it; 0 disables the limit.
    pub max: u32,
}

#[derive(QueryableByName)]
struct Counted {
    #[diesel(sql_type = Text)]
    bucket: String,
    #[diesel(sql_type = Integer)]
    hits: i32,
    #[diesel(sql_type = Double)]
    seconds_left: f64,
}

/// Counts one hit for `subject` in each enabled window, in one upsert, and returns the seconds
/// until the latest exceeded window ends, or `None` when every limit holds. Each
/// (bucket, subject, window) has a row of its own, so hits for different subjects never wait
/// on each other; only hits for one subject serialize on its rows, which is the point.
///
/// # Errors
/// Database errors only.
pub async fn hit(
    conn: &mut AsyncPgConnection,
    subject: &str,
    windows: &[Window],
) -> QueryResult<Option<u64>> {
    let enabled: Vec<&Window> = windows.iter().filter(|w| w.max > 0).collect();
    if enabled.is_empty() {
        return Ok(None);
    }
    let buckets: Vec<&str> = enabled.iter().map(|w| w.bucket).collect();
    let lengths: Vec<i64> = enabled.iter().map(|w| w.seconds).collect();
    let counted: Vec<Counted> = diesel::sql_query(
        "with w(bucket, secs) as (select * from unnest($2::text[], $3::bigint[])) \
         insert into rate_limit_counters as c (bucket, subject, window_start, hits) \
         select bucket, $1, to_timestamp(floor(extract(epoch from now()) / secs) * secs), 1 from w \
         on conflict (bucket, subject, window_start) do update set hits = c.hits + 1 \
         returning c.bucket, c.hits, \
           extract(epoch from c.window_start - now())::float8 \
             + (select secs from w where w.bucket = c.bucket) as seconds_left",
    )
    .bind::<Text, _>(subject)
    .bind::<Array<Text>, _>(&buckets)
    .bind::<Array<BigInt>, _>(&lengths)
    .load(conn)
    .await?;
    let exceeded = counted
        .iter()
        .filter(|c| enabled.iter().any(|w| w.bucket == c.bucket && i64::from(c.hits) > i64::from(w.max)));
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // a window is at most a day
    Ok(exceeded.map(|c| c.seconds_left.ceil().max(1.0) as u64).max())
}

/// Deletes windows that ended more than a day ago; returns how many.
///
/// # Errors
/// Database errors only.
pub async fn purge(conn: &mut AsyncPgConnection) -> QueryResult<usize> {
    diesel::sql_query("delete from rate_limit_counters where window_start < now() - interval '2 days'")
        .execute(conn)
        .await
}
