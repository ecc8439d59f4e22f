# SPDX-License-Identifier: MIT
"""test_bulk.py — the bulk-send layer (src/bulk/) end to end through attendance's emergency
mail, over real SMTP: four eyes (the author neither approves nor rejects, the approver is
recorded and shown), approval only within the approver's scope (site staff of some sites cannot
approve a send to all sites or to another site's guardians, and see only their sites' sends), a
scheduled send that fires at its time on an injected clock (and a withdrawn one that never
does), read confirmation (「読みました」 counted once, a re-send only to those who have not read
it), the preview with its count, and templates refused when they hold personal data."""
import os
import re
import time
import unittest

import engines
from harness import ServerTestCase, wait_until

A = "a.parent@example.jp"  # G01
B = "b.parent@example.jp"  # G02
C = "c.parent@example.jp"  # G03
D = "d.parent@example.jp"  # G01
ROWS = [
    ["C001", "G01", "髙橋 𠮷男", "ﾀｶﾊｼ ﾖｼｵ", "3", "2016-04-02", "髙橋 花子", A],
    ["C002", "G02", "鈴木 四葉", "スズキ ヨツバ", "4", "2015-07-05", "鈴木 誠", B],
    ["C003", "G03", "田中 五郎", "タナカ ゴロウ", "5", "2014-08-09", "田中 裕子", C],
    ["C004", "G01", "佐藤 三郎", "サトウ サブロウ", "1", "2018-06-04", "佐藤 良子", D],
]
BODY = "本日は台風接近のため、15時で閉所します。"

READ_RE = re.compile(r"/read/\?t=([0-9]+-[0-9a-f]{32})")


class BulkTest(ServerTestCase):
    def setUp(self):
        super().setUp()
        d = self.data
        for code in ("G01", "G02", "G03"):
            d.site_add(code, "クラブ" + code)
        d.user_add("admin1", "ward_admin")
        d.user_add("cont1", "contractor")
        d.user_add("lead12", "site_staff", ["G01", "G02"])  # an area leader of two clubs
        d.user_add("staff01", "site_staff", ["G01"])
        d.import_children(d.write_csv("roster.csv", ROWS))
        self.now = [int(time.time())]  # the injected clock starts at the real time
        self.clock = os.path.join(d.tmp, "clock")
        self.advance(0)
        self.smtp = self.start_smtp()
        self.srv = self.start_server(env={"MIMAMORI_FAKE_NOW_FILE": self.clock,
                                          "MIMAMORI_BULK_INTERVAL_MS": "200"})
        self.smtp.wait_count(4)
        web = self.srv.client()
        for m in self.smtp.snapshot():
            self.assertEqual(web.post("/api/v1/confirmations",
                                      {"token": m.confirm_token}).status, 200)

    def advance(self, seconds):
        self.now[0] += seconds
        with open(self.clock + ".tmp", "w") as f:
            f.write(str(self.now[0]))
        os.replace(self.clock + ".tmp", self.clock)
        time.sleep(0.15)  # the server reads the file at most every 50 ms

    def at(self, seconds):
        """The Japan-time "YYYY-MM-DDTHH:MM" of the injected clock plus seconds."""
        return time.strftime("%Y-%m-%dT%H:%M", time.gmtime(self.now[0] + seconds + 9 * 3600))

    def login(self, who):
        c = self.srv.client()
        self.assertEqual(c.login(who).status, 200)
        return c

    def mails(self, subject):
        return sorted(m.rcpts[0] for m in self.smtp.snapshot() if m.subject == subject)

    def compose(self, who, sites, subject, **extra):
        body = dict({"sites": sites, "subject": subject, "body": BODY}, **extra)
        r = who.post("/api/v1/emergency-sends", body)
        self.assertEqual(r.status, 201, r)
        return r.json

    def test_four_eyes_and_scope(self):
        admin, cont = self.login("admin1"), self.login("cont1")
        lead, staff = self.login("lead12"), self.login("staff01")
        two = self.compose(admin, ["G01", "G02"], "二つのクラブへ")
        everyone = self.compose(admin, "all", "全クラブへ")
        self.assertEqual((two["state"], everyone["state"]),
                         ("awaiting_approval", "awaiting_approval"))
        # The author neither approves nor rejects their own send.
        for step in ("approve", "reject"):
            r = admin.post("/api/v1/emergency-sends/%d/%s" % (two["id"], step))
            self.assertEqual((r.status, r.json["code"]), (403, "second_approver_required"), r)
            self.assertIn("作成者は自分の送信を", r.json["message"])
        # Only someone whose scope covers every site decides: G01's staff not for G01+G02,
        # the leader of G01 and G02 not for all sites.
        for who, sid in ((staff, two["id"]), (lead, everyone["id"]), (staff, everyone["id"])):
            for step in ("approve", "reject"):
                r = who.post("/api/v1/emergency-sends/%d/%s" % (sid, step))
                self.assertEqual((r.status, r.json["code"]), (403, "out_of_scope"), r)
        r = staff.get("/api/v1/emergency-sends/%d" % two["id"])
        self.assertEqual((r.status, r.json["code"]), (403, "out_of_scope"), r)
        # Each sees the sends of their own sites only.
        self.assertEqual([s["id"] for s in staff.get("/api/v1/emergency-sends").json["sends"]],
                         [])
        self.assertEqual([s["id"] for s in lead.get("/api/v1/emergency-sends").json["sends"]],
                         [two["id"]])
        time.sleep(0.5)
        self.assertEqual(self.mails("二つのクラブへ"), [])
        # The leader of both clubs approves; the approver is recorded and shown.
        r = lead.post("/api/v1/emergency-sends/%d/approve" % two["id"])
        self.assertEqual((r.status, r.json["state"], r.json["recipients"]), (200, "sent", 3), r)
        self.smtp.wait_for(lambda ms: len(self.mails("二つのクラブへ")) == 3, what="3 mails")
        j = admin.get("/api/v1/emergency-sends/%d" % two["id"]).json
        self.assertEqual((j["author"], j["approver"]), ("admin1", "lead12"))
        self.assertIsNotNone(j["approved"])
        self.assertEqual(self.data.query(
            "SELECT u.login FROM bulk_sends b JOIN users u ON u.id = b.approver_id WHERE b.id = ?",
            two["id"]), [("lead12",)])
        # The contractor (the whole ward) rejects the send to all: recorded as its decider.
        r = cont.post("/api/v1/emergency-sends/%d/reject" % everyone["id"])
        self.assertEqual((r.status, r.json["state"]), (200, "rejected"), r)
        j = admin.get("/api/v1/emergency-sends/%d" % everyone["id"]).json
        self.assertEqual((j["state"], j["approver"]), ("rejected", "cont1"))
        # The denials are audited; the chain verifies.
        self.assertGreaterEqual(self.data.query(
            "SELECT count(*) FROM audit WHERE action = 'denied' AND object LIKE 'emergency:%'")
            [0][0], 8)
        self.assertEqual(self.data.audit_verify().rc, 0)

    def test_scheduled_send_fires_at_its_time(self):
        admin, cont = self.login("admin1"), self.login("cont1")
        one = self.compose(admin, ["G03"], "明朝のお知らせ", at=self.at(3600))
        self.assertEqual((one["state"], one["recipients"], one["delivery"]),
                         ("scheduled", 1, None))
        self.assertEqual(one["at"][:16], self.at(3600))
        # Two sites at a time: approved now, sent at its time.
        two = self.compose(admin, ["G01", "G02"], "二施設の予約", at=self.at(7200))
        self.assertEqual(two["state"], "awaiting_approval")
        r = cont.post("/api/v1/emergency-sends/%d/approve" % two["id"])
        self.assertEqual((r.status, r.json["state"], r.json["recipients"]), (200, "scheduled", 3))
        # A third is withdrawn by its author before its time: never sent.
        gone = self.compose(admin, ["G01"], "取り消す予約", at=self.at(1800))
        r = cont.post("/api/v1/emergency-sends/%d/cancel" % gone["id"])
        self.assertEqual((r.status, r.json["code"]), (403, "not_author"), r)
        r = admin.post("/api/v1/emergency-sends/%d/cancel" % gone["id"])
        self.assertEqual((r.status, r.json["state"]), (200, "cancelled"), r)
        # A time in the past or too far ahead is refused.
        for at in (self.at(-60), self.at(40 * 86400), "明日の朝"):
            r = admin.post("/api/v1/emergency-sends",
                           {"sites": ["G01"], "subject": "x", "body": BODY, "at": at})
            self.assertEqual(r.status, 400, (at, r))
        self.advance(3500)
        time.sleep(1.0)
        self.assertEqual(self.mails("明朝のお知らせ"), [])
        self.advance(160)  # past its time
        self.smtp.wait_for(lambda ms: self.mails("明朝のお知らせ") == [C], what="the morning mail")
        admin = self.login("admin1")  # an hour on: the session has expired
        j = admin.get("/api/v1/emergency-sends/%d" % one["id"]).json
        self.assertEqual(j["state"], "sent")
        self.assertEqual(self.mails("二施設の予約"), [])
        self.advance(3600)
        self.smtp.wait_for(lambda ms: self.mails("二施設の予約") == sorted([A, B, D]),
                           what="the approved scheduled send")
        time.sleep(0.5)
        self.assertEqual(self.mails("取り消す予約"), [])
        admin = self.login("admin1")
        j = admin.get("/api/v1/emergency-sends/%d" % two["id"]).json
        self.assertEqual((j["state"], j["approver"], j["recipients"]), ("sent", "cont1", 3))
        self.assertEqual(self.data.query(
            "SELECT count(*) FROM audit WHERE action = 'emergency.send' AND actor = 'scheduler'"),
            [(2,)])

    def test_read_confirmation_and_resend(self):
        admin = self.login("admin1")
        s = self.compose(admin, ["G01"], "読んだら押してください", read_confirm=True)
        self.assertEqual((s["state"], s["recipients"]), ("sent", 2))
        self.smtp.wait_for(lambda ms: len(self.mails("読んだら押してください")) == 2,
                           what="2 mails")
        tokens = {}
        for m in self.smtp.snapshot():
            if m.subject == "読んだら押してください":
                self.assertIn("「読みました」を押してください", m.body)
                # Right after the message, before the footers.
                self.assertLess(m.body.index("「読みました」"), m.body.index("一斉配信です"))
                tokens[m.rcpts[0]] = READ_RE.search(m.body).group(1)
        anon = self.srv.client()
        # Opening the page changes nothing; its button does, once.
        self.assertEqual(anon.get("/read/?t=" + tokens[A]).status, 200)
        j = admin.get("/api/v1/emergency-sends/%d" % s["id"]).json
        self.assertEqual((j["read_confirm"], j["reads"], j["unread"]), (True, 0, 2))
        r = anon.post("/api/v1/reads/" + tokens[A], {"via": "web"})
        self.assertEqual((r.status, r.json), (200, {"read": True, "already": False}), r)
        r = anon.post("/api/v1/reads/" + tokens[A], {"via": "web"})
        self.assertEqual((r.status, r.json["already"]), (200, True), r)
        bad = tokens[A][:-1] + ("0" if tokens[A][-1] != "0" else "1")
        r = anon.post("/api/v1/reads/" + bad, {"via": "web"})
        self.assertEqual((r.status, r.json["code"]), (404, "link_invalid"), r)
        j = admin.get("/api/v1/emergency-sends/%d" % s["id"]).json
        self.assertEqual((j["reads"], j["unread"]), (1, 1))
        self.assertEqual(self.data.query("SELECT count(*) FROM mail_reads"), [(1,)])
        # A re-send goes to those who have not read it only, once the mail has all gone.
        wait_until(lambda: admin.get("/api/v1/emergency-sends/%d" % s["id"]).json["delivery"]
                   == "done", what="the delivery recorded")
        r = admin.post("/api/v1/emergency-sends/%d/resend" % s["id"])
        self.assertEqual((r.status, r.json["recipients"], r.json["parent"]), (201, 1, s["id"]), r)
        self.smtp.wait_for(lambda ms: self.mails("【再送】読んだら押してください") == [D],
                           what="the re-send")
        resent = [m for m in self.smtp.snapshot() if m.subject == "【再送】読んだら押してください"]
        token = READ_RE.search(resent[0].body).group(1)
        self.assertEqual(anon.post("/api/v1/reads/" + token, {"via": "web"}).status, 200)
        # The parent still has one unread; the re-send has none left: nothing to re-send.
        r = admin.post("/api/v1/emergency-sends/%d/resend" % r.json["id"])
        self.assertEqual((r.status, r.json["code"]), (409, "nothing_to_resend"), r)
        # A send without read confirmation cannot be re-sent that way.
        plain = self.compose(admin, ["G03"], "確認なし")
        r = admin.post("/api/v1/emergency-sends/%d/resend" % plain["id"])
        self.assertEqual((r.status, r.json["code"]), (409, "nothing_to_resend"), r)
        self.assertEqual(self.data.audit_verify().rc, 0)

    def test_preview_and_templates(self):
        admin, staff = self.login("admin1"), self.login("staff01")
        r = admin.post("/api/v1/emergency-sends/preview",
                       {"sites": "all", "subject": "全施設", "body": BODY})
        self.assertEqual((r.status, r.json["recipients"], r.json["approval_required"]),
                         (200, 4, True), r)
        r = admin.post("/api/v1/emergency-sends/preview",
                       {"sites": ["G01"], "subject": "G01", "body": BODY})
        self.assertEqual((r.json["recipients"], r.json["approval_required"]), (2, False), r)
        r = admin.post("/api/v1/emergency-sends/preview",
                       {"sites": ["G01"], "subject": "お知らせ", "body": "髙橋花子さんへ"})
        self.assertEqual((r.status, r.json["code"]), (400, "personal_data"), r)
        self.assertEqual(self.data.query("SELECT count(*) FROM bulk_sends"), [(0,)])
        # Templates: stored, listed, changed, deleted; never with personal data.
        r = admin.post("/api/v1/emergency-templates",
                       {"name": "休所のお知らせ", "subject": "【休所】本日は休所します",
                        "body": "本日は臨時に休所します。"})
        self.assertEqual(r.status, 201, r)
        tid = r.json["id"]
        r = admin.post("/api/v1/emergency-templates",
                       {"name": "休所のお知らせ", "subject": "x", "body": "y"})
        self.assertEqual(r.status, 409, r)
        for bad in ({"name": "鈴木 誠さん用", "subject": "x", "body": "y"},
                    {"name": "連絡", "subject": "x", "body": "電話 03-1234-5678"},
                    {"name": "", "subject": "x", "body": "y"}):
            r = admin.post("/api/v1/emergency-templates", bad)
            self.assertEqual(r.status, 400, (bad, r))
        r = admin.request("PUT", "/api/v1/emergency-templates/%d" % tid,
                          body={"name": "休所のお知らせ", "subject": "【休所】本日は休所します",
                                "body": "本日は臨時に休所します。お迎えをお願いします。"})
        self.assertEqual(r.status, 200, r)
        got = admin.get("/api/v1/emergency-templates").json["templates"]
        self.assertEqual([(t["name"], t["body"], t["author"]) for t in got],
                         [("休所のお知らせ", "本日は臨時に休所します。お迎えをお願いします。",
                           "admin1")])
        self.assertEqual(staff.get("/api/v1/emergency-templates").status, 403)
        self.assertEqual(admin.request("DELETE",
                                       "/api/v1/emergency-templates/%d" % tid).status, 204)
        self.assertEqual(admin.get("/api/v1/emergency-templates").json["templates"], [])
        # The template's text is sealed under attendance's key, like the sends.
        for path in engines.store_files(self.data.path):
            self.assertNotIn("休所します".encode(), engines.read_bytes(path), path)


if __name__ == "__main__":
    unittest.main()
