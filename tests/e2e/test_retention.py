# SPDX-License-Identifier: MIT
"""test_retention.py — retention periods (保存期間, issue 19), with injected time
(MIMAMORI_FAKE_NOW_FILE): the content of sent mail (recipient, subject, body) is destroyed after
its period while its delivery facts stay, expired sessions and links are deleted, the rest is
intact, and no byte of what was destroyed is left in the data directory (its sealed form, not
only the names); the audit log is pruned by whole months behind a checkpoint, `audit verify`
passes from it on and fails on a forged checkpoint or an altered entry after it; the data
directory's size levels off over a simulated year of a demo ward with the server's daily job;
the monthly audit report flags an off-hours reader and an unusual volume; delivery views are
audited once per reader a minute."""
import calendar
import json
import os
import re
import shutil
import tempfile
import time
import unittest

import engines
import harness
from harness import ServerTestCase, decode_qr_codes

DAY = 86400
# 2027-04-06 (a Tuesday) 10:00 Japan time
NOW = calendar.timegm((2027, 4, 6, 1, 0, 0))
ROWS = [
    ["R01", "G01", "鴫原 睦之丞", "シギハラ ムツノジョウ", "3", "2016-05-17", "鴫原 千草",
     "retention.canary.a1@example.jp"],
    ["R02", "G01", "鵜飼 瑠璃子", "ウカイ ルリコ", "2", "2017-02-03", "鵜飼 萌葱",
     "retention.canary.b2@example.jp"],
]
NAMES = ["鴫原 睦之丞", "鴫原", "睦之丞", "鵜飼 瑠璃子", "瑠璃子", "鴫原 千草", "鵜飼 萌葱",
         "retention.canary.a1", "retention.canary.b2"]


class Clocked(ServerTestCase):
    """A test case whose servers and commands read the time from a file it sets."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="mimamori-ret-")
        self.now_file = os.path.join(self.tmp, "now")
        self.set_now(NOW)
        self._env_before = os.environ.get("MIMAMORI_FAKE_NOW_FILE")
        os.environ["MIMAMORI_FAKE_NOW_FILE"] = self.now_file
        super().setUp()

    def tearDown(self):
        super().tearDown()
        if self._env_before is None:
            os.environ.pop("MIMAMORI_FAKE_NOW_FILE", None)
        else:
            os.environ["MIMAMORI_FAKE_NOW_FILE"] = self._env_before
        shutil.rmtree(self.tmp, ignore_errors=True)

    def set_now(self, t):
        self.now = t
        with open(self.now_file + ".tmp", "w") as f:
            f.write(str(int(t)))
        os.replace(self.now_file + ".tmp", self.now_file)
        time.sleep(0.12)  # a running server reads the file at most every 50 ms

    def conf(self, text):
        with open(os.path.join(self.data.path, "mimamori.conf"), "a", encoding="utf-8") as f:
            f.write("\n" + text + "\n")

    def retention(self, *args):
        return harness.cli_ok("retention", "run", "--data", self.data.path, *args).out

    def last_run(self):
        """The last run's record (meta retention_last), or {"at_ms": 0}."""
        rows = self.data.query("SELECT value FROM meta WHERE key = 'retention_last'")
        return json.loads(bytes(rows[0][0]).decode()) if rows else {"at_ms": 0}

    def counts(self, out):
        """The deleted counts per key of `retention run`'s table."""
        return {m.group(1): int(m.group(2))
                for m in re.finditer(r"\((\w+)\)\t[^\t]+\t(\d+)", out)}


class RetentionTest(Clocked):
    def test_expired_records_gone_rest_intact_audit_pruned(self):
        d = self.data
        d.site_add("G01", "ひばり学童クラブ")
        d.user_add("staff01", "site_staff", ["G01"])
        d.user_add("adm", "ward_admin")
        d.import_children(d.write_csv("r.csv", ROWS))
        d.card_issue(site="G01")
        codes = decode_qr_codes(d.card_sheet("G01"))
        token = d.kiosk_add("G01")
        smtp = self.start_smtp()
        srv = self.start_server(env={"MIMAMORI_RETENTION_INTERVAL_MS": "3600000"})
        mails = smtp.wait_count(2)  # the address confirmations
        web = srv.client()
        first = [m for m in mails if ROWS[0][7] in m.rcpts][0]
        self.assertEqual(web.post("/api/v1/confirmations",
                                  {"token": first.confirm_token}).status, 200)
        k = srv.client(kiosk_token=token)
        for c in codes:
            self.assertEqual(k.scan(c).status, 200)
        staff = srv.client()
        self.assertEqual(staff.login("staff01").status, 200)
        self.assertEqual(staff.board("G01").status, 200)
        # a bulk mail of a list that may be left (its unsubscribe link is tried below)
        tokens, _ = harness.bulk_enqueue(d.path, "school:1", "学校からのお知らせ",
                                         "遠足は晴天なら実施します。\n", [ROWS[0][7]])
        self.assertEqual(len(tokens), 1)
        harness.wait_until(lambda: d.query("SELECT count(*) FROM outbox WHERE state <> 'sent'")
                           [0][0] == 0, what="every mail sent")
        old = d.query("SELECT id, to_enc, subject_enc, body_enc FROM outbox ORDER BY id")
        self.assertGreaterEqual(len(old), 3)  # two confirmations, a scan notice
        needles = {}
        for oid, to, subj, body in old:
            for name, blob in (("to", to), ("subject", subj), ("body", body)):
                needles["outbox %d %s" % (oid, name)] = bytes(blob)[-32:]
        scans = d.query("SELECT count(*) FROM scans")[0][0]
        self.assertGreaterEqual(scans, 2)
        srv.stop()

        # 39 days on: the server's job runs as it starts. The mail's content (30 days) goes,
        # staff01's session, both confirmation links (expired, one used); an emergency mail
        # sent now is kept, and so are the administrator's session, the children and scans.
        self.set_now(NOW + 39 * DAY)
        srv = self.start_server(env={"MIMAMORI_RETENTION_INTERVAL_MS": "3600000"})
        harness.wait_until(lambda: self.last_run()["at_ms"] >= (NOW + 39 * DAY) * 1000,
                           what="the job's turn at the start")
        got = self.last_run()["counts"]
        self.assertEqual(got["mail_content"], len(old), got)
        self.assertEqual(got["links"], 2, got)
        self.assertEqual(got["scans"], 0, got)
        # the old bulk mail's links no longer work: its recipient is gone; the answer says why
        anon = srv.client()
        r = anon.post("/api/v1/unsubscribe/" + tokens[0], {"via": "web"})
        self.assertEqual(r.status, 404, r)
        self.assertIn("保存期間を過ぎた古いメール", r.json["message"])
        r = anon.post("/api/v1/unsubscribe/%s/resubscribe" % tokens[0], {})
        self.assertEqual(r.status, 404, r)
        self.assertEqual(d.query("SELECT count(*) FROM unsubscribes")[0][0], 0)
        admin = srv.client()
        self.assertEqual(admin.login("adm").status, 200)
        self.send_emergency(admin, [ROWS[0][7]])
        harness.wait_until(lambda: d.query("SELECT count(*) FROM outbox WHERE state <> 'sent'")
                           [0][0] == 0, what="the emergency mail sent")
        srv.stop()
        fresh = d.query("SELECT id FROM outbox WHERE id > ?", old[-1][0])
        self.assertEqual(len(fresh), 1)
        # the delivery facts stay: state, times, every row
        rows = d.query("SELECT id, state, sent_ms, length(to_enc), length(subject_enc), "
                       "length(body_enc) FROM outbox ORDER BY id")
        self.assertEqual(len(rows), len(old) + 1)
        for oid, state, sent_ms, lt, ls, lb in rows[:-1]:
            self.assertEqual((state, lt, ls, lb), ("sent", 0, 0, 0), oid)
            self.assertIsNotNone(sent_ms)
        self.assertGreater(rows[-1][5], 0)  # the emergency mail kept its content
        # the rest intact: children, guardians, scans, the administrator's session
        self.assertEqual(d.query("SELECT count(*) FROM children")[0][0], 2)
        self.assertEqual(d.query("SELECT count(*) FROM guardians")[0][0], 2)
        self.assertEqual(d.query("SELECT count(*) FROM scans")[0][0], scans)
        self.assertEqual(d.query("SELECT count(*) FROM sessions")[0][0], 1)
        self.assertEqual(d.query("SELECT count(*) FROM confirm_tokens")[0][0], 0)
        # audited with its counts; the chain verifies
        details = [r[0] for r in d.query("SELECT detail FROM audit WHERE action = "
                                         "'retention.run' AND actor = 'system'")]
        self.assertIn("mail_content=%d " % len(old), " ".join(details))
        self.assertEqual(d.audit_verify().rc, 0)
        # no byte of the destroyed content left in any file of the data directory (on
        # PostgreSQL the database's own files after a checkpoint), nor any name in the clear
        leaks = []
        for f in d.all_files():
            data = engines.read_bytes(f)
            leaks += ["%s in %s" % (k, f) for k, n in needles.items() if n in data]
            leaks += ["%r in %s" % (v, f) for v in NAMES if v.encode() in data]
        self.assertEqual(leaks, [])
        # the check above can fail: the kept mail's sealed body is found
        (kept,), = d.query("SELECT body_enc FROM outbox WHERE id = ?", fresh[0][0])
        self.assertTrue(any(bytes(kept)[-32:] in engines.read_bytes(f) for f in d.all_files()))

        # 80 days on (2027-06-25), one month of audit log kept: a dry run counts and changes
        # nothing; the run deletes the emergency mail's content, the administrator's session
        # and the audit entries before 2027-05-01
        self.conf("[retention]\naudit_months = 1")
        before = d.query("SELECT count(*), min(id), max(id) FROM audit")[0]
        may1 = calendar.timegm((2027, 4, 30, 15, 0, 0)) * 1000
        n_old = d.query("SELECT count(*) FROM audit WHERE at_ms < ?", may1)[0][0]
        self.assertGreater(n_old, 5)
        self.set_now(NOW + 80 * DAY)
        out = self.retention("--dry-run")
        self.assertIn("削除していません", out)
        dry = self.counts(out)
        self.assertEqual((dry["mail_content"], dry["sessions"], dry["audit"]), (1, 1, n_old), out)
        self.assertEqual(d.query("SELECT min(id), count(*) FROM audit")[0], (1, before[0]))
        self.assertGreater(d.query("SELECT length(body_enc) FROM outbox WHERE id = ?",
                                   fresh[0][0])[0][0], 0)
        out = self.retention()
        self.assertEqual(self.counts(out), dry)
        self.assertRegex(out, r"監査ログ \(audit\)\t1 か月（2027-05-01 より前）\t%d" % n_old)
        self.assertEqual(d.query("SELECT length(body_enc) FROM outbox WHERE id = ?",
                                 fresh[0][0])[0][0], 0)
        self.assertEqual(d.query("SELECT count(*) FROM sessions")[0][0], 0)
        first_kept = before[1] + n_old
        self.assertEqual(d.query("SELECT min(id) FROM audit")[0][0], first_kept)
        self.assertEqual(d.query("SELECT count(*) FROM audit WHERE at_ms < ?", may1)[0][0], 0)
        cp = d.query("SELECT last_id, pruned FROM audit_checkpoints")
        self.assertEqual(cp, [(first_kept - 1, n_old)])
        r = d.audit_verify()
        self.assertEqual(r.rc, 0, r)
        self.assertIn("チェックポイント", r.out)
        # a second run finds nothing more
        self.assertEqual(set(self.counts(self.retention()).values()), {0})
        # the database refuses deleting an entry no checkpoint covers, and editing a checkpoint
        with self.assertRaises(Exception):
            d.execute("DELETE FROM audit WHERE id = %d" % first_kept)
        with self.assertRaises(Exception):
            d.execute("UPDATE audit_checkpoints SET pruned = 1")
        self.assertEqual(d.audit_verify().rc, 0)

        # someone with the database's rights forges the checkpoint (to hide pruned entries or
        # to move the start of the chain): verify fails and names the checkpoint
        forged = d.clone("forged")
        with engines.connect(forged) as con:
            con.execute(engines.drop_trigger("audit_checkpoints_no_update", "audit_checkpoints"))
            con.execute("UPDATE audit_checkpoints SET last_id = last_id - 1")
        r = harness.cli("audit", "verify", "--data", forged)
        self.assertNotEqual(r.rc, 0, r)
        self.assertIn("チェックポイント 1 が改ざん", r.err)
        # an entry after the checkpoint altered: verify fails at it
        altered = d.clone("altered")
        with engines.connect(altered) as con:
            con.execute(engines.drop_trigger("audit_no_update", "audit"))
            con.execute("UPDATE audit SET detail = 'x' WHERE id = %d" % (first_kept + 1))
        r = harness.cli("audit", "verify", "--data", altered)
        self.assertNotEqual(r.rc, 0, r)
        self.assertIn("監査ログの %d 件目" % (first_kept + 1), r.err)
        # the first entry after the checkpoint removed: verify fails at the next, which no
        # longer links (as test_audit.py's holes)
        cut = d.clone("cut")
        with engines.connect(cut) as con:
            con.execute(engines.drop_trigger("audit_no_delete", "audit"))
            con.execute("DELETE FROM audit WHERE id = %d" % first_kept)
        r = harness.cli("audit", "verify", "--data", cut)
        self.assertNotEqual(r.rc, 0, r)
        self.assertIn("監査ログの %d 件目" % (first_kept + 1), r.err)
        # a forged checkpoint stops the next run too: nothing is deleted
        r = harness.cli("retention", "run", "--data", forged)
        self.assertEqual(r.rc, 1, r)
        self.assertIn("チェックポイントが改ざん", r.err)


class AuditReportTest(Clocked):
    def test_off_hours_reader_volume_and_delivery_views_once_a_minute(self):
        d = self.data
        d.site_add("G01", "ひばり学童クラブ")
        for login in ("night", "day", "bulky"):
            d.user_add(login, "ward_staff")
        d.user_add("adm", "ward_admin")
        d.import_children(d.write_csv("r.csv", ROWS))
        self.conf("[audit]\nhours = 08:30-18:00\nvolume_factor = 3\nvolume_min = 5\n"
                  "history_months = 3")
        self.start_smtp()
        srv = self.start_server()
        c = {}
        for login in ("night", "day", "bulky", "adm"):
            c[login] = srv.client()
            self.assertEqual(c[login].login(login).status, 200)
        # Tuesday 10:00: "day" reads the board twice in a minute (one entry), and "bulky"
        # reads a delivery view again and again (one entry a minute)
        self.assertEqual(c["day"].board("G01").status, 200)
        self.assertEqual(c["day"].board("G01").status, 200)
        # (90 s apart: the clock runs on from each value, and a loaded machine may take a
        # second or more to the first read of one minute and not of the next)
        for minute in range(6):
            self.set_now(NOW + 90 * minute)
            for _ in range(3):
                self.assertEqual(c["bulky"].get("/api/v1/mail/bouncing").status, 200)
        self.assertEqual(d.query("SELECT count(*) FROM audit WHERE action = 'mail.bouncing.list'"
                                 " AND actor = (SELECT 'user:' || id FROM users WHERE login = "
                                 "'bulky')")[0][0], 6)
        # 22:30 the same day: "night" reads the board
        self.set_now(NOW + 12 * 3600 + 30 * 60)
        for login in ("night", "day", "adm"):  # their sessions ended meanwhile
            self.assertEqual(c[login].login(login).status, 200)
        self.assertEqual(c["night"].board("G01").status, 200)
        # Two wrong passwords for "day": its refusals (written under login:day, before anyone
        # is signed in; the report counted none and the lock alert mail points to it)
        for _ in range(2):
            self.assertEqual(srv.client().login("day", "wrong-password-1").status, 401)
        r = harness.cli_ok("audit", "report", "--data", d.path, "--month", "2027-04")
        lines = {l.split("\t")[0]: l.split("\t") for l in r.out.splitlines()[2:]}
        self.assertEqual(lines["day"][3], "2", lines["day"])
        self.assertEqual(lines["night"][3], "0", lines["night"])
        self.assertIn("時間外の利用", lines["night"][6])
        self.assertNotIn("時間外", lines["day"][6])
        self.assertEqual(lines["day"][1], "1")  # two board reads in a minute: one entry
        self.assertIn("件数がいつもより多い", lines["bulky"][6])
        self.assertNotIn("件数", lines["day"][6])
        # the screen's API: the same, and reading it is audited
        j = c["adm"].get("/api/v1/audit/report?month=2027-04")
        self.assertEqual(j.status, 200, j)
        users = {u["login"]: u for u in j.json["users"]}
        self.assertTrue(users["night"]["flag_off_hours"])
        self.assertFalse(users["day"]["flag_off_hours"])
        self.assertTrue(users["bulky"]["flag_volume"])
        self.assertEqual(j.json["hours"], "08:30-18:00")
        self.assertEqual(d.query("SELECT count(*) FROM audit WHERE action = 'audit.report'")
                         [0][0], 1)
        bad = c["adm"].get("/api/v1/audit/report?month=2027-13")
        self.assertEqual(bad.status, 400, bad)
        self.assertIn("年と月", bad.json["message"])
        self.assertEqual(c["day"].get("/api/v1/audit/report?month=2027-04").status, 403)
        r = harness.cli("audit", "report", "--data", d.path, "--month", "April")
        self.assertEqual(r.rc, 2, r)
        self.assertIn("年と月", r.err)
        # the retention screen's API
        j = c["adm"].get("/api/v1/retention")
        self.assertEqual(j.status, 200, j)
        keys = {p["key"]: p["days"] for p in j.json["periods"]}
        self.assertEqual(keys["mail_content"], 30)
        self.assertEqual(keys["scans"], 400)
        self.assertEqual(j.json["audit_months"], 60)
        self.assertIsNotNone(j.json["last"])  # the server's run at its start
        self.assertEqual(c["day"].get("/api/v1/retention").status, 403)


def dir_size(d):
    """The bytes the ward's data takes: SQLite's database file (it never shrinks, so it is the
    high-water mark of what was stored; the WAL is only what waits for the next checkpoint),
    or the PostgreSQL database's size."""
    if engines.PG:
        return d.query("SELECT pg_database_size(current_database())")[0][0]
    return os.path.getsize(os.path.join(d.path, "mimamori.db"))


class YearTest(Clocked):
    """A demo ward's year, a club day a month (scans, their notices, the alerts, an emergency
    mail), with the server's retention job after each: the data's size levels off."""

    def setUp(self):
        super().setUp()
        self.data.cleanup()
        self.data = harness.DataDir(init=False)

    def test_size_levels_off_over_a_year(self):
        d = self.data
        harness.cli_ok("demo", "--data", d.path, "--children", "60", "--bath-people", "20",
                       "--school-registrations", "20", timeout=600)
        self.conf("[retention]\nmail_content_days = 20\nmail_facts_days = 60\nscans_days = 45\n"
                  "plans_days = 45\n"
                  "alerts_days = 45\nbounces_days = 30\naudit_months = 1")
        self.start_smtp()
        self.start_server(env={"MIMAMORI_RETENTION_INTERVAL_MS": "2000"})
        sizes = []
        for month in range(12):
            day = NOW + month * 30 * DAY
            while time.gmtime(day + 9 * 3600).tm_wday >= 5:  # a weekday: a full club day
                day += DAY
            date = time.strftime("%Y-%m-%d", time.gmtime(day + 9 * 3600))
            self.set_now(day)
            # the day's scans through the real code (its own check of the alerts may disagree
            # with the server's alert job running meanwhile: not what this test is about)
            r = harness.cli("simulate-day", "--data", d.path, "--date", date, timeout=600)
            m = re.search(r"SIMULATE_RESULT .* scans=(\d+) repeats=\d+ failures=(\d+)", r.out)
            self.assertIsNotNone(m, (r.out, r.err))
            self.assertEqual((int(m.group(1)) > 50, m.group(2)), (True, "0"), r.out)
            # the evening: every notice sent, then the job's turn after it
            self.set_now(day + 10 * 3600)
            harness.wait_until(lambda: d.query("SELECT count(*) FROM outbox WHERE state IN "
                                               "('queued', 'sending', 'deferred')")[0][0] == 0,
                               timeout=120, what="the day's mail sent")
            mark = (day + 10 * 3600) * 1000
            # (a run that scrubs waits for other sessions' snapshots on PostgreSQL: on a loaded
            # machine a turn can take a while)
            harness.wait_until(lambda: self.last_run()["at_ms"] >= mark, timeout=240,
                               what="the retention job's turn")
            sizes.append(dir_size(d))
        print("\nsizes by month (KiB):", [s // 1024 for s in sizes])
        # the months after the first periods ran out do not grow the data
        self.assertLessEqual(sizes[11], sizes[3] * 1.1 + 256 * 1024, sizes)
        # the year's scans: only the last 45 days' kept; audit pruned behind checkpoints
        self.assertEqual(d.query("SELECT count(DISTINCT day) FROM scans")[0][0], 2)
        # a checkpoint a month from the third on (two club days may fall in one month)
        self.assertGreaterEqual(d.query("SELECT count(*) FROM audit_checkpoints")[0][0], 8)
        # (a month whose every entry was pruned: the chain went on from the checkpoint)
        r = d.audit_verify()
        self.assertEqual(r.rc, 0, r)


if __name__ == "__main__":
    unittest.main()
