#!/usr/bin/python3
"""backup.py — backups and restore against the disk's limit (issue 19; docs/benchmarks.md,
"Backups").

  1. `mimamori backup --out FILE` of a default demo ward (every service's fictional data: the
     SQLite online backup API into a temporary file, the key rows deleted and the file
     vacuumed, then encrypted with secretstream into the backup file, fsynced), against copying
     the database file's bytes into a new file with fsync (read + write + fsync: what any copy
     of the database must do at least).
  2. `mimamori restore` of that file into a new directory (header, key fingerprint, the whole
     content authenticated and written, fsynced; the keys wrapped under a new master key),
     against copying the backup file's bytes with fsync.

  backup.py --bin build/mimamori --work DIR

Generated, fictional data only (the demo's)."""
import argparse
import os
import shutil
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import run  # noqa: E402


def copy_fsync(src, dst):
    """Copies src to dst (1 MiB at a time) and fsyncs it; returns the seconds it took."""
    t = time.perf_counter()
    with open(src, "rb") as f, open(dst, "wb") as g:
        while True:
            b = f.read(1 << 20)
            if not b:
                break
            g.write(b)
        g.flush()
        os.fsync(g.fileno())
    return time.perf_counter() - t


def timed(*args):
    t = time.perf_counter()
    run(*args)
    return time.perf_counter() - t


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--work", required=True)
    a = ap.parse_args()
    shutil.rmtree(a.work, ignore_errors=True)
    os.makedirs(a.work)
    data = os.path.join(a.work, "ward")
    t = timed(a.bin, "demo", "--data", data)
    db = os.path.join(data, "mimamori.db")
    size = os.path.getsize(db)
    # The disk's part, measured twice (the smaller counts: a copy that another process slowed
    # says nothing of the limit); the page cache holds the file after the demo for both.
    limit = min(copy_fsync(db, os.path.join(a.work, "copy-%d.db" % i)) for i in range(2))
    out = os.path.join(a.work, "ward.mmbk")
    tb = timed(a.bin, "backup", "--data", data, "--out", out)
    bsize = os.path.getsize(out)
    keys = os.path.join(data, "backups", "backup-keys.mmk")
    rlimit = min(copy_fsync(out, os.path.join(a.work, "copy-%d.mmbk" % i)) for i in range(2))
    tr = timed(a.bin, "restore", "--data", os.path.join(a.work, "restored"), "--key",
               os.path.join(data, "backup.key"), "--keys", keys, out)
    mb = size / 1e6
    print("ward demo %.1f s, database %.1f MB" % (t, mb))
    print("backup %.2f s (%.1f MB/s), file %.1f MB; copying the database with fsync %.2f s: "
          "ratio %.0f %%" % (tb, mb / tb, bsize / 1e6, limit, 100 * limit / tb))
    print("restore %.2f s (%.1f MB/s); copying the backup file with fsync %.2f s: ratio %.0f %%"
          % (tr, bsize / 1e6 / tr, rlimit, 100 * rlimit / tr))
    shutil.rmtree(a.work, ignore_errors=True)


if __name__ == "__main__":
    main()
