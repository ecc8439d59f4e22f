#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""mail_in.py — the cost of one empty-mail sign-up as Postfix runs it: a process per message.

Makes a data directory with one school, starts `mimamori serve` (maildir transport: the replies
are really sent while the processes run, as in production), then runs N sign-up mails — each
from its own address, with the school's security code as the subject — through a new process
each, one after another (Postfix's pipe runs them in parallel up to its process limit; one at a
time is the cost of one): first `mimamori-mail-in` (the lean program the guide's master.cf
names), then `mimamori mail-in`. Beside them, the machine's own limit for starting a process
(/bin/true) in the same run. Checks that every mail made exactly one sign-up link.

Usage: bench/mail_in.py [N]  (BENCH_BIN=build/mimamori; default N 300)
Prints one line per program: processes/s and ms per process."""
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "e2e"))
import harness  # noqa: E402

BIN = os.environ.get("BENCH_BIN") or os.path.join(harness.REPO, "build", "mimamori")
LEAN = os.path.join(os.path.dirname(BIN), "mimamori-mail-in")


def spawn_all(argv, files):
    """Runs argv once per file (stdin from it), one after another; returns seconds."""
    t0 = time.monotonic()
    null = os.open(os.devnull, os.O_WRONLY)
    for f in files:
        with open(f, "rb") as fh:
            pid = os.posix_spawn(argv[0], argv, os.environ,
                                 file_actions=[(os.POSIX_SPAWN_DUP2, fh.fileno(), 0),
                                               (os.POSIX_SPAWN_DUP2, null, 2)])
        _, status = os.waitpid(pid, 0)
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit("%s exited with %d" % (argv[0], os.waitstatus_to_exitcode(status)))
    os.close(null)
    return time.monotonic() - t0


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    os.environ["MIMAMORI_BIN"] = BIN
    harness.BIN = BIN
    data = harness.DataDir()
    srv = None
    try:
        harness.cli_ok("school", "add", "--data", data.path, "--code", "E01", "--name",
                       "ベンチ小学校", "--kind", "elementary", "--grades", "6", "--classes", "4")
        conf = os.path.join(data.path, "mimamori.conf")
        with open(conf, "a", encoding="utf-8") as f:
            f.write("\n[schoolmail]\nsignup_address = touroku@bench.example.jp\n"
                    "replies_per_hour = 1000000\n")
        code = harness.cli_ok("school", "list", "--data", data.path).out.splitlines()[1] \
            .split("\t")[6]
        srv = harness.Server(data, mail="maildir:" + os.path.join(data.tmp, "mail"))
        srv.start()
        d = tempfile.mkdtemp(dir=data.tmp)
        files = {}
        for prog in ("lean", "full"):
            files[prog] = []
            for i in range(n):
                p = os.path.join(d, "%s%d.eml" % (prog, i))
                with open(p, "wb") as f:
                    f.write(("From: bench.%s.%d@example.jp\r\nTo: touroku@bench.example.jp\r\n"
                             "Subject: %s\r\nMessage-ID: <%s.%d@example.jp>\r\n\r\n"
                             % (prog, i, code, prog, i)).encode())
                files[prog].append(p)
        args = ["--data", data.path, "--recipient", "touroku@bench.example.jp"]
        t_true = spawn_all(["/bin/true"], files["lean"])
        t_lean = spawn_all([LEAN] + args, files["lean"])
        t_full = spawn_all([BIN, "mail-in"] + args, files["full"])
        links = data.query("SELECT COUNT(*) FROM school_links WHERE kind = 'signup'")[0][0]
        if links != 2 * n:
            raise SystemExit("expected %d sign-up links, found %d" % (2 * n, links))
        for name, t in (("/bin/true (process start)", t_true), ("mimamori-mail-in", t_lean),
                        ("mimamori mail-in", t_full)):
            print("%-28s %7.1f/s  %6.2f ms" % (name, n / t, 1000 * t / n))
    finally:
        if srv:
            srv.stop()
        data.cleanup()


if __name__ == "__main__":
    main()
