#!/usr/bin/env bash
# The reset page in headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core;
# no browser is downloaded): builds and starts the real `user-account` server on a fresh
# database with the file mail transport, creates the users and an admin token with its CLI,
# and runs tests/browser/*.test.mjs with `node --test`. The tests take the link from the mail
# the server wrote, go through the page, and check the stored argon2id hash with argon2-cffi
# (the reference C implementation, independent of the server's RustCrypto one).
#
# The default rate limits stay on. The server trusts `X-Forwarded-For` here so that every
# browser context can speak from an address of its own (198.51.100.0/24): each scenario stays
# under the per-IP limits, and the one about limits exceeds them for real.
#
# Screenshots of every state land in target/browser/.
#
#   bash scripts/browser.sh [NAME...]   (NAME: run only tests/browser/NAME.test.mjs; needs
#       PostgreSQL at DATABASE_URL or 127.0.0.1:5432, psql, node >= 20, python3, /usr/bin/chromium)
set -euo pipefail
shopt -s inherit_errexit
cd "$(dirname "$0")/.."

admin_url="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
chromium="${CHROMIUM:-/usr/bin/chromium}"
started=$SECONDS

for tool in node npm psql python3 cargo; do
  command -v "$tool" >/dev/null || { echo "browser: \`$tool\` is missing" >&2; exit 1; }
done
[ -x "$chromium" ] || { echo "browser: $chromium is missing (Debian: apt-get install chromium)" >&2; exit 1; }
# The pinned packages of package-lock.json, installed again only when the lockfile is newer.
[ tests/browser/node_modules/.package-lock.json -nt tests/browser/package-lock.json ] \
  || (cd tests/browser && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
if ! python3 -c 'import argon2' 2>/dev/null; then
  python3 -m pip install --quiet --disable-pip-version-check argon2-cffi 2>/dev/null \
    || python3 -m pip install --quiet --disable-pip-version-check --break-system-packages argon2-cffi
fi

cargo build --quiet --bin user-account
bin=target/debug/user-account

work="$(mktemp -d)"
db="ua_browser_$$"
server=""
cleanup() {
  local status=$?
  if [ -n "$server" ]; then
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
  fi
  if [ "$status" -ne 0 ] && [ -f "$work/server.log" ]; then
    echo "browser: the server's log ends with:" >&2
    tail -n 40 "$work/server.log" >&2
  fi
  psql "$admin_url" -qc "drop database if exists $db with (force)" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
base="http://127.0.0.1:$port"
db_url="${admin_url%/*}/$db"
psql "$admin_url" -qc "create database $db" >/dev/null
mkdir -p "$work/mail" target/browser

export ROCKET_ADDRESS=127.0.0.1
export ROCKET_PORT="$port"
export ROCKET_LOG_LEVEL=normal
export ROCKET_DATABASES="{user_account={url=\"$db_url\"}}"
export ROCKET_USER_ACCOUNT="{public_url=\"$base\",reset_page=true,self_service_recovery=true,trusted_proxy_header=\"X-Forwarded-For\",mail={transport=\"file\",file_dir=\"$work/mail\",product_name=\"Northwind Cloud\"}}"

"$bin" migrate >/dev/null 2>"$work/migrate.log" || { cat "$work/migrate.log" >&2; exit 1; }
old_password="amber walrus juggles teacups"
add_user() { # KEY EMAIL NAME [LOCALE]: prints `"KEY":{...}` for BROWSER_USERS
  local id locale=()
  [ -z "${4:-}" ] || locale=(--locale "$4")
  id="$(printf '%s\n' "$old_password" | "$bin" user add --email "$2" --name "$3" "${locale[@]}" --password-stdin 2>/dev/null)" \
    || { echo "browser: \`user add --email $2\` failed" >&2; exit 1; }
  printf '"%s":{"id":"%s","email":"%s","name":"%s"%s}' "$1" "$id" "$2" "$3" "${4:+,\"locale\":\"$4\"}"
}
users="{$(add_user flow fiona.hart@example.org 'Fiona Hart')"
users+=",$(add_user keyboard kenji.ito@example.org 'Kenji Ito')"
users+=",$(add_user phone priya.nair@example.org 'Priya Nair')"
users+=",$(add_user weak walter.reed@example.org 'Walter Reed')"
users+=",$(add_user expired elena.ruiz@example.org 'Elena Ruiz')"
users+=",$(add_user used umar.sheikh@example.org 'Umar Sheikh')"
users+=",$(add_user superseded sofia.berg@example.org 'Sofia Berg')"
users+=",$(add_user stopped tomas.novak@example.org 'Tomas Novak')"
users+=",$(add_user limited lena.meyer@example.org 'Lena Meyer')"
users+=",$(add_user german lukas.brandt@example.org 'Lukas Brandt' de)"
users+=",$(add_user again nina.olsen@example.org 'Nina Olsen')"
users+=",$(add_user arabic layla.haddad@example.org 'ليلى حداد' ar)"
users+=",$(add_user japanese yui.tanaka@example.org '田中 結衣' ja)}"
"$bin" user add --email ada@example.org --name 'Ada Admin' >/dev/null 2>&1
admin_token="$("$bin" token issue --email ada@example.org --scope admin 2>/dev/null)"
# A session each for the users whose success page counts sessions.
for email in fiona.hart@example.org kenji.ito@example.org; do
  "$bin" token issue --email "$email" >/dev/null 2>&1
done

"$bin" serve >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 1 100); do
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
  kill -0 "$server" 2>/dev/null || { echo "browser: the server did not start" >&2; exit 1; }
  sleep 0.1
done
echo "browser: server on $base ready after $((SECONDS - started)) s; running the tests"

status=0
(
  cd tests/browser
  tests=()
  for name in "$@"; do tests+=("./$name.test.mjs"); done
  [ "${#tests[@]}" -gt 0 ] || tests=(./*.test.mjs)
  BASE_URL="$base" API_URL="$base/api/users" RESET_PATH=/reset-password MAIL_DIR="$work/mail" \
    SERVER_LOG="$work/server.log" DB_URL="$db_url" DB_SCHEMA=user_account CHROMIUM="$chromium" \
    SCREENSHOT_DIR="$PWD/../../target/browser" ADMIN_TOKEN="$admin_token" BROWSER_USERS="$users" \
    OLD_PASSWORD="$old_password" \
    node --test --test-concurrency=1 "${tests[@]}"
) || status=$?
echo "browser: done in $((SECONDS - started)) s; screenshots in target/browser/"
exit "$status"
