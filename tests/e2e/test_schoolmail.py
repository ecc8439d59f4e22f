# SPDX-License-Identifier: MIT
"""test_schoolmail.py — the schools' mass mail (seed 003, issue 13), sign-up to registration with
a real SMTP server: an empty mail handed to `mimamori mail-in` as Postfix's pipe would (and to
the lean `mimamori-mail-in`), the reply with its one-time link, the registration, the
confirmation with its footer link; wrong, old and missing codes, a mail to an unknown address, a
flood and automatic mail (a short reply at most once per address an hour, never telling whether
an address is registered); the footer's cancel and edit link; the school commands and the
registration letter (its QR code read by zbar)."""
import os
import time
import unittest

import engines
import harness
from harness import ServerTestCase
import schoolmail_fixtures as sm


class SchoolMailTestCase(ServerTestCase):
    def setUp(self):
        # One clock for the server, the CLI and every mail-in process: a file of unix seconds
        # the tests move forward (an hour later, …).
        self._clock_before = os.environ.get("MIMAMORI_FAKE_NOW_FILE")
        super().setUp()
        self.clock = os.path.join(self.data.tmp, "clock")
        self.set_clock(int(time.time()))
        os.environ["MIMAMORI_FAKE_NOW_FILE"] = self.clock
        sm.configure(self.data)
        sm.school_add(self.data, "E01", "試験区立あおば小学校", "elementary", 6, 3)
        sm.school_add(self.data, "J01", "試験区立みどり中学校", "junior_high", 3, 4)
        self.start_smtp()
        self.srv = self.start_server()
        self.code = sm.security_code(self.data, "E01")

    def tearDown(self):
        super().tearDown()
        if self._clock_before is None:
            os.environ.pop("MIMAMORI_FAKE_NOW_FILE", None)
        else:
            os.environ["MIMAMORI_FAKE_NOW_FILE"] = self._clock_before

    def set_clock(self, seconds):
        with open(self.clock + ".new", "w") as f:
            f.write(str(seconds))
        os.replace(self.clock + ".new", self.clock)
        self.now = seconds

    def later(self, seconds):
        """Moves every process's clock seconds forward (waits for the server to read it)."""
        self.set_clock(self.now + seconds)
        time.sleep(0.2)

    def reply_to(self, addr, n=1):
        """The nth mail to addr (waits for it)."""
        return self.smtp.wait_to(addr, n)[n - 1]

    def sign_up(self, addr, children, guardian="試験 花子", school="E01", lean=False):
        """The whole path: empty mail, reply, registration. Returns the confirmation mail."""
        before = len(self.smtp.to(addr))
        sm.mail_in(self.data, addr, sm.security_code(self.data, school), lean=lean)
        link = self.reply_to(addr, before + 1)
        token = sm.token_in(link, sm.SIGNUP_LINK)
        self.assertIsNotNone(token, link.body)
        r = self.srv.client().post("/api/v1/school/signup", {
            "token": token, "guardian_name": guardian, "children": children})
        self.assertEqual(r.status, 201, r)
        return self.reply_to(addr, before + 2)


class SignUpTest(SchoolMailTestCase):
    def test_empty_mail_to_registration(self):
        a = "hogosha.a@example.jp"
        r = sm.mail_in(self.data, a, self.code)
        self.assertIn("link", r.err)
        self.assertNotIn(a, r.err)  # the log names no address
        link = self.reply_to(a)
        self.assertEqual(link.rcpts, [a])
        self.assertEqual(link.to_addresses, [a])
        self.assertIn("登録のご案内", link.subject)
        self.assertIn("試験区立あおば小学校", link.body)
        self.assertIn("24時間", link.body)
        token = sm.token_in(link, sm.SIGNUP_LINK)
        self.assertTrue(token)
        self.assertTrue(sm.SIGNUP_LINK.search(link.body).group(1).startswith(self.srv.url))
        anon = self.srv.client()
        r = anon.post("/api/v1/school/signup/lookup", {"token": token})
        self.assertEqual(r.status, 200, r)
        school = r.json["school"]
        self.assertEqual((school["name"], school["classes"]), ("試験区立あおば小学校", 3))
        self.assertEqual([g["label"] for g in school["grade_labels"]],
                         ["1年", "2年", "3年", "4年", "5年", "6年"])
        self.assertNotIn("security_code", school)
        # bad registrations are refused in Japanese and lose nothing
        for body, words in (({"guardian_name": "試験 花子", "children": []}, "6人"),
                            ({"guardian_name": "試験 花子",
                              "children": [{"grade": 7, "class": 1, "name": "試験 太郎"}]}, "学年"),
                            ({"guardian_name": "試験 花子",
                              "children": [{"grade": 1, "class": 4, "name": "試験 太郎"}]}, "組"),
                            ({"guardian_name": "",
                              "children": [{"grade": 1, "class": 1, "name": "試験 太郎"}]},
                             "保護者氏名"),
                            ({"guardian_name": "試験 花子",
                              "children": [{"grade": 1, "class": 1, "name": "あ" * 41}]},
                             "児童・生徒氏名")):
            body["token"] = token
            r = anon.post("/api/v1/school/signup", body)
            self.assertEqual(r.status, 400, r)
            self.assertIn(words, r.json["message"])
        r = anon.post("/api/v1/school/signup", {
            "token": token, "guardian_name": "試験 花子",
            "children": [{"grade": 3, "class": 2, "name": "試験 太郎"},
                         {"grade": 1, "class": 1, "name": "試験 次郎"}]})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json["registered"], 2)
        done = self.reply_to(a, 2)
        self.assertIn("登録が完了しました", done.subject)
        self.assertIn("3年 2組", done.body)
        self.assertIn("1年 1組", done.body)
        self.assertNotIn("試験 太郎", done.body)  # names never travel by mail
        self.assertTrue(sm.token_in(done, sm.MANAGE_LINK), done.body)
        # the link was used up
        r = anon.post("/api/v1/school/signup", {
            "token": token, "guardian_name": "試験 花子",
            "children": [{"grade": 2, "class": 1, "name": "試験 三郎"}]})
        self.assertEqual((r.status, r.json["code"]), (404, "link_invalid"), r)
        self.assertEqual(anon.post("/api/v1/school/signup/lookup", {"token": token}).status, 404)
        self.assertEqual(sm.schools(self.data)["E01"]["registrants"], "2")
        # names and addresses are stored sealed (the database and its write-ahead log, on
        # either engine)
        raw = b""
        for path in engines.store_files(self.data.path):
            if os.path.exists(path):
                with open(path, "rb") as f:
                    raw += f.read()
        self.assertGreater(len(raw), 100000)
        for name in ("試験 太郎", "試験 花子", a):
            self.assertNotIn(name.encode(), raw)

    def test_plus_address_lean_program_and_several_schools(self):
        """touroku+CODE@ through the lean program; one address, two schools; registering the
        same child again updates it."""
        a = "hogosha.b@example.jp"
        code = sm.security_code(self.data, "J01")
        plus = "touroku+%s@school.example.jp" % code.lower()
        sm.mail_in(self.data, a, "", rcpt=plus, lean=True)
        token = sm.token_in(self.reply_to(a), sm.SIGNUP_LINK)
        r = self.srv.client().post("/api/v1/school/signup/lookup", {"token": token})
        self.assertEqual(r.json["school"]["name"], "試験区立みどり中学校", r)
        r = self.srv.client().post("/api/v1/school/signup", {
            "token": token, "guardian_name": "試験 一郎",
            "children": [{"grade": 2, "class": 4, "name": "試験 長女"}]})
        self.assertEqual(r.status, 201, r)
        self.reply_to(a, 2)  # the confirmation
        self.sign_up(a, [{"grade": 5, "class": 1, "name": "試験 次女"}], "試験 一郎")
        # the same child again (spaces differ): updated, not added
        self.sign_up(a, [{"grade": 6, "class": 2, "name": "試験　次女"}], "試験 一郎")
        got = sm.schools(self.data)
        self.assertEqual((got["E01"]["registrants"], got["J01"]["registrants"]), ("1", "1"))
        self.assertEqual(self.data.query("SELECT grade, class FROM school_registrants r JOIN "
                                         "schools s ON s.id = r.school_id WHERE s.code='E01'"),
                         [(6, 2)])
        self.assertEqual(self.data.query("SELECT COUNT(*) FROM school_addresses")[0][0], 1)


class RefusalTest(SchoolMailTestCase):
    def test_wrong_code_once_an_hour(self):
        b = "hogosha.wrong@example.jp"
        sm.mail_in(self.data, b, "ZZZZ2222")
        m = self.reply_to(b)
        self.assertIn("セキュリティコードを確認", m.subject)
        self.assertIn(sm.SIGNUP, m.body)
        self.assertIn("1時間に1回", m.body)
        n = sm.outbox_count(self.data)
        sm.mail_in(self.data, b, "ZZZZ2222")
        sm.mail_in(self.data, b, "")  # no code at all: the same short reply, still once
        self.assertEqual(sm.outbox_count(self.data), n)
        # an hour later the address hears again
        self.later(3700)
        sm.mail_in(self.data, b, "登録お願いします")
        self.assertEqual(sm.outbox_count(self.data), n + 1)
        self.assertIn("セキュリティコードを確認", self.reply_to(b, 2).subject)

    def test_old_code_after_roll_over(self):
        old = self.code
        r = harness.cli_ok("school", "rollover", "--data", self.data.path)
        self.assertIn("年度", r.out)
        new = sm.security_code(self.data, "E01")
        self.assertNotEqual(old, new)
        c = "hogosha.old@example.jp"
        sm.mail_in(self.data, c, old)
        m = self.reply_to(c)
        self.assertIn("セキュリティコードが変わっています", m.subject)
        self.assertIsNone(sm.token_in(m, sm.SIGNUP_LINK))
        sm.mail_in(self.data, c, new)  # the new code works at once (a link is no short reply)
        self.assertTrue(sm.token_in(self.reply_to(c, 2), sm.SIGNUP_LINK))

    def test_unknown_address_automatic_mail_and_other_domains(self):
        d = "hogosha.typo@example.jp"
        sm.mail_in(self.data, d, self.code, rcpt="toroku@school.example.jp")
        m = self.reply_to(d)
        self.assertIn("宛先を確認", m.subject)
        self.assertIn(sm.SIGNUP, m.body)
        n = sm.outbox_count(self.data)
        # automatic mail is never answered (RFC 3834): no loops with auto-replies
        sm.mail_in(self.data, "auto.reply@example.jp", self.code,
                   headers=["Auto-Submitted: auto-replied"])
        sm.mail_in(self.data, "list@example.jp", self.code, headers=["Precedence: bulk"])
        sm.mail_in(self.data, "MAILER-DAEMON@example.jp", self.code)
        sm.mail_in(self.data, "self@school.example.jp", self.code)
        # mail to another domain is none of this service's: dropped by the platform
        r = sm.mail_in(self.data, "someone@example.jp", self.code, rcpt="info@other.example.jp")
        self.assertIn("dropped", r.err)
        self.assertEqual(sm.outbox_count(self.data), n)

    def test_flood(self):
        f = "hogosha.flood@example.jp"
        for _ in range(7):
            sm.mail_in(self.data, f, self.code)
        mails = self.smtp.wait_to(f, 6)
        time.sleep(1.5)  # a seventh would arrive now
        mails = self.smtp.to(f)
        self.assertEqual(len(mails), 6)
        self.assertEqual(sum(1 for m in mails if sm.token_in(m, sm.SIGNUP_LINK)), 5)
        flood = [m for m in mails if not sm.token_in(m, sm.SIGNUP_LINK)]
        self.assertEqual(len(flood), 1)
        self.assertIn("しばらくしてから", flood[0].subject)
        # the links already sent stay usable
        token = [sm.token_in(m, sm.SIGNUP_LINK) for m in mails if sm.token_in(m, sm.SIGNUP_LINK)][0]
        self.assertEqual(self.srv.client().post("/api/v1/school/signup/lookup",
                                                {"token": token}).status, 200)

    def test_replies_do_not_tell_whether_an_address_is_registered(self):
        reg, new = "hogosha.reg@example.jp", "hogosha.new@example.jp"
        self.sign_up(reg, [{"grade": 2, "class": 1, "name": "試験 登録"}])
        mails = {}
        for who in (reg, new):
            n = len(self.smtp.to(who))
            sm.mail_in(self.data, who, self.code)
            mails[who] = self.reply_to(who, n + 1)
        def shape(m):
            return (m.subject, sm.SIGNUP_LINK.sub("LINK", m.body))
        self.assertEqual(shape(mails[reg]), shape(mails[new]))
        for who in (reg, new):
            n = len(self.smtp.to(who))
            sm.mail_in(self.data, who, "XXXX3333")
            mails[who] = self.reply_to(who, n + 1)
        self.assertEqual(shape(mails[reg]), shape(mails[new]))


class ManageTest(SchoolMailTestCase):
    def test_footer_cancel_and_edit_link(self):
        a = "hogosha.manage@example.jp"
        done = self.sign_up(a, [{"grade": 4, "class": 3, "name": "試験 四郎"},
                                {"grade": 2, "class": 1, "name": "試験 二子"}], "試験 母")
        footer = sm.token_in(done, sm.MANAGE_LINK)
        anon = self.srv.client()
        r = anon.post("/api/v1/school/manage/lookup", {"token": footer})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["school"]["name"], "試験区立あおば小学校")
        self.assertNotIn("試験", r.text.replace("試験区立あおば小学校", ""))  # no names
        forged = footer[:-1] + ("0" if footer[-1] != "0" else "1")
        r = anon.post("/api/v1/school/manage/lookup", {"token": forged})
        self.assertEqual((r.status, r.json["code"]), (404, "link_invalid"), r)
        # the edit link goes to the address's own mailbox
        r = anon.post("/api/v1/school/manage/edit-link", {"token": footer})
        self.assertEqual(r.status, 202, r)
        edit_mail = self.reply_to(a, 3)
        edit = sm.token_in(edit_mail, sm.EDIT_LINK)
        self.assertTrue(edit, edit_mail.body)
        r = anon.post("/api/v1/school/edit/lookup", {"token": edit})
        self.assertEqual(r.status, 200, r)
        regs = {x["child_name"]: x for x in r.json["registrations"]}
        self.assertEqual(sorted(regs), ["試験 二子", "試験 四郎"])
        self.assertEqual(regs["試験 四郎"]["guardian_name"], "試験 母")
        rid = regs["試験 四郎"]["id"]
        r = anon.post("/api/v1/school/edit/update", {"token": edit, "id": rid, "grade": 5,
                                                     "class": 1, "child_name": "試験 四郎",
                                                     "guardian_name": "試験 父"})
        self.assertEqual(r.status, 200, r)
        r = anon.post("/api/v1/school/edit/update", {"token": edit, "id": rid, "grade": 9,
                                                     "class": 1, "child_name": "試験 四郎",
                                                     "guardian_name": "試験 父"})
        self.assertEqual(r.status, 400, r)
        r = anon.post("/api/v1/school/edit/cancel", {"token": edit,
                                                     "id": regs["試験 二子"]["id"]})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(sm.schools(self.data)["E01"]["registrants"], "1")
        # the footer cancels what is left at this school, with nothing personal shown
        r = anon.post("/api/v1/school/manage/cancel", {"token": footer})
        self.assertEqual((r.status, r.json["cancelled"]), (200, True), r)
        self.assertEqual(sm.schools(self.data)["E01"]["registrants"], "0")
        self.assertEqual(self.data.query("SELECT COUNT(*) FROM school_addresses")[0][0], 0)
        # nothing left: the same answers, no mail
        n = sm.outbox_count(self.data)
        self.assertEqual(anon.post("/api/v1/school/manage/edit-link",
                                   {"token": footer}).status, 202)
        self.assertEqual(anon.post("/api/v1/school/manage/cancel",
                                   {"token": footer}).status, 200)
        self.assertEqual(sm.outbox_count(self.data), n)
        self.assertEqual(anon.post("/api/v1/school/edit/lookup", {"token": edit}).status, 404)


class CommandsAndLetterTest(unittest.TestCase):
    def setUp(self):
        self.data = harness.DataDir()
        sm.configure(self.data)

    def tearDown(self):
        self.data.cleanup()

    def test_school_add_list_and_refusals(self):
        sm.school_add(self.data, "K01", "試験区立さくら幼稚園", "kindergarten", 2, 2)
        sm.school_add(self.data, "S01", "試験区立特別支援学校", "特別支援学校", 12, 2)
        lines = harness.cli_ok("school", "list", "--data", self.data.path).out.splitlines()
        head = lines[0].split("\t")
        for col in ("コード", "名称", "種別", "確認コード", "登録数"):
            self.assertIn(col, head)
        rows = sm.schools(self.data)
        self.assertEqual(rows["S01"]["kind"], "special")
        self.assertEqual(rows["K01"]["kind_label"], "幼稚園")
        self.assertRegex(rows["K01"]["security_code"], r"^[2-9A-HJKMNP-Z]{8}$")
        self.assertNotEqual(rows["K01"]["security_code"], rows["S01"]["security_code"])
        for args, words in ((["--code", "E1", "--name", "x", "--kind", "high", "--grades", "3",
                              "--classes", "1"], "種別"),
                            (["--code", "E1", "--name", "x", "--kind", "elementary", "--grades",
                              "7", "--classes", "1"], "1〜6"),
                            (["--code", "K01", "--name", "x", "--kind", "kindergarten",
                              "--grades", "2", "--classes", "1"], "すでに"),
                            (["--code", "e-1", "--name", "x", "--kind", "elementary",
                              "--grades", "6", "--classes", "1"], "学校コード")):
            r = harness.cli("school", "add", "--data", self.data.path, *args)
            self.assertEqual(r.rc, 1, r)
            self.assertIn(words, r.err)
        self.assertEqual(len(sm.schools(self.data)), 2)

    def test_registration_letter(self):
        sm.school_add(self.data, "E01", "試験区立あおば小学校")
        sm.school_add(self.data, "E02", "試験区立ひかり小学校")
        codes = {k: v["security_code"] for k, v in sm.schools(self.data).items()}
        pdf = os.path.join(self.data.tmp, "e01.pdf")
        harness.cli_ok("school", "letter", "--data", self.data.path, "--school", "E01",
                       "--out", pdf)
        text = harness.pdf_text(pdf)
        for words in ("試験区立あおば小学校", "登録のご案内", sm.SIGNUP, codes["E01"], "24時間"):
            self.assertIn(words, text)
        self.assertEqual(harness.decode_qr_codes(pdf),
                         ["mailto:%s?subject=%s" % (sm.SIGNUP, codes["E01"])])
        every = os.path.join(self.data.tmp, "all.pdf")
        harness.cli_ok("school", "letter", "--data", self.data.path, "--out", every)
        self.assertEqual(sorted(harness.decode_qr_codes(every)),
                         sorted("mailto:%s?subject=%s" % (sm.SIGNUP, c) for c in codes.values()))
        r = harness.cli("school", "letter", "--data", self.data.path, "--school", "X9",
                        "--out", every)
        self.assertEqual(r.rc, 1)
        self.assertIn("ありません", r.err)


if __name__ == "__main__":
    unittest.main()
