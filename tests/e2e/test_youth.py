# SPDX-License-Identifier: MIT
"""test_youth.py — youth support casework (ユースサポート, seed 001; issue 17 §2) end to end
through a real server, on the platform's casework layer: the supervisor sets the workers'
plazas, opens a case and assigns a worker of its plaza (never of another); the worker's own
list; opening a case asks the reason at the first open of the day, and every opening is in the
audit log with its reason; case notes are versioned (an edit on a stale version refused, the
history readable, and a DELETE of a version refused); assessments, the support plan, the
referral the supervisor takes; the erasure at the contract's end empties every table, the
append-only note versions too. Route ×
role: a worker of 平井 cannot open a case of 葛西, an unassigned worker of the same plaza
neither, and the ward's staff and administrators, a plaza's desk and a benefit's staff get 404
— the same answer as for a case that does not exist. Break-glass: a worker's emergency open with
a mandatory reason, listed for the supervisor's review and reviewed once. The handover leaves
only sealed with a passphrase and recorded in the handover ledger; `mimamori ledger open` reads
it back with the passphrase (and refuses a wrong one); `mimamori youth list` counts. The audit
chain verifies. Runs on SQLite and PostgreSQL. Fictional data only."""

import casework_fixtures
import harness
from harness import ServerTestCase

API = "/api/v1/youth"
NAME = "雲雀丘 澪音"
KANA = "ひばりがおか みおね"
FAMILY = "母と祖母の三人暮らし。母は夜勤が多い"
NOTE1 = "学習サポート面談：英語の単語を20分。雲雀丘さんは少し笑顔"
NOTE2 = "学習サポート面談：英語の単語を30分。雲雀丘さんは笑顔が増えた"
PASS = "correct horse battery staple"


def person(name=NAME):
    return {"name": name, "kana": KANA, "birth": "2011-07-14", "school": "桜台区立第三中学校",
            "grade": "2年", "plaza_number": "P-100234"}


def profile():
    return {"family": FAMILY, "health": "朝の腹痛が続く", "history": "小学5年から欠席が増えた",
            "schooling": "中学1年の冬から不登校", "living": "昼夜逆転気味",
            "support": "週1回の学習サポート", "facility": "平井プラザの学習室"}


class YouthTest(ServerTestCase):
    def setUp(self):
        super().setUp()
        d = self.data
        accounts = [("sv", "youth_supervisor"), ("w_hirai", "youth_worker"),
                    ("w_hirai2", "youth_worker"), ("w_kasai", "youth_worker"),
                    ("ward", "ward_staff"), ("admin", "ward_admin"), ("admin2", "ward_admin"),
                    ("desk", "plaza_staff"), ("gop", "grant_operator"),
                    ("centre", "centre_manager")]
        for login, role in accounts:
            d.user_add(login, role)
        for login, plaza in (("w_hirai2", "hirai"), ("w_kasai", "kasai")):
            harness.cli_ok("youth", "worker", "--data", d.path, "--login", login, "--plaza",
                           plaza)
        self.srv = self.start_server()
        self.c, self.uid = casework_fixtures.sign_in(self, self.srv, d, accounts)
        sv = self.c["sv"]
        # The supervisor sets the first worker's plaza on the screen's API.
        r = sv.request("PUT", "%s/workers/%d" % (API, self.uid["w_hirai"]), {"plaza": "hirai"})
        self.assertEqual(r.status, 200, r)
        r = sv.request("PUT", "%s/workers/%d" % (API, self.uid["w_hirai"]), {"plaza": "shibuya"})
        self.assertEqual((r.status, r.json["code"]), (400, "bad_plaza"))
        r = sv.post(API + "/cases", {"plaza": "hirai", "person": person(), "profile": profile()})
        self.assertEqual(r.status, 201, r)
        self.case, self.number = r.json["id"], r.json["number"]
        self.assertRegex(self.number, r"^Y\d{4}-0001$")
        r = sv.post("%s/cases/%d/assign" % (API, self.case), {"user_id": self.uid["w_hirai"]})
        self.assertEqual(r.status, 200, r)
        self.assertEqual([w["login"] for w in r.json["workers"]], ["w_hirai"])
        # Only a worker of the case's plaza can be assigned.
        r = sv.post("%s/cases/%d/assign" % (API, self.case), {"user_id": self.uid["w_kasai"]})
        self.assertEqual((r.status, r.json["code"]), (400, "other_plaza"))

    def opens(self, login):
        return self.data.query("SELECT action, detail FROM audit WHERE object = ? AND actor = ? "
                               "AND action LIKE 'casework.%%' ORDER BY id",
                               "youth_case:%d" % self.case, "user:%d" % self.uid[login])

    def open_(self, login, reason="", glass=False, case=None):
        return self.c[login].post("%s/cases/%d/open" % (API, case or self.case),
                                  {"reason": reason, "break_glass": glass})

    def test_case_work(self):
        w = self.c["w_hirai"]
        r = w.get(API + "/cases")
        self.assertEqual(r.status, 200, r)
        self.assertEqual([(x["number"], x["opened_today"]) for x in r.json["cases"]],
                         [(self.number, False)])
        self.assertNotIn(NAME, r.text)  # the list names no one
        # Not opened today: the reason comes first.
        r = w.get("%s/cases/%d" % (API, self.case))
        self.assertEqual((r.status, r.json["code"]), (409, "open_required"))
        r = self.open_("w_hirai")
        self.assertEqual((r.status, r.json["code"]), (400, "reason_required"))
        self.assertIn("理由", r.json["message"])
        r = self.open_("w_hirai", "学習サポート面談の準備")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["person"]["name"], NAME)
        self.assertEqual(r.json["profile"]["family"], FAMILY)
        self.assertEqual(r.json["access"], "assigned")
        # Later that day no reason is asked; each opening is audited, the first with its reason.
        self.assertEqual(self.open_("w_hirai").status, 200)
        self.assertEqual(w.get("%s/cases/%d" % (API, self.case)).status, 200)
        self.assertEqual([a for a, _ in self.opens("w_hirai")],
                         ["casework.open", "casework.open", "casework.read"])
        self.assertIn("reason: 学習サポート面談の準備", self.opens("w_hirai")[0][1])
        self.assertTrue(w.get(API + "/cases").json["cases"][0]["opened_today"])
        # Notes: every edit a new version; a stale edit is refused; the history stays.
        r = w.post("%s/cases/%d/notes" % (API, self.case),
                   {"kind": "学習サポート面談", "on_date": "2026-11-30", "body": NOTE1})
        self.assertEqual(r.status, 201, r)
        note = r.json["id"]
        r = w.post("%s/cases/%d/notes" % (API, self.case),
                   {"kind": "雑談", "on_date": "2026-11-30", "body": "x"})
        self.assertEqual((r.status, r.json["code"]), (400, "bad_note"))
        r = w.request("PUT", "%s/notes/%d" % (API, note), {"version": 1, "body": NOTE2})
        self.assertEqual((r.status, r.json["version"]), (200, 2))
        r = w.request("PUT", "%s/notes/%d" % (API, note), {"version": 1, "body": "上書き"})
        self.assertEqual((r.status, r.json["code"]), (409, "note_changed"))
        r = w.get("%s/notes/%d/versions" % (API, note))
        self.assertEqual([(v["version"], v["body"], v["by"]) for v in r.json["versions"]],
                         [(1, NOTE1, "w_hirai"), (2, NOTE2, "w_hirai")])
        # An assessment, the plan with its goals and review dates, the referral.
        r = w.post("%s/cases/%d/assessments" % (API, self.case),
                   {"on_date": "2026-11-30", "summary": "生活リズムの乱れ", "needs": "居場所",
                    "strengths": "英語が好き"})
        self.assertEqual(r.status, 201, r)
        plan = {"policy": "本人のペースで", "review_on": "2027-02-28",
                "goals": [{"goal": "週1回プラザに来る", "review_on": "2027-01-31"}]}
        self.assertEqual(w.post("%s/cases/%d/plan" % (API, self.case), plan).json["version"], 1)
        plan["goals"].append({"goal": "朝9時に起きる", "review_on": "2027-13-01"})
        r = w.post("%s/cases/%d/plan" % (API, self.case), plan)
        self.assertEqual((r.status, r.json["code"]), (400, "bad_plan"))
        r = w.post("%s/cases/%d/referral" % (API, self.case), {"referral": True, "note": ""})
        self.assertEqual((r.status, r.json["code"]), (400, "bad_referral"))
        r = w.post("%s/cases/%d/referral" % (API, self.case),
                   {"referral": True, "note": "家計の相談につなぎたい"})
        self.assertEqual(r.status, 200, r)
        c = w.get("%s/cases/%d" % (API, self.case)).json
        self.assertEqual(c["plan"]["goals"][0]["review_on"], "2027-01-31")
        self.assertEqual([n["version"] for n in c["notes"]], [2])
        self.assertEqual(len(c["assessments"]), 1)
        sv = self.c["sv"]
        refs = sv.get(API + "/referrals").json["referrals"]
        self.assertEqual([(x["number"], x["seen_by"]) for x in refs], [(self.number, None)])
        self.assertNotIn("家計", sv.get(API + "/referrals").text)
        self.assertEqual(sv.post("%s/cases/%d/referral-seen" % (API, self.case)).status, 200)
        self.assertEqual(sv.post("%s/cases/%d/referral-seen" % (API, self.case)).status, 409)
        # The worker takes the referral back (it failed with a 500 before: updated_ms NULL).
        r = w.post("%s/cases/%d/referral" % (API, self.case), {"referral": False})
        self.assertEqual((r.status, r.json), (200, {"referral": False}), r)
        c = w.get("%s/cases/%d" % (API, self.case)).json
        self.assertEqual((c["referral"], c["referral_note"]), (False, ""), c)
        self.assertEqual(sv.get(API + "/referrals").json["referrals"], [])
        # The supervisor opens every case, with a reason of their own.
        r = self.open_("sv", "区への連絡の確認")
        self.assertEqual((r.status, r.json["access"]), (200, "supervisor"))
        self.assertEqual(self.data.audit_verify().rc, 0)
        # The contract's end: the erasure empties every table, the append-only versions too.
        casework_fixtures.erase_service(
            self, self.srv, self.data, "youth", "yo_note_versions",
            ["yo_cases", "yo_notes", "yo_assessments", "yo_plans", "yo_opens"])

    def test_nobody_else_finds_a_case(self):
        # The answer for a case that does not exist, to the supervisor.
        missing = self.c["sv"].get("%s/cases/999999" % API)
        self.assertEqual((missing.status, missing.json["code"]), (404, "not_found"))
        # A worker of 葛西, an unassigned worker of 平井: the same 404 for the open and the read.
        for login in ("w_kasai", "w_hirai2"):
            r = self.open_(login, "確認したい")
            self.assertEqual((r.status, r.json), (404, missing.json), login)
            r = self.c[login].get("%s/cases/%d" % (API, self.case))
            self.assertEqual((r.status, r.json), (404, missing.json), login)
            self.assertNotIn(self.number, self.c[login].get(API + "/cases").text)
        # The ward's staff and administrators, the plaza's desk, a benefit's staff and the
        # centre's manager cannot open casework: 404, never 403.
        for login in ("ward", "admin", "desk", "gop", "centre"):
            for method, path, body in (("POST", "/cases/%d/open", {"reason": "x"}),
                                       ("GET", "/cases/%d", None),
                                       ("POST", "/cases/%d/handover", {"passphrase": PASS}),
                                       ("POST", "/cases/%d/open", {"reason": "x",
                                                                   "break_glass": True})):
                r = self.c[login].request(method, API + path % self.case, body=body)
                self.assertEqual((r.status, r.json), (404, missing.json), (login, path))
            self.assertEqual(self.c[login].get(API + "/cases").status, 403, login)
        # Nothing of theirs was recorded as an opening.
        self.assertEqual(self.data.query("SELECT count(*) FROM yo_opens"), [(0,)])
        self.assertEqual(self.opens("w_kasai"), [])
        # Moving the worker to 葛西 drops the 平井 case.
        sv = self.c["sv"]
        self.assertEqual(sv.request("PUT", "%s/workers/%d" % (API, self.uid["w_hirai"]),
                                    {"plaza": "kasai"}).status, 200)
        r = self.open_("w_hirai", "異動後")
        self.assertEqual(r.status, 404, r)

    def test_break_glass(self):
        r = self.open_("w_kasai", "", glass=True)
        self.assertEqual((r.status, r.json["code"]), (400, "reason_required"))
        self.assertIn("緊急", r.json["message"])
        # By the case's number (what a caller on the phone has), as on the page.
        r = self.c["w_kasai"].post("%s/cases/%s/open" % (API, self.number),
                                   {"reason": "本人から緊急の電話、担当者不在",
                                    "break_glass": True})
        self.assertEqual((r.status, r.json["access"]), (200, "break_glass"))
        self.assertEqual(r.json["id"], self.case)
        self.assertEqual(r.json["person"]["name"], NAME)
        self.assertEqual(self.c["w_kasai"].get("%s/cases/%d" % (API, self.case)).status, 200)
        audit = self.opens("w_kasai")
        self.assertEqual(audit[0][0], "casework.break_glass")
        self.assertIn("本人から緊急の電話", audit[0][1])
        sv = self.c["sv"]
        pending = sv.get(API + "/opens?pending=1").json["opens"]
        self.assertEqual([(o["login"], o["reason"], o["number"]) for o in pending],
                         [("w_kasai", "本人から緊急の電話、担当者不在", self.number)])
        oid = pending[0]["id"]
        r = sv.post("%s/opens/%d/review" % (API, oid), {"note": ""})
        self.assertEqual((r.status, r.json["code"]), (400, "bad_review"))
        r = sv.post("%s/opens/%d/review" % (API, oid), {"note": "緊急性を確認した"})
        self.assertEqual(r.status, 200, r)
        r = sv.post("%s/opens/%d/review" % (API, oid), {"note": "二度目"})
        self.assertEqual((r.status, r.json["code"]), (409, "already_reviewed"))
        self.assertEqual(sv.get(API + "/opens?pending=1").json["opens"], [])
        report = sv.get(API + "/opens").json["opens"]
        self.assertEqual(report[0]["reviewed_by"], "sv")
        self.assertEqual(self.data.query(
            "SELECT count(*) FROM audit WHERE action = 'casework.break_glass_reviewed'"), [(1,)])
        # The same report on the command line.
        out = harness.cli_ok("youth", "opens", "--data", self.data.path).out
        self.assertIn("\t%s\tw_kasai\t本人から緊急の電話、担当者不在\t1\tsv" % self.number, out)
        pend = harness.cli_ok("youth", "opens", "--data", self.data.path, "--pending").out
        self.assertIn("# 0件（未確認の緊急閲覧）", pend)
        # Workers do not see the report.
        self.assertEqual(self.c["w_hirai"].get(API + "/opens").status, 404)

    def test_handover_through_the_ledger(self):
        w = self.c["w_hirai"]
        self.assertEqual(self.open_("w_hirai", "引き継ぎの準備").status, 200)
        w.post("%s/cases/%d/notes" % (API, self.case),
               {"kind": "学習サポート面談", "on_date": "2026-11-30", "body": NOTE1})
        r = casework_fixtures.handover_web(self, w, "%s/cases/%d/handover" % (API, self.case),
                                           PASS, NAME)
        self.assertTrue(r.header("X-Mimamori-Ledger-Id"))
        rows = self.data.query("SELECT service, content, records FROM ledger")
        self.assertEqual(rows, [("youth", "handover %s sealed-passphrase" % self.number, 1)])
        text = casework_fixtures.handover_read_back(self, self.data, r.body, PASS)
        self.assertIn(NAME, text)
        self.assertIn(NOTE1, text)
        # The CLI's handover: as an account, with a reason, in the ledger too.
        casework_fixtures.handover_cli(self, self.data, "youth", "w_kasai", "sv", self.number,
                                       "転居先への引き継ぎ", PASS)
        # The counts: no names.
        lst = harness.cli_ok("youth", "list", "--data", self.data.path).out
        self.assertIn("hirai\t平井\t1\t1\t0\t0", lst)
        self.assertNotIn(NAME, lst)
        mine = harness.cli_ok("youth", "list", "--data", self.data.path, "--login",
                              "w_kasai").out
        self.assertIn("# 0件（担当分）", mine)
        self.assertEqual(self.data.audit_verify().rc, 0)

    def test_close_reopen_and_retention(self):
        """The supervisor ends a case (相談の終了) on a day: a worker may not; a day to come,
        one that is no date or one before the case began is refused; a closed case takes no
        note, edit or plan (409 case_closed) until it is opened again; the lists show the day
        and how long it is kept. `retention run` erases it with every row of it, its
        append-only note versions too, youth_cases_days after that day — not before — and
        keeps the open case whole."""
        w, sv = self.c["w_hirai"], self.c["sv"]
        self.assertEqual(self.open_("w_hirai", "終結の前の面談").status, 200)
        r = w.post("%s/cases/%d/notes" % (API, self.case),
                   {"kind": "学習サポート面談", "on_date": "2026-11-30", "body": NOTE1})
        note = r.json["id"]
        self.assertEqual(w.request("PUT", "%s/notes/%d" % (API, note),
                                   {"version": 1, "body": NOTE2}).status, 200)
        self.assertEqual(w.post("%s/cases/%d/plan" % (API, self.case),
                                {"policy": "本人のペースで", "review_on": "2027-02-28",
                                 "goals": [{"goal": "週1回", "review_on": "2027-01-31"}]}
                                ).status, 201)
        # A second case stays open throughout.
        r = sv.post(API + "/cases", {"plaza": "hirai", "person": person("別の 相談者"),
                                     "profile": profile()})
        other = r.json["id"]
        close = "%s/cases/%d/close" % (API, self.case)
        reopen = "%s/cases/%d/reopen" % (API, self.case)
        self.assertEqual(w.post(close, {}).status, 404)  # the supervisor's alone
        for day, word in (("2999-01-01", "今日より後"), ("2026-02-30", "YYYY-MM-DD"),
                          (5, "YYYY-MM-DD"), ("", "終了日を入力してください"),
                          ("2000-04-01", "ケースを作った日より前")):
            r = sv.post(close, {"on": day})
            self.assertEqual((r.status, r.json["code"]), (400, "bad_close"), day)
            self.assertIn(word, r.json["message"])
        r = sv.post(close, {})
        self.assertEqual((r.status, r.json["state"]), (200, "closed"), r)
        today = r.json["closed_on"]
        self.assertRegex(today, r"^\d{4}-\d{2}-\d{2}$")
        self.assertEqual((sv.post(close, {}).status, sv.post(close, {}).json["code"]),
                         (409, "already_closed"))
        # Nothing is written to a closed case; it still reads.
        r = w.post("%s/cases/%d/notes" % (API, self.case),
                   {"kind": "学習サポート面談", "on_date": "2026-11-30", "body": "追記"})
        self.assertEqual((r.status, r.json["code"]), (409, "case_closed"), r)
        self.assertIn("再開", r.json["message"])
        r = w.request("PUT", "%s/notes/%d" % (API, note), {"version": 2, "body": "上書き"})
        self.assertEqual((r.status, r.json["code"]), (409, "case_closed"))
        r = w.post("%s/cases/%d/plan" % (API, self.case),
                   {"policy": "x", "review_on": "2027-02-28", "goals": []})
        self.assertEqual((r.status, r.json["code"]), (409, "case_closed"))
        c = w.get("%s/cases/%d" % (API, self.case)).json
        self.assertEqual((c["state"], c["closed_on"]), ("closed", today))
        lst = sv.get(API + "/cases").json
        self.assertEqual(lst["closed_keep_days"], 1826)
        self.assertEqual([(x["number"], x["state"], x["closed_on"]) for x in lst["cases"]
                          if x["id"] == self.case], [(self.number, "closed", today)])
        # Opened again it takes notes; then it ends for good.
        self.assertEqual(sv.post(reopen, {}).status, 200)
        self.assertEqual(sv.post(reopen, {}).json["code"], "not_closed")
        self.assertEqual(w.post("%s/cases/%d/notes" % (API, self.case),
                                {"kind": "電話", "on_date": "2026-11-30", "body": "最後の連絡"}
                                ).status, 201)
        self.assertEqual(sv.post(close, {"on": today}).status, 200)
        acts = self.data.query("SELECT action, detail FROM audit WHERE object = ? AND action "
                               "IN ('youth.close', 'youth.reopen') ORDER BY id",
                               "youth_case:%d" % self.case)
        self.assertEqual(acts, [("youth.close", "on: " + today), ("youth.reopen", ""),
                                ("youth.close", "on: " + today)])
        self.srv.stop()
        versions = "SELECT count(*) FROM yo_note_versions v JOIN yo_notes n ON n.id = v.note_id"
        self.assertEqual(self.data.query(versions + " WHERE n.case_id = ?", self.case), [(3,)])
        # Retention: 1,000 days on, nothing goes; 1,830 days on, the closed case goes whole.

        def retention_at(days):
            return harness.retention_run_at(self.data, today, days, "youth_cases")

        self.assertEqual(retention_at(1000), 0)
        self.assertEqual(self.data.query("SELECT count(*) FROM yo_cases"), [(2,)])
        self.assertEqual(retention_at(1830), 1)
        self.assertEqual(self.data.query("SELECT id FROM yo_cases"), [(other,)])
        for table in ("yo_notes", "yo_note_versions", "yo_plans", "yo_opens", "yo_assignments",
                      "yo_assessments", "purge_marks"):
            self.assertEqual(self.data.query("SELECT count(*) FROM " + table), [(0,)], table)
        self.assertEqual(self.data.audit_verify().rc, 0)


if __name__ == "__main__":
    import unittest
    unittest.main()
