# SPDX-License-Identifier: MIT
"""test_parent.py — guardians' portal, plans and alerts (issue 3), end to end against a real
server and a real SMTP server, with the server's clock moved through a file
(MIMAMORI_FAKE_NOW_FILE) instead of sleeping through real minutes:

- a guardian signs in by mail link, plans a week, sends an absence notice; the board shows
  expected / absent / off with the plan and the pickup person;
- the same-day deadline refuses a late change with the club's phone number; a weekly change
  after the deadline leaves today's plan as it was;
- the not-arrived alert fires at arrival + grace for a planned child (not for the absent one),
  mails the club's mailbox (child numbers only) and the guardians, and a card scan clears it;
- check-out by pickup person names the collector on the board and in the guardians' mail;
- the still-present alert at closing, cleared by the exit;
- IDOR: a guardian reaches no other family's child by changing an ID; site staff no other
  site; guardians no staff route and staff no guardian route;
- sign-in links: the same answer for unknown and unconfirmed addresses (and no mail), one use,
  15 minutes, at most 3 per address per 15 minutes."""
import datetime
import time
import unittest

import engines
import harness
from harness import ServerTestCase

JST = datetime.timezone(datetime.timedelta(hours=9))
A = "plan.parent@example.jp"     # guardian of P001 and P002 (confirmed)
B = "plan.parent3@example.jp"    # guardian of P003 (confirmed)
C = "plan.parent4@example.jp"    # guardian of P004 at G02 (never confirmed)
MAILBOX = "g01@club.example.jp"  # the club's own mailbox for alerts
PHONE = "03-1234-5678"
ROWS = [
    ["P001", "G01", "髙橋 𠮷男", "タカハシ ヨシオ", "1", "2019-04-02", "髙橋 花子", A],
    ["P002", "G01", "髙橋 花音", "タカハシ カノン", "3", "2017-05-03", "髙橋 花子", A],
    ["P003", "G01", "佐藤 三郎", "サトウ サブロウ", "2", "2018-07-05", "佐藤 良子", B],
    ["P004", "G02", "鈴木 四葉", "スズキ ヨツバ", "4", "2016-07-05", "鈴木 誠", C],
]
REASON = "発熱のため zq7absencecanary"
DAY = "2026-11-30"  # a Monday


def at(hh, mm, day=DAY):
    y, m, d = map(int, day.split("-"))
    return int(datetime.datetime(y, m, d, hh, mm, tzinfo=JST).timestamp())


class ParentPortalTest(ServerTestCase):
    def setUp(self):
        super().setUp()
        # The CLI's mails and rows are timed by the same clock as the server's.
        self.use_file_clock(at(9, 0))
        d = self.data
        d.site_add("G01", "すみれ学童クラブ")
        d.site_add("G02", "ひろばプラス桜", "hiroba_plus")
        harness.cli_ok("site", "set", "G01", "--data", d.path, "--arrival", "14:00", "--grace",
                       "30", "--phone", PHONE, "--alert-email", MAILBOX,
                       "--alert-guardians", "yes")
        d.user_add("staff01", "site_staff", ["G01"])
        d.user_add("staff02", "site_staff", ["G02"])
        d.import_children(d.write_csv("roster.csv", ROWS))
        d.card_issue(child="P001")
        self.code = harness.decode_qr_codes(d.card_sheet("G01"))[0]
        self.kiosk = d.kiosk_add("G01")
        self.smtp = self.start_smtp()
        self.srv = self.start_server(env={"MIMAMORI_ALERT_INTERVAL_MS": "100"})
        mails = self.smtp.wait_count(3)  # confirmation mails of A, B and C
        web = self.srv.client()
        for m in mails:
            if A in m.rcpts or B in m.rcpts:
                self.assertEqual(web.post("/api/v1/confirmations",
                                          {"token": m.confirm_token}).status, 200)

    # -- helpers ----------------------------------------------------------------------------

    def set_time(self, hh, mm, day=DAY):
        self.set_clock(at(hh, mm, day))

    def link_mails(self, addr):
        return [m for m in self.smtp.to(addr) if "#login=" in m.body]

    def guardian(self, addr=A):
        """Signs addr in through the mail link; returns a client with the parent cookie."""
        g, mail = self.guardian_sign_in(addr)
        self.assertEqual(mail.to_addresses, [addr])
        return g

    def staff(self, login="staff01"):
        c = self.srv.client()
        self.assertEqual(c.login(login).status, 200)
        return c

    def board_row(self, staff, child_no):
        b = staff.board("G01")
        self.assertEqual(b.status, 200, b)
        return next(c for c in b.json["children"] if c["child_no"] == child_no), b.json

    def wait_board(self, staff, pred, what):
        return harness.wait_until(lambda: pred(staff.board("G01").json), timeout=15, what=what)

    # -- tests ------------------------------------------------------------------------------

    def test_plans_board_alerts_pickup(self):
        g = self.guardian()
        kids = g.get("/api/v1/parent/children").json["children"]
        self.assertEqual(sorted(k["child_no"] for k in kids), ["P001", "P002"])
        self.assertEqual(kids[0]["site"]["phone"], PHONE)

        # The pickup list and a week: P001 Mon/Wed/Fri until 17:00, picked up by 母.
        r = g.post("/api/v1/parent/children/P001/pickups", {"name": "髙橋 花子", "relation": "母"})
        self.assertEqual(r.status, 201, r)
        mother = r.json["id"]
        week = {d: {"leave": "17:00", "way_home": "pickup", "pickup_id": mother}
                for d in ("mon", "wed", "fri")}
        r = g.request("PUT", "/api/v1/parent/children/P001/weekly", week)
        self.assertEqual(r.status, 200, r)
        r = g.request("PUT", "/api/v1/parent/children/P002/weekly",
                      {"mon": {"leave": "16:00", "way_home": "alone"}})
        self.assertEqual(r.status, 200, r)
        # A pickup person of another child of the same family is not P002's.
        r = g.request("PUT", "/api/v1/parent/children/P002/weekly",
                      {"mon": {"leave": "16:00", "way_home": "pickup", "pickup_id": mother}})
        self.assertEqual(r.status, 400, r)
        # An absence notice for P002 today, before the deadline.
        r = g.request("PUT", "/api/v1/parent/children/P002/days/" + DAY,
                      {"status": "absent", "reason": REASON})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["status"], "absent")
        # The month calendar.
        cal = g.get("/api/v1/parent/children/P001/plan?month=2026-12").json
        dec = {d["day"]: d for d in cal["days"]}
        self.assertEqual(len(dec), 31)
        self.assertEqual(dec["2026-12-02"]["status"], "attend")   # a Wednesday
        self.assertEqual(dec["2026-12-02"]["leave"], "17:00")
        self.assertEqual(dec["2026-12-03"]["status"], "off")      # a Thursday
        self.assertFalse(dec["2026-12-06"]["editable"])           # a Sunday

        # The board at once: P001 expected with its plan, P002 absent, P003 off.
        staff = self.staff()
        row, board = self.board_row(staff, "P001")
        self.assertEqual(row["status"], "expected")
        self.assertEqual(row["plan"]["leave"], "17:00")
        self.assertEqual(row["plan"]["pickup"]["name"], "髙橋 花子")
        row2, _ = self.board_row(staff, "P002")
        self.assertEqual((row2["status"], row2["absence_reason"]), ("absent", REASON))
        row3, _ = self.board_row(staff, "P003")
        self.assertEqual(row3["status"], "off")
        self.assertEqual(board["counts"]["expected"], 1)
        self.assertEqual(board["counts"]["absent"], 1)

        # After the deadline: a change for today is refused with the club's phone; a weekly
        # change still applies from tomorrow, today's plan stays.
        self.set_time(12, 5)
        g = self.guardian()  # the morning session has gone idle
        r = g.request("PUT", "/api/v1/parent/children/P001/days/" + DAY, {"status": "off"})
        self.assertEqual(r.status, 409, r)
        self.assertEqual(r.json["code"], "plan_locked", r)
        self.assertIn("12:00", r.json["message"])
        self.assertIn(PHONE, r.json["message"])
        r = g.request("PUT", "/api/v1/parent/children/P001/weekly",
                      {"wed": week["wed"], "fri": week["fri"]})
        self.assertEqual(r.status, 200, r)
        staff = self.staff()
        row, _ = self.board_row(staff, "P001")
        self.assertEqual(row["status"], "expected")
        cal = g.get("/api/v1/parent/children/P001/plan?month=2026-12").json
        self.assertEqual({d["day"]: d for d in cal["days"]}["2026-12-07"]["status"], "off")

        # 14:29: nothing yet. 14:30 = arrival 14:00 + 30 min grace: P001 not arrived.
        mails_before = len(self.smtp.snapshot())
        self.set_time(14, 29)
        staff = self.staff()
        time.sleep(0.5)  # several alert checks at 14:29
        row, board = self.board_row(staff, "P001")
        self.assertEqual((row["status"], board["alerts"]), ("expected", []))
        self.set_time(14, 30)
        board = self.wait_board(staff, lambda b: b["alerts"] and b,
                                "the not-arrived alert")
        self.assertEqual([(a["kind"], a["child_no"]) for a in board["alerts"]],
                         [("not_arrived", "P001")])
        row = next(c for c in board["children"] if c["child_no"] == "P001")
        self.assertEqual((row["status"], row["alert"]), ("not_arrived", "not_arrived"))
        self.assertEqual(board["counts"]["not_arrived"], 1)
        box = self.smtp.wait_to(MAILBOX)[0]
        self.assertIn("未到着", box.subject)
        self.assertIn("P001", box.body)
        self.assertNotIn("P002", box.body)  # absent with notice
        self.assertNotIn("P003", box.body)  # not planned
        self.assertNotIn("髙橋", box.body)  # child numbers only in a shared mailbox
        gm = harness.wait_until(lambda: [m for m in self.smtp.to(A) if "来ていません" in m.subject],
                                what="the guardian's not-arrived mail")
        self.assertIn("髙橋 𠮷男", gm[0].subject)
        self.assertIn(PHONE, gm[0].body)
        time.sleep(0.5)  # later checks raise nothing twice
        self.assertEqual(len([m for m in self.smtp.snapshot()[mails_before:]
                              if MAILBOX in m.rcpts]), 1)

        # A card scan clears it.
        self.set_time(14, 40)
        kiosk = self.srv.client(kiosk_token=self.kiosk)
        r = kiosk.scan(self.code)
        self.assertEqual(r.status, 200, r)
        staff = self.staff()
        row, board = self.board_row(staff, "P001")
        self.assertEqual((row["status"], row["alert"], board["alerts"]), ("present", None, []))
        self.assertEqual(row["in_at"], "14:40")

        # Check-out by the pickup person: the board and the mail name her.
        self.set_time(17, 2)
        staff = self.staff()
        row, _ = self.board_row(staff, "P001")
        self.assertEqual([p["name"] for p in row["pickups"]], ["髙橋 花子"])
        n = len(self.smtp.to(A))
        r = staff.post("/api/v1/sites/G01/checkouts", {"child_no": "P001", "pickup_id": mother})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["collected_by"], {"name": "髙橋 花子", "relation": "母"})
        self.assertEqual(r.json["time"], "17:02")
        row, _ = self.board_row(staff, "P001")
        self.assertEqual((row["status"], row["out_at"]), ("left", "17:02"))
        self.assertEqual(row["collected_by"]["name"], "髙橋 花子")
        self.assertNotIn("manual", row)
        out = harness.wait_until(lambda: len(self.smtp.to(A)) > n and self.smtp.to(A)[-1],
                                 what="the exit mail")
        self.assertIn("退室", out.subject)
        self.assertIn("お迎え: 髙橋 花子（母）", out.body)
        r = staff.post("/api/v1/sites/G01/checkouts", {"child_no": "P001", "pickup_id": mother})
        self.assertEqual(r.status, 409, r)
        r = staff.post("/api/v1/sites/G01/checkouts", {"child_no": "P003", "pickup_id": mother})
        self.assertEqual(r.status, 400, r)  # not P003's pickup person

        # Still present at closing: P003 came in by hand, is still there at 19:00.
        r = staff.post("/api/v1/sites/G01/manual-scans",
                       {"child_no": "P003", "direction": "in", "reason": "カード忘れ"})
        self.assertEqual(r.status, 200, r)
        self.set_time(19, 0)
        staff = self.staff()
        board = self.wait_board(staff, lambda b: b["alerts"] and b, "the still-present alert")
        self.assertEqual([(a["kind"], a["child_no"]) for a in board["alerts"]],
                         [("still_present", "P003")])
        closing = harness.wait_until(
            lambda: [m for m in self.smtp.to(MAILBOX) if "閉所後在室" in m.subject],
            what="the closing mail")
        self.assertIn("P003", closing[0].body)
        r = staff.post("/api/v1/sites/G01/manual-scans",
                       {"child_no": "P003", "direction": "out", "reason": "19:05 父がお迎え"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(staff.board("G01").json["alerts"], [])

        # The reason is sealed; the audit chain holds every change.
        self.srv.stop()
        for path in self.data.all_files():
            self.assertNotIn(b"zq7absencecanary", engines.read_bytes(path), path)
        with self.data.connect() as db:
            actions = {a for (a,) in db.execute("SELECT action FROM audit")}
        for a in ("guardian.login_link", "guardian.sign_in", "pickup.add", "plan.weekly",
                  "plan.day", "alert.raise", "scan.pickup"):
            self.assertIn(a, actions)
        self.assertEqual(self.data.audit_verify().rc, 0)

    def test_idor_and_roles(self):
        a = self.guardian(A)
        b = self.guardian(B)
        tricky = '佐藤 "良子" \\ <b>'  # quotes, a backslash, markup: the board's JSON keeps them
        r = b.post("/api/v1/parent/children/P003/pickups", {"name": tricky, "relation": "母"})
        self.assertEqual(r.status, 201, r)
        b_pickup = r.json["id"]
        row, _ = self.board_row(self.staff("staff01"), "P003")
        self.assertEqual(row["pickups"], [{"id": b_pickup, "name": tricky, "relation": "母"}])
        day = "2026-12-01"
        # Another family's child (same site, other site) is "no such child" for every route.
        for child in ("P003", "P004", "P999"):
            base = "/api/v1/parent/children/" + child
            for method, path, body in (
                    ("GET", base + "/plan", None),
                    ("GET", base + "/pickups", None),
                    ("PUT", base + "/weekly", {"mon": {"leave": "17:00", "way_home": "alone"}}),
                    ("PUT", base + "/days/" + day, {"status": "absent", "reason": "x"}),
                    ("DELETE", base + "/days/" + day, None),
                    ("POST", base + "/pickups", {"name": "x", "relation": "y"}),
                    ("DELETE", base + "/pickups/%d" % b_pickup, None)):
                r = a.request(method, path, body)
                self.assertEqual(r.status, 404, (method, path, r))
                # The same answer whatever the reason: nothing tells the child exists.
                self.assertEqual((r.json["code"], r.json["message"]),
                                 ("not_found", "お子さんの情報が見つかりません。"
                                  "ページを読み込み直してください。"))
        # Another family's pickup person through one's own child: not found, not removed.
        r = a.request("DELETE", "/api/v1/parent/children/P001/pickups/%d" % b_pickup)
        self.assertEqual(r.status, 404, r)
        self.assertEqual(len(b.get("/api/v1/parent/children/P003/pickups").json["pickups"]), 1)
        # Nothing of P003 changed.
        cal = b.get("/api/v1/parent/children/P003/plan?month=2026-12").json
        self.assertEqual(cal["weekly"], {})
        self.assertTrue(all(d["source"] == "weekly" for d in cal["days"]))
        # A guardian without the CSRF token changes nothing.
        token = a.csrf
        a.csrf = None
        r = a.request("PUT", "/api/v1/parent/children/P001/days/" + day,
                      {"status": "absent", "reason": "x"})
        self.assertEqual(r.status, 403, r)
        a.csrf = token
        # Guardians may not use staff routes, staff not guardians' routes.
        self.assertEqual(a.board("G01").status, 403)
        self.assertEqual(a.post("/api/v1/sites/G01/checkouts",
                                {"child_no": "P001", "pickup_id": 1}).status, 403)
        staff = self.staff("staff01")
        self.assertEqual(staff.get("/api/v1/parent/children").status, 403)
        self.assertEqual(staff.get("/api/v1/parent/children/P001/plan").status, 403)
        # Site staff of G02 see nothing of G01.
        other = self.staff("staff02")
        self.assertEqual(other.board("G01").status, 403)
        r = other.post("/api/v1/sites/G01/checkouts", {"child_no": "P001", "pickup_id": 1})
        self.assertEqual(r.status, 403, r)
        # Anonymous: 401.
        anon = self.srv.client()
        self.assertEqual(anon.get("/api/v1/parent/children").status, 401)
        # Signing out ends the session.
        self.assertEqual(a.request("DELETE", "/api/v1/parent/session").status, 204)
        self.assertEqual(a.get("/api/v1/parent/children").status, 401)

    def test_sign_in_links(self):
        anon = self.srv.client()
        before = len(self.smtp.snapshot())
        answers = set()
        for addr in ("nobody@example.jp", C, "not an address", A.upper()):
            r = anon.post("/api/v1/parent/login-links", {"email": addr})
            self.assertEqual(r.status, 202, r)
            answers.add(r.body)
        self.assertEqual(len(answers), 1)  # the answer tells nothing
        # Only the confirmed address got a link (its upper-case spelling is the same address).
        mail = harness.wait_until(lambda: self.link_mails(A), what="the link mail")[0]
        time.sleep(0.5)
        new = self.smtp.snapshot()[before:]
        self.assertEqual([m.rcpts for m in new], [[A]])
        self.assertEqual(self.link_mails(C), [])
        token = mail.body.split("#login=")[1].split()[0]
        self.assertEqual(anon.post("/api/v1/parent/session", {"token": token}).status, 200)
        # One use only.
        r = self.srv.client().post("/api/v1/parent/session", {"token": token})
        self.assertEqual(r.status, 404, r)
        self.assertEqual(r.json["code"], "link_invalid", r)
        self.assertIn("もう一度ログイン用リンクを送ってください", r.json["message"])
        # At most 3 links per 15 minutes: two more are sent, the fourth is not.
        for _ in range(3):
            self.assertEqual(anon.post("/api/v1/parent/login-links", {"email": A}).status, 202)
        harness.wait_until(lambda: len(self.link_mails(A)) >= 3, what="3 link mails")
        time.sleep(0.5)
        self.assertEqual(len(self.link_mails(A)), 3)
        # A link is valid 15 minutes.
        last = self.link_mails(A)[-1].body.split("#login=")[1].split()[0]
        self.set_time(9, 16)
        r = self.srv.client().post("/api/v1/parent/session", {"token": last})
        self.assertEqual(r.status, 404, r)
        # A bad body is a 400 with a JSON error.
        r = anon.post("/api/v1/parent/login-links", b"not json",
                      headers={"Content-Type": "application/json"})
        self.assertEqual(r.status, 400, r)


if __name__ == "__main__":
    unittest.main()
