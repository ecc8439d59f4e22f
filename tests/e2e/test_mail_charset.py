# SPDX-License-Identifier: MIT
"""test_mail_charset.py — ISO-2022-JP for the domains listed in [mail] iso2022jp (issue 4),
over a real SMTP server: a confirmation mail and an emergency mail to a listed domain arrive
as ISO-2022-JP with a 7bit body that Python's email package decodes to the Japanese text
(half-width katakana and ～ mapped to their JIS X 0208 forms); the same mails to another
domain stay UTF-8 base64; a mail with ① (outside JIS X 0208) to a listed domain goes as UTF-8;
a bad domain in the setting stops `serve` with a one-line error."""
import os
import re
import time
import unittest

import harness
from harness import ServerTestCase

DOCOMO = "hanako.mimamori@docomo.ne.jp"
OTHER = "ichiro.mimamori@example.jp"
ROWS = [
    ["C001", "G01", "見守 一郎", "ミマモリ イチロウ", "3", "2016-04-02", "見守 花子", DOCOMO],
    ["C002", "G01", "見守 次郎", "ミマモリ ジロウ", "2", "2017-05-03", "見守 一郎", OTHER],
]
CONFIRM_SUBJECT = "【見守り】メールアドレスの確認のお願い"
CONFIRM_TEXT = "学童クラブ・ひろばプラスの入室・退室のお知らせに、このメールアドレスが登録されました。"


def set_iso2022jp(data, value):
    """Appends iso2022jp = value to mimamori.conf ([mail] is its last section)."""
    conf = os.path.join(data.path, "mimamori.conf")
    with open(conf, encoding="utf-8") as f:
        text = f.read()
    assert text.rstrip().splitlines()[-1].startswith(";"), "[mail] is not last any more"
    assert "\n[mail]\n" in text
    with open(conf, "a", encoding="utf-8") as f:
        f.write("iso2022jp = %s\n" % value)


def text(mail):
    """The decoded body with LF line ends (both encodings carry CRLF)."""
    return mail.body.replace("\r\n", "\n")


def split_raw(mail):
    """The raw header block (unfolded text) and body bytes of a received mail."""
    head, body = re.split(rb"\r\n\r\n", mail.data, maxsplit=1)
    return head.decode("ascii"), body


class MailCharsetTest(ServerTestCase):
    def setUp(self):
        super().setUp()
        d = self.data
        set_iso2022jp(d, "DoCoMo.ne.jp, ezweb.ne.jp")
        d.site_add("G01", "すみれ学童クラブ")
        d.user_add("cont1", "contractor")
        d.import_children(d.write_csv("roster.csv", ROWS))
        self.start_smtp()
        self.srv = self.start_server()

    def assert_iso2022jp(self, mail):
        head, body = split_raw(mail)
        self.assertIn("\r\nContent-Type: text/plain; charset=ISO-2022-JP\r\n", head + "\r\n")
        self.assertIn("\r\nContent-Transfer-Encoding: 7bit\r\n", head + "\r\n")
        self.assertRegex(head, r"\r\nSubject: =\?ISO-2022-JP\?B\?")
        self.assertTrue(all(b < 0x80 for b in mail.data), "8-bit bytes in a 7bit mail")
        self.assertIn(b"\x1b$B", body)  # kanji travel as JIS X 0208, not base64
        for line in body.split(b"\r\n"):
            self.assertLessEqual(len(line), 998)
            self.assertNotIn(b"\n", line)
            self.assertNotIn(b"\r", line)
            esc = line.rfind(b"\x1b")
            self.assertTrue(esc < 0 or line[esc:esc + 3] == b"\x1b(B", line)  # ends in ASCII
        # Each encoded-word of the subject stands alone: at most 75 characters.
        subject = re.search(r"\r\nSubject: (.*?)\r\n(?! )", head + "\r\n", re.S).group(1)
        for word in subject.split("\r\n "):
            self.assertLessEqual(len(word), 75, word)
        self.assertEqual(mail.msg.get_content_charset(), "iso-2022-jp")

    def assert_utf8(self, mail):
        head, _ = split_raw(mail)
        self.assertIn("\r\nContent-Type: text/plain; charset=UTF-8\r\n", head + "\r\n")
        self.assertIn("\r\nContent-Transfer-Encoding: base64\r\n", head + "\r\n")
        self.assertRegex(head, r"\r\nSubject: =\?UTF-8\?B\?")
        self.assertEqual(mail.msg.get_content_charset(), "utf-8")

    def confirm_both(self):
        mails = {a: self.smtp.wait_to(a)[0] for a in (DOCOMO, OTHER)}
        web = self.srv.client()
        for a, m in mails.items():
            self.assertIsNotNone(m.confirm_token, m.body)
            r = web.post("/api/v1/confirmations", {"token": m.confirm_token})
            self.assertEqual(r.status, 200, (a, r))
        return mails

    def emergency(self, subject, body):
        """A single-site emergency mail (goes at once); returns {address: mail}."""
        c = self.srv.client()
        self.assertEqual(c.login("cont1").status, 200)
        r = c.post("/api/v1/emergency-sends", {"sites": ["G01"], "subject": subject,
                                               "body": body})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json["state"], "sent", r)
        self.smtp.wait_for(lambda ms: all(any(a in m.rcpts and m not in self.seen for m in ms)
                                          for a in (DOCOMO, OTHER)),
                           what="the emergency mail to both")
        time.sleep(0.3)
        got = {}
        for a in (DOCOMO, OTHER):
            new = [m for m in self.smtp.to(a) if m not in self.seen]
            self.assertEqual(len(new), 1, new)
            got[a] = new[0]
            self.seen.append(new[0])
        return got

    def test_confirmation_mail(self):
        mails = self.confirm_both()
        iso, utf8 = mails[DOCOMO], mails[OTHER]
        self.assert_iso2022jp(iso)
        self.assert_utf8(utf8)
        for m in (iso, utf8):
            self.assertEqual(m.subject, CONFIRM_SUBJECT)
            self.assertIn(CONFIRM_TEXT, m.body)
            self.assertIn("このリンクの有効期限は14日間です。", m.body)
            self.assertIn("/confirm/?t=" + m.confirm_token + "\r\n", m.body)
        # The same text either way, line for line.
        self.assertEqual(iso.body.replace(iso.confirm_token, "T"),
                         utf8.body.replace(utf8.confirm_token, "T"))
        self.assertEqual(iso.to_addresses, [DOCOMO])

    def test_emergency_mail_mapped_and_fallback(self):
        self.seen = list(self.confirm_both().values())
        subject = "【緊急】ｶﾞｽ設備点検のお知らせ"
        body = "本日10時～12時は、ｶﾞｽ設備の点検のため、ﾊﾟｿｺﾝ室を使えません。\nご了承ください。"
        got = self.emergency(subject, body)
        self.assert_iso2022jp(got[DOCOMO])
        self.assertEqual(got[DOCOMO].subject, "【緊急】ガス設備点検のお知らせ")
        self.assertIn("本日10時〜12時は、ガス設備の点検のため、パソコン室を使えません。\n"
                      "ご了承ください。", text(got[DOCOMO]))
        self.assertIn("一斉配信です。", text(got[DOCOMO]))  # the footer
        self.assert_utf8(got[OTHER])
        self.assertEqual(got[OTHER].subject, subject)  # as written
        self.assertIn(body, text(got[OTHER]))

        # ① is not in JIS X 0208: the whole mail goes as UTF-8, to docomo as well.
        subject = "【緊急】お迎えのお願い①"
        body = "①本日は15時で閉所します。\n②お迎えをお願いします。"
        got = self.emergency(subject, body)
        for a in (DOCOMO, OTHER):
            self.assert_utf8(got[a])
            self.assertEqual(got[a].subject, subject)
            self.assertIn(body, text(got[a]))


class MailCharsetConfigTest(unittest.TestCase):
    def setUp(self):
        self.data = harness.DataDir()

    def tearDown(self):
        self.data.cleanup()

    def test_bad_domain_stops_serve(self):
        set_iso2022jp(self.data, "docomo.ne.jp, docomo")
        r = harness.cli("serve", "--data", self.data.path, "--listen",
                        "127.0.0.1:%d" % harness.free_port(), "--mail", "maildir:mail",
                        timeout=60)
        self.assertNotEqual(r.rc, 0, r)
        self.assertIn("mail: iso2022jp takes domains separated by commas", r.err)
        # the person's line names the key and its form in Japanese (it said only
        # 「入力内容に誤りがあります」)
        self.assertIn("mimamori: serve: メールの送信を始められません: [mail] iso2022jp は"
                      "ドメインをカンマで区切って書いてください", r.err)

    def test_bad_domain_in_env(self):
        r = harness.cli("serve", "--data", self.data.path, "--listen",
                        "127.0.0.1:%d" % harness.free_port(), "--mail", "maildir:mail",
                        env={"MIMAMORI_MAIL_ISO2022JP": "docomo.ne.jp=2/300"}, timeout=60)
        self.assertNotEqual(r.rc, 0, r)
        self.assertIn("mail: iso2022jp takes domains separated by commas", r.err)


if __name__ == "__main__":
    unittest.main()
