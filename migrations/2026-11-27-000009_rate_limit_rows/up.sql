-- One row per limit and subject, instead of one per window: a limit's shorter window (the
-- minute of the per-IP limit, the hour of the per-user one) rides in the row of its longer
-- window, so a counted call writes one row and one index entry where it wrote two of each.
-- A fixed window nests in the longer one (an hour is a whole number of minutes, a day of
-- hours), so the shorter count restarts whenever its window moves on within the row.
-- Counts are transient: the windows in progress when this runs start again from zero.
drop table rate_limit_counters;

create table rate_limit_counters (
    -- The limit's longest window (`public_ip_hour`, `recovery_user_day`, ...).
    bucket text not null,
    subject text not null,
    window_start timestamptz not null,
    hits integer not null check (hits > 0),
    -- The limit's shorter window, if it has one on: where it starts and its hits.
    inner_start timestamptz,
    inner_hits integer check (inner_hits > 0),
    check ((inner_start is null) = (inner_hits is null)),
    primary key (bucket, subject, window_start)
);

-- The purge's range scan. Rows arrive in time order, so a BRIN index serves it for almost
-- nothing per insert, where a B-tree cost a second index entry per counted call.
create index rate_limit_counters_window on rate_limit_counters using brin (window_start);
