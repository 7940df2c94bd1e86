#!/usr/bin/env bash
# Measures what the rate-limit upsert costs PostgreSQL (the statement of src/db/rate_limits.rs,
# with the two per-IP windows of a public call, both in one row), with pgbench, on a fresh
# migrated database:
#   baseline  `select 1`, the floor of a round trip
#   distinct  every call from a different client IP (the normal case: rows do not contend),
#             durable commit
#   hot       every call from one client IP (one row: the worst case), durable commit
#   relaxed   distinct, as the app counts a lone call: one statement setting synchronous_commit
#             off for itself
#   batch16   relaxed, 16 distinct clients per statement, as the app counts calls that arrive
#             together (tps here is statements; calls are 16 times that)
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

# upsert SUBJECTS [RELAX]: SUBJECTS is a SQL array of client IPs; with RELAX, the statement also
# turns synchronous_commit off for itself.
upsert() {
  local relax="" relaxed=""
  if [ -n "${2:-}" ]; then
    relax=", relax(off) as (select set_config('synchronous_commit', 'off', true))"
    relaxed=" cross join relax"
  fi
  cat <<SQL
with h(subject, n) as (select s, 1 from unnest($1) s),
     t(now) as (select extract(epoch from now()))$relax
insert into user_account.rate_limit_counters as c (bucket, subject, window_start, hits, inner_start, inner_hits)
select 'public_ip_hour', h.subject, to_timestamp(floor(t.now / 3600) * 3600), h.n,
       to_timestamp(floor(t.now / 60) * 60), h.n
from h cross join t$relaxed order by h.subject
on conflict (bucket, subject, window_start) do update set hits = c.hits + excluded.hits,
  inner_hits = case when c.inner_start = excluded.inner_start then c.inner_hits + excluded.inner_hits
                    else excluded.inner_hits end,
  inner_start = excluded.inner_start
returning c.subject, c.hits, c.inner_hits;
SQL
}
echo 'select 1;' >"$work/baseline.sql"
{ echo '\set ip random(1, 100000000)'; upsert "array[:ip::text]"; } >"$work/distinct.sql"
upsert "array['198.51.100.1']" >"$work/hot.sql"
{ echo '\set ip random(1, 100000000)'; upsert "array[:ip::text]" relax; } >"$work/relaxed.sql"
{ echo '\set ip random(1, 100000000)'; upsert "array(select (:ip + g)::text from generate_series(1, 16) g)" relax; } >"$work/batch16.sql"

for case in baseline distinct hot relaxed batch16; do
  out="$("$pgbench" -n -M prepared -c "$clients" -j 2 -T "$seconds" -f "$work/$case.sql" "$db_url" 2>&1)"
  tps="$(grep -oE 'tps = [0-9.]+' <<<"$out" | head -1)"
  lat="$(grep -oE 'latency average = [0-9.]+ ms' <<<"$out")"
  printf 'bench: %-8s %s, %s (%s clients, %ss)\n' "$case" "$tps" "$lat" "$clients" "$seconds"
done
echo "bench: rows after the run: $(psql "$db_url" -Atc 'select count(*) from user_account.rate_limit_counters')"
