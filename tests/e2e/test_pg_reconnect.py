# SPDX-License-Identifier: MIT
"""test_pg_reconnect.py — mimamori on PostgreSQL keeps working when the database server restarts
under it (issue 14): a server of its own (tests/pg_server.sh, not the shared test server, which
parallel tests use) is restarted while `mimamori serve` runs; without a restart of mimamori, the
next scan is answered 200 and stored, a guardian's confirmation is stored, the signed-in ward
admin's session still works, and an emergency mail queued afterwards is sent. Runs in the PostgreSQL run of make test."""
import os
import subprocess
import unittest

import engines
import harness
from harness import ServerTestCase

PG_SERVER = os.path.join(harness.REPO, "tests", "pg_server.sh")


@unittest.skipIf(engines.PG is None, "needs PostgreSQL (runs in its run of make test)")
class PgReconnectTest(ServerTestCase):
    def setUp(self):
        out = subprocess.run([PG_SERVER, "start"], capture_output=True, text=True, timeout=120)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.pg_dir, port = out.stdout.split()
        url = self.url = "postgresql://mimamori@127.0.0.1:%s" % port
        subprocess.run(["psql", url + "/postgres", "-qAtc", "CREATE DATABASE ward"], check=True,
                       timeout=60)
        self.data = harness.DataDir(init=False)
        harness.cli_ok("init", "--data", self.data.path, "--store", url + "/ward")
        harness.set_second_factor(self.data.path, "optional")
        self.smtp = None
        self.servers = []

    def tearDown(self):
        try:
            super().tearDown()
        finally:
            subprocess.run([PG_SERVER, "stop", self.pg_dir], timeout=120)

    def test_a_database_restart_needs_no_mimamori_restart(self):
        d = self.data
        d.site_add("G01", "すみれ学童クラブ")
        d.import_one_child_each(["a@example.jp", "b@example.jp"])
        d.card_issue(site="G01")
        codes = harness.decode_qr_codes(d.card_sheet("G01"))
        self.assertEqual(len(codes), 2)
        d.user_add("admin1", "ward_admin")
        self.start_smtp()
        srv = self.start_server()
        tokens = {m.rcpts[0]: m.confirm_token for m in self.smtp.wait_count(2)}
        web = srv.client()
        r = web.post("/api/v1/confirmations", {"token": tokens["a@example.jp"]})
        self.assertEqual(r.status, 200, r)
        kiosk = srv.client(kiosk_token=d.kiosk_add("G01"))
        admin = srv.client()
        self.assertEqual(admin.login("admin1").status, 200)
        r = kiosk.scan(codes[0])
        self.assertEqual((r.status, r.json["recorded"]), (200, True), r)

        subprocess.run([PG_SERVER, "restart", self.pg_dir], check=True, timeout=120)
        # Every pooled connection is gone now; each is made again when it is next used.
        r = kiosk.scan(codes[1])
        self.assertEqual((r.status, r.json["recorded"]), (200, True), r)
        r = admin.board("G01")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(sorted(c["status"] for c in r.json["children"]),
                         ["present", "present"])
        r = web.post("/api/v1/confirmations", {"token": tokens["b@example.jp"]})
        self.assertEqual(r.status, 200, r)
        # Mail queued after the restart goes out (the sender's connection came back too).
        r = admin.post("/api/v1/emergency-sends", {"sites": ["G01"], "subject": "再接続の確認",
                                                   "body": "本日は通常どおりです。"})
        self.assertEqual(r.status, 201, r)
        self.smtp.wait_for(lambda ms: sum(m.subject == "再接続の確認" for m in ms) >= 2,
                           timeout=60, what="the send after the restart")
        n = subprocess.run(["psql", self.url + "/ward", "-qAtc", "SELECT count(*) FROM scans"],
                           capture_output=True, text=True, check=True, timeout=60).stdout
        self.assertEqual(n.strip(), "2")
        srv.stop()
        self.assertEqual(d.audit_verify().rc, 0)


if __name__ == "__main__":
    unittest.main()
