#!/usr/bin/python3
"""board_render_ab.py — what a changed board costs to render, two builds alternated.

  board_render_ab.py --ward DIR BIN_A BIN_B [--site G01] [--n 300]

Starts each binary's server on its own copy of the ward in DIR (a `mimamori demo` data
directory, e.g. bench/run.sh's BENCH_WARD/ward), clock at 15:40 JST today, signs in as the
site's staff (demo-credentials.txt), then N times, alternating which server goes first: bumps
the site's board_version in the copy's database (what any change does) and GETs the board, so
that every GET renders. Prints p50 / p90 / mean of each (the first 10 dropped): the same
machine, the same moments, only the build differs. SQLite wards only.
"""
import argparse
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import board  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ward", required=True)
    ap.add_argument("--site", default="G01")
    ap.add_argument("--n", type=int, default=300)
    ap.add_argument("bins", nargs=2)
    a = ap.parse_args()
    now = int(subprocess.check_output(
        ["date", "-d", "today 15:40", "+%s"], env=dict(os.environ, TZ="Asia/Tokyo")))
    work = tempfile.mkdtemp(prefix="mimamori-render-ab-")
    srvs, apis, cons = [], [], []
    try:
        for k, b in enumerate(a.bins):
            ward = os.path.join(work, "w%d" % k)
            shutil.copytree(a.ward, ward)
            port = board.free_port()
            srvs.append(subprocess.Popen(
                [b, "serve", "--data", ward, "--listen", "127.0.0.1:%d" % port,
                 "--mail", "maildir:" + os.path.join(work, "mail%d" % k)],
                env=dict(os.environ, MIMAMORI_FAKE_NOW=str(now)), stdout=subprocess.DEVNULL,
                stderr=open(os.path.join(work, "serve%d.log" % k), "w")))
            if not board.wait_health("127.0.0.1", port, time.time() + 60):
                sys.exit("board_render_ab: %s did not come up" % b)
            api = board.Api("127.0.0.1", port)
            login, pw, _ = board.credentials(os.path.join(ward, "demo-credentials.txt"), a.site)
            api.sign_in(login, pw)
            apis.append(api)
            cons.append(sqlite3.connect(os.path.join(ward, "mimamori.db"), timeout=30))
        lat = [[], []]
        path = "/api/v1/sites/%s/board" % a.site
        for i in range(a.n):
            for k in ((0, 1) if i % 2 == 0 else (1, 0)):
                with cons[k]:
                    cons[k].execute("UPDATE sites SET board_version = board_version + 1 "
                                    "WHERE code = ?", (a.site,))
                t = time.perf_counter()
                r, data = apis[k].call("GET", path)
                lat[k].append(time.perf_counter() - t)
                if r.status != 200:
                    sys.exit("board_render_ab: %s answered %d" % (a.bins[k], r.status))
        for k in (0, 1):
            v = sorted(lat[k][10:])
            print("%s: children %d  p50 %.2f ms  p90 %.2f ms  mean %.2f ms" % (
                a.bins[k], data.count(b'"child_no"'), v[len(v) // 2] * 1e3,
                v[int(len(v) * .9)] * 1e3, statistics.mean(v) * 1e3))
    finally:
        for s in srvs:
            s.terminate()
            s.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
