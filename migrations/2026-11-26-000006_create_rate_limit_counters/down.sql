drop table rate_limit_counters;
