# SPDX-License-Identifier: MIT
"""test_mail_crash.py — the sender under kill -9 (issue 4): a send of 10,000 individual
messages (the confirmation mails of a 10,000-family roster) goes to a real SMTP server while
the server is killed with SIGKILL six times in the middle. Counted at the SMTP server: every
recipient got its message, and a message arrived twice only if its row was in flight
('sending') at one of the kills — never one already marked sent."""
import collections
import re
import time
import unittest

import harness
from harness import ServerTestCase

N = 10000
KILLS = 6
MID = re.compile(rb"^Message-ID:\s*(<[^>\r\n]+>)", re.I | re.M)


class MailCrashTest(ServerTestCase):
    def test_kill9_during_a_10000_message_send(self):
        d = self.data
        d.site_add("G01", "すみれ学童クラブ")
        d.import_one_child_each(["family%05d@example.jp" % i for i in range(N)], prefix="K")
        with d.connect() as db:
            ids = {r[0] for r in db.execute("SELECT message_id FROM outbox")}
        self.assertEqual(len(ids), N)

        sink = self.start_smtp()
        srv = self.start_server(env={"MIMAMORI_MAIL_SESSIONS": "8"})
        in_flight = []  # message ids 'sending' at each kill
        for k in range(KILLS):
            want = (k + 1) * N // (KILLS + 2)
            harness.wait_until(lambda: len(sink.snapshot()) >= want, timeout=180,
                               what="%d messages at the SMTP server" % want)
            srv.kill()
            with d.connect() as db:
                sending = {r[0] for r in db.execute(
                    "SELECT message_id FROM outbox WHERE state = 'sending'")}
            in_flight.append(sending)
            srv.start()
        harness.wait_until(lambda: self._distinct(sink) >= N, timeout=300,
                           what="all %d messages" % N)
        time.sleep(1.0)  # anything still coming would be a duplicate: count it too

        got = collections.Counter()
        for m in sink.snapshot():
            found = MID.search(m.data)
            self.assertIsNotNone(found, "a mail without Message-ID")
            got[found.group(1).decode()] += 1
            self.assertEqual(len(m.rcpts), 1)
        self.assertEqual(set(got), ids)  # everyone, and nothing else
        dups = {mid: n for mid, n in got.items() if n > 1}
        allowed = set().union(*in_flight)
        self.assertLessEqual(set(dups), allowed,
                             "a message already marked sent was sent again")
        extra = sum(n - 1 for n in dups.values())
        self.assertLessEqual(extra, sum(len(s) for s in in_flight))
        with d.connect() as db:
            states = dict(db.execute("SELECT state, COUNT(*) FROM outbox GROUP BY state"))
        self.assertEqual(states, {"sent": N})
        self.assertEqual(d.audit_verify().rc, 0)
        print("\n[mail crash: %d kills, in flight at the kills %s, %d duplicates]"
              % (KILLS, [len(s) for s in in_flight], extra))

    @staticmethod
    def _distinct(sink):
        return len({MID.search(m.data).group(1) for m in sink.snapshot()
                    if MID.search(m.data)})


if __name__ == "__main__":
    unittest.main()
