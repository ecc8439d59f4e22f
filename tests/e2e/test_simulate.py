# SPDX-License-Identifier: MIT
"""test_simulate.py — `mimamori simulate-day` on a small demo ward: every planned child scans
in and out through the real scan code with injected time, a few come late, never or stay past
closing, and exactly those children get not-arrived / still-present alerts. Its timing is a
benchmark (`make bench`), not checked here."""
import csv
import io
import os
import re
import unittest

import engines
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

    def test_a_term_of_history_then_a_day(self):
        """simulate-history writes past club days in bulk (the school year of `make bench`):
        their scans, their mails marked sent (the delivery facts stay), their alerts and a
        chain that verifies; a day simulated after them still raises exactly its own alerts;
        the monthly report (read by site and day since sql/0035) counts the history's days; a
        changed entry in the middle of the history is still found by `audit verify`."""
        d = self.data
        harness.cli_ok("demo", "--data", d.path, "--children", "300", "--bath-people", "300",
                       "--school-registrations", "600", timeout=300)
        before = int(re.search(r"（(\d+) 件）", d.audit_verify().out).group(1))
        # 24 club days before 2026-11-24: 2026-10-27 .. 2026-11-23, Sundays skipped.
        r = harness.cli_ok("simulate-history", "--data", d.path, "--days", "24",
                           "--until", "2026-11-24", timeout=600)
        m = re.search(r"HISTORY_RESULT (.*)$", r.out.strip())
        self.assertIsNotNone(m, r.out)
        f = dict(kv.split("=", 1) for kv in m.group(1).split())
        self.assertEqual(f["days"], "24")
        with d.connect() as db:
            days = db.execute("SELECT COUNT(DISTINCT day), MIN(day), MAX(day), COUNT(*) "
                              "FROM scans").fetchone()
            states = dict(db.execute("SELECT state, COUNT(*) FROM outbox WHERE send_id LIKE "
                                     "'scan:%' GROUP BY state").fetchall())
            unsent = db.execute("SELECT COUNT(*) FROM outbox WHERE send_id LIKE 'scan:%' AND "
                                "(sent_ms IS NULL OR attempts <> 1)").fetchone()[0]
            # A notice's send_id is scan:<day>:<ms, 13 digits>:<child>, so that notices go
            # into the outbox's send_id index in the order they happen.
            by_day = db.execute("SELECT COUNT(*) FROM outbox WHERE send_id LIKE "
                                "'scan:____-__-__:_____________:%' AND substr(send_id, 6, 10) "
                                "BETWEEN '2026-10-27' AND '2026-11-23'").fetchone()[0]
            alerts = db.execute("SELECT COUNT(*) FROM alerts").fetchone()[0]
        self.assertEqual((days[0], days[1], days[2], days[3]),
                         (24, "2026-10-27", "2026-11-23", int(f["scans"])))
        self.assertEqual(states, {"sent": int(f["mails"])})
        self.assertEqual(by_day, int(f["mails"]))
        self.assertEqual(unsent, 0)
        self.assertEqual(alerts, int(f["alerts"]))
        r = d.audit_verify()
        self.assertEqual(r.rc, 0, r)
        n = int(re.search(r"（(\d+) 件）", r.out).group(1))
        self.assertEqual(n, before + int(f["audit"]))
        # A day after the history: exactly its own alerts, none of the past days' leaking in.
        r = harness.cli_ok("simulate-day", "--data", d.path, "--date", "2026-11-24",
                           timeout=600)
        self.assertTrue(r.out.strip().endswith(" ok"), r.out)
        # The monthly report of November counts the history's club days (2..23, Sundays
        # skipped: 19 days) and the simulated 24th, as the rows say.
        out = os.path.join(d.tmp, "m.csv")
        harness.cli_ok("report", "monthly", "--data", d.path, "--month", "2026-11",
                       "--format", "csv", "--out", out)
        with open(out, encoding="utf-8-sig") as fh:
            rows = list(csv.reader(io.StringIO(fh.read())))
        g01 = next(row for row in rows if row and row[0] == "G01")
        with d.connect() as db:
            open_days, child_days = db.execute(
                "SELECT COUNT(DISTINCT s.day), COUNT(DISTINCT s.child_id || ' ' || s.day) FROM "
                "scans s JOIN sites si ON si.id = s.site_id WHERE si.code = 'G01' AND "
                "s.day BETWEEN '2026-11-01' AND '2026-11-30' AND s.direction = 'in'").fetchone()
        self.assertEqual(int(g01[5]), open_days)
        self.assertGreaterEqual(open_days, 19)
        self.assertEqual(int(g01[6]), child_days)
        # Tampering in the middle of the history is found, named by its entry.
        mid = before + int(f["audit"]) // 2
        p = d.clone("tampered")
        with engines.connect(p) as con:
            con.execute(engines.drop_trigger("audit_no_update", "audit"))
            con.execute("UPDATE audit SET detail = detail || 'x' WHERE id = %d" % mid)
        r = harness.cli("audit", "verify", "--data", p)
        self.assertNotEqual(r.rc, 0, r)
        self.assertIn("監査ログの %d 件目" % mid, r.err)
        # Bad input: a reason on one line, nothing written.
        r = harness.cli("simulate-history", "--data", d.path, "--days", "0")
        self.assertEqual(r.rc, 2, r)
        self.assertIn("日数", r.err)


if __name__ == "__main__":
    unittest.main()
