# SPDX-License-Identifier: MIT
"""test_course.py — course sign-up (講座の申込: 父親ピアサポート and other courses; seed 001,
issue 17 section 4) end to end through a real server and real SMTP: the staff make a course with
sessions; people sign up on the public route without an account (one place: the first chosen
session with room, else the waitlists); a full session puts the next person on its waitlist; a
cancellation through the person's mail link moves the first waiting up, with a mail; a session
cancelled by the staff places its people on their other choices; the attendance list (PDF, read
by pdftotext) is in the handover ledger; the reminder of the day before is mailed once, even
across a restart; the sign-ups of a course are erased only after it ends (button and CLI), with
an audit entry; bad input gets a one-line JSON error; the public form is rate-limited per
address; nothing personal in the clear in the data directory. Runs on SQLite and PostgreSQL
(engines.py). Generated, fictional data only."""
import datetime
import os
import re
import time

import engines
import harness
from harness import ServerTestCase

JST = datetime.timezone(datetime.timedelta(hours=9))


def at(y, m, d, h=12):
    return int(datetime.datetime(y, m, d, h, 0, tzinfo=JST).timestamp())


NOW = at(2026, 12, 1)
API = "/api/v1/course"
# Fictional people of this module; the canary looks for each in the data directory.
PEOPLE = [("鷺ノ宮 颯太郎", "saginomiya.sotaro.q7@example.jp", "090-3141-5926"),
          ("轟 健之介", "todoroki.kennosuke.q7@example.jp", "080-2718-2818"),
          ("御手洗 悠真", "mitarai.yuma.q7@example.jp", "070-1414-2135"),
          ("勅使河原 蓮", "teshigawara.ren.q7@example.jp", "090-1732-0508"),
          ("東海林 湊", "shoji.minato.q7@example.jp", "080-2236-0679")]
COURSE = {"title": "父親ピアサポート", "contact": "子育て支援課 03-0000-0000",
          "description": "お父さん同士で話し合う会です。",
          "sessions": [{"date": "2026-12-03", "start": "10:00", "end": "12:00",
                        "place": "子ども家庭支援センター 会議室", "capacity": 2},
                       {"date": "2026-12-10", "start": "14:00", "end": "16:00",
                        "place": "区民センター 和室", "capacity": 1}]}


def token_of(mail):
    m = re.search(r"/course/mine\.html#t=([0-9a-f]{64})", mail.body)
    assert m, mail.body
    return m.group(1)


class CourseTest(ServerTestCase):
    def setUp(self):
        super().setUp()
        d = self.data
        self.now = NOW
        self.clock = os.path.join(d.tmp, "clock")
        self.set_clock(NOW)
        d.user_add("cs", "course_staff")
        d.user_add("ws", "ward_staff")
        self.smtp = self.start_smtp()
        self.env = {"MIMAMORI_FAKE_NOW_FILE": self.clock, "MIMAMORI_COURSE_INTERVAL_MS": "200"}
        self.srv = self.start_server(env=self.env)
        self.staff = self.srv.client()
        self.assertEqual(self.staff.login("cs").status, 200)
        self.pub = self.srv.client()

    def set_clock(self, t):
        with open(self.clock + ".tmp", "w") as f:
            f.write(str(t))
        os.replace(self.clock + ".tmp", self.clock)

    def make_course(self):
        r = self.staff.post(API + "/courses", COURSE)
        self.assertEqual(r.status, 201, r)
        c = r.json
        self.assertEqual([s["capacity"] for s in c["sessions"]], [2, 1])
        return c["id"], [s["id"] for s in c["sessions"]]

    def sign(self, i, course, sessions, age=2):
        name, mail, phone = PEOPLE[i]
        r = self.pub.post(API + "/signups", {"course": course, "name": name, "email": mail,
                                             "phone": phone, "child_age": age,
                                             "sessions": sessions}, csrf=False)
        self.assertEqual(r.status, 201, r)
        self.assertEqual(len(r.json["token"]), 64)
        return r.json

    def mails_to(self, i, n=1):
        return self.smtp.wait_to(PEOPLE[i][1], n)

    def test_signup_waitlist_cancel_moves_up_reminder_once_erase(self):
        cid, (a, b) = self.make_course()
        # the public list: the course, its sessions and places left, no names
        r = self.pub.get(API + "/open")
        self.assertEqual(r.status, 200, r)
        self.assertEqual([(s["id"], s["left"]) for s in r.json["courses"][0]["sessions"]],
                         [(a, 2), (b, 1)])
        self.assertNotIn("roster", r.text)
        # two places on A, then the waitlist
        for i in (0, 1):
            self.assertEqual(self.sign(i, cid, [a])["choices"][0]["state"], "booked")
        s3 = self.sign(2, cid, [a])
        self.assertEqual((s3["choices"][0]["state"], s3["choices"][0]["position"]),
                         ("waiting", 1))
        m1 = self.mails_to(0)[0]
        # under the service's own name, not the clubs' [mail] from_name
        self.assertEqual(m1.msg["From"].addresses[0].display_name, "講座の申込受付")
        self.assertIn("参加決定", m1.subject)
        self.assertIn("2026年12月3日（木）10:00〜12:00", m1.body)
        self.assertIn("参加が決まっています", m1.body)
        m3 = self.mails_to(2)[0]
        self.assertIn("キャンセル待ち", m3.subject)
        self.assertIn("キャンセル待ち（1番目）", m3.body)
        # A full, B free: the second choice; then both full: waits on both
        s4 = self.sign(3, cid, [a, b])
        self.assertEqual([c["state"] for c in s4["choices"]], ["off", "booked"])
        s5 = self.sign(4, cid, [a, b])
        self.assertEqual([(c["state"], c["position"]) for c in s5["choices"]],
                         [("waiting", 2), ("waiting", 1)])
        # the roster
        r = self.staff.get(API + "/courses/%d" % cid)
        self.assertEqual(r.status, 200, r)
        self.assertEqual([p["name"] for p in r.json["roster"]], [p[0] for p in PEOPLE])
        self.assertEqual([(s["booked"], s["waiting"]) for s in r.json["sessions"]],
                         [(2, 2), (1, 1)])
        # the first person cancels by their link: the first waiting (p3) moves up, mailed
        t1, t3 = token_of(m1), token_of(m3)
        r = self.pub.post(API + "/mine/cancel", {}, headers={"X-Signup-Token": t1}, csrf=False)
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.json["cancelled"])
        up = self.mails_to(2, 2)[1]
        self.assertIn("キャンセル待ちから参加が決まりました", up.subject)
        self.assertIn("参加が決まっています", up.body)
        self.assertIn("キャンセルを受け付けました", self.mails_to(0, 2)[1].subject)
        r = self.pub.get(API + "/mine", headers={"X-Signup-Token": t3})
        self.assertEqual((r.json["name"], r.json["choices"][0]["state"]), (PEOPLE[2][0], "booked"))
        r = self.pub.post(API + "/mine/cancel", {}, headers={"X-Signup-Token": t1}, csrf=False)
        self.assertEqual((r.status, r.json["code"]), (409, "already_cancelled"), r)
        r = self.pub.get(API + "/mine", headers={"X-Signup-Token": "0" * 64})
        self.assertEqual((r.status, r.json["code"]), (404, "link_invalid"), r)
        self.assertIn("リンク", r.json["message"])
        # p5 is now first on A's waitlist
        r = self.pub.get(API + "/mine", headers={"X-Signup-Token": token_of(self.mails_to(4)[0])})
        self.assertEqual([c["position"] for c in r.json["choices"]], [1, 1])
        # the attendance list of A for the facilitator: the two with a place, then the waitlist
        r = self.staff.get(API + "/sessions/%d/attendance" % a)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.header("Content-Type"), "application/pdf")
        self.assertTrue(r.header("X-Mimamori-Ledger-Id"))
        pdf = os.path.join(self.data.tmp, "att.pdf")
        with open(pdf, "wb") as f:
            f.write(r.body)
        text = harness.pdf_text(pdf)
        self.assertIn("出席簿", text)
        for name in (PEOPLE[1][0], PEOPLE[2][0], PEOPLE[4][0]):
            self.assertIn(name, text)
        self.assertNotIn(PEOPLE[0][0], text)  # cancelled
        self.assertLess(text.index(PEOPLE[2][0]), text.index("キャンセル待ち"))
        self.assertLess(text.index("キャンセル待ち"), text.index(PEOPLE[4][0]))
        self.assertEqual(self.data.query("SELECT service, records FROM ledger"), [("course", 3)])
        # the staff cancel B: p4 (booked there) waits on A now, p5 keeps waiting on A
        r = self.staff.post(API + "/sessions/%d/cancel" % b)
        self.assertEqual((r.status, r.json["told"]), (200, 2), r)
        self.assertIn("中止", self.mails_to(3, 2)[1].subject)
        self.assertIn("中止", self.mails_to(4, 2)[1].subject)
        r = self.staff.post(API + "/sessions/%d/cancel" % b)
        self.assertEqual((r.status, r.json["code"]), (409, "session_cancelled"), r)
        # the day before A: the two with a place get the reminder, once
        self.set_clock(at(2026, 12, 2, 9))
        self.smtp.wait_for(lambda ms: sum("明日の講座" in m.subject for m in ms) >= 2,
                           what="the reminders")
        self.srv.stop()
        self.srv = self.start_server(env=self.env)
        self.pub = self.srv.client()
        time.sleep(1.5)  # several turns of the reminder thread after the restart
        reminded = sorted(m.rcpts[0] for m in self.smtp.snapshot() if "明日の講座" in m.subject)
        self.assertEqual(reminded, sorted([PEOPLE[1][1], PEOPLE[2][1]]))
        self.assertEqual(self.data.query("SELECT count(*) FROM course_entries WHERE reminded_ms "
                                         "IS NOT NULL"), [(2,)])
        # erased only after the end
        staff = self.srv.client()
        self.assertEqual(staff.login("cs").status, 200)
        r = staff.post(API + "/courses/%d/erase" % cid)
        self.assertEqual((r.status, r.json["code"]), (409, "erase_refused"), r)
        self.assertIn("まだ終わっていない回", r.json["message"])
        self.set_clock(at(2026, 12, 4))
        time.sleep(0.2)
        self.assertEqual(staff.login("cs").status, 200)  # a new day, a new session
        r = staff.post(API + "/courses/%d/erase" % cid)
        self.assertEqual((r.status, r.json.get("erased_signups"), r.json.get("erased")), (200, 5, True), r)
        self.assertEqual(self.data.query("SELECT count(*) FROM course_signups"), [(0,)])
        self.assertEqual(self.data.query("SELECT count(*) FROM course_entries"), [(0,)])
        (uid,), = self.data.query("SELECT id FROM users WHERE login = 'cs'")
        self.assertEqual(self.data.query("SELECT actor, detail FROM audit WHERE action = "
                                         "'course.erase'"), [("user:%d" % uid, "signups=5")])
        r = self.pub.get(API + "/mine", headers={"X-Signup-Token": t3})
        self.assertEqual((r.status, r.json["code"]), (404, "link_invalid"), r)
        self.assertEqual(self.data.audit_verify().rc, 0)

    def test_session_changes(self):
        cid, (a, b) = self.make_course()
        self.sign(0, cid, [a])
        self.sign(1, cid, [a])
        self.sign(2, cid, [a])
        # below the places taken: refused; raised: the waitlist moves up, mailed
        change = dict(COURSE["sessions"][0], capacity=1)
        r = self.staff.request("PUT", API + "/sessions/%d" % a, change)
        self.assertEqual((r.status, r.json["code"]), (409, "session_not_changed"), r)
        self.assertIn("2人", r.json["message"])
        change["capacity"] = 3
        r = self.staff.request("PUT", API + "/sessions/%d" % a, change)
        self.assertEqual(r.status, 200, r)
        # two mails to the third person: the sign-up's and the move up (the sender's sessions
        # may deliver them in either order)
        got = self.mails_to(2, 2)
        subjects = [m.subject for m in got]
        self.assertTrue(any("キャンセル待ちから参加が決まりました" in s for s in subjects), subjects)
        # nobody cancelled: the mail does not say so (「キャンセルが出たため」 before)
        up = [m for m in got if "キャンセル待ちから" in m.subject][0]
        self.assertIn("空きが出たため", up.body)
        self.assertNotIn("キャンセルが出た", up.body)
        # a new place: the people are told
        change["place"] = "区民ホール 第2集会室"
        r = self.staff.request("PUT", API + "/sessions/%d" % a, change)
        self.assertEqual((r.status, r.json["mails"]), (200, 3), r)
        m = self.mails_to(0, 2)[1]
        self.assertIn("変更", m.subject)
        self.assertIn("区民ホール 第2集会室", m.body)
        # sign-ups stopped: the public page no longer lists the course, a sign-up is refused
        about = {"title": COURSE["title"], "description": "", "contact": COURSE["contact"]}
        r = self.staff.request("PUT", API + "/courses/%d" % cid, dict(about, open=False))
        self.assertEqual((r.status, r.json["open"]), (200, False), r)
        self.assertEqual(self.pub.get(API + "/open").json["courses"], [])
        r = self.pub.post(API + "/signups", {"course": cid, "name": PEOPLE[3][0],
                                             "email": PEOPLE[3][1], "phone": PEOPLE[3][2],
                                             "child_age": 0, "sessions": [b]}, csrf=False)
        self.assertEqual((r.status, r.json["code"]), (409, "not_open"), r)
        self.assertIn("受け付けていません", r.json["message"])
        r = self.staff.request("PUT", API + "/courses/%d" % cid, about)
        self.assertEqual((r.status, r.json["code"]), (400, "bad_course"), r)
        r = self.staff.request("PUT", API + "/courses/%d" % cid, dict(about, open=True))
        self.assertEqual(r.status, 200, r)
        self.assertEqual(len(self.pub.get(API + "/open").json["courses"]), 1)
        # a session added
        r = self.staff.post(API + "/courses/%d/sessions" % cid,
                            {"date": "2026-12-17", "start": "10:00", "end": "11:30",
                             "place": "会議室", "capacity": 5})
        self.assertEqual((r.status, len(r.json["sessions"])), (201, 3), r)

    def test_bad_input_gets_clear_errors(self):
        cid, (a, b) = self.make_course()
        base = {"course": cid, "name": PEOPLE[0][0], "email": PEOPLE[0][1],
                "phone": PEOPLE[0][2], "child_age": 1, "sessions": [a]}
        cases = [
            (dict(base, email="not-an-address"), 400, "bad_signup", "メールアドレス"),
            (dict(base, child_age=30), 400, "bad_signup", "お子さまの年齢"),
            (dict(base, sessions=[]), 400, "bad_signup", "希望する日"),
            (dict(base, sessions=[a, a]), 400, "bad_signup", "同じ日を2回"),
            (dict(base, name=""), 400, "bad_signup", "お名前"),
            (dict(base, course=99999), 404, "no_course", "講座"),
            (dict(base, sessions=[99999]), 400, "bad_signup", "この講座にありません"),
        ]
        for body, status, code, says in cases:
            r = self.pub.post(API + "/signups", body, csrf=False)
            self.assertEqual((r.status, r.json["code"]), (status, code), (body, r))
            self.assertIn(says, r.json["message"])
        r = self.pub.request("POST", API + "/signups", b"{not json",
                             headers={"Content-Type": "application/json"}, csrf=False)
        self.assertEqual(r.status, 400, r)
        self.assertTrue(r.json["message"])
        bad = dict(COURSE, sessions=[dict(COURSE["sessions"][0], end="09:00")])
        r = self.staff.post(API + "/courses", bad)
        self.assertEqual((r.status, r.json["code"]), (400, "bad_course"), r)
        self.assertIn("終了は開始より後", r.json["message"])
        bad = dict(COURSE, sessions=[dict(COURSE["sessions"][0], date="2026-11-30")])
        r = self.staff.post(API + "/courses", bad)
        self.assertIn("今日以降", r.json["message"])
        r = self.staff.get(API + "/sessions/99999/attendance")
        self.assertEqual((r.status, r.json["code"]), (404, "no_session"), r)
        # only the course staff run the courses
        ward = self.srv.client()
        self.assertEqual(ward.login("ws").status, 200)
        self.assertEqual(ward.get(API + "/courses").status, 403)
        self.assertEqual(self.pub.get(API + "/courses").status, 401)
        self.assertEqual(self.data.query("SELECT count(*) FROM course_signups"), [(0,)])

    def test_public_form_is_rate_limited(self):
        cid, (a, b) = self.make_course()
        web = self.srv.client(source="127.0.0.31")
        body = {"course": cid, "name": "x", "email": "bad", "phone": "0", "child_age": 1,
                "sessions": [a]}
        codes = [web.post(API + "/signups", body, csrf=False).status for _ in range(21)]
        self.assertEqual(codes[:20], [400] * 20)
        self.assertEqual(codes[20], 429)
        r = web.post(API + "/signups", body, csrf=False)
        self.assertEqual(r.json["code"], "address_throttled")
        # another address is not held back
        self.assertEqual(self.srv.client(source="127.0.0.32").post(
            API + "/signups", body, csrf=False).status, 400)

    def test_cli_and_nothing_in_the_clear(self):
        cid, (a, b) = self.make_course()
        for i in range(3):
            self.sign(i, cid, [a, b])
        self.mails_to(2)
        d = self.data
        out = harness.cli_ok("course", "list", "--data", d.path).out
        self.assertIn("父親ピアサポート", out)
        self.assertIn("定員 2\t参加 2\t待ち 0", out)
        self.assertIn("定員 1\t参加 1\t待ち 0", out)
        out = harness.cli_ok("course", "roster", "--data", d.path, "--course", str(cid)).out
        for name, mail, _ in PEOPLE[:3]:
            self.assertIn(name, out)
            self.assertIn(mail, out)
        self.assertRegex(out, r"\t\d+:参加")  # the page's words, not 'booked'
        self.assertEqual(d.query("SELECT actor, content FROM ledger"),
                         [("cli", "roster course %d tsv" % cid)])
        # an unknown course: refused, nothing in the ledger (an empty roster was recorded)
        r = harness.cli("course", "roster", "--data", d.path, "--course", "9999")
        self.assertEqual(r.rc, 1, r)
        self.assertIn("講座 9999 はありません", r.err)
        self.assertEqual(d.query("SELECT count(*) FROM ledger"), [(1,)])
        r = harness.cli("course", "erase", "--data", d.path, "--course", str(cid))
        self.assertEqual(r.rc, 1, r)
        self.assertIn("まだ終わっていない回", r.err)
        r = harness.cli("course", "roster", "--data", d.path)
        self.assertEqual(r.rc, 2, r)
        # nothing personal in the clear, in any file of the data directory
        self.srv.stop()
        blobs = b"".join(engines.read_bytes(p) for p in d.all_files()
                         if not p.endswith((".log", ".out")) and "/mail" not in p)
        for name, mail, phone in PEOPLE[:3]:
            for s in (name, mail, phone):
                self.assertNotIn(s.encode(), blobs, s)
        env = {"MIMAMORI_FAKE_NOW": str(at(2026, 12, 11))}
        r = harness.cli("course", "erase", "--data", d.path, "--course", str(cid), env=env)
        self.assertEqual(r.rc, 0, r)
        self.assertIn("申込 3件を消去しました", r.out)
        self.assertEqual(d.query("SELECT count(*) FROM audit WHERE action = 'course.erase' AND "
                                 "actor = 'cli'"), [(1,)])
