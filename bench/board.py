#!/usr/bin/python3
"""board.py — staff board latency for bench/run.sh (docs/benchmarks.md, "Staff board").

Target (issue): the board of a 150-child site with today's plans answers with p99 < 5 ms at
100 requests/s.

Two ways to run it:

  board.py --bin build/mimamori --work DIR      (what run.sh does)
      makes a demo ward of the usual size in DIR/ward (site G01 is the 150-child club), with
      the server's clock pinned to a weekday (today in Japan, or the next Monday) so that the
      weekly plans and the day's absence notices apply; then plays an afternoon through the
      API: at 14:10 most children planned today scan in at the kiosk, at 15:30 some leave
      (by card, or checked out by staff to their pickup person); then restarts the server at
      15:40, waits until the alerts thread has raised the not-arrived alerts, and measures.
  board.py --url http://HOST:PORT --login staff-G01 --password PW [--site G01]
      measures a running server as it is (HTTP floor = /healthz only).

Measurement: an open-loop schedule of --rate requests/s for --seconds (request i is due at
t0 + i/rate), sent from a pool of --conns keep-alive connections (whichever connection is
free takes the next request, as several staff browsers would). Latency is measured from the
time a request was DUE, not from when it was sent, so a slow answer that delays the next
request is counted against the next request too (no coordinated omission). Every answer must
be a 200 holding the site's children (counted in the bytes; a sample is parsed in full).

The physical limit, in the same run, same server, same client, same rate and same number of
requests: GET /healthz (the HTTP floor: a request with no work behind it), and GET of a static
file holding the very bytes of a board answer (the same response size through the same
server; local mode only). Reported: p50/p90/p99/max of each, the ratios board p99 / floor p99,
the server's CPU time per request, and the rate at saturation (wrk, if installed).

Live mode (issue 18, local mode, after the measurement above, on the same server; skipped with
--live-seconds 0): the demo ward's 59 sites each polled every 3 s by its own staff (one
connection each, from its own loopback address, with If-None-Match as the page sends it), while
--scan-rate (200) scans/s flow through the kiosks of all sites (open loop, every child's card in
turn; the server's clock moves one minute every 20 s so that no card meets the 60 s rule), and
a Server-Sent Events subscriber watches G01's board: for each scan at G01, the time from the
kiosk's 200 to the first event whose version is at least the one the database holds right after
that 200 (read from the database: an upper bound), and to the board read after that event.
Reported: the pollers' p50/p99/max (of every GET, 200 or 304, from its due time), the share of
304s, the scans' achieved rate and p99, and scan -> event / scan -> board p50/p99/max.

Prints one line "BOARD_RESULT key=value ..." and writes the same as JSON to --out.
"""
import argparse
import datetime
import http.client
import json
import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.parse

JST = datetime.timezone(datetime.timedelta(hours=9))
HZ = os.sysconf("SC_CLK_TCK")


def log(msg):
    print("   " + msg, file=sys.stderr, flush=True)


def pct(sorted_vals, p):
    if not sorted_vals:
        return float("nan")
    k = max(0, min(len(sorted_vals) - 1, int(round(p / 100.0 * len(sorted_vals) + 0.5)) - 1))
    return sorted_vals[k]


def cpu_ticks(pid):
    if not pid:
        return 0
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


class Api:
    """A keep-alive JSON client with the staff session cookie."""

    def __init__(self, host, port):
        self.host, self.port = host, port
        self.conn = http.client.HTTPConnection(host, port, timeout=30)
        self.cookie = None
        self.csrf = None

    def call(self, method, path, body=None, bearer=None):
        headers = {}
        if body is not None:
            body = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if self.cookie:
            headers["Cookie"] = self.cookie
        if self.csrf and method != "GET":
            headers["X-CSRF-Token"] = self.csrf
        if bearer:
            headers = {k: v for k, v in headers.items() if k == "Content-Type"}
            headers["Authorization"] = "Bearer " + bearer
        for attempt in (0, 1):
            try:
                self.conn.request(method, path, body=body, headers=headers)
                r = self.conn.getresponse()
                data = r.read()
                break
            except (OSError, http.client.HTTPException):
                self.conn.close()
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
                if attempt:
                    raise
        return r, data

    def sign_in(self, login, password):
        r, data = self.call("POST", "/api/v1/session", {"login": login, "password": password})
        if r.status != 200:
            sys.exit(f"board.py: sign-in as {login} failed: {r.status} {data[:200]!r}")
        m = re.search(r"mimamori_session=([^;]+)", r.getheader("Set-Cookie") or "")
        if not m:
            sys.exit("board.py: sign-in gave no mimamori_session cookie")
        self.cookie = "mimamori_session=" + m.group(1)
        self.csrf = json.loads(data).get("csrf")

    def json(self, method, path, body=None, bearer=None, want=200):
        r, data = self.call(method, path, body, bearer)
        if r.status != want:
            raise RuntimeError(f"{method} {path}: {r.status} {data[:200]!r}")
        return json.loads(data) if data else None


def wait_health(host, port, deadline):
    while time.time() < deadline:
        try:
            c = http.client.HTTPConnection(host, port, timeout=1)
            c.request("GET", "/healthz")
            if c.getresponse().status == 200:
                return True
        except OSError:
            time.sleep(0.1)
    return False


def open_loop(host, port, path, headers, rate, seconds, conns, check):
    """Sends round(rate*seconds) GETs of path, request i due at t0 + i/rate, from conns
    keep-alive connections. Returns a list of (due, sent, done, status, nbytes, check(body))
    and one full body (the first 200) for inspection."""
    n = int(round(rate * seconds))
    res = [None] * n
    lock = threading.Lock()
    nxt = [0]
    sample = []
    t0 = time.perf_counter() + 0.1

    def worker():
        conn = http.client.HTTPConnection(host, port, timeout=30)
        while True:
            with lock:
                i = nxt[0]
                nxt[0] += 1
            if i >= n:
                break
            due = t0 + i / rate
            d = due - time.perf_counter()
            if d > 0:
                time.sleep(d)
            ts = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers)
                r = conn.getresponse()
                body = r.read()
                te = time.perf_counter()
                status = r.status
            except (OSError, http.client.HTTPException):
                te = time.perf_counter()
                conn.close()
                conn = http.client.HTTPConnection(host, port, timeout=30)
                status, body = 0, b""
            res[i] = (due, ts, te, status, len(body), check(body) if status == 200 else None)
            if status == 200 and not sample:
                sample.append(body)
        conn.close()

    ths = [threading.Thread(target=worker) for _ in range(conns)]
    for t in ths:
        t.start()
    for t in ths:
        t.join()
    return res, (sample[0] if sample else b""), t0


def summarise(res, t0):
    lat = sorted(r[2] - r[0] for r in res)
    lag = sorted(max(0.0, r[1] - r[0]) for r in res)
    svc = sorted(r[2] - r[1] for r in res)
    end = max(r[2] for r in res)
    ms = lambda v: round(v * 1000, 2)
    return {
        "n": len(res),
        "p50": ms(pct(lat, 50)), "p90": ms(pct(lat, 90)), "p99": ms(pct(lat, 99)),
        "max": ms(lat[-1]),
        "service_p99": ms(pct(svc, 99)),
        "send_lag_p99": ms(pct(lag, 99)),
        "achieved_rate": round(len(res) / max(end - t0, 1e-9), 1),
        "bytes": res[len(res) // 2][4],
    }


def phase(name, srv_pid, host, port, path, headers, a, check):
    # Warm-up, not counted: caches, prepared statements, the connections' first requests.
    open_loop(host, port, path, headers, a.rate, min(1.0, a.seconds), a.conns, check)
    c0 = cpu_ticks(srv_pid)
    res, body, t0 = open_loop(host, port, path, headers, a.rate, a.seconds, a.conns, check)
    c1 = cpu_ticks(srv_pid)
    s = summarise(res, t0)
    s["bad"] = sum(1 for r in res if r[3] != 200)
    s["cpu_ms_per_req"] = round((c1 - c0) / HZ * 1000 / len(res), 3) if srv_pid else None
    s["checks"] = [r[5] for r in res if r[3] == 200]
    log(f"{name:8s} n={s['n']} p50={s['p50']} p90={s['p90']} p99={s['p99']} max={s['max']} ms"
        f"  bytes={s['bytes']} non200={s['bad']} achieved={s['achieved_rate']}/s"
        f"  server CPU {s['cpu_ms_per_req']} ms/req")
    return s, body


def wrk_rate(url, cookie, seconds, conns):
    """Requests/s of wrk at full speed (None when wrk is missing), and its non-2xx count."""
    wrk = shutil.which("wrk")
    if not wrk or seconds <= 0:
        return None, None
    cmd = [wrk, "-t1", f"-c{conns}", f"-d{max(1, round(seconds))}s", "--timeout", "10s"]
    if cookie:
        cmd += ["-H", "Cookie: " + cookie]
    out = subprocess.run(cmd + [url], capture_output=True, text=True).stdout
    m = re.search(r"Requests/sec:\s*([\d.]+)", out)
    bad = re.search(r"Non-2xx or 3xx responses:\s*(\d+)", out)
    return (float(m.group(1)) if m else None), (int(bad.group(1)) if bad else 0)


# --- local mode: a demo ward, an afternoon played through the API -------------------------

def pin_day(arg):
    if arg:
        return datetime.date.fromisoformat(arg)
    d = datetime.datetime.now(JST).date()
    while d.weekday() >= 5:  # Saturday, Sunday -> the next Monday
        d += datetime.timedelta(days=1)
    return d


def at(day, hhmm):
    h, m = map(int, hhmm.split(":"))
    return int(datetime.datetime(day.year, day.month, day.day, h, m, tzinfo=JST).timestamp())


def set_clock(path, secs):
    with open(path + ".tmp", "w") as f:
        f.write(f"{secs}\n")
    os.replace(path + ".tmp", path)
    time.sleep(0.12)  # the server re-reads the file at most every 50 ms


def outbox_drain(db_path, timeout):
    deadline = time.time() + timeout
    left = -1
    while time.time() < deadline:
        try:
            db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=5)
            left = db.execute("SELECT COUNT(*) FROM outbox WHERE state IN "
                              "('queued','deferred','sending')").fetchone()[0]
            db.close()
        except sqlite3.OperationalError:
            pass
        if left == 0:
            return 0
        time.sleep(0.2)
    return left


class Server:
    def __init__(self, a, data, port, env, web=None, logname="serve-board.log", mail=None):
        cmd = [a.bin, "serve", "--data", data, "--listen", f"127.0.0.1:{port}"]
        if web:
            cmd += ["--web", web]
        if mail:
            cmd += ["--mail", mail]
        self.log = open(os.path.join(a.work, logname), "a")
        self.p = subprocess.Popen(cmd, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        if not wait_health("127.0.0.1", port, time.time() + 20):
            self.stop()
            sys.exit("board.py: server did not come up")

    def stop(self):
        self.p.send_signal(signal.SIGTERM)
        try:
            self.p.wait(20)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()
        self.log.close()


def credentials(path, site):
    pw = tok = None
    with open(path, encoding="utf-8") as f:
        for line in f:
            m = re.match(rf"site {site} .*staff login (\S+)\s+password (\S+)", line)
            if m:
                login, pw = m.group(1), m.group(2)
            m = re.match(rf"site {site} kiosk token: (\S+)", line)
            if m:
                tok = m.group(1)
    if not pw or not tok:
        sys.exit(f"board.py: no staff password or kiosk token for {site} in {path}")
    return login, pw, tok


def afternoon(api, login, pw, site, kiosk, cards, clock_file, day):
    """Plays 14:10 (arrivals) and 15:30 (departures) through the API. Returns counts."""
    rnd = random.Random(20261123)
    board = api.json("GET", f"/api/v1/sites/{site}/board")
    ins = []
    for ch in board["children"]:
        p = 0.85 if ch["status"] == "expected" else 0.05 if ch["status"] == "off" else 0
        if rnd.random() < p:
            ins.append(ch)
    for ch in ins:
        r = api.json("POST", "/api/v1/scans", {"code": cards[ch["child_no"]]}, bearer=kiosk)
        if not r.get("recorded") or r.get("direction") != "in":
            raise RuntimeError(f"scan in of {ch['child_no']} not recorded: {r}")
    set_clock(clock_file, at(day, "15:30"))
    api.sign_in(login, pw)  # the session has been idle for 80 minutes of the pinned clock
    outs = checkouts = 0
    for ch in ins:
        if rnd.random() >= 0.2:
            continue
        plan = ch.get("plan") or {}
        pick = (plan.get("pickup") or {}).get("id")
        if not pick and ch["pickups"]:
            pick = ch["pickups"][0]["id"]
        if plan.get("way_home") == "pickup" and pick:
            api.json("POST", f"/api/v1/sites/{site}/checkouts",
                     {"child_no": ch["child_no"], "pickup_id": pick})
            checkouts += 1
        else:
            r = api.json("POST", "/api/v1/scans", {"code": cards[ch["child_no"]]}, bearer=kiosk)
            if not r.get("recorded"):
                raise RuntimeError(f"scan out of {ch['child_no']} not recorded: {r}")
            outs += 1
    return len(ins), outs, checkouts


def local(a):
    os.makedirs(a.work, exist_ok=True)
    ward = os.path.join(a.work, "ward")
    codes = os.path.join(a.work, "codes-board.csv")
    clock_file = os.path.join(a.work, "board-now")
    web = os.path.join(a.work, "web-floor")
    shutil.rmtree(ward, ignore_errors=True)
    shutil.rmtree(web, ignore_errors=True)
    os.makedirs(web)
    day = pin_day(a.day)
    env = dict(os.environ)
    env.pop("MIMAMORI_FAKE_NOW_FILE", None)
    env["MIMAMORI_FAKE_NOW"] = str(at(day, "09:00"))
    cmd = [a.bin, "demo", "--data", ward, "--codes-out", codes]
    if a.children:
        cmd += ["--children", str(a.children)]
    t = time.time()
    with open(os.path.join(a.work, "demo-board.log"), "w") as f:
        if subprocess.run(cmd, env=env, stdout=f, stderr=subprocess.STDOUT).returncode:
            sys.exit(f"board.py: {' '.join(cmd)} failed (see {f.name})")
    log(f"demo ward ({a.children or 'default size'}, clock {day} 09:00 JST): "
        f"{time.time() - t:.0f} s")
    login, pw, kiosk = credentials(os.path.join(ward, "demo-credentials.txt"), a.site)
    cards = {}
    with open(codes, encoding="utf-8") as f:
        next(f)
        for line in f:
            child_no, site, code = line.rstrip("\n").split(",")[:3]
            if site == a.site:
                cards[child_no] = code
    expect = len(cards)

    env.pop("MIMAMORI_FAKE_NOW")
    env["MIMAMORI_FAKE_NOW_FILE"] = clock_file
    port = a.port or free_port()
    # The mail goes to Postfix's smtp-sink, as a ward's goes to its relay (and as in run.sh's
    # scans). Into the demo's Maildir, each mail a new file, ext4's inode allocation was 43 %
    # of the server's processor time in the live mode below (perf, 2026-12-07).
    sink_bin = shutil.which("smtp-sink") or "/usr/sbin/smtp-sink"
    sink, mail = None, None
    if os.access(sink_bin, os.X_OK):
        sink_port = free_port()
        sink = subprocess.Popen([sink_bin, "-u", "nobody", f"127.0.0.1:{sink_port}", "256"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        mail = f"smtp://127.0.0.1:{sink_port}"
    else:
        log("board.py: no smtp-sink; the mail goes into the demo's Maildir")
    try:
        return local_served(a, ward, codes, clock_file, web, day, env, port, login, pw, kiosk,
                            cards, expect, mail)
    finally:
        if sink:
            sink.terminate()
            sink.wait()


def local_served(a, ward, codes, clock_file, web, day, env, port, login, pw, kiosk, cards,
                 expect, mail):
    set_clock(clock_file, at(day, "14:10"))
    srv = Server(a, ward, port, env, mail=mail)
    try:
        api = Api("127.0.0.1", port)
        api.sign_in(login, pw)
        scanned_in, scanned_out, checked_out = afternoon(api, login, pw, a.site, kiosk,
                                                         cards, clock_file, day)
        left = outbox_drain(os.path.join(ward, "mimamori.db"), 60)
    finally:
        srv.stop()
    log(f"afternoon of {day}: {scanned_in} scanned in at 14:10, {scanned_out} out by card and "
        f"{checked_out} checked out to a pickup person at 15:30 (outbox left {left})")

    set_clock(clock_file, at(day, "15:40"))
    srv = Server(a, ward, port, env, web=web, mail=mail)
    try:
        api = Api("127.0.0.1", port)
        api.sign_in(login, pw)
        # The alerts thread checks once at start: wait until every planned child who has not
        # come is "not_arrived", and the alert mails are out, so the board holds still.
        deadline = time.time() + 15
        while True:
            board = api.json("GET", f"/api/v1/sites/{a.site}/board")
            if board["counts"]["expected"] == 0 or time.time() > deadline:
                break
            time.sleep(0.2)
        outbox_drain(os.path.join(ward, "mimamori.db"), 60)
        res = measure(a, "127.0.0.1", port, srv.p.pid, api.cookie, expect, web,
                      {"day": str(day), "now": "15:40"})
        if a.live_seconds > 0:
            res.update(live(a, port, srv.p.pid, ward, codes, clock_file, day, "15:40"))
            if res.get("sat_rps") and res.get("static_sat_rps"):
                res["sat_share_of_static"] = round(res["sat_rps"] / res["static_sat_rps"], 3)
        return res
    finally:
        srv.stop()


# --- live mode: 59 sites polled every 3 s while 200 scans/s flow, and one SSE subscriber -------

def all_credentials(path):
    staff, kiosks = {}, {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            m = re.match(r"site (\S+) .*staff login (\S+)\s+password (\S+)", line)
            if m:
                staff[m.group(1)] = (m.group(2), m.group(3))
            m = re.match(r"site (\S+) kiosk token: (\S+)", line)
            if m:
                kiosks[m.group(1)] = m.group(2)
    return staff, kiosks


def all_cards(path):
    cards = []
    with open(path, encoding="utf-8") as f:
        next(f)
        for line in f:
            child_no, site, code = line.rstrip("\n").split(",")[:3]
            cards.append((site, code))
    return cards


class Conn:
    """One keep-alive connection from a given loopback address."""

    def __init__(self, port, source=None):
        self.port, self.source = port, source
        self.c = None

    def req(self, method, path, body=None, headers=None):
        for attempt in (0, 1):
            if self.c is None:
                self.c = http.client.HTTPConnection(
                    "127.0.0.1", self.port, timeout=30,
                    source_address=(self.source, 0) if self.source else None)
            try:
                self.c.request(method, path, body=body, headers=headers or {})
                r = self.c.getresponse()
                return r.status, r.getheader("ETag"), r.read()
            except (OSError, http.client.HTTPException):
                self.c.close()
                self.c = None
                if attempt:
                    return 0, None, b""


def sign_in_at(port, source, login, pw):
    c = Conn(port, source)
    c.c = http.client.HTTPConnection("127.0.0.1", port, timeout=30, source_address=(source, 0))
    c.c.request("POST", "/api/v1/session", body=json.dumps({"login": login, "password": pw}),
                headers={"Content-Type": "application/json"})
    r = c.c.getresponse()
    r.read()
    m = re.search(r"mimamori_session=([^;]+)", r.getheader("Set-Cookie") or "")
    if r.status != 200 or not m:
        sys.exit(f"board.py: sign-in of {login} failed: {r.status}")
    return c, "mimamori_session=" + m.group(1)


def live(a, port, srv_pid, ward, codes, clock_file, day, start_hhmm):
    staff, kiosks = all_credentials(os.path.join(ward, "demo-credentials.txt"))
    sites = sorted(staff)
    cards = all_cards(codes)
    random.Random(7).shuffle(cards)
    db_path = os.path.join(ward, "mimamori.db")
    stop = threading.Event()
    poll_lat, poll_status = [], []
    poll_fresh = []  # 1 for a poller's first poll of a (fake) minute: the one the server audits
    minute = [0]     # bumped by the clock thread at each move
    lock = threading.Lock()

    # The pollers: each site's staff, every 3 s, with the ETag of the last answer.
    pollers = []
    for i, code in enumerate(sites):
        login, pw = staff[code]
        conn, cookie = sign_in_at(port, "127.0.0.%d" % (10 + i), login, pw)
        pollers.append((code, conn, cookie))

    def poller(code, conn, cookie, offset):
        etag = None
        k = 0
        seen_minute = -1
        t0 = time.perf_counter() + offset
        path = f"/api/v1/sites/{code}/board"
        while not stop.is_set():
            due = t0 + 3.0 * k
            k += 1
            if due > t_end:
                break
            d = due - time.perf_counter()
            if d > 0:
                time.sleep(d)
            h = {"Cookie": cookie}
            if etag:
                h["If-None-Match"] = etag
            m = minute[0]
            status, tag, body = conn.req("GET", path, headers=h)
            done = time.perf_counter()
            if status == 200:
                etag = tag
            with lock:
                poll_lat.append(done - due)
                poll_status.append(status)
                poll_fresh.append(1 if m != seen_minute else 0)
            seen_minute = m

    # The scans: open loop at scan_rate through each card's own site's kiosk.
    scan_lat, scan_status = [], []
    g01_marks = []  # (time of the kiosk's 200, version read right after it)
    nxt = [0]
    n_scans = int(a.scan_rate * a.live_seconds)
    s0 = 0.0  # set when the load starts
    ver_db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=5,
                             check_same_thread=False)
    ver_lock = threading.Lock()

    def scanner():
        conn = Conn(port)
        while True:
            with lock:
                i = nxt[0]
                nxt[0] += 1
            if i >= n_scans or stop.is_set():
                break
            due = s0 + i / a.scan_rate
            d = due - time.perf_counter()
            if d > 0:
                time.sleep(d)
            site, code = cards[i % len(cards)]
            status, _, body = conn.req("POST", "/api/v1/scans",
                                       body=json.dumps({"code": code}),
                                       headers={"Content-Type": "application/json",
                                                "Authorization": "Bearer " + kiosks[site]})
            done = time.perf_counter()
            with lock:
                scan_lat.append(done - due)
                scan_status.append(status)
            if site == a.site and status == 200 and b'"recorded":true' in body:
                with ver_lock:
                    v = ver_db.execute("SELECT board_version FROM sites WHERE code = ?",
                                       (site,)).fetchone()[0]
                with lock:
                    g01_marks.append((done, v))

    # The subscriber: G01's staff, its events, then the board (as the page does).
    events = []  # (arrival, version, board read done)
    login, pw = staff[a.site]
    sconn, scookie = sign_in_at(port, "127.0.0.250", login, pw)
    bconn = sconn
    sub = http.client.HTTPConnection("127.0.0.1", port, timeout=60,
                                     source_address=("127.0.0.251", 0))
    sub.request("GET", f"/api/v1/sites/{a.site}/board/events",
                headers={"Cookie": scookie, "Accept": "text/event-stream"})
    sresp = sub.getresponse()
    if sresp.status != 200:
        sys.exit(f"board.py: the event stream answered {sresp.status}")
    sub_sock = sub.sock or sresp.fp.raw._sock

    def subscriber():
        etag = None
        data = None
        try:
            while not stop.is_set():
                line = sresp.fp.readline()
                if not line:
                    break
                line = line.decode().strip()
                if line.startswith("data:"):
                    data = json.loads(line[5:])
                elif line == "" and data is not None:
                    arrived = time.perf_counter()
                    h = {"Cookie": scookie}
                    if etag:
                        h["If-None-Match"] = etag
                    status, tag, _ = bconn.req("GET", f"/api/v1/sites/{a.site}/board", headers=h)
                    if status == 200:
                        etag = tag
                    events.append((arrived, data["version"], time.perf_counter()))
                    data = None
        except (OSError, ValueError):
            pass

    # The clock: one minute every 20 s, so that no card comes back within 60 s of its scan.
    def clock():
        h, m = map(int, start_hhmm.split(":"))
        t = at(day, f"{h:02d}:{m:02d}")
        while not stop.wait(20):
            t += 60
            set_clock(clock_file, t)
            minute[0] += 1

    t_end = time.perf_counter() + a.live_seconds  # after the sign-ins (argon2id each)
    s0 = time.perf_counter() + 0.5
    c0 = cpu_ticks(srv_pid)
    ths = [threading.Thread(target=subscriber, daemon=True), threading.Thread(target=clock)]
    ths += [threading.Thread(target=poller, args=(c, cn, ck, 3.0 * i / len(pollers)))
            for i, (c, cn, ck) in enumerate(pollers)]
    scanners = [threading.Thread(target=scanner) for _ in range(a.scan_conns)]
    for t in ths + scanners:
        t.start()
    for t in ths[2:] + scanners:
        t.join()
    stop.set()
    ths[1].join()
    c1 = cpu_ticks(srv_pid)
    try:
        sub_sock.shutdown(2)
    except OSError:
        pass
    ths[0].join(5)
    ver_db.close()

    # scan -> event: the first event whose version is at least the one read after the 200.
    to_event, to_board = [], []
    for t200, v in g01_marks:
        for arrived, ver, board_done in events:
            if ver >= v and arrived >= t200 - 0.5:
                to_event.append(max(0.0, arrived - t200))
                to_board.append(max(0.0, board_done - t200))
                break
    ms = lambda v: round(v * 1000, 2)
    pl = sorted(poll_lat)
    pa = sorted(l for l, f in zip(poll_lat, poll_fresh) if f)
    pn = sorted(l for l, f in zip(poll_lat, poll_fresh) if not f)
    sl = sorted(scan_lat)
    te, tb = sorted(to_event), sorted(to_board)
    out = {
        "live_seconds": a.live_seconds, "live_sites": len(pollers),
        "live_polls": len(pl), "live_poll_p50_ms": ms(pct(pl, 50)),
        "live_poll_p99_ms": ms(pct(pl, 99)), "live_poll_max_ms": ms(pl[-1]) if pl else None,
        "live_poll_audited": len(pa), "live_poll_audited_p99_ms": ms(pct(pa, 99)),
        "live_poll_unaudited_p50_ms": ms(pct(pn, 50)),
        "live_poll_unaudited_p99_ms": ms(pct(pn, 99)),
        "live_poll_304_share": round(poll_status.count(304) / max(1, len(poll_status)), 3),
        "live_poll_bad": sum(1 for st in poll_status if st not in (200, 304)),
        "live_scans": len(sl), "live_scan_rate": round(len(sl) / a.live_seconds, 1),
        "live_scan_p99_ms": ms(pct(sl, 99)),
        "live_scan_bad": sum(1 for st in scan_status if st != 200),
        "live_server_cpu_pct": round((c1 - c0) / HZ / a.live_seconds * 100),
        "sse_samples": len(te), "sse_unmatched": len(g01_marks) - len(te),
        "scan_to_event_p50_ms": ms(pct(te, 50)), "scan_to_event_p99_ms": ms(pct(te, 99)),
        "scan_to_event_max_ms": ms(te[-1]) if te else None,
        "scan_to_board_p50_ms": ms(pct(tb, 50)), "scan_to_board_p99_ms": ms(pct(tb, 99)),
        "scan_to_board_max_ms": ms(tb[-1]) if tb else None,
    }
    log(f"live: {len(pollers)} sites polled every 3 s: p50={out['live_poll_p50_ms']} "
        f"p99={out['live_poll_p99_ms']} max={out['live_poll_max_ms']} ms, "
        f"304 share {out['live_poll_304_share']}; the {len(pa)} audited (first of a minute) "
        f"p99 {out['live_poll_audited_p99_ms']} ms, the others p99 "
        f"{out['live_poll_unaudited_p99_ms']} ms; scans {out['live_scan_rate']}/s "
        f"(p99 {out['live_scan_p99_ms']} ms, non-200 {out['live_scan_bad']}); "
        f"scan->event p99 {out['scan_to_event_p99_ms']} ms, scan->board p99 "
        f"{out['scan_to_board_p99_ms']} ms over {len(te)} G01 scans")
    return out


def free_port():
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


# --- the measurement (both modes) ----------------------------------------------------------

def measure(a, host, port, srv_pid, cookie, expect, web, extra):
    board_path = f"/api/v1/sites/{urllib.parse.quote(a.site)}/board"
    r = Api(host, port)
    r.cookie = cookie
    rs, first = r.call("GET", board_path)
    if rs.status != 200:
        sys.exit(f"board.py: GET {board_path}: {rs.status} {first[:200]!r}")
    b = json.loads(first)
    if expect is None:
        expect = len(b["children"])
    if len(b["children"]) != expect:
        sys.exit(f"board.py: the board lists {len(b['children'])} children, expected {expect}")
    counts = b["counts"]
    # "kana" is a key of each child's row and of nothing else in the answer.
    kids = lambda body: body.count(b'"kana":')
    hdr = {"Cookie": cookie}
    out = dict(extra)
    out.update({"site": a.site, "children": expect, "rate": a.rate, "seconds": a.seconds,
                "conns": a.conns})
    out["counts"] = ",".join(f"{k}:{v}" for k, v in counts.items())
    out["alerts"] = len(b["alerts"])
    out["load1"] = round(os.getloadavg()[0], 2)  # a shared machine: say how busy it was

    hz, _ = phase("healthz", srv_pid, host, port, "/healthz", {}, a, lambda body: 1)
    st = None
    if web:
        with open(os.path.join(web, "board.json"), "wb") as f:
            f.write(first)
        st, _ = phase("static", srv_pid, host, port, "/board.json", {}, a, kids)
    perf = None
    if a.perf and srv_pid:
        perf = subprocess.Popen(["perf", "record", "-g", "-o", a.perf, "-p", str(srv_pid), "--",
                                 "sleep", str(a.seconds + 1)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    bd, body = phase("board", srv_pid, host, port, board_path, hdr, a, kids)
    if perf:
        perf.wait()
    wrong = sum(1 for c in bd["checks"] if c != expect)
    full = json.loads(body) if body else {"children": []}
    if len(full["children"]) != expect:
        wrong += 1
    out.update({
        "requests": bd["n"], "non200": bd["bad"], "wrong_count": wrong, "bytes": bd["bytes"],
        "p50_ms": bd["p50"], "p90_ms": bd["p90"], "p99_ms": bd["p99"], "max_ms": bd["max"],
        "service_p99_ms": bd["service_p99"], "send_lag_p99_ms": bd["send_lag_p99"],
        "achieved_rate": bd["achieved_rate"], "cpu_ms_per_req": bd["cpu_ms_per_req"],
        "floor_p50_ms": hz["p50"], "floor_p99_ms": hz["p99"], "floor_max_ms": hz["max"],
        "floor_cpu_ms_per_req": hz["cpu_ms_per_req"],
        "ratio": round(bd["p99"] / hz["p99"], 1) if hz["p99"] > 0 else float("nan"),
    })
    if st:
        out.update({
            "static_p50_ms": st["p50"], "static_p99_ms": st["p99"],
            "static_cpu_ms_per_req": st["cpu_ms_per_req"],
            "ratio_static": round(bd["p99"] / st["p99"], 1) if st["p99"] > 0 else float("nan"),
        })
    if a.sat_seconds > 0:
        base = f"http://{host}:{port}"
        sat, sat_bad = wrk_rate(base + board_path, cookie, a.sat_seconds, a.conns)
        if sat is not None:
            out["sat_rps"] = sat
            out["sat_non2xx"] = sat_bad
            if st:
                out["static_sat_rps"], _ = wrk_rate(base + "/board.json", None, a.sat_seconds,
                                                    a.conns)
            log(f"saturation (wrk -t1 -c{a.conns} {a.sat_seconds}s): board {sat}/s"
                + (f", static copy {out.get('static_sat_rps')}/s" if st else ""))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bin", help="mimamori binary: make a demo ward in --work and serve it")
    ap.add_argument("--work", help="working directory for --bin (the ward goes in WORK/ward)")
    ap.add_argument("--children", type=int, help="demo --children (default: the demo's own "
                    "size, where G01 holds 150)")
    ap.add_argument("--day", help="the weekday the clock is pinned to (default: today in "
                    "Japan, or the next Monday)")
    ap.add_argument("--port", type=int)
    ap.add_argument("--url", help="a running server instead of --bin")
    ap.add_argument("--login")
    ap.add_argument("--password")
    ap.add_argument("--site", default="G01")
    ap.add_argument("--rate", type=float, default=100.0)
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--conns", type=int, default=4)
    ap.add_argument("--sat-seconds", type=float, default=5.0,
                    help="wrk at full speed for this long (0: skip)")
    ap.add_argument("--perf", help="perf record -g the server during the board run into FILE")
    ap.add_argument("--live-seconds", type=float, default=30.0,
                    help="live mode for this long after the measurement (0: skip)")
    ap.add_argument("--scan-rate", type=float, default=200.0, help="live mode's scans/s")
    ap.add_argument("--scan-conns", type=int, default=8, help="live mode's kiosk connections")
    ap.add_argument("--out")
    a = ap.parse_args()
    if a.bin:
        if not a.work:
            ap.error("--bin needs --work")
        a.work = os.path.abspath(a.work)
        a.bin = os.path.abspath(a.bin)
        res = local(a)
    elif a.url:
        if not a.login or not a.password:
            ap.error("--url needs --login and --password")
        u = urllib.parse.urlparse(a.url)
        api = Api(u.hostname, u.port or 80)
        api.sign_in(a.login, a.password)
        res = measure(a, u.hostname, u.port or 80, None, api.cookie, None, None, {})
    else:
        ap.error("give --bin and --work, or --url")
    print("BOARD_RESULT " + " ".join(f"{k}={v}" for k, v in res.items()), flush=True)
    if a.out:
        with open(a.out, "w") as f:
            json.dump(res, f, indent=1)


if __name__ == "__main__":
    main()
