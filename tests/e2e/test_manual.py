# SPDX-License-Identifier: MIT
"""test_manual.py — manual entry/exit by staff for a forgotten card (issue 3): a required
reason, the board marks it manual, the confirmed guardian gets the mail, the reason is sealed
(not in the data directory in plaintext), wrong direction is 409, another site's staff 403,
and the audit chain stays valid."""
import unittest

import engines
from harness import ServerTestCase

A = "manual.parent@example.jp"  # confirmed
ROWS = [
    ["M001", "G01", "髙橋 𠮷男", "ﾀｶﾊｼ ﾖｼｵ", "3", "2016-04-02", "髙橋 花子", A],
    ["M002", "G01", "山﨑 次郎", "ヤマサキ ジロウ", "2", "2017-05-03", "山﨑 一",
     "manual.parent2@example.jp"],
    ["M003", "G02", "鈴木 四葉", "スズキ ヨツバ", "4", "2015-07-05", "鈴木 誠",
     "manual.parent3@example.jp"],
]
REASON = "カード忘れ（母 髙橋花子さんより電話連絡）zq7manualcanary"
PATH = "/api/v1/sites/%s/manual-scans"


class ManualScanTest(ServerTestCase):
    def setUp(self):
        super().setUp()
        d = self.data
        d.site_add("G01", "すみれ学童クラブ")
        d.site_add("G02", "ひろばプラス桜", "hiroba_plus")
        d.user_add("staff01", "site_staff", ["G01"])
        d.user_add("staff02", "site_staff", ["G02"])
        d.user_add("ward01", "ward_staff")
        d.import_children(d.write_csv("roster.csv", ROWS))
        self.smtp = self.start_smtp()
        self.srv = self.start_server()
        mails = self.smtp.wait_count(3)
        web = self.srv.client()
        for m in mails:
            if A in m.rcpts:
                self.assertEqual(web.post("/api/v1/confirmations",
                                          {"token": m.confirm_token}).status, 200)

    def staff(self, login):
        c = self.srv.client()
        self.assertEqual(c.login(login).status, 200)
        return c

    def row(self, client, site, child_no):
        b = client.board(site)
        self.assertEqual(b.status, 200, b)
        return next(c for c in b.json["children"] if c["child_no"] == child_no), b.json

    def test_manual_entry_and_exit(self):
        staff = self.staff("staff01")
        r = staff.post(PATH % "G01", {"child_no": "M001", "direction": "in", "reason": REASON})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["recorded"], True)
        self.assertEqual(r.json["manual"], True)
        self.assertEqual(r.json["direction"], "in")
        self.assertEqual(r.json["child_name"], "髙橋 𠮷男")
        self.assertRegex(r.json["time"], r"^\d\d:\d\d$")
        self.assertTrue(r.json["at"])

        row, board = self.row(staff, "G01", "M001")
        self.assertEqual(row["status"], "present")
        self.assertIs(row.get("manual"), True)
        self.assertEqual(row["in_at"], r.json["time"])
        other, _ = self.row(staff, "G01", "M002")
        self.assertNotIn("manual", other)  # the rest of the shape is unchanged
        self.assertEqual(board["counts"]["present"], 1)

        # The confirmed guardian gets the mail, marked as entered by staff.
        mails = self.smtp.wait_to(A, 2)
        scan_mail = [m for m in mails if "入室" in m.subject]
        self.assertEqual(len(scan_mail), 1, mails)
        self.assertIn("職員による手入力", scan_mail[0].body)
        self.assertNotIn("zq7manualcanary", scan_mail[0].body)

        # Entering a present child again: 409, nothing recorded.
        r2 = staff.post(PATH % "G01", {"child_no": "M001", "direction": "in", "reason": "再"})
        self.assertEqual(r2.status, 409, r2)
        self.assertEqual(r2.json["code"], "already_present", r2)
        self.assertIn("すでに施設にいる", r2.json["message"])
        # Exiting a child who has not arrived: 409.
        r3 = staff.post(PATH % "G01", {"child_no": "M002", "direction": "out", "reason": "x"})
        self.assertEqual(r3.status, 409, r3)

        # Missing, empty, too long or control-character reasons: 400.
        for body in ({"child_no": "M001", "direction": "out"},
                     {"child_no": "M001", "direction": "out", "reason": ""},
                     {"child_no": "M001", "direction": "out", "reason": "　 "},
                     {"child_no": "M001", "direction": "out", "reason": "あ" * 201},
                     {"child_no": "M001", "direction": "out", "reason": "a\nb"},
                     {"child_no": "M001", "direction": "sideways", "reason": "x"}):
            rb = staff.post(PATH % "G01", body)
            self.assertEqual(rb.status, 400, (body, rb))
            self.assertIn("message", rb.json)
        # 200 characters are fine; a manual exit after a manual entry.
        r4 = staff.post(PATH % "G01", {"child_no": "M001", "direction": "out",
                                       "reason": "い" * 200})
        self.assertEqual(r4.status, 200, r4)
        row, _ = self.row(staff, "G01", "M001")
        self.assertEqual(row["status"], "left")
        self.assertIs(row.get("manual"), True)

        # Unknown child 404; a G02 child through G01 is 403; a ward role may record anywhere.
        self.assertEqual(staff.post(PATH % "G01", {"child_no": "NOPE", "direction": "in",
                                                   "reason": "x"}).status, 404)
        self.assertEqual(staff.post(PATH % "G01", {"child_no": "M003", "direction": "in",
                                                   "reason": "x"}).status, 403)
        ward = self.staff("ward01")
        r5 = ward.post(PATH % "G02", {"child_no": "M003", "direction": "in", "reason": "区"})
        self.assertEqual(r5.status, 200, r5)

        # Another site's staff: 403, and the denial is audited.
        g02 = self.staff("staff02")
        r6 = g02.post(PATH % "G01", {"child_no": "M002", "direction": "in", "reason": "x"})
        self.assertEqual(r6.status, 403, r6)
        self.assertIn("message", r6.json)
        self.assertEqual(self.row(staff, "G01", "M002")[0]["status"], "off")  # no plan, no scan
        # Without the CSRF header: 403.
        r7 = staff.request("POST", PATH % "G01", body={"child_no": "M002", "direction": "in",
                                                       "reason": "x"}, csrf=False)
        self.assertEqual(r7.status, 403, r7)

        # The scan rows: no card, no kiosk, who entered it, the reason sealed.
        con = self.data.connect(readonly=True)
        try:
            rows = con.execute("SELECT s.card_id, s.kiosk_id, u.login, s.reason_enc "
                               "FROM scans s JOIN users u ON u.id = s.manual_by "
                               "ORDER BY s.id").fetchall()
            actions = [a for (a,) in con.execute(
                "SELECT action FROM audit WHERE action IN ('scan.manual', 'denied') "
                "ORDER BY id")]
            details = [d for (d,) in con.execute("SELECT detail FROM audit")]
        finally:
            con.close()
        self.assertEqual([r[:3] for r in rows], [(None, None, "staff01"), (None, None, "staff01"),
                                                (None, None, "ward01")])
        self.assertTrue(all(r[3] for r in rows))
        self.assertEqual(actions.count("scan.manual"), 3)
        self.assertIn("denied", actions)
        self.assertFalse(any(d and "zq7manualcanary" in d for d in details))

        # The reason is nowhere in the data directory in plaintext.
        for want_stop in (False, True):
            if want_stop:
                self.srv.stop()
            for path in self.data.all_files():  # database, WAL, server logs
                data = engines.read_bytes(path)
                for needle in ("zq7manualcanary", "い" * 50):
                    self.assertNotIn(needle.encode("utf-8"), data, path)
        v = self.data.audit_verify()
        self.assertEqual(v.rc, 0, v)


if __name__ == "__main__":
    unittest.main()
