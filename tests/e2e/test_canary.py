# SPDX-License-Identifier: MIT
"""test_canary.py — personal data never lies in the clear in the data directory or the database:
after import, serve (with the server's stderr captured into the data dir), confirmations, scans
and board reads, no file under the data dir — nor, on PostgreSQL, any file of the database in
the server's own directory (its tables and indexes after a checkpoint, the shared catalogs, the
WAL written meanwhile, the server's log) — holds any imported name, kana, birth date or
address."""
import os
import time
import unittest

import engines
from harness import ServerTestCase, cli_ok, decode_qr_codes

CANARY_ROWS = [
    ["Z901", "G01", "鬼瓦 権左衛門", "ｵﾆｶﾞﾜﾗ ｺﾞﾝｻﾞｴﾓﾝ", "3", "2016-11-17", "鬼瓦 雅美",
     "canary.bird.zx81@example.jp"],
    ["Z902", "G01", "髙嶋 𠮷之助", "タカシマ キチノスケ", "2", "2017-09-23", "髙嶋 綾乃",
     "kanaria_qq77..x.@docomo.ne.jp"],
    ["Z903", "G01", "勅使河原 凛々子", "テシガワラ リリコ", "5", "2014-01-13", "勅使河原 颯",
     "wxyzcanary9931@example.jp"],
]
# course sign-up (seed 001): a person's sealed items (氏名, メールアドレス, 電話番号)
COURSE_CANARY = ("鬼瓦 権三郎", "canary.course.zx82@example.jp", "090-8181-7272")


class CanaryTest(ServerTestCase):
    def values(self):
        vals = set()
        for r in CANARY_ROWS:
            for v in (r[2], r[3], r[5], r[6], r[7]):
                vals.add(v)
            vals.add(r[7].split("@")[0])  # the local part alone
            for part in r[2].split() + r[3].split() + r[6].split():
                if len(part.encode()) >= 6:
                    vals.add(part)  # surname / given name alone
        vals.update(COURSE_CANARY)
        vals.add(COURSE_CANARY[1].split("@")[0])
        return sorted(vals)

    def grep(self, when, values=None):
        leaks = []
        store = engines.store_files(self.data.path, since=self.started)
        self.assertTrue(store)
        files = sorted(set(self.data.all_files()) | set(store))
        self.assertTrue(any(f.endswith(".log") for f in files), files)
        for path in files:
            try:
                with open(path, "rb") as f:
                    data = f.read()
            except FileNotFoundError:
                # PostgreSQL removes files of its own while it runs (pg_internal.init, a
                # finished WAL segment): what is gone holds nothing any more.
                self.assertTrue(engines.PG, "%s vanished on SQLite" % path)
                continue
            for v in values or self.values():
                for enc in ("utf-8", "utf-16-le"):
                    if v.encode(enc) in data:
                        leaks.append("%s: %r (%s) in %s" % (when, v, enc, path))
        return leaks

    def test_no_plaintext_personal_data(self):
        self.started = time.time()
        d = self.data
        d.site_add("G01", "すみれ学童クラブ")
        d.user_add("staff01", "site_staff", ["G01"])
        d.user_add("course01", "course_staff")
        d.import_children(d.write_csv("canary.csv", CANARY_ROWS))
        d.card_issue(site="G01")
        codes = decode_qr_codes(d.card_sheet("G01"))
        self.assertEqual(len(codes), 3)
        token = d.kiosk_add("G01")
        smtp = self.start_smtp()  # smtp: no maildir inside the data dir
        srv = self.start_server()
        mails = smtp.wait_count(3)
        web = srv.client()
        for m in mails:
            self.assertEqual(web.post("/api/v1/confirmations",
                                      {"token": m.confirm_token}).status, 200)
        k = srv.client(kiosk_token=token)
        for c in codes:
            self.assertEqual(k.scan(c).status, 200)
            self.assertEqual(k.scan(c).status, 200)  # duplicate
        staff = srv.client()
        self.assertEqual(staff.login("staff01").status, 200)
        self.assertEqual(staff.board("G01").status, 200)
        self.assertEqual(staff.board("G02").status, 404)
        # a course sign-up: the person's items sealed under the course service's key
        cs = srv.client()
        self.assertEqual(cs.login("course01").status, 200)
        r = cs.post("/api/v1/course/courses", {
            "title": "父親ピアサポート", "contact": "子育て支援課", "sessions": [
                {"date": "2099-01-05", "start": "10:00", "end": "12:00", "place": "会議室",
                 "capacity": 5}]})
        self.assertEqual(r.status, 201, r)
        name, mail, phone = COURSE_CANARY
        r = web.post("/api/v1/course/signups", {
            "course": r.json["id"], "name": name, "email": mail, "phone": phone, "child_age": 1,
            "sessions": [r.json["sessions"][0]["id"]]}, csrf=False)
        self.assertEqual(r.status, 201, r)
        self.assertEqual(cs.get("/api/v1/course/courses/%d" % r.json["course"]["id"]).status, 200)
        smtp.wait_count(7)
        leaks = self.grep("while serving")
        srv.stop()
        leaks += self.grep("after stop")
        self.assertEqual(leaks, [])
        self.assertFalse(os.path.exists(os.path.join(d.path, "mail")))
        # A backup (issue 19): encrypted, so no imported value is in its file either.
        backup = os.path.join(d.tmp, "canary.mmbk")
        cli_ok("backup", "--data", d.path, "--out", backup)
        with open(backup, "rb") as f:
            data = f.read()
        self.assertEqual([v for v in self.values() for enc in ("utf-8", "utf-16-le")
                          if v.encode(enc) in data], [])

    # Youth support casework (issue 17 §2, 要配慮個人情報): every sealed field of a case — the
    # person, the seven profile items, a note's versions, an assessment, the plan's policy and
    # goals, the referral's note — is in no file of the data directory or the database, no
    # mail, no log, and not in the clear in the handover (sealed with a passphrase, the only
    # export, recorded in the ledger).
    YOUTH = {
        "person": {"name": "鵯越 瑠璃葉", "kana": "ひよどりごえ るりは", "birth": "2011-03-29",
                   "school": "桜台区立鵯越中学校", "grade": "2年", "plaza_number": "P-Z77Q1"},
        "profile": {"family": "カナリア家庭状況ケムリ", "health": "カナリア心身ホタル",
                    "history": "カナリア成育歴ツバメ", "schooling": "カナリア通学ヒバリ",
                    "living": "カナリア生活スズメ", "support": "カナリア支援メジロ",
                    "facility": "カナリア施設ウグイス"},
        "notes": ["カナリア面談記録その一", "カナリア面談記録その二"],
        "assessment": {"summary": "カナリア見立てカモメ", "needs": "カナリアニーズ",
                       "strengths": "カナリア強みトキ"},
        "plan": {"policy": "カナリア方針シギ", "goal": "カナリア目標チドリ"},
        "referral": "カナリア区への連絡ウズラ",
    }

    def youth_values(self):
        y = self.YOUTH
        vals = [y["person"][k] for k in ("name", "kana", "school", "plaza_number")]
        vals += y["person"]["name"].split() + y["person"]["kana"].split()
        vals += list(y["profile"].values()) + y["notes"] + list(y["assessment"].values())
        vals += list(y["plan"].values()) + [y["referral"]]
        return sorted(set(vals))

    def test_youth_casework_sealed(self):
        self.started = time.time()
        d, y, api = self.data, self.YOUTH, "/api/v1/youth"
        d.user_add("ysv", "youth_supervisor")
        d.user_add("yw", "youth_worker")
        smtp = self.start_smtp()
        srv = self.start_server()
        sv, w = srv.client(), srv.client()
        self.assertEqual(sv.login("ysv").status, 200)
        self.assertEqual(w.login("yw").status, 200)
        uid = d.query("SELECT id FROM users WHERE login = 'yw'")[0][0]
        self.assertEqual(sv.request("PUT", "%s/workers/%d" % (api, uid),
                                    {"plaza": "hirai"}).status, 200)
        r = w.post(api + "/cases", {"person": y["person"], "profile": y["profile"]})
        self.assertEqual(r.status, 201, r)
        case = r.json["id"]
        self.assertEqual(w.post("%s/cases/%d/open" % (api, case),
                                {"reason": "面談の準備"}).status, 200)
        r = w.post("%s/cases/%d/notes" % (api, case),
                   {"kind": "学習サポート面談", "on_date": "2026-11-30", "body": y["notes"][0]})
        self.assertEqual(r.status, 201, r)
        r = w.request("PUT", "%s/notes/%d" % (api, r.json["id"]),
                      {"version": 1, "body": y["notes"][1]})
        self.assertEqual(r.status, 200, r)
        a = dict(y["assessment"], on_date="2026-11-30")
        self.assertEqual(w.post("%s/cases/%d/assessments" % (api, case), a).status, 201)
        plan = {"policy": y["plan"]["policy"], "review_on": "2027-03-31",
                "goals": [{"goal": y["plan"]["goal"], "review_on": "2027-01-31"}]}
        self.assertEqual(w.post("%s/cases/%d/plan" % (api, case), plan).status, 201)
        self.assertEqual(w.post("%s/cases/%d/referral" % (api, case),
                                {"referral": True, "note": y["referral"]}).status, 200)
        self.assertEqual(w.get("%s/cases/%d" % (api, case)).json["profile"], y["profile"])
        box = w.post("%s/cases/%d/handover" % (api, case), {"passphrase": "canary passphrase 9"})
        self.assertEqual(box.status, 200, box)
        leaks = ["in the handover: %r" % v for v in self.youth_values()
                 if v.encode() in box.body]
        leaks += self.grep("while serving", self.youth_values())
        srv.stop()
        leaks += self.grep("after stop", self.youth_values())
        for m in smtp.snapshot():
            leaks += ["in a mail: %r" % v for v in self.youth_values() if v in m.body]
        self.assertEqual(leaks, [])

    # The child development support centre (issue 17 §3, 要配慮個人情報): every sealed field —
    # the child, the contacts and bus stop, a daily record's versions, an assessment, the plan's
    # policy and goals, a message of the thread, a parent's mail address — is in no file of the
    # data directory or the database, no log, no mail (the notice carries no content), and not
    # in the clear in the handover.
    CENTRE = {
        "person": {"name": "鶫野 柚葉", "kana": "つぐみの ゆずは", "birth": "2021-04-17"},
        "contact": {"parent": "鶫野 景虎", "phone": "090-7731-2468",
                    "email": "tsugumino.kagetora@example.jp", "stop": "カナリア乗降場所ヤマセミ"},
        "notes": ["カナリア支援記録その一", "カナリア支援記録その二"],
        "assessment": {"summary": "カナリア総合所見オオルリ", "motor": "カナリア運動コマドリ",
                       "language": "カナリア言語キビタキ", "social": "カナリア社会性エナガ",
                       "daily": "カナリア生活習慣シジュウカラ", "tool": "カナリア検査ミソサザイ"},
        "plan": {"policy": "カナリア方針イソヒヨドリ", "goal": "カナリア目標カワセミ"},
        "message": "カナリア連絡帳アカショウビン",
        "parent_email": "canary.centre.parent@example.jp",
    }

    def centre_values(self):
        c = self.CENTRE
        vals = [c["person"]["name"], c["person"]["kana"]] + c["person"]["name"].split()
        vals += c["person"]["kana"].split() + list(c["contact"].values())
        vals += c["contact"]["parent"].split() + [c["contact"]["email"].split("@")[0]]
        vals += c["notes"] + list(c["assessment"].values()) + list(c["plan"].values())
        vals += [c["message"], c["parent_email"], c["parent_email"].split("@")[0]]
        return sorted(set(vals))

    def test_centre_casework_sealed(self):
        self.started = time.time()
        d, c, api = self.data, self.CENTRE, "/api/v1/centre"
        d.user_add("cmgr", "centre_manager")
        d.user_add("cst", "centre_staff")
        smtp = self.start_smtp()
        srv = self.start_server()
        m, s = srv.client(), srv.client()
        self.assertEqual(m.login("cmgr").status, 200)
        self.assertEqual(s.login("cst").status, 200)
        uid = d.query("SELECT id FROM users WHERE login = 'cst'")[0][0]
        self.assertEqual(m.request("PUT", api + "/routes/east", {
            "label": "東ルート", "pickup": "08:30", "dropoff": "16:30"}).status, 200)
        r = m.post(api + "/children", {"person": c["person"], "contact": c["contact"]})
        self.assertEqual(r.status, 201, r)
        kid = r.json["id"]
        self.assertEqual(m.post("%s/children/%d/open" % (api, kid),
                                {"reason": "契約"}).status, 200)
        r = m.request("PUT", "%s/children/%d/contract" % (api, kid), {
            "from": "2026-04-01", "to": "2027-03-31", "days": 20, "weekdays": [1, 2, 3, 4, 5],
            "route": "east", "unit_fee": 1200, "cap": 4600})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(m.post("%s/children/%d/assign" % (api, kid),
                                {"user_id": uid}).status, 200)
        r = m.post("%s/children/%d/parents" % (api, kid),
                   {"login": "canary_parent", "email": c["parent_email"]})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(s.post("%s/children/%d/open" % (api, kid),
                                {"reason": "記録"}).status, 200)
        r = s.post("%s/children/%d/notes" % (api, kid),
                   {"kind": "支援記録", "on_date": "2026-11-30", "body": c["notes"][0]})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(s.request("PUT", "%s/notes/%d" % (api, r.json["id"]),
                                   {"version": 1, "body": c["notes"][1]}).status, 200)
        a = dict(c["assessment"], on_date="2026-11-30")
        self.assertEqual(s.post("%s/children/%d/assessments" % (api, kid), a).status, 201)
        plan = {"on_date": "2026-11-30", "policy": c["plan"]["policy"],
                "goals": [c["plan"]["goal"]]}
        self.assertEqual(s.post("%s/children/%d/plans" % (api, kid), plan).status, 201)
        self.assertEqual(s.post("%s/children/%d/messages" % (api, kid),
                                {"body": c["message"]}).status, 201)
        self.assertEqual(s.post("%s/children/%d/attendance" % (api, kid),
                                {"date": "2026-11-30", "state": "present", "bus": True}).status,
                         200)
        self.assertEqual(s.get(api + "/bus?date=2026-11-30").status, 200)
        f = s.get("%s/children/%d" % (api, kid)).json
        self.assertEqual((f["contact"], f["messages"][0]["body"]), (c["contact"], c["message"]))
        smtp.wait_to(c["parent_email"])
        box = s.post("%s/children/%d/handover" % (api, kid), {"passphrase": "canary passphrase 9"})
        self.assertEqual(box.status, 200, box)
        leaks = ["in the handover: %r" % v for v in self.centre_values()
                 if v.encode() in box.body]
        leaks += self.grep("while serving", self.centre_values())
        srv.stop()
        leaks += self.grep("after stop", self.centre_values())
        for mail in smtp.snapshot():
            leaks += ["in a mail: %r" % v for v in self.centre_values() if v in mail.body]
        self.assertEqual(leaks, [])


if __name__ == "__main__":
    unittest.main()
