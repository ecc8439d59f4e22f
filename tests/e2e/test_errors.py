# SPDX-License-Identifier: MIT
"""test_errors.py — bad input: every CLI command answers one line on stderr and a non-zero exit
and loses nothing; the HTTP API answers JSON errors (400 non-JSON, 404 unknown route, 413 over
1 MB)."""
import hashlib
import os
import unittest

from harness import PASSWORD, ServerTestCase, cli, cli_ok


def digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


class CliErrorTest(ServerTestCase):
    def assert_one_line_error(self, r):
        self.assertNotEqual(r.rc, 0, r)
        lines = [l for l in r.err.splitlines() if l.strip()]
        self.assertEqual(len(lines), 1, r)

    def count(self, table):
        con = self.data.connect(readonly=True)
        try:
            return con.execute("SELECT COUNT(*) FROM %s" % table).fetchone()[0]
        finally:
            con.close()

    def test_cli_bad_input(self):
        d = self.data
        dp = d.path
        d.site_add("G01", "すみれ学童クラブ")
        d.user_add("staff01", "site_staff", ["G01"])
        d.import_children(d.write_csv("ok.csv", [["E001", "G01", "誤り 太郎", "アヤマリ タロウ",
                                                  "1", "2018-04-01", "誤り 親",
                                                  "err1@example.jp"]]))
        files = {f: digest(os.path.join(dp, f)) for f in ("master.key", "mimamori.conf")}
        counts = {t: self.count(t) for t in ("sites", "users", "children", "guardians")}

        cases = [
            ("init twice", ["init", "--data", dp], None),
            ("import missing file", ["import", "children", "--data", dp,
                                     os.path.join(d.tmp, "no-such.csv")], None),
            ("short password", ["user", "add", "--data", dp, "--login", "shorty",
                                "--role", "site_staff", "--site", "G01", "--password-stdin"],
             b"short\n"),
            ("bad role", ["user", "add", "--data", dp, "--login", "badrole", "--role", "root",
                          "--password-stdin"], (PASSWORD + "\n").encode()),
            ("duplicate login", ["user", "add", "--data", dp, "--login", "staff01", "--role",
                                 "ward_staff", "--password-stdin"], (PASSWORD + "\n").encode()),
            ("site bad type", ["site", "add", "--data", dp, "--code", "G09", "--name", "x",
                               "--type", "school"], None),
            ("site bad time", ["site", "add", "--data", dp, "--code", "G09", "--name", "x",
                               "--type", "gakudo", "--opens", "25:00"], None),
            ("site duplicate", ["site", "add", "--data", dp, "--code", "G01", "--name", "x",
                                "--type", "gakudo"], None),
            ("site missing name", ["site", "add", "--data", dp, "--code", "G09", "--type",
                                   "gakudo"], None),
            ("card unknown child", ["card", "issue", "--data", dp, "--child", "NOPE"], None),
            ("card both", ["card", "issue", "--data", dp, "--child", "E001", "--site", "G01"],
             None),
            ("card sheet unknown site", ["card", "sheet", "--data", dp, "--site", "G99",
                                         "--out", os.path.join(d.tmp, "x.pdf")], None),
            ("kiosk unknown site", ["kiosk", "add", "--data", dp, "--site", "G99"], None),
            ("not a data dir", ["audit", "verify", "--data", os.path.join(d.tmp, "nowhere")],
             None),
            ("serve bad listen", ["serve", "--data", dp, "--listen", "localhost"], None),
        ]
        for what, args, stdin in cases:
            with self.subTest(what):
                self.assert_one_line_error(cli(*args, input=stdin))
        self.assertFalse(os.path.exists(os.path.join(d.tmp, "nowhere")))
        self.assertFalse(os.path.exists(os.path.join(d.tmp, "x.pdf")))
        # Nothing lost, nothing half-stored.
        self.assertEqual({f: digest(os.path.join(dp, f)) for f in files}, files)
        self.assertEqual({t: self.count(t) for t in counts}, counts)
        self.assertEqual(d.audit_verify().rc, 0)
        # The failed site add left the code free; the data dir still works.
        d.site_add("G09", "あおぞら学童", "gakudo")
        cli_ok("card", "issue", "--data", dp, "--child", "E001")

    def test_import_not_csv(self):
        d = self.data
        d.site_add("G01", "すみれ学童クラブ")
        p = os.path.join(d.tmp, "empty.csv")
        open(p, "wb").close()
        self.assert_one_line_error(cli("import", "children", "--data", d.path, p))
        p = os.path.join(d.tmp, "junk.csv")
        with open(p, "wb") as f:
            f.write(b"\x00\xff\xfe garbage \x81\x00\r\n")
        r = cli("import", "children", "--data", d.path, p)
        self.assertNotEqual(r.rc, 0, r)
        self.assertEqual(self.count("children"), 0)


class HttpErrorTest(ServerTestCase):
    def setUp(self):
        super().setUp()
        self.data.site_add("G01", "すみれ学童クラブ")
        self.token = self.data.kiosk_add("G01")
        self.srv = self.start_server(mail="maildir:" + self.data.tmp + "/mail")

    def assert_json_error(self, r, status):
        self.assertEqual(r.status, status, r)
        self.assertIn("application/json", r.header("Content-Type") or "")
        self.assertIsInstance(r.json.get("message"), str, r)

    def test_non_json_body(self):
        c = self.srv.client()
        r = c.request("POST", "/api/v1/session", body=b"login=a&password=b",
                      headers={"Content-Type": "application/x-www-form-urlencoded"})
        self.assert_json_error(r, 415)  # JSON routes take JSON only (login CSRF, issue 12)
        r = c.request("POST", "/api/v1/confirmations", body=b"{not json",
                      headers={"Content-Type": "application/json"})
        self.assert_json_error(r, 400)
        r = c.request("POST", "/api/v1/confirmations", body=b"[1,2]",
                      headers={"Content-Type": "application/json"})
        self.assert_json_error(r, 400)
        k = self.srv.client(kiosk_token=self.token)
        self.assert_json_error(k.request("POST", "/api/v1/scans", body=b"\xff\xfe",
                                         headers={"Content-Type": "application/json"}), 400)
        self.assert_json_error(k.post("/api/v1/scans", {"code": 42}), 400)
        self.assert_json_error(k.post("/api/v1/scans", {"code": ""}), 400)
        self.assert_json_error(k.post("/api/v1/scans", {"code": "A" * 500}), 400)

    def test_unknown_route(self):
        c = self.srv.client()
        self.assert_json_error(c.get("/api/v1/nothing-here"), 404)
        self.assert_json_error(c.get("/api/v2/scans"), 404)
        self.assert_json_error(c.request("PUT", "/api/v1/scans", body={}), 405)

    def test_body_too_large(self):
        c = self.srv.client()
        big = b'{"login":"' + b"a" * (1024 * 1024 + 100) + b'","password":"x"}'
        self.assert_json_error(c.request("POST", "/api/v1/session", body=big,
                                         headers={"Content-Type": "application/json"}), 413)
        # The server is still fine afterwards.
        self.assert_json_error(c.post("/api/v1/session", {"login": "x", "password": "y"}), 401)


if __name__ == "__main__":
    unittest.main()
