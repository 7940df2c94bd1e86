//! `rate_limit_counters`: fixed-window counters shared by every instance.

use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Double, Integer, Text};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::{Prepare as _, Schema};

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

/// A limit that was exceeded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Exceeded {
    /// Seconds until the latest exceeded window ends.
    pub retry_after: u64,
    /// Whether this hit is the first one over a limit in its window (the one worth auditing;
    /// a client held at 429 should not grow the audit trail with every call).
    pub first: bool,
}

/// How a count commits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Commit {
    /// With the caller's transaction, whatever that transaction's durability.
    WithCaller,
    /// On its own (the statement is its own transaction), without waiting for the WAL flush:
    /// the statement sets `synchronous_commit = off` for itself (`set_config(.., true)`), so a
    /// crash may forget the last few counts, which a limiter can afford. One round trip, where
    /// `BEGIN; SET LOCAL ..; upsert; COMMIT` took four.
    Relaxed,
}

/// Counts one hit for `subject` in each enabled window, in one upsert, and says which limit
/// was exceeded, if any. Each
/// (bucket, subject, window) has a row of its own, so hits for different subjects never wait
/// on each other; only hits for one subject serialize on its rows, which is the point.
/// Call it with [`Commit::Relaxed`] only outside a transaction.
///
/// # Errors
/// Database errors only.
pub async fn hit(
    conn: &mut AsyncPgConnection,
    s: &Schema,
    subject: &str,
    windows: &[Window],
    commit: Commit,
) -> QueryResult<Option<Exceeded>> {
    let enabled: Vec<&Window> = windows.iter().filter(|w| w.max > 0).collect();
    if enabled.is_empty() {
        return Ok(None);
    }
    let buckets: Vec<&str> = enabled.iter().map(|w| w.bucket).collect();
    let lengths: Vec<i64> = enabled.iter().map(|w| w.seconds).collect();
    // The relaxed form sets the setting in a CTE the insert reads, so it is set before the
    // commit that the statement's own transaction ends with.
    let (relax, relaxed) = match commit {
        Commit::WithCaller => ("", ""),
        Commit::Relaxed => {
            (", relax(off) as (select set_config('synchronous_commit', 'off', true))", " cross join relax")
        }
    };
    let counted: Vec<Counted> = diesel::sql_query(format!(
        "with w(bucket, secs) as (select * from unnest($2::text[], $3::bigint[])){relax} \
         insert into {s}.rate_limit_counters as c (bucket, subject, window_start, hits) \
         select bucket, $1, to_timestamp(floor(extract(epoch from now()) / secs) * secs), 1 from w{relaxed} \
         on conflict (bucket, subject, window_start) do update set hits = c.hits + 1 \
         returning c.bucket, c.hits, \
           extract(epoch from c.window_start - now())::float8 \
             + (select secs from w where w.bucket = c.bucket) as seconds_left",
    ))
    .bind::<Text, _>(subject)
    .bind::<Array<Text>, _>(&buckets)
    .bind::<Array<BigInt>, _>(&lengths)
    .cached()
    .load(conn)
    .await?;
    // How far past its limit each window is, for the windows that are past it.
    let excess: Vec<(&Counted, i64)> = counted
        .iter()
        .filter_map(|c| {
            let window = enabled.iter().find(|w| w.bucket == c.bucket)?;
            let excess = i64::from(c.hits) - i64::from(window.max);
            (excess > 0).then_some((c, excess))
        })
        .collect();
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // a window is at most a day
    let retry_after = excess.iter().map(|(c, _)| c.seconds_left.ceil().max(1.0) as u64).max();
    Ok(retry_after.map(|retry_after| Exceeded { retry_after, first: excess.iter().any(|(_, e)| *e == 1) }))
}

/// Deletes windows that ended more than a day ago; returns how many.
///
/// # Errors
/// Database errors only.
pub async fn purge(conn: &mut AsyncPgConnection, s: &Schema) -> QueryResult<usize> {
    diesel::sql_query(format!(
        "delete from {s}.rate_limit_counters where window_start < now() - interval '2 days'"
    ))
    .cached()
    .execute(conn)
    .await
}
