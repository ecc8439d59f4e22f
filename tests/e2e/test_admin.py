# SPDX-License-Identifier: MIT
"""test_admin.py — the ward administrator's routes (issue 11) end to end against a real server:
the sites at a glance (counted as the boards count, those needing attention first); cards for
one child without touching the others' cards, reissue, every child without one, sheets of
chosen children decoded with zbar and recorded in the ledger; kiosks added (token once),
listed and revoked (refused at once); staff accounts added with a random first password that
must be changed before anything else, locked, unlocked, reset, given another role; the daily
list as XLSX and the monthly usage as PDF; every change audited under the acting user; and the
demo's card codes and its second approver sending to all sites."""
import calendar
import csv
import datetime
import io
import os
import re
import time
import unittest
import zipfile

import harness
from harness import ServerTestCase

JST = datetime.timezone(datetime.timedelta(hours=9))
DAY = "2026-11-30"  # a Monday
ROWS = [
    # G01: present, not arrived (alert), absent, not planned, left.
    ["O001", "G01", "髙橋 𠮷男", "タカハシ ヨシオ", "2", "2018-04-02", "髙橋 花子", "o1@example.jp"],
    ["O002", "G01", "山﨑 次郎", "ヤマサキ ジロウ", "3", "2017-05-03", "山﨑 一", "o2@example.jp"],
    ["O003", "G01", "佐藤 三郎", "サトウ サブロウ", "1", "2019-06-04", "佐藤 良子", "o3@example.jp"],
    ["O004", "G01", "鈴木 四葉", "スズキ ヨツバ", "4", "2016-07-05", "鈴木 誠", "o4@example.jp"],
    ["O005", "G01", "田中 五郎", "タナカ ゴロウ", "5", "2015-08-06", "田中 裕子", "o5@example.jp"],
    # G02: not planned. G03: two planned who never come.
    ["O006", "G02", "伊藤 六花", "イトウ リッカ", "1", "2019-09-07", "伊藤 京子", "o6@example.jp"],
    ["O007", "G03", "渡辺 七海", "ワタナベ ナナミ", "2", "2018-10-08", "渡辺 誠", "o7@example.jp"],
    ["O008", "G03", "中村 八郎", "ナカムラ ハチロウ", "3", "2017-11-09", "中村 恵", "o8@example.jp"],
]
NAMES = {r[0]: r[2] for r in ROWS}
COUNTS = ("enrolled", "present", "left", "absent", "off", "not_arrived", "expected", "alerts",
          "still_present")


def epoch(day, hhmm):
    d = datetime.datetime.strptime(day + " " + hhmm, "%Y-%m-%d %H:%M").replace(tzinfo=JST)
    return calendar.timegm(d.utctimetuple())


class AdminTest(ServerTestCase):
    def setUp(self):
        super().setUp()
        d = self.data
        d.site_add("G01", "すみれ学童クラブ")
        d.site_add("G02", "ひろばプラス桜", "hiroba_plus")
        d.site_add("G03", "あおば学童クラブ")
        d.user_add("admin01", "ward_admin")
        d.user_add("admin02", "ward_admin")
        d.user_add("ward01", "ward_staff")
        d.user_add("staff01", "site_staff", ["G01"])
        d.import_children(d.write_csv("roster.csv", ROWS))
        self.kiosk = d.kiosk_add("G01")

    def start(self, env=None):
        self.smtp = self.start_smtp()
        self.srv = self.start_server(env=env)
        return self.srv

    def login(self, who, password=harness.PASSWORD):
        c = self.srv.client()
        r = c.login(who, password)
        self.assertEqual(r.status, 200, r)
        return c

    def audit(self, action):
        return self.data.query("SELECT actor, object, detail FROM audit WHERE action = ? "
                               "ORDER BY id", action)

    def user_id(self, login):
        return self.data.query("SELECT id FROM users WHERE login = ?", login)[0][0]

    def sheet_codes(self, admin, site, children=None):
        q = "?children=" + ",".join(children) if children else ""
        r = admin.get("/api/v1/sites/%s/cards/sheet%s" % (site, q))
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.header("Content-Type"), "application/pdf")
        self.assertEqual(r.header("Content-Disposition"),
                         'attachment; filename="cards-%s.pdf"' % site)
        self.assertTrue(r.header("X-Mimamori-Ledger-Id"))
        path = os.path.join(self.data.tmp, "sheet-%d.pdf" % time.monotonic_ns())
        with open(path, "wb") as f:
            f.write(r.body)
        return harness.decode_qr_codes(path), harness.pdf_text(path)

    # -- the sites at a glance ---------------------------------------------------------------

    def test_overview_counts_as_the_boards_do(self):
        """The overview counts by the board's one rule (day_status_decide) on a day with
        absences, days without plan and the families' same-day notices: a child here with an
        absence notice is 在室, one gone home with a day off is 退室, a day planned by its own
        exception (no weekly plan) is expected and then not arrived, a weekly day turned off is
        予定なし, an absence with no scan is 欠席."""
        d = self.data
        # Monday plans (weekday 1) for the planned children.
        con = d.connect()
        with con:
            for no in ("O001", "O002", "O003", "O005", "O007", "O008"):
                con.execute("INSERT INTO plan_weekly(child_id, weekday, leave, way_home, "
                            "updated_ms) SELECT id, 1, '17:00', 'alone', 0 FROM children "
                            "WHERE child_no = ?", (no,))
            # The day's exceptions: O003 told an absence the day before; O001 (who comes
            # anyway) an absence and O005 (who comes and goes) a day off, both the same day;
            # O004 (no weekly plan) comes that day only; O008 stays home (a day off).
            notices = [("O003", "absent", "2026-11-29 20:00"), ("O001", "absent", DAY + " 12:10"),
                       ("O005", "off", DAY + " 11:00"), ("O004", "attend", "2026-11-28 09:00"),
                       ("O008", "off", DAY + " 08:30")]
            for no, status, at in notices:
                ms = epoch(*at.split(" ")) * 1000
                con.execute("INSERT INTO plan_days(child_id, day, status, updated_ms, updated_by) "
                            "SELECT id, ?, ?, ?, 'test' FROM children WHERE child_no = ?",
                            (DAY, status, ms, no))
                con.execute("INSERT INTO plan_changes(child_id, day, at_ms, actor, status) "
                            "SELECT id, ?, ?, 'test', ? FROM children WHERE child_no = ?",
                            (DAY, ms, status, no))
        con.close()
        # Arrival 13:00 + 30 min grace: at 15:30 the planned children not in are overdue.
        srv = self.start(env={"MIMAMORI_FAKE_NOW": str(epoch(DAY, "15:30")),
                              "MIMAMORI_ALERT_INTERVAL_MS": "100"})
        admin = self.login("admin01")
        r = admin.post("/api/v1/sites/G01/cards", {"children": ["O001", "O005"]})
        self.assertEqual((r.status, r.json), (201, {"issued": 2, "mode": "new"}), r)
        codes, _ = self.sheet_codes(admin, "G01")
        self.assertEqual(len(codes), 2)
        kiosk = srv.client(kiosk_token=self.kiosk)
        names = {}
        for code in codes:
            r = kiosk.scan(code)
            self.assertEqual((r.status, r.json["direction"]), (200, "in"), r)
            names[r.json["child_name"]] = code
        # O005 leaves (after the 60 s repeat window, by the fake clock: restart later).
        srv.stop()
        srv = self.srv = self.start_server(env={"MIMAMORI_FAKE_NOW": str(epoch(DAY, "16:30")),
                                                "MIMAMORI_ALERT_INTERVAL_MS": "100"})
        r = srv.client(kiosk_token=self.kiosk).scan(names[NAMES["O005"]])
        self.assertEqual(r.json["direction"], "out", r)
        admin = self.login("admin01")

        def ready():
            r = admin.get("/api/v1/overview")
            self.assertEqual(r.status, 200, r)
            by = {s["code"]: s["counts"] for s in r.json["sites"]}
            return r.json if by["G03"]["alerts"] == 1 and by["G01"]["alerts"] == 2 else None
        ov = harness.wait_until(ready, timeout=20, what="the not-arrived alerts")
        self.assertEqual(ov["day"], DAY)
        # Those needing attention first: G01 (2 alerts), G03 (1), then G02.
        self.assertEqual([s["code"] for s in ov["sites"]], ["G01", "G03", "G02"])
        by = {s["code"]: s for s in ov["sites"]}
        self.assertEqual(by["G01"]["counts"], {
            "enrolled": 5, "present": 1, "left": 1, "absent": 1, "off": 0, "not_arrived": 2,
            "expected": 0, "alerts": 2, "still_present": 0})
        self.assertEqual(by["G02"]["counts"], {
            "enrolled": 1, "present": 0, "left": 0, "absent": 0, "off": 1, "not_arrived": 0,
            "expected": 0, "alerts": 0, "still_present": 0})
        self.assertEqual(by["G03"]["counts"], {
            "enrolled": 2, "present": 0, "left": 0, "absent": 0, "off": 1, "not_arrived": 1,
            "expected": 0, "alerts": 1, "still_present": 0})
        self.assertEqual(by["G01"]["name"], "すみれ学童クラブ")
        # Each site's counts are its board's: the counts the board gives, and its children's
        # statuses counted one by one (the same rule decides both).
        statuses = {}
        for code, s in by.items():
            b = admin.board(code).json
            for c in b["children"]:
                statuses[c["child_no"]] = c["status"]
            for k in ("present", "left", "absent", "off", "not_arrived", "expected"):
                self.assertEqual(s["counts"][k], b["counts"][k], (code, k))
                self.assertEqual(s["counts"][k],
                                 sum(1 for c in b["children"] if c["status"] == k), (code, k))
            self.assertEqual(s["counts"]["enrolled"], len(b["children"]))
            self.assertEqual(s["counts"]["alerts"], len(b["alerts"]))
        self.assertEqual(statuses, {
            "O001": "present", "O002": "not_arrived", "O003": "absent", "O004": "not_arrived",
            "O005": "left", "O006": "off", "O007": "not_arrived", "O008": "off"})
        self.assertEqual(ov["totals"], {
            "enrolled": 8, "present": 1, "left": 1, "absent": 1, "off": 2, "not_arrived": 3,
            "expected": 0, "alerts": 3, "still_present": 0})
        # Counts only: no names in the answer.
        for n in NAMES.values():
            self.assertNotIn(n, str(ov))
        # The ward admin's alone.
        for who in ("ward01", "staff01"):
            self.assertEqual(self.login(who).get("/api/v1/overview").status, 403)

    # -- cards -------------------------------------------------------------------------------

    def test_cards_one_child_reissue_missing_and_sheets(self):
        d = self.data
        d.card_issue(child="O001")
        d.card_issue(child="O002")
        before = harness.decode_qr_codes(d.card_sheet("G01"))
        self.assertEqual(len(before), 2)
        srv = self.start()
        admin = self.login("admin01")
        admin_id = self.user_id("admin01")

        r = admin.get("/api/v1/sites/G01/cards")
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json["with_card"], r.json["without_card"]), (2, 3))
        kids = {c["child_no"]: c for c in r.json["children"]}
        self.assertEqual(kids["O001"]["name"], NAMES["O001"])
        self.assertIsNotNone(kids["O001"]["card"])
        self.assertIsNone(kids["O003"]["card"])
        self.assertEqual(kids["O001"]["revoked_cards"], 0)

        # One card for one child: the others' cards stay valid.
        r = admin.post("/api/v1/sites/G01/cards", {"children": ["O003"]})
        self.assertEqual((r.status, r.json["issued"]), (201, 1), r)
        after, _ = self.sheet_codes(admin, "G01")
        self.assertEqual(len(after), 3)
        self.assertTrue(set(before) <= set(after), (before, after))
        kiosk = srv.client(kiosk_token=self.kiosk)
        for code in before:
            self.assertEqual(kiosk.scan(code).status, 200)
        new = (set(after) - set(before)).pop()
        r = kiosk.scan(new)
        self.assertEqual((r.status, r.json["child_name"]), (200, NAMES["O003"]), r)

        # A first card for a child who has one is refused: reissue is the way.
        r = admin.post("/api/v1/sites/G01/cards", {"children": ["O001"]})
        self.assertEqual(r.status, 409, r)
        self.assertIn("再発行", r.json["message"])
        # Children of another site, unknown children, bad bodies.
        self.assertEqual(admin.post("/api/v1/sites/G01/cards", {"children": ["O006"]}).status,
                         404)
        self.assertEqual(admin.post("/api/v1/sites/G01/cards", {"children": []}).status, 400)
        self.assertEqual(admin.post("/api/v1/sites/G01/cards", {"children": [7]}).status, 400)
        self.assertEqual(admin.post("/api/v1/sites/G01/cards", {"missing": "yes"}).status, 400)
        self.assertEqual(admin.post("/api/v1/sites/G99/cards", {"missing": True}).status, 404)
        self.assertEqual(admin.post("/api/v1/sites/G02/cards/O001/reissue").status, 404)

        # Reissue: the old card stops working, the new one works.
        only, text = self.sheet_codes(admin, "G01", ["O001"])
        self.assertEqual(len(only), 1)
        self.assertIn(NAMES["O001"], text)
        self.assertNotIn(NAMES["O002"], text)
        r = admin.post("/api/v1/sites/G01/cards/O001/reissue")
        self.assertEqual((r.status, r.json), (201, {"issued": 1, "mode": "reissue"}), r)
        time.sleep(1.1)
        self.assertEqual(kiosk.scan(only[0]).status, 404)
        renewed, _ = self.sheet_codes(admin, "G01", ["O001"])
        self.assertNotEqual(renewed, only)
        r = kiosk.scan(renewed[0])
        self.assertEqual((r.status, r.json["child_name"]), (200, NAMES["O001"]), r)
        r = admin.get("/api/v1/sites/G01/cards")
        self.assertEqual({c["child_no"]: c["revoked_cards"] for c in r.json["children"]}["O001"],
                         1)

        # Every child without a card: O004 and O005; then nothing is left to issue.
        r = admin.post("/api/v1/sites/G01/cards", {"missing": True})
        self.assertEqual((r.status, r.json["issued"]), (201, 2), r)
        r = admin.post("/api/v1/sites/G01/cards", {"missing": True})
        self.assertEqual(r.json["issued"], 0)
        codes, text = self.sheet_codes(admin, "G01", ["O005", "O004"])
        self.assertEqual(len(codes), 2)
        for no in ("O004", "O005"):
            self.assertIn(NAMES[no], text)
        # A chosen child without a valid card or of another site is refused.
        r = admin.get("/api/v1/sites/G01/cards/sheet?children=O006")
        self.assertEqual(r.status, 404, r)
        self.assertEqual(admin.get("/api/v1/sites/G02/cards/sheet").status, 400)  # no cards

        # Everything audited under the admin; sheets in the ledger.
        issues = self.audit("card.issue")
        self.assertEqual([a[0] for a in issues[-4:]], ["user:%d" % admin_id] * 4)
        self.assertIn("mode=new cards=1 children=O003", [a[2] for a in issues])
        self.assertIn("mode=reissue cards=1 children=O001", [a[2] for a in issues])
        self.assertIn("mode=missing cards=2", [a[2] for a in issues])
        sheets = [a for a in self.audit("card.sheet") if a[0] == "user:%d" % admin_id]
        self.assertEqual(len(sheets), 4)
        led = admin.get("/api/v1/ledger").json["ledger"]
        # The sheet printed with the CLI before the server started is there too.
        self.assertEqual([(e["actor"], e["login"], e["content"], e["records"]) for e in led[:1]],
                         [("cli", "", "cards G01 pdf", 2)])
        self.assertEqual([(e["login"], e["content"], e["records"]) for e in led[1:]], [
            ("admin01", "cards G01 pdf", 3),
            ("admin01", "cards G01 pdf (chosen children)", 1),
            ("admin01", "cards G01 pdf (chosen children)", 1),
            ("admin01", "cards G01 pdf (chosen children)", 2),
        ])
        self.assertEqual(self.audit("card.list")[0][0], "user:%d" % admin_id)
        self.assertEqual(d.audit_verify().rc, 0)

    # -- kiosks ------------------------------------------------------------------------------

    def test_kiosks_add_list_revoke(self):
        srv = self.start()
        admin = self.login("admin01")
        admin_id = self.user_id("admin01")
        r = admin.post("/api/v1/sites/G02/kiosks", {"label": "入口のタブレット"})
        self.assertEqual(r.status, 201, r)
        token, kiosk = r.json["token"], r.json["kiosk"]
        self.assertEqual((kiosk["site"], kiosk["label"], kiosk["revoked_at"]),
                         ("G02", "入口のタブレット", None))
        # Only the token's hash is kept.
        self.assertEqual(self.data.query("SELECT COUNT(*) FROM kiosks WHERE token_hash = ?",
                                         token.encode()), [(0,)])
        k = srv.client(kiosk_token=token)
        r = k.get("/api/v1/kiosk")
        self.assertEqual(r.status, 200, r)

        r = admin.get("/api/v1/kiosks?site=G02")
        self.assertEqual([(x["id"], x["label"]) for x in r.json["kiosks"]],
                         [(kiosk["id"], "入口のタブレット")])
        r = admin.get("/api/v1/kiosks")
        self.assertEqual(sorted(x["site"] for x in r.json["kiosks"]), ["G01", "G02"])
        # Today's scans of a kiosk.
        self.data.card_issue(child="O006")
        code = harness.decode_qr_codes(self.data.card_sheet("G02"))[0]
        self.assertEqual(k.scan(code).status, 200)
        r = admin.get("/api/v1/kiosks?site=G02")
        self.assertEqual(r.json["kiosks"][0]["scans_today"], 1)
        self.assertRegex(r.json["kiosks"][0]["last_scan_today"], r"^\d\d:\d\d$")

        # Revoked: refused at once, listed as revoked; a second revoke is a conflict.
        r = admin.post("/api/v1/kiosks/%d/revoke" % kiosk["id"])
        self.assertEqual(r.status, 200, r)
        self.assertIsNotNone(r.json["kiosk"]["revoked_at"])
        self.assertEqual(k.get("/api/v1/kiosk").status, 401)
        self.assertEqual(k.scan(code).status, 401)
        r = admin.post("/api/v1/kiosks/%d/revoke" % kiosk["id"])
        self.assertEqual(r.status, 409, r)
        self.assertEqual(admin.post("/api/v1/kiosks/99999/revoke").status, 404)
        # The other kiosk still works.
        self.assertEqual(srv.client(kiosk_token=self.kiosk).get("/api/v1/kiosk").status, 200)
        # Bad input.
        self.assertEqual(admin.post("/api/v1/sites/G02/kiosks", {"label": "x" * 41}).status, 400)
        self.assertEqual(admin.post("/api/v1/sites/G02/kiosks", {"label": "a\nb"}).status, 400)
        self.assertEqual(admin.post("/api/v1/sites/G02/kiosks", {"label": 3}).status, 400)
        self.assertEqual(admin.post("/api/v1/sites/G99/kiosks", {}).status, 404)
        actor = "user:%d" % admin_id
        self.assertEqual(self.audit("kiosk.add")[-1], (actor, "kiosk:%d" % kiosk["id"], "G02"))
        self.assertEqual(self.audit("kiosk.revoke"), [(actor, "kiosk:%d" % kiosk["id"], "G02")])
        self.assertEqual(self.data.audit_verify().rc, 0)

    # -- staff accounts ----------------------------------------------------------------------

    def test_users_first_password_lock_reset_role(self):
        self.start()
        admin = self.login("admin01")
        actor = "user:%d" % self.user_id("admin01")
        r = admin.post("/api/v1/users", {"login": "new.staff", "role": "site_staff",
                                         "sites": ["G01", "G03"]})
        self.assertEqual(r.status, 201, r)
        first = r.json["password"]
        user = r.json["user"]
        self.assertGreaterEqual(len(first), 16)
        self.assertEqual((user["login"], user["role"], user["sites"], user["must_change_password"],
                          user["locked"]), ("new.staff", "site_staff", ["G01", "G03"], True, False))
        self.assertNotIn(first, str(self.data.query("SELECT password_hash FROM users")))

        # Signed in with the first password, only the password change is open.
        u = self.login("new.staff", first)
        self.assertTrue(u.get("/api/v1/session").json["user"]["must_change_password"])
        r = u.board("G01")
        self.assertEqual((r.status, r.json["code"]), (403, "password_change_required"), r)
        self.assertEqual(u.get("/api/v1/sites").status, 403)
        for body, code in (({"current": first, "new": "short"}, 400),
                           ({"current": "wrong-password-1", "new": "a-new-password-1"}, 400),
                           ({"current": first, "new": "new.staff"}, 400),
                           ({"current": first, "new": first}, 400),
                           ({"current": first}, 400)):
            r = u.post("/api/v1/session/password", body)
            self.assertEqual(r.status, code, (body, r))
            self.assertNotRegex(r.json["message"], r"^[ -~]*$")  # Japanese, not ASCII only
        r = u.post("/api/v1/session/password", {"current": first, "new": "a-new-password-1"})
        self.assertEqual(r.status, 200, r)
        self.assertFalse(r.json["user"]["must_change_password"])
        self.assertEqual(u.board("G01").status, 200)
        self.assertEqual(u.board("G02").status, 403)  # still only its sites
        self.assertEqual(self.srv.client().login("new.staff", first).status, 401)

        uid = user["id"]
        # Lock: the open session ends at once and sign-in is refused; unlock undoes it.
        r = admin.request("PATCH", "/api/v1/users/%d" % uid, {"locked": True})
        self.assertEqual((r.status, r.json["user"]["locked"]), (200, True), r)
        self.assertEqual(u.board("G01").status, 401)
        # Its own password hears that it is stopped; any other, the usual answer.
        r = self.srv.client().login("new.staff", "a-new-password-1")
        self.assertEqual((r.status, r.json["code"]), (401, "account_stopped"), r)
        self.assertIn("ロックしています", r.json["message"])
        r = self.srv.client().login("new.staff", "not-its-password-9")
        self.assertEqual((r.status, r.json["code"]), (401, "wrong_login"), r)
        r = admin.request("PATCH", "/api/v1/users/%d" % uid, {"locked": False})
        self.assertEqual((r.status, r.json["user"]["locked"]), (200, False), r)
        u = self.login("new.staff", "a-new-password-1")

        # Reset: the old password and the session end; the new one must be changed again.
        r = admin.post("/api/v1/users/%d/password" % uid)
        self.assertEqual(r.status, 200, r)
        second = r.json["password"]
        self.assertNotEqual(second, first)
        self.assertTrue(r.json["user"]["must_change_password"])
        self.assertEqual(u.get("/api/v1/session").status, 401)
        self.assertEqual(self.srv.client().login("new.staff", "a-new-password-1").status, 401)
        u = self.login("new.staff", second)
        self.assertEqual(u.board("G01").status, 403)
        self.assertEqual(u.post("/api/v1/session/password",
                                {"current": second, "new": "another-password-2"}).status, 200)

        # Another role: ward staff see every site.
        r = admin.request("PATCH", "/api/v1/users/%d" % uid, {"role": "ward_staff"})
        self.assertEqual((r.status, r.json["user"]["role"], r.json["user"]["sites"]),
                         (200, "ward_staff", []), r)
        self.assertEqual(u.board("G02").status, 200)
        r = admin.request("PATCH", "/api/v1/users/%d" % uid, {"role": "site_staff",
                                                              "sites": ["G02"]})
        self.assertEqual((r.status, r.json["user"]["sites"]), (200, ["G02"]), r)
        self.assertEqual(u.board("G01").status, 403)

        # Refusals with a Japanese reason; nothing changes.
        me = self.user_id("admin01")
        for method, path, body, status in (
                ("POST", "/api/v1/users", {"login": "new.staff", "role": "ward_staff"}, 409),
                ("POST", "/api/v1/users", {"login": "x", "role": "ward_staff"}, 400),
                ("POST", "/api/v1/users", {"login": "ok-login", "role": "root"}, 400),
                ("POST", "/api/v1/users", {"login": "ok-login", "role": "site_staff"}, 400),
                ("POST", "/api/v1/users", {"login": "ok-login", "role": "site_staff",
                                           "sites": ["G99"]}, 400),
                ("POST", "/api/v1/users", {"login": "ok-login", "role": "ward_staff",
                                           "sites": ["G01"]}, 400),
                ("PATCH", "/api/v1/users/%d" % me, {"locked": True}, 409),
                ("PATCH", "/api/v1/users/%d" % me, {"role": "ward_staff"}, 409),
                ("PATCH", "/api/v1/users/%d" % uid, {}, 400),
                ("PATCH", "/api/v1/users/%d" % uid, {"locked": "yes"}, 400),
                ("PATCH", "/api/v1/users/99999", {"locked": True}, 404),
                ("POST", "/api/v1/users/99999/password", {}, 404)):
            r = admin.request(method, path, body)
            self.assertEqual(r.status, status, (method, path, body, r))
            self.assertNotRegex(r.json["message"], r"^[ -~]*$")
        self.assertEqual(self.data.query("SELECT COUNT(*) FROM users WHERE login = 'ok-login'"),
                         [(0,)])
        # Another ward admin can be locked (the actor stays one); its session ends.
        admin2 = self.login("admin02")
        a2 = self.user_id("admin02")
        r = admin.request("PATCH", "/api/v1/users/%d" % a2, {"locked": True})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(admin2.get("/api/v1/users").status, 401)
        r = admin.request("PATCH", "/api/v1/users/%d" % a2, {"role": "ward_staff"})
        self.assertEqual(r.status, 200, r)

        r = admin.get("/api/v1/users")
        self.assertEqual(r.status, 200, r)
        logins = [x["login"] for x in r.json["users"]]
        self.assertEqual(logins, sorted(logins))
        for who in ("ward01", "staff01"):
            self.assertEqual(self.login(who).get("/api/v1/users").status, 403)

        # Audited under the acting administrator (and the user for their own change).
        self.assertEqual(self.audit("user.add")[-1],
                         (actor, "user:%d" % uid, "role=site_staff sites=G01,G03"))
        self.assertEqual([a[0] for a in self.audit("user.lock")], [actor, actor])
        self.assertEqual(self.audit("user.unlock"), [(actor, "user:%d" % uid, "site_staff")])
        self.assertEqual(self.audit("user.password.reset"), [(actor, "user:%d" % uid,
                                                              "site_staff")])
        self.assertEqual([a[0] for a in self.audit("user.password.change")],
                         ["user:%d" % uid] * 2)
        self.assertEqual([a[2] for a in self.audit("user.update")],
                         ["role=ward_staff sites=*", "role=site_staff sites=G02",
                          "role=ward_staff sites=*"])
        self.assertEqual(self.data.audit_verify().rc, 0)

    def test_retire_an_account(self):
        """アカウントの廃止: the account's login and password go for good, its session ends and
        its sites with it; the row stays under its number (the audit log still names it), the
        login can be given to someone else, and nothing more can be done to it. The same from
        the console with `mimamori user retire`."""
        self.start()
        admin = self.login("admin01")
        me, actor = self.user_id("admin01"), "user:%d" % self.user_id("admin01")
        staff = self.login("staff01")
        sid = self.user_id("staff01")
        self.assertEqual(staff.board("G01").status, 200)
        r = admin.post("/api/v1/users/%d/retire" % sid, {})
        self.assertEqual(r.status, 200, r)
        u = r.json["user"]
        self.assertEqual((u["login"], u["retired"], u["locked"], u["sites"]),
                         ("retired:%d" % sid, True, True, []), r)
        self.assertRegex(u["retired_at"], r"^\d{4}-\d\d-\d\dT")
        # Its session ended; its old login and password no longer sign in.
        self.assertEqual(staff.board("G01").status, 401)
        self.assertEqual(self.srv.client().login("staff01").status, 401)
        self.assertEqual(self.srv.client().login("retired:%d" % sid).status, 401)
        self.assertEqual(self.data.query(
            "SELECT login, password_hash, disabled FROM users WHERE id = %d" % sid),
            [("retired:%d" % sid, "!", 1)])
        for table in ("sessions", "user_sites"):
            self.assertEqual(self.data.query(
                "SELECT count(*) FROM %s WHERE user_id = %d" % (table, sid)), [(0,)], table)
        # Nothing more: not again, no lock, no new password, no role; not oneself.
        for method, path, body in (("POST", "/api/v1/users/%d/retire" % sid, {}),
                                   ("PATCH", "/api/v1/users/%d" % sid, {"locked": False}),
                                   ("PATCH", "/api/v1/users/%d" % sid, {"role": "ward_staff"}),
                                   ("POST", "/api/v1/users/%d/password" % sid, {}),
                                   ("POST", "/api/v1/users/%d/retire" % me, {})):
            r = admin.request(method, path, body)
            self.assertEqual(r.status, 409, (method, path, r))
            self.assertNotRegex(r.json["message"], r"^[ -~]*$")
        self.assertEqual(admin.post("/api/v1/users/99999/retire", {}).status, 404)
        self.assertEqual(self.login("ward01").post("/api/v1/users/%d/retire" % me, {}).status,
                         403)
        # The name is free for a new person, who is another account.
        r = admin.post("/api/v1/users", {"login": "staff01", "role": "site_staff",
                                         "sites": ["G01"]})
        self.assertEqual(r.status, 201, r)
        self.assertNotEqual(r.json["user"]["id"], sid)
        listed = {x["id"]: x for x in admin.get("/api/v1/users").json["users"]}
        self.assertTrue(listed[sid]["retired"])
        self.assertFalse(listed[r.json["user"]["id"]]["retired"])
        self.assertEqual(self.audit("user.retire"), [(actor, "user:%d" % sid, "site_staff")])
        # The last unlocked ward administrator stays.
        a2 = self.user_id("admin02")
        self.assertEqual(admin.post("/api/v1/users/%d/retire" % a2, {}).status, 200)
        self.srv.stop()
        r = harness.cli("user", "retire", "--data", self.data.path, "--login", "admin01")
        self.assertEqual(r.rc, 1, r)
        self.assertIn("区の管理者が1人もいなくなる", r.err)
        r = harness.cli("user", "retire", "--data", self.data.path, "--login", "nobody")
        self.assertEqual(r.rc, 1, r)
        self.assertIn("いません", r.err)
        r = harness.cli_ok("user", "retire", "--data", self.data.path, "--login", "ward01")
        self.assertIn("廃止しました", r.out)
        self.assertEqual(self.audit("user.retire")[-1][0], "cli")
        self.assertEqual(self.data.audit_verify().rc, 0)

    # -- the new formats of the reports ------------------------------------------------------

    def test_daily_xlsx_and_monthly_pdf(self):
        d = self.data
        d.card_issue(child="O001")
        code = harness.decode_qr_codes(d.card_sheet("G01"))[0]
        srv = self.start(env={"MIMAMORI_FAKE_NOW": str(epoch("2025-06-10", "15:00"))})
        self.assertEqual(srv.client(kiosk_token=self.kiosk).scan(code).status, 200)
        admin = self.login("admin01")
        staff = self.login("staff01")
        r = staff.get("/api/v1/sites/G01/reports/daily?date=2025-06-10&format=xlsx")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.header("Content-Type"),
                         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        self.assertEqual(r.header("Content-Disposition"),
                         'attachment; filename="daily-G01-2025-06-10.xlsx"')
        z = zipfile.ZipFile(io.BytesIO(r.body))
        shared = z.read("xl/sharedStrings.xml").decode("utf-8")
        for want in ("出欠一覧（日次）", "すみれ学童クラブ（G01）", "令和7年6月10日(火)",
                     NAMES["O001"], NAMES["O002"], "15:00", "在室", "O005"):
            self.assertIn(want, shared)
        self.assertNotIn(NAMES["O006"], shared)
        self.assertIn('name="G01"', z.read("xl/workbook.xml").decode("utf-8"))
        r = staff.get("/api/v1/sites/G01/reports/daily?format=xlsx&encoding=cp932")
        self.assertEqual(r.status, 400, r)

        r = admin.get("/api/v1/reports/monthly?month=2025-06&format=pdf")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.header("Content-Type"), "application/pdf")
        self.assertEqual(r.header("Content-Disposition"),
                         'attachment; filename="monthly-2025-06.pdf"')
        path = os.path.join(d.tmp, "monthly.pdf")
        with open(path, "wb") as f:
            f.write(r.body)
        text = harness.pdf_text(path)
        for want in ("月次利用実績 令和7年6月（2025-06）", "区集計", "区合計", "すみれ学童クラブ",
                     "G03 あおば学童クラブ", NAMES["O001"], NAMES["O008"], "施設計"):
            self.assertIn(want, text)
        # The summary, then one page per site: 4 pages numbered n / 4.
        self.assertEqual(text.count("\f"), 4)
        for p in range(1, 5):
            self.assertRegex(text, r"\b%d\s*/\s*4\b" % p)
        self.assertEqual(staff.get("/api/v1/reports/monthly?month=2025-06&format=pdf").status,
                         403)
        led = admin.get("/api/v1/ledger").json["ledger"]
        self.assertEqual([(e["login"], e["content"], e["records"]) for e in led], [
            ("", "cards G01 pdf", 1),
            ("staff01", "daily G01 2025-06-10 xlsx", 5),
            ("admin01", "monthly 2025-06 pdf", 8),
        ])
        # The CLI writes the same formats.
        out = os.path.join(d.tmp, "d.xlsx")
        r = harness.cli_ok("report", "daily", "--data", d.path, "--site", "G01", "--date",
                           "2025-06-10", "--format", "xlsx", "--out", out)
        self.assertTrue(zipfile.is_zipfile(out))
        out = os.path.join(d.tmp, "m.pdf")
        harness.cli_ok("report", "monthly", "--data", d.path, "--month", "2025-06", "--format",
                       "pdf", "--out", out)
        self.assertIn(NAMES["O007"], harness.pdf_text(out))
        # Never over the ward's own files (a report once replaced the database with a CSV).
        for own in ("mimamori.conf", "master.key"):
            path = os.path.join(d.path, own)
            before = open(path, "rb").read()
            r = harness.cli("report", "monthly", "--data", d.path, "--month", "2025-06",
                            "--format", "csv", "--out", path)
            self.assertNotEqual(r.rc, 0)
            self.assertIn("データディレクトリのファイル", r.err)
            # One line: the guard's reason, not also the command's own "cannot write".
            self.assertEqual(len(r.err.strip().splitlines()), 1, r.err)
            self.assertEqual(open(path, "rb").read(), before, own)
        harness.cli_ok("audit", "verify", "--data", d.path)


class DemoTest(unittest.TestCase):
    """The demo prints card codes per site, writes every code to demo-cards.csv, and its second
    approver (the contractor) approves the ward admin's emergency mail to all sites."""

    def setUp(self):
        self.data = harness.DataDir(init=False)
        self.srv = None
        self.smtp = None

    def tearDown(self):
        if self.srv:
            self.srv.stop()
            rep = harness.sanitizer_report(self.srv.stderr_text())
            if rep:
                self.fail(rep)
        if self.smtp:
            self.smtp.stop()
        self.data.cleanup()

    def test_demo_cards_and_the_approver(self):
        d = self.data
        r = harness.cli_ok("demo", "--data", d.path, "--children", "120", "--bath-people", "300", "--school-registrations", "600",
                           timeout=300)
        # Several codes per site on stdout; every code in the file, each a valid card.
        shown = re.findall(r"^  (G\d\d|H\d\d)\s+((?:\s*C\d{6} [A-Z2-7]{26})+)\s*$", r.out,
                           re.M)
        self.assertEqual(len(shown), 59, r.out)
        for site, codes in shown:
            self.assertGreaterEqual(len(re.findall(r"C\d{6} [A-Z2-7]{26}", codes)), 2, site)
        with open(os.path.join(d.path, "demo-cards.csv"), encoding="utf-8") as f:
            rows = list(csv.reader(f))
        self.assertEqual(rows[0], ["site_code", "child_no", "code"])
        self.assertEqual(len(rows) - 1, 120)
        self.assertEqual(oct(os.stat(os.path.join(d.path, "demo-cards.csv")).st_mode & 0o777),
                         "0o600")
        by_code = {row[2]: row for row in rows[1:]}
        g01 = [row for row in rows[1:] if row[0] == "G01"]
        first = re.search(r"^  G01\s+C\d{6} ([A-Z2-7]{26})", r.out, re.M).group(1)
        self.assertEqual(by_code[first][:2], ["G01", g01[0][1]])
        with open(os.path.join(d.path, "demo-credentials.txt"), encoding="utf-8") as f:
            cred = f.read()
        admin_pw = re.search(r"ward admin: login admin  password (\S+)", cred).group(1)
        cont_pw = re.search(r"login contractor  password (\S+)", cred).group(1)
        token = re.search(r"site G01 kiosk token: (\S+)", cred).group(1)
        self.assertIn("login contractor", r.out)

        self.smtp = harness.SmtpSink()
        self.srv = harness.Server(d, mail=self.smtp.url, on_port=d.set_base_url)
        self.srv.start()
        # A code from the file works at the site's kiosk.
        r = self.srv.client(kiosk_token=token).scan(g01[0][2])
        self.assertEqual(r.status, 200, r)
        admin, cont = self.srv.client(), self.srv.client()
        self.assertEqual(admin.login("admin", admin_pw).status, 200)
        self.assertEqual(cont.login("contractor", cont_pw).status, 200)
        r = admin.post("/api/v1/emergency-sends", {"sites": "all", "subject": "【緊急】閉所のお知らせ",
                                                   "body": "本日は台風のため15時で閉所します。"})
        self.assertEqual((r.status, r.json["state"]), (201, "awaiting_approval"), r)
        sid = r.json["id"]
        self.assertEqual(admin.post("/api/v1/emergency-sends/%d/approve" % sid).status, 403)
        r = cont.post("/api/v1/emergency-sends/%d/approve" % sid)
        self.assertEqual((r.status, r.json["state"]), (200, "sent"), r)
        n = r.json["recipients"]
        guardians = d.query("SELECT COUNT(*) FROM guardians WHERE confirmed_ms IS NOT NULL")[0][0]
        self.assertEqual(n, guardians)
        self.smtp.wait_for(lambda ms: sum(m.subject == "【緊急】閉所のお知らせ" for m in ms) >= n,
                           timeout=60, what="%d emergency mails" % n)

        def done():
            v = admin.get("/api/v1/emergency-sends/%d" % sid).json
            return v if v["pending"] == 0 else None
        v = harness.wait_until(done, timeout=30, what="nothing pending")
        self.assertEqual((v["sent"], v["failed"]), (n, 0))


if __name__ == "__main__":
    unittest.main()
