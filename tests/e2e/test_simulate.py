# SPDX-License-Identifier: MIT
"""test_simulate.py — `mimamori simulate-day` on a small demo ward: every planned child scans
in and out through the real scan code with injected time, a few come late, never or stay past
closing, and exactly those children get not-arrived / still-present alerts. Its timing is a
benchmark (`make bench`), not checked here."""
import re
import unittest

import harness


class SimulateDayTest(unittest.TestCase):
    def setUp(self):
        self.data = harness.DataDir(init=False)

    def tearDown(self):
        self.data.cleanup()

    def test_a_day_raises_exactly_the_expected_alerts(self):
        d = self.data
        harness.cli_ok("demo", "--data", d.path, "--children", "300", "--bath-people", "300", "--school-registrations", "600",
                       timeout=300)
        r = harness.cli_ok("simulate-day", "--data", d.path, "--date", "2026-11-24",
                           timeout=600)
        m = re.search(r"SIMULATE_RESULT (.*) (ok|MISMATCH)$", r.out.strip())
        self.assertIsNotNone(m, r.out)
        self.assertEqual(m.group(2), "ok", r.out)
        f = dict(kv.split("=", 1) for kv in m.group(1).split())
        self.assertGreater(int(f["planned"]), 150)
        self.assertEqual(f["failures"], "0")
        with d.connect() as db:
            scans = db.execute("SELECT COUNT(*) FROM scans WHERE day = '2026-11-24'").fetchone()
            active = db.execute("SELECT kind, COUNT(*) FROM alerts WHERE day = '2026-11-24' "
                                "AND cleared_ms IS NULL GROUP BY kind").fetchall()
        self.assertEqual(scans[0], int(f["scans"]))
        # The late comers' and stayers' alerts were cleared by their scans; only the children
        # who never came still have one.
        self.assertEqual(dict(active).get("still_present", 0), 0)
        self.assertLessEqual(dict(active).get("not_arrived", 0),
                             int(f["not_arrived"].split("/")[0]))
        self.assertEqual(d.audit_verify().rc, 0)
        # Sunday is refused with a one-line reason.
        r = harness.cli("simulate-day", "--data", d.path, "--date", "2026-11-29")
        self.assertEqual(r.rc, 2, r)
        self.assertIn("日曜日", r.err)


if __name__ == "__main__":
    unittest.main()
