#!/usr/bin/python3
"""school_send.py — the schools' mass mail benchmark of issue 13 for bench/run.sh.

`mimamori demo` makes the ward's 48 schools with about 43,000 registrations (about 38,000
addresses: a family with two children gets one mail). The physical limit: Postfix's
smtp-source sends as many messages as the send will have, of the same size, into Postfix's
smtp-sink over 10 parallel sessions, each reused (-s 10 -d). Then, in the same run and into the
same smtp-sink, `mimamori serve` sends one send to every school as a person does it through the
API: the ward staff composes it to all 48 schools (a send to several schools waits for a second
person), the ward administrator approves it, and the approval queues one message per address
(each sealed under schoolmail's key, with its own 読みました link, footer link and
List-Unsubscribe) that the sender thread sends over the same number of sessions. Time runs from
the approval's request to the last row of the send marked sent (read from the database every
50 ms): "ratio" is that end-to-end rate over smtp-source's. "deliver_ratio" times from the
approval's answer (the send queued and committed in one transaction) to the last row sent, as
bench/mail.py measures the clubs' mail (rows already queued); "approve_s" is the queueing. The
server's RSS is sampled from /proc every 50 ms over the whole run (serve, compose, approve,
send). --data-from copies a demo directory made before (to repeat runs quickly).

Prints one line "SCHOOL_SEND_RESULT key=value ..." and writes the same as JSON to --out."""
import argparse
import http.cookiejar
import json
import os
import re
import shlex
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mail import SINK, SOURCE, free_port, wait_port, run, rss_kb, cpu_ticks  # noqa: E402


class Api:
    """A signed-in session of the HTTP API (cookie and CSRF token)."""

    def __init__(self, base, login, password):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        self.csrf = None
        self.csrf = self.call("POST", "/api/v1/session",
                              {"login": login, "password": password})["csrf"]

    def call(self, method, path, body=None):
        req = urllib.request.Request(self.base + path, method=method,
                                     data=json.dumps(body or {}).encode(),
                                     headers={"Content-Type": "application/json"})
        if self.csrf:
            req.add_header("X-CSRF-Token", self.csrf)
        with self.opener.open(req, timeout=600) as r:
            return json.loads(r.read() or b"{}")


def credential(text, login):
    m = re.search(r"login %s\s+password (\S+)" % re.escape(login), text)
    if not m:
        raise SystemExit("bench/school_send.py: no password of %s in the demo's credentials" % login)
    return m.group(1)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bin", required=True, help="the mimamori binary")
    ap.add_argument("--work", required=True, help="working directory (removed first)")
    ap.add_argument("--sessions", type=int, default=10, help="SMTP sessions of both sides")
    ap.add_argument("--out", help="write the result as JSON here")
    ap.add_argument("--data-from", help="copy this demo data directory instead of making one "
                    "(to repeat a run quickly; its earlier sends stay, each send is its own)")
    ap.add_argument("--wrap", default="", help="command the server runs under (a profiler)")
    a = ap.parse_args()

    shutil.rmtree(a.work, ignore_errors=True)
    os.makedirs(a.work)
    data = os.path.join(a.work, "data")
    t = time.monotonic()
    if a.data_from:
        shutil.copytree(a.data_from, data)
    else:
        # The clubs' part small (this measures the schools'); the schools' part is the demo's.
        run([a.bin, "demo", "--data", data, "--children", "300"], timeout=1800)
    demo_s = time.monotonic() - t
    with open(os.path.join(data, "demo-credentials.txt"), encoding="utf-8") as f:
        creds = f.read()
    db = os.path.join(data, "mimamori.db")
    with sqlite3.connect(db) as c:
        registrations = c.execute("SELECT COUNT(*) FROM school_registrants").fetchone()[0]
        addresses = c.execute(
            "SELECT COUNT(DISTINCT address_id) FROM school_registrants").fetchone()[0]
        codes = [r[0] for r in c.execute("SELECT code FROM schools ORDER BY code")]

    port = free_port()
    sink = subprocess.Popen([SINK, "-u", "nobody", "127.0.0.1:%d" % port, "256"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    srv = None
    try:
        wait_port(port)
        size = 1700  # a school mail as built: headers, body, 読みました and footer links
        hz = os.sysconf("SC_CLK_TCK")
        c0 = cpu_ticks(sink.pid)
        t = time.monotonic()
        run([SOURCE, "-s", str(a.sessions), "-d", "-m", str(addresses), "-l", str(size),
             "-f", "bench@example.jp", "-t", "family@example.jp", "127.0.0.1:%d" % port],
            timeout=600)
        src_s = time.monotonic() - t
        src_rate = addresses / src_s
        sink_cpu_source = round(100 * (cpu_ticks(sink.pid) - c0) / hz / src_s)

        http_port = free_port()
        env = dict(os.environ, MIMAMORI_MAIL_SESSIONS=str(a.sessions))
        srv = subprocess.Popen(shlex.split(a.wrap) + [a.bin, "serve", "--data", data, "--listen",
                                "127.0.0.1:%d" % http_port, "--mail",
                                "smtp://127.0.0.1:%d" % port],
                               stdout=subprocess.DEVNULL,
                               stderr=open(os.path.join(a.work, "server.log"), "w"), env=env)
        wait_port(http_port, 30)
        base = "http://127.0.0.1:%d" % http_port
        peak = rss_kb(srv.pid)
        staff = Api(base, "ward-staff", credential(creds, "ward-staff"))
        admin = Api(base, "admin", credential(creds, "admin"))
        peak = max(peak, rss_kb(srv.pid))
        body = ("保護者の皆様\n\n台風の接近に伴い、明日は区内の全校・全園を臨時休校とします。\n"
                "今後の予定は、決まりしだい、このメールでお知らせします。")
        t = time.monotonic()
        s = staff.call("POST", "/api/v1/school-sends", {
            "targets": [{"school": code} for code in codes], "subject": "【休校】臨時休校のお知らせ",
            "body": body, "read_confirm": True})
        compose_s = time.monotonic() - t
        if s["state"] != "awaiting_approval":
            raise SystemExit("bench/school_send.py: the send is %s, not awaiting approval" %
                             s["state"])
        peak = max(peak, rss_kb(srv.pid))
        c1 = cpu_ticks(sink.pid)
        s0 = cpu_ticks(srv.pid)
        t = time.monotonic()
        admin.call("POST", "/api/v1/school-sends/%d/approve" % s["id"])
        approve_s = time.monotonic() - t
        send_id = "school:%d" % s["id"]
        conn = sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=5)
        total = conn.execute("SELECT COUNT(*) FROM outbox WHERE send_id = ?",
                             (send_id,)).fetchone()[0]
        sent = 0
        deadline = time.monotonic() + 1800
        while time.monotonic() < deadline:
            peak = max(peak, rss_kb(srv.pid))
            try:
                # Through the covering index of due rows (a count by send_id would read every
                # row's sealed message, 50 MB, twenty times a second, on the server's cores):
                # nothing else is waiting in this outbox, so what is not pending is sent.
                pending = conn.execute("SELECT COUNT(*) FROM outbox WHERE state IN "
                                       "('queued', 'deferred', 'sending')").fetchone()[0]
                sent = total - pending
            except sqlite3.OperationalError:
                pass
            if sent >= total:
                break
            if srv.poll() is not None:
                raise SystemExit("bench/school_send.py: the server stopped")
            time.sleep(0.05)
        mail_s = time.monotonic() - t
        c2 = cpu_ticks(sink.pid)
        srv_cpu = cpu_ticks(srv.pid) - s0
        peak = max(peak, rss_kb(srv.pid))
        states = dict(conn.execute("SELECT state, COUNT(*) FROM outbox WHERE send_id = ? "
                                   "GROUP BY state", (send_id,)))
        conn.close()
    finally:
        if srv and srv.poll() is None:
            if a.wrap:
                # The profiler's child is the server: stop it, the profiler then ends.
                try:
                    with open("/proc/%d/task/%d/children" % (srv.pid, srv.pid)) as f:
                        kids = [int(k) for k in f.read().split()]
                except OSError:
                    kids = []
                for k in kids:
                    os.kill(k, signal.SIGTERM)
            else:
                srv.terminate()
            srv.wait(timeout=60)
        sink.terminate()
        sink.wait(timeout=10)
    mail_rate = sent / mail_s
    # Delivery alone, as bench/mail.py measures the clubs' mail (rows already queued): from the
    # approval's answer (the send queued and committed) to the last row sent.
    deliver_rate = sent / max(mail_s - approve_s, 0.001)
    res = {
        "schools": len(codes), "registrations": registrations, "messages": total,
        "sessions": a.sessions, "size": size, "demo_s": round(demo_s, 1),
        "source_s": round(src_s, 2), "source_rate": round(src_rate),
        "compose_s": round(compose_s, 2), "approve_s": round(approve_s, 2),
        "mail_s": round(mail_s, 2), "mail_rate": round(mail_rate), "sent": sent,
        "states": ",".join("%s:%d" % kv for kv in sorted(states.items())),
        "ratio": round(100 * mail_rate / src_rate, 1),
        "deliver_rate": round(deliver_rate),
        "deliver_ratio": round(100 * deliver_rate / src_rate, 1),
        "rss_peak_mb": round(peak / 1024, 1),
        "sink_cpu_source": sink_cpu_source,
        "sink_cpu_mail": round(100 * (c2 - c1) / hz / mail_s),
        "server_cpu": round(100 * srv_cpu / hz / mail_s),
    }
    line = "SCHOOL_SEND_RESULT " + " ".join("%s=%s" % kv for kv in res.items())
    print(line)
    if a.out:
        with open(a.out, "w") as f:
            json.dump(res, f)
    return 0 if sent == total == addresses else 1


if __name__ == "__main__":
    sys.exit(main())
