# SPDX-License-Identifier: MIT
"""test_emergency.py — emergency mail (緊急時の一斉メール配信) end to end over real SMTP: the
second person's approval for more than one site, one mail per confirmed guardian (a guardian
of children at two chosen sites gets one), none to unconfirmed addresses, the delivery view,
refusals of messages holding a registered name, address or phone number, and the roles; the
send's status never says sent while its mail waits (送信待ち / 送信中 / 完了 / 一部失敗); and
emergency mail cannot be unsubscribed from (no List-Unsubscribe, a footer saying so)."""
import time
import unittest

import harness
from harness import ServerTestCase
from test_mail_send_view import Relay

A = "taro..yamada.@docomo.ne.jp"  # G01 guardian, confirmed (legacy carrier address)
B = "yamasaki.hajime@example.jp"  # children at G01 and G02, confirmed
G = "g02.parent@example.jp"  # G02 guardian, confirmed
U = "sato.unconfirmed@example.jp"  # G01 guardian, never confirmed
T = "g03.parent@example.jp"  # G03 guardian, confirmed

ROWS = [
    ["C001", "G01", "髙橋 𠮷男", "ﾀｶﾊｼ ﾖｼｵ", "3", "2016-04-02", "髙橋 花子", A],
    ["C002", "G01", "山﨑 次郎", "ヤマサキ ジロウ", "2", "2017-05-03", "山﨑 一", B],
    ["C003", "G02", "鈴木 四葉", "スズキ ヨツバ", "4", "2015-07-05", "鈴木 誠", G],
    ["C004", "G02", "山﨑 三郎", "ヤマサキ サブロウ", "1", "2018-06-04", "山﨑 一", B],
    ["C005", "G01", "佐藤 三郎", "サトウ サブロウ", "1", "2018-06-04", "佐藤 良子", U],
    ["C006", "G03", "田中 五郎", "タナカ ゴロウ", "5", "2014-08-09", "田中 裕子", T],
]
SUBJECT = "【緊急】台風接近に伴う閉所のお知らせ"
BODY = "本日は台風接近のため、15時で閉所します。\nお迎えをお願いします。"


class EmergencyTest(ServerTestCase):
    def setUp(self):
        super().setUp()
        d = self.data
        d.site_add("G01", "すみれ学童クラブ")
        d.site_add("G02", "ひろばプラス桜", "hiroba_plus")
        d.site_add("G03", "あおば学童クラブ")
        d.user_add("admin1", "ward_admin")
        d.user_add("cont1", "contractor")
        d.user_add("wstaff", "ward_staff")
        d.user_add("staff01", "site_staff", ["G01"])
        d.import_children(d.write_csv("roster.csv", ROWS))
        self.smtp = self.start_smtp()
        self.srv = self.start_server()
        mails = self.smtp.wait_count(5)
        time.sleep(0.3)
        mails = self.smtp.snapshot()
        self.assertEqual(len(mails), 5, mails)
        tokens = {m.rcpts[0]: m.confirm_token for m in mails}
        web = self.srv.client()
        for addr in (A, B, G, T):
            r = web.post("/api/v1/confirmations", {"token": tokens[addr]})
            self.assertEqual(r.status, 200, r)

    def login(self, who):
        c = self.srv.client()
        r = c.login(who)
        self.assertEqual(r.status, 200, r)
        return c

    def db_count(self, sql):
        con = self.data.connect(readonly=True)
        try:
            return con.execute(sql).fetchone()[0]
        finally:
            con.close()

    def emergency_mails(self, subject=SUBJECT):
        return [m for m in self.smtp.snapshot() if m.subject == subject]

    def test_two_sites_need_a_second_person(self):
        admin, cont = self.login("admin1"), self.login("cont1")
        r = admin.post("/api/v1/emergency-sends",
                       {"sites": ["G01", "G02"], "subject": SUBJECT, "body": BODY})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json["state"], "awaiting_approval")
        self.assertEqual(r.json["recipients"], 3)  # A, B (once), G
        sid = r.json["id"]
        time.sleep(1.0)
        self.assertEqual(self.emergency_mails(), [])
        self.assertEqual(self.db_count("SELECT count(*) FROM outbox WHERE send_id LIKE "
                                       "'emergency:%'"), 0)

        # Before approval, the approver sees whom it would reach now.
        r = cont.get("/api/v1/emergency-sends/%d" % sid)
        self.assertEqual((r.json["audience"], r.json["recipients"]), (3, 0), r)

        # The author cannot approve their own send.
        r = admin.post("/api/v1/emergency-sends/%d/approve" % sid)
        self.assertEqual(r.status, 403, r)
        self.assertEqual(r.json["code"], "second_approver_required", r)
        self.assertIn("別の担当者", r.json["message"])
        time.sleep(0.5)
        self.assertEqual(self.emergency_mails(), [])

        r = cont.post("/api/v1/emergency-sends/%d/approve" % sid)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json, {"id": sid, "state": "sent", "recipients": 3,
                                  "delivery": "queued"})
        self.smtp.wait_for(lambda ms: sum(m.subject == SUBJECT for m in ms) >= 3,
                           what="3 emergency mails")
        time.sleep(0.5)
        got = self.emergency_mails()
        self.assertEqual(len(got), 3, got)
        for m in got:
            self.assertEqual(len(m.rcpts), 1, m.raw_rcpts)
            self.assertEqual(m.to_addresses, m.rcpts)
            self.assertIn("15時で閉所します", m.body)
            self.assertEqual(m.msg.get_content_maintype(), "text")  # no attachments
        self.assertEqual(sorted(m.rcpts[0] for m in got), sorted([A, B, G]))
        self.assertEqual(self.smtp.to(U)[1:], [])  # only its confirmation mail
        self.assertEqual([m for m in self.smtp.to(T) if m.subject == SUBJECT], [])

        # Sent once: a second approval is refused.
        r = cont.post("/api/v1/emergency-sends/%d/approve" % sid)
        self.assertEqual(r.status, 409, r)

        def view():
            v = admin.get("/api/v1/emergency-sends/%d" % sid)
            self.assertEqual(v.status, 200, v)
            return v.json if v.json["sent"] == 3 else None
        deadline = time.monotonic() + 20
        j = None
        while not j and time.monotonic() < deadline:
            j = view()
            time.sleep(0.1)
        self.assertIsNotNone(j)
        for k, want in (("recipients", 3), ("sent", 3), ("failed", 0), ("pending", 0),
                        ("state", "sent"), ("delivery", "done"), ("sites", ["G01", "G02"]),
                        ("author", "admin1"),
                        ("approver", "cont1"), ("subject", SUBJECT), ("body", BODY),
                        ("failures", [])):
            self.assertEqual(j[k], want, (k, j))
        staff_view = self.login("wstaff").get("/api/v1/emergency-sends")
        self.assertEqual(staff_view.status, 200, staff_view)
        row = [s for s in staff_view.json["sends"] if s["id"] == sid][0]
        self.assertEqual((row["recipients"], row["sent"], row["pending"]), (3, 3, 0))
        self.assertNotIn("@", staff_view.text)
        self.assertEqual(self.data.audit_verify().rc, 0)
        self.assertGreaterEqual(self.db_count(
            "SELECT count(*) FROM audit WHERE action IN ('emergency.compose', "
            "'emergency.approve', 'emergency.view', 'emergency.list')"), 4)

    def test_personal_data_is_refused(self):
        admin = self.login("admin1")
        # The refusal says the kind found, in Japanese, under one stable code.
        cases = [
            ("子どもの名前", "髙橋𠮷男さんのお迎えについて"),   # without the space
            ("子どもの名前", "髙橋 𠮷男 さん"),                  # spaced differently
            ("保護者の名前", "山﨑　一様へ"),                    # full-width space
            ("メールアドレス", "連絡は TARO..YAMADA.@DOCOMO.NE.JP へ"),
            ("電話番号", "連絡先: 03-1234-5678"),
            ("電話番号", "携帯 09012345678 まで"),
        ]
        for kind, body in cases:
            r = admin.post("/api/v1/emergency-sends",
                           {"sites": ["G01"], "subject": "お知らせ", "body": body})
            self.assertEqual(r.status, 400, (body, r))
            self.assertEqual(r.json["code"], "personal_data", (body, r))
            self.assertIn(kind, r.json["message"])
            for secret in ("髙橋", "山﨑", "TARO", "taro", "1234"):
                self.assertNotIn(secret, r.text)
        r = admin.post("/api/v1/emergency-sends",
                       {"sites": ["G01"], "subject": "鈴木 四葉さん", "body": "本文"})
        self.assertEqual(r.status, 400, r)
        for bad in ({"sites": ["G01"], "subject": "", "body": "x"},
                    {"sites": ["G01"], "subject": "a\r\nBcc: x@example.jp", "body": "x"},
                    {"sites": ["G01"], "subject": "x" * 101, "body": "x"},
                    {"sites": ["G01"], "subject": "x", "body": "あ" * 4001},
                    {"sites": [], "subject": "x", "body": "x"},
                    {"sites": ["G99"], "subject": "x", "body": "x"},
                    {"subject": "x", "body": "x"}):
            r = admin.post("/api/v1/emergency-sends", bad)
            self.assertEqual(r.status, 400, (bad, r))
        self.assertEqual(self.db_count("SELECT count(*) FROM bulk_sends"), 0)
        self.assertEqual(self.db_count("SELECT count(*) FROM outbox WHERE send_id LIKE "
                                       "'emergency:%'"), 0)
        self.assertGreaterEqual(self.db_count(
            "SELECT count(*) FROM audit WHERE action = 'emergency.refused'"), 7)
        time.sleep(0.5)
        self.assertEqual(len(self.smtp.snapshot()), 5)  # the confirmation mails only

    def test_single_site_goes_at_once_and_roles(self):
        admin, cont = self.login("admin1"), self.login("cont1")
        subject = "G03 閉所のお知らせ"
        r = cont.post("/api/v1/emergency-sends",
                      {"sites": ["G03", "G03"], "subject": subject, "body": BODY})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json["state"], "sent")
        self.assertEqual(r.json["recipients"], 1)
        got = self.smtp.wait_to(T, 2)
        self.assertEqual([m.rcpts for m in got if m.subject == subject], [[T]])

        for who in ("staff01", "wstaff"):
            c = self.login(who)
            r = c.post("/api/v1/emergency-sends",
                       {"sites": ["G01"], "subject": "x", "body": "y"})
            self.assertEqual(r.status, 403, (who, r))
        # Site staff see only the sends of their own sites (G01's staff: not G03's).
        r = self.login("staff01").get("/api/v1/emergency-sends")
        self.assertEqual((r.status, r.json["sends"]), (200, []), r)
        self.assertEqual(self.srv.client().get("/api/v1/emergency-sends").status, 401)

        # "all" waits for approval; a rejection ends it, and it cannot be approved later.
        r = admin.post("/api/v1/emergency-sends",
                       {"sites": "all", "subject": "全施設へ", "body": BODY})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json["state"], "awaiting_approval")
        self.assertEqual(r.json["recipients"], 4)  # A, B, G, T
        sid = r.json["id"]
        r = self.login("wstaff").post("/api/v1/emergency-sends/%d/approve" % sid)
        self.assertEqual(r.status, 403, r)
        r = cont.post("/api/v1/emergency-sends/%d/reject" % sid)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["state"], "rejected")
        r = cont.post("/api/v1/emergency-sends/%d/approve" % sid)
        self.assertEqual(r.status, 409, r)
        self.assertEqual(admin.get("/api/v1/emergency-sends/999").status, 404)
        j = admin.get("/api/v1/emergency-sends/%d" % sid).json
        self.assertEqual((j["state"], j["sites"], j["recipients"], j["delivery"]),
                         ("rejected", "all", 0, None))
        time.sleep(0.5)
        self.assertEqual([m for m in self.smtp.snapshot() if m.subject == "全施設へ"], [])

    def test_status_never_says_sent_while_mail_waits(self):
        """送信待ち while nothing has gone (the relay is down), 一部失敗 once every mail was tried
        and some were refused, 完了 when all went; and the mail is not unsubscribable."""
        self.srv.stop()
        self.srv = self.start_server(mail="smtp://127.0.0.1:%d" % harness.free_port())
        admin = self.login("admin1")
        r = admin.post("/api/v1/emergency-sends", {"sites": ["G01"], "subject": SUBJECT,
                                                   "body": BODY})
        self.assertEqual(r.status, 201, r)
        self.assertEqual((r.json["state"], r.json["recipients"], r.json["delivery"]),
                         ("sent", 2, "queued"))
        sid = r.json["id"]
        time.sleep(1.5)  # the sender tries, the relay is down
        for j in (admin.get("/api/v1/emergency-sends/%d" % sid).json,
                  [x for x in admin.get("/api/v1/emergency-sends").json["sends"]
                   if x["id"] == sid][0]):
            self.assertEqual((j["delivery"], j["sent"], j["pending"], j["recipients"]),
                             ("queued", 0, 2, 2), j)
        # The relay comes up and refuses A: every mail tried, one failed — 一部失敗.
        self.srv.stop()
        relay = Relay()
        try:
            relay.refuse = {A}
            self.srv = self.start_server(mail=relay.url)
            admin = self.login("admin1")
            j = harness.wait_until(lambda: (lambda v: v if v["pending"] == 0 else None)(
                admin.get("/api/v1/emergency-sends/%d" % sid).json), timeout=30,
                what="the send tried")
            self.assertEqual((j["delivery"], j["sent"], j["failed"]), ("partly_failed", 1, 1))
            with relay.lock:
                got = [m for m in relay.mails if m.subject == SUBJECT]
            self.assertEqual([m.rcpts[0] for m in got], [B])
            # The club's duty of care: no way to leave emergency mail, and the footer says so.
            self.assertIsNone(got[0].msg["List-Unsubscribe"])
            self.assertIsNone(got[0].msg["List-Unsubscribe-Post"])
            self.assertIn("このメールは緊急連絡のため、配信停止はできません。", got[0].body)
            self.assertNotIn("/api/v1/unsubscribe/", got[0].body)
            # in the one footer, under the club's own line (it made a second "--" block)
            self.assertEqual(got[0].body.replace("\r\n", "\n").count("\n--\n"), 1, got[0].body)
            self.assertIn("返信はできません。\nこのメールは緊急連絡のため", got[0].body.replace("\r\n", "\n"))
            # A send whose mail all went is 完了.
            r = admin.post("/api/v1/emergency-sends", {"sites": ["G03"], "subject": "G03 閉所",
                                                       "body": BODY})
            sid2 = r.json["id"]
            j = harness.wait_until(lambda: (lambda v: v if v["pending"] == 0 else None)(
                admin.get("/api/v1/emergency-sends/%d" % sid2).json), timeout=30,
                what="the second send")
            self.assertEqual((j["delivery"], j["sent"], j["failed"]), ("done", 1, 0))
        finally:
            self.srv.stop()
            relay.stop()


if __name__ == "__main__":
    unittest.main()
