# SPDX-License-Identifier: MIT
"""test_mail_send_view.py — one send's delivery view and the retry of its failures, end to end
against a real SMTP server (aiosmtpd) that refuses some recipients with 550 and answers one
451 once: the counts per state and per domain match what the server saw; failures carry the
server's reply without the address; a hard-bounce notification taken in by `mimamori mail-in`
moves bounced and bounce_rate; ward staff and contractors may look but not retry; the ward
admin's retry leaves out an address that is bouncing now (an unsubscribe from emergency mail,
recorded before that list was one that cannot be left, stops nothing), and the others arrive
once the server accepts them; a retry with nothing left to retry is 409; views
(once a minute per caller) and the retry are audited without addresses and the chain
verifies."""
import re
import threading
import time
import unittest
from urllib.parse import quote

from aiosmtpd.controller import Controller

import harness
from harness import ServerTestCase
from test_mail_in import hard_dsn

A1, A2, A3 = "a1@ok.example.jp", "a2@ok.example.jp", "a3@ok.example.jp"
D = "taro..yamada.@docomo.ne.jp"      # delivered, then bounces hard
M2 = "m2@mixed.example.org"           # delivered
X1 = "x1@mixed.example.org"           # refused; bouncing (a late notification) before the retry
R1, R2 = "r1@refuse.example.net", "r2@refuse.example.net"  # refused, then retried: arrive
U1 = "u1@unsub.example.com"           # refused; "unsubscribed" before the retry: still retried
T1 = "t1@slow.example.jp"             # 451 once: deferred, then delivered
ADDRS = [A1, A2, A3, D, M2, X1, R1, R2, U1, T1]  # roster order = guardian id order
REFUSED = {X1, R1, R2, U1}
BACKOFF_MS = 12000  # the deferred row stays deferred this long: the test sees it
FIRST = "【緊急】事前のお知らせ"
SECOND = "【緊急】台風接近に伴う閉所のお知らせ"
BODY = "本日は台風接近のため、15時で閉所します。\nお迎えをお願いします。"


def domain(addr):
    return addr.rsplit("@", 1)[1]


class Relay:
    """aiosmtpd on a free port: 550 (quoting the address) for the addresses in refuse, 451
    once for those in defer_once, else accepted; keeps what it saw."""

    def __init__(self):
        self.lock = threading.Lock()
        self.mails, self.refused, self.deferred = [], [], []
        self.refuse, self.defer_once = set(), set()
        relay = self

        class Handler:
            async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
                addr = harness._unquote_local(address)
                with relay.lock:
                    if addr in relay.defer_once:
                        relay.defer_once.discard(addr)
                        relay.deferred.append(addr)
                        return "451 4.3.0 <%s>: temporary lookup failure" % address
                    if addr in relay.refuse:
                        relay.refused.append(addr)
                        return ("550 5.1.1 <%s>: Recipient address rejected: User unknown "
                                "in virtual mailbox table" % address)
                envelope.rcpt_tos.append(address)
                return "250 OK"

            async def handle_DATA(self, server, session, envelope):
                m = harness.Mail(envelope.rcpt_tos, envelope.mail_from,
                                 envelope.original_content or envelope.content)
                with relay.lock:
                    relay.mails.append(m)
                return "250 OK"

        self.ctl, self.port = harness.start_controller(
            lambda port: Controller(Handler(), hostname="127.0.0.1", port=port,
                                    ready_timeout=10))
        self.url = "smtp://127.0.0.1:%d" % self.port

    def delivered(self, subject):
        """{address: Message-ID} of the mails with subject."""
        with self.lock:
            return {m.rcpts[0]: m.msg["Message-ID"] for m in self.mails
                    if m.subject == subject}

    def stop(self):
        self.ctl.stop()


class MailSendViewTest(ServerTestCase):
    def setUp(self):
        super().setUp()
        d = self.data
        d.site_add("G01", "すみれ学童クラブ")
        d.user_add("admin1", "ward_admin")
        d.user_add("wstaff", "ward_staff")
        d.user_add("cont1", "contractor")
        d.user_add("staff01", "site_staff", ["G01"])
        d.import_children(d.write_csv("roster.csv", [
            ["C%03d" % i, "G01", "試験 太郎", "シケン タロウ", "3", "2016-04-02", "試験 花子", a]
            for i, a in enumerate(ADDRS)]))
        self.set_conf("bounce_limit", "1")  # one hard bounce makes an address bouncing
        self.relay = Relay()
        self.srv = self.start_server(mail=self.relay.url,
                                     env={"MIMAMORI_MAIL_BACKOFF_MS": str(BACKOFF_MS)})
        harness.wait_until(lambda: len(self.relay.mails) >= len(ADDRS), timeout=30,
                           what="the confirmation mails")
        web = self.srv.client()
        for m in self.relay.mails:
            r = web.post("/api/v1/confirmations", {"token": m.confirm_token})
            self.assertEqual(r.status, 200, r)

    def tearDown(self):
        self.relay.stop()
        super().tearDown()

    def set_conf(self, key, value):
        path = self.data.path + "/mimamori.conf"
        with open(path, encoding="utf-8") as f:
            text = f.read()
        text, n = re.subn(r"(?m)^%s\s*=.*$" % key, "%s = %s" % (key, value), text)
        self.assertEqual(n, 1)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)

    def login(self, who):
        c = self.srv.client()
        r = c.login(who)
        self.assertEqual(r.status, 200, r)
        return c

    def emergency(self, admin, subject):
        r = admin.post("/api/v1/emergency-sends", {"sites": ["G01"], "subject": subject,
                                                   "body": BODY})
        self.assertEqual(r.status, 201, r)
        self.assertEqual((r.json["state"], r.json["recipients"]), ("sent", len(ADDRS)), r)
        return "emergency:%d" % r.json["id"]

    def mail_in(self, message):
        r = harness.cli("mail-in", "--data", self.data.path, input=message)
        self.assertEqual(r.rc, 0, r.err)
        return r.err

    def test_view_bounces_and_retry(self):
        admin = self.login("admin1")
        self.views = 0

        def view(client=admin, sid=None):
            r = client.get("/api/v1/mail/sends/" + quote(sid or self.sid, safe=""))
            self.assertEqual(r.status, 200, r)
            self.assertNotIn("@", r.text)
            if client is admin:
                self.views += 1
            return r.json

        # A first send reaches everybody: X1's copy of it will bounce later.
        first_sid = self.emergency(admin, FIRST)
        harness.wait_until(lambda: len(self.relay.delivered(FIRST)) == len(ADDRS), timeout=30,
                           what="the first send delivered")
        self.assertTrue(harness.wait_until(lambda: view(sid=first_sid)["complete"],
                                           what="the first send complete"))

        # The second: four refused with 550, one deferred once with 451.
        with self.relay.lock:
            self.relay.refuse = set(REFUSED)
            self.relay.defer_once = {T1}
            self.relay.refused.clear()
            self.relay.deferred.clear()
        t0 = time.monotonic()
        self.sid = self.emergency(admin, SECOND)
        sent_now = [A1, A2, A3, D, M2]

        def settled():
            j = view()
            return j if (j["sent"], j["failed"], j["deferred"]) == (5, 4, 1) else None
        j = harness.wait_until(settled, timeout=BACKOFF_MS / 1000 - 1, interval=0.1,
                               what="5 sent, 4 failed, 1 deferred")
        with self.relay.lock:
            refused, deferred = sorted(self.relay.refused), list(self.relay.deferred)
        self.assertEqual(refused, sorted(REFUSED))
        self.assertEqual(deferred, [T1])
        self.assertEqual(sorted(self.relay.delivered(SECOND)), sorted(sent_now))
        self.assertEqual(j["send_id"], self.sid)
        for k, want in (("total", 10), ("queued", 0), ("sending", 0), ("deferred", 1),
                        ("sent", 5), ("failed", 4), ("pending", 1), ("bounced", 0),
                        ("bounce_rate", 0), ("unsubscribed", 0), ("complete", False),
                        ("domains_more", 0)):
            self.assertEqual(j[k], want, (k, j))
        # Per domain: what the server saw, largest first, then by name.
        want = {}
        for a in ADDRS:
            w = want.setdefault(domain(a), {"domain": domain(a), "total": 0, "sent": 0,
                                            "failed": 0, "deferred": 0, "pending": 0,
                                            "bounced": 0})
            w["total"] += 1
            if a in sent_now:
                w["sent"] += 1
            elif a in refused:
                w["failed"] += 1
            else:
                w["deferred"] += 1
                w["pending"] += 1
        got = [{k: d[k] for k in ("domain", "total", "sent", "failed", "deferred", "pending",
                                  "bounced")} for d in j["domains"]]
        self.assertEqual(got, sorted(want.values(), key=lambda w: (-w["total"], w["domain"])))
        self.assertEqual([d["domain"] for d in j["domains"]][:3],
                         ["ok.example.jp", "mixed.example.org", "refuse.example.net"])
        # Failures: the server's reply with the address blanked, newest first.
        fails = j["failures"]
        self.assertEqual(sorted(f["domain"] for f in fails),
                         sorted(domain(a) for a in REFUSED))
        for f in fails:
            self.assertTrue(f["reply"].startswith("550 5.1.1 <address> Recipient address "
                                                  "rejected: User unknown"), f)
            self.assertEqual(f["attempts"], 1)
            self.assertTrue(f["at"].endswith("+09:00"), f)
            self.assertIsInstance(f["outbox_id"], int)
        self.assertEqual([f["at"] for f in fails], sorted((f["at"] for f in fails),
                                                          reverse=True))

        # The deferred mail goes after the back-off: the send is complete.
        j = harness.wait_until(lambda: (lambda v: v if v["complete"] else None)(view()),
                               timeout=BACKOFF_MS / 1000 + 30, interval=0.3,
                               what="the send complete")
        self.assertIn(T1, self.relay.delivered(SECOND))
        self.assertEqual((j["sent"], j["failed"], j["pending"], j["deferred"]), (6, 4, 0, 0))

        # A hard bounce of the docomo mail: bounced 1 of 6 sent.
        self.assertIn("hard bounce", self.mail_in(hard_dsn(self.relay.delivered(SECOND)[D], D)))
        j = view()
        self.assertEqual((j["bounced"], j["bounce_rate"], j["sent"]), (1, 0.1667, 6), j)
        docomo = [x for x in j["domains"] if x["domain"] == "docomo.ne.jp"][0]
        self.assertEqual((docomo["bounced"], docomo["sent"]), (1, 1))

        # Before the retry: X1's copy of the first send bounces (bouncing now, limit 1), and
        # U1 had unsubscribed from emergency mail with the link of this send's message (as an
        # older version allowed). The guardians were added in roster order; D's index proves
        # the mapping.
        self.mail_in(hard_dsn(self.relay.delivered(FIRST)[X1], X1))
        idx = [row[0] for row in self.data.query("SELECT email_idx FROM guardians ORDER BY id")]
        self.assertEqual(len(idx), len(ADDRS))
        self.assertEqual(self.data.query("SELECT count(*) FROM bounce_addresses WHERE addr_idx = ? "
                                 "AND bouncing_ms IS NOT NULL", idx[ADDRS.index(D)])[0][0], 1)
        self.assertEqual(self.data.query("SELECT count(*) FROM bounce_addresses WHERE addr_idx = ? "
                                 "AND bouncing_ms IS NOT NULL", idx[ADDRS.index(X1)])[0][0], 1)
        u1_row = self.data.query("SELECT id FROM outbox WHERE send_id = ? AND domain = ?", self.sid,
                         domain(U1))[0][0]
        con = self.data.connect()
        try:
            with con:
                con.execute("INSERT INTO unsubscribes (addr_idx, list, at_ms, via, outbox_id) "
                            "VALUES (?, 'emergency', ?, 'web', ?)",
                            (idx[ADDRS.index(U1)], int(time.time() * 1000), u1_row))
        finally:
            con.close()
        self.assertEqual(view()["unsubscribed"], 1)

        # Who may look, who may retry.
        for who in ("wstaff", "cont1"):
            c = self.login(who)
            self.assertEqual(view(c)["failed"], 4)
            r = c.post("/api/v1/mail/sends/%s/retry" % quote(self.sid, safe=""))
            self.assertEqual(r.status, 403, (who, r))
        # The clubs' contractor sees its emergency sends, no other service's mail (it saw a
        # school's mass mail, applicants' confirmations, a child's scan mail).
        cont = self.login("cont1")
        for other in ("school:1", "sitter:received", "scan:2026-12-08:1:1", "login"):
            r = cont.get("/api/v1/mail/sends/" + quote(other, safe=""))
            self.assertEqual((r.status, r.json["code"]), (403, "not_your_send"), (other, r))
        self.assertIn(self.login("wstaff").get("/api/v1/mail/sends/login").status, (200, 404))
        self.assertEqual(self.login("staff01").get(
            "/api/v1/mail/sends/" + quote(self.sid, safe="")).status, 403)
        self.assertEqual(self.srv.client().get(
            "/api/v1/mail/sends/" + quote(self.sid, safe="")).status, 401)
        self.assertEqual(admin.get("/api/v1/mail/sends/emergency%3A999").status, 404)
        self.assertEqual(admin.post("/api/v1/mail/sends/emergency%3A999/retry").status, 404)
        r = admin.get("/api/v1/mail/sends/" + quote("emergency 1' OR 1=1", safe=""))
        self.assertEqual(r.status, 400, r)
        self.assertEqual(self.data.query("SELECT count(*) FROM outbox WHERE send_id = ? AND "
                                 "state = 'failed'", self.sid)[0][0], 4)  # nothing moved

        # The server accepts everybody now; the admin retries.
        with self.relay.lock:
            self.relay.refuse = set()
        r = admin.post("/api/v1/mail/sends/%s/retry" % quote(self.sid, safe=""))
        self.assertEqual(r.status, 200, r)
        # Emergency mail cannot be left: U1 is retried with the others.
        self.assertEqual(r.json, {"send_id": self.sid, "retried": 3, "skipped_bouncing": 1,
                                  "skipped_unsubscribed": 0, "skipped_expired": 0})
        harness.wait_until(lambda: {R1, R2, U1} <= set(self.relay.delivered(SECOND)),
                           timeout=30, what="the retried mails")
        j = harness.wait_until(lambda: (lambda v: v if v["complete"] else None)(view()),
                               timeout=30, what="the send complete again")
        time.sleep(0.5)  # a duplicate or a skipped address would arrive now
        got = self.relay.delivered(SECOND)
        self.assertEqual(sorted(got), sorted(set(ADDRS) - {X1}))
        with self.relay.lock:
            self.assertEqual(sum(m.subject == SECOND for m in self.relay.mails), len(got))
        self.assertEqual((j["sent"], j["failed"], j["pending"], j["bounced"]), (9, 1, 0, 1))
        self.assertEqual([f["domain"] for f in j["failures"]], [domain(X1)])
        retried = self.data.query("SELECT last_reply, attempts FROM outbox WHERE send_id = ? AND "
                          "domain = ?", self.sid, domain(R1))
        self.assertEqual([a for _, a in retried], [1, 1])  # attempts started again from 0

        # Nothing left that may be retried: 409, and nothing recorded.
        r = admin.post("/api/v1/mail/sends/%s/retry" % quote(self.sid, safe=""))
        self.assertEqual(r.status, 409, r)
        self.assertEqual(r.json["code"], "retry_not_possible", r)
        self.assertIn("不達が続いているアドレスあて1通と、配信を停止したアドレスあて0通",
                      r.json["message"])
        r = admin.post("/api/v1/mail/sends/%s/retry" % quote(first_sid, safe=""))
        self.assertEqual(r.status, 409, r)
        self.assertEqual(r.json["code"], "nothing_to_retry", r)
        self.assertIn("再送するメール", r.json["message"])
        # Notices (here the confirmation mails) are never sent again late.
        self.assertEqual(admin.get("/api/v1/mail/sends/confirm").status, 200)
        r = admin.post("/api/v1/mail/sends/confirm/retry")
        self.assertEqual(r.status, 409, r)
        self.assertEqual(r.json["code"], "notice_not_retried", r)
        self.assertIn("一斉メールだけ", r.json["message"])

        # Audited: the retry once with counts only; views once per caller and send a minute.
        elapsed = time.monotonic() - t0
        rows = self.data.query("SELECT actor, detail FROM audit WHERE action = 'mail.send.retry'")
        self.assertEqual(len(rows), 1, rows)
        self.assertEqual(rows[0][1], "retried=3 skipped_bouncing=1 skipped_unsubscribed=0 "
                                      "skipped_expired=0")
        views = self.data.query("SELECT actor, object FROM audit WHERE action = 'mail.send.view'")
        admin_actor = "user:%d" % self.data.query("SELECT id FROM users WHERE login = 'admin1'")[0][0]
        admin_views = [v for v in views if v == (admin_actor, "send:" + self.sid)]
        self.assertGreaterEqual(len(admin_views), 1)
        self.assertLessEqual(len(admin_views), 1 + int(elapsed // 60), (views, elapsed))
        self.assertGreater(self.views, 10)  # polled far more often than audited
        self.assertEqual(len({v[0] for v in views if v[1] == "send:" + self.sid}), 3)
        self.assertIn((admin_actor, "send:" + first_sid), views)
        denied = self.data.query("SELECT count(*) FROM audit WHERE action = 'denied' AND object "
                         "LIKE '%mail/sends%'")[0][0]
        self.assertGreaterEqual(denied, 3)
        for (detail,) in self.data.query("SELECT detail FROM audit"):
            self.assertNotIn("@", detail)
        r = self.data.audit_verify()
        self.assertEqual(r.rc, 0, r.err)


if __name__ == "__main__":
    unittest.main()
