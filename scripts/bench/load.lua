-- wrk script for scripts/bench.py. The request is chosen by BENCH_MODE:
--   post     POST BENCH_PATH with an empty JSON body (the ceiling routes)
--   verify   verify-recovery-token, tokens taken in turn from BENCH_TOKENS (one per line)
--   recover  password-recovery for a random seeded user (BENCH_USERS of them), admin bearer BENCH_ADMIN
--   change   change-password, each request a fresh token from BENCH_TOKENS (split between threads)
--   forgot   forgot-password for a random address, half of them seeded users (BENCH_USERS), half unknown
-- BENCH_SPREAD=1 adds an X-Forwarded-For with a random 10.x.y.z address (the trusted proxy header).
-- done() prints one JSON line: requests, duration_us, p50_us, p99_us, errors.
local mode = os.getenv("BENCH_MODE") or "post"
local spread = os.getenv("BENCH_SPREAD") == "1"
local users = tonumber(os.getenv("BENCH_USERS") or "1")
local admin = os.getenv("BENCH_ADMIN") or ""

local threads = {}
local counter = 0
function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

local tokens = {}
local next_token = 1
local nthreads = 1

function init(args)
  nthreads = tonumber(os.getenv("BENCH_THREADS") or "1")
  math.randomseed(os.time() + (tid or 0) * 7919)
  local file = os.getenv("BENCH_TOKENS")
  if file then
    local i = 0
    for line in io.lines(file) do
      -- each thread takes its own share, so a change-password token is used once
      if mode ~= "change" or i % nthreads == (tid or 0) then table.insert(tokens, line) end
      i = i + 1
    end
  end
end

-- A random password the policy always accepts: 24 characters of consonants and digits that no
-- l33t reading turns into a vowel, so no run of it can spell a dictionary word or the user's
-- name or address (24 random lowercase letters now and then held "user" or "your", and zxcvbn
-- then scored it too guessable: a 422 the smoke run counted as an error).
local alphabet = "bcdfghjkmnpqrstvwxz2689"
local function password()
  local t = {}
  for i = 1, 24 do
    local k = math.random(1, #alphabet)
    t[i] = string.sub(alphabet, k, k)
  end
  return table.concat(t)
end

function request()
  local headers = { ["Content-Type"] = "application/json" }
  if spread then
    headers["X-Forwarded-For"] = string.format("10.%d.%d.%d", math.random(0, 255), math.random(0, 255), math.random(1, 254))
  end
  local body = "{}"
  if mode == "verify" then
    body = '{"token":"' .. tokens[next_token] .. '"}'
    next_token = next_token % #tokens + 1
  elseif mode == "recover" then
    headers["Authorization"] = "Bearer " .. admin
    body = string.format('{"email":"u%d@example.org"}', math.random(1, users))
  elseif mode == "forgot" then
    body = string.format('{"email":"u%d@example.org"}', math.random(1, 2 * users))
  elseif mode == "change" then
    local token = tokens[next_token] or "exhausted-exhausted-exhausted-exhausted-xyz"
    next_token = next_token + 1
    body = '{"token":"' .. token .. '","new_password":"' .. password() .. '"}'
  end
  return wrk.format("POST", nil, headers, body)
end

-- For change-password only (a response callback costs wrk some throughput): remember the last
-- refused answer of each thread, so that done() can say why a request failed.
if mode == "change" then
  last_bad = ""
  function response(status, headers, body)
    if status >= 400 then last_bad = status .. " " .. string.sub(body or "", 1, 300) end
  end
end

function done(summary, latency, requests)
  for _, thread in ipairs(threads) do
    local bad = thread:get("last_bad")
    if bad and bad ~= "" then io.stderr:write("wrk: last refused answer: " .. bad .. "\n") end
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,"errors":%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.status + e.timeout))
end
