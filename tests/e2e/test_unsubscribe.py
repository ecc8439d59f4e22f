# SPDX-License-Identifier: MIT
"""test_unsubscribe.py — return paths and List-Unsubscribe end to end over a real SMTP server:
every message leaves with its own VERP return path at the bounce domain, and a notification
sent back to it is matched by VERP. Whether a list may be left is the list's property: bulk
mail of ordinary notices (the "school" list, queued here through the mail layer's own
mail_outbox_enqueue_bulk by tests/unit/bulk_enqueue.c) carries List-Unsubscribe with an
one-click URL (RFC 8058) under base_url and a mailto, plus a footer link, while notices carry
none. Opening the link changes nothing; a one-click POST without signing in, the page's own POST
and a mail to the mailto address (`mimamori mail-in`) each unsubscribe and are audited; the
next send of that list skips those addresses; forged or mangled tokens answer 404 and change
nothing. Emergency mail — the club's duty of care to every enrolled child — carries no
List-Unsubscribe, its footer says it cannot be stopped, and its tokens (as older mail carried)
are refused by the route and by mail-in with nothing recorded; it still reaches everyone who
left the school list."""
import os
import re
import time
import unittest
import urllib.parse

import engines
import harness
from harness import ServerTestCase

A = "taro..yamada.@docomo.ne.jp"  # unsubscribes by one-click POST
B = "hanako@example.jp"  # unsubscribes through the page
C = "jiro@example.jp"  # unsubscribes by mail
D = "keeps.getting@example.jp"  # never unsubscribes

ROWS = [
    ["C001", "G01", "山田 太郎", "ヤマダ タロウ", "3", "2016-04-02", "山田 花子", A],
    ["C002", "G01", "鈴木 次郎", "スズキ ジロウ", "2", "2017-05-03", "鈴木 一", B],
    ["C003", "G01", "佐藤 三郎", "サトウ サブロウ", "1", "2018-06-04", "佐藤 良子", C],
    ["C004", "G01", "田中 四郎", "タナカ シロウ", "4", "2015-06-04", "田中 裕子", D],
]
BOUNCE_DOMAIN = "bounce.mimamori.example.jp"
VERP_RE = re.compile(r"^bounces\+(\d+)-([0-9a-f]{10})@" + re.escape(BOUNCE_DOMAIN) + "$")
FIXTURES = os.path.join(harness.REPO, "tests", "unit", "dsn")


class UnsubscribeTest(ServerTestCase):
    def setUp(self):
        super().setUp()
        d = self.data
        d.site_add("G01", "すみれ学童クラブ")
        d.user_add("admin1", "ward_admin")
        d.import_children(d.write_csv("roster.csv", ROWS))
        self.smtp = self.start_smtp()
        self.srv = self.start_server(env={"MIMAMORI_MAIL_BOUNCE_DOMAIN": BOUNCE_DOMAIN})
        self.smtp.wait_count(4)
        web = self.srv.client()
        self.confirmations = self.smtp.snapshot()
        for m in self.confirmations:
            r = web.post("/api/v1/confirmations", {"token": m.confirm_token})
            self.assertEqual(r.status, 200, r)
        self.admin = self.srv.client()
        self.assertEqual(self.admin.login("admin1").status, 200)

    def links(self, m):
        """The (URL, mailto address) of m's List-Unsubscribe header."""
        h = str(m.msg["List-Unsubscribe"])
        url = re.search(r"<(https?://[^>]+)>", h).group(1)
        mailto = re.search(r"<mailto:([^?>]+)\?subject=unsubscribe>", h).group(1)
        return url, mailto

    def test_verp_return_path_is_matched(self):
        # Notices too leave with the row's own return path, never the From address.
        for m in self.confirmations:
            self.assertRegex(m.mail_from, VERP_RE)
            self.assertIsNone(m.msg["List-Unsubscribe"])
        ids = {int(VERP_RE.match(m.mail_from).group(1)) for m in self.confirmations}
        self.assertEqual(len(ids), 4)
        got = self.send_emergency(self.admin, [A, B, C, D])
        m = got[D]
        row = int(VERP_RE.match(m.mail_from).group(1))
        self.assertEqual(self.data.query("SELECT send_id, kind FROM outbox WHERE id = ?", row),
                         [("emergency:1", "bulk")])
        # A notification with no returned Message-ID: only its VERP address can match it.
        with open(os.path.join(FIXTURES, "postfix_hard_511.eml"), "rb") as f:
            fixture = f.read().replace(b"no.such.user@example.jp", D.encode())
        fixture = re.sub(rb"(?mi)^Message-ID: <q3Z0f4mXc1gT7r2Yb8kLpA9e@mimamori.invalid>\r?\n",
                         b"", fixture)

        def dsn(return_path):
            return fixture.replace(b"bounces+42-0a1b2c3d4e@mimamori.example.jp",
                                   return_path.encode())
        # A mangled mac first: it matches nothing and stores nothing.
        local, dom = m.mail_from.split("@")
        mac = local[-10:]
        forged = local[:-10] + ("0" if mac[0] != "0" else "1") + mac[1:] + "@" + dom
        r = harness.cli("mail-in", "--data", self.data.path, "--recipient", forged,
                        input=dsn(forged))
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(self.data.query("SELECT count(*) FROM bounce_events"), [(0,)])
        r = harness.cli("mail-in", "--data", self.data.path, "--recipient", m.mail_from,
                        input=dsn(m.mail_from))
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(self.data.query("SELECT outbox_id, kind, matched_by FROM bounce_events"),
                         [(row, "hard", "verp")])

    def send_school(self, addrs, expect):
        """Queues a school notice to addrs (the list may be left); waits for the mails to
        expect and returns {address: Mail}."""
        self._schools = getattr(self, "_schools", 0) + 1
        subject = "学校からのお知らせ %d" % self._schools
        tokens, skipped = harness.bulk_enqueue(self.data.path, "school:%d" % self._schools,
                                               subject, "遠足は晴天なら実施します。\n", addrs)
        self.assertEqual((len(tokens), skipped), (len(expect), len(addrs) - len(expect)))
        self.smtp.wait_for(lambda ms: sum(m.subject == subject for m in ms) >= len(expect),
                           what="%d school mails" % len(expect))
        time.sleep(0.3)  # a mail to someone not expected would arrive now
        got = {m.rcpts[0]: m for m in self.smtp.snapshot() if m.subject == subject}
        self.assertEqual(sorted(got), sorted(expect))
        return got

    def test_unsubscribe_three_ways(self):
        got = self.send_school([A, B, C, D], [A, B, C, D])
        for addr, m in got.items():
            self.assertEqual(str(m.msg["List-Unsubscribe-Post"]), "List-Unsubscribe=One-Click")
            url, mailto = self.links(m)
            # The server's base_url (https in production; the harness serves plain http).
            base = "http://127.0.0.1:%d" % self.srv.port
            self.assertTrue(url.startswith(base + "/api/v1/unsubscribe/"), url)
            self.assertTrue(mailto.startswith("unsubscribe+"), mailto)
            self.assertTrue(mailto.endswith("@" + BOUNCE_DOMAIN), mailto)
            self.assertIn("このメールの配信停止: " + url, m.body)  # for phones without the button
            self.assertEqual(m.body.replace("\r\n", "\n").count("\n--\n"), 1, m.body)
            self.assertNotIn(addr, url + mailto)
        path = {a: urllib.parse.urlsplit(self.links(m)[0]).path for a, m in got.items()}
        anon = self.srv.client()

        # Opening the link (a person, or a mail scanner) only leads to the page.
        r = anon.get(path[A])
        self.assertEqual(r.status, 303, r)
        token = path[A].rsplit("/", 1)[1]
        self.assertEqual(r.header("Location"), "/unsubscribe/?t=" + token)
        self.assertEqual(self.data.query("SELECT count(*) FROM unsubscribes"), [(0,)])

        # Bad requests change nothing.
        r = anon.post(path[A], b"", headers={"Content-Type": "text/plain"})
        self.assertEqual(r.status, 400, r)
        self.assertIn("List-Unsubscribe=One-Click", r.json["message"])
        self.assertIn("配信停止の申し込み", r.json["message"])
        one_click = {"Content-Type": "application/x-www-form-urlencoded"}
        for bad in (path[A][:-1] + ("0" if path[A][-1] != "0" else "1"),
                    "/api/v1/unsubscribe/1-" + "0" * 32, "/api/v1/unsubscribe/xyz"):
            r = anon.post(bad, b"List-Unsubscribe=One-Click", headers=one_click)
            self.assertEqual(r.status, 404, r)
            self.assertEqual(r.json["code"], "link_invalid", r)
            self.assertIn("配信停止のリンクは無効です", r.json["message"])
        self.assertEqual(r.header("Location"), None)
        self.assertEqual(self.data.query("SELECT count(*) FROM unsubscribes"), [(0,)])
        # RFC 8058 one-click, as a mail client sends it: no cookie, no CSRF token.
        r = anon.post(path[A], b"List-Unsubscribe=One-Click", headers=one_click)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json, {"unsubscribed": True, "list": "school",
                                  "label": "学校・園からのお知らせ", "already": False})
        r = anon.post(path[A], b"List-Unsubscribe=One-Click", headers=one_click)
        self.assertEqual(r.json["already"], True)
        # The page's button.
        r = anon.post(path[B], {"via": "web"})
        self.assertEqual((r.status, r.json["already"]), (200, False), r)
        # A mail to the mailto address, as Postfix's pipe hands it to mail-in.
        _, mailto = self.links(got[C])
        mail = ("From: %s\r\nTo: %s\r\nSubject: unsubscribe\r\nMessage-ID: <u1@example.jp>\r\n"
                "\r\nunsubscribe\r\n" % (C, mailto)).encode()
        r = harness.cli("mail-in", "--data", self.data.path, "--recipient", mailto, input=mail)
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(sorted(v for (v,) in self.data.query("SELECT via FROM unsubscribes")),
                         ["mailto", "one-click", "web"])
        self.assertEqual(self.data.query("SELECT DISTINCT list FROM unsubscribes"), [("school",)])
        # No address in the table: only blind indexes.
        for (idx,) in self.data.query("SELECT addr_idx FROM unsubscribes"):
            self.assertIsInstance(idx, bytes)
        audits = self.data.query("SELECT actor, detail FROM audit WHERE action = 'mail.unsubscribe' "
                         "ORDER BY id")
        self.assertEqual([a for a, _ in audits], ["anon", "anon", "anon", "mail-in"])
        self.assertIn("(already unsubscribed)", audits[1][1])

        # The next school notice skips the three; D still gets it.
        self.send_school([A, B, C, D], [D])
        # Emergency mail still reaches all four: leaving the school list does not stop it.
        self.send_emergency(self.admin, [A, B, C, D])
        for path in self.data.all_files():  # database, WAL, server logs
            blob = engines.read_bytes(path)
            for addr in (A, B, C, D):
                self.assertNotIn(addr.encode(), blob, path)
        self.assertEqual(self.data.audit_verify().rc, 0)

    def test_join_again_through_a_new_confirmation(self):
        """A guardian who left a list joins it again: the unsubscribe link asks, a one-time link
        goes to the address itself, and only opening it puts the address back on the list."""
        got = self.send_school([A, B], [A, B])
        path = {a: urllib.parse.urlsplit(self.links(m)[0]).path for a, m in got.items()}
        anon = self.srv.client()
        # Not unsubscribed: nothing to join again.
        r = anon.post(path[A] + "/resubscribe", {})
        self.assertEqual((r.status, r.json["code"]), (409, "not_unsubscribed"), r)
        self.assertEqual(anon.post(path[A], {"via": "web"}).status, 200)
        self.send_school([A, B], [B])
        before = len(self.smtp.to(A))
        r = anon.post(path[A] + "/resubscribe", {})
        self.assertEqual((r.status, r.json["queued"], r.json["list"]), (202, True, "school"), r)
        confirm = self.smtp.wait_to(A, before + 1)[-1]
        self.assertIn("配信再開の確認", confirm.subject)
        self.assertIsNone(confirm.msg["List-Unsubscribe"])  # a notice, to the address itself
        token = re.search(r"/unsubscribe/\?r=([A-Za-z0-9_-]+)", confirm.body).group(1)
        # Until the mailed link is used, the address stays off the list.
        self.send_school([A, B], [B])
        for bad in ("", "x" * 43, token[:-1] + ("A" if token[-1] != "A" else "B")):
            r = anon.post("/api/v1/resubscriptions", {"token": bad})
            self.assertEqual((r.status, r.json["code"]), (404, "link_invalid"), r)
        r = anon.post("/api/v1/resubscriptions", {"token": token})
        self.assertEqual((r.status, r.json["resubscribed"], r.json["list"]), (200, True, "school"))
        r = anon.post("/api/v1/resubscriptions", {"token": token})  # used
        self.assertEqual(r.status, 404, r)
        self.send_school([A, B], [A, B])
        # At most three asks a day per address and list.
        self.assertEqual(anon.post(path[A], {"via": "web"}).status, 200)
        for n in range(2):
            self.assertEqual(anon.post(path[A] + "/resubscribe", {}).status, 202)
        r = anon.post(path[A] + "/resubscribe", {})
        self.assertEqual((r.status, r.json["code"]), (429, "too_many_requests"), r)
        self.assertIn("1日に3通", r.json["message"])
        # A forged token, and emergency mail (which cannot be left), name nothing to rejoin.
        r = anon.post("/api/v1/unsubscribe/1-%s/resubscribe" % ("0" * 32), {})
        self.assertEqual((r.status, r.json["code"]), (404, "link_invalid"), r)
        self.assertEqual(self.data.query("SELECT count(*) FROM audit WHERE action = "
                                         "'mail.resubscribe'"), [(1,)])
        self.assertEqual(self.data.query("SELECT count(*) FROM audit WHERE action = "
                                         "'mail.resubscribe.request'"), [(3,)])
        self.assertEqual(self.data.audit_verify().rc, 0)

    def test_emergency_mail_cannot_be_left(self):
        got = self.send_emergency(self.admin, [A, B, C, D])
        for m in got.values():
            self.assertIsNone(m.msg["List-Unsubscribe"])
            self.assertIsNone(m.msg["List-Unsubscribe-Post"])
            self.assertIn("このメールは緊急連絡のため、配信停止はできません。", m.body)
            self.assertNotIn("/api/v1/unsubscribe/", m.body)
        # Emergency mail sent before lists said so carried a token: it is refused now, by the
        # link (one-click and the page) and by mail, and nothing is recorded.
        tokens, _ = harness.bulk_enqueue(self.data.path, "emergency:90", "【緊急】お知らせ",
                                         "本日は15時で閉所します。\n", [A])
        self.smtp.wait_for(lambda ms: any(m.subject == "【緊急】お知らせ" for m in ms),
                           what="the emergency mail")
        anon = self.srv.client()
        for body, headers in ((b"List-Unsubscribe=One-Click",
                               {"Content-Type": "application/x-www-form-urlencoded"}),
                              ({"via": "web"}, None)):
            r = anon.post("/api/v1/unsubscribe/" + tokens[0], body, headers=headers)
            self.assertEqual(r.status, 403, r)
            self.assertEqual(r.json["code"], "list_cannot_be_left")
            self.assertIn("緊急連絡のメールは", r.json["message"])
            self.assertIn("配信を停止できません", r.json["message"])
        mailto = "unsubscribe+%s@%s" % (tokens[0], BOUNCE_DOMAIN)
        mail = ("From: %s\r\nTo: %s\r\nSubject: unsubscribe\r\nMessage-ID: <u2@example.jp>\r\n"
                "\r\nunsubscribe\r\n" % (A, mailto)).encode()
        r = harness.cli("mail-in", "--data", self.data.path, "--recipient", mailto, input=mail)
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(self.data.query("SELECT count(*) FROM unsubscribes"), [(0,)])
        self.assertEqual(self.data.query("SELECT count(*) FROM audit WHERE action = "
                                         "'mail.unsubscribe'"), [(0,)])
        # An emergency unsubscribe recorded before (by an older version) stops nothing.
        with self.data.connect() as con:
            con.execute("INSERT INTO unsubscribes (addr_idx, list, at_ms, via) SELECT email_idx, "
                        "'emergency', 1, 'web' FROM guardians")
        self.send_emergency(self.admin, [A, B, C, D])


if __name__ == "__main__":
    unittest.main()
