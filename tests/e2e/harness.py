# SPDX-License-Identifier: MIT
"""harness.py — shared helpers of the end-to-end tests: an in-process SMTP sink (aiosmtpd), a
mimamori server subprocess, CLI wrappers, roster CSV writers, mail parsing and QR decoding.

Everything listens on 127.0.0.1 only, on free ports; every wait is bounded by a deadline.
"""
import calendar
import csv
import email
import email.policy
import glob
import http.client
import io
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import unittest

from aiosmtpd.controller import Controller

import engines

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.environ.get("MIMAMORI_BIN") or os.path.join(REPO, "build", "mimamori")

PASSWORD = "correct-horse-battery"  # >= 10 characters

ENGLISH_HEADER = ["child_no", "site_code", "child_name", "child_kana", "grade", "birth_date",
                  "guardian_name", "guardian_email"]
JAPANESE_HEADER = ["児童番号", "施設コード", "児童氏名", "児童氏名カナ", "学年", "生年月日",
                   "保護者氏名", "保護者メールアドレス"]

SANITIZER_MARKERS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:",
                     "SUMMARY: UndefinedBehaviorSanitizer")


def _ephemeral_range():
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            lo, hi = (int(x) for x in f.read().split())
        return lo, hi
    except (OSError, ValueError):
        return 32768, 60999


def free_port():
    """Returns a 127.0.0.1 TCP port that nothing listens on now, chosen at random below the
    kernel's ephemeral range: a port from bind(0) is an ephemeral one, which any of the many
    client connections of the parallel suites may take before the server binds it (CI once
    failed on that). Falls back to bind(0) when no port below the range is free."""
    lo, _hi = _ephemeral_range()
    first = 20000 if lo > 21000 else 1024
    for _ in range(64):
        port = random.randint(first, lo - 1)
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(pred, timeout=15.0, interval=0.05, what="condition"):
    """Polls pred() until it returns a true value; raises AssertionError after timeout."""
    deadline = time.monotonic() + timeout
    while True:
        v = pred()
        if v:
            return v
        if time.monotonic() >= deadline:
            raise AssertionError("timed out after %.1fs waiting for %s" % (timeout, what))
        time.sleep(interval)


def sanitizer_report(text):
    """Returns the sanitizer report in text (from the first marker), or None."""
    for m in SANITIZER_MARKERS:
        i = text.find(m)
        if i >= 0:
            return text[max(0, i - 200):i + 3000]
    return None


# ---------------------------------------------------------------------------------------------
# CLI

class CliResult:
    def __init__(self, args, rc, out, err):
        self.args, self.rc, self.out, self.err = args, rc, out, err

    def __repr__(self):
        return "CliResult(%r, rc=%d, out=%r, err=%r)" % (self.args, self.rc, self.out, self.err)


def cli(*args, input=None, env=None, timeout=300, engine=True):
    """Runs mimamori with args; returns a CliResult (text, UTF-8). Never raises on exit code.
    timeout stops a hung command; it is no speed check (the suites share two cores)."""
    full_env = dict(os.environ)
    if env:
        full_env.update(env)
    # engine=False: a data directory on SQLite even in the PostgreSQL run (migrate-store's).
    args = engines.store_args(args) if engine else [str(a) for a in args]
    p = subprocess.run([BIN] + args, input=input, capture_output=True,
                       timeout=timeout, env=full_env)
    r = CliResult(args, p.returncode, p.stdout.decode("utf-8", "replace"),
                  p.stderr.decode("utf-8", "replace"))
    rep = sanitizer_report(r.err)
    if rep:
        raise AssertionError("sanitizer report from mimamori %r:\n%s" % (args, rep))
    return r


def retention_run_at(data, day, days_after, key):
    """Runs `mimamori retention run` on data (its server stopped) with the clock days_after
    days past the day "YYYY-MM-DD" (UTC midnight, a file clock of its own); returns how many
    records of the kind key it deleted."""
    now_file = os.path.join(data.tmp, "retention-now")
    with open(now_file, "w") as f:
        f.write(str(calendar.timegm(time.strptime(day, "%Y-%m-%d")) + days_after * 86400))
    out = cli_ok("retention", "run", "--data", data.path,
                 env={"MIMAMORI_FAKE_NOW_FILE": now_file}).out
    m = re.search(r"\(%s\)\t\d+ 日\t(\d+)" % re.escape(key), out)
    if not m:
        raise AssertionError("retention run printed no count of %s:\n%s" % (key, out))
    return int(m.group(1))


def cli_ok(*args, **kw):
    r = cli(*args, **kw)
    if r.rc != 0:
        raise AssertionError("mimamori %s failed (rc=%d): %s" % (" ".join(map(str, args)), r.rc,
                                                                r.err.strip()))
    return r


def bulk_enqueue(data_path, send_id, subject, body, addrs):
    """Queues one bulk message of the list of send_id ("school:1") to each address through the
    mail layer's mail_outbox_enqueue_bulk (tests/unit/bulk_enqueue.c, built next to the
    binary); a running server sends them. Returns ([unsubscribe tokens of the queued rows],
    skipped count)."""
    helper = os.path.join(os.path.dirname(BIN), "bulk_enqueue")
    p = subprocess.run([helper, data_path, send_id, subject, body] + list(addrs),
                       capture_output=True, timeout=60)
    out = p.stdout.decode("utf-8", "replace")
    if p.returncode != 0:
        raise AssertionError("bulk_enqueue failed: %s" % p.stderr.decode("utf-8", "replace"))
    rep = sanitizer_report(p.stderr.decode("utf-8", "replace"))
    if rep:
        raise AssertionError("sanitizer report from bulk_enqueue:\n" + rep)
    tokens = [l.split()[1] for l in out.splitlines() if l.startswith("token ")]
    skipped = int(re.search(r"skipped (\d+)", out).group(1))
    return tokens, skipped


def set_second_factor(data_path, value):
    """Sets [server] admin_second_factor (required | optional) in data_path's mimamori.conf.
    The suites' data directories are optional (their administrators sign in with the password
    until they enrol, as before issue 19); tests/e2e/test_totp.py checks required, the
    default of `mimamori init`."""
    conf = os.path.join(data_path, "mimamori.conf")
    with open(conf, encoding="utf-8") as f:
        text = f.read()
    text, n = re.subn(r"(?m)^admin_second_factor\s*=.*$", "admin_second_factor = " + value, text)
    if n == 0:  # a directory made before the setting (a fixture): [server] gets it
        text, n = re.subn(r"(?m)^\[server\]\s*$", "[server]\nadmin_second_factor = " + value,
                          text, count=1)
    if n != 1:
        raise RuntimeError("mimamori.conf has no [server] section")
    with open(conf, "w", encoding="utf-8") as f:
        f.write(text)


def totp_code(secret_b32, t=None, digits=6, step=30):
    """RFC 6238 (HMAC-SHA1) code of a base32 secret at unix time t (now): the test's own
    authenticator, written from the RFC with the standard library."""
    import base64
    import hashlib
    import hmac
    import struct
    key = base64.b32decode(secret_b32 + "=" * (-len(secret_b32) % 8))
    counter = int((time.time() if t is None else t) // step)
    mac = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    off = mac[-1] & 0x0F
    n = struct.unpack(">I", mac[off:off + 4])[0] & 0x7FFFFFFF
    return str(n % (10 ** digits)).zfill(digits)


class DataDir:
    """A fresh data directory under a temporary directory (removed by cleanup(), with the
    databases of the data directories made under it on PostgreSQL: engines.py)."""

    def __init__(self, init=True):
        self.tmp = tempfile.mkdtemp(prefix="mimamori-e2e-")
        self.path = os.path.join(self.tmp, "data")
        if init:
            cli_ok("init", "--data", self.path)
            set_second_factor(self.path, "optional")

    def cleanup(self):
        engines.drop_databases(self.tmp)
        shutil.rmtree(self.tmp, ignore_errors=True)

    def connect(self, readonly=False):
        """A connection to the database (engines.Db: sqlite3's interface on either engine)."""
        return engines.connect(self.path, readonly)

    def query(self, sql, *args):
        """Rows of a read-only query on the database (the server may be running)."""
        con = self.connect(readonly=True)
        try:
            return con.execute(sql, args).fetchall()
        finally:
            con.close()

    def execute(self, *statements):
        """Runs statements — SQL text, or (SQL, parameters) — in one transaction."""
        with self.connect() as con:
            for s in statements:
                if isinstance(s, str):
                    con.execute(s)
                else:
                    con.execute(s[0], s[1])

    def clone(self, name):
        """A copy of this data directory (its server stopped) under the same temporary
        directory, with a database of its own; returns its path."""
        dst = os.path.join(self.tmp, name)
        engines.clone(self.path, dst)
        return dst

    def set_base_url(self, url):
        conf = os.path.join(self.path, "mimamori.conf")
        with open(conf, encoding="utf-8") as f:
            text = f.read()
        text = re.sub(r"(?m)^base_url\s*=.*$", "base_url = " + url, text)
        with open(conf, "w", encoding="utf-8") as f:
            f.write(text)

    def site_add(self, code, name, type_="gakudo", opens=None, closes=None):
        args = ["site", "add", "--data", self.path, "--code", code, "--name", name,
                "--type", type_]
        if opens:
            args += ["--opens", opens]
        if closes:
            args += ["--closes", closes]
        return cli_ok(*args)

    def user_add(self, login, role, sites=(), password=PASSWORD):
        args = ["user", "add", "--data", self.path, "--login", login, "--role", role]
        for s in sites:
            args += ["--site", s]
        args.append("--password-stdin")
        return cli_ok(*args, input=(password + "\n").encode())

    def write_csv(self, name, rows, header=None, encoding="utf-8", bom=False, raw=None):
        path = os.path.join(self.tmp, name)
        write_roster(path, rows, header=header, encoding=encoding, bom=bom, raw=raw)
        return path

    def import_children(self, csv_path, expect_ok=True):
        # A hang guard, not a speed check: 10,000 rows on a loaded machine take minutes.
        r = cli("import", "children", "--data", self.path, csv_path, timeout=600)
        if expect_ok and r.rc != 0:
            raise AssertionError("import failed: rc=%d %s" % (r.rc, r.err))
        return r

    def import_one_child_each(self, addrs, prefix="C", site="G01", name="roster.csv"):
        """Imports one child of site per guardian address (child numbers prefix + 00000…):
        each new guardian gets one confirmation mail."""
        rows = [["%s%05d" % (prefix, i), site, "試験 太郎%d" % i, "シケン タロウ", "3",
                 "2016-04-02", "試験 花子%d" % i, a] for i, a in enumerate(addrs)]
        return self.import_children(self.write_csv(name, rows))

    def card_issue(self, site=None, child=None):
        if site:
            return cli_ok("card", "issue", "--data", self.path, "--site", site)
        return cli_ok("card", "issue", "--data", self.path, "--child", child)

    def card_sheet(self, site):
        out = os.path.join(self.tmp, "cards-%s.pdf" % site)
        cli_ok("card", "sheet", "--data", self.path, "--site", site, "--out", out)
        return out

    def kiosk_add(self, site):
        r = cli_ok("kiosk", "add", "--data", self.path, "--site", site)
        tok = r.out.strip()
        assert tok and "\n" not in tok, r
        return tok

    def audit_verify(self):
        return cli("audit", "verify", "--data", self.path)

    def all_files(self):
        """Every file of the data directory, and on PostgreSQL its database's own files."""
        out = []
        for root, _dirs, files in os.walk(self.path):
            for f in files:
                out.append(os.path.join(root, f))
        if engines.PG:
            out += engines.store_files(self.path, wal=False)
        return out


def write_roster(path, rows, header=None, encoding="utf-8", bom=False, raw=None):
    """Writes a roster CSV (CRLF lines). rows: lists of 8 values in ENGLISH_HEADER order, or
    raw: the complete text (header included) when exact bytes matter."""
    if raw is None:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\r\n")
        w.writerow(header or ENGLISH_HEADER)
        for r in rows:
            w.writerow(r)
        raw = buf.getvalue()
    data = raw.encode(encoding)
    if bom:
        data = b"\xef\xbb\xbf" + data
    with open(path, "wb") as f:
        f.write(data)


# ---------------------------------------------------------------------------------------------
# SMTP sink

def _unquote_local(addr):
    """'"taro..yamada."@docomo.ne.jp' -> 'taro..yamada.@docomo.ne.jp'."""
    addr = addr.strip().strip("<>")
    m = re.match(r'^"((?:[^"\\]|\\.)*)"@(.*)$', addr)
    if m:
        return re.sub(r"\\(.)", r"\1", m.group(1)) + "@" + m.group(2)
    return addr


class Mail:
    def __init__(self, rcpts, mail_from, data):
        self.raw_rcpts = list(rcpts)
        self.rcpts = [_unquote_local(r) for r in rcpts]
        self.mail_from = mail_from
        self.data = data
        self.msg = email.message_from_bytes(data, policy=email.policy.default)

    @property
    def subject(self):
        return str(self.msg["Subject"])

    @property
    def to_addresses(self):
        h = self.msg["To"]
        return [_unquote_local(a.addr_spec) for a in h.addresses] if h is not None else []

    @property
    def body(self):
        part = self.msg.get_body(preferencelist=("plain",)) or self.msg
        return part.get_content()

    @property
    def confirm_token(self):
        m = re.search(r"/confirm/\?t=([A-Za-z0-9_\-~.%]+)", self.body)
        return m.group(1) if m else None

    def __repr__(self):
        return "Mail(to=%r, subject=%r)" % (self.rcpts, self.subject)


class _SinkHandler:
    def __init__(self, sink):
        self.sink = sink

    async def handle_DATA(self, server, session, envelope):
        self.sink._add(Mail(envelope.rcpt_tos, envelope.mail_from,
                            envelope.original_content or envelope.content))
        return "250 OK"


def start_controller(make):
    """Starts the aiosmtpd controller make(port) returns on a free port, another port when the
    chosen one was taken meanwhile (at most 5); returns (controller, port)."""
    for attempt in range(5):
        port = free_port()
        c = make(port)
        try:
            c.start()
            return c, port
        except Exception:  # port taken meanwhile: try another
            if attempt == 4:
                raise


class SmtpSink:
    """aiosmtpd in-process on a free 127.0.0.1 port; keeps every message with its envelope."""

    def __init__(self):
        self._lock = threading.Condition()
        self.mails = []
        self.controller, self.port = start_controller(
            lambda port: Controller(_SinkHandler(self), hostname="127.0.0.1", port=port,
                                    ready_timeout=10))
        self.url = "smtp://127.0.0.1:%d" % self.port

    def _add(self, m):
        with self._lock:
            self.mails.append(m)
            self._lock.notify_all()

    def stop(self):
        if self.controller:
            try:
                self.controller.stop()
            except Exception:
                pass
            self.controller = None

    def snapshot(self):
        with self._lock:
            return list(self.mails)

    def to(self, addr):
        return [m for m in self.snapshot() if addr in m.rcpts]

    def wait_for(self, pred, timeout=20.0, what="mail"):
        """Waits until pred(list of mails) is true; returns the list."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                if pred(list(self.mails)):
                    return list(self.mails)
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError("timed out waiting for %s; have %r" %
                                         (what, self.mails))
                self._lock.wait(min(left, 0.5))

    def wait_count(self, n, timeout=20.0):
        return self.wait_for(lambda ms: len(ms) >= n, timeout, "%d mails" % n)

    def wait_to(self, addr, n=1, timeout=20.0):
        self.wait_for(lambda ms: sum(addr in m.rcpts for m in ms) >= n, timeout,
                      "%d mail(s) to %s" % (n, addr))
        return self.to(addr)


def read_maildir(path):
    """Mails in a Maildir's new/ (and cur/), oldest first."""
    out = []
    files = sorted(glob.glob(os.path.join(path, "new", "*")) +
                   glob.glob(os.path.join(path, "cur", "*")), key=os.path.getmtime)
    for f in files:
        with open(f, "rb") as fh:
            data = fh.read()
        m = Mail([], None, data)
        m.rcpts = m.to_addresses
        out.append(m)
    return out


# ---------------------------------------------------------------------------------------------
# HTTP

class Resp:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    @property
    def text(self):
        return self.body.decode("utf-8", "replace")

    @property
    def json(self):
        return json.loads(self.body.decode("utf-8"))

    def header(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None

    def __repr__(self):
        return "Resp(%d, %r)" % (self.status, self.body[:300])


class Client:
    """A tiny HTTP client keeping one session cookie and the CSRF token."""

    def __init__(self, port, kiosk_token=None, source=None):
        self.port = port
        self.cookie = None
        self.extra_cookies = {}  # name -> value, sent besides the session (a device's cookie)
        self.csrf = None
        self.kiosk_token = kiosk_token
        self.source = source

    def request(self, method, path, body=None, headers=None, csrf=True, timeout=30):
        h = {}
        if body is not None and not isinstance(body, (bytes, bytearray)):
            body = json.dumps(body, ensure_ascii=False).encode("utf-8")
            h["Content-Type"] = "application/json"
        cookies = ([self.cookie] if self.cookie else []) + \
            ["%s=%s" % kv for kv in self.extra_cookies.items()]
        if cookies:
            h["Cookie"] = "; ".join(cookies)
        if self.csrf and csrf:
            h["X-CSRF-Token"] = self.csrf
        if self.kiosk_token:
            h["Authorization"] = "Bearer " + self.kiosk_token
        if headers:
            h.update(headers)
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout,
                                          source_address=(self.source, 0) if self.source
                                          else None)
        try:
            conn.request(method, path, body=body, headers=h)
            r = conn.getresponse()
            data = r.read()
            resp = Resp(r.status, r.getheaders(), data)
        finally:
            conn.close()
        sc = resp.header("Set-Cookie")
        if sc and sc.startswith("mimamori_approved_device="):
            # a ward-approved device's credential (enrolment): kept beside the session
            self.extra_cookies["mimamori_approved_device"] = sc.split(";", 1)[0].split("=", 1)[1]
        elif sc:
            self.cookie = sc.split(";", 1)[0]
        return resp

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def stream_head(self, path, timeout=30):
        """GET path as this client; an answer that stays open (Server-Sent Events, a 200 of
        text/event-stream) is closed after its headers, with an empty body."""
        h = {}
        cookies = ([self.cookie] if self.cookie else []) + \
            ["%s=%s" % kv for kv in self.extra_cookies.items()]
        if cookies:
            h["Cookie"] = "; ".join(cookies)
        if self.kiosk_token:
            h["Authorization"] = "Bearer " + self.kiosk_token
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout,
                                          source_address=(self.source, 0) if self.source
                                          else None)
        try:
            conn.request("GET", path, headers=h)
            sock = conn.sock
            r = conn.getresponse()
            stream = r.status == 200 and (r.getheader("Content-Type") or "").startswith(
                "text/event-stream")
            resp = Resp(r.status, r.getheaders(), b"" if stream else r.read())
            if stream:
                sock.close()
        finally:
            conn.close()
        return resp

    def post(self, path, body=None, **kw):
        return self.request("POST", path, body=body if body is not None else {}, **kw)

    def login(self, login, password=PASSWORD):
        r = self.post("/api/v1/session", {"login": login, "password": password})
        if r.status == 200:
            self.csrf = r.json.get("csrf")
        return r

    def login_code(self, login, code, password=PASSWORD):
        """Signs in with the password, then the second factor's code (or a recovery code).
        Returns the last answer; the first when it was no 401 second_factor_required."""
        r = self.login(login, password)
        if r.status != 401 or r.json.get("code") != "second_factor_required":
            return r
        r = self.post("/api/v1/session/totp", {"challenge": r.json["challenge"],
                                                "code": code})
        if r.status == 200:
            self.csrf = r.json.get("csrf")
        return r

    def scan(self, code):
        return self.post("/api/v1/scans", {"code": code})

    def board(self, site):
        return self.get("/api/v1/sites/%s/board" % site)


# ---------------------------------------------------------------------------------------------
# Server

class Server:
    """`mimamori serve` as a subprocess on a free port; stderr goes to a log file (by default
    inside the data directory, so that the canary test greps it too)."""

    BIND_FAILED = "で待ち受けできません"

    def __init__(self, data, mail=None, port=None, env=None, log_dir=None, on_port=None):
        self.data = data
        self.mail = mail
        self.env = env
        self.port_chosen = port is None  # a port of our choice may be chosen again
        self.on_port = on_port  # called with the URL before a first start (e.g. base_url)
        self.port = port or free_port()
        self.log_dir = log_dir or data.path
        self.proc = None
        self.logs = []
        self.url = "http://127.0.0.1:%d" % self.port

    def start(self, timeout=30.0):
        """Starts the server and waits for /healthz; a port of our choice that another process
        took meanwhile is replaced by a new one (at most 5 times)."""
        first = not self.logs  # a restart keeps its port (and whatever base_url is set)
        retry = self.port_chosen and first
        for attempt in range(5):
            try:
                return self._start_once(timeout, announce=first)
            except AssertionError:
                if not retry or attempt == 4 or not self._bind_failed():
                    raise
                self._close_files()
                self.port = free_port()
                self.url = "http://127.0.0.1:%d" % self.port

    def _bind_failed(self):
        try:
            with open(self.log_path, "rb") as f:
                return self.BIND_FAILED in f.read().decode("utf-8", "replace")
        except OSError:
            return False

    def _start_once(self, timeout, announce):
        if self.on_port and announce:
            self.on_port(self.url)
        args = [BIN, "serve", "--data", self.data.path, "--listen", "127.0.0.1:%d" % self.port]
        if self.mail:
            args += ["--mail", self.mail]
        env = dict(os.environ)
        env.setdefault("MIMAMORI_WEB", os.path.join(REPO, "web"))
        if self.env:
            env.update(self.env)
        n = len(self.logs)
        self.log_path = os.path.join(self.log_dir, "server-%d.log" % n)
        self.out_path = os.path.join(self.log_dir, "server-%d.out" % n)
        self.logs.append(self.log_path)
        self._err = open(self.log_path, "wb")
        self._out = open(self.out_path, "wb")
        self.proc = subprocess.Popen(args, stdout=self._out, stderr=self._err, env=env,
                                     start_new_session=True)
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise AssertionError("mimamori serve exited with %d: %s" %
                                     (self.proc.returncode, self.stderr_text()))
            try:
                c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                c.request("GET", "/healthz")
                r = c.getresponse()
                r.read()
                c.close()
                if r.status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() >= deadline:
                self.kill()
                raise AssertionError("mimamori serve not healthy within %.0fs: %s" %
                                     (timeout, self.stderr_text()))
            time.sleep(0.05)
        with open(self.out_path, "rb") as f:
            out = f.read().decode("utf-8", "replace")
        return out

    def stderr_text(self):
        texts = []
        for p in self.logs:
            try:
                with open(p, "rb") as f:
                    texts.append(f.read().decode("utf-8", "replace"))
            except OSError:
                pass
        return "\n".join(texts)

    def _close_files(self):
        for f in (getattr(self, "_err", None), getattr(self, "_out", None)):
            if f:
                f.close()

    def stop(self, timeout=15.0):
        """SIGTERM and wait; returns the exit status (None if it had to be killed)."""
        if not self.proc:
            return None
        rc = None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                rc = self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        else:
            rc = self.proc.returncode
        self.proc = None
        self._close_files()
        return rc

    def kill(self):
        """SIGKILL, no chance to clean up."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)
        self.proc = None
        self._close_files()

    def client(self, kiosk_token=None, source=None):
        """A client of this server; source is its own loopback address (e.g. 127.0.0.9, all of
        127/8 reaches the server), for tests whose many calls would meet the per-address
        sign-in throttle."""
        return Client(self.port, kiosk_token=kiosk_token, source=source)


# ---------------------------------------------------------------------------------------------
# Card sheets

def pdf_text(pdf):
    p = subprocess.run(["pdftotext", "-enc", "UTF-8", "-layout", pdf, "-"], capture_output=True,
                       timeout=60)
    if p.returncode != 0:
        raise AssertionError("pdftotext failed: %s" % p.stderr.decode(errors="replace"))
    return p.stdout.decode("utf-8")


def _pgm_tiles(path):
    """Writes path (a binary PGM page) cut into overlapping tiles of half its width and a
    quarter of its height, beside it; returns their paths."""
    with open(path, "rb") as f:
        magic, size, _maxval, px = f.read().split(b"\n", 3)
    if magic != b"P5":
        raise AssertionError("pdftoppm -gray wrote no binary PGM: %r" % magic)
    w, h = map(int, size.split())
    tw, th = w // 2, h // 4
    names = []
    for ty in range(0, h - th + 1, th // 2):
        for tx in range(0, w - tw + 1, tw // 2):
            name = "%s-t%d-%d.pgm" % (path[:-4], tx, ty)
            with open(name, "wb") as f:
                f.write(b"P5\n%d %d\n255\n" % (tw, th))
                f.write(b"".join(px[(ty + r) * w + tx:(ty + r) * w + tx + tw]
                                 for r in range(th)))
            names.append(name)
    return names


def decode_qr_codes(pdf):
    """Every QR code on every page of pdf, in page order without repeats. zbar reading a whole
    page of ten cards misses one code in ~80 at any one resolution (measured: 300, 250, 200 and
    150 dpi each missed some, and 300 + 200 together failed a test), where a real reader sees
    one card at a time: so each page, at 200 dpi, is read whole (a code larger than a tile)
    and in overlapping tiles of half its width and a quarter of its height, each of which holds
    every card of a sheet whole in one of them (80 of 80 in every trial)."""
    d = tempfile.mkdtemp(prefix="mimamori-qr-")
    try:
        prefix = os.path.join(d, "p")
        p = subprocess.run(["pdftoppm", "-r", "200", "-gray", pdf, prefix],
                           capture_output=True, timeout=120)
        if p.returncode != 0:
            raise AssertionError("pdftoppm failed: %s" % p.stderr.decode(errors="replace"))
        codes = []
        for page in sorted(glob.glob(prefix + "*.pgm")):
            z = subprocess.run(["zbarimg", "--raw", "-q", page] + _pgm_tiles(page),
                               capture_output=True, timeout=120)
            # zbarimg exits 4 when no image holds a code
            for line in z.stdout.decode().splitlines():
                if line.strip() and line not in codes:
                    codes.append(line)
        return codes
    finally:
        shutil.rmtree(d, ignore_errors=True)


class ServerTestCase(unittest.TestCase):
    """Base class: self.data, self.smtp and servers started through self.start_server() are
    cleaned up; a sanitizer report in a server's stderr fails the test."""

    def setUp(self):
        self.data = DataDir()
        self.smtp = None
        self.servers = []

    def start_smtp(self):
        self.smtp = SmtpSink()
        return self.smtp

    def start_server(self, mail=None, env=None):
        if mail is None and self.smtp:
            mail = self.smtp.url
        s = Server(self.data, mail=mail, env=env, on_port=self.data.set_base_url)
        self.servers.append(s)
        s.start()
        return s

    def use_file_clock(self, epoch):
        """Moves this test's servers and commands to a clock read from a file (set at epoch;
        MIMAMORI_FAKE_NOW_FILE for every process started from now on, put back after the
        test); set_clock moves it."""
        self.clock = os.path.join(self.data.tmp, "now")
        self.set_clock(epoch)
        before = os.environ.get("MIMAMORI_FAKE_NOW_FILE")
        os.environ["MIMAMORI_FAKE_NOW_FILE"] = self.clock
        self.addCleanup(lambda: os.environ.pop("MIMAMORI_FAKE_NOW_FILE", None)
                        if before is None else os.environ.update(MIMAMORI_FAKE_NOW_FILE=before))

    def set_clock(self, epoch):
        """Sets the file clock of use_file_clock to epoch (seconds), whole at once."""
        with open(self.clock + ".tmp", "w") as f:
            f.write(str(epoch))
        os.replace(self.clock + ".tmp", self.clock)
        time.sleep(0.15)  # the server re-reads the file at most every 50 ms

    def guardian_sign_in(self, addr, srv=None):
        """Signs the guardian addr in through the mail link (POST login-links, the newest link
        mail in self.smtp, POST session); returns (client with the parent cookie and CSRF
        token, the link mail)."""
        g = (srv or self.srv).client()
        links = lambda: [m for m in self.smtp.to(addr) if "#login=" in m.body]  # noqa: E731
        n = len(links())
        r = g.post("/api/v1/parent/login-links", {"email": addr})
        self.assertEqual(r.status, 202, r)
        mail = wait_until(lambda: len(links()) > n and links()[-1], what="the sign-in mail")
        r = g.post("/api/v1/parent/session", {"token": mail.body.split("#login=")[1].split()[0]})
        self.assertEqual(r.status, 200, r)
        g.csrf = r.json["csrf"]
        return g, mail

    def send_emergency(self, admin, expect, site="G01", body="本日は15時で閉所します。"):
        """Sends an emergency (bulk) mail to site as admin (a signed-in client) with a subject
        numbered per test; waits until the expected recipients' mails reached self.smtp and
        returns {address: Mail}."""
        self._emergencies = getattr(self, "_emergencies", 0) + 1
        subject = "【緊急】閉所のお知らせ %d" % self._emergencies
        r = admin.post("/api/v1/emergency-sends", {"sites": [site], "subject": subject,
                                                   "body": body})
        self.assertEqual(r.status, 201, r)
        self.assertEqual((r.json["state"], r.json["recipients"]), ("sent", len(expect)), r)
        self.smtp.wait_for(lambda ms: sum(m.subject == subject for m in ms) >= len(expect),
                           what="%d mails of send %d" % (len(expect), self._emergencies))
        time.sleep(0.3)  # a mail to someone not expected would arrive now
        got = {m.rcpts[0]: m for m in self.smtp.snapshot() if m.subject == subject}
        self.assertEqual(sorted(got), sorted(expect))
        return got

    def tearDown(self):
        reports = []
        for s in self.servers:
            s.stop()
            rep = sanitizer_report(s.stderr_text())
            if rep:
                reports.append(rep)
        if self.smtp:
            self.smtp.stop()
        self.data.cleanup()
        if reports:
            self.fail("sanitizer report in server stderr:\n" + "\n".join(reports))
