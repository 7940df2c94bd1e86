-- Fixed-window rate-limit counters shared by every instance. One row per (bucket, subject,
-- window), bumped with an upsert: requests for different subjects touch different rows, so
-- counting never serializes on one hot row. Old windows are purged by the worker.
create table rate_limit_counters (
    bucket text not null,
    subject text not null,
    window_start timestamptz not null,
    hits integer not null check (hits > 0),
    primary key (bucket, subject, window_start)
);

create index rate_limit_counters_window on rate_limit_counters (window_start);
