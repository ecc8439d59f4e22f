# SPDX-License-Identifier: MIT
"""test_upgrade.py — a data directory made before keys were per service (tests/e2e/fixtures/
legacy-0013: made by the program at commit 69e41ab, schema 13, one data key, fictional data: two
clubs, three children, emergency sends sent, one awaiting approval, a school notice, an
unsubscribe, a daily report in the handover ledger) opened by this program: the migration makes
the old key attendance's and gives the platform its own, every sealed value stays readable (the
board's names, the sends' texts), the audit chain verifies before and after new entries, the
send awaiting approval is approved and sent, and the old rows keep their owners."""
import os
import shutil
import time
import unittest

import engines
import harness
from harness import ServerTestCase

FIXTURE = os.path.join(harness.REPO, "tests", "e2e", "fixtures", "legacy-0013")
GUARDIANS = ["hanako.takahashi@example.jp", "makoto.suzuki@example.jp", "ryoko.sato@example.jp"]


class UpgradeTest(ServerTestCase):
    def setUp(self):
        super().setUp()
        shutil.rmtree(self.data.path)
        shutil.copytree(FIXTURE, self.data.path)
        os.chmod(os.path.join(self.data.path, "master.key"), 0o600)
        # Its mimamori.conf predates the second factor (issue 19), whose default would send
        # admin1 to enrolment first: this test is about the keys.
        harness.set_second_factor(self.data.path, "optional")

    def test_an_old_directory_opens_and_verifies(self):
        d = self.data
        if engines.PG:
            # On PostgreSQL the old SQLite ward moves there first: migrate-store opens it
            # (which migrates it) and copies every row, sealed as it was.
            r = harness.cli("migrate-store", "--from", d.path,
                            "--to", engines.create_database(d.path, fresh=True))
            self.assertEqual(r.rc, 0, r)
        else:
            self.assertEqual(d.query("SELECT key FROM meta WHERE key LIKE '%key%'"),
                             [("wrapped_data_key",)])
        # The first opening migrates; the chain written under the old key still verifies.
        r = d.audit_verify()
        self.assertEqual(r.rc, 0, r)
        # The migrations' council annotations are comments: the upgraded schema is the one they
        # describe, every column of it annotated (issue 19).
        r = harness.cli("council", "check", "--data", d.path)
        self.assertEqual(r.rc, 0, r)
        # The old key became attendance's only; the schools' service, the bath pass and the two
        # benefits, which the old program did not have, get new keys of their own (nothing of them is under
        # attendance's).
        self.assertEqual(sorted(k for (k,) in d.query("SELECT key FROM meta")),
                         ["audit_head", "data_key:attendance", "data_key:bathpass",
                          "data_key:centre", "data_key:course", "data_key:exchange", "data_key:homehelp", "data_key:platform", "data_key:plaza",
                          "data_key:schoolmail", "data_key:sitter", "data_key:youth", "index_key:platform"])
        # The schools' migrations (0020, 0021) apply after the platform's 0017-0019, then the
        # outbox's claims (0022, several servers on one database), then the bath pass (0023)
        # and its mailings by post (0024), the babysitter subsidy with the benefits' roles (0025)
        # and household support (0026), then seed 001's remaining roles (0027), the plazas'
        # registrations (0028), youth support casework (0029),
        # course sign-up (0030), file exchange (0031) and the development centre (0032),
        # the board's change counter per site (0034, issue 18), scans and alerts indexed day
        # first (0035, issue 18), backups and erasures (0036, issue 19), retention's audit
        # checkpoints (0037), the administrators' second factor (0039), the board's counter
        # bumped once per site and transaction on PostgreSQL (0040; nothing on SQLite), the
        # marks that let the erasure empty the append-only note versions (0041), the end of a
        # youth support case (0042) and of a child's use of the development centre (0043), and
        # the retirement of accounts (0044).
        self.assertEqual(d.query("SELECT version FROM schema_version WHERE version >= 17 "
                                 "ORDER BY version"),
                         [(17,), (18,), (19,), (20,), (21,), (22,), (23,), (24,), (25,),
                          (26,), (27,), (28,), (29,), (30,), (31,), (32,), (34,), (35,), (36,),
                          (37,), (39,), (40,), (41,), (42,), (43,), (44,)])
        self.assertEqual(d.query("SELECT count(*) FROM outbox WHERE claimed_by IS NOT NULL"),
                         [(0,)])
        self.assertEqual(d.query("SELECT actor, object FROM audit WHERE action = "
                                 "'vault.keys_per_service'"), [("cli", "key:attendance")])
        self.assertEqual(d.query("SELECT DISTINCT service FROM outbox"), [("attendance",)])
        self.assertEqual(d.query("SELECT id, state, audience, send_id FROM bulk_sends ORDER BY id"),
                         [(1, "sent", "G01", "emergency:1"), (2, "sent", "*", "emergency:2"),
                          (3, "awaiting_approval", "G01,G02", None)])
        self.assertEqual(d.query("SELECT service FROM ledger"), [("attendance",)])
        led = harness.cli_ok("ledger", "list", "--data", d.path).out.splitlines()
        self.assertTrue(led[1].endswith("\tattendance"), led)

        self.smtp = self.start_smtp()
        self.srv = self.start_server()
        admin, cont = self.srv.client(), self.srv.client()
        self.assertEqual(admin.login("admin1").status, 200)
        self.assertEqual(cont.login("cont1").status, 200)
        # Names sealed under the old key, read with attendance's.
        board = admin.board("G01")
        self.assertEqual(board.status, 200, board)
        self.assertIn("髙橋 𠮷男", board.text)
        sends = admin.get("/api/v1/emergency-sends").json["sends"]
        self.assertEqual([(s["id"], s["subject"], s["state"], s["approver"]) for s in sends],
                         [(3, "承認待ち", "awaiting_approval", None),
                          (2, "全施設へ", "sent", "cont1"),
                          (1, "【緊急】閉所のお知らせ", "sent", None)])
        self.assertEqual(admin.get("/api/v1/emergency-sends/1").json["body"],
                         "本日は15時で閉所します。")
        self.assertEqual(admin.get("/api/v1/mail/sends/emergency:2").json["total"], 3)
        # The send that waited is approved now: the texts, the audience, the mail all work.
        r = admin.post("/api/v1/emergency-sends/3/approve")
        self.assertEqual((r.status, r.json["code"]), (403, "second_approver_required"), r)
        r = cont.post("/api/v1/emergency-sends/3/approve")
        self.assertEqual((r.status, r.json["state"], r.json["recipients"]), (200, "sent", 3), r)
        self.smtp.wait_for(lambda ms: sum(m.subject == "承認待ち" for m in ms) >= 3,
                           what="the approved send")
        time.sleep(0.3)
        self.assertEqual(sorted(m.rcpts[0] for m in self.smtp.snapshot()
                                if m.subject == "承認待ち"), sorted(GUARDIANS))
        self.assertEqual(d.query("SELECT DISTINCT service FROM outbox WHERE send_id = "
                                 "'emergency:3'"), [("attendance",)])
        self.srv.stop()
        # New entries chain onto the old ones under the platform's key.
        r = d.audit_verify()
        self.assertEqual(r.rc, 0, r)
        for path in d.all_files():
            blob = engines.read_bytes(path)
            for secret in ("髙橋", "𠮷男", "ryoko.sato", "makoto.suzuki"):
                self.assertNotIn(secret.encode(), blob, path)

    def test_scans_and_alerts_kept_when_indexed_day_first(self):
        """0035 (issue 18) rebuilds alerts unique on (day, child, kind) and indexes scans day
        first: the old rows stay as they were, and one alert per day, child and kind holds."""
        import sqlite3
        d = self.data
        con = sqlite3.connect(os.path.join(d.path, "mimamori.db"))
        con.execute("INSERT INTO scans(child_id, site_id, card_id, direction, day, at_ms) "
                    "VALUES (1, 1, 1, 'in', '2026-11-24', 1763960000000)")
        con.execute("INSERT INTO alerts(site_id, child_id, day, kind, raised_ms, cleared_ms, "
                    "due_ms) VALUES (1, 1, '2026-11-24', 'not_arrived', 5, 7, 6), "
                    "(1, 3, '2026-11-24', 'still_present', 8, NULL, 9)")
        con.commit()
        con.close()
        if engines.PG:
            r = harness.cli("migrate-store", "--from", d.path,
                            "--to", engines.create_database(d.path, fresh=True))
            self.assertEqual(r.rc, 0, r)
        self.assertEqual(d.audit_verify().rc, 0)
        self.assertEqual(
            d.query("SELECT site_id, child_id, day, kind, raised_ms, cleared_ms, due_ms FROM "
                    "alerts ORDER BY id"),
            [(1, 1, "2026-11-24", "not_arrived", 5, 7, 6),
             (1, 3, "2026-11-24", "still_present", 8, None, 9)])
        self.assertEqual(d.query("SELECT child_id, direction, day FROM scans"),
                         [(1, "in", "2026-11-24")])
        with self.assertRaises(engines.DB_ERRORS):
            with d.connect() as con:
                con.execute("INSERT INTO alerts(site_id, child_id, day, kind, raised_ms) "
                            "VALUES (1, 1, '2026-11-24', 'not_arrived', 10)")


if __name__ == "__main__":
    unittest.main()
