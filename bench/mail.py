#!/usr/bin/python3
"""mail.py — the mail benchmark of issue 4 for bench/run.sh.

The physical limit: Postfix's smtp-source sends N messages of the same size as ours into
Postfix's smtp-sink over 10 parallel sessions, each reused (-s 10 -d). Then, in the same run
and into the same smtp-sink, `mimamori serve` sends N individual messages from its outbox (the
confirmation mails of an N-family roster imported beforehand: one recipient each, sealed in the
database, built and sent by the sender thread) over the same number of sessions. Time runs from
the server's start to the last row marked sent (read from the database every 50 ms); the
server's RSS is sampled from /proc every 50 ms. The CPU smtp-sink used in each phase and the
server's (all its threads) are read from /proc too, as % of one core: both sides share the
machine's cores, so a side that costs more CPU per message lowers the other's rate. --wrap runs
the server under a profiler (e.g. --wrap "strace -c -f -o /tmp/s.txt" or --wrap "perf record
-g -o /tmp/p.data --"); the server's CPU is then not reported.

--store URL puts the ward on that PostgreSQL database (empty, made by the caller) instead of
SQLite in the data directory (bench/pg.sh).

Prints one line "MAIL_RESULT key=value ..." and writes the same as JSON to --out."""
import argparse
import json
import os
import shlex
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time

SINK = shutil.which("smtp-sink") or "/usr/sbin/smtp-sink"
SOURCE = shutil.which("smtp-source") or "/usr/sbin/smtp-source"


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_port(port, timeout=10.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    raise SystemExit("bench/mail.py: nothing listens on port %d" % port)


def run(cmd, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if r.returncode != 0:
        raise SystemExit("bench/mail.py: %s failed: %s" % (cmd[0], r.stderr.strip()))
    return r


def rss_kb(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def cpu_ticks(pid):
    """utime + stime of a process (all its threads), in clock ticks; 0 when it is gone."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            f = f.read().rsplit(")", 1)[1].split()
        return int(f[11]) + int(f[12])
    except OSError:
        return 0


class _Pg:
    """psycopg2 with sqlite3's execute(...).fetchone() shape, autocommit (each read sees the
    latest commit)."""

    def __init__(self, url):
        import psycopg2
        self.con = psycopg2.connect(url)
        self.con.autocommit = True

    def execute(self, sql):
        cur = self.con.cursor()
        cur.execute(sql)
        return cur

    def close(self):
        self.con.close()


def open_db(store, db):
    """The ward's database, read-only use: PostgreSQL at store, else the SQLite file db."""
    if store:
        return _Pg(store)
    return sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=5)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bin", required=True, help="the mimamori binary")
    ap.add_argument("--work", required=True, help="working directory (removed first)")
    ap.add_argument("-n", type=int, default=43000, help="messages (default 43,000)")
    ap.add_argument("--sessions", type=int, default=10, help="smtp-source's sessions")
    ap.add_argument("--mail-sessions", type=int, default=0,
                    help="mimamori's SMTP sessions (default: the same as --sessions)")
    ap.add_argument("--out", help="write the result as JSON here")
    ap.add_argument("--store", help="a PostgreSQL URL for the ward (default: SQLite)")
    ap.add_argument("--wrap", default="", help="command the server runs under (a profiler)")
    a = ap.parse_args()

    shutil.rmtree(a.work, ignore_errors=True)
    os.makedirs(a.work)
    data = os.path.join(a.work, "data")
    run([a.bin, "init", "--data", data] + (["--store", a.store] if a.store else []))
    run([a.bin, "site", "add", "--data", data, "--code", "B01", "--name", "ベンチ学童クラブ",
         "--type", "gakudo"])
    roster = os.path.join(a.work, "roster.csv")
    with open(roster, "w", encoding="utf-8") as f:
        f.write("child_no,site_code,child_name,child_kana,grade,birth_date,guardian_name,"
                "guardian_email\n")
        for i in range(a.n):
            f.write("M%06d,B01,試験 太郎%d,シケン タロウ,3,2016-04-02,試験 花子%d,"
                    "family%06d@example.jp\n" % (i, i, i, i))
    t = time.monotonic()
    run([a.bin, "import", "children", "--data", data, roster], timeout=1800)
    import_s = time.monotonic() - t
    db = os.path.join(data, "mimamori.db")
    c = open_db(a.store, db)
    queued = c.execute("SELECT COUNT(*) FROM outbox WHERE state = 'queued'").fetchone()[0]
    c.close()
    if queued != a.n:
        raise SystemExit("bench/mail.py: %d rows queued, expected %d" % (queued, a.n))

    port = free_port()
    sink = subprocess.Popen([SINK, "-u", "nobody", "127.0.0.1:%d" % port, "256"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    srv = None
    try:
        wait_port(port)
        # The size of our messages: one built message of this run, from smtp-sink's view we
        # cannot see it, so take the average stored body plus headers as built (≈ 1.3 KB).
        size = 1400
        hz = os.sysconf("SC_CLK_TCK")
        c0 = cpu_ticks(sink.pid)
        t = time.monotonic()
        run([SOURCE, "-s", str(a.sessions), "-d", "-m", str(a.n), "-l", str(size),
             "-f", "bench@example.jp", "-t", "family@example.jp", "127.0.0.1:%d" % port],
            timeout=600)
        src_s = time.monotonic() - t
        src_rate = a.n / src_s
        c1 = cpu_ticks(sink.pid)

        ms = a.mail_sessions or a.sessions
        env = dict(os.environ, MIMAMORI_MAIL_SESSIONS=str(ms))
        t = time.monotonic()
        srv = subprocess.Popen(shlex.split(a.wrap) + [a.bin, "serve", "--data", data, "--listen",
                                "127.0.0.1:%d" % free_port(), "--mail",
                                "smtp://127.0.0.1:%d" % port],
                               stdout=subprocess.DEVNULL,
                               stderr=open(os.path.join(a.work, "server.log"), "w"), env=env)
        peak = 0
        sent = 0
        first = None
        conn = open_db(a.store, db)
        deadline = time.monotonic() + 1800
        while time.monotonic() < deadline:
            peak = max(peak, rss_kb(srv.pid))
            try:
                sent = conn.execute(
                    "SELECT COUNT(*) FROM outbox WHERE state = 'sent'").fetchone()[0]
            except Exception:  # SQLite busy for a moment
                pass
            if sent and first is None:
                first = time.monotonic() - t
            if sent >= a.n:
                break
            if srv.poll() is not None:
                raise SystemExit("bench/mail.py: the server stopped")
            time.sleep(0.05)
        mail_s = time.monotonic() - t
        c2 = cpu_ticks(sink.pid)
        srv_cpu = cpu_ticks(srv.pid)
        peak = max(peak, rss_kb(srv.pid))
        states = dict(conn.execute("SELECT state, COUNT(*) FROM outbox GROUP BY state"))
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
    res = {
        "messages": a.n, "sessions": a.sessions, "mail_sessions": ms, "size": size,
        "import_s": round(import_s, 1),
        "source_s": round(src_s, 2), "source_rate": round(src_rate),
        "mail_s": round(mail_s, 2), "mail_rate": round(mail_rate), "first_sent_s":
        round(first or 0, 2), "sent": sent, "states": ",".join(
            "%s:%d" % kv for kv in sorted(states.items())),
        "ratio": round(100 * mail_rate / src_rate, 1), "rss_peak_mb": round(peak / 1024, 1),
        "sink_cpu_source": round(100 * (c1 - c0) / hz / src_s),
        "sink_cpu_mail": round(100 * (c2 - c1) / hz / mail_s),
    }
    if not a.wrap:
        res["server_cpu"] = round(100 * srv_cpu / hz / mail_s)
    line = "MAIL_RESULT " + " ".join("%s=%s" % kv for kv in res.items())
    print(line)
    if a.out:
        with open(a.out, "w") as f:
            json.dump(res, f)
    return 0 if sent == a.n else 1


if __name__ == "__main__":
    sys.exit(main())
