#!/usr/bin/env python3
"""Load benchmark driver for scripts/bench.sh: each endpoint against its ceiling, same run.

Starts the `user-account` server (built with `--features bench`) on a private database of the
local PostgreSQL, seeds users, runs an SMTP sink in this process, drives every phase with wrk
(scripts/bench/load.lua) at concurrency 1, 8 and 32 and prints the table; with --out writes it
to that file (BENCHMARKS.md) with the machine's core count, PostgreSQL version and the date.
Nothing here is a test: --smoke runs every phase for a couple of seconds and only fails when
something errs.
"""
import argparse
import datetime
import json
import os
import random
import shutil
import socket
import socketserver
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
LUA = os.path.join(HERE, "load.lua")
MOUNT = "/api/users"
NOTES = "<!-- notes: kept by scripts/bench.sh -->"
QUICKACK = getattr(socket, "TCP_QUICKACK", 12)  # Linux


# ---------------------------------------------------------------- SMTP sink
class Sink:
    """A minimal SMTP server on loopback that accepts every message, after `delay` seconds, and
    counts them (`received`, with the time of the last in `last_at`).

    It acknowledges every segment at once (TCP_QUICKACK before each read): lettre 0.11.23 writes
    a message's body and its final `.` in two writes with Nagle on, so a peer that delays its ACK
    (Linux: 40 ms) stalls every mail by that much, and the run would measure the kernel's timer
    rather than the transport and the outbox. A production MTA does delay its ACKs."""

    def __init__(self):
        self.delay = 0.0
        self.received = 0
        self.last_at = 0.0
        self.lock = threading.Lock()
        sink = self

        class Lines:
            """Line reader over the raw socket that re-arms TCP_QUICKACK before every recv."""

            def __init__(self, sock):
                self.sock = sock
                self.buf = b""

            def readline(self):
                while True:
                    i = self.buf.find(b"\n")
                    if i >= 0:
                        line, self.buf = self.buf[:i + 1], self.buf[i + 1:]
                        return line
                    try:
                        self.sock.setsockopt(socket.IPPROTO_TCP, QUICKACK, 1)
                    except OSError:
                        pass
                    chunk = self.sock.recv(65536)
                    if not chunk:
                        line, self.buf = self.buf, b""
                        return line
                    self.buf += chunk

        class Handler(socketserver.BaseRequestHandler):
            def handle(self):
                self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                self.rfile = Lines(self.request)

                def say(line):
                    self.request.sendall(line.encode() + b"\r\n")

                say("220 bench-sink ESMTP")
                while True:
                    line = self.rfile.readline()
                    if not line:
                        return
                    verb = line[:4].upper()
                    if verb in (b"EHLO", b"HELO"):
                        self.request.sendall(b"250-bench-sink\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n")
                    elif verb == b"DATA":
                        say("354 go ahead")
                        while True:
                            data = self.rfile.readline()
                            if not data or data in (b".\r\n", b".\n"):
                                break
                        if sink.delay:
                            time.sleep(sink.delay)
                        with sink.lock:
                            sink.received += 1
                            sink.last_at = time.time()
                        say("250 queued")
                    elif verb == b"QUIT":
                        say("221 bye")
                        return
                    elif verb == b"RSET" or verb == b"NOOP":
                        say("250 ok")
                    else:
                        say("250 ok")

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self.server = Server(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


# ---------------------------------------------------------------- helpers
# Transactions committed or rolled back in the bench's database so far, and the WAL position.
COUNTERS = ("select xact_commit + xact_rollback, pg_current_wal_lsn() from pg_stat_database "
            "where datname = current_database()")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def psql(url, sql):
    return subprocess.run(["psql", url, "-qAtX", "-v", "ON_ERROR_STOP=1", "-c", sql],
                          check=True, capture_output=True, text=True).stdout.strip()


class PsqlSession:
    """One long-lived psql connection, for polling: a fresh psql per poll forks a PostgreSQL
    backend each time, CPU the runs being measured would pay for."""

    def __init__(self, url):
        self.proc = subprocess.Popen(["psql", url, "-qAtX", "-v", "ON_ERROR_STOP=1"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True, bufsize=1)

    def query(self, sql):
        self.proc.stdin.write(sql.rstrip(";") + ";\n\\echo __bench_done__\n")
        self.proc.stdin.flush()
        out = []
        while True:
            line = self.proc.stdout.readline()
            if not line:
                sys.exit(f"bench: psql ended while answering {sql!r}")
            if line.strip() == "__bench_done__":
                return "\n".join(out).strip()
            out.append(line.rstrip("\n"))

    def close(self):
        self.proc.stdin.close()
        self.proc.wait(timeout=10)


TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(stat):
    """User plus system CPU seconds from a /proc/<pid>/stat line."""
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def process_cpu(pid):
    with open(f"/proc/{pid}/stat") as f:
        return cpu_seconds(f.read())


def postgres_cpu():
    """CPU seconds of every PostgreSQL process on the machine (the server's backends are pooled,
    so they live through a run; the bench's own psql backends are too short to matter)."""
    total = 0.0
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        if stat[stat.index("(") + 1:stat.rindex(")")].startswith("postgres"):
            total += cpu_seconds(stat)
    return total


def lsn(text):
    high, low = text.split("/")
    return (int(high, 16) << 32) + int(low, 16)


def rss_kib(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


class Server:
    def __init__(self, args, db_url, sink, limits, label):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        # The Prometheus exporter on, as an operator runs it (`--no-metrics` turns it off).
        self.metrics_port = free_port() if args.metrics else None
        env = dict(os.environ)
        env.update({
            "ROCKET_PROFILE": "release",
            "ROCKET_PORT": str(self.port),
            "ROCKET_ADDRESS": "127.0.0.1",
            "ROCKET_LOG_LEVEL": "critical",
            "ROCKET_DATABASES": f'{{user_account={{url="{db_url}"}}}}',
            "ROCKET_USER_ACCOUNT": (
                f'{{mail={{transport="smtp",smtp_url="smtp://127.0.0.1:{sink.port}"}},'
                f'trusted_proxy_header="X-Forwarded-For",self_service_recovery=true,rate_limits={{{limits}}}'
                + (f',metrics_address="127.0.0.1:{self.metrics_port}"' if self.metrics_port else "") + "}"
            ),
        })
        self.log = open(os.path.join(args.work, f"server-{label}.log"), "w")
        self.proc = subprocess.Popen([args.bin, "serve"], env=env, stdout=self.log, stderr=subprocess.STDOUT)
        for _ in range(300):
            if self.proc.poll() is not None:
                sys.exit(f"bench: the server exited (see {self.log.name})")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.1)
        sys.exit("bench: the server did not start")

    def post(self, path, body):
        import urllib.request
        req = urllib.request.Request(self.base + MOUNT + path, data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"}, method="POST")
        with urllib.request.urlopen(req, timeout=600) as r:
            return json.loads(r.read())

    def scrape(self):
        """The server's Prometheus text, or None without the exporter."""
        if not self.metrics_port:
            return None
        import urllib.request
        with urllib.request.urlopen(f"http://127.0.0.1:{self.metrics_port}/metrics", timeout=10) as r:
            return r.read().decode()

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


def wrk(server, seconds, conns, env):
    threads = min(2, conns)
    full = dict(os.environ)
    full.update({k: str(v) for k, v in env.items()})
    full["BENCH_THREADS"] = str(threads)
    path = MOUNT + env["BENCH_PATH"]
    proc = subprocess.run(
        ["wrk", "-t", str(threads), "-c", str(conns), "-d", f"{seconds}s", "--timeout", "30s",
         "-s", LUA, server.base + path],
        env=full, capture_output=True, text=True, check=True)
    if proc.stderr.strip():
        print(proc.stderr.strip(), file=sys.stderr)
    out = proc.stdout
    line = next(l for l in out.splitlines() if l.startswith("BENCH "))
    r = json.loads(line[6:])
    r["rps"] = r["requests"] / (r["duration_us"] / 1e6)
    r["conns"] = conns
    return r


def write_tokens(work, name, tokens):
    path = os.path.join(work, name)
    with open(path, "w") as f:
        f.write("\n".join(tokens) + "\n")
    return path


def mail_phase(srv, sink, db_url, n, rounds, smoke, failed):
    """Mail delivery against its ceiling, with the sink at no delay. First drains what earlier
    phases queued. Then, `rounds` times: sends `n` mails straight through the server's mailer,
    one after the other as the worker sends (the ceiling, `_bench/mail-direct`); queues `n`
    live mails without tokens in one transaction (`_bench/enqueue-mails`, which wakes the worker
    once they are all in) and times the worker until none is queued. The sink's count checks
    that every mail arrived. A round's two runs follow each other, so they share the machine's
    conditions; the round with the median ratio is the one reported (on 2 shared cores a single
    run of either swings by 20 %). Returns the figures for the table."""
    sink.delay = 0.0
    queued_sql = "select count(*) from user_account.mail_outbox where status = 'queued'"
    poll = PsqlSession(db_url)

    def wait_empty(limit):
        start = time.time()
        while True:
            left = int(poll.query(queued_sql))
            if left == 0 or time.time() - start >= limit:
                return left, time.time()
            time.sleep(0.2)

    # What the recovery phase left: mostly superseded, dropped unsent.
    leftover = int(poll.query(queued_sql))
    got0, t0 = sink.received, time.time()
    left, t1 = wait_empty(60 if smoke else 600)
    print(f"bench: mail delivery: {leftover} mails left queued by earlier phases, drained in {t1 - t0:.1f} s, "
          f"{sink.received - got0} of them delivered (the others were superseded and dropped)", flush=True)
    if left:
        failed.append(f"mail delivery: {left} earlier mails still queued, the measured queue is not clean")

    results = []
    for r in range(1, rounds + 1):
        # The ceiling: the same mailer, straight to the sink.
        got0 = sink.received
        direct = srv.post("/_bench/mail-direct", {"count": n})
        direct_got = sink.received - got0
        print(f"bench: mail delivery round {r}, direct transport: {direct['sent']} sent in {direct['seconds']:.2f} s "
              f"({direct['per_second']:.1f} mails/s), {direct['failed']} failed, {direct_got} received by the sink",
              flush=True)
        if direct["failed"] or direct_got != n:
            failed.append(f"mail delivery, direct: {direct['failed']} failed, {direct_got} of {n} received")

        # The worker: a clean queue of n live mails.
        left = int(poll.query(queued_sql))
        if left:
            print(f"bench: mail delivery: {left} mails queued before the run", flush=True)
        got0 = sink.received
        queued = srv.post("/_bench/enqueue-mails", {"count": n})
        t0 = time.time()
        left, t1 = wait_empty(120 if smoke else 900)
        got = sink.received - got0
        # The sink's clock of the last arrival is more exact than the 0.2 s poll.
        secs = (sink.last_at - t0) if got else (t1 - t0)
        worker = got / secs if secs > 0 else 0.0
        ratio = worker / direct["per_second"] if direct["per_second"] else 0.0
        print(f"bench: mail delivery round {r}, worker: {queued} queued, {got} received by the sink in {secs:.2f} s "
              f"({worker:.1f} mails/s; queue seen empty after {t1 - t0:.2f} s), {left} left; "
              f"{ratio:.2f} of the direct transport (target >= 0.80)", flush=True)
        if left or got != n:
            failed.append(f"mail delivery, worker: {got} of {n} received, {left} still queued")
        results.append({"n": n, "direct": direct["per_second"], "worker": worker, "ratio": ratio})
    poll.close()
    results.sort(key=lambda x: x["ratio"])
    median = dict(results[len(results) // 2])
    median["ratios"] = [x["ratio"] for x in results]
    if rounds > 1:
        print(f"bench: mail delivery: ratios {', '.join(f'{x:.2f}' for x in median['ratios'])}; "
              f"median {median['ratio']:.2f}", flush=True)
    return median


# ---------------------------------------------------------------- the run
PHASES = ["verify", "recover", "selfservice", "change", "flood", "mail", "limits"]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--bin", required=True)
    p.add_argument("--admin-url", required=True)
    p.add_argument("--smoke", action="store_true")
    p.add_argument("--seconds", type=float)
    p.add_argument("--users", type=int)
    p.add_argument("--mails", type=int, help="mails in the delivery phase (10,000; 300 with --smoke)")
    p.add_argument("--mail-rounds", type=int, help="direct/worker pairs in the delivery phase (3; 1 with --smoke)")
    p.add_argument("--only", help="run only these phases, comma-separated (" + ", ".join(PHASES) +
                   "), each with the ceiling it is held against; nothing is written")
    p.add_argument("--no-metrics", dest="metrics", action="store_false",
                   help="run the server without its Prometheus exporter (to compare)")
    p.add_argument("--keep", action="store_true", help="keep the server logs even when every phase passed")
    p.add_argument("--out")
    p.add_argument("--command", default="bash scripts/bench.sh")
    args = p.parse_args()
    seconds = int(args.seconds or (1 if args.smoke else 10))
    users = args.users or (500 if args.smoke else 10000)
    mails = args.mails or (300 if args.smoke else 10000)
    only = set(args.only.split(",")) if args.only else set(PHASES)
    if only - set(PHASES):
        p.error(f"--only: unknown phase {', '.join(sorted(only - set(PHASES)))} (phases: {', '.join(PHASES)})")
    if args.only:
        args.out = None  # a partial table must not replace BENCHMARKS.md's
    conc = [1, 8, 32]
    args.work = tempfile.mkdtemp(prefix="ua-bench-")
    db = f"ua_bench_{os.getpid()}"
    db_url = args.admin_url.rsplit("/", 1)[0] + "/" + db
    psql(args.admin_url, f"create database {db}")
    servers = []
    rows, notes = [], []
    weights = []
    failed = []
    try:
        env = dict(os.environ, ROCKET_DATABASES=f'{{user_account={{url="{db_url}"}}}}')
        subprocess.run([args.bin, "migrate"], env=env, check=True, capture_output=True)
        psql(db_url, "insert into user_account.users (email, email_normalized, display_name) "
                     f"select 'u'||i||'@example.org', 'u'||i||'@example.org', 'User '||i "
                     f"from generate_series(1, {users}) i")
        subprocess.run([args.bin, "user", "add", "--email", "admin@example.org", "--name", "Admin"],
                       env=env, check=True, capture_output=True)
        admin = subprocess.run([args.bin, "token", "issue", "--email", "admin@example.org", "--scope", "admin",
                                "--hours", "24"], env=env, check=True, capture_output=True,
                               text=True).stdout.strip()
        pg_version = psql(args.admin_url, "show server_version")
        sink = Sink()
        off = ("public_per_ip_minute=0,public_per_ip_hour=0,recovery_per_admin_hour=0,"
               "recovery_per_user_hour=0,recovery_per_user_day=0,self_service_per_hour=0")
        srv = Server(args, db_url, sink, off, "limits-off")
        servers.append(srv)
        time.sleep(1)
        base_rss = rss_kib(srv.proc.pid, "VmRSS")  # idle, before any load

        results = {}
        srv_now = [srv]

        def run(name, env, c, target="", ceiling_name=None, ceil=None):
            """One wrk run of `name` at concurrency `c`; with `ceil`, its ratio to that ceiling run.
            Also what each request cost: the server's and PostgreSQL's CPU, transactions and WAL."""
            before = (process_cpu(srv_now[0].proc.pid), postgres_cpu(), psql(db_url, COUNTERS))
            r = wrk(srv_now[0], seconds, c, env)
            after = (process_cpu(srv_now[0].proc.pid), postgres_cpu(), psql(db_url, COUNTERS))
            n = max(r["requests"], 1)
            (xacts0, wal0), (xacts1, wal1) = (x.split("|") for x in (before[2], after[2]))
            r["cost"] = {"server_ms": (after[0] - before[0]) * 1000 / n, "pg_ms": (after[1] - before[1]) * 1000 / n,
                         "xacts": (int(xacts1) - int(xacts0)) / n, "wal": (lsn(wal1) - lsn(wal0)) / n}
            print(f"bench: {name:<34} c={c:<3} {r['rps']:9.1f} req/s  p50 {r['p50_us']/1000:8.2f} ms  "
                  f"p99 {r['p99_us']/1000:8.2f} ms  errors {r['errors']}", flush=True)
            if r["errors"]:
                failed.append(f"{name} c={c}: {r['errors']} errors")
            if ceil is not None:
                r["ratio"] = r["rps"] / ceil["rps"] if ceil["rps"] else 0
            rows.append((name, r, ceiling_name, target))
            results.setdefault(name, []).append(r)
            return r

        def phase(name, ceiling_name, ceiling_path, env, target):
            """At each concurrency, the ceiling and then the phase right after it: each ratio
            compares two runs made side by side, so a drift of the shared machine over the run
            (the tables growing, autovacuum, a checkpoint) moves both. `env` may be a function
            of the concurrency and the ceiling's run."""
            for c in conc:
                ceil = run(ceiling_name, {"BENCH_MODE": "post", "BENCH_PATH": ceiling_path}, c)
                run(name, env(c, ceil) if callable(env) else env, c, target, ceiling_name, ceil)

        def ceiling(name, path):
            """The ceiling `name` at each concurrency, measured now unless this run measured it already."""
            if name not in results:
                for c in conc:
                    run(name, {"BENCH_MODE": "post", "BENCH_PATH": path}, c)
            return results[name]

        if only & {"verify", "flood", "limits"}:
            valid = srv.post("/_bench/tokens", {"count": min(users // 4, 2000), "ttl_secs": 3600})
            expired = srv.post("/_bench/tokens", {"count": min(users // 4, 2000), "ttl_secs": 1})
            time.sleep(1.5)
            invalid = ["".join(random.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
                               for _ in range(42)) + "A" for _ in range(len(valid))]
            mix = valid + expired + invalid
            random.shuffle(mix)
            mix_file = write_tokens(args.work, "verify.txt", mix)
            verify_env = {"BENCH_MODE": "verify", "BENCH_PATH": "/verify-recovery-token", "BENCH_TOKENS": mix_file}
        if "verify" in only:
            # -- verify against one indexed SELECT, limits off
            phase("verify, limits off", "ceiling: one indexed SELECT", "/_bench/select", verify_env, ">= 0.80")

        if "recover" in only:
            # -- password-recovery against one INSERT in a transaction, SMTP sink delaying 500 ms
            sink.delay = 0.5
            phase("password-recovery, sink 500 ms", "ceiling: one INSERT in a transaction", "/_bench/insert",
                  {"BENCH_MODE": "recover", "BENCH_PATH": "/password-recovery", "BENCH_USERS": users,
                   "BENCH_ADMIN": admin}, ">= 0.50, p99 < 50 ms")
            # The sink stays slow until the mail phase, so the outbox keeps what was queued.

        if "selfservice" in only:
            # -- forgot-password's answer (the same work for every address: one INSERT) against one
            #    INSERT in a transaction, half the addresses stored and half unknown, while the
            #    server's own worker drains the queue (looks up, issues, queues the mails)
            phase("forgot-password (self-service), worker draining", "ceiling: one INSERT in a transaction",
                  "/_bench/insert", {"BENCH_MODE": "forgot", "BENCH_PATH": "/forgot-password", "BENCH_USERS": users},
                  ">= 0.80")
            # The worker must have drained the queue before the next phase: a request it handles
            # later would issue a token that supersedes one the next phase is using.
            count = "select count(*) from user_account.self_service_requests"
            queued = left = int(psql(db_url, count))
            started = time.monotonic()
            while left and time.monotonic() - started < 600:
                time.sleep(0.5)
                left = int(psql(db_url, count))
            drained = time.monotonic() - started
            print(f"bench: self-service requests queued at the end of the phase: {queued}, drained by the "
                  f"worker in {drained:.1f} s ({queued / drained if drained else 0:.0f}/s)", flush=True)
            if left:
                failed.append(f"self-service: {left} requests still queued after {drained:.0f} s")

        if "change" in only:
            # -- change-password against raw argon2id through the same hashing pool
            def change_env(c, ceil):
                # Enough fresh tokens for three times the ceiling's rate: the ceiling is measured in a
                # short run too, and a token that runs out is an error (one smoke run in three once
                # counted one at c=1 with 1.5 times).
                need = int(ceil["rps"] * seconds * 3) + 4 * c + 50
                tokens = srv.post("/_bench/tokens", {"count": min(need, users), "ttl_secs": 3600})
                f = write_tokens(args.work, f"change-{c}.txt", tokens)
                return {"BENCH_MODE": "change", "BENCH_PATH": "/change-password", "BENCH_TOKENS": f}

            phase("change-password (fresh token)", "ceiling: argon2id hash (same pool)", "/_bench/hash", change_env,
                  ">= 0.90")

        if "flood" in only:
            # -- verify p99 under a change-password flood at 4x the hash bound; peak RSS meanwhile
            bound = os.cpu_count() or 2
            flood_c = 4 * bound
            quiet = wrk(srv, seconds, 8, verify_env)
            top = max(r["rps"] for r in ceiling("ceiling: argon2id hash (same pool)", "/_bench/hash"))
            flood_tokens = srv.post("/_bench/tokens", {"count": min(users, int(top * (seconds + 2) * 3) + 100),
                                                       "ttl_secs": 3600})
            ff = write_tokens(args.work, "flood.txt", flood_tokens)
            full = dict(os.environ, BENCH_MODE="change", BENCH_PATH="/change-password", BENCH_TOKENS=ff,
                        BENCH_THREADS="1")
            flood = subprocess.Popen(["wrk", "-t", "1", "-c", str(flood_c), "-d", f"{seconds + 2}s", "--timeout", "30s",
                                      "-s", LUA, srv.base + MOUNT + "/change-password"],
                                     env=full, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            time.sleep(1)
            loud = wrk(srv, seconds, 8, verify_env)
            flood_out = flood.communicate()[0]
            peak_rss = rss_kib(srv.proc.pid, "VmHWM")
            flood_line = next((l for l in flood_out.splitlines() if l.startswith("BENCH ")), None)
            flood_errors = json.loads(flood_line[6:])["errors"] if flood_line else -1
            p99_ratio = loud["p99_us"] / quiet["p99_us"] if quiet["p99_us"] else 0
            print(f"bench: verify p99 c=8: {quiet['p99_us']/1000:.2f} ms quiet, {loud['p99_us']/1000:.2f} ms under a "
                  f"change-password flood of {flood_c} connections ({p99_ratio:.2f}x); flood errors {flood_errors}")
            if loud["errors"] or quiet["errors"] or flood_errors:
                failed.append(f"flood phase: errors verify {quiet['errors']}/{loud['errors']}, flood {flood_errors}")
            argon2_kib = 19456
            rss_budget = base_rss + bound * argon2_kib + 64 * 1024
            print(f"bench: RSS idle base {base_rss/1024:.1f} MiB, peak so far {peak_rss/1024:.1f} MiB, budget "
                  f"{rss_budget/1024:.1f} MiB (base + {bound} x {argon2_kib/1024:.0f} MiB + 64 MiB)")

        # -- mail delivery: the worker draining a clean queue of live mails against the same
        #    transport sending straight to the sink (no outbox), the sink at no delay
        mail = None
        if "mail" in only:
            mail = mail_phase(srv, sink, db_url, mails, args.mail_rounds or (1 if args.smoke else 3), args.smoke,
                              failed)

        if "limits" in only:
            # -- verify with the default per-IP limits, clients spread through the trusted proxy header
            srv.stop()
            servers.remove(srv)
            srv = Server(args, db_url, sink, "", "default-limits")
            servers.append(srv)
            srv_now[0] = srv
            valid = srv.post("/_bench/tokens", {"count": min(users // 4, 2000), "ttl_secs": 3600})
            mix = valid + expired + invalid
            random.shuffle(mix)
            verify_env["BENCH_TOKENS"] = write_tokens(args.work, "verify2.txt", mix)
            phase("verify, default per-IP limits", "ceiling: one indexed SELECT", "/_bench/select",
                  dict(verify_env, BENCH_SPREAD="1"), ">= 0.50")
        for s in servers:
            scrape = s.scrape()
            if scrape is not None and "user_account_recovery_requests_total" not in scrape:
                failed.append("the metrics scrape lacks user_account_recovery_requests_total")
            elif scrape is not None:
                series = sum(1 for l in scrape.splitlines() if l.startswith("user_account_"))
                print(f"bench: /metrics answered {series} user_account_* samples", flush=True)
        # What the rows the run wrote weigh, tables and indexes together: the figures the capacity
        # estimate in BENCHMARKS.md scales up.
        psql(db_url, "analyze")
        sizes = psql(db_url, "select c.relname, c.reltuples::bigint, pg_total_relation_size(c.oid) "
                             "from pg_class c join pg_namespace n on n.oid = c.relnamespace "
                             "where n.nspname = 'user_account' and c.relkind = 'r' order by 1")
        for line in sizes.splitlines():
            table, rows_, size = line.split("|")
            if int(rows_) > 0:
                weights.append((table, int(rows_), int(size)))
                print(f"bench: {table}: {int(rows_):,} rows, {int(size) / int(rows_):.0f} bytes per row with its "
                      f"indexes", flush=True)
    finally:
        for s in servers:
            s.stop()
        try:
            psql(args.admin_url, f"drop database if exists {db} with (force)")
        except subprocess.CalledProcessError:
            pass

    # ---------------------------------------------------------------- the table
    lines = []
    if rows:
        lines += ["| phase | c | req/s | p50 ms | p99 ms | errors | ceiling | ratio | target |",
                  "|---|---|---|---|---|---|---|---|---|"]
        for name, r, ceiling, target in rows:
            ratio = f"{r['ratio']:.2f}" if "ratio" in r else ""
            lines.append(f"| {name} | {r['conns']} | {r['rps']:.1f} | {r['p50_us']/1000:.2f} | "
                         f"{r['p99_us']/1000:.2f} | {r['errors']} | {ceiling or '—'} | {ratio} | {target} |")
        lines.append("")
    if rows:
        lines += ["What each request cost, from the same runs: CPU seconds of the server process and of every "
                  "PostgreSQL process over the run, transactions (`pg_stat_database`, committed or rolled back) "
                  "and WAL bytes written, each divided by the requests answered.", "",
                  "| phase | c | server CPU ms/req | PostgreSQL CPU ms/req | transactions/req | WAL bytes/req |",
                  "|---|---|---|---|---|---|"]
        for name, r, ceiling, target in rows:
            k = r["cost"]
            lines.append(f"| {name} | {r['conns']} | {k['server_ms']:.3f} | {k['pg_ms']:.3f} | {k['xacts']:.2f} | "
                         f"{k['wal']:.0f} |")
        lines.append("")
    if weights:
        lines += ["What the rows this run wrote weigh (`pg_total_relation_size` over the planner's row count, "
                  "after the run; bodies of sent mails are wiped):", "",
                  "| table | rows | bytes per row, indexes included |", "|---|---|---|"]
        lines += [f"| `{t}` | {n:,} | {b / n:.0f} |" for t, n, b in weights]
        lines.append("")
    lines.append("| measure | value | target |")
    lines.append("|---|---|---|")
    if "flood" in only:
        lines.append(f"| verify p99 at c=8, quiet / under a change-password flood ({flood_c} connections) | "
                     f"{quiet['p99_us']/1000:.2f} ms / {loud['p99_us']/1000:.2f} ms = {p99_ratio:.2f}x | <= 3x |")
        lines.append(f"| peak RSS of the server up to the end of the flood (VmHWM) | {peak_rss/1024:.1f} MiB "
                     f"(idle base {base_rss/1024:.1f} MiB) | "
                     f"< {rss_budget/1024:.1f} MiB |")
    rounds = "" if not mail or len(mail["ratios"]) < 2 else (
        f" (median of {len(mail['ratios'])} rounds: {', '.join(f'{x:.2f}' for x in mail['ratios'])})")
    if mail:
        lines.append(f"| mail delivery ({mail['n']:,} queued mails to the SMTP sink), worker / the same transport "
                     f"sending straight to the sink, no outbox | {mail['worker']:.1f} / {mail['direct']:.1f} "
                     f"mails/s = {mail['ratio']:.2f}{rounds} | >= 0.80 |")
    table = "\n".join(lines)
    print()
    print(table)
    if args.out:
        now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        header = (f"Made by `{args.command}` on {now}: {os.cpu_count()} cores, PostgreSQL {pg_version}, "
                  f"{users} users, {seconds} s per phase, {mails:,} mails, wrk, release build with `--features bench`, "
                  f"{'Prometheus exporter on (`metrics_address`)' if args.metrics else 'no metrics exporter'}; "
                  f"server, PostgreSQL and wrk share the machine.\n\n")
        # Everything from the notes marker on is kept: the analysis written by hand.
        notes = ""
        if os.path.exists(args.out):
            with open(args.out) as f:
                old = f.read()
            if NOTES in old:
                notes = old[old.index(NOTES):]
        with open(args.out, "w") as f:
            f.write("# Benchmarks\n\n" + header + table + "\n\n" + (notes or NOTES + "\n"))
        print(f"bench: wrote {args.out}")
    if failed:
        print("bench: FAILED: " + "; ".join(failed) + f" (server logs kept in {args.work})", file=sys.stderr)
        sys.exit(1)
    if args.keep:
        print(f"bench: server logs kept in {args.work}")
    else:
        shutil.rmtree(args.work, ignore_errors=True)


if __name__ == "__main__":
    main()
