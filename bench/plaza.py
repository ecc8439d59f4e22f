#!/usr/bin/python3
"""plaza.py — the plazas' two targets (issue 17 section 1; docs/benchmarks.md, "Plazas").

  1. 130,000 registered users over the five plazas (`mimamori demo --plaza-users 130000`, the
     other services kept small): the desk's search over the sealed users of one plaza (~26,000)
     — p50/p99 of GET /api/v1/plaza/users?q=… as the desk of 平井, for ふりがな prefixes (2–4
     kana), names, birth dates (和暦 too), phone numbers and card numbers, one request at a time
     on a keep-alive connection, each audited — against GET /healthz on the same connection (the
     HTTP round trip: the floor any answer pays). Target p99 < 50 ms.
  2. Registration cards for 1,000 users in one PDF (`mimamori plaza cards --all`: load and
     unseal, lay out through the platform's card sheets, QR codes, the handover ledger), against
     writing the same PDF's bytes with fsync (the disk's part of it).

  plaza.py --bin build/mimamori --work DIR [--users 130000] [--queries 2000]

Generated, fictional data only (the demo's names)."""
import argparse
import http.client
import json
import os
import random
import re
import statistics
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import run, serve, session_cookie  # noqa: E402


def wareki(iso):
    """The ISO date in the era calendar as people type it (平成28年5月1日, 令和元年…)."""
    y, m, d = (int(x) for x in iso.split("-"))
    for era, start in (("令和", (2019, 5, 1)), ("平成", (1989, 1, 8)), ("昭和", (1926, 12, 25))):
        if (y, m, d) >= start:
            n = y - start[0] + 1
            return "%s%s年%d月%d日" % (era, "元" if n == 1 else n, m, d)
    return iso


def pct(vs, p):
    vs = sorted(vs)
    return vs[max(0, int(len(vs) * p) - 1)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--users", type=int, default=130000)
    ap.add_argument("--queries", type=int, default=2000)
    a = ap.parse_args()
    rnd = random.Random(17)
    os.makedirs(a.work, exist_ok=True)
    d = os.path.join(a.work, "ward")
    demo, _ = run(a.bin, "demo", "--data", d, "--children", "59", "--bath-people", "0",
                  "--school-registrations", "0", "--sitter-applications", "0",
                  "--homehelp-households", "0", "--plaza-users", str(a.users))
    creds = open(os.path.join(d, "demo-credentials.txt"), encoding="utf-8").read()
    pw = re.search(r"login plaza-hirai\s+password (\S+)", creds).group(1)
    print("users %d (demo, one transaction: %.1f s)" % (a.users, demo))

    # queries from the plaza's own users, read back through the CLI's search (no plaintext kept)
    port = 20000 + rnd.randint(0, 20000)
    srv = serve(a.bin, d, port, tries=400)
    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        cookie = session_cookie(c, "plaza-hirai", pw)

        def get(path):
            t = time.monotonic()
            c.request("GET", path, headers={"Cookie": cookie})
            r = c.getresponse()
            body = r.read()
            return (time.monotonic() - t) * 1000, r.status, body

        # a sample of the plaza's users to ask for: found by the common kana of the demo's names
        sample = []
        for k in ("さとう", "すずき", "たかはし", "たなか", "いとう", "やまだ", "こばやし", "なかむら"):
            _, st, body = get("/api/v1/plaza/users?q=" + urllib.parse.quote(k))
            if st == 200:
                sample += json.loads(body)["users"]
        if not sample:
            sys.exit("no users found to search for")
        qs = []
        for i in range(a.queries):
            u = rnd.choice(sample)
            k = i % 5
            if k == 0:
                kana = u["kana"].replace(" ", "").replace("\u3000", "")
                qs.append(("kana", kana[:rnd.randint(2, 4)]))
            elif k == 1:
                qs.append(("name", u["name"]))
            elif k == 2:
                qs.append(("birth", u["birth"] if i % 2 else wareki(u["birth"])))
            elif k == 3:
                qs.append(("phone", u["phone"]))
            else:
                qs.append(("card", u["card_no"]))
        lat, hits, totals = {}, {}, {}
        floor = []
        for kind, q in qs:
            dt, st, body = get("/api/v1/plaza/users?q=" + urllib.parse.quote(q))
            if st != 200:
                sys.exit("search %s: %d %s" % (kind, st, body[:200]))
            j = json.loads(body)
            lat.setdefault(kind, []).append(dt)
            hits.setdefault(kind, []).append(len(j["users"]))
            totals.setdefault(kind, []).append(j["total"])
            floor.append(get("/healthz")[0])
        allv = [v for vs in lat.values() for v in vs]
        for kind, vs in sorted(lat.items()):
            print("search %-6s n=%d p50 %.1f ms p99 %.1f ms max %.1f ms (shown: median %g of %g)"
                  % (kind, len(vs), pct(vs, 0.5), pct(vs, 0.99), max(vs),
                     statistics.median(hits[kind]), statistics.median(totals[kind])))
        print("search all    n=%d p50 %.1f ms p99 %.1f ms (target p99 < 50 ms)   GET /healthz "
              "p50 %.2f ms p99 %.2f ms" % (len(allv), pct(allv, 0.5), pct(allv, 0.99),
                                          pct(floor, 0.5), pct(floor, 0.99)))
    finally:
        srv.terminate()
        srv.wait(10)

    # 1,000 cards in one PDF, against writing its bytes with fsync
    pdf = os.path.join(a.work, "cards.pdf")
    cards, out = run(a.bin, "plaza", "cards", "--data", d, "--plaza", "hirai", "--all", "--out",
                     pdf)
    data = open(pdf, "rb").read()
    t = time.monotonic()
    with open(pdf + ".copy", "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    raw = time.monotonic() - t
    n = int(re.search(r"登録カード (\d+) 枚", out).group(1))
    print("cards %d in one PDF (%d pages, %.1f MB) %.2f s (%.1f ms a card)   writing the same "
          "bytes with fsync %.3f s" % (n, (n + 9) // 10, len(data) / 1e6, cards,
                                       cards * 1000 / n, raw))


if __name__ == "__main__":
    main()
