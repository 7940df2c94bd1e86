//! `rate_limit_counters`: fixed-window counters shared by every instance, one row per limit
//! and subject (both windows of a limit in it).

use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Double, Integer, Nullable, Text};
use diesel_async::AsyncPgConnection;

use super::sql::Run as _;

use super::Prepare as _;
use crate::config::Schema;

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
    /// Hits in the longer window.
    #[diesel(sql_type = Integer)]
    hits: i32,
    /// Hits in the shorter one, if the limit has two windows on.
    #[diesel(sql_type = Nullable<Integer>)]
    inner_hits: Option<i32>,
    /// Seconds left in the longer window.
    #[diesel(sql_type = Double)]
    seconds_left: f64,
    /// Seconds left in the shorter one.
    #[diesel(sql_type = Nullable<Double>)]
    inner_seconds_left: Option<f64>,
}

impl Counted {
    /// Each enabled window's hits and seconds left, the longer first.
    fn windows(&self) -> impl Iterator<Item = (i32, f64)> {
        let inner = self.inner_hits.zip(self.inner_seconds_left);
        std::iter::once((self.hits, self.seconds_left)).chain(inner)
    }
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
/// was exceeded, if any ([`hit_many`] for one call). Each subject has a row of its own, so
/// hits for different subjects never wait on each other; only hits for one subject serialize
/// on its row, which is the point. Call it with [`Commit::Relaxed`] only outside a transaction.
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
    /// The enabled windows, the longer first.
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
        let counted = self.counted.iter().find(|c| c.subject == subject)?;
        // How far past its limit each window is, for the windows that are past it.
        let excess: Vec<(f64, i64)> = self
            .windows
            .iter()
            .zip(counted.windows())
            .filter_map(|(window, (hits, seconds_left))| {
                let excess = i64::from(hits) - behind - i64::from(window.max);
                (excess > 0).then_some((seconds_left, excess))
            })
            .collect();
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // a window is at most a day
        let retry_after = excess.iter().map(|(left, _)| left.ceil().max(1.0) as u64).max();
        retry_after.map(|retry_after| Exceeded { retry_after, first: excess.iter().any(|(_, e)| *e == 1) })
    }
}

/// Counts `n` hits for each `(subject, n)` of `hits` (subjects distinct) in each enabled
/// window of one limit, in one upsert, and answers the counts. A limit has at most two
/// windows, the longer a whole number of the shorter (minute and hour, hour and day): each
/// subject has one row, keyed by the longer window (its bucket and start), and the shorter
/// window's count rides in it, restarting whenever its window moves on. The rows are written in
/// subject order, so two statements that share subjects, from this instance or another, lock
/// them in the same order and cannot deadlock. Call it with [`Commit::Relaxed`] only outside a
/// transaction.
///
/// # Errors
/// Database errors, or a query-builder error for a limit of more than two enabled windows.
pub async fn hit_many<'w>(
    conn: &mut AsyncPgConnection,
    s: &Schema,
    hits: &[(&str, u32)],
    windows: &'w [Window],
    commit: Commit,
) -> QueryResult<Tally<'w>> {
    let mut enabled: Vec<&Window> = windows.iter().filter(|w| w.max > 0).collect();
    enabled.sort_by_key(|w| std::cmp::Reverse(w.seconds));
    let (outer, inner) = match enabled[..] {
        [] => return Ok(Tally { windows: enabled, counted: Vec::new() }),
        [outer] => (outer, None),
        [outer, inner] => (outer, Some(inner)),
        _ => return Err(diesel::result::Error::QueryBuilderError("a limit has at most two windows".into())),
    };
    if hits.is_empty() {
        return Ok(Tally { windows: enabled, counted: Vec::new() });
    }
    let subjects: Vec<&str> = hits.iter().map(|(subject, _)| *subject).collect();
    let counts: Vec<i32> = hits.iter().map(|(_, n)| i32::try_from(*n).unwrap_or(i32::MAX)).collect();
    // The relaxed form sets the setting in a CTE the insert reads, so it is set before the
    // commit that the statement's own transaction ends with.
    let (relax, relaxed) = match commit {
        Commit::WithCaller => ("", ""),
        Commit::Relaxed => {
            (", relax(off) as (select set_config('synchronous_commit', 'off', true))", " cross join relax")
        }
    };
    // $4 and $5: the two windows' lengths in seconds; $5 is null when the limit has one.
    let counted: Vec<Counted> = diesel::sql_query(format!(
        "with h(subject, n) as (select * from unnest($1::text[], $2::int[])), \
              t(now) as (select extract(epoch from now())){relax} \
         insert into {s}.rate_limit_counters as c (bucket, subject, window_start, hits, inner_start, inner_hits) \
         select $3, h.subject, to_timestamp(floor(t.now / $4) * $4), h.n, \
                to_timestamp(floor(t.now / $5) * $5), case when $5 is not null then h.n end \
         from h cross join t{relaxed} order by h.subject \
         on conflict (bucket, subject, window_start) do update set hits = c.hits + excluded.hits, \
           inner_hits = case when c.inner_start = excluded.inner_start \
                             then c.inner_hits + excluded.inner_hits else excluded.inner_hits end, \
           inner_start = excluded.inner_start \
         returning c.subject, c.hits, c.inner_hits, \
           extract(epoch from c.window_start - now())::float8 + $4 as seconds_left, \
           extract(epoch from c.inner_start - now())::float8 + $5 as inner_seconds_left",
    ))
    .bind::<Array<Text>, _>(&subjects)
    .bind::<Array<Integer>, _>(&counts)
    .bind::<Text, _>(outer.bucket)
    .bind::<BigInt, _>(outer.seconds)
    .bind::<Nullable<BigInt>, _>(inner.map(|w| w.seconds))
    .cached()
    .load_on(conn, s)
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
    .execute_on(conn, s)
    .await
}
