# SPDX-License-Identifier: MIT
"""test_audit.py — the audit chain: intact after real activity; a changed row, a removed middle
row and a removed last row are each detected by `audit verify`, naming the entry."""
import os
import re
import unittest

import engines
from harness import ServerTestCase, cli, decode_qr_codes


class AuditTest(ServerTestCase):
    def setUp(self):
        super().setUp()
        d = self.data
        d.site_add("G01", "すみれ学童クラブ")
        d.user_add("staff01", "site_staff", ["G01"])
        d.import_children(d.write_csv("r.csv", [
            ["A001", "G01", "監査 一郎", "カンサ イチロウ", "1", "2018-04-01", "監査 親",
             "audit1@example.jp"],
            ["A002", "G01", "監査 二郎", "カンサ ジロウ", "2", "2017-04-01", "監査 親二",
             "audit2@example.jp"]]))
        d.card_issue(site="G01")
        codes = decode_qr_codes(d.card_sheet("G01"))
        token = d.kiosk_add("G01")
        srv = self.start_server(mail="maildir:" + os.path.join(d.tmp, "mail"))
        k = srv.client(kiosk_token=token)
        for c in codes:
            self.assertEqual(k.scan(c).status, 200)
        staff = srv.client()
        self.assertEqual(staff.login("staff01").status, 200)
        self.assertEqual(staff.login("staff01", "wrong-password-x").status, 401)
        self.assertEqual(staff.board("G01").status, 200)
        self.assertEqual(srv.client().get("/api/v1/sites").status, 401)
        self.assertEqual(srv.stop(), 0)
        r = d.audit_verify()
        self.assertEqual(r.rc, 0, r)
        self.n = int(re.search(r"（(\d+) 件）", r.out).group(1))
        self.assertGreaterEqual(self.n, 8, r.out)

    def copy(self, name):
        return self.data.clone(name)

    def tamper(self, path, *sql):
        """Runs sql on the database of data directory path, as someone holding the database's
        own rights (not the program's) would."""
        with engines.connect(path) as con:
            for s in sql:
                con.execute(s)

    def verify(self, path):
        return cli("audit", "verify", "--data", path)

    def assert_broken_at(self, path, entry):
        r = self.verify(path)
        self.assertNotEqual(r.rc, 0, r)
        self.assertEqual(len(r.err.strip().splitlines()), 1, r.err)
        self.assertRegex(r.err, r"監査ログの %d 件目" % entry)

    def test_triggers_refuse_plain_edits(self):
        p = self.copy("plain")
        with self.assertRaises(engines.DB_ERRORS):
            self.tamper(p, "UPDATE audit SET detail = 'x' WHERE id = 2")
        with self.assertRaises(engines.DB_ERRORS):
            self.tamper(p, "DELETE FROM audit WHERE id = 2")
        self.assertEqual(self.verify(p).rc, 0)

    def test_modified_row(self):
        mid = self.n // 2
        p = self.copy("modified")
        self.tamper(p, engines.drop_trigger("audit_no_update", "audit"),
                    "UPDATE audit SET detail = detail || ' ' WHERE id = %d" % mid)
        self.assert_broken_at(p, mid)
        p = self.copy("modified-actor")
        self.tamper(p, engines.drop_trigger("audit_no_update", "audit"),
                    "UPDATE audit SET actor = 'cli' WHERE id = %d" % self.n)
        self.assert_broken_at(p, self.n)

    def test_deleted_middle_row(self):
        mid = self.n // 2
        p = self.copy("middle")
        self.tamper(p, engines.drop_trigger("audit_no_delete", "audit"), "DELETE FROM audit WHERE id = %d" % mid)
        self.assert_broken_at(p, mid + 1)  # the entry after the hole no longer links

    def test_deleted_first_row(self):
        p = self.copy("first")
        self.tamper(p, engines.drop_trigger("audit_no_delete", "audit"), "DELETE FROM audit WHERE id = 1")
        self.assert_broken_at(p, 2)

    def test_deleted_last_row(self):
        p = self.copy("last")
        self.tamper(p, engines.drop_trigger("audit_no_delete", "audit"),
                    "DELETE FROM audit WHERE id = %d" % self.n)
        self.assert_broken_at(p, self.n)

    def test_deleted_all_rows(self):
        p = self.copy("all")
        self.tamper(p, engines.drop_trigger("audit_no_delete", "audit"), "DELETE FROM audit")
        self.assert_broken_at(p, 1)


if __name__ == "__main__":
    unittest.main()
