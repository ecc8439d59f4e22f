#!/usr/bin/python3
"""bathpass.py — the bath pass's two targets (issue 15; docs/benchmarks.md, "Bath pass").

  1. The host extract of 89,086 rows → the snapshot of its differences (parse, match on the
     blind 宛名番号, seal every row, store) in < 5 s including encryption; reported with the
     ratio to a raw insert of the same rows, in clear, into a table of the same shape (SQLite,
     one transaction, the same machine): what the service's work costs over storing text.
     Then the approval (sealing each person's ten fields, eight search terms each), and a
     second import of the same file (every row unchanged: one keyed hash each, no unsealing).
  2. The counter's search over the sealed ledger at that size: p50/p99 of GET
     /api/v1/bath/people?q=… as a branch account, for ふりがな prefixes (2–4 kana), names,
     和暦 birth dates and 宛名番号, one request at a time on a keep-alive connection.

  bathpass.py --bin build/mimamori --work DIR [--rows 89086] [--queries 2000]

Generated, fictional data only (the demo's way: names from a fixed list, random dates)."""
import argparse
import http.client
import json
import os
import random
import sqlite3
import statistics
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import run, serve, session_cookie  # noqa: E402

HEADER = "宛名番号,氏名,ふりがな,生年月日,性別,郵便番号,住所,方書,電話番号,対象区分,異動事由,異動日"
SURNAMES = [("佐藤", "さとう"), ("鈴木", "すずき"), ("高橋", "たかはし"), ("田中", "たなか"),
            ("伊藤", "いとう"), ("渡辺", "わたなべ"), ("山本", "やまもと"), ("中村", "なかむら"),
            ("小林", "こばやし"), ("加藤", "かとう"), ("吉田", "よしだ"), ("山田", "やまだ"),
            ("佐々木", "ささき"), ("山口", "やまぐち"), ("松本", "まつもと"), ("井上", "いのうえ"),
            ("木村", "きむら"), ("林", "はやし"), ("斎藤", "さいとう"), ("清水", "しみず"),
            ("髙橋", "たかはし"), ("山﨑", "やまさき")]
GIVEN = [("一郎", "いちろう"), ("花子", "はなこ"), ("正", "ただし"), ("幸子", "さちこ"),
         ("茂", "しげる"), ("和子", "かずこ"), ("博", "ひろし"), ("洋子", "ようこ"),
         ("清", "きよし"), ("節子", "せつこ"), ("勝", "まさる"), ("京子", "きょうこ")]
PW = "bench-bath-password-1"


def make_rows(n, rnd):
    rows = []
    for i in range(n):
        s, sk = rnd.choice(SURNAMES)
        g, gk = rnd.choice(GIVEN)
        y = rnd.randint(1927, 1965)
        rows.append([str(100000 + i * 3), "%s %s" % (s, g), "%s %s" % (sk, gk),
                     "S%d.%d.%d" % (y - 1925, rnd.randint(1, 12), rnd.randint(1, 28)),
                     rnd.choice("男女"), "179%04d" % rnd.randint(0, 9999),
                     "桜台区本町%d丁目%d番%d号" % (rnd.randint(1, 5), rnd.randint(1, 30),
                                             rnd.randint(1, 20)),
                     "", "03%08d" % rnd.randint(0, 99999999), "高齢", "", ""])
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--rows", type=int, default=89086)
    ap.add_argument("--queries", type=int, default=2000)
    a = ap.parse_args()
    rnd = random.Random(15)
    os.makedirs(a.work, exist_ok=True)
    d = os.path.join(a.work, "ward")
    run(a.bin, "init", "--data", d)
    for login, role in (("office1", "bath_office"), ("office2", "bath_office"),
                        ("branch1", "bath_branch")):
        run(a.bin, "user", "add", "--data", d, "--login", login, "--role", role,
            "--password-stdin", stdin=(PW + "\n").encode())
    run(a.bin, "bathpass", "staff", "--data", d, "--login", "branch1", "--place", "b01")
    rows = make_rows(a.rows, rnd)
    path = os.path.join(a.work, "extract.csv")
    with open(path, "w", encoding="cp932", newline="") as f:
        f.write(HEADER + "\r\n" + "".join(",".join(r) + "\r\n" for r in rows))

    # the raw insert: the same rows in clear, one transaction, the same engine
    raw_path = os.path.join(a.work, "raw.db")
    con = sqlite3.connect(raw_path)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=FULL")
    con.execute("CREATE TABLE t (line INTEGER, kind TEXT, fields TEXT, reason TEXT, data TEXT)")
    t = time.monotonic()
    with open(path, encoding="cp932") as f:
        lines = f.read().split("\r\n")[1:-1]
    with con:
        con.executemany("INSERT INTO t VALUES (?, 'new', '', '', ?)",
                        ((i + 2, l) for i, l in enumerate(lines)))
    raw = time.monotonic() - t
    con.close()

    snap, out = run(a.bin, "import", "residents", "--data", d, "--login", "office1", path)
    approve, _ = run(a.bin, "import", "approve", "--data", d, "--snapshot", "1", "--login",
                     "office2")
    again, out2 = run(a.bin, "import", "residents", "--data", d, "--login", "office1", path)
    print("rows %d\nsnapshot (parse, match, seal, store) %.2f s   raw insert in clear %.2f s"
          "   ratio %.1f\napproval (seal people, 8 search terms each) %.2f s\n"
          "second import, all unchanged %.2f s"
          % (a.rows, snap, raw, snap / raw if raw else 0, approve, again))
    print(out.splitlines()[0])
    print(out2.splitlines()[0])

    # the counter's search
    port = 20000 + rnd.randint(0, 20000)
    srv = serve(a.bin, d, port)
    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        cookie = session_cookie(c, "branch1", PW)
        qs = []
        for i in range(a.queries):
            row = rows[rnd.randrange(len(rows))]
            k = i % 4
            if k == 0:
                kana = row[2].replace(" ", "")
                qs.append(("kana", kana[:rnd.randint(2, 4)]))
            elif k == 1:
                qs.append(("name", row[1]))
            elif k == 2:
                qs.append(("birth", row[3]))
            else:
                qs.append(("resident", row[0]))
        lat = {}
        hits = {}
        for kind, q in qs:
            t = time.monotonic()
            c.request("GET", "/api/v1/bath/people?q=" + urllib.parse.quote(q),
                      headers={"Cookie": cookie})
            r = c.getresponse()
            body = r.read()
            dt = (time.monotonic() - t) * 1000
            if r.status != 200:
                sys.exit("search %s: %d %s" % (kind, r.status, body[:200]))
            lat.setdefault(kind, []).append(dt)
            hits.setdefault(kind, []).append(len(json.loads(body)["people"]))
        allv = sorted(v for vs in lat.values() for v in vs)
        for kind, vs in sorted(lat.items()):
            vs.sort()
            print("search %-8s n=%d p50 %.1f ms p99 %.1f ms max %.1f ms (people found: median %d)"
                  % (kind, len(vs), vs[len(vs) // 2], vs[int(len(vs) * 0.99) - 1], vs[-1],
                     statistics.median(hits[kind])))
        print("search all      n=%d p50 %.1f ms p99 %.1f ms" % (len(allv), allv[len(allv) // 2],
                                                           allv[int(len(allv) * 0.99) - 1]))
    finally:
        srv.terminate()
        srv.wait(10)


if __name__ == "__main__":
    main()
