#!/usr/bin/env bash
# Runs the `user-account` server twice on fresh databases and attacks it with scripts/attack.py:
#
#   1. limits lifted (the per-user mail caps stay: an admin's recoveries and the user's own are
#      capped apart): 1,000 hostile requests; fails if any answer
#      is a 5xx, a mail went to an address that is not stored, memory grew, a `Server` banner
#      was sent, or a secret reached the server log;
#      then, with the crate's tables locked by another session, verify, change-password and
#      password-recovery must answer 503 with `Retry-After` within the lock bound plus a second;
#      and 30 stalled bodies must leave other calls answered at once; and self-service recovery
#      (`forgot-password`) must answer a stored address and unknown ones alike: the same 202
#      and body, the medians of 30 answer times each within 5 ms (both printed);
#   2. the DEFAULT limits, every request from one IP: the per-user mail cap, the per-admin cap
#      and the per-IP limit must answer 429 with `Retry-After` (spoofed forwarding headers
#      change nothing), a verify call over the limit must not wait on a locked token table (no
#      lookup), and still no 5xx, no stray mail, no secret in the log.
#
# The secrets searched for include the admin's bearer token; both servers log at debug level.
#
#   bash scripts/attack.sh            (needs PostgreSQL at DATABASE_URL or 127.0.0.1:5432, and psql)
set -euo pipefail
cd "$(dirname "$0")/.."

admin_url="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
port="${ATTACK_PORT:-8765}"
work="$(mktemp -d)"
dbs=()
server=""

cargo build --quiet --bin user-account
bin=target/debug/user-account

cleanup() {
  if [ -n "$server" ]; then
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
  fi
  for db in "${dbs[@]}"; do
    psql "$admin_url" -qc "drop database if exists $db with (force)" >/dev/null 2>&1 || true
  done
  if [ -n "${ATTACK_KEEP:-}" ]; then echo "attack: kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

# attack RUN LIMITS SCENARIO: a fresh database, four users and an admin token, the server on
# $port with ROCKET_USER_ACCOUNT's `rate_limits` set to LIMITS, then attack.py's SCENARIO,
# whose exit status is left in $status.
attack() {
  local run="$1" limits="$2" scenario="$3"
  local db="ua_attack_$$_$run"
  dbs+=("$db")
  mkdir -p "$work/$run/mail"
  export ROCKET_PORT="$port"
  export ROCKET_LOG_LEVEL=debug
  export ROCKET_DATABASES="{user_account={url=\"${admin_url%/*}/$db\"}}"
  export ROCKET_USER_ACCOUNT="{self_service_recovery=true,mail={transport=\"file\",file_dir=\"$work/$run/mail\"},rate_limits={$limits}}"

  "$bin" migrate 2>/dev/null
  local users=() name password
  for name in ann bob carol; do
    case "$name" in
      ann) password="amber walrus juggles teacups" ;;
      bob) password="granite otter fiddles quietly" ;;
      carol) password="saffron comet nibbles gravel" ;;
    esac
    printf '%s\n' "$password" | "$bin" user add --email "$name@example.org" --name "${name^}" --password-stdin >/dev/null
    users+=("$name@example.org")
  done
  "$bin" user add --email "mallory@example.org" --name $'<b>Mal</b>\r\nBcc: evil@attacker.example' >/dev/null
  users+=("mallory@example.org")
  local admin_token
  # `--admin-token=VALUE`, not two words: a token may start with `-`, which argparse would take
  # for an option.
  admin_token="$("$bin" token issue --email ann@example.org --scope admin)"

  # Something else answering on the port would be attacked in the server's place.
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "attack: port $port is taken by another process; set ATTACK_PORT to a free one" >&2
    exit 1
  fi
  "$bin" serve >"$work/$run/server.log" 2>&1 &
  server=$!
  for _ in $(seq 1 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    sleep 0.1
  done
  if ! kill -0 "$server" 2>/dev/null; then
    echo "attack: the server did not start; its log ends:" >&2
    tail -n 20 "$work/$run/server.log" >&2
    exit 1
  fi

  status=0
  python3 scripts/attack.py --scenario "$scenario" --url "http://127.0.0.1:$port/api/users" --pid "$server" \
    --log "$work/$run/server.log" --mail-dir "$work/$run/mail" --admin-token="$admin_token" \
    --db-url "${admin_url%/*}/$db" \
    --users "$(IFS=,; echo "${users[*]}")" || status=$?
  kill "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  server=""
}

echo "attack: run 1, limits lifted (the per-user mail cap stays)"
attack lifted "public_per_ip_minute=0,public_per_ip_hour=0,recovery_per_admin_hour=0" fuzz
first=$status
echo "attack: run 2, the default limits, everything from one IP"
attack limits "" limits
[ "$first" -eq 0 ] && [ "$status" -eq 0 ]
