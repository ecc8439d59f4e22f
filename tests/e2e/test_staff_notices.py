# SPDX-License-Identifier: MIT
"""test_staff_notices.py — what guardians change reaches staff, and alerts tell the truth (issue
11 "Correctness", issue 12 item 6), end to end against a real server and a real SMTP server,
the server's clock moved through MIMAMORI_FAKE_NOW_FILE:

- an absence and a leave-time change for coming days are on the staff's plan list (出欠予定)
  with who made them and when, and in its PDF (出欠予定表) recorded in the handover ledger;
- a same-day absence for a child already in shows on today's board at once beside the present
  status, with who sent it and when; once the child has come and gone, an absence or a day off
  for today is refused with a Japanese message saying the child attended;
- a not-arrived alert says the planned time (arrival + grace), not when the server noticed;
  the site's mail lists child numbers only with a board link; changing the arrival time clears
  or moves the alert at once; an absence clears it and withdrawing the absence raises it again;
- the daily report's status of every child is the board's: 欠席 with the notice, 予定なし for no
  plan."""
import csv
import datetime
import io
import os
import time
import unittest

import engines
import harness
from harness import ServerTestCase

JST = datetime.timezone(datetime.timedelta(hours=9))
A = "notice.parent@example.jp"    # guardian of N001 and N002 (confirmed)
B = "notice.parent3@example.jp"   # guardian of N003 (confirmed)
MAILBOX = "g01@club.example.jp"
PHONE = "03-1234-5678"
ROWS = [
    ["N001", "G01", "髙橋 𠮷男", "タカハシ ヨシオ", "1", "2019-04-02", "髙橋 花子", A],
    ["N002", "G01", "髙橋 花音", "タカハシ カノン", "3", "2017-05-03", "髙橋 花子", A],
    ["N003", "G01", "佐藤 三郎", "サトウ サブロウ", "2", "2018-07-05", "佐藤 良子", B],
    ["N004", "G02", "鈴木 四葉", "スズキ ヨツバ", "4", "2016-07-05", "鈴木 誠", "n4@example.jp"],
]
DAY = "2026-11-30"  # a Monday
TUE, WED = "2026-12-01", "2026-12-02"
REASON = "発熱のため zq9noticecanary"
LABEL = {"expected": "来所予定", "not_arrived": "未到着", "present": "在室", "left": "退室",
         "absent": "欠席", "off": "予定なし"}


def at(hh, mm, day=DAY):
    y, m, d = map(int, day.split("-"))
    return int(datetime.datetime(y, m, d, hh, mm, tzinfo=JST).timestamp())


class StaffNoticesTest(ServerTestCase):
    def setUp(self):
        super().setUp()
        self.use_file_clock(at(8, 0))
        d = self.data
        d.site_add("G01", "すみれ学童クラブ")
        d.site_add("G02", "ひろばプラス桜", "hiroba_plus")
        # A school holiday's hours: children come in the morning, before the same-day deadline.
        harness.cli_ok("site", "set", "G01", "--data", d.path, "--opens", "08:00", "--arrival",
                       "14:00", "--grace", "30", "--deadline", "18:00", "--phone", PHONE,
                       "--alert-email", MAILBOX)
        d.user_add("staff01", "site_staff", ["G01"])
        d.user_add("staff02", "site_staff", ["G02"])
        d.user_add("admin01", "ward_admin")
        d.import_children(d.write_csv("roster.csv", ROWS))
        d.card_issue(child="N001")
        self.code = harness.decode_qr_codes(d.card_sheet("G01"))[0]
        self.kiosk = d.kiosk_add("G01")
        self.smtp = self.start_smtp()
        self.srv = self.start_server(env={"MIMAMORI_ALERT_INTERVAL_MS": "100"})
        mails = self.smtp.wait_count(3)  # one per guardian
        web = self.srv.client()
        for m in mails:
            if A in m.rcpts or B in m.rcpts:
                self.assertEqual(web.post("/api/v1/confirmations",
                                          {"token": m.confirm_token}).status, 200)

    # -- helpers ----------------------------------------------------------------------------

    def set_time(self, hh, mm, day=DAY):
        self.set_clock(at(hh, mm, day))

    def guardian(self, addr=A):
        return self.guardian_sign_in(addr)[0]

    def staff(self, login="staff01"):
        c = self.srv.client()
        self.assertEqual(c.login(login).status, 200)
        return c

    def row(self, staff, child_no):
        b = staff.board("G01")
        self.assertEqual(b.status, 200, b)
        return next(c for c in b.json["children"] if c["child_no"] == child_no), b.json

    def put_day(self, g, child, day, body):
        return g.request("PUT", "/api/v1/parent/children/%s/days/%s" % (child, day), body)

    # -- tests ------------------------------------------------------------------------------

    def test_coming_days_reach_staff_and_print(self):
        self.set_time(9, 0)
        g = self.guardian()
        r = g.post("/api/v1/parent/children/N001/pickups", {"name": "髙橋 花子", "relation": "母"})
        mother = r.json["id"]
        week = {d: {"leave": "17:00", "way_home": "pickup", "pickup_id": mother}
                for d in ("mon", "tue", "wed")}
        self.assertEqual(g.request("PUT", "/api/v1/parent/children/N001/weekly", week).status, 200)
        self.assertEqual(g.request("PUT", "/api/v1/parent/children/N002/weekly",
                                   {"mon": {}, "tue": {}, "wed": {}}).status, 200)
        self.set_time(9, 12)
        # Tomorrow N001 goes home at 16:00 alone; on Wednesday N002 is absent.
        self.assertEqual(self.put_day(g, "N001", TUE, {"status": "attend", "leave": "16:00",
                                                       "way_home": "alone"}).status, 200)
        self.assertEqual(self.put_day(g, "N002", WED, {"status": "absent",
                                                       "reason": REASON}).status, 200)

        staff = self.staff()
        r = staff.get("/api/v1/sites/G01/plans?from=%s&days=6" % TUE)
        self.assertEqual(r.status, 200, r)
        days = {d["day"]: d for d in r.json["days"]}
        self.assertEqual(sorted(days), [TUE, WED, "2026-12-03", "2026-12-04", "2026-12-05"])
        kids = {c["child_no"]: c for c in days[TUE]["children"]}
        self.assertEqual((kids["N001"]["status"], kids["N001"]["leave"], kids["N001"]["way_home"]),
                         ("attend", "16:00", "alone"))
        self.assertEqual(kids["N001"]["change"],
                         {"status": "attend", "at": "09:12", "on": DAY, "by": "髙橋 花子"})
        # The weekly plans made at 09:00 are changes of the coming days too.
        self.assertEqual(kids["N002"]["change"],
                         {"status": "weekly", "at": "09:00", "on": DAY, "by": "髙橋 花子"})
        wed = {c["child_no"]: c for c in days[WED]["children"]}
        self.assertEqual((wed["N002"]["status"], wed["N002"]["reason"]), ("absent", REASON))
        self.assertEqual(wed["N002"]["change"]["by"], "髙橋 花子")
        self.assertEqual(wed["N001"]["pickup"], {"name": "髙橋 花子", "relation": "母"})
        self.assertEqual(days[WED]["counts"], {"attend": 1, "absent": 1, "off": 0, "changed": 2})
        self.assertNotIn("N003", wed)  # no plan, no notice: not listed
        # Other sites' staff and guardians see nothing of it.
        self.assertEqual(self.staff("staff02").get("/api/v1/sites/G01/plans").status, 403)
        self.assertEqual(g.get("/api/v1/sites/G01/plans").status, 403)
        r = staff.get("/api/v1/sites/G01/plans?days=15")
        self.assertEqual(r.status, 400, r)
        self.assertIn("1〜14", r.json["message"])
        self.assertEqual(staff.get("/api/v1/sites/G01/plans?from=2026-02-30").status, 400)

        # The printable list (出欠予定表): a PDF recorded in the handover ledger.
        r = staff.get("/api/v1/sites/G01/reports/plans?from=%s&days=6&format=pdf" % TUE)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.header("Content-Type"), "application/pdf")
        self.assertIn('filename="plans-G01-%s-6d.pdf"' % TUE, r.header("Content-Disposition"))
        path = os.path.join(self.data.tmp, "plans.pdf")
        with open(path, "wb") as f:
            f.write(r.body)
        text = harness.pdf_text(path)
        for want in ("出欠予定表", "すみれ学童クラブ", "12月1日(火)", "12月2日(水)", "髙橋 𠮷男",
                     "髙橋 花音", "欠席の連絡：" + REASON, "一人で帰宅", "お迎え：髙橋 花子（母）",
                     "予定の変更（11/30 09:12 髙橋 花子）", TUE):
            self.assertIn(want, text)
        self.assertNotIn("佐藤 三郎", text)
        self.assertEqual(self.staff("staff02").get(
            "/api/v1/sites/G01/reports/plans?format=pdf").status, 403)
        self.assertEqual(staff.get("/api/v1/sites/G01/reports/plans?format=csv").status, 400)
        admin = self.staff("admin01")
        led = admin.get("/api/v1/ledger").json["ledger"]
        self.assertEqual([(e["login"], e["content"], e["records"]) for e in led],
                         [("", "cards G01 pdf", 1),  # the setup's card sheet (the CLI)
                          ("staff01", "plans G01 %s 6d pdf" % TUE, 4)])
        # The CLI prints the same list and records it too.
        out = os.path.join(self.data.tmp, "plans-cli.pdf")
        r = harness.cli_ok("report", "plans", "--data", self.data.path, "--site", "G01",
                           "--from", TUE, "--days", "2", "--out", out)
        self.assertIn("plans G01 %s 2d pdf" % TUE, r.out)
        self.assertIn("髙橋 花音", harness.pdf_text(out))
        self.assertEqual(harness.cli("report", "plans", "--data", self.data.path, "--site", "G01",
                                     "--days", "20", "--out", out).rc, 2)

    def plan_mondays(self, *children):
        g = self.guardian()
        for child in children:
            r = g.request("PUT", "/api/v1/parent/children/%s/weekly" % child,
                          {"mon": {"leave": "17:00", "way_home": "alone"}})
            self.assertEqual(r.status, 200, r)
        return g

    def test_same_day_absence_of_a_child_here(self):
        self.set_time(8, 30)
        self.plan_mondays("N001")
        self.set_time(9, 10)
        kiosk = self.srv.client(kiosk_token=self.kiosk)
        self.assertEqual(kiosk.scan(self.code).json["direction"], "in")
        row, _ = self.row(self.staff(), "N001")
        self.assertEqual(row["status"], "present")
        self.assertNotIn("absence_reason", row)

        # 10:05 the family sends an absence for today: the child is here, so the board keeps
        # 在室 and shows the notice beside it, with who sent it and when.
        self.set_time(10, 5)
        g, staff = self.guardian(), self.staff()  # sessions go idle after 30 minutes
        r = self.put_day(g, "N001", DAY, {"status": "absent", "reason": REASON})
        self.assertEqual(r.status, 200, r)
        row, board = self.row(staff, "N001")
        self.assertEqual(row.get("absence_reason"), REASON)  # it was silently dropped
        self.assertEqual((row["status"], row["plan_status"]), ("present", "absent"))
        self.assertEqual(row["change"], {"status": "absent", "at": "10:05", "on": DAY,
                                         "today": True, "by": "髙橋 花子"})
        self.assertEqual((board["counts"]["present"], board["counts"]["absent"]), (1, 0))
        # A child not yet here gets the same change line, and is absent.
        r = self.put_day(g, "N002", DAY, {"status": "absent", "reason": "通院のため"})
        self.assertEqual(r.status, 200, r)
        row, _ = self.row(staff, "N002")
        self.assertEqual((row["status"], row["absence_reason"], row["change"]["by"]),
                         ("absent", "通院のため", "髙橋 花子"))

    def test_absence_refused_after_the_child_came_and_went(self):
        self.set_time(8, 30)
        self.plan_mondays("N001")
        kiosk = self.srv.client(kiosk_token=self.kiosk)
        self.set_time(9, 10)
        self.assertEqual(kiosk.scan(self.code).json["direction"], "in")
        self.set_time(10, 40)
        self.assertEqual(kiosk.scan(self.code).json["direction"], "out")
        g = self.guardian()
        for body in ({"status": "absent", "reason": "やっぱり休み"}, {"status": "off"}):
            r = self.put_day(g, "N001", DAY, body)
            self.assertEqual(r.status, 409, r)
            self.assertEqual(r.json["code"], "already_attended", r)
            self.assertIn("すでに来所しています", r.json["message"])
            self.assertIn("09:10入室・10:40退室", r.json["message"])
        # Nothing changed; another day, or a child who has not come, may still be changed.
        row, _ = self.row(self.staff(), "N001")
        self.assertEqual((row["status"], row["plan_status"]), ("left", "attend"))
        self.assertEqual(self.put_day(g, "N001", TUE, {"status": "absent",
                                                       "reason": "通院のため"}).status, 200)
        self.assertEqual(self.put_day(g, "N002", DAY, {"status": "off"}).status, 200)

    def wait_alerts(self, staff, n, what):
        return harness.wait_until(lambda: (lambda b: b if len(b["alerts"]) == n else None)(
            staff.board("G01").json), what=what)

    def test_alert_says_the_planned_time(self):
        self.set_time(9, 0)
        self.plan_mondays("N001", "N002")
        # The server sees the afternoon only at 15:27 (it was down, or busy): the alert still
        # says 14:30 (arrival 14:00 + 30 minutes), when N001 and N002 were due.
        self.set_time(15, 27)
        staff = self.staff()
        board = self.wait_alerts(staff, 2, "two not-arrived alerts")
        for a in board["alerts"]:
            self.assertEqual((a["kind"], a.get("due_at"), a["raised_at"]),
                             ("not_arrived", "14:30", "15:27"))
        row = next(c for c in board["children"] if c["child_no"] == "N001")
        self.assertEqual((row["status"], row["alert_due"]), ("not_arrived", "14:30"))
        box = self.smtp.wait_to(MAILBOX)[0]
        self.assertIn("到着予定 14:00", box.body)
        self.assertIn("14:30", box.body)
        self.assertNotIn("15:27", box.body)
        for no in ("N001", "N002"):
            self.assertIn(no, box.body)
        self.assertNotIn("髙橋", box.body)  # child numbers only in a shared mailbox
        # The board link opens the alert (with the names) after sign-in.
        self.assertIn(self.srv.url + "/staff/#site=G01&alert=not_arrived", box.body)

    def test_alert_follows_the_arrival_time_and_absences(self):
        self.set_time(9, 0)
        self.plan_mondays("N001", "N002")
        self.set_time(14, 40)
        staff = self.staff()
        self.wait_alerts(staff, 2, "two not-arrived alerts")
        # The ward moves the arrival to 16:00: nobody is late before 16:30 — cleared at once.
        admin = self.staff("admin01")
        r = admin.request("PATCH", "/api/v1/sites/G01", {"arrival": "16:00"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(staff.board("G01").json["alerts"], [])
        self.assertEqual(self.row(staff, "N001")[0]["status"], "expected")
        time.sleep(0.5)  # later checks raise nothing before 16:30
        self.assertEqual(staff.board("G01").json["alerts"], [])
        # 16:30: due again, raised again with the new time (and mailed again).
        n = len(self.smtp.to(MAILBOX))
        self.set_time(16, 30)
        staff = self.staff()
        board = self.wait_alerts(staff, 2, "the alerts at 16:30")
        self.assertEqual({a["due_at"] for a in board["alerts"]}, {"16:30"})
        harness.wait_until(lambda: len(self.smtp.to(MAILBOX)) > n, what="the second mail")
        # An earlier arrival moves them: still late, now since 15:30.
        self.set_time(16, 35)
        admin, g = self.staff("admin01"), self.guardian()
        r = admin.request("PATCH", "/api/v1/sites/G01", {"arrival": "15:00"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual([(a["child_no"], a["due_at"]) for a in staff.board("G01").json["alerts"]],
                         [("N001", "15:30"), ("N002", "15:30")])
        # An absence notice clears N002's alert; withdrawing it makes N002 due again.
        r = self.put_day(g, "N002", DAY, {"status": "absent", "reason": REASON})
        self.assertEqual(r.status, 200, r)
        self.assertEqual([a["child_no"] for a in staff.board("G01").json["alerts"]], ["N001"])
        self.assertEqual(g.request("DELETE", "/api/v1/parent/children/N002/days/" + DAY).status,
                         200)
        board = self.wait_alerts(staff, 2, "N002's alert again")
        row = next(c for c in board["children"] if c["child_no"] == "N002")
        self.assertEqual((row["status"], row["change"]["status"]), ("not_arrived", "weekly"))

    def test_daily_report_matches_the_board(self):
        self.set_time(9, 0)
        g = self.plan_mondays("N001", "N002")
        r = self.put_day(g, "N002", DAY, {"status": "absent", "reason": REASON})
        self.assertEqual(r.status, 200, r)
        for hh, mm in ((10, 0), (14, 40)):  # before the alert, and after it
            self.set_time(hh, mm)
            staff = self.staff()
            if hh == 14:
                self.wait_alerts(staff, 1, "N001's alert")
            board = staff.board("G01").json
            got = {c["child_no"]: c["status"] for c in board["children"]}
            self.assertEqual(got, {"N001": "not_arrived" if hh == 14 else "expected",
                                   "N002": "absent", "N003": "off"})
            r = staff.get("/api/v1/sites/G01/reports/daily?format=csv")
            self.assertEqual(r.status, 200, r)
            rows = list(csv.reader(io.StringIO(r.body.decode("utf-8-sig"), newline="")))
            report = {x[2]: x[8:] for x in rows[1:]}
            # 予定なし, never 欠席 or 未入室, for a child with no plan; 欠席 with the notice.
            self.assertEqual(report["N003"][:1], ["予定なし"])
            for child_no, status in got.items():
                self.assertEqual(report[child_no][0], LABEL[status], child_no)
            self.assertEqual(rows[0][-2:], ["状況", "連絡"])
            self.assertEqual(report["N002"], ["欠席", "欠席の連絡：" + REASON])
            self.assertEqual(report["N003"], ["予定なし", ""])
        # The next morning, the day's list: N001 never came (未到着), N003 had no plan.
        self.set_time(9, 0, TUE)
        r = self.staff().get("/api/v1/sites/G01/reports/daily?date=%s&format=pdf" % DAY)
        path = os.path.join(self.data.tmp, "daily.pdf")
        with open(path, "wb") as f:
            f.write(r.body)
        text = harness.pdf_text(path)
        for line in text.splitlines():
            if "N001" in line:
                self.assertIn("未到着", line)
            if "N002" in line:
                self.assertIn("欠席の連絡：", line)
            if "N003" in line:
                self.assertIn("予定なし", line)
        self.assertRegex(text, r"欠席 1名\s+未到着 1名\s+予定なし 1名")
        self.srv.stop()
        for path in self.data.all_files():
            self.assertNotIn(b"zq9noticecanary", engines.read_bytes(path), path)
        self.assertEqual(self.data.audit_verify().rc, 0)


if __name__ == "__main__":
    unittest.main()
