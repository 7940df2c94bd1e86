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
    subject: String,
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
/// was exceeded, if any. Each (bucket, subject, window) has a row of its own, so hits for
/// different subjects never wait on each other; only hits for one subject serialize on its
/// rows, which is the point. Call it with [`Commit::Relaxed`] only outside a transaction.
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
    Ok(hit_many(conn, s, &[(subject, 1)], windows, commit).await?.exceeded(subject, 0))
}

/// The counts after [`hit_many`]: each subject's hits in each enabled window.
pub struct Tally<'w> {
    windows: Vec<&'w Window>,
    counted: Vec<Counted>,
}

impl Tally<'_> {
    /// Which limit the hit for `subject` that `behind` later hits of the same statement
    /// followed was over, if any: the statement counted a subject's `n` hits at once, and the
    /// k-th of them (from 1) saw the count `total - n + k`, exactly as if each had been
    /// counted on its own in that order.
    #[must_use]
    pub fn exceeded(&self, subject: &str, behind: u32) -> Option<Exceeded> {
        let behind = i64::from(behind);
        // How far past its limit each window is, for the windows that are past it.
        let excess: Vec<(&Counted, i64)> = self
            .counted
            .iter()
            .filter(|c| c.subject == subject)
            .filter_map(|c| {
                let window = self.windows.iter().find(|w| w.bucket == c.bucket)?;
                let excess = i64::from(c.hits) - behind - i64::from(window.max);
                (excess > 0).then_some((c, excess))
            })
            .collect();
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // a window is at most a day
        let retry_after = excess.iter().map(|(c, _)| c.seconds_left.ceil().max(1.0) as u64).max();
        retry_after.map(|retry_after| Exceeded { retry_after, first: excess.iter().any(|(_, e)| *e == 1) })
    }
}

/// Counts `n` hits for each `(subject, n)` of `hits` (subjects distinct) in each enabled
/// window, in one upsert. The rows are written in (subject, bucket) order, so two statements
/// that share subjects, from this instance or another, lock them in the same order and cannot
/// deadlock. Call it with [`Commit::Relaxed`] only outside a transaction.
///
/// # Errors
/// Database errors only.
pub async fn hit_many<'w>(
    conn: &mut AsyncPgConnection,
    s: &Schema,
    hits: &[(&str, u32)],
    windows: &'w [Window],
    commit: Commit,
) -> QueryResult<Tally<'w>> {
    let enabled: Vec<&Window> = windows.iter().filter(|w| w.max > 0).collect();
    if enabled.is_empty() || hits.is_empty() {
        return Ok(Tally { windows: enabled, counted: Vec::new() });
    }
    let subjects: Vec<&str> = hits.iter().map(|(subject, _)| *subject).collect();
    let counts: Vec<i32> = hits.iter().map(|(_, n)| i32::try_from(*n).unwrap_or(i32::MAX)).collect();
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
        "with h(subject, n) as (select * from unnest($1::text[], $2::int[])), \
              w(bucket, secs) as (select * from unnest($3::text[], $4::bigint[])){relax} \
         insert into {s}.rate_limit_counters as c (bucket, subject, window_start, hits) \
         select w.bucket, h.subject, to_timestamp(floor(extract(epoch from now()) / w.secs) * w.secs), h.n \
         from h cross join w{relaxed} order by h.subject, w.bucket \
         on conflict (bucket, subject, window_start) do update set hits = c.hits + excluded.hits \
         returning c.subject, c.bucket, c.hits, \
           extract(epoch from c.window_start - now())::float8 \
             + (select secs from w where w.bucket = c.bucket) as seconds_left",
    ))
    .bind::<Array<Text>, _>(&subjects)
    .bind::<Array<Integer>, _>(&counts)
    .bind::<Array<Text>, _>(&buckets)
    .bind::<Array<BigInt>, _>(&lengths)
    .cached()
    .load(conn)
    .await?;
    Ok(Tally { windows: enabled, counted })
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
