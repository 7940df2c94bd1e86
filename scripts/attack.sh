#!/usr/bin/env bash
# Runs the `user-account` server on a fresh database and attacks it with scripts/attack.py:
# 1,000 hostile requests; fails if any answer is a 5xx, a mail went to an address that is not
# stored, memory grew, a `Server` banner was sent, or a secret reached the server log.
#
#   bash scripts/attack.sh            (needs PostgreSQL at DATABASE_URL or 127.0.0.1:5432, and psql)
set -euo pipefail
cd "$(dirname "$0")/.."

admin_url="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
db="ua_attack_$$"
db_url="${admin_url%/*}/$db"
port="${ATTACK_PORT:-8765}"
work="$(mktemp -d)"
mkdir -p "$work/mail"

cargo build --quiet --bin user-account
bin=target/debug/user-account

# Limits that would stop the fuzzing at the door are lifted here (they have tests of their
# own); the per-user mail cap stays. Logging is at debug level so the secret check sees all.
export ROCKET_PORT="$port"
export ROCKET_LOG_LEVEL=debug
export ROCKET_DATABASES="{user_account={url=\"$db_url\"}}"
export ROCKET_USER_ACCOUNT="{mail={transport=\"file\",file_dir=\"$work/mail\"},rate_limits={public_per_ip_minute=0,public_per_ip_hour=0,recovery_per_admin_hour=0}}"

"$bin" migrate 2>/dev/null
users=()
for name in ann bob carol; do
  "$bin" user add --email "$name@example.org" --name "${name^}" --password "the old $name password is long" >/dev/null
  users+=("$name@example.org")
done
"$bin" user add --email "mallory@example.org" --name $'<b>Mal</b>\r\nBcc: evil@attacker.example' >/dev/null
users+=("mallory@example.org")
admin_token="$("$bin" token issue --email ann@example.org --scope admin)"

"$bin" serve >"$work/server.log" 2>&1 &
server=$!
cleanup() {
  kill "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  psql "$admin_url" -qc "drop database if exists $db with (force)" >/dev/null 2>&1 || true
  [ -n "${ATTACK_KEEP:-}" ] && echo "attack: kept $work" || rm -rf "$work"
}
trap cleanup EXIT
for _ in $(seq 1 100); do
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
  sleep 0.1
done

python3 scripts/attack.py --url "http://127.0.0.1:$port/api/users" --pid "$server" \
  --log "$work/server.log" --mail-dir "$work/mail" --admin-token "$admin_token" \
  --users "$(IFS=,; echo "${users[*]}")"
