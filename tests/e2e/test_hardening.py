# SPDX-License-Identifier: MIT
"""test_hardening.py — defects found in review, each held by a test: parallel password guessing
gains nothing, an unknown login is throttled like a known one, a name with a line break is refused at import (it would break every mail),
`audit verify` gives no false alarm while the server writes, and a card typed with Caps Lock
on is still the same card."""
import threading
import unittest

from harness import PASSWORD, ServerTestCase, decode_qr_codes

HEADER = ["child_no", "site_code", "child_name", "child_kana", "grade", "birth_date",
          "guardian_name", "guardian_email"]


class HardeningTest(ServerTestCase):
    def test_parallel_guesses_are_charged(self):
        d = self.data
        d.user_add("admin01", "ward_admin")
        # The server's clock stands still: the 1 s delay must not run out while a loaded
        # machine starts twelve threads.
        srv = self.start_server(env={"MIMAMORI_FAKE_CLOCK_STILL": "1"})
        results, lock = [], threading.Lock()

        def guess():
            r = srv.client().request("POST", "/api/v1/session",
                                     body={"login": "admin01", "password": "wrong-password-1"},
                                     csrf=False, timeout=30)
            with lock:
                results.append(r.status)

        threads = [threading.Thread(target=guess) for _ in range(12)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        self.assertEqual(len(results), 12)
        # Three guesses before the delay starts, however many arrive at once.
        self.assertEqual(results.count(401), 3, results)
        self.assertEqual(results.count(429), 9, results)
        # And the right password is refused while the delay runs.
        r = srv.client().request("POST", "/api/v1/session",
                                 body={"login": "admin01", "password": PASSWORD}, csrf=False)
        self.assertEqual(r.status, 429)

    def test_unknown_login_throttled_like_a_known_one(self):
        d = self.data
        d.user_add("admin01", "ward_admin")
        srv = self.start_server(env={"MIMAMORI_FAKE_CLOCK_STILL": "1"})
        seen = {}
        for login in ("admin01", "nobody-here"):
            c = srv.client()
            seen[login] = [c.request("POST", "/api/v1/session",
                                     body={"login": login, "password": "wrong-password-1"},
                                     csrf=False).status for _ in range(4)]
        # The answers do not tell which login exists.
        self.assertEqual(seen["admin01"], [401, 401, 401, 429])
        self.assertEqual(seen["nobody-here"], [401, 401, 401, 429])

    def test_control_characters_refused_at_import(self):
        d = self.data
        d.site_add("G01", "すみれ学童クラブ")
        raw = ("%s\n"
               "C1,G01,\"山﨑\n杏\",ヤマザキ アン,2,2017-05-01,山﨑 保護者,a@example.jp\n"
               "C2,G01,山田 太郎,ヤマダ タロウ,2,2017-05-01,山田 保護者,b@example.jp\n"
               % ",".join(HEADER))
        r = d.import_children(d.write_csv("ctl.csv", [], raw=raw), expect_ok=False)
        self.assertEqual(r.rc, 1)
        self.assertIn("2行目: 項目に改行や制御文字が含まれています", r.err)
        self.assertIn("2行のうち1行を取り込みました", r.out)

    def test_audit_verify_while_server_writes(self):
        d = self.data
        d.site_add("G01", "すみれ学童クラブ")
        d.user_add("staff01", "site_staff", sites=["G01"])
        srv = self.start_server()
        stop = threading.Event()

        def reader():
            c = srv.client()
            c.login("staff01")
            while not stop.is_set():
                c.get("/api/v1/sites/G01/board")  # each read appends an audit entry

        threads = [threading.Thread(target=reader) for _ in range(3)]
        for t in threads:
            t.start()
        try:
            for _ in range(8):
                r = d.audit_verify()
                self.assertEqual(r.rc, 0, r)
        finally:
            stop.set()
            for t in threads:
                t.join(30)

    def test_caps_lock_code(self):
        d = self.data
        d.site_add("G01", "すみれ学童クラブ")
        d.import_children(d.write_csv("one.csv", [[
            "C1", "G01", "山田 太郎", "ヤマダ タロウ", "2", "2017-05-01", "山田 保護者",
            "c@example.jp"]]))
        d.card_issue(site="G01")
        codes = decode_qr_codes(d.card_sheet("G01"))
        self.assertEqual(len(codes), 1)
        token = d.kiosk_add("G01")
        srv = self.start_server()
        r = srv.client(kiosk_token=token).request("POST", "/api/v1/scans",
                                                  body={"code": codes[0].lower()})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["child_name"], "山田 太郎")


if __name__ == "__main__":
    unittest.main()
