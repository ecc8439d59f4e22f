#!/usr/bin/python3
"""sitter.py — the babysitter subsidy's two targets (issue 16; docs/benchmarks.md, "Babysitter
subsidy").

  1. The form under load: N applications keyed in through POST /api/v1/sitter/paper from 16
     connections at once (the form's whole work: parse and check every field, the cap's count,
     seal, store, search terms, audit). The public POST /api/v1/sitter/applications does the same
     work but is throttled per address (20 at once, then one every 30 s), so one machine cannot
     load it; /paper is the same path without the throttle. Reported as applications/s and as a
     ratio to the raw SQLite commit rate (--raw) and to the scan path's rate (--scans) measured
     in the same run by run.sh.
  2. A batch of N decided and paid: the contractor's checks and screens, the ward's N decisions
     (each a transaction counting the cap), the day's notices (one PDF, N window letters), one
     transfer (the 全銀 file); wall time of each, against N single-row commits at the raw rate
     and writing the same PDF and file bytes with fsync.

  sitter.py --bin build/mimamori --work DIR [--n 300] [--raw COMMITS_PER_S] [--scans SCANS_PER_S]

Generated, fictional data only."""
import argparse
import datetime
import http.client
import json
import os
import random
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import second_factor_optional, serve  # noqa: E402

PW = "bench-sitter-password-1"
SURNAMES = ["佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村", "小林", "加藤"]
KANA = ["サトウ", "スズキ", "タカハシ", "タナカ", "イトウ", "ワタナベ", "ヤマモト", "ナカムラ",
        "コバヤシ", "カトウ"]


def run(*args, stdin=None):
    r = subprocess.run(args, input=stdin, capture_output=True)
    if r.returncode != 0:
        sys.exit("failed: %s\n%s" % (" ".join(args), r.stderr.decode()))
    return r.stdout.decode()


def form(i, today, rnd):
    k = i % len(SURNAMES)
    day = today - datetime.timedelta(days=1 + rnd.randint(0, 200))
    return {"guardian": {"name": "%s 花子%d" % (SURNAMES[k], i), "kana": "%s ハナコ" % KANA[k],
                         "birth": "1990-05-01", "postcode": "1600022",
                         "address": "東京都桜台区本町%d丁目%d番" % (1 + i % 5, 1 + i % 30),
                         "phone": "090%08d" % i, "email": "bench%d@example.jp" % i},
            "children": [{"name": "%s 太郎%d" % (SURNAMES[k], i), "birth": "2023-04-10",
                          "multiple": False}],
            "uses": [{"date": day.isoformat(), "start": "18:00", "end": "23:30", "children": [0],
                      "company": "さくらシッター", "paid_yen": 16000}],
            "bank": {"bank_code": "9990", "branch_code": "002", "type": 1,
                     "number": "%07d" % i, "holder": "%s ハナコ" % KANA[k]}}


class Client:
    def __init__(self, port):
        self.c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookie = self.csrf = None

    def req(self, method, path, body=None):
        h = {"Content-Type": "application/json"} if body is not None else {}
        if self.cookie:
            h["Cookie"] = self.cookie
        if self.csrf:
            h["X-CSRF-Token"] = self.csrf
        data = json.dumps(body, ensure_ascii=False).encode() if body is not None else None
        self.c.request(method, path, body=data, headers=h)
        r = self.c.getresponse()
        out = r.read()
        sc = r.getheader("Set-Cookie")
        if sc:
            self.cookie = sc.split(";", 1)[0]
        return r.status, out

    def login(self, login):
        s, out = self.req("POST", "/api/v1/session", {"login": login, "password": PW})
        if s != 200:
            sys.exit("sign-in %s: %d %s" % (login, s, out[:200]))
        self.csrf = json.loads(out)["csrf"]


def fsync_copy(data, path):
    t = time.monotonic()
    with open(path, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    dt = time.monotonic() - t
    os.remove(path)
    return dt


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--n", type=int, default=300)
    ap.add_argument("--conns", type=int, default=16)
    ap.add_argument("--raw", type=float, default=0.0)
    ap.add_argument("--scans", type=float, default=0.0)
    a = ap.parse_args()
    rnd = random.Random(16)
    os.makedirs(a.work, exist_ok=True)
    d = os.path.join(a.work, "ward")
    run(a.bin, "init", "--data", d)
    second_factor_optional(d)  # the supervisor signs in with the password (a throughput run)
    for login, role in (("op", "grant_operator"), ("sv", "grant_supervisor"),
                        ("ws", "grant_staff"), ("ap", "grant_approver")):
        run(a.bin, "user", "add", "--data", d, "--login", login, "--role", role,
            "--password-stdin", stdin=(PW + "\n").encode())
        run(a.bin, "sitter", "staff", "--data", d, "--login", login)
    port = 20000 + rnd.randint(0, 20000)
    env = dict(os.environ)
    srv = serve(a.bin, d, port, env=env)
    try:
        # the ward's day (JST), as the server counts days: not this machine's local date
        today = datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=9))).date()
        forms = [form(i, today, rnd) for i in range(a.n)]

        # 1. the form under load
        ids, errors, lock = [], [], threading.Lock()

        first = Client(port)
        first.login("op")  # one session for every connection (sign-ins of one account at once
        # are refused by design)

        def worker(k):
            try:
                cl = Client(port)
                cl.cookie, cl.csrf = first.cookie, first.csrf
                for i in range(k, a.n, a.conns):
                    s, out = cl.req("POST", "/api/v1/sitter/paper", forms[i])
                    with lock:
                        if s == 201:
                            ids.append(json.loads(out)["application"]["id"])
                        else:
                            errors.append((s, out[:200]))
            except BaseException as ex:  # a thread's failure must reach the report
                with lock:
                    errors.append(("exception", repr(ex)))
        t = time.monotonic()
        threads = [threading.Thread(target=worker, args=(k,)) for k in range(a.conns)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        form_s = time.monotonic() - t
        if errors or len(ids) != a.n:
            sys.exit("form errors (%d stored of %d): %r" % (len(ids), a.n, errors[:3]))
        rate = a.n / form_s
        print("form: %d applications from %d connections in %.2f s = %.0f/s; ratio to raw "
              "commits %.2f, to scans %.2f" % (a.n, a.conns, form_s, rate,
                                               rate / a.raw if a.raw else 0,
                                               rate / a.scans if a.scans else 0))

        # 2. the batch: pre-screen, decide, notices, transfer
        op, apr, sv, ws = Client(port), Client(port), Client(port), Client(port)
        op.login("op"), apr.login("ap"), sv.login("sv"), ws.login("ws")
        t = time.monotonic()
        for i in ids:
            for item in ("guardian", "children", "uses", "receipts", "bank"):
                s, out = op.req("POST", "/api/v1/sitter/applications/%d/checks" % i,
                                {"item": item, "checked": True})
            s, out = op.req("POST", "/api/v1/sitter/applications/%d/screen" % i, {})
            if s != 200:
                sys.exit("screen: %d %s" % (s, out[:200]))
        screen_s = time.monotonic() - t
        t = time.monotonic()
        for i in ids:
            s, out = apr.req("POST", "/api/v1/sitter/applications/%d/decide" % i,
                             {"decision": "approve"})
            if s != 200:
                sys.exit("decide: %d %s" % (s, out[:200]))
        decide_s = time.monotonic() - t
        t = time.monotonic()
        s, out = sv.req("POST", "/api/v1/sitter/notices", {"date": today.isoformat()})
        if s != 201:
            sys.exit("notices: %d %s" % (s, out[:200]))
        nid = json.loads(out)["notice"]["id"]
        s, pdf = sv.req("GET", "/api/v1/sitter/notices/%d/pdf" % nid)
        notice_s = time.monotonic() - t
        t = time.monotonic()
        s, out = ws.req("POST", "/api/v1/sitter/payments",
                        {"pay_date": (today + datetime.timedelta(days=3)).isoformat()})
        if s != 201:
            sys.exit("payment: %d %s" % (s, out[:200]))
        pay = json.loads(out)["payment"]
        s, zfile = ws.req("GET", "/api/v1/sitter/payments/%d/file" % pay["id"])
        pay_s = time.monotonic() - t
        pdf_f = fsync_copy(pdf, os.path.join(a.work, "copy.pdf"))
        z_f = fsync_copy(zfile, os.path.join(a.work, "copy.txt"))
        raw_decide = a.n / a.raw if a.raw else 0
        batch = decide_s + notice_s + pay_s
        print("batch of %d: pre-screen (5 checks + screen each) %.2f s; decisions %.2f s "
              "(%d single-row commits at the raw rate: %.2f s, x%.1f); notices %d letters "
              "%.2f s, %.1f MB (fsync of the same bytes %.3f s); transfer %d items %d yen "
              "%.2f s, %d bytes (fsync %.3f s); decided, notified and paid in %.1f s"
              % (a.n, screen_s, decide_s, a.n, raw_decide,
                 decide_s / raw_decide if raw_decide else 0, a.n, notice_s, len(pdf) / 1e6,
                 pdf_f, pay["items"], pay["total_yen"], pay_s, len(zfile), z_f, batch))
        print("SITTER_RESULT form_per_s=%.0f form_ratio_raw=%.2f form_ratio_scans=%.2f "
              "decide_s=%.2f notices_s=%.2f pay_s=%.2f batch_s=%.1f"
              % (rate, rate / a.raw if a.raw else 0, rate / a.scans if a.scans else 0,
                 decide_s, notice_s, pay_s, batch))
    finally:
        srv.terminate()
        srv.wait(timeout=30)


if __name__ == "__main__":
    main()
