#!/usr/bin/python3
"""latency.py — scan-to-mail latency for bench/run.sh.

Starts an in-process SMTP server (aiosmtpd) that timestamps the acceptance of each message
(end of DATA), starts `mimamori serve` against it, sends scans at a fixed rate (default 200/s
for 10 s) from a few threads with keep-alive connections, waits until the outbox is drained,
and matches every mail to its scan.

Latency of a mail = time the SMTP server accepted it - time its scan was sent. Every mail is
counted (a child with two confirmed guardians gives two samples). Mails are matched to scans
exactly: Message-ID -> outbox row -> send_id "scan:<day>:<ms>:<child id>" -> child_no -> the (single)
scan of that child in the run. A mail not found that way falls back to the child's name in the
RFC 2047 subject: the first scan of that name sent before the mail and not yet matched.

Prints one line "LATENCY_RESULT key=value ..." and writes the same as JSON to --out.
"""
import argparse
import bisect
import email
import email.policy
import http.client
import json
import os
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.request

from aiosmtpd.controller import Controller


class Sink:
    """Records (accept time, subject) of each message."""

    def __init__(self):
        self.lock = threading.Lock()
        self.mails = []

    async def handle_DATA(self, server, session, envelope):
        t = time.time()
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        subject = str(msg.get("Subject", ""))
        mid = str(msg.get("Message-ID", "")).strip()
        with self.lock:
            self.mails.append((t, subject, mid))
        return "250 OK"


def child_name(subject):
    # 【見守り】NAMEさん 入室 HH:MM
    s = subject
    if "】" in s:
        s = s.split("】", 1)[1]
    i = s.rfind("さん ")
    return s[:i] if i >= 0 else None


def pct(sorted_vals, p):
    if not sorted_vals:
        return float("nan")
    k = max(0, min(len(sorted_vals) - 1, int(round(p / 100.0 * len(sorted_vals) + 0.5)) - 1))
    return sorted_vals[k]


def wait_health(port, deadline):
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as r:
                if r.status == 200:
                    return True
        except OSError:
            time.sleep(0.1)
    return False


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--pairs", required=True,
                    help="lines TOKEN<TAB>CODE<TAB>CHILD_NAME<TAB>CHILD_NO")
    ap.add_argument("--http-port", type=int, required=True)
    ap.add_argument("--smtp-port", type=int, required=True)
    ap.add_argument("--rate", type=float, default=200.0)
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--threads", type=int, default=4)
    ap.add_argument("--drain-timeout", type=float, default=60.0)
    ap.add_argument("--out")
    ap.add_argument("--log", default=os.devnull)
    a = ap.parse_args()

    pairs = []
    with open(a.pairs, encoding="utf-8") as f:
        for line in f:
            tok, code, name, child_no = line.rstrip("\n").split("\t")
            pairs.append((tok, json.dumps({"code": code}).encode(), name, child_no))
    n = int(a.rate * a.seconds)
    if n > len(pairs):
        sys.exit("latency.py: not enough cards for rate*seconds")

    sink = Sink()
    ctl = Controller(sink, hostname="127.0.0.1", port=a.smtp_port)
    ctl.start()
    log = open(a.log, "w")
    srv = subprocess.Popen([a.bin, "serve", "--data", a.data, "--listen",
                            f"127.0.0.1:{a.http_port}", "--mail",
                            f"smtp://127.0.0.1:{a.smtp_port}"],
                           stdout=log, stderr=subprocess.STDOUT)
    try:
        if not wait_health(a.http_port, time.time() + 20):
            sys.exit("latency.py: server did not come up")

        sent = [None] * n  # (send time, name, recorded, status)
        t0 = time.time() + 0.2

        def worker(k):
            conn = http.client.HTTPConnection("127.0.0.1", a.http_port, timeout=30)
            for i in range(k, n, a.threads):
                due = t0 + i / a.rate
                d = due - time.time()
                if d > 0:
                    time.sleep(d)
                tok, body, name, _ = pairs[i]
                ts = time.time()
                try:
                    conn.request("POST", "/api/v1/scans", body=body,
                                 headers={"Authorization": "Bearer " + tok,
                                          "Content-Type": "application/json"})
                    r = conn.getresponse()
                    data = r.read()
                    rec = r.status == 200 and json.loads(data).get("recorded") is True
                    sent[i] = (ts, name, rec, r.status, time.time() - ts)
                except (OSError, http.client.HTTPException):
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", a.http_port, timeout=30)
                    sent[i] = (ts, name, False, 0, time.time() - ts)

        ths = [threading.Thread(target=worker, args=(k,)) for k in range(a.threads)]
        for t in ths:
            t.start()
        for t in ths:
            t.join()
        t_end = time.time()

        # Wait until the outbox has nothing left to send (or the timeout).
        db = sqlite3.connect(f"file:{os.path.join(a.data, 'mimamori.db')}?mode=ro", uri=True,
                             timeout=10)
        queued = expected = -1
        while time.time() < t_end + a.drain_timeout:
            try:
                expected, queued = db.execute(
                    "SELECT COUNT(*), COALESCE(SUM(state IN ('queued','deferred','sending')),0)"
                    " FROM outbox WHERE send_id LIKE 'scan:%'").fetchone()
            except sqlite3.OperationalError:
                pass
            if queued == 0 and len(sink.mails) >= expected:
                break
            time.sleep(0.2)
        time.sleep(0.3)
        # Message-ID -> child_no, from the outbox (send_id is "scan:<day>:<ms>:<child id>").
        child_no = dict(db.execute("SELECT id, child_no FROM children").fetchall())
        mid_child = {mid: child_no.get(int(sid.rsplit(":", 1)[1])) for mid, sid in db.execute(
            "SELECT message_id, send_id FROM outbox WHERE send_id LIKE 'scan:%'").fetchall()}
        db.close()
    finally:
        srv.terminate()
        try:
            srv.wait(10)
        except subprocess.TimeoutExpired:
            srv.kill()
        ctl.stop()
        log.close()

    scans = [s for s in sent if s is not None]
    recorded = [s for s in scans if s[2]]
    # Primary match: the mail's Message-ID is in the outbox row, whose send_id names the child;
    # each child is scanned once in a run, so this is exact.
    sent_by_child = {pairs[i][3]: s[0] for i, s in enumerate(sent) if s is not None and s[2]}
    # Fallback (a mail whose Message-ID is not found): the child's name in the subject, greedy:
    # the first scan of that name sent before the mail and not yet matched.
    by_name = {}
    for s in recorded:
        by_name.setdefault(s[1], []).append(s[0])
    mails = sorted(sink.mails)
    lat = []
    unmatched = by_mid = 0
    used = {}
    for t, subj, mid in mails:
        ts = sent_by_child.get(mid_child.get(mid))
        if ts is not None and t >= ts:
            lat.append(t - ts)
            by_mid += 1
            continue
        name = child_name(subj)
        times = by_name.get(name, [])
        j = used.get(name, 0)
        if j < bisect.bisect_right(times, t):
            lat.append(t - times[j])
            used[name] = j + 1
        else:
            unmatched += 1
    lat.sort()
    http_lat = sorted(s[4] for s in scans)
    res = {
        "rate": a.rate,
        "seconds": a.seconds,
        "scans_sent": len(scans),
        "scans_recorded": len(recorded),
        "send_duration_s": round(t_end - t0, 3),
        "achieved_rate": round(len(scans) / max(t_end - t0, 1e-9), 1),
        "mails_expected": expected,
        "mails_received": len(mails),
        "mails_matched": len(lat),
        "matched_by_message_id": by_mid,
        "mails_unmatched": unmatched,
        "outbox_left": queued,
        "p50_ms": round(pct(lat, 50) * 1000, 1),
        "p99_ms": round(pct(lat, 99) * 1000, 1),
        "max_ms": round(lat[-1] * 1000, 1) if lat else float("nan"),
        "http_p50_ms": round(pct(http_lat, 50) * 1000, 1),
        "http_p99_ms": round(pct(http_lat, 99) * 1000, 1),
    }
    print("LATENCY_RESULT " + " ".join(f"{k}={v}" for k, v in res.items()), flush=True)
    if a.out:
        with open(a.out, "w") as f:
            json.dump(res, f, indent=1)


if __name__ == "__main__":
    main()
