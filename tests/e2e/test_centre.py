# SPDX-License-Identifier: MIT
"""test_centre.py — the child development support centre (児童発達支援センター, seed 001; issue
17 §3) end to end through a real server, on the platform's casework layer: the manager takes an
application, makes the usage contract (period, days granted, weekdays, bus route, fee per day and
the household's monthly cap) and assigns a staff member; the staff member's day (their children
only) with attendance, the bus list; opening a child's file asks the reason of the day; daily
records are versioned (a DELETE of a version refused; the erasure at the contract's end empties
them with every other table); assessments and the plan with its review six months on, the reviews due.
The monthly statements: days attended × fee, capped (4,600 / 0 yen), the PDF read by pdftotext,
downloaded by the manager and by that child's parent only, each download in the handover ledger.
The parents' thread: a parent's account made by the manager, its password chosen by the parent
through the mailed one-time link (used once; the mail names nothing of the child); a message from the centre mails the parent a notice without its content
(real SMTP); the parent reads and answers the thread of their own child, and gets 404 for another
child's thread and statement. Route × role: another staff member, the ward's staff and
administrators, plaza desks and youth support's workers and supervisor get 404 for a child's
file. Break-glass reviewed by the manager. The handover only through the ledger. Runs on SQLite
and PostgreSQL. Fictional data only."""
import datetime
import os

import casework_fixtures
import harness
from harness import ServerTestCase

API = "/api/v1/centre"
NAME_A = "鶺鴒 小春"
NAME_B = "翡翠 湊"
STOP_A = "鶺鴒さん宅前の角"
NOTE1 = "支援記録：感覚遊びで鶺鴒さんが笑顔"
NOTE2 = "支援記録：感覚遊びで鶺鴒さんが笑顔、指さしが増えた"
SECRET_MSG = "今日は鶺鴒さんが初めて二語文を話しました"
PASS = "correct horse battery staple"
PARENT_MAIL = "sekirei.parent@example.jp"


def child(name, stop=""):
    return {"person": {"name": name, "kana": "せきれい こはる", "birth": "2021-06-01"},
            "contact": {"parent": "鶺鴒 一郎", "phone": "03-0000-1111", "email": PARENT_MAIL,
                        "stop": stop}}


class CentreTest(ServerTestCase):
    def setUp(self):
        super().setUp()
        d = self.data
        accounts = [("mgr", "centre_manager"), ("st1", "centre_staff"), ("st2", "centre_staff"),
                    ("ward", "ward_staff"), ("admin", "ward_admin"), ("admin2", "ward_admin"),
                    ("desk", "plaza_staff"), ("yw", "youth_worker"), ("ysv", "youth_supervisor"),
                    ("other_parent", "centre_parent")]
        for login, role in accounts:
            d.user_add(login, role)
        self.start_smtp()
        self.srv = self.start_server()
        self.c, self.uid = casework_fixtures.sign_in(self, self.srv, d, accounts)
        mgr = self.c["mgr"]
        me = mgr.get(API + "/me").json
        self.today = me["today"]
        t = datetime.date.fromisoformat(self.today)
        self.month = self.today[:7]
        first = t.replace(day=1)
        r = mgr.request("PUT", API + "/routes/east", {"label": "東ルート", "pickup": "08:30",
                                                      "dropoff": "16:30"})
        self.assertEqual(r.status, 200, r)
        r = mgr.request("PUT", API + "/routes/East!", {"label": "x", "pickup": "08:30",
                                                       "dropoff": "16:30"})
        self.assertEqual((r.status, r.json["code"]), (400, "bad_route"))
        r = mgr.post(API + "/children", child(NAME_A, STOP_A))
        self.assertEqual(r.status, 201, r)
        self.a, self.number_a = r.json["id"], r.json["number"]
        self.assertRegex(self.number_a, r"^C\d{4}-0001$")
        r = mgr.post(API + "/children", child(NAME_B))
        self.b = r.json["id"]
        bad = child(NAME_B)
        bad["contact"]["email"] = "no-at-sign"
        r = mgr.post(API + "/children", bad)
        self.assertEqual((r.status, r.json["code"]), (400, "bad_child"))
        # The contract: the manager opens the file with a reason first.
        self.assertEqual(self.open_("mgr", "契約の締結", self.a).status, 200)
        self.assertEqual(self.open_("mgr", "契約の締結", self.b).status, 200)
        terms = {"from": first.isoformat(), "to": (first.replace(year=first.year + 1)
                                                   - datetime.timedelta(days=1)).isoformat(),
                 "days": 23, "weekdays": [0, 1, 2, 3, 4, 5, 6], "route": "east",
                 "unit_fee": 1200, "cap": 4600}
        r = mgr.request("PUT", "%s/children/%d/contract" % (API, self.a), terms)
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json["state"], r.json["contract"]["cap"]), ("contracted", 4600))
        r = mgr.request("PUT", "%s/children/%d/contract" % (API, self.b),
                        dict(terms, route="west"))
        self.assertEqual((r.status, r.json["code"]), (400, "bad_contract"))
        r = mgr.request("PUT", "%s/children/%d/contract" % (API, self.b),
                        dict(terms, route="", cap=0))
        self.assertEqual(r.status, 200, r)
        for kid, login in ((self.a, "st1"), (self.b, "st2")):
            r = mgr.post("%s/children/%d/assign" % (API, kid), {"user_id": self.uid[login]})
            self.assertEqual(r.status, 200, r)
        r = mgr.post("%s/children/%d/assign" % (API, self.a), {"user_id": self.uid["yw"]})
        self.assertEqual((r.status, r.json["code"]), (404, "no_such_staff"))

    def open_(self, login, reason="", kid=None, glass=False):
        return self.c[login].post("%s/children/%s/open" % (API, kid or self.a),
                                  {"reason": reason, "break_glass": glass})

    def test_day_records_plans(self):
        st1 = self.c["st1"]
        # The staff member's day: their child only, named, with the route and stop.
        day = st1.get(API + "/day").json
        self.assertEqual([(x["name"], x["stop"], x["route_label"], x["attendance"])
                          for x in day["children"]], [(NAME_A, STOP_A, "東ルート", None)])
        self.assertGreaterEqual(self.data.query(
            "SELECT count(*) FROM audit WHERE action = 'centre.day_read'")[0][0], 1)
        r = st1.post("%s/children/%d/attendance" % (API, self.a),
                     {"date": self.today, "state": "present", "bus": True})
        self.assertEqual(r.status, 200, r)
        r = st1.post("%s/children/%d/attendance" % (API, self.a),
                     {"date": self.today, "state": "late"})
        self.assertEqual((r.status, r.json["code"]), (400, "bad_attendance"))
        # Another staff member's child: 404, as for none.
        r = st1.post("%s/children/%d/attendance" % (API, self.b),
                     {"date": self.today, "state": "present"})
        self.assertEqual((r.status, r.json["code"]), (404, "not_found"))
        # The manager's bus list: who rides which route today.
        bus = self.c["mgr"].get(API + "/bus").json
        self.assertEqual([(r["code"], r["pickup"], [(k["name"], k["stop"]) for k in r["children"]])
                          for r in bus["routes"]], [("east", "08:30", [(NAME_A, STOP_A)])])
        self.assertEqual(self.c["mgr"].get(API + "/day").json["counts"],
                         {"due": 2, "present": 1, "absent": 0})
        # The list of children names no one; the file opens with a reason.
        lst = st1.get(API + "/children")
        self.assertEqual([x["number"] for x in lst.json["children"]], [self.number_a])
        self.assertNotIn(NAME_A, lst.text)
        r = st1.get("%s/children/%d" % (API, self.a))
        self.assertEqual((r.status, r.json["code"]), (409, "open_required"))
        r = self.open_("st1")
        self.assertEqual((r.status, r.json["code"]), (400, "reason_required"))
        r = self.open_("st1", "本日の支援記録")
        self.assertEqual((r.status, r.json["access"], r.json["person"]["name"]),
                         (200, "assigned", NAME_A))
        audit = self.data.query("SELECT action, detail FROM audit WHERE object = ? AND actor = ? "
                                "AND action LIKE 'casework.%%' ORDER BY id",
                                "centre_child:%d" % self.a, "user:%d" % self.uid["st1"])
        self.assertEqual(audit[0][0], "casework.open")
        self.assertIn("本日の支援記録", audit[0][1])
        # Daily records: versioned.
        r = st1.post("%s/children/%d/notes" % (API, self.a),
                     {"kind": "支援記録", "on_date": self.today, "body": NOTE1})
        self.assertEqual(r.status, 201, r)
        note = r.json["id"]
        r = st1.request("PUT", "%s/notes/%d" % (API, note), {"version": 1, "body": NOTE2})
        self.assertEqual((r.status, r.json["version"]), (200, 2))
        r = st1.request("PUT", "%s/notes/%d" % (API, note), {"version": 1, "body": "上書き"})
        self.assertEqual((r.status, r.json["code"]), (409, "note_changed"))
        r = st1.get("%s/notes/%d/versions" % (API, note))
        self.assertEqual([(v["version"], v["body"]) for v in r.json["versions"]],
                         [(1, NOTE1), (2, NOTE2)])
        self.assertEqual(self.c["st2"].get("%s/notes/%d/versions" % (API, note)).status, 404)
        # An assessment; the plan with its review six months on; the manager's reviews due.
        r = st1.post("%s/children/%d/assessments" % (API, self.a),
                     {"on_date": self.today, "summary": "ことばの表出がゆっくり",
                      "language": "二語文が出始めた"})
        self.assertEqual(r.status, 201, r)
        r = st1.post("%s/children/%d/plans" % (API, self.a),
                     {"on_date": "2026-06-10", "policy": "遊びから", "goals": ["身振りで伝える"]})
        self.assertEqual((r.status, r.json["review_on"]), (201, "2026-12-10"))
        r = st1.post("%s/children/%d/plans" % (API, self.a), {"on_date": "2026-06-10",
                                                              "goals": []})
        self.assertEqual((r.status, r.json["code"]), (400, "bad_plan"))
        revs = self.c["mgr"].get(API + "/reviews?until=2026-12-31").json["reviews"]
        self.assertIn((self.number_a, "2026-12-10"), [(x["number"], x["review_on"]) for x in revs])
        # The other child has no plan yet: listed as due too.
        self.assertIn(None, [x["review_on"] for x in revs])
        f = st1.get("%s/children/%d" % (API, self.a)).json
        self.assertEqual((len(f["plans"]), len(f["assessments"]), f["notes"][0]["version"]),
                         (1, 1, 2))
        self.assertEqual(self.data.audit_verify().rc, 0)
        # The contract's end: the erasure empties every table, the append-only versions too.
        casework_fixtures.erase_service(
            self, self.srv, self.data, "centre", "ce_note_versions",
            ["ce_cases", "ce_notes", "ce_assessments", "ce_plans", "ce_attendance"])

    def test_end_of_use_and_retention(self):
        """The manager ends a child's use (利用の終了) on a day: staff may not; a day to come or
        one before the contract began is refused; the contract's last day becomes that day; an
        ended child takes no record, edit or plan (409 case_closed; messages with the parents
        go on); a new contract makes the child current again. `retention run` erases the ended
        child with every row of them, the append-only record versions too,
        centre_children_days after that day — not before — and keeps the other child whole."""
        mgr, st1 = self.c["mgr"], self.c["st1"]
        # A parent's account for each child (retention retires the ended child's, see below).
        parent_ids = {}
        for kid, login in ((self.a, "ended_parent"), (self.b, "current_parent")):
            r = mgr.post("%s/children/%d/parents" % (API, kid),
                         {"login": login, "email": login + "@example.jp"})
            self.assertEqual(r.status, 201, r)
            parent_ids[login] = r.json["id"]
        self.assertEqual(self.open_("st1", "最後の通所の記録").status, 200)
        r = st1.post("%s/children/%d/notes" % (API, self.a),
                     {"kind": "支援記録", "on_date": self.today, "body": NOTE1})
        note = r.json["id"]
        self.assertEqual(st1.request("PUT", "%s/notes/%d" % (API, note),
                                     {"version": 1, "body": NOTE2}).status, 200)
        self.assertEqual(st1.post("%s/children/%d/plans" % (API, self.a),
                                  {"on_date": self.today, "policy": "遊びから",
                                   "goals": ["身振りで伝える"]}).status, 201)
        end = "%s/children/%d/end" % (API, self.a)
        self.assertEqual(st1.post(end, {}).status, 404)  # the manager's alone
        first = self.today[:8] + "01"
        before = (datetime.date.fromisoformat(first) - datetime.timedelta(days=1)).isoformat()
        for day, word in (("2999-01-01", "今日より後"), ("2026-13-01", "YYYY-MM-DD"),
                          (before, "契約の開始日より前")):
            r = mgr.post(end, {"on": day})
            self.assertEqual((r.status, r.json["code"]), (400, "bad_end"), day)
            self.assertIn(word, r.json["message"])
        r = mgr.post(end, {})
        self.assertEqual((r.status, r.json["ended_on"]), (200, self.today), r)
        self.assertEqual(mgr.post(end, {}).json["code"], "already_ended")
        kids = mgr.get(API + "/children").json
        self.assertEqual(kids["ended_keep_days"], 1826)
        self.assertEqual([(k["state"], k["ended_on"], k["to"]) for k in kids["children"]
                          if k["id"] == self.a], [("ended", self.today, self.today)])
        # No record is written for an ended child; the file still reads, and the thread with
        # the parents stays open (the end and the last statement are talked over there).
        for r in (st1.post("%s/children/%d/notes" % (API, self.a),
                           {"kind": "支援記録", "on_date": self.today, "body": "追記"}),
                  st1.request("PUT", "%s/notes/%d" % (API, note), {"version": 2, "body": "x"}),
                  st1.post("%s/children/%d/plans" % (API, self.a),
                           {"on_date": self.today, "goals": ["x"]})):
            self.assertEqual((r.status, r.json["code"]), (409, "case_closed"), r)
            self.assertIn("新しい契約", r.json["message"])
        r = st1.post("%s/children/%d/messages" % (API, self.a),
                     {"body": "ご利用ありがとうございました"})
        self.assertEqual(r.status, 201, r)
        f = st1.get("%s/children/%d" % (API, self.a)).json
        self.assertEqual((f["state"], f["ended_on"]), ("ended", self.today))
        # A new contract makes the child current again; then the use ends for good.
        self.assertEqual(self.open_("mgr", "再契約", self.a).status, 200)
        terms = {"from": first, "to": self.today, "days": 10, "weekdays": [1, 3],
                 "route": "", "unit_fee": 1200, "cap": 4600}
        r = mgr.request("PUT", "%s/children/%d/contract" % (API, self.a), terms)
        self.assertEqual((r.status, r.json["state"], r.json.get("ended_on")),
                         (200, "contracted", None), r)
        self.assertEqual(mgr.post(end, {"on": self.today}).status, 200)
        acts = self.data.query("SELECT action, detail FROM audit WHERE object = ? AND action "
                               "= 'centre.end' ORDER BY id", "centre_child:%d" % self.a)
        self.assertEqual(acts, [("centre.end", "on: " + self.today)] * 2)
        self.srv.stop()

        def retention_at(days):
            return harness.retention_run_at(self.data, self.today, days, "centre_children")

        self.assertEqual(retention_at(1000), 0)
        self.assertEqual(self.data.query("SELECT count(*) FROM ce_cases"), [(2,)])
        self.assertEqual(retention_at(1830), 1)
        self.assertEqual(self.data.query("SELECT id FROM ce_cases"), [(self.b,)])
        for table in ("ce_notes", "ce_note_versions", "ce_plans", "ce_opens", "ce_assignments",
                      "ce_attendance", "ce_statements", "ce_messages", "ce_parents"):
            self.assertEqual(self.data.query("SELECT count(*) FROM %s WHERE case_id = ?" % table
                                             if table != "ce_note_versions" else
                                             "SELECT count(*) FROM ce_note_versions", *(
                                                 [self.a] if table != "ce_note_versions"
                                                 else [])), [(0,)], table)
        self.assertEqual(self.data.query("SELECT count(*) FROM ce_assignments"), [(1,)])
        self.assertEqual(self.data.query("SELECT count(*) FROM purge_marks"), [(0,)])
        # The ended child's parent has no child left: the account is retired (アカウントの
        # 廃止まで); the current child's parent keeps theirs.
        accounts = "SELECT id, login, password_hash, disabled FROM users WHERE id IN (?, ?) " \
                   "ORDER BY id"
        self.assertEqual(self.data.query(accounts, parent_ids["ended_parent"],
                                         parent_ids["current_parent"]),
                         sorted([(parent_ids["ended_parent"],
                                  "retired:%d" % parent_ids["ended_parent"], "!", 1),
                                 (parent_ids["current_parent"], "current_parent",
                                  self.data.query("SELECT password_hash FROM users WHERE id = ?",
                                                  parent_ids["current_parent"])[0][0], 0)]))
        self.assertEqual(self.data.query("SELECT actor, detail FROM audit WHERE action = "
                                         "'user.retire' AND object = ?",
                                         "user:%d" % parent_ids["ended_parent"]),
                         [("system", "retention")])
        self.assertEqual(harness.retention_run_at(self.data, self.today, 1831,
                                                  "centre_parent_accounts"), 0)
        self.assertEqual(self.data.audit_verify().rc, 0)

    def test_fees_statements_and_the_parents_thread(self):
        mgr, st1 = self.c["mgr"], self.c["st1"]
        for i, state in ((1, "present"), (2, "present"), (3, "present"), (4, "absent")):
            r = st1.post("%s/children/%d/attendance" % (API, self.a),
                         {"date": "%s-%02d" % (self.month, i), "state": state, "bus": True})
            self.assertEqual(r.status, 200, r)
        self.c["st2"].post("%s/children/%d/attendance" % (API, self.b),
                           {"date": self.month + "-01", "state": "present"})
        # 3 days × 1,200 = 3,600 (under the cap of 4,600); the other household's cap is 0.
        r = mgr.post(API + "/statements", {"month": self.month})
        self.assertEqual((r.status, r.json["made"]), (201, 2), r)
        got = {x["number"]: (x["days"], x["amount"]) for x in r.json["statements"]}
        self.assertEqual(got[self.number_a], (3, 3600))
        self.assertEqual([v for k, v in got.items() if k != self.number_a], [(1, 0)])
        # Two more days: 5 × 1,200 = 6,000, capped at 4,600.
        for i in (5, 6):
            st1.post("%s/children/%d/attendance" % (API, self.a),
                     {"date": "%s-%02d" % (self.month, i), "state": "present"})
        r = mgr.post(API + "/statements", {"month": self.month})
        sa = [x for x in r.json["statements"] if x["number"] == self.number_a][0]
        self.assertEqual((sa["days"], sa["unit_fee"], sa["cap"], sa["amount"]),
                         (5, 1200, 4600, 4600))
        self.assertEqual(mgr.get(API + "/statements?month=" + self.month).json["total"], 4600)
        self.assertEqual(mgr.post(API + "/statements", {"month": "2026-13"}).status, 400)
        sb = [x for x in r.json["statements"] if x["number"] != self.number_a][0]
        # The PDF: pdftotext reads it.
        r = mgr.get("%s/statements/%d/pdf" % (API, sa["id"]))
        self.assertEqual((r.status, r.header("Content-Type")), (200, "application/pdf"))
        self.assertTrue(r.header("X-Mimamori-Ledger-Id"))
        path = os.path.join(self.data.tmp, "statement.pdf")
        with open(path, "wb") as fh:
            fh.write(r.body)
        text = harness.pdf_text(path)
        for s in (NAME_A, "利用者負担額のご請求", "4,600円", "1,200円", "5日", self.number_a):
            self.assertIn(s, text)
        # A parent's account, made by the manager: the parent chooses the password through the
        # mailed one-time link (nobody else ever sees one); the mail names nothing of the child.
        r = mgr.post("%s/children/%d/parents" % (API, self.a),
                     {"login": "sekirei_parent", "email": PARENT_MAIL})
        self.assertEqual((r.status, r.json["mailed"]), (201, True), r)
        self.assertNotIn("password", r.json)
        r = mgr.post("%s/children/%d/parents" % (API, self.a),
                     {"login": "sekirei_parent", "email": PARENT_MAIL})
        self.assertEqual((r.status, r.json["code"]), (409, "login_taken"))
        welcome = self.smtp.wait_to(PARENT_MAIL)[0]
        self.assertIn("パスワードを設定", welcome.subject)
        self.assertIn("ログインID: sekirei_parent", welcome.body)
        for secret in (NAME_A, "鶺鴒", self.number_a):
            self.assertNotIn(secret, welcome.body)
        token = welcome.body.split("/centre/welcome.html#t=")[1].split()[0]
        anon = self.srv.client()
        r = anon.post(API + "/welcome", {"token": token, "password": "sekirei_parent"})
        self.assertEqual((r.status, r.json["code"]), (400, "bad_password"))
        r = anon.post(API + "/welcome", {"token": token, "password": harness.PASSWORD})
        self.assertEqual((r.status, r.json["login"]), (200, "sekirei_parent"), r)
        r = anon.post(API + "/welcome", {"token": token, "password": harness.PASSWORD})
        self.assertEqual((r.status, r.json["code"]), (404, "bad_link"))
        r = anon.post(API + "/welcome", {"token": "no-such-token", "password": harness.PASSWORD})
        self.assertEqual((r.status, r.json["code"]), (404, "bad_link"))
        p = self.srv.client()
        self.assertEqual(p.login("sekirei_parent").status, 200)
        # The centre writes: the parent gets a notice without the content.
        self.assertEqual(self.open_("st1", "連絡帳の記入").status, 200)
        r = st1.post("%s/children/%d/messages" % (API, self.a), {"body": SECRET_MSG})
        self.assertEqual((r.status, r.json["notices"]), (201, 1), r)
        mails = self.smtp.wait_to(PARENT_MAIL, 2)
        m = [x for x in mails if "新しい連絡" in x.subject][0]
        self.assertIn("新しい連絡", m.subject)
        self.assertEqual(m.msg["From"].addresses[0].display_name, "児童発達支援センター")
        self.assertIn("/centre/parent.html", m.body)
        for secret in (SECRET_MSG, "二語文", NAME_A, "鶺鴒"):
            self.assertNotIn(secret, m.body)
            self.assertNotIn(secret, m.subject)
            self.assertNotIn(secret.encode(), m.data)
        # The parent's own child: the thread and the statements.
        fam = p.get(API + "/family").json
        self.assertEqual([(c["id"], c["name"]) for c in fam["children"]], [(self.a, NAME_A)])
        self.assertEqual([s["amount"] for s in fam["children"][0]["statements"]], [4600])
        r = p.get("%s/family/%d/messages" % (API, self.a))
        self.assertEqual([(x["body"], x["from_parent"]) for x in r.json["messages"]],
                         [(SECRET_MSG, False)])
        r = p.post("%s/family/%d/messages" % (API, self.a), {"body": "ありがとうございます"})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(p.get("%s/statements/%d/pdf" % (API, sa["id"])).status, 200)
        # Another child: 404 for the thread, the answer and the statement — as for none.
        missing = p.get("%s/family/999999/messages" % API)
        self.assertEqual((missing.status, missing.json["code"]), (404, "not_found"))
        for method, path, body in (("GET", "/family/%d/messages" % self.b, None),
                                   ("POST", "/family/%d/messages" % self.b, {"body": "x"}),
                                   ("GET", "/statements/%d/pdf" % sb["id"], None),
                                   ("GET", "/children/%d" % self.a, None)):
            r = p.request(method, API + path, body=body)
            self.assertEqual((r.status, r.json), (404, missing.json), path)
        # A parent of no child sees none.
        other = self.c["other_parent"]
        self.assertEqual(other.get(API + "/family").json["children"], [])
        for path in ("/family/%d/messages" % self.a, "/statements/%d/pdf" % sa["id"]):
            self.assertEqual(other.get(API + path).status, 404, path)
        # The staff see the parent's answer in the file.
        f = st1.get("%s/children/%d" % (API, self.a)).json
        self.assertEqual([(x["from_parent"], x["login"]) for x in f["messages"]],
                         [(False, "st1"), (True, "sekirei_parent")])
        self.assertEqual(self.data.query(
            "SELECT count(*) FROM ledger WHERE service = 'centre'"), [(2,)])
        # The CLI: the month's statements as PDF files (in the ledger), the bus list, counts.
        out = os.path.join(self.data.tmp, "pdfs")
        # a folder that is not there: refused before any PDF is put in the ledger
        r = harness.cli("centre", "statements", "--data", self.data.path, "--month",
                        self.month, "--out", out)
        self.assertNotEqual(r.rc, 0)
        self.assertIn("がないか、書き込めません", r.err)
        self.assertEqual(self.data.query(
            "SELECT count(*) FROM ledger WHERE service = 'centre'"), [(2,)])
        os.mkdir(out)
        r = harness.cli_ok("centre", "statements", "--data", self.data.path, "--month",
                           self.month, "--out", out)
        self.assertIn("%s\t%s\t5\t1200\t4600\t4600" % (self.number_a, self.month), r.out)
        self.assertNotIn(NAME_A, r.out)
        files = sorted(os.listdir(out))
        self.assertEqual(len(files), 2)
        self.assertIn(NAME_A, harness.pdf_text(os.path.join(
            out, "centre-statement-%s-%s.pdf" % (self.number_a, self.month))))
        bus = harness.cli_ok("centre", "bus", "--data", self.data.path, "--date",
                             self.month + "-01").out
        self.assertIn("east\t東ルート\t08:30\t16:30\t%s" % self.number_a, bus)
        self.assertNotIn(NAME_A, bus)
        lst = harness.cli_ok("centre", "list", "--data", self.data.path).out
        self.assertIn("contracted\t2\t1", lst)
        self.assertEqual(self.data.audit_verify().rc, 0)

    def test_nobody_else_finds_a_child(self):
        missing = self.c["mgr"].get("%s/children/999999" % API)
        self.assertEqual((missing.status, missing.json["code"]), (404, "not_found"))
        # Another staff member of the centre: 404 for the open, the read, the attendance.
        for method, path, body in (("POST", "/children/%d/open", {"reason": "x"}),
                                   ("GET", "/children/%d", None),
                                   ("POST", "/children/%d/messages", {"body": "x"})):
            r = self.c["st2"].request(method, API + path % self.a, body=body)
            self.assertEqual((r.status, r.json), (404, missing.json), path)
        self.assertNotIn(self.number_a, self.c["st2"].get(API + "/children").text)
        self.assertEqual(self.c["st2"].get(API + "/bus").json["riders"], 0)
        # The ward's staff and administrators, a plaza's desk, youth support's workers and
        # supervisor, a parent: 404 for a child's file, never 403.
        for login in ("ward", "admin", "desk", "yw", "ysv", "other_parent"):
            for method, path, body in (("POST", "/children/%d/open", {"reason": "x"}),
                                       ("GET", "/children/%d", None),
                                       ("POST", "/children/%d/handover", {"passphrase": PASS}),
                                       ("POST", "/children/%d/open",
                                        {"reason": "x", "break_glass": True}),
                                       ("POST", "/children/%d/attendance",
                                        {"date": self.today, "state": "present"})):
                r = self.c[login].request(method, API + path % self.a, body=body)
                self.assertEqual((r.status, r.json), (404, missing.json), (login, path))
        # Nothing of theirs was recorded as an opening (only the manager's two).
        self.assertEqual(self.data.query("SELECT count(*) FROM ce_opens"), [(2,)])
        # Unassigned, the staff member loses the child; assigned again, has it back.
        mgr, st1 = self.c["mgr"], self.c["st1"]
        body = {"user_id": self.uid["st1"]}
        self.assertEqual(mgr.post("%s/children/%d/unassign" % (API, self.a), body).status, 200)
        r = mgr.post("%s/children/%d/unassign" % (API, self.a), body)
        self.assertEqual((r.status, r.json["code"]), (404, "not_assigned"))
        self.assertEqual(self.open_("st1", "記録").status, 404)
        self.assertEqual(st1.get(API + "/day").json["children"], [])
        self.assertEqual(mgr.post("%s/children/%d/assign" % (API, self.a), body).status, 200)
        self.assertEqual(self.open_("st1", "記録").status, 200)
        # The metrics: contracted children, break-glass opens to review (counts only).
        r = self.srv.client().get("/metrics")
        self.assertIn("mimamori_centre_children 2\n", r.text)
        self.assertIn("mimamori_centre_break_glass_pending 0\n", r.text)

    def test_break_glass_and_handover(self):
        r = self.open_("st2", "", glass=True)
        self.assertEqual((r.status, r.json["code"]), (400, "reason_required"))
        r = self.c["st2"].post("%s/children/%s/open" % (API, self.number_a),
                               {"reason": "保護者から緊急の電話、担当不在", "break_glass": True})
        self.assertEqual((r.status, r.json["access"]), (200, "break_glass"))
        mgr = self.c["mgr"]
        pending = mgr.get(API + "/opens?pending=1").json["opens"]
        self.assertEqual([(o["login"], o["number"]) for o in pending], [("st2", self.number_a)])
        r = mgr.post("%s/opens/%d/review" % (API, pending[0]["id"]), {"note": "緊急性を確認"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(mgr.get(API + "/opens?pending=1").json["opens"], [])
        # The handover: sealed with a passphrase, in the ledger, read back by the CLI.
        st1 = self.c["st1"]
        self.assertEqual(self.open_("st1", "引き継ぎの準備").status, 200)
        st1.post("%s/children/%d/notes" % (API, self.a),
                 {"kind": "支援記録", "on_date": self.today, "body": NOTE1})
        r = casework_fixtures.handover_web(self, st1, "%s/children/%d/handover" % (API, self.a),
                                           PASS, NAME_A)
        self.assertEqual(self.data.query("SELECT service, content FROM ledger"),
                         [("centre", "handover %s sealed-passphrase" % self.number_a)])
        text = casework_fixtures.handover_read_back(self, self.data, r.body, PASS)
        self.assertIn(NAME_A, text)
        self.assertIn(NOTE1, text)
        casework_fixtures.handover_cli(self, self.data, "centre", "yw", "mgr", self.number_a,
                                       "転園先への引き継ぎ", PASS)
        self.assertEqual(self.data.audit_verify().rc, 0)


if __name__ == "__main__":
    import unittest
    unittest.main()
