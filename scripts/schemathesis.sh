#!/usr/bin/env bash
# Checks the running `user-account` server against its own OpenAPI document with schemathesis:
# property-based requests to every operation of `/api/users/openapi.json` (from the document's
# examples, its boundary values and random data, valid and invalid), and every answer must
#
#   - not be a 5xx                                     (not_a_server_error)
#   - have a status the document lists for the operation (status_code_conformance)
#   - have a content type the document lists for that status (content_type_conformance)
#   - carry the headers the document lists for that status (response_headers_conformance)
#   - fit the documented schema                          (response_schema_conformance)
#
# and the admin route must refuse requests without valid credentials (ignored_auth).
#
# The server runs on a fresh database with an admin token for the secured route, mail to a
# temporary folder, the per-IP and per-admin limits lifted so that the fuzzer is not throttled
# into seeing only 429s, and the per-user mail cap kept: the seeded users' emails and ids are
# offered to the fuzzer beside random ones, so it reaches queued recoveries, the cap's 429 with
# `Retry-After`, the avatar's image and redirect. Any finding fails the script; schemathesis
# prints a summary. (It leaves out the operation serving the document itself, and warns that
# change-password "mostly rejected" its data: a random token is, rightly, a 400.)
#
#   bash scripts/schemathesis.sh      (needs PostgreSQL at DATABASE_URL or 127.0.0.1:5432, psql,
#                                      python3 with venv; installs schemathesis in target/schemathesis)
#
# SCHEMATHESIS_EXAMPLES (default 60) bounds the test cases per operation and phase;
# SCHEMATHESIS_SEED replays a run; extra arguments go to `schemathesis run` (`--report har`;
# relative paths are taken from target/schemathesis).
set -euo pipefail
cd "$(dirname "$0")/.."

version=4.32.5
# schemathesis runs here: its virtualenv, and the caches it and hypothesis keep in the working
# directory (failing cases are replayed first on the next run), stay out of the source tree.
home=target/schemathesis
venv="$home/venv"
admin_url="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
port="${SCHEMATHESIS_PORT:-8766}"
db="ua_schemathesis_$$"
work="$(mktemp -d)"
server=""

cleanup() {
  if [ -n "$server" ]; then
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
  fi
  psql "$admin_url" -qc "drop database if exists $db with (force)" >/dev/null 2>&1 || true
  if [ -n "${SCHEMATHESIS_KEEP:-}" ]; then echo "schemathesis: kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

# schemathesis, pinned, in a virtualenv of its own (no system packages touched).
if ! "$venv/bin/schemathesis" --version 2>/dev/null | grep -qF "version $version"; then
  echo "schemathesis: installing schemathesis $version into $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$version"
fi

cargo build --quiet --bin user-account
bin=target/debug/user-account

psql "$admin_url" -qc "create database $db" >/dev/null
mkdir -p "$work/mail"
export ROCKET_PORT="$port"
export ROCKET_DATABASES="{user_account={url=\"${admin_url%/*}/$db\"}}"
export ROCKET_USER_ACCOUNT="{self_service_recovery=true,mail={transport=\"file\",file_dir=\"$work/mail\"},rate_limits={public_per_ip_minute=0,public_per_ip_hour=0,recovery_per_admin_hour=0}}"

"$bin" migrate 2>/dev/null
# Ann has a password and a PNG avatar, Bob an avatar URL, Carol nothing; the admin a token.
ann="$(printf '%s\n' "amber walrus juggles teacups" |
  "$bin" user add --email ann@example.org --name Ann --password-stdin)"
bob="$("$bin" user add --email bob@example.org --name Bob)"
carol="$("$bin" user add --email carol@example.org --name Carol)"
"$bin" user add --email admin@example.org --name Admin >/dev/null
admin_token="$("$bin" token issue --email admin@example.org --scope admin)"
python3 -c 'import base64,sys; sys.stdout.buffer.write(base64.b64decode(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgAAIAAAUAAeImBZsAAAAASUVORK5CYII="))' \
  >"$work/ann.png"
"$bin" avatar set --email ann@example.org --file "$work/ann.png" >/dev/null
"$bin" avatar set --email bob@example.org --url https://cdn.example.org/bob.png >/dev/null

# Half of the generated ids and emails are these users', so the fuzzer reaches the images, the
# redirect, the 404 of a user without avatar, queued recoveries and the per-user cap; the other
# half stay random.
cat >"$work/schemathesis.toml" <<TOML
[dictionaries.ids]
values = ["$ann", "$bob", "$carol"]
[dictionaries.emails]
values = ["ann@example.org", "bob@example.org", "carol@example.org", "ANN@example.org"]
[parameters]
"path.id" = { dictionary = "ids", probability = 0.5 }
"body.email" = { dictionary = "emails", probability = 0.5 }
"body.user_id" = { dictionary = "ids", probability = 0.5 }
TOML

"$bin" serve >"$work/server.log" 2>&1 &
server=$!

seed=()
[ -n "${SCHEMATHESIS_SEED:-}" ] && seed=(--seed "$SCHEMATHESIS_SEED")
status=0
start=$SECONDS
mkdir -p "$home"
(cd "$home" && exec venv/bin/schemathesis --config-file "$work/schemathesis.toml" \
  run "http://127.0.0.1:$port/api/users/openapi.json" \
  --url "http://127.0.0.1:$port" \
  --wait-for-schema 60 \
  --header "Authorization: Bearer $admin_token" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance,ignored_auth \
  --max-examples "${SCHEMATHESIS_EXAMPLES:-60}" \
  --generation-database none \
  --request-timeout 15 \
  --no-color \
  "${seed[@]}" "$@") || status=$?
echo "schemathesis: $((SECONDS - start)) s, exit status $status"
if [ "$status" -ne 0 ]; then
  echo "schemathesis: the last lines of the server log:"
  tail -n 40 "$work/server.log"
fi
exit "$status"
