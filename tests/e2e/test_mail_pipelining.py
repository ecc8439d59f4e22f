# SPDX-License-Identifier: MIT
"""test_mail_pipelining.py — the sender against Postfix's own SMTP server code (smtp-sink,
which offers PIPELINING, as Postfix's smtpd does): a 3,000-message send over 4 sessions, each
transaction dumped to a file by smtp-sink. Every recipient got exactly one message, addressed
to it alone, with its own VERP return path and Message-ID, and its body arrived whole — all at
the first try, with nothing deferred or sent twice."""
import collections
import email
import email.policy
import os
import re
import shutil
import subprocess
import tempfile
import unittest

import harness
from harness import ServerTestCase

N = 3000
WHOLE = re.compile(r"/confirm/\?t=[A-Za-z0-9_-]{20,}\r?\n.*送信専用です", re.S)  # to the end
SINK = shutil.which("smtp-sink") or "/usr/sbin/smtp-sink"


class PipeliningTest(ServerTestCase):
    def setUp(self):
        super().setUp()
        self.sink = None
        self.dump = None

    def tearDown(self):
        if self.sink and self.sink.poll() is None:
            self.sink.terminate()
            self.sink.wait(timeout=10)
        if self.dump:
            shutil.rmtree(self.dump, ignore_errors=True)
        super().tearDown()

    def test_3000_messages_through_smtp_sink(self):
        d = self.data
        d.site_add("G01", "すみれ学童クラブ")
        d.import_one_child_each(["family%05d@example.jp" % i for i in range(N)], prefix="P")
        # smtp-sink runs as nobody, which cannot enter the data's private folder.
        dump = self.dump = tempfile.mkdtemp(prefix="mimamori-sink-")
        os.chmod(dump, 0o777)
        port = harness.free_port()
        self.sink = subprocess.Popen([SINK, "-u", "nobody", "-d", dump + "/m.",
                                      "127.0.0.1:%d" % port, "64"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        harness.wait_until(lambda: self._listening(port), timeout=10, what="smtp-sink")
        self.start_server(mail="smtp://127.0.0.1:%d" % port,
                          env={"MIMAMORI_MAIL_SESSIONS": "4"})
        harness.wait_until(lambda: d.query(
            "SELECT COUNT(*) FROM outbox WHERE state = 'sent'")[0][0] == N, timeout=120,
            what="%d rows sent" % N)
        harness.wait_until(lambda: len(os.listdir(dump)) >= N, timeout=30,
                           what="%d transactions dumped" % N)
        rcpts, mids, paths = collections.Counter(), collections.Counter(), set()
        for name in os.listdir(dump):
            with open(os.path.join(dump, name), "rb") as f:
                raw = f.read()
            m = email.message_from_bytes(raw, policy=email.policy.default)
            got = m.get_all("X-Rcpt-Args")
            self.assertEqual(len(got), 1, name)  # one recipient per transaction
            rcpt = got[0].strip().strip("<>")
            rcpts[rcpt] += 1
            self.assertEqual(m["To"].addresses[0].addr_spec, rcpt)
            self.assertIsNone(m["Cc"])
            mids[m["Message-ID"]] += 1
            paths.add(m["X-Mail-Args"].split()[0])
            self.assertRegex(m["X-Mail-Args"], r"^<bounces\+\d+-[0-9a-f]+@")
            body = m.get_content()
            self.assertRegex(body, WHOLE, name)
        self.assertEqual(len(rcpts), N)
        self.assertEqual(set(rcpts.values()), {1})
        self.assertEqual(set(mids.values()), {1})
        self.assertEqual(len(paths), N)
        self.assertEqual(d.query("SELECT MAX(attempts) FROM outbox")[0][0], 1)

    @staticmethod
    def _listening(port):
        import socket
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return True
        except OSError:
            return False


if __name__ == "__main__":
    unittest.main()
