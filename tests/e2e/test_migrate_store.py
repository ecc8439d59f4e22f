# SPDX-License-Identifier: MIT
"""test_migrate_store.py — `mimamori migrate-store --from DIR --to postgresql://…` (issue 14): a
demo ward kept in SQLite, used for a while (scans), moves into an empty PostgreSQL database.
Afterwards every table has the same rows (counts, and the sealed columns byte for byte: sealed
fields stay sealed under DIR's key), `audit verify` passes with the same number of entries, the
directory's mimamori.conf names the database, and the server runs on it: the board shows the
same children with the same states, a new scan is stored after the copied ones. Refusals: a
directory that uses a database server already, a database that holds a ward, a bad URL.

It needs the test PostgreSQL, so it runs in the PostgreSQL run of `make test` only; the source
ward is made on SQLite there too (harness.cli(engine=False)) and read with sqlite3 directly:
the one test that compares the two engines' files."""
import csv
import os
import re
import sqlite3
import unittest

import engines
import harness
from harness import ServerTestCase

SEALED = [("children", "name_enc"), ("guardians", "email_enc"), ("audit", "hash"),
          ("meta", "value")]


def as_bytes(v):
    return v.encode() if isinstance(v, str) else v


@unittest.skipIf(engines.PG is None, "needs the test PostgreSQL (runs in its run of make test)")
class MigrateStoreTest(ServerTestCase):
    def setUp(self):
        self.data = harness.DataDir(init=False)
        self.smtp = None
        self.servers = []

    def sqlite(self, sql):
        con = sqlite3.connect("file:%s?mode=ro" % os.path.join(self.data.path, "mimamori.db"),
                              uri=True)
        try:
            return con.execute(sql).fetchall()
        finally:
            con.close()

    def board_children(self, client):
        r = client.board("G01")
        self.assertEqual(r.status, 200, r)
        return sorted((c["child_no"], c["name"], c["kana"], c["status"], c["in_at"])
                      for c in r.json["children"])

    def test_a_sqlite_ward_moves_to_postgresql(self):
        d = self.data
        harness.cli_ok("demo", "--data", d.path, "--children", "120", "--bath-people", "300", "--school-registrations", "600",
                       timeout=300, engine=False)
        self.assertTrue(os.path.exists(os.path.join(d.path, "mimamori.db")))
        with open(os.path.join(d.path, "demo-credentials.txt"), encoding="utf-8") as f:
            cred = f.read()
        admin_pw = re.search(r"ward admin: login admin  password (\S+)", cred).group(1)
        token = re.search(r"site G01 kiosk token: (\S+)", cred).group(1)
        with open(os.path.join(d.path, "demo-cards.csv"), encoding="utf-8") as f:
            g01 = [row[2] for row in list(csv.reader(f))[1:] if row[0] == "G01"]
        self.assertGreaterEqual(len(g01), 2)

        # Used for a while on SQLite: a scan, the board as the ward admin sees it.
        self.smtp = self.start_smtp()
        srv = self.start_server(mail=self.smtp.url)
        self.assertEqual(srv.client(kiosk_token=token).scan(g01[0]).status, 200)
        admin = srv.client()
        self.assertEqual(admin.login("admin", admin_pw).status, 200)
        before_board = self.board_children(admin)
        self.assertIn("present", [c[3] for c in before_board], before_board)
        srv.stop()
        r = harness.cli_ok("audit", "verify", "--data", d.path)
        n_audit = int(re.search(r"（(\d+) 件）", r.out).group(1))
        tables = [t for (t,) in self.sqlite(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
        counts = {t: self.sqlite('SELECT count(*) FROM "%s"' % t)[0][0] for t in tables}
        sealed = {tc: self.sqlite('SELECT id, %s FROM %s ORDER BY id' % (tc[1], tc[0])
                                  if tc[0] != "meta" else
                                  "SELECT key, value FROM meta ORDER BY key")
                  for tc in SEALED}

        # A bad URL, then the move.
        r = harness.cli("migrate-store", "--from", d.path, "--to", "/tmp/not-a-database")
        self.assertEqual(r.rc, 2, r)
        self.assertIn("PostgreSQL の URL", r.err)
        url = engines.create_database(d.path)
        r = harness.cli("migrate-store", "--from", d.path, "--to", url, timeout=300)
        self.assertEqual(r.rc, 0, r)
        self.assertIn("監査ログは改ざんされていません（%d 件、移す前と同じ）" % n_audit, r.out)
        self.assertRegex(r.out, r"children\s+120 行")
        with open(os.path.join(d.path, "mimamori.conf"), encoding="utf-8") as f:
            self.assertIn("\nurl = %s\n" % url, f.read())

        # The same rows in PostgreSQL, the sealed values as they were.
        with d.connect(readonly=True) as db:
            for t in tables:
                self.assertEqual(db.execute('SELECT count(*) FROM "%s"' % t).fetchone()[0],
                                 counts[t], t)
            for (table, col), rows in sealed.items():
                got = db.execute('SELECT id, %s FROM %s ORDER BY id' % (col, table)
                                 if table != "meta" else
                                 "SELECT key, value FROM meta ORDER BY key").fetchall()
                # (meta.value is a BLOB column SQLite holds some text in: compared as bytes)
                self.assertEqual([tuple(map(as_bytes, r)) for r in got],
                                 [tuple(map(as_bytes, r)) for r in rows], table)
        r = harness.cli_ok("audit", "verify", "--data", d.path)
        self.assertIn("（%d 件）" % n_audit, r.out)

        # Once more: the directory uses the database now; another ward is not put over it.
        r = harness.cli("migrate-store", "--from", d.path, "--to", url)
        self.assertEqual(r.rc, 1, r)
        self.assertIn("すでに [store] url", r.err)
        other = os.path.join(d.tmp, "other")
        harness.cli_ok("init", "--data", other, engine=False)
        r = harness.cli("migrate-store", "--from", other, "--to", url)
        self.assertEqual(r.rc, 1, r)
        self.assertIn("すでに mimamori のデータがあります", r.err)

        # The server runs on PostgreSQL now: the same board; a scan goes after the copied ones.
        last_scan = d.query("SELECT max(id) FROM scans")[0][0]
        srv = self.start_server(mail=self.smtp.url)
        admin = srv.client()
        self.assertEqual(admin.login("admin", admin_pw).status, 200)
        self.assertEqual(self.board_children(admin), before_board)
        r = srv.client(kiosk_token=token).scan(g01[1])
        self.assertEqual(r.status, 200, r)
        self.assertEqual(d.query("SELECT max(id) FROM scans")[0][0], last_scan + 1)
        srv.stop()
        r = harness.cli_ok("audit", "verify", "--data", d.path)
        self.assertGreater(int(re.search(r"（(\d+) 件）", r.out).group(1)), n_audit)
        # The SQLite file stays as it was (nothing written to it since the move).
        self.assertEqual(self.sqlite("SELECT count(*) FROM scans")[0][0], counts["scans"])


if __name__ == "__main__":
    unittest.main()
