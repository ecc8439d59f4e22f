# SPDX-License-Identifier: MIT
"""test_mail_relay.py — the sender and its relay (issue 4), against real aiosmtpd servers:
STARTTLS with the relay's certificate checked and SMTP AUTH; a required STARTTLS that the relay
does not offer, and a refused login, defer the mail (never fail the recipient); a domain that
answers 421 is deferred and slowed, then delivered; 5xx fails the recipient with the reply —
with a relay that answers one command at a time and with one that offers PIPELINING. A relay
that drops a session in the middle of a transaction defers only the message it had answered
(the ones queued behind it go out on a new session, first try); a relay that closes an idle
session (421 timeout) costs the next message nothing."""
import os
import ssl
import subprocess
import threading
import time
import unittest

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult

import harness
from harness import ServerTestCase

USER, PASSWORD = "mimamori-relay", "relay-secret-zq7"


class Relay:
    """An aiosmtpd relay on a free port: optional STARTTLS (required), optional AUTH, and a
    reply per recipient domain (421 for the first n mails of a throttling domain)."""

    def __init__(self, tls=None, auth=False, throttle=None, reject=None, pipelining=False,
                 drop=None, idle_timeout=None):
        self.mails, self.logins, self.lock = [], [], threading.Lock()
        self.throttle = dict(throttle or {})  # domain -> how many 421s left
        self.reject = reject
        self.drop = drop  # a domain whose first RCPT ends the session without an answer
        self.sessions = 0  # EHLOs seen
        relay = self

        class Handler:
            async def handle_EHLO(self, server, session, envelope, hostname, responses):
                session.host_name = hostname
                with relay.lock:
                    relay.sessions += 1
                if pipelining:  # aiosmtpd reads pipelined commands; it just does not say so
                    responses.insert(1, "250-PIPELINING")
                return responses

            async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
                domain = address.rsplit("@", 1)[-1].strip(">")
                with relay.lock:
                    if relay.drop and domain == relay.drop:
                        relay.drop = None
                        server.transport.close()  # MAIL was answered, this is not
                        return "250 OK"
                    if relay.throttle.get(domain, 0) > 0:
                        relay.throttle[domain] -= 1
                        return "421 4.7.0 too many messages from you, slow down"
                if relay.reject and domain == relay.reject:
                    return "550 5.1.1 user unknown"
                envelope.rcpt_tos.append(address)
                return "250 OK"

            async def handle_DATA(self, server, session, envelope):
                with relay.lock:
                    relay.mails.append((envelope.rcpt_tos, bool(session.ssl),
                                        getattr(session, "authenticated", False)))
                return "250 OK"

        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = auth_data.login == USER.encode() and auth_data.password == PASSWORD.encode()
            with relay.lock:
                relay.logins.append(ok)
            return AuthResult(success=ok)

        kw = {}
        if idle_timeout:
            kw["timeout"] = idle_timeout  # then "421 4.4.2 ... timeout" and the session ends
        if tls:
            kw.update(tls_context=tls, require_starttls=True)
        if auth:
            kw.update(authenticator=authenticator, auth_require_tls=bool(tls),
                      auth_exclude_mechanism=["CRAM-MD5"])
        class WatchSMTP(SMTP):
            """Notes MAIL commands whose RCPT and DATA had already arrived with them."""

            async def smtp_MAIL(self, arg):
                if b"RCPT TO:" in bytes(getattr(self._reader, "_buffer", b"")):
                    with relay.lock:
                        relay.pipelined += 1
                return await super().smtp_MAIL(arg)

        class WatchController(Controller):
            def factory(self):
                return WatchSMTP(self.handler, **self.SMTP_kwargs)

        self.pipelined = 0  # transactions whose envelope came in one write
        self.ctl, self.port = harness.start_controller(
            lambda port: WatchController(Handler(), hostname="127.0.0.1", port=port,
                                         ready_timeout=10, **kw))
        self.url = "smtp://127.0.0.1:%d" % self.port

    def count(self):
        with self.lock:
            return len(self.mails)

    def stop(self):
        self.ctl.stop()


def make_cert(dirpath):
    key, crt = os.path.join(dirpath, "relay.key"), os.path.join(dirpath, "relay.crt")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", key, "-out", crt], check=True, capture_output=True)
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(crt, key)
    return ctx, crt


class MailRelayTest(ServerTestCase):
    def setUp(self):
        super().setUp()
        self.relays = []

    def tearDown(self):
        for r in self.relays:
            r.stop()
        super().tearDown()

    def queue(self, addrs):
        """Imports one child per address: each new guardian gets one confirmation mail."""
        self.data.site_add("G01", "すみれ学童クラブ")
        self.data.import_one_child_each(addrs, prefix="R")

    def relay(self, **kw):
        r = Relay(**kw)
        self.relays.append(r)
        return r

    def states(self):
        with self.data.connect() as db:
            return {dom: (st, att, rep) for dom, st, att, rep in db.execute(
                "SELECT domain, state, attempts, last_reply FROM outbox")}

    def test_starttls_and_auth(self):
        self.starttls_and_auth(pipelining=False)

    def test_starttls_and_auth_pipelined(self):
        # The pipelined transactions over libcurl's TLS: several replies in several TLS
        # records per read.
        self.starttls_and_auth(pipelining=True)

    def starttls_and_auth(self, pipelining):
        ctx, crt = make_cert(self.data.tmp)
        r = self.relay(tls=ctx, auth=True, pipelining=pipelining)
        self.queue(["a@example.jp", "b@example.jp", "c@example.jp", "d@example.jp",
                    "e@example.jp", "f@example.jp"])
        self.start_server(mail=r.url, env={
            "MIMAMORI_MAIL_TLS": "require", "MIMAMORI_MAIL_CA": crt,
            "MIMAMORI_MAIL_USER": USER, "MIMAMORI_MAIL_PASSWORD": PASSWORD})
        harness.wait_until(lambda: r.count() >= 6, timeout=30, what="6 mails over TLS")
        with r.lock:
            self.assertTrue(all(tls and auth for _, tls, auth in r.mails), r.mails)
            self.assertTrue(r.logins and all(r.logins))
            if pipelining:
                self.assertGreaterEqual(r.pipelined, 6)
            else:
                self.assertEqual(r.pipelined, 0)  # one command at a time, as not offered
        harness.wait_until(lambda: sorted(self.data.query(
            "SELECT state, attempts FROM outbox")) == [("sent", 1)] * 6, timeout=10,
            what="all six recorded sent at the first try")

    def test_required_tls_not_offered_defers(self):
        r = self.relay()  # no STARTTLS
        self.queue(["a@example.jp"])
        self.start_server(mail=r.url, env={"MIMAMORI_MAIL_TLS": "require",
                                           "MIMAMORI_MAIL_BACKOFF_MS": "60000"})
        harness.wait_until(lambda: self.states().get("example.jp", ("",))[0] == "deferred",
                           timeout=30, what="the row deferred")
        self.assertEqual(r.count(), 0)  # nothing went out in the clear

    def test_wrong_password_defers(self):
        ctx, crt = make_cert(self.data.tmp)
        r = self.relay(tls=ctx, auth=True)
        self.queue(["a@example.jp"])
        self.start_server(mail=r.url, env={
            "MIMAMORI_MAIL_TLS": "require", "MIMAMORI_MAIL_CA": crt,
            "MIMAMORI_MAIL_USER": USER, "MIMAMORI_MAIL_PASSWORD": "wrong",
            "MIMAMORI_MAIL_BACKOFF_MS": "60000"})
        harness.wait_until(lambda: self.states().get("example.jp", ("",))[0] == "deferred",
                           timeout=30, what="the row deferred")
        self.assertEqual(r.count(), 0)
        st, attempts, reply = self.states()["example.jp"]
        # A relay-side problem (the login; aiosmtpd may also just stall the session), never
        # the recipient's: deferred with a reason from the connection, not a 5xx.
        self.assertTrue(reply.startswith("curl: "), reply)

    def test_throttled_domain_is_deferred_then_delivered_and_5xx_fails(self):
        self.throttled_then_delivered(pipelining=False)

    def test_same_with_a_pipelining_relay(self):
        self.throttled_then_delivered(pipelining=True)

    def throttled_then_delivered(self, pipelining):
        r = self.relay(throttle={"docomo.ne.jp": 2}, reject="bad.example.jp",
                       pipelining=pipelining)
        self.queue(["taro@docomo.ne.jp", "hana@example.jp", "x@bad.example.jp"])
        self.start_server(mail=r.url, env={"MIMAMORI_MAIL_BACKOFF_MS": "300"})
        harness.wait_until(lambda: self.states().get("docomo.ne.jp", ("",))[0] == "sent",
                           timeout=60, what="the throttled domain's mail delivered")
        s = self.states()
        self.assertEqual(s["example.jp"][0], "sent")
        self.assertGreaterEqual(s["docomo.ne.jp"][1], 2)  # deferred at least once before
        self.assertEqual(s["bad.example.jp"][0], "failed")
        metrics = self.servers[-1].client().get("/metrics").text
        self.assertIn('mimamori_mail_domain_throttled_total{domain="docomo.ne.jp"} 2', metrics)
        self.assertIn('mimamori_mail_domain_sent_total{domain="example.jp"} 1', metrics)
        self.assertIn('mimamori_mail_domain_failed_total{domain="bad.example.jp"} 1', metrics)
        self.assertTrue(s["bad.example.jp"][2].startswith("550"), s["bad.example.jp"])
        self.assertNotIn("@", s["bad.example.jp"][2])
        with r.lock:
            if pipelining:
                self.assertGreaterEqual(r.pipelined, 3)
            else:
                self.assertEqual(r.pipelined, 0)

    def test_session_dropped_mid_transaction(self):
        # One session: all three messages are on it when the relay hangs up after answering
        # the first one's MAIL. That one may or may not have gone out, so it waits its
        # back-off; the two behind it were never answered and go out at once, first try.
        r = self.relay(pipelining=True, drop="drop.example.jp")
        self.queue(["x@drop.example.jp", "a@example.jp", "b@example2.jp"])
        self.start_server(mail=r.url, env={"MIMAMORI_MAIL_SESSIONS": "1",
                                           "MIMAMORI_MAIL_BACKOFF_MS": "1500"})
        harness.wait_until(lambda: [v[0] for v in self.states().values()].count("sent") >= 2,
                           timeout=30, what="the two behind it recorded sent")
        s = self.states()
        self.assertEqual(s["example.jp"][:2], ("sent", 1), s)
        self.assertEqual(s["example2.jp"][:2], ("sent", 1), s)
        self.assertEqual(s["drop.example.jp"][0], "deferred", s)
        self.assertIn("connection to the relay lost", s["drop.example.jp"][2])
        harness.wait_until(lambda: self.states()["drop.example.jp"][0] == "sent", timeout=30,
                           what="the dropped one sent after its back-off")
        self.assertEqual(self.states()["drop.example.jp"][1], 2)
        self.assertEqual(r.count(), 3)
        self.assertGreaterEqual(r.sessions, 2)

    def test_idle_session_closed_by_the_relay(self):
        r = self.relay(pipelining=True, idle_timeout=1)
        self.queue(["a@example.jp"])
        self.start_server(mail=r.url)
        harness.wait_until(lambda: r.count() >= 1, timeout=30, what="the first mail")
        time.sleep(2.5)  # the relay says 421 timeout and closes the idle session
        self.data.import_one_child_each(["b@example2.jp"], prefix="S", name="more.csv")
        harness.wait_until(lambda: self.states().get("example2.jp", ("",))[0] == "sent",
                           timeout=30, what="the second mail recorded sent")
        s = self.states()
        self.assertEqual(s["example2.jp"][:2], ("sent", 1), s)
        self.assertEqual(r.sessions, 2)


if __name__ == "__main__":
    unittest.main()
