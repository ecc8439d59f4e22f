#!/usr/bin/python3
"""year.py — a school year on the demo ward, for bench/run.sh (docs/benchmarks.md, "School year").

Issue 18: the cost of a club day must not grow with the ward's history. On a fresh default demo
ward (4,100 children, 59 sites):

  1. the first club day: `mimamori simulate-day --date FIRST` (history empty);
  2. the club days between, written in bulk: `mimamori simulate-history --until LAST --days N`
     (every child planned that day scans in and out, the guardians' mails queued and marked
     sent, the audit chain, the day's alerts; one transaction per day), N >= 200;
  3. the last club day: `mimamori simulate-day --date LAST`, on the same weekday as FIRST;
  4. on the aged ward: the staff board of G01 at 21:30 of the last day (its mail sent first) at
     --rate requests/s (p99; against GET /healthz
     and a static copy of the same bytes, bench/board.py's measurement), the monthly report
     of the ward for the last full month (`mimamori report monthly`, xlsx) against reading
     the month's scan rows raw (python's sqlite3), and `mimamori audit verify` against the
     machine's keyed BLAKE2b rate for entries of that size (bench/hash_raw.c).

Targets: last day <= 1.2 x the first (wall; the processor time is reported too, the machine
is shared); board p99 < 5 ms; monthly report < 2 s; audit verify >= 200,000 entries/s.
Prints one line "YEAR_RESULT key=value ..." and writes the same as JSON to --out.
"""
import argparse
import datetime
import json
import os
import re
import resource
import shutil
import sqlite3
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import board  # noqa: E402  (the board's measurement, server and credentials helpers)

JST = board.JST


def log(msg):
    print("   " + msg, file=sys.stderr, flush=True)


def run(cmd, env=None, logf=None):
    """Runs cmd; returns (stdout, wall s, processor s of the child)."""
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    p = subprocess.run(cmd, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    if logf:
        with open(logf, "a") as f:
            f.write(f"$ {' '.join(cmd)}\n{p.stdout}{p.stderr}\n")
    if p.returncode:
        sys.exit(f"year.py: {' '.join(cmd)} failed ({p.returncode}): {p.stderr.strip()[:300]}")
    cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    return p.stdout, wall, cpu


def kv(line):
    return dict(re.findall(r"(\w+)=(\S+)", line))


def club_days(first, last):
    """Mondays to Saturdays strictly between first and last."""
    n, d = 0, first + datetime.timedelta(days=1)
    while d < last:
        n += d.weekday() != 6
        d += datetime.timedelta(days=1)
    return n


def measure_aged(a, ward, logf, res, last):
    """On the aged ward: the monthly report, audit verify and the board; prints the result."""
    # The monthly report of the last full month, against reading its rows raw.
    db = sqlite3.connect(f"file:{ward}/mimamori.db?mode=ro", uri=True)
    m_end = last.replace(day=1) - datetime.timedelta(days=1)
    month = m_end.strftime("%Y-%m")
    t0 = time.perf_counter()
    rows = db.execute("SELECT site_id, child_id, day, direction, at_ms FROM scans "
                      "WHERE day BETWEEN ? AND ?", (month + "-01", month + "-31")).fetchall()
    raw_read = time.perf_counter() - t0
    n_rows = len(rows)
    db.close()
    out, wm, cm = run([a.bin, "report", "monthly", "--data", ward, "--month", month,
                       "--format", "xlsx", "--out", os.path.join(a.work, "monthly.xlsx")],
                      logf=logf)
    res.update({"month": month, "month_scans": n_rows, "monthly_s": round(wm, 2),
                "monthly_cpu_s": round(cm, 2), "month_raw_read_s": round(raw_read, 3)})
    log(f"monthly report {month} (xlsx, {n_rows} scans of the month): {wm:.2f} s "
        f"(reading the month's rows raw: {raw_read:.3f} s)")
    del rows

    # audit verify against the keyed hash rate of the machine.
    out, wv, cv = run([a.bin, "audit", "verify", "--data", ward], logf=logf)
    m = re.search(r"（(\d+) 件）", out)
    entries = int(m.group(1)) if m else 0
    res.update({"audit_entries": entries, "verify_s": round(wv, 2),
                "verify_per_s": round(entries / wv), "verify_cpu_s": round(cv, 2)})
    if a.hash_raw:
        hr = kv(subprocess.run([a.hash_raw, "2"], capture_output=True, text=True).stdout
                .splitlines()[-1])
        res["hash_scratch_per_s"] = int(hr["scratch_per_s"])
        res["hash_prepared_per_s"] = int(hr["prepared_per_s"])
        res["verify_ratio"] = round(entries / wv / int(hr["prepared_per_s"]) * 100)
    log(f"audit verify: {entries} entries in {wv:.2f} s = {entries / wv:.0f}/s"
        + (f" ({res['verify_ratio']} % of keyed BLAKE2b {res['hash_prepared_per_s']}/s)"
           if a.hash_raw else ""))

    # The board of the aged ward at 15:40 of the last day, as board.py measures it.
    login, pw, _ = board.credentials(os.path.join(ward, "demo-credentials.txt"), a.site)
    web = os.path.join(a.work, "web-floor")
    shutil.rmtree(web, ignore_errors=True)
    os.makedirs(web)
    env = dict(os.environ)
    env.pop("MIMAMORI_FAKE_NOW_FILE", None)
    # 21:30, after the last day's last scan: all of its mail is due (the server's clock decides
    # what the sender takes) and goes out before the measurement.
    env["MIMAMORI_FAKE_NOW"] = str(board.at(last, "21:30"))
    port = board.free_port()
    srv = board.Server(a, ward, port, env, web=web, logname="serve-year.log")
    try:
        api = board.Api("127.0.0.1", port)
        api.sign_in(login, pw)
        # The last day's mails go out first (the sender and its commits are not the board's
        # cost), as board.py waits for its afternoon's.
        left = board.outbox_drain(os.path.join(ward, "mimamori.db"), 120)
        log(f"the last day's mail sent before measuring (left {left})")
        b = board.measure(a, "127.0.0.1", port, srv.p.pid, api.cookie, None, web,
                          {"day": str(last), "now": "21:30"})
    finally:
        srv.stop()
    for k in ("children", "p50_ms", "p99_ms", "max_ms", "floor_p99_ms", "ratio", "static_p99_ms",
              "ratio_static", "cpu_ms_per_req", "non200", "wrong_count", "load1"):
        res["board_" + k] = b.get(k)
    res["ok"] = " ".join([
        "day:" + ("-" if "day_ratio" not in res else "yes" if res["day_ratio"] <= 1.2 else "NO"),
        "board:" + ("yes" if (b.get("p99_ms") or 99) < 5 else "NO"),
        "monthly:" + ("yes" if wm < 2 else "NO"),
        "verify:" + ("yes" if entries / wv >= 200000 else "NO")])
    print("YEAR_RESULT " + " ".join(f"{k}={v}" for k, v in res.items() if k != "ok")
          + " ok=" + res["ok"].replace(" ", ","), flush=True)
    if a.out:
        with open(a.out, "w") as f:
            json.dump(res, f, indent=1)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bin", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--weeks", type=int, default=35,
                    help="weeks from the first day to the last (35: 209 club days between)")
    ap.add_argument("--last", help="the last day (default: the next Tuesday in Japan)")
    ap.add_argument("--raw", type=float, help="raw SQLite commits/s measured in the same run")
    ap.add_argument("--hash-raw", help="bench/hash_raw binary (the keyed BLAKE2b limit)")
    ap.add_argument("--rate", type=float, default=100.0)
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--conns", type=int, default=4)
    ap.add_argument("--sat-seconds", type=float, default=0.0)
    ap.add_argument("--site", default="G01")
    ap.add_argument("--demo-from", help="copy this fresh demo ward instead of making one")
    ap.add_argument("--aged", help="measure this aged ward as it is (no days simulated): the "
                    "monthly report, audit verify and the board")
    ap.add_argument("--out")
    a = ap.parse_args()
    a.bin, a.work = os.path.abspath(a.bin), os.path.abspath(a.work)
    a.perf = None
    os.makedirs(a.work, exist_ok=True)
    ward = os.path.join(a.work, "ward")
    logf = os.path.join(a.work, "year.log")
    shutil.rmtree(ward, ignore_errors=True)
    if a.last:
        last = datetime.date.fromisoformat(a.last)
    else:
        last = datetime.datetime.now(JST).date() + datetime.timedelta(days=1)
        while last.weekday() != 1:  # a Tuesday: a full weekday, whatever today is
            last += datetime.timedelta(days=1)
    first = last - datetime.timedelta(weeks=a.weeks)
    between = club_days(first, last)
    res = {"first": str(first), "last": str(last), "days_between": between,
           "club_days": between + 2}

    if a.aged:
        ward = a.aged
        res["first"] = res["last"] = None
        measure_aged(a, ward, logf, res, last)
        return
    if a.demo_from:
        shutil.copytree(a.demo_from, ward)
        log(f"demo ward: a copy of {a.demo_from}")
    else:
        _, t, _ = run([a.bin, "demo", "--data", ward], logf=logf)
        log(f"demo ward: {t:.0f} s")

    out, w1, c1 = run([a.bin, "simulate-day", "--data", ward, "--date", str(first)], logf=logf)
    first_ok = out.strip().endswith(" ok")
    d1 = kv(out.strip().splitlines()[-1])
    log(f"first day {first}: {d1.get('scans')} scans, wall {w1:.2f} s, processor {c1:.2f} s "
        f"(scans {d1.get('scan_s')} s, alerts {d1.get('alert_s')} s) {out.split()[-1]}")

    out, th, ch = run([a.bin, "simulate-history", "--data", ward, "--days", str(between),
                       "--until", str(last)], logf=logf)
    h = kv(out)
    log(f"history: {h.get('days')} club days, {h.get('scans')} scans, {h.get('mails')} mails, "
        f"{h.get('audit')} audit entries in {th:.0f} s")

    out, w2, c2 = run([a.bin, "simulate-day", "--data", ward, "--date", str(last)], logf=logf)
    d2 = kv(out.strip().splitlines()[-1])
    log(f"last day {last}: {d2.get('scans')} scans, wall {w2:.2f} s, processor {c2:.2f} s "
        f"(scans {d2.get('scan_s')} s, alerts {d2.get('alert_s')} s) {out.split()[-1]}")
    db = sqlite3.connect(f"file:{ward}/mimamori.db?mode=ro", uri=True)
    sizes = {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
             for t in ("scans", "outbox", "audit", "alerts", "sessions")}
    res.update({
        "first_scans": d1.get("scans"), "first_wall_s": round(w1, 2), "first_cpu_s": round(c1, 2),
        "first_scan_s": d1.get("scan_s"), "first_alert_s": d1.get("alert_s"),
        "last_scans": d2.get("scans"), "last_wall_s": round(w2, 2), "last_cpu_s": round(c2, 2),
        "last_scan_s": d2.get("scan_s"), "last_alert_s": d2.get("alert_s"),
        "day_ratio": round(w2 / w1, 2), "day_cpu_ratio": round(c2 / c1, 2),
        "days_ok": "ok" if first_ok and out.strip().endswith(" ok") else "MISMATCH",
        "history_s": round(th, 1), "db_mb": round(os.path.getsize(f"{ward}/mimamori.db") / 1e6),
    })
    res.update({f"rows_{k}": v for k, v in sizes.items()})
    if a.raw:
        floor = int(d2.get("scans", 0)) / a.raw
        res["raw_per_s"] = a.raw
        res["last_floor_s"] = round(floor, 2)
        res["last_floor_ratio"] = round(floor / w2 * 100)

    db.close()
    measure_aged(a, ward, logf, res, last)


if __name__ == "__main__":
    main()
