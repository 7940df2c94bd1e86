#!/usr/bin/env bash
# Measures what the rate-limit upsert costs PostgreSQL (the statement of src/db/rate_limits.rs,
# with the two per-IP windows of a public call), with pgbench, on a fresh migrated database:
#   distinct  every call from a different client IP (the normal case: rows do not contend)
#   hot       every call from one client IP (one row per window: the worst case)
#   baseline  `select 1`, the floor of a round trip
#   async_tx  distinct, in BEGIN; SET LOCAL synchronous_commit = off; ...; COMMIT (four round trips)
#   relaxed   distinct, as the app runs it: one statement setting synchronous_commit off for itself
#   bash scripts/bench_rate_limit.sh [seconds] [clients]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-5}"
clients="${2:-4}"
admin_url="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
db="ua_bench_$$"
db_url="${admin_url%/*}/$db"
pgbench="$(command -v pgbench || ls /usr/lib/postgresql/*/bin/pgbench | tail -1)"
work="$(mktemp -d)"
trap 'psql "$admin_url" -qc "drop database if exists $db with (force)" >/dev/null 2>&1; rm -rf "$work"' EXIT

cargo build --quiet --bin user-account
ROCKET_DATABASES="{user_account={url=\"$db_url\"}}" target/debug/user-account migrate 2>/dev/null

# upsert SUBJECT [RELAX]: with RELAX, the statement also turns synchronous_commit off for itself.
upsert() {
  local relax="" relaxed=""
  if [ -n "${2:-}" ]; then
    relax=", relax(off) as (select set_config('synchronous_commit', 'off', true))"
    relaxed=" cross join relax"
  fi
  cat <<SQL
with w(bucket, secs) as (select * from unnest(array['public_ip_minute', 'public_ip_hour'], array[60, 3600]::bigint[]))$relax
insert into user_account.rate_limit_counters as c (bucket, subject, window_start, hits)
select bucket, $1, to_timestamp(floor(extract(epoch from now()) / secs) * secs), 1 from w$relaxed
on conflict (bucket, subject, window_start) do update set hits = c.hits + 1
returning c.bucket, c.hits;
SQL
}
{ echo '\set ip random(1, 100000000)'; upsert ":ip::text"; } >"$work/distinct.sql"
upsert "'198.51.100.1'" >"$work/hot.sql"
echo 'select 1;' >"$work/baseline.sql"
# What the app ran before: the upsert in a transaction that does not wait for the WAL flush.
{ echo '\set ip random(1, 100000000)'; echo 'begin;'; echo 'set local synchronous_commit = off;'; upsert ":ip::text"; echo 'commit;'; } >"$work/async_tx.sql"
# What the app runs: one statement that turns synchronous_commit off for itself.
{ echo '\set ip random(1, 100000000)'; upsert ":ip::text" relax; } >"$work/relaxed.sql"

for case in baseline distinct hot async_tx relaxed; do
  out="$("$pgbench" -n -c "$clients" -j 2 -T "$seconds" -f "$work/$case.sql" "$db_url" 2>&1)"
  tps="$(grep -oE 'tps = [0-9.]+' <<<"$out" | head -1)"
  lat="$(grep -oE 'latency average = [0-9.]+ ms' <<<"$out")"
  printf 'bench: %-8s %s, %s (%s clients, %ss)\n' "$case" "$tps" "$lat" "$clients" "$seconds"
done
echo "bench: rows after the run: $(psql "$db_url" -Atc 'select count(*) from user_account.rate_limit_counters')"
