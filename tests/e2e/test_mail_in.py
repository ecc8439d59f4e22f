# SPDX-License-Identifier: MIT
"""test_mail_in.py — bounces end to end: `mimamori mail-in` reads delivery status notifications
(RFC 3464) on stdin as Postfix's pipe transport hands them over, matched by the returned
Message-ID to outbox rows that a real server sent to a real SMTP sink. Three hard bounces make
an address bouncing (a notification delivered twice counts once; soft ones never count); a
bouncing address gets no emergency (bulk) mail, staff see it without the address, and a new
confirmation clears it. Exit 75 when the database cannot take the message now; garbage exits 0
and stores nothing; the audit chain still verifies."""
import os
import subprocess
import time
import unittest

import engines
import harness
from harness import ServerTestCase

A = "taro..yamada.@docomo.ne.jp"  # bounces hard (a legacy carrier address)
B = "hanako.full@example.jp"  # mailbox full: bounces soft
C = "sato.ok@example.jp"  # never bounces

ROWS = [
    ["C001", "G01", "山田 太郎", "ヤマダ タロウ", "3", "2016-04-02", "山田 花子", A],
    ["C002", "G01", "鈴木 次郎", "スズキ ジロウ", "2", "2017-05-03", "鈴木 一", B],
    ["C003", "G01", "佐藤 三郎", "サトウ サブロウ", "1", "2018-06-04", "佐藤 良子", C],
]
FIXTURES = os.path.join(harness.REPO, "tests", "unit", "dsn")
HARD_MID = "<q3Z0f4mXc1gT7r2Yb8kLpA9e@mimamori.invalid>"
SOFT_MID = "<Rk4uW2xYpQ7nB0cV5tZs1mHj@mimamori.invalid>"
EX_TEMPFAIL = 75


def fixture(name):
    with open(os.path.join(FIXTURES, name), "rb") as f:
        return f.read()


def hard_dsn(message_id, addr):
    """A Postfix 'User unknown' notification for the message message_id sent to addr (quoted
    local part as Postfix writes it)."""
    local, domain = addr.rsplit("@", 1)
    wire = ('"%s"@%s' % (local, domain)) if ".." in local or local.endswith(".") else addr
    return fixture("postfix_hard_511.eml").replace(HARD_MID.encode(), message_id.encode()) \
        .replace(b"no.such.user@example.jp", wire.encode())


def soft_dsn(message_id, addr):
    return fixture("postfix_delayed_422.eml").replace(SOFT_MID.encode(), message_id.encode()) \
        .replace(b"hanako.full@example.jp", addr.encode())


class MailInTest(ServerTestCase):
    def setUp(self):
        super().setUp()
        d = self.data
        d.site_add("G01", "すみれ学童クラブ")
        d.user_add("admin1", "ward_admin")
        d.user_add("wstaff", "ward_staff")
        d.import_children(d.write_csv("roster.csv", ROWS))
        self.smtp = self.start_smtp()
        self.srv = self.start_server()
        self.smtp.wait_count(3)
        web = self.srv.client()
        for m in self.smtp.snapshot():
            r = web.post("/api/v1/confirmations", {"token": m.confirm_token})
            self.assertEqual(r.status, 200, r)
        self.admin = self.login("admin1")

    def login(self, who):
        c = self.srv.client()
        r = c.login(who)
        self.assertEqual(r.status, 200, r)
        return c

    def mail_in(self, data, *args, data_dir=None, timeout=60):
        """Runs mail-in with data on stdin; returns (rc, stderr)."""
        r = harness.cli("mail-in", "--data", data_dir or self.data.path, *args, input=data,
                        timeout=timeout)
        return r.rc, r.err

    def emergency(self, expect):
        """Sends an emergency mail to G01; returns {address: Message-ID} of the expected
        recipients' mails."""
        return {a: m.msg["Message-ID"] for a, m in self.send_emergency(self.admin,
                                                                       expect).items()}

    def bouncing(self, client=None):
        r = (client or self.admin).get("/api/v1/mail/bouncing")
        self.assertEqual(r.status, 200, r)
        return r

    def test_hard_bounces_soft_bounces_bulk_and_reconfirmation(self):
        mids = [self.emergency([A, B, C])]
        rc, err = self.mail_in(hard_dsn(mids[0][A], A))
        self.assertEqual(rc, 0, err)
        self.assertIn("hard bounce 5.1.1", err)
        self.assertNotIn(A, err)
        # The same notification again (Postfix retried it): stored once, counted once.
        rc, err = self.mail_in(hard_dsn(mids[0][A], A))
        self.assertEqual(rc, 0, err)
        self.assertEqual(self.data.query("SELECT count(*), sum(counted) FROM bounce_events")[0], (1, 1))
        # The row stays sent; the bounce is noted on it without the address.
        state, reply = self.data.query("SELECT state, last_reply FROM outbox WHERE message_id = ?",
                               mids[0][A])[0]
        self.assertEqual(state, "sent")
        self.assertTrue(reply.startswith("bounced 5.1.1: 550 5.1.1 <address>"), reply)
        self.assertNotIn("@", reply)

        # Soft bounces (mailbox full, still retried) never make an address bouncing.
        for _ in range(5):
            rc, err = self.mail_in(soft_dsn(mids[0][B], B))
            self.assertEqual(rc, 0, err)
        self.assertEqual(self.bouncing().json["bouncing"], [])

        mids.append(self.emergency([A, B, C]))
        rc, _ = self.mail_in(hard_dsn(mids[1][A], A))
        self.assertEqual(rc, 0)
        self.assertEqual(self.bouncing().json["bouncing"], [])  # two: not yet
        mids.append(self.emergency([A, B, C]))
        rc, err = self.mail_in(hard_dsn(mids[2][A], A))
        self.assertEqual(rc, 0)
        self.assertIn("the address is bouncing", err)
        for _ in range(3):
            self.assertEqual(self.mail_in(soft_dsn(mids[2][B], B))[0], 0)

        # Staff see the guardian, the children and the status, never the address.
        for who in ("admin1", "wstaff"):
            r = self.bouncing(self.login(who))
            self.assertNotIn(A, r.text)
            self.assertNotIn("@docomo", r.text)
            rows = r.json["bouncing"]
            self.assertEqual(len(rows), 1, rows)
            g = rows[0]
            self.assertEqual(g["guardian_name"], "山田 花子")
            self.assertEqual(g["children"], [{"child_no": "C001", "site": "G01",
                                              "site_name": "すみれ学童クラブ"}])
            self.assertEqual((g["hard_bounces"], g["last_status"]), (3, "5.1.1"))
            self.assertIn("User unknown", g["last_diagnostic"])
            self.assertTrue(g["bouncing_since"].endswith("+09:00"), g)
        gid = rows[0]["guardian_id"]

        # No bulk mail to the bouncing address; the others still get theirs.
        self.emergency([B, C])

        # Staff send a new confirmation link (a notice: it goes); confirming clears the state.
        n = len(self.smtp.to(A))
        r = self.login("wstaff").post("/api/v1/mail/bouncing/%d/confirmation" % gid)
        self.assertEqual(r.status, 202, r)
        mail = self.smtp.wait_to(A, n + 1)[-1]
        self.assertTrue(mail.confirm_token, mail.body)
        r = self.srv.client().post("/api/v1/confirmations", {"token": mail.confirm_token})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.bouncing().json["bouncing"], [])
        self.assertEqual(self.data.query("SELECT hard_count, bouncing_ms FROM bounce_addresses "
                                 "WHERE last_status = '5.1.1'"), [(0, None)])
        r = self.admin.post("/api/v1/mail/bouncing/%d/confirmation" % gid)
        self.assertEqual(r.status, 404, r)  # not bouncing any more
        self.emergency([A, B, C])

        # Audited; no address in what was stored; the chain verifies.
        actions = dict(self.data.query("SELECT action, count(*) FROM audit WHERE action LIKE 'mail.%' "
                               "OR action LIKE 'guardian.reconfirm%' GROUP BY action"))
        self.assertEqual(actions["mail.bounce"], 3 + 5 + 3)
        self.assertEqual(actions["mail.bouncing"], 1)
        # a delivery view: audited once per reader a minute (test_retention.py counts them)
        self.assertGreaterEqual(actions["mail.bouncing.list"], 1)
        self.assertEqual(actions["guardian.reconfirm_request"], 1)
        for (diag,) in self.data.query("SELECT diagnostic FROM bounce_events"):
            self.assertNotIn("@", diag)
        for path in engines.store_files(self.data.path):  # no address in plaintext anywhere
            raw = engines.read_bytes(path)
            for addr in (A, B):
                self.assertNotIn(addr.split("@")[0].encode(), raw, path)
        r = self.data.audit_verify()
        self.assertEqual(r.rc, 0, r.err)

    def test_forged_verp_and_unknown_mail_are_dropped(self):
        mids = self.emergency([A, B, C])
        row = self.data.query("SELECT id FROM outbox WHERE message_id = ?", mids[A])[0][0]
        forged = "bounces+%d-0000000000@mimamori.example.jp" % row
        dsn = hard_dsn("<never-sent@mimamori.invalid>", A).replace(
            b"bounces+42-0a1b2c3d4e@mimamori.example.jp", forged.encode())
        rc, err = self.mail_in(dsn, "--recipient", forged)
        self.assertEqual(rc, 0, err)
        self.assertIn("wrong mac", err)
        big = b"Subject: x\r\n\r\n" + b"\x00\xff junk " * (3 * 1024 * 1024)  # over 16 MiB
        for data in (fixture("garbage.bin"), fixture("not_report.eml"),
                     fixture("mdn_report.eml"), fixture("truncated.eml"), b"", b"\r\n\r\n",
                     b"From nobody\n" + os.urandom(5000), big):
            rc, err = self.mail_in(data)
            self.assertEqual(rc, 0, err)
            self.assertIn("dropped", err)
        self.assertEqual(self.data.query("SELECT count(*) FROM bounce_events"), [(0,)])
        self.assertEqual(self.data.query("SELECT count(*) FROM bounce_addresses"), [(0,)])
        r = self.data.audit_verify()
        self.assertEqual(r.rc, 0, r.err)

    def test_tempfail_when_the_database_cannot_take_it(self):
        mids = self.emergency([A, B, C])
        dsn = hard_dsn(mids[A], A)
        # Another connection holds the write lock: mail-in waits its busy timeout (10 s),
        # then answers 75 so that Postfix keeps the message and tries again.
        with engines.write_lock_held(self.data.path):
            t0 = time.monotonic()
            rc, err = self.mail_in(dsn, timeout=60)
            elapsed = time.monotonic() - t0
        self.assertEqual(rc, EX_TEMPFAIL, err)
        self.assertLess(elapsed, 40)
        self.assertIn("retry", err)
        self.assertEqual(self.data.query("SELECT count(*) FROM bounce_events"), [(0,)])
        # Postfix tries again later: now it is taken.
        rc, err = self.mail_in(dsn)
        self.assertEqual(rc, 0, err)
        self.assertEqual(self.data.query("SELECT count(*) FROM bounce_events"), [(1,)])

        # A data directory that cannot be opened: 75 as well.
        rc, _ = self.mail_in(dsn, data_dir=os.path.join(self.data.tmp, "nowhere"))
        self.assertEqual(rc, EX_TEMPFAIL)
        # A database that is broken (SQLite: a file of garbage) or gone (PostgreSQL: dropped,
        # so the connection is refused): 75.
        broken = harness.DataDir()
        try:
            if engines.PG:
                engines.drop_databases(broken.tmp)
            else:
                with open(os.path.join(broken.path, "mimamori.db"), "r+b") as f:
                    f.write(b"this is not a database file at all" * 200)
            rc, _ = self.mail_in(dsn, data_dir=broken.path)
            self.assertEqual(rc, EX_TEMPFAIL)
        finally:
            broken.cleanup()
        # No --data: 75 too (a wrong master.cf line keeps bounces queued, not lost).
        p = subprocess.run([harness.BIN, "mail-in"], input=dsn, capture_output=True, timeout=30)
        self.assertEqual(p.returncode, EX_TEMPFAIL)
        r = self.data.audit_verify()
        self.assertEqual(r.rc, 0, r.err)


if __name__ == "__main__":
    unittest.main()
