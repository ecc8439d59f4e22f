# SPDX-License-Identifier: MIT
"""test_schoolmail_send.py — the schools' sends (seed 003, issue 13 phase 2) end to end with a
real SMTP server: a send to one class reaches exactly that class's addresses, one recipient a
message, under the board's name, with the footer link to change or cancel the registration and
a List-Unsubscribe that leaves this school's mail only; a text holding a registrant's name, a
phone number or a mail address is refused (and so is an attachment) and nothing is stored;
read confirmation counted and re-sent to those who have not read; a send to several schools
waits for a second person of the ward; a school's staff reach their own school only and a sender
is answered with counts; `mimamori schoolmail send` with the same checks."""
import re
import unittest
import urllib.parse

import harness
import schoolmail_fixtures as sm
from test_schoolmail_roles import RolesTestCase

READ_RE = re.compile(r"/read/\?t=([0-9]+-[0-9a-f]{32})")
# address -> (school, grade, class, guardian, child)
FAMILIES = {
    "c41.a@example.jp": ("E01", 4, 1, "送信 一子", "送信 一太"),
    "c41.b@example.jp": ("E01", 4, 1, "送信 二子", "送信 二太"),
    "c42.a@example.jp": ("E01", 4, 2, "送信 三子", "送信 三太"),
    "c21.a@example.jp": ("E01", 2, 1, "送信 四子", "送信 四太"),
    "e02.a@example.jp": ("E02", 1, 1, "送信 五子", "送信 五太"),
}
ONE_CLICK = {"Content-Type": "application/x-www-form-urlencoded"}


class SendTestCase(RolesTestCase):
    def setUp(self):
        super().setUp()
        for addr, (school, grade, klass, guardian, child) in FAMILIES.items():
            self.sign_up(addr, school, guardian, [{"grade": grade, "class": klass, "name": child}])

    def mails(self, subject):
        return sorted(m.rcpts[0] for m in self.smtp.snapshot() if m.subject == subject)

    def compose(self, client, targets, subject, body="明日は午前中で下校します。", status=201,
                **extra):
        payload = {"targets": targets, "subject": subject, "body": body}
        payload.update(extra)
        r = client.post("/api/v1/school-sends", payload)
        self.assertEqual(r.status, status, r)
        return r.json


class ClassSendTest(SendTestCase):
    def test_send_to_one_class_reaches_exactly_that_class(self):
        sa = self.login("sa-e01")
        r = sa.post("/api/v1/school-sends/preview",
                    {"targets": [{"school": "E01", "grade": 4, "class": 1}],
                     "subject": "4年1組 下校時刻", "body": "明日は午前中で下校します。"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["recipients"], 2, r)
        s = self.compose(sa, [{"school": "E01", "grade": 4, "class": 1}], "4年1組 下校時刻")
        self.assertEqual((s["state"], s["recipients"]), ("sent", 2), s)
        want = ["c41.a@example.jp", "c41.b@example.jp"]
        self.smtp.wait_for(lambda ms: self.mails("4年1組 下校時刻") == want, what="2 mails")
        got = [m for m in self.smtp.snapshot() if m.subject == "4年1組 下校時刻"]
        self.assertEqual(len(got), 2)
        for m in got:
            self.assertEqual(len(m.rcpts), 1)  # one recipient a message
            self.assertEqual(m.to_addresses, m.rcpts)
            self.assertIn("試験区教育委員会", str(m.msg["From"]))
            self.assertIn("明日は午前中で下校します。", m.body)
            self.assertTrue(sm.token_in(m, sm.MANAGE_LINK), m.body)
            self.assertEqual(str(m.msg["List-Unsubscribe-Post"]), "List-Unsubscribe=One-Click")
            self.assertIsNone(m.msg.get("Content-Disposition"))
            for other in FAMILIES:
                if other not in m.rcpts:
                    self.assertNotIn(other, m.body)
        # The view holds counts and targets, never an address.
        j = sa.get("/api/v1/school-sends/%d" % s["id"]).json
        self.assertEqual(j["schools"][0]["school"], "E01")
        self.assertEqual(j["recipients"], 2)
        self.assertNotIn("@example.jp", str(j))
        # A whole grade, then the whole school (each address once).
        s = self.compose(sa, [{"school": "E01", "grade": 4}], "4年 全体")
        self.assertEqual(s["recipients"], 3)
        s = self.compose(sa, [{"school": "E01"}, {"school": "E01", "grade": 2}], "全校")
        self.assertEqual(s["recipients"], 5)
        self.smtp.wait_for(lambda ms: len(self.mails("全校")) == 5, what="5 mails")
        self.assertNotIn("e02.a@example.jp", self.mails("全校"))
        # A school's staff cannot reach another school.
        r = sa.post("/api/v1/school-sends", {"targets": [{"school": "E02"}],
                                             "subject": "他校", "body": "本文です。"})
        self.assertEqual(r.status, 403, r)
        # A class the school does not have.
        r = sa.post("/api/v1/school-sends", {"targets": [{"school": "E01", "grade": 4,
                                                          "class": 9}],
                                             "subject": "組", "body": "本文です。"})
        self.assertEqual(r.status, 400, r)
        self.assertIn("組", r.json["message"])

    def test_unsubscribe_leaves_this_school_only(self):
        # One family at both schools.
        addr = "c41.a@example.jp"
        self.sign_up(addr, "E02", "送信 一子", [{"grade": 4, "class": 1, "name": "送信 一次"}])
        sa = self.login("sa-e01")
        self.compose(sa, [{"school": "E01", "grade": 4, "class": 1}], "あおばから")
        self.smtp.wait_for(lambda ms: addr in self.mails("あおばから"), what="the mail")
        m = [m for m in self.smtp.snapshot() if m.subject == "あおばから" and m.rcpts == [addr]][0]
        url = re.search(r"<(https?://[^>]+)>", str(m.msg["List-Unsubscribe"])).group(1)
        anon = self.srv.client()
        r = anon.post(urllib.parse.urlsplit(url).path, b"List-Unsubscribe=One-Click",
                      headers=ONE_CLICK)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["list"], "school-e01", r)
        self.assertIn("あおば小学校", r.json["label"])
        # E01's next mail skips the address; E02's still reaches it.
        s = self.compose(sa, [{"school": "E01", "grade": 4, "class": 1}], "あおばから2")
        self.assertEqual(s["recipients"], 1, s)
        sa2 = self.login("sa-e02")
        s = self.compose(sa2, [{"school": "E02"}], "ひかりから")
        self.assertEqual(s["recipients"], 3, s)
        self.smtp.wait_for(lambda ms: addr in self.mails("ひかりから"), what="E02's mail")


class RefusalTest(SendTestCase):
    def test_personal_data_and_attachments_refused(self):
        sa = self.login("sa-e01")
        before = self.data.query("SELECT count(*) FROM outbox")[0][0]
        target = [{"school": "E01"}]
        for subject, body, words in (
                ("連絡", "送信 三太さんが表彰されました。", "児童・生徒の名前"),
                ("送信 四子様", "本文です。", "保護者の名前"),
                ("連絡", "送信　三太 さんへ", "児童・生徒の名前"),  # full-width space
                ("連絡", "連絡先 090-1234-5678 まで", "電話番号"),
                ("連絡", "c42.a@example.jp まで", "メールアドレス"),
                ("連絡", "someone＠example.jp まで", "メールアドレス")):
            for path in ("/api/v1/school-sends/preview", "/api/v1/school-sends"):
                r = sa.post(path, {"targets": target, "subject": subject, "body": body})
                self.assertEqual(r.status, 400, (subject, body, r))
                self.assertIn(words, r.json["message"])
                self.assertNotIn("三太", r.json["message"])
        # A name of another school is personal data too.
        r = sa.post("/api/v1/school-sends", {"targets": target, "subject": "連絡",
                                             "body": "送信 五太 さん"})
        self.assertEqual(r.status, 400, r)
        r = sa.post("/api/v1/school-sends", {"targets": target, "subject": "連絡",
                                             "body": "本文", "attachments": [{"name": "a.pdf"}]})
        self.assertEqual((r.status, r.json["code"]), (400, "attachments_not_allowed"), r)
        self.assertEqual(self.data.query("SELECT count(*) FROM outbox")[0][0], before)
        # The command line: the same checks.
        body = self.data.path + "/body.txt"
        with open(body, "w", encoding="utf-8") as f:
            f.write("送信 一太さんの忘れ物があります。\n")
        r = harness.cli("schoolmail", "send", "--data", self.data.path, "--school", "E01",
                        "--grade", "4", "--class", "1", "--subject", "忘れ物", "--body-file", body)
        self.assertNotEqual(r.rc, 0, r)
        self.assertIn("児童・生徒の名前", r.err)
        self.assertNotIn("一太", r.err)
        r = harness.cli("schoolmail", "send", "--data", self.data.path, "--school", "E01",
                        "--grade", "4", "--class", "7", "--subject", "組", "--body-file", body)
        self.assertNotEqual(r.rc, 0, r)
        self.assertIn("組", r.err)
        # a body saved in Shift_JIS: refused, not mailed as if it were UTF-8
        with open(body, "wb") as f:
            f.write("明日の遠足は延期します。\n".encode("cp932"))
        r = harness.cli("schoolmail", "send", "--data", self.data.path, "--school", "E01",
                        "--grade", "4", "--class", "2", "--subject", "遠足", "--body-file", body)
        self.assertNotEqual(r.rc, 0, r)
        self.assertIn("UTF-8 ではありません", r.err)
        self.assertEqual(self.data.query("SELECT count(*) FROM outbox")[0][0], before)
        with open(body, "w", encoding="utf-8") as f:
            f.write("明日の遠足は雨天のため延期します。\n")
        r = harness.cli_ok("schoolmail", "send", "--data", self.data.path, "--school", "E01",
                           "--grade", "4", "--class", "2", "--subject", "遠足延期",
                           "--body-file", body)
        self.assertIn("1 通", r.out)
        self.smtp.wait_for(lambda ms: self.mails("遠足延期") == ["c42.a@example.jp"],
                           what="the command line's send")


class ReadAndApprovalTest(SendTestCase):
    def test_read_confirmation_counted_and_resent(self):
        sa = self.login("sa-e01")
        s = self.compose(sa, [{"school": "E01", "grade": 4}], "読んだら押してください",
                         read_confirm=True)
        self.smtp.wait_for(lambda ms: len(self.mails("読んだら押してください")) == 3,
                           what="3 mails")
        tokens = {m.rcpts[0]: READ_RE.search(m.body).group(1) for m in self.smtp.snapshot()
                  if m.subject == "読んだら押してください"}
        anon = self.srv.client()
        r = anon.post("/api/v1/reads/" + tokens["c41.a@example.jp"], {"via": "web"})
        self.assertEqual(r.status, 200, r)
        j = sa.get("/api/v1/school-sends/%d" % s["id"]).json
        self.assertEqual((j["reads"], j["unread"]), (1, 2), j)
        self.assertEqual(j["schools"][0]["reads"], 1)
        # Once the mail has all gone (before, the re-send is refused: test_bulk.c).
        harness.wait_until(lambda: sa.get("/api/v1/school-sends/%d" % s["id"]).json["delivery"]
                           == "done", what="the delivery recorded")
        r = sa.post("/api/v1/school-sends/%d/resend" % s["id"])
        self.assertEqual((r.status, r.json["recipients"]), (201, 2), r)
        self.smtp.wait_for(lambda ms: self.mails("【再送】読んだら押してください") ==
                           ["c41.b@example.jp", "c42.a@example.jp"], what="the re-send")

    def test_several_schools_need_a_second_person_of_the_ward(self):
        self.data.user_add("ward-admin2", "ward_admin")
        staff = self.login("ward-staff")
        s = self.compose(staff, [{"school": "E01"}, {"school": "E02"}], "不審者情報")
        self.assertEqual(s["state"], "awaiting_approval", s)
        self.assertEqual(self.mails("不審者情報"), [])
        r = staff.post("/api/v1/school-sends/%d/approve" % s["id"])
        self.assertEqual(r.status, 403, r)  # never the author
        sa = self.login("sa-e01")
        r = sa.post("/api/v1/school-sends/%d/approve" % s["id"])
        self.assertEqual(r.status, 403, r)  # not a school's staff
        admin = self.login("ward-admin")
        r = admin.post("/api/v1/school-sends/%d/approve" % s["id"])
        self.assertEqual(r.status, 200, r)
        self.smtp.wait_for(lambda ms: len(self.mails("不審者情報")) == 7, what="7 mails")
        j = admin.get("/api/v1/school-sends/%d" % s["id"]).json
        self.assertEqual((j["author"], j["approver"]), ("ward-staff", "ward-admin"), j)
        self.assertEqual(sorted(x["school"] for x in j["schools"]), ["E01", "E02"])
        # One school needs no second person.
        s = self.compose(staff, [{"school": "E02"}], "ひかりのみ")
        self.assertEqual(s["state"], "sent", s)

    def test_sender_sends_to_own_school_and_sees_counts(self):
        snd = self.approved_sender()
        s = self.compose(snd, [{"school": "E01", "grade": 2, "class": 1}], "2年1組へ")
        self.assertEqual((s["state"], s["recipients"]), ("sent", 1), s)
        self.smtp.wait_for(lambda ms: self.mails("2年1組へ") == ["c21.a@example.jp"],
                           what="the mail")
        for path in ("/api/v1/school-sends", "/api/v1/school-sends/%d" % s["id"]):
            r = snd.get(path)
            self.assertEqual(r.status, 200, r)
            self.assertNotIn("@", r.text)
            self.assertNotIn("snd-e01", r.text)
            self.assertNotIn("送信 ", r.text)
        r = snd.post("/api/v1/school-sends", {"targets": [{"school": "E02"}], "subject": "他校",
                                              "body": "本文です。"})
        self.assertEqual(r.status, 403, r)
        r = snd.get("/api/v1/school-templates")
        self.assertEqual(r.status, 200, r)
        self.assertIn("休校のお知らせ", [t["name"] for t in r.json["templates"]])
        self.assertNotIn("author", r.json["templates"][0])  # no login either
        # A scheduled send waits for its time and may be withdrawn by its author.
        s = self.compose(snd, [{"school": "E01"}], "予約の送信", at="2026-08-25T07:30")
        self.assertEqual(s["state"], "scheduled", s)
        r = snd.post("/api/v1/school-sends/%d/cancel" % s["id"])
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.mails("予約の送信"), [])


if __name__ == "__main__":
    unittest.main()
