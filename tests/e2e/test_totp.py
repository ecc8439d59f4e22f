# SPDX-License-Identifier: MIT
"""test_totp.py — the administrators' second factor (issue 19) end to end: with
admin_second_factor = required (init's default) an administrator without an authenticator is
sent to enrolment before anything else; enrolment gives a secret and a QR code (decoded with
zbar) of the same otpauth URI; a wrong first code is refused, a right one gives ten recovery
codes; from then on the password alone opens no session, a wrong code is refused, a code is good
once per time step (no replay), a recovery code works once, wrong codes lock the factor; the
console's `user totp-reset` (audited) sends the administrator to enrolment again; other roles
neither need nor may enrol; with optional only enrolled administrators are asked."""
import subprocess
import tempfile
import time
import unittest
from urllib.parse import parse_qs, urlparse

import harness
from harness import ServerTestCase


def decode_png_qr(png):
    """The QR codes zbar reads in a PNG image (bytes)."""
    with tempfile.NamedTemporaryFile(suffix=".png") as f:
        f.write(png)
        f.flush()
        p = subprocess.run(["zbarimg", "--quiet", "--raw", f.name], capture_output=True,
                           timeout=60)
    return [l for l in p.stdout.decode("utf-8", "replace").splitlines() if l]


class SecondFactorTest(ServerTestCase):
    def setUp(self):
        super().setUp()
        harness.set_second_factor(self.data.path, "required")
        self.data.site_add("G01", "みどり学童クラブ")
        self.data.user_add("admin1", "ward_admin")
        self.data.user_add("staff1", "site_staff", ["G01"])
        self.srv = self.start_server()

    def enrol(self, c):
        """Enrols c's account; returns (secret, the step of the code used, recovery codes)."""
        r = c.post("/api/v1/session/totp/enrolment")
        self.assertEqual(r.status, 200, r)
        secret, uri = r.json["secret"], r.json["uri"]
        q = parse_qs(urlparse(uri).query)
        self.assertEqual((q["secret"], q["issuer"], q["digits"], q["period"]),
                         ([secret], ["mimamori"], ["6"], ["30"]))
        r = c.get("/api/v1/session/totp/enrolment/qr")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.header("Content-Type"), "image/png")
        self.assertEqual(decode_png_qr(r.body), [uri])
        # a wrong first code is refused and enrols nothing
        now = time.time()
        good = harness.totp_code(secret, now)
        wrong = "%06d" % ((int(good) + 1) % 1000000)
        r = c.post("/api/v1/session/totp/enrolment/confirm", {"code": wrong})
        self.assertEqual((r.status, r.json["code"]), (400, "wrong_code"), r)
        self.assertFalse(c.get("/api/v1/session/totp").json["enrolled"])
        r = c.post("/api/v1/session/totp/enrolment/confirm", {"code": good})
        self.assertEqual(r.status, 200, r)
        codes = r.json["recovery_codes"]
        self.assertEqual(len(codes), 10)
        self.assertEqual(len(set(codes)), 10)
        return secret, int(now // 30), codes

    def test_enrol_then_code_required(self):
        admin = self.srv.client()
        r = admin.login("admin1")
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.json["user"]["second_factor_due"])
        # sent to enrolment before anything else
        r = admin.get("/api/v1/users")
        self.assertEqual((r.status, r.json["code"]), (403, "second_factor_enrolment_required"), r)
        self.assertEqual(admin.get("/api/v1/session").status, 200)
        state = admin.get("/api/v1/session/totp").json
        self.assertEqual((state["enrolled"], state["required"]), (False, True))
        secret, step, codes = self.enrol(admin)
        self.assertEqual(admin.get("/api/v1/users").status, 200)
        self.assertEqual(admin.get("/api/v1/session/totp").json["recovery_left"], 10)
        # enrolled a second time: refused
        r = admin.post("/api/v1/session/totp/enrolment")
        self.assertEqual((r.status, r.json["code"]), (409, "already_enrolled"), r)

        # The password alone opens no session.
        c = self.srv.client()
        r = c.login("admin1")
        self.assertEqual((r.status, r.json["code"]), (401, "second_factor_required"), r)
        self.assertNotIn("csrf", r.json)
        challenge = r.json["challenge"]
        self.assertEqual(c.get("/api/v1/session").status, 401)
        self.assertEqual(c.get("/api/v1/users").status, 401)
        # a wrong code, a malformed one: refused
        good_next = harness.totp_code(secret, (step + 1) * 30)
        wrong = "%06d" % ((int(good_next) + 1) % 1000000)
        for bad in (wrong, "12345", "abcdef"):
            r = c.post("/api/v1/session/totp", {"challenge": challenge, "code": bad})
            self.assertEqual((r.status, r.json["code"]), (401, "wrong_code"), r)
        # the code of the step enrolment used: refused (no replay)
        r = c.post("/api/v1/session/totp",
                   {"challenge": challenge, "code": harness.totp_code(secret, step * 30)})
        self.assertEqual((r.status, r.json["code"]), (401, "wrong_code"), r)
        # the next step's code (within the window of one step): signed in
        r = c.post("/api/v1/session/totp", {"challenge": challenge, "code": good_next})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["user"]["login"], "admin1")
        c.csrf = r.json["csrf"]
        self.assertEqual(c.get("/api/v1/users").status, 200)
        # the challenge is spent
        r = c.post("/api/v1/session/totp", {"challenge": challenge, "code": good_next})
        self.assertEqual((r.status, r.json["code"]), (401, "challenge_expired"), r)
        # the same code again, in a new sign-in: refused (its step was used)
        r = self.srv.client().login_code("admin1", good_next)
        self.assertEqual((r.status, r.json["code"]), (401, "wrong_code"), r)

        # A recovery code works once (any case, with or without its hyphen).
        r = self.srv.client().login_code("admin1", codes[0].upper())
        self.assertEqual(r.status, 200, r)
        r = self.srv.client().login_code("admin1", codes[0].replace("-", ""))
        self.assertEqual((r.status, r.json["code"]), (401, "wrong_code"), r)
        self.assertEqual(admin.get("/api/v1/session/totp").json["recovery_left"], 9)

        # Wrong codes in a row lock the factor: then even a good recovery code waits.
        for _ in range(4):  # one wrong already (the used recovery code): five in a row
            r = self.srv.client().login_code("admin1", wrong)
            self.assertEqual((r.status, r.json["code"]), (401, "wrong_code"), r)
        r = self.srv.client().login_code("admin1", codes[1])
        self.assertEqual((r.status, r.json["code"]), (429, "second_factor_locked"), r)
        self.assertIn("約15分後", r.json["message"])  # was 900秒後

        # Nothing secret in the database: the sealed secret, hashes of the codes.
        blob = b"".join(bytes(v) for (v,) in self.data.query("SELECT secret FROM user_totp"))
        self.assertNotIn(secret.encode(), blob)
        import base64
        self.assertNotIn(base64.b32decode(secret + "=" * (-len(secret) % 8)), blob)
        idx = b"".join(bytes(v) for (v,) in
                       self.data.query("SELECT code_idx FROM user_totp_recovery"))
        for code in codes:
            self.assertNotIn(code.encode(), idx)
        actions = [a for (a,) in self.data.query("SELECT action FROM audit")]
        for a in ("totp.enrolled", "signin.totp_ok", "signin.totp_fail", "signin.recovery_used",
                  "signin.totp_locked"):
            self.assertIn(a, actions)

        # The console's reset (a lost phone): audited; enrolment again at the next sign-in.
        r = harness.cli("user", "totp-reset", "--data", self.data.path, "--login", "nobody")
        self.assertEqual(r.rc, 1, r)
        self.assertIn("利用者 nobody はいません", r.err)
        r = harness.cli_ok("user", "totp-reset", "--data", self.data.path, "--login", "admin1")
        self.assertIn("リセットしました", r.out)
        r = harness.cli("user", "totp-reset", "--data", self.data.path, "--login", "admin1")
        self.assertEqual(r.rc, 1, r)
        self.assertIn("登録されていません", r.err)
        self.assertIn(("totp.reset", "cli"),
                      self.data.query("SELECT action, actor FROM audit"))
        c = self.srv.client()
        r = c.login("admin1")
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.json["user"]["second_factor_due"])
        self.assertEqual(c.get("/api/v1/users").json["code"],
                         "second_factor_enrolment_required")
        self.assertEqual(self.data.audit_verify().rc, 0)

    def test_reset_by_another_administrator(self):
        self.data.user_add("admin2", "ward_admin")
        admin1, admin2 = self.srv.client(), self.srv.client()
        self.assertEqual(admin1.login("admin1").status, 200)
        self.enrol(admin1)
        self.assertEqual(admin2.login("admin2").status, 200)
        self.enrol(admin2)
        users = {u["login"]: u for u in admin2.get("/api/v1/users").json["users"]}
        self.assertEqual((users["admin1"]["second_factor"], users["staff1"]["second_factor"]),
                         (True, False))
        # one's own: refused; another's: removed, audited under the acting administrator
        r = admin2.post("/api/v1/users/%d/totp-reset" % users["admin2"]["id"])
        self.assertEqual((r.status, r.json["code"]), (403, "own_second_factor"), r)
        r = admin2.post("/api/v1/users/%d/totp-reset" % users["admin1"]["id"])
        self.assertEqual(r.status, 200, r)
        self.assertIn(("user:%d" % users["admin2"]["id"], "user:%d" % users["admin1"]["id"]),
                      self.data.query("SELECT actor, object FROM audit WHERE action = 'totp.reset'"))
        r = admin2.post("/api/v1/users/%d/totp-reset" % users["admin1"]["id"])
        self.assertEqual((r.status, r.json["code"]), (404, "no_second_factor"), r)
        users = {u["login"]: u for u in admin2.get("/api/v1/users").json["users"]}
        self.assertFalse(users["admin1"]["second_factor"])
        # admin1 signs in with the password and is sent to enrolment again
        c = self.srv.client()
        r = c.login("admin1")
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.json["user"]["second_factor_due"])
        # staff may not
        staff = self.srv.client()
        staff.login("staff1")
        r = staff.post("/api/v1/users/%d/totp-reset" % users["admin2"]["id"])
        self.assertEqual(r.status, 403, r)

    def test_other_roles(self):
        staff = self.srv.client()
        r = staff.login("staff1")
        self.assertEqual(r.status, 200, r)
        self.assertFalse(r.json["user"]["second_factor_due"])
        self.assertEqual(staff.board("G01").status, 200)
        for path in ("/api/v1/session/totp/enrolment", "/api/v1/session/totp/enrolment/confirm"):
            r = staff.post(path, {"code": "123456"})
            self.assertEqual(r.status, 403, r)
        self.assertEqual(staff.get("/api/v1/session/totp").status, 403)
        # no enrolment waiting: no QR
        admin = self.srv.client()
        admin.login("admin1")
        r = admin.get("/api/v1/session/totp/enrolment/qr")
        self.assertEqual((r.status, r.json["code"]), (404, "no_enrolment"), r)
        # a challenge nobody was given
        r = self.srv.client().post("/api/v1/session/totp", {"challenge": "x" * 43,
                                                            "code": "123456"})
        self.assertEqual((r.status, r.json["code"]), (401, "challenge_expired"), r)

    def test_optional(self):
        # optional: an administrator without an authenticator works as before ...
        self.srv.stop()
        harness.set_second_factor(self.data.path, "optional")
        self.srv.start()
        admin = self.srv.client()
        r = admin.login("admin1")
        self.assertEqual(r.status, 200, r)
        self.assertFalse(r.json["user"]["second_factor_due"])
        self.assertEqual(admin.get("/api/v1/users").status, 200)
        # ... and once enrolled, is asked for the code all the same
        secret, step, _codes = self.enrol(admin)
        r = self.srv.client().login("admin1")
        self.assertEqual((r.status, r.json["code"]), (401, "second_factor_required"), r)
        r = self.srv.client().login_code("admin1", harness.totp_code(secret, (step + 1) * 30))
        self.assertEqual(r.status, 200, r)


if __name__ == "__main__":
    unittest.main()
