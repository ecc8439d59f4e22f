# SPDX-License-Identifier: MIT
"""test_crash.py — SIGKILL during a burst of scans (8 kiosk connections, and 48 at once so that
group commits hold many scans each): after a restart every answered scan is in the database,
every answered scan's mail reaches the SMTP server, the audit chain verifies and SQLite's
integrity check passes."""
import sys
import threading
import time
import unittest

import engines
from harness import ServerTestCase, decode_qr_codes, free_port

N = 40
THREADS = 8


class CrashTest(ServerTestCase):
    def test_kill9_mid_burst(self):
        self.kill9_mid_burst(N, THREADS)

    def test_kill9_mid_burst_many_connections(self):
        """48 kiosk connections at once (under the default 64 per address): the scans of one
        group commit are answered together, and a kill between a commit and its answers, or
        during a commit, must lose none that was answered."""
        self.kill9_mid_burst(192, 48)

    def kill9_mid_burst(self, N, THREADS):
        d = self.data
        d.site_add("G01", "すみれ学童クラブ")
        d.user_add("admin01", "ward_admin")
        rows, guardian_of = [], {}
        for i in range(N):
            name = "試験 児童%02d" % i
            addr = "crash.parent%02d@example.jp" % i
            rows.append(["K%03d" % i, "G01", name, "シケン ジドウ", str(1 + i % 6),
                         "2016-04-%02d" % (1 + i % 28), "試験 保護者%02d" % i, addr])
            guardian_of[name] = addr
        d.import_children(d.write_csv("crash.csv", rows))
        d.card_issue(site="G01")
        codes = decode_qr_codes(d.card_sheet("G01"))
        self.assertEqual(len(set(codes)), N)
        token = d.kiosk_add("G01")
        smtp = self.start_smtp()
        srv = self.start_server()
        smtp.wait_count(N, timeout=60)
        web = srv.client()
        for m in smtp.snapshot():
            self.assertEqual(web.post("/api/v1/confirmations",
                                      {"token": m.confirm_token}).status, 200)

        answered = {}  # child name -> response json
        lock = threading.Lock()
        enough = threading.Event()
        go = threading.Event()

        def worker(my_codes):
            k = srv.client(kiosk_token=token)
            go.wait(10)
            for c in my_codes:
                try:
                    r = k.request("POST", "/api/v1/scans", body={"code": c}, timeout=10)
                except OSError:
                    return  # the server is gone
                if r.status == 200 and r.json.get("recorded") is True:
                    with lock:
                        answered[r.json["child_name"]] = r.json
                        if len(answered) >= N // 3:
                            enough.set()

        threads = [threading.Thread(target=worker, args=(codes[i::THREADS],))
                   for i in range(THREADS)]
        for t in threads:
            t.start()
        go.set()
        enough.wait(30)
        srv.kill()  # SIGKILL mid-burst
        for t in threads:
            t.join(30)
        with lock:
            answered = dict(answered)
        self.assertGreaterEqual(len(answered), N // 3)

        srv2 = self.start_server()  # same data dir, same SMTP
        staff = srv2.client()
        self.assertEqual(staff.login("admin01").status, 200)
        board = staff.board("G01")
        self.assertEqual(board.status, 200, board)
        status = {c["name"]: c["status"] for c in board.json["children"]}
        for name in answered:
            self.assertEqual(status[name], "present", name)
        con = d.connect(readonly=True)
        try:
            nscans = con.execute("SELECT COUNT(*) FROM scans").fetchone()[0]
        finally:
            con.close()
        self.assertGreaterEqual(nscans, len(answered))
        sys.stderr.write("[crash: %d of %d scans answered before SIGKILL, %d in the db] "
                         % (len(answered), N, nscans))
        self.assertEqual(board.json["counts"]["present"], nscans)

        # Every answered scan's mail arrives (at least once) after the restart.
        def all_arrived(mails):
            return all(any(guardian_of[n] in m.rcpts and n in m.subject and "入室" in m.subject
                           for m in mails) for n in answered)
        smtp.wait_for(all_arrived, timeout=60, what="a scan mail for every answered scan")
        for name, j in answered.items():
            ms = [m for m in smtp.to(guardian_of[name]) if name in m.subject]
            self.assertGreaterEqual(len(ms), 1)
            self.assertIn(j["time"], ms[0].body)

        self.assertEqual(srv2.stop(), 0)
        r = d.audit_verify()
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(engines.integrity_problems(d.path), [])




class QueuedMailSurvivesKillTest(ServerTestCase):
    """Mail queued while the relay was unreachable, then SIGKILL: after the restart (relay
    back) each scan's mail is delivered — it was stored, not held in memory."""

    def test_queued_mail_sent_after_restart(self):
        d = self.data
        d.site_add("G01", "すみれ学童クラブ")
        rows = [["Q%02d" % i, "G01", "待機 児童%02d" % i, "タイキ ジドウ", "2", "2017-05-0%d" % (i + 1),
                 "待機 保護者%02d" % i, "queued.parent%02d@example.jp" % i] for i in range(3)]
        d.import_children(d.write_csv("q.csv", rows))
        d.card_issue(site="G01")
        codes = decode_qr_codes(d.card_sheet("G01"))
        self.assertEqual(len(codes), 3)
        token = d.kiosk_add("G01")
        smtp = self.start_smtp()
        srv = self.start_server()
        smtp.wait_count(3, timeout=60)
        web = srv.client()
        for m in smtp.snapshot():
            self.assertEqual(web.post("/api/v1/confirmations",
                                      {"token": m.confirm_token}).status, 200)
        self.assertEqual(srv.stop(), 0)

        dead = "smtp://127.0.0.1:%d" % free_port()  # nothing listens there
        srv = self.start_server(mail=dead)
        k = srv.client(kiosk_token=token)
        for c in codes:
            r = k.request("POST", "/api/v1/scans", body={"code": c}, timeout=10)
            self.assertEqual(r.status, 200, r)
            self.assertTrue(r.json["recorded"])
        time.sleep(0.5)  # the sender tries the dead relay and defers
        srv.kill()
        self.assertEqual(len(smtp.snapshot()), 3)  # only the confirmation mails so far

        self.start_server()  # relay back
        mails = smtp.wait_for(lambda ms: len(ms) >= 6, timeout=60, what="3 scan mails")
        scan_mails = mails[3:]
        self.assertEqual(sorted(m.rcpts[0] for m in scan_mails),
                         ["queued.parent%02d@example.jp" % i for i in range(3)])
        for m in scan_mails:
            self.assertEqual(len(m.rcpts), 1)


if __name__ == "__main__":
    unittest.main()
