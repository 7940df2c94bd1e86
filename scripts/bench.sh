#!/usr/bin/env bash
# The load benchmark (issue 10): every endpoint against its own ceiling, measured in the same
# run on the same server binary and pool.
#
#   bash scripts/bench.sh            release build, 10,000 users, 10 s per phase; writes BENCHMARKS.md
#   bash scripts/bench.sh --smoke    debug build, 500 users, 2 s per phase; writes nothing, fails on
#                                    any error (what CI runs; no figure is checked)
#
# It builds `user-account` with `--features bench` (bench-only ceiling routes under
# /api/users/_bench, off in every other build), creates a private database on the local
# PostgreSQL (DATABASE_URL, else postgres://postgres@127.0.0.1:5432/postgres), seeds the users,
# runs an SMTP sink and drives each phase with wrk (installed from Debian when missing) at
# concurrency 1, 8 and 32. The phases are described in scripts/bench/bench.py.
# Extra arguments go to bench.py (--seconds N, --users N, --mails N; --only P,Q runs those phases
# alone, each with its ceiling, and writes nothing: verify, recover, selfservice, change, flood, mail,
# limits;
# e.g. `bash scripts/bench.sh --only limits` or `bash scripts/bench.sh --smoke --only mail`).
set -euo pipefail
cd "$(dirname "$0")/.."

admin_url="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
smoke=""
if [ "${1:-}" = "--smoke" ]; then smoke=1; shift; fi

if ! command -v wrk >/dev/null 2>&1; then
  echo "bench: installing wrk from Debian packages"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wrk >/dev/null
fi

if [ -n "$smoke" ]; then
  cargo build --quiet --features bench --bin user-account
  exec python3 scripts/bench/bench.py --bin target/debug/user-account --admin-url "$admin_url" --smoke "$@"
fi
cargo build --quiet --release --features bench --bin user-account
exec python3 scripts/bench/bench.py --bin target/release/user-account --admin-url "$admin_url" \
  --out BENCHMARKS.md --command "bash scripts/bench.sh${*:+ $*}" "$@"
