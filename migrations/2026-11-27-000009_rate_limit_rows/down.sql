drop table rate_limit_counters;

create table rate_limit_counters (
    bucket text not null,
    subject text not null,
    window_start timestamptz not null,
    hits integer not null check (hits > 0),
    primary key (bucket, subject, window_start)
);

create index rate_limit_counters_window on rate_limit_counters (window_start);
