#!/usr/bin/env python3
"""Fires 1,000 hostile requests at a running user-account server and checks that it held.

Standard library only. Checks, and prints the figures behind them:
- no response is a 5xx, every error is the JSON envelope, no `Server` banner is sent;
- every mail written (file transport) went to an address that is stored (one recipient each);
- the server's resident memory stayed flat from after a warm-up to the end;
- the server log holds no recovery token, no token digest and no canary password.
"""

import argparse
import email
import email.policy
import glob
import hashlib
import http.client
import json
import os
import random
import re
import sys
import time
import urllib.parse

CANARY = "canary-Pa55word-never-logged-7f3a9c"
# Weak on purpose (a repetition), so it travels the policy-refusal path with a valid token.
WEAK_CANARY = "canarycanarycanary"
TOKEN_RE = re.compile(r"#token=([A-Za-z0-9_-]{43})")


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS")


class Client:
    def __init__(self, url):
        parsed = urllib.parse.urlparse(url)
        self.host, self.port, self.base = parsed.hostname, parsed.port, parsed.path
        self.statuses = {}
        self.failures = []

    def send(self, method, path, body=None, headers=None, what=""):
        headers = dict(headers or {})
        if isinstance(body, (dict, list)) or body is None and method == "POST":
            body = json.dumps(body if body is not None else {})
            headers.setdefault("Content-Type", "application/json")
        if isinstance(body, str):
            body = body.encode("utf-8", "surrogatepass")
        conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        try:
            conn.putrequest(method, self.base + path, skip_accept_encoding=True)
            for k, v in headers.items():
                conn.putheader(k, v)
            if body is not None:
                conn.putheader("Content-Length", str(len(body)))
            conn.endheaders()
            if body is not None:
                conn.send(body)
            resp = conn.getresponse()
            data = resp.read()
        except (ConnectionError, http.client.HTTPException) as e:
            # The server may refuse a request outright (a huge header); it must not fall over.
            self.statuses["closed"] = self.statuses.get("closed", 0) + 1
            return None, {}, b""
        finally:
            conn.close()
        status = resp.status
        self.statuses[status] = self.statuses.get(status, 0) + 1
        hdrs = {k.lower(): v for k, v in resp.getheaders()}
        if status >= 500:
            self.failures.append(f"{what}: {status} {data[:200]!r}")
        if "server" in hdrs:
            self.failures.append(f"{what}: Server banner {hdrs['server']!r}")
        if status >= 400 and status != 304:
            try:
                err = json.loads(data)["error"]
                assert err["code"] and err["message"]
            except Exception:
                self.failures.append(f"{what}: {status} is not the JSON error envelope: {data[:120]!r}")
        return status, hdrs, data


def hostile_bodies(users, rng):
    deep = "[" * 10000 + "]" * 10000
    strings = [
        "", " ", "\u0000", "a" * 5000, "ann@example.org\r\nBcc: evil@attacker.example",
        "ANN@EXAMPLE.ORG", "ann@example.org ", "\u0430nn@example.org", "ann@exam\u0131ple.org",
        "' OR 1=1 --", "${jndi:ldap://x}", "../../etc/passwd", "<script>alert(1)</script>",
        "evil@attacker.example", "ann@example.org,evil@attacker.example", "%00", "\ud800",
    ]
    values = strings + [None, True, 0, -1, 1e308, 99999999999999999999, [], {}, ["ann@example.org",
              "evil@attacker.example"], {"$ne": None}, [[[[[]]]]]]
    bodies = []
    for v in values:
        bodies.append({"email": v})
        bodies.append({"user_id": v})
        bodies.append({"token": v})
        bodies.append({"token": v, "new_password": CANARY})
        bodies.append({"token": "A" * 43, "new_password": v})
    bodies += [
        {"email": users[0], "recipient": "evil@attacker.example"},
        {"email": users[0], "to": ["evil@attacker.example"]},
        {"email": users[0], "cc": "evil@attacker.example"},
        {"email": users[0], "token": "chosen", "password": CANARY},
        {"email": users[0], "redirect_url": "https://evil.example/"},
        {"token": "x", "new_password": CANARY, "user_id": "00000000-0000-0000-0000-000000000000"},
        {"token": "x", "new_password": CANARY, "sign_out_everywhere": "yes"},
    ]
    raw = [
        deep, '{"email":' + deep + "}", "{" * 5000, '{"token":"a","token":"b"}', "not json", "",
        '{"email": "' + "a" * 20000 + '"}', "\xff\xfe", '{"new_password":"' + CANARY + '",',
        json.dumps({"token": "t" * 43, "new_password": CANARY}) + "garbage",
    ]
    return bodies, raw


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--pid", type=int, required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--mail-dir", required=True)
    ap.add_argument("--admin-token", required=True)
    ap.add_argument("--users", required=True)
    ap.add_argument("--requests", type=int, default=1000)
    args = ap.parse_args()
    users = args.users.split(",")
    rng = random.Random(20261126)
    c = Client(args.url)
    admin = {"Authorization": "Bearer " + args.admin_token}
    good_password = "violet tugboat quarry lantern"

    # Warm-up: the real flow, argon2 included, so the baseline holds what steady state needs.
    for u in users[:3]:
        c.send("POST", "/password-recovery", {"email": u}, admin, "warm-up recovery")
    time.sleep(1.5)  # the file transport writes the mails
    tokens = mail_tokens(args.mail_dir)
    for t in tokens:
        c.send("POST", "/verify-recovery-token", {"token": t}, what="warm-up verify")
        status, _, _ = c.send("POST", "/change-password", {"token": t, "new_password": WEAK_CANARY}, what="warm-up weak")
        if status != 422:
            c.failures.append(f"the weak canary was not refused ({status})")
        c.send("POST", "/change-password", {"token": t, "new_password": good_password}, what="warm-up change")
    for _ in range(100):
        c.send("POST", "/verify-recovery-token", {"token": "x"}, what="warm-up")
    baseline = rss_kib(args.pid)

    bodies, raw = hostile_bodies(users, rng)
    paths = ["/password-recovery", "/verify-recovery-token", "/change-password"]
    ids = ["abc", "-1", "99999999999999999999", "1'%20OR%201=1--", "%00", "..%2F..%2Fetc", "x" * 3000,
           "00000000-0000-0000-0000-000000000000"]
    started = time.monotonic()
    sent = 0
    while sent < args.requests:
        kind = sent % 10
        spoof = {"X-Real-IP": f"10.{rng.randrange(256)}.0.1", "X-Forwarded-For": f"203.0.113.{rng.randrange(256)}",
                 "Host": "evil.example", "X-Forwarded-Host": "evil.example"}
        path = rng.choice(paths)
        auth = admin if path == "/password-recovery" and rng.random() < 0.7 else {}
        if kind < 6:
            c.send("POST", path, rng.choice(bodies), {**spoof, **auth}, f"fuzzed body on {path}")
        elif kind == 6:
            c.send("POST", path, rng.choice(raw), {**spoof, **auth, "Content-Type": "application/json"}, f"raw body on {path}")
        elif kind == 7:
            ct = rng.choice(["text/plain", "application/x-www-form-urlencoded", "application/xml", "application/json; charset=latin1"])
            c.send("POST", path, "email=ann%40example.org", {**auth, "Content-Type": ct}, f"content type {ct}")
        elif kind == 8:
            c.send("GET", f"/{rng.choice(ids)}/avatar", None, spoof, "hostile avatar id")
        else:
            method = rng.choice(["GET", "PUT", "DELETE", "PATCH", "TRACE"])
            c.send(method, path, None, spoof, f"{method} {path}")
        sent += 1
    elapsed = time.monotonic() - started
    final = rss_kib(args.pid)
    time.sleep(1.5)

    # Mail: every recipient is a stored address, one recipient per mail.
    stored = {u.lower() for u in users}
    mails = glob.glob(os.path.join(args.mail_dir, "*.eml"))
    for path in mails:
        with open(path, "rb") as f:
            msg = email.message_from_binary_file(f, policy=email.policy.default)
        rcpts = [a.addr_spec.lower() for h in ("To", "Cc", "Bcc") for a in (msg[h].addresses if msg[h] else ())]
        if len(rcpts) != 1 or rcpts[0] not in stored:
            c.failures.append(f"mail {os.path.basename(path)} went to {rcpts}")

    # Logs: no token, digest or canary.
    with open(args.log, encoding="utf-8", errors="replace") as f:
        log = f.read()
    secrets = {CANARY: "the canary password", WEAK_CANARY: "the weak canary password", good_password: "a new password"}
    for t in mail_tokens(args.mail_dir):
        secrets[t] = "a recovery token"
        secrets[hashlib.sha256(t.encode()).hexdigest()] = "a token digest"
    for secret, what in secrets.items():
        if secret in log:
            c.failures.append(f"the server log contains {what}")

    growth = final - baseline
    print(f"attack: {sent} hostile requests in {elapsed:.1f} s ({sent / elapsed:.0f}/s); statuses {dict(sorted(c.statuses.items(), key=str))}")
    print(f"attack: server RSS {baseline / 1024:.1f} MiB after warm-up, {final / 1024:.1f} MiB after the attack ({growth / 1024:+.1f} MiB)")
    print(f"attack: {len(mails)} mails, all to stored addresses: {not any(f.startswith('mail') for f in c.failures)}; "
          f"log checked for {len(secrets)} secrets ({len(log)} bytes)")
    if growth > 16 * 1024:
        c.failures.append(f"memory grew by {growth / 1024:.1f} MiB")
    if c.failures:
        print(f"attack: {len(c.failures)} FAILED checks:")
        for f in c.failures[:30]:
            print("  - " + f)
        return 1
    print("attack: 0 failed checks")
    return 0


def mail_tokens(mail_dir):
    tokens = []
    for path in sorted(glob.glob(os.path.join(mail_dir, "*.eml")), key=os.path.getmtime):
        with open(path, "rb") as f:
            msg = email.message_from_binary_file(f, policy=email.policy.default)
        body = msg.get_body(preferencelist=("plain",))
        if body is not None:
            tokens += TOKEN_RE.findall(body.get_content())
    return tokens


if __name__ == "__main__":
    sys.exit(main())
