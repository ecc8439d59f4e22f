# SPDX-License-Identifier: MIT
"""test_ward_settings.py — the ward's own words (issue 11): the sender's display name is the
ward's configured name ([mail] from_name, RFC 2047-encoded in From:; a Japanese default; the
demo ward's fictional name), and the words for a child's coming in and going home ([ward]
entry_word / exit_word, 入室 / 退室 by default) in the guardians' mails, the daily report's
headings (PDF and CSV) and the pages' API (GET /api/v1/ward, GET /api/v1/kiosk). Real mail in a
real Maildir; the PDF read back with pdftotext."""
import os
import re

import harness
from harness import ServerTestCase, cli, cli_ok

GUARDIAN = "ward.words@example.jp"
ROW = ["W001", "G01", "言葉 一郎", "コトバ イチロウ", "2", "2018-04-02", "言葉 花子", GUARDIAN]


def display_name(mail):
    """The From display name as a reader shows it, and the raw (unfolded) header."""
    raw = re.search(rb"(?ms)^From: (.*?)\r?\n(?=\S)", mail.data).group(1).decode("ascii")
    raw = re.sub(r"\r?\n[ \t]+", " ", raw)
    return mail.msg["From"].addresses[0].display_name, raw


def set_conf(path, section, key, value):
    """Sets key = value in [section] of mimamori.conf (replacing the line or adding it)."""
    conf = os.path.join(path, "mimamori.conf")
    with open(conf, encoding="utf-8") as f:
        text = f.read()
    line = "%s = %s" % (key, value)
    if re.search(r"(?m)^%s\s*=" % re.escape(key), text):
        text = re.sub(r"(?m)^%s\s*=.*$" % re.escape(key), line, text)
    elif "[%s]" % section in text:
        text = text.replace("[%s]\n" % section, "[%s]\n%s\n" % (section, line), 1)
    else:
        text += "\n[%s]\n%s\n" % (section, line)
    with open(conf, "w", encoding="utf-8") as f:
        f.write(text)


class WardSettingsTest(ServerTestCase):
    def setUp(self):
        super().setUp()
        self.data.site_add("G01", "すみれ学童クラブ")
        self.maildir = os.path.join(self.data.tmp, "mail")

    def confirm_and_scan(self, srv):
        """Confirms the guardian, scans the child in and out; returns the Maildir's mails."""
        m = harness.wait_until(lambda: harness.read_maildir(self.maildir),
                               what="the confirmation mail")[0]
        r = srv.client().post("/api/v1/confirmations", {"token": m.confirm_token})
        self.assertEqual(r.status, 200, r)
        self.data.card_issue(child="W001")
        code = harness.decode_qr_codes(self.data.card_sheet("G01"))[0]
        staff = srv.client()
        self.assertEqual(staff.login("staff01").status, 200)
        k = srv.client(kiosk_token=self.kiosk)
        self.assertTrue(k.scan(code).json["recorded"])
        r = staff.post("/api/v1/sites/G01/manual-scans", {"child_no": "W001", "direction": "out",
                                                           "reason": "お迎えのため"})
        self.assertEqual(r.status, 200, r)
        return harness.wait_until(lambda: len(harness.read_maildir(self.maildir)) >= 3 and
                                  harness.read_maildir(self.maildir), what="the scan mails")

    def test_defaults_are_japanese(self):
        d = self.data
        with open(os.path.join(d.path, "mimamori.conf"), encoding="utf-8") as f:
            conf = f.read()
        self.assertIn("from_name = 学童クラブ 見守りメール", conf)
        self.assertIn("entry_word = 入室", conf)
        d.user_add("staff01", "site_staff", ["G01"])
        self.kiosk = d.kiosk_add("G01")
        d.import_children(d.write_csv("roster.csv", [ROW]))
        srv = self.start_server(mail="maildir:" + self.maildir)
        self.assertEqual(srv.client().get("/api/v1/ward").json,
                         {"entry_word": "入室", "exit_word": "退室"})
        mails = self.confirm_and_scan(srv)
        for m in mails:
            name, raw = display_name(m)
            self.assertEqual(name, "学童クラブ 見守りメール", raw)
            self.assertIn("=?UTF-8?B?", raw)  # RFC 2047, never raw UTF-8 in a header
            self.assertIn("<noreply@mimamori.invalid>", raw)
        subjects = [m.subject for m in mails[1:]]
        self.assertTrue(any("入室" in s for s in subjects), subjects)
        self.assertTrue(any("退室" in s for s in subjects), subjects)

    def test_configured_name_and_words(self):
        d = self.data
        set_conf(d.path, "mail", "from_name", "桜台区 学童クラブ")
        set_conf(d.path, "ward", "entry_word", "登所")
        set_conf(d.path, "ward", "exit_word", "降所")
        d.user_add("staff01", "site_staff", ["G01"])
        self.kiosk = d.kiosk_add("G01")
        d.import_children(d.write_csv("roster.csv", [ROW]))
        srv = self.start_server(mail="maildir:" + self.maildir)
        anon = srv.client()
        self.assertEqual(anon.get("/api/v1/ward").json,
                         {"entry_word": "登所", "exit_word": "降所"})
        r = srv.client(kiosk_token=self.kiosk).get("/api/v1/kiosk")
        self.assertEqual(r.json["ward"], {"entry_word": "登所", "exit_word": "降所"}, r)
        mails = self.confirm_and_scan(srv)
        for m in mails:
            name, raw = display_name(m)
            self.assertEqual(name, "桜台区 学童クラブ", raw)
            self.assertIn("=?UTF-8?B?", raw)
            self.assertNotIn("mimamori <", raw)
        entry = [m for m in mails if "登所" in m.subject]
        leave = [m for m in mails if "降所" in m.subject]
        self.assertEqual((len(entry), len(leave)), (1, 1), [m.subject for m in mails])
        self.assertIn("言葉 一郎さんがすみれ学童クラブに登所しました。", entry[0].body)
        self.assertIn("言葉 一郎さんがすみれ学童クラブを降所しました。", leave[0].body)
        self.assertIn("区分: 降所", leave[0].body)
        for m in mails:
            self.assertNotIn("入室", m.subject + m.body)
            self.assertNotIn("退室", m.subject + m.body)
        # The daily report: the entry and exit columns carry the ward's words.
        out = os.path.join(d.tmp, "daily.csv")
        cli_ok("report", "daily", "--data", d.path, "--site", "G01", "--format", "csv",
               "--out", out)
        with open(out, encoding="utf-8-sig") as f:
            header = f.readline().strip().split(",")
            rows = [l.strip().split(",") for l in f]
        self.assertEqual(header[6:8], ["登所", "降所"], header)
        # its 状況 too, as the board says it (it said 退室 under a 降所 column)
        self.assertIn("降所", [r[8] for r in rows], rows)
        self.assertNotIn("退室", [r[8] for r in rows], rows)
        pdf = os.path.join(d.tmp, "daily.pdf")
        cli_ok("report", "daily", "--data", d.path, "--site", "G01", "--format", "pdf",
               "--out", pdf)
        text = harness.pdf_text(pdf)
        self.assertIn("登所", text)
        self.assertIn("降所", text)
        self.assertNotIn("入室", text)
        staff = srv.client()
        staff.login("staff01")
        r = staff.get("/api/v1/sites/G01/reports/daily?format=csv")
        self.assertEqual(r.status, 200, r)
        self.assertIn("登所,降所", r.body.decode("utf-8-sig"))

    def test_bad_settings(self):
        """A word that is too long or holds a space keeps the default (with a warning); a
        from_name of 65 characters stops the mail sender at start."""
        d = self.data
        set_conf(d.path, "ward", "entry_word", "とても長い言葉で書いた入室")
        set_conf(d.path, "ward", "exit_word", "帰 る")
        srv = self.start_server(mail="maildir:" + self.maildir)
        self.assertEqual(srv.client().get("/api/v1/ward").json,
                         {"entry_word": "入室", "exit_word": "退室"})
        self.assertIn("entry_word", srv.stderr_text())
        srv.stop()
        set_conf(d.path, "mail", "from_name", "区" * 65)
        r = cli("serve", "--data", d.path, "--listen", "127.0.0.1:%d" % harness.free_port(),
                "--mail", "maildir:" + self.maildir, timeout=30)
        self.assertNotEqual(r.rc, 0, r)
        self.assertIn("from_name", r.err)

    def test_demo_ward_has_a_name(self):
        demo = os.path.join(self.data.tmp, "demo")
        cli_ok("demo", "--data", demo, "--children", "59", "--bath-people", "100", "--school-registrations", "600", timeout=600)
        with open(os.path.join(demo, "mimamori.conf"), encoding="utf-8") as f:
            conf = f.read()
        self.assertRegex(conf, r"(?m)^from_name = \S+区 学童クラブ$")
