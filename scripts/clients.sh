#!/usr/bin/env bash
# The OpenAPI document as a host's frontend team uses it. Starts the `user-account` server as it
# runs in production (the release profile: no debug routes; self-service on), then
#
#   1. lints its document with Redocly's recommended rules (tests/clients/redocly.yaml): any
#      error or warning fails. The debug document (with the avatar) is linted too; its one
#      known finding is allowed by name below;
#   2. generates a TypeScript client (openapi-typescript + openapi-fetch), type-checks
#      tests/clients/flow.ts with `tsc --strict` (and stricter), and runs it;
#   3. generates a Python client (openapi-python-client), type-checks tests/clients/flow.py and
#      the client with `mypy --strict`, and runs it.
#
# Each flow triggers a recovery with an Idempotency-Key and repeats it, reads its status and the
# user's tokens, verifies the mailed token, is refused a weak password (reading the typed
# suggestions), changes the password, and is refused the used token (reading the typed reason).
# Neither flow may cast: no `as`/`any` in flow.ts, no `cast`/`Any`/`type: ignore` in flow.py.
#
#   bash scripts/clients.sh     (needs PostgreSQL at DATABASE_URL or 127.0.0.1:5432, psql, node
#                                and npm, python3 with venv; installs the pinned tools of
#                                tests/clients into its node_modules and target/clients/venv)
set -euo pipefail
cd "$(dirname "$0")/.."

admin_url="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
port="${CLIENTS_PORT:-8767}"
debug_port=$((port + 1))
db="ua_clients_$$"
home=target/clients
venv="$home/venv"
dir=tests/clients
work="$(mktemp -d)"
servers=()

cleanup() {
  for pid in "${servers[@]}"; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  psql "$admin_url" -qc "drop database if exists $db with (force)" >/dev/null 2>&1 || true
  if [ -n "${CLIENTS_KEEP:-}" ]; then echo "clients: kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

# The pinned tools: npm's lockfile, and a virtualenv of requirements.txt (again only when the
# pins changed).
[ "$dir/node_modules/.package-lock.json" -nt "$dir/package-lock.json" ] \
  || (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
if [ ! -e "$venv/.installed" ] || [ "$dir/requirements.txt" -nt "$venv/.installed" ]; then
  echo "clients: installing $dir/requirements.txt into $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$dir/requirements.txt"
  touch "$venv/.installed"
fi

# No cast in either flow: every field is read through its generated type. (Comments and string
# literals are left out of the search; a `type: ignore` comment is not.)
python3 - "$dir/flow.ts" "$dir/flow.py" <<'PY'
import re, sys
strings = r"'(?:\\.|[^'\\])*'|\"(?:\\.|[^\"\\])*\"|`(?:\\.|[^`\\])*`"
casts = {
    # `x as T`, `<T>x`, `x!` (a non-null assertion), `any`
    "ts": (r"//[^\n]*|" + strings, r"\bas\s+[A-Za-z{(\[]|\bany\b|[\w)\]]!(?!=)"),
    "py": (r"(?m)#(?!\s*type:).*$|" + strings, r"\bcast\(|\bAny\b|type:\s*ignore"),
}
failed = False
for path in sys.argv[1:]:
    noise, cast = casts[path.rsplit(".", 1)[1]]
    code = re.sub(noise, lambda m: re.sub(r"[^\n]", " ", m.group()), open(path).read())
    for n, line in enumerate(code.splitlines(), 1):
        if re.search(cast, line):
            print(f"clients: {path}:{n} casts: {line.strip()}", file=sys.stderr)
            failed = True
sys.exit(1 if failed else 0)
PY

export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true
cargo build --quiet --bin user-account
bin=target/debug/user-account

psql "$admin_url" -qc "create database $db" >/dev/null
mkdir -p "$work/mail"
export ROCKET_DATABASES="{user_account={url=\"${admin_url%/*}/$db\"}}"
export ROCKET_USER_ACCOUNT="{self_service_recovery=true,mail={transport=\"file\",file_dir=\"$work/mail\"}}"
"$bin" migrate 2>/dev/null
"$bin" user add --email ann@example.org --name Ann >/dev/null
"$bin" user add --email bob@example.org --name Bob >/dev/null
"$bin" user add --email admin@example.org --name Admin >/dev/null
admin_token="$("$bin" token issue --email admin@example.org --scope admin)"

# serve PORT LOG [PROFILE]: the server in the background; waits for its document.
serve() {
  ROCKET_PORT="$1" ROCKET_PROFILE="${3:-release}" "$bin" serve >"$2" 2>&1 &
  servers+=($!)
  for _ in $(seq 1 100); do
    curl -fsS "http://127.0.0.1:$1/api/users/openapi.json" -o /dev/null 2>/dev/null && return 0
    sleep 0.1
  done
  echo "clients: the server on port $1 did not answer; its log:" >&2
  tail -n 40 "$2" >&2
  return 1
}
serve "$port" "$work/server.log"
serve "$debug_port" "$work/debug.log" debug
base="http://127.0.0.1:$port"
mkdir -p "$home"
curl -fsS "$base/api/users/openapi.json" -o "$home/openapi.json"
curl -fsS "http://127.0.0.1:$debug_port/api/users/openapi.json" -o "$home/openapi-debug.json"

echo "clients: Redocly lint (recommended rules)"
# lint FILE ALLOWED: the problems of FILE, failing on any whose rule and pointer are not in
# ALLOWED (lines of `rule pointer`).
lint() {
  (cd "$dir" && npx --no-install redocly lint --config redocly.yaml --format json "$OLDPWD/$1" 2>/dev/null || true) \
    >"$work/lint.json"
  python3 - "$work/lint.json" "$1" "$2" <<'PY'
import json, sys
report, name, allowed = json.load(open(sys.argv[1])), sys.argv[2], set(filter(None, sys.argv[3].split("\n")))
problems = [(p["ruleId"], p["location"][0]["pointer"], p["severity"], p["message"]) for p in report["problems"]]
left = [p for p in problems if f"{p[0]} {p[1]}" not in allowed]
for rule, pointer, severity, message in problems:
    print(f"  {severity} {rule} at {pointer}: {message}" + ("" if (rule, pointer, severity, message) in left else " (allowed)"))
print(f"clients: {name}: {report['totals']['errors']} errors, {report['totals']['warnings']} warnings, {len(left)} not allowed")
sys.exit(1 if left else 0)
PY
}
lint "$home/openapi.json" ""
# The avatar's path is the product's (`GET <mount>/<id>/avatar`, debug mode only), and so is
# the status route's (`GET <mount>/password-recovery/<recovery_id>`): their templates overlap
# at `password-recovery/avatar`, which Rocket routes to the avatar (a user with that id).
lint "$home/openapi-debug.json" "no-ambiguous-paths #/paths/~1api~1users~1{id}~1avatar"

echo "clients: TypeScript (openapi-typescript, openapi-fetch, tsc --strict)"
rm -rf "$dir/generated" "$dir/out"
(cd "$dir" && npx --no-install openapi-typescript "$OLDPWD/$home/openapi.json" -o generated/api.d.ts >/dev/null)
(cd "$dir" && npx --no-install tsc -p tsconfig.json)
BASE_URL="$base" ADMIN_TOKEN="$admin_token" MAIL_DIR="$work/mail" USER_EMAIL=ann@example.org \
  node "$dir/out/flow.js"

echo "clients: Python (openapi-python-client, mypy --strict)"
"$venv/bin/openapi-python-client" generate --path "$home/openapi.json" --config "$dir/openapi-python-client.yaml" \
  --output-path "$dir/generated/user_account_client" --meta none >"$work/generate.log" 2>&1 || {
  cat "$work/generate.log" >&2
  exit 1
}
# A warning means a part of the document the generator could not type.
if grep -q "Warning" "$work/generate.log"; then
  cat "$work/generate.log" >&2
  exit 1
fi
(cd "$dir/generated" && MYPYPATH=. "$OLDPWD/$venv/bin/mypy" --strict --no-incremental user_account_client ../flow.py)
(cd "$dir/generated" && BASE_URL="$base" ADMIN_TOKEN="$admin_token" MAIL_DIR="$work/mail" USER_EMAIL=bob@example.org \
  PYTHONPATH=. "$OLDPWD/$venv/bin/python" ../flow.py)
echo "clients: both generated clients ran the whole flow"
