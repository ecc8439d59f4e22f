# SPDX-License-Identifier: MIT
"""test_schoolmail_roles.py — who sees what of the schools' mass mail (seed 003): a sender works
only from a device the ward approved (refused even with the right password; a revocation applies
at once) and is never shown a name or an address; a school administrator sees and deletes only
their own school's registrants; the ward sees counts; the passwords of school staff are due each
school term; the yearly roll-over compares the counts with last year and alerts the ward by page
and mail."""
import os
import time
import unittest
import urllib.parse

import harness
from harness import ServerTestCase
import schoolmail_fixtures as sm

PW = harness.PASSWORD
NAMES = ["役割 一郎", "役割 花子", "別校 太郎", "別校 母"]
ADDRS = ["role.parent1@example.jp", "role.parent2@example.jp"]


class RolesTestCase(ServerTestCase):
    def setUp(self):
        self._clock_before = os.environ.get("MIMAMORI_FAKE_NOW_FILE")
        super().setUp()
        self.clock = os.path.join(self.data.tmp, "clock")
        # A day in the first term of a school year (terms start 04-01, 09-01, 01-08).
        self.set_clock(int(time.mktime(time.strptime("2026-08-20 12:00", "%Y-%m-%d %H:%M"))))
        os.environ["MIMAMORI_FAKE_NOW_FILE"] = self.clock
        d = self.data
        sm.configure(d, term_starts="04-01,09-01,01-08")
        sm.school_add(d, "E01", "役割区立あおば小学校")
        sm.school_add(d, "E02", "役割区立ひかり小学校")
        d.user_add("ward-admin", "ward_admin")
        d.user_add("ward-staff", "ward_staff")
        for login, role, school in (("sa-e01", "school_admin", "E01"),
                                    ("snd-e01", "sender", "E01"),
                                    ("sa-e02", "school_admin", "E02")):
            harness.cli_ok("school", "user", "add", "--data", d.path, "--school", school,
                           "--login", login, "--role", role, "--password-stdin",
                           input=(PW + "\n").encode())
        self.start_smtp()
        self.srv = self.start_server()
        self.sign_up(ADDRS[0], "E01", NAMES[1], [{"grade": 3, "class": 1, "name": NAMES[0]}])
        self.sign_up(ADDRS[1], "E02", NAMES[3], [{"grade": 2, "class": 2, "name": NAMES[2]}])

    def tearDown(self):
        super().tearDown()
        if self._clock_before is None:
            os.environ.pop("MIMAMORI_FAKE_NOW_FILE", None)
        else:
            os.environ["MIMAMORI_FAKE_NOW_FILE"] = self._clock_before

    def set_clock(self, seconds):
        with open(self.clock + ".new", "w") as f:
            f.write(str(seconds))
        os.replace(self.clock + ".new", self.clock)
        self.now = seconds
        time.sleep(0.2)  # the server reads the file at most every 50 ms

    def sign_up(self, addr, school, guardian, children):
        n = len(self.smtp.to(addr))
        sm.mail_in(self.data, addr, sm.security_code(self.data, school))
        token = sm.token_in(self.smtp.wait_to(addr, n + 1)[n], sm.SIGNUP_LINK)
        r = self.srv.client().post("/api/v1/school/signup", {
            "token": token, "guardian_name": guardian, "children": children})
        self.assertEqual(r.status, 201, r)
        self.smtp.wait_to(addr, n + 2)

    def login(self, who, password=PW, client=None, source=None):
        c = client or self.srv.client(source=source)
        r = c.login(who, password)
        self.assertEqual(r.status, 200, r)
        return c

    def approved_sender(self):
        """snd-e01 on a device enrolled and approved by the ward admin."""
        c = self.srv.client()
        r = c.post("/api/v1/devices/enrolment", {"login": "snd-e01", "password": PW,
                                                 "label": "校長の自宅パソコン"})
        self.assertEqual(r.status, 201, r)
        admin = self.login("ward-admin")
        r = admin.post("/api/v1/devices/%d/approve" % r.json["device"]["id"])
        self.assertEqual(r.status, 200, r)
        return self.login("snd-e01", client=c)


class SenderTest(RolesTestCase):
    def test_unapproved_device_refused_even_with_the_right_password(self):
        c = self.srv.client()
        r = c.login("snd-e01")
        self.assertEqual((r.status, r.json["code"]), (403, "device_not_approved"), r)
        self.assertIn("承認", r.json["message"])
        self.assertIsNone(c.csrf)
        self.assertEqual(c.get("/api/v1/session").status, 401)
        self.assertEqual(c.login("snd-e01", "wrong-password-1").status, 401)
        # the device asks to be enrolled: wrong password, then right
        r = c.post("/api/v1/devices/enrolment", {"login": "snd-e01", "password": "nope-nope-1",
                                                 "label": "自宅"})
        self.assertEqual(r.status, 401, r)
        r = c.post("/api/v1/devices/enrolment", {"login": "snd-e01", "password": PW,
                                                 "label": "校長の自宅パソコン"})
        self.assertEqual(r.status, 201, r)
        dev = r.json["device"]
        self.assertEqual(dev["state"], "pending")
        self.assertRegex(dev["code"], r"^[0-9]{6}$")
        self.assertIn("mimamori_approved_device", c.extra_cookies)
        self.assertEqual(c.get("/api/v1/devices/enrolment").json["device"]["state"], "pending")
        self.assertEqual(c.login("snd-e01").status, 403)  # pending is not approved
        # a non-sender needs no device
        r = self.srv.client().post("/api/v1/devices/enrolment", {
            "login": "sa-e01", "password": PW, "label": "学校のパソコン"})
        self.assertEqual((r.status, r.json["code"]), (409, "device_not_needed"), r)
        # the ward: staff see it, only the admin approves
        staff = self.login("ward-staff")
        listed = staff.get("/api/v1/devices").json
        mine = [x for x in listed["devices"] if x["id"] == dev["id"]][0]
        self.assertEqual((mine["state"], mine["code"], mine["login"]),
                         ("pending", dev["code"], "snd-e01"))
        self.assertEqual(listed["pending"], 1)
        self.assertEqual(staff.post("/api/v1/devices/%d/approve" % dev["id"]).status, 403)
        admin = self.login("ward-admin")
        self.assertEqual(admin.post("/api/v1/devices/%d/approve" % dev["id"]).status, 200)
        self.assertEqual(admin.post("/api/v1/devices/%d/approve" % dev["id"]).status, 409)
        r = c.login("snd-e01")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["user"]["role"], "sender")
        self.assertEqual(c.get("/api/v1/schools/E01/counts").status, 200)
        # the same session from another computer without the device: not signed in
        other = self.srv.client()
        other.cookie = c.cookie
        other.csrf = c.csrf
        self.assertEqual(other.get("/api/v1/schools/E01/counts").status, 401)
        # another device with the right password: refused
        self.assertEqual(self.srv.client().login("snd-e01").status, 403)
        # revoked: the next request is refused at once
        self.assertEqual(admin.post("/api/v1/devices/%d/revoke" % dev["id"]).status, 200)
        self.assertEqual(c.get("/api/v1/schools/E01/counts").status, 401)
        self.assertEqual(c.login("snd-e01").status, 403)
        audit = [a for (a,) in self.data.query("SELECT action FROM audit")]
        for action in ("signin.device_refused", "device.request", "device.approve",
                       "device.revoke"):
            self.assertIn(action, audit)

    def test_sender_sees_counts_never_names_or_addresses(self):
        snd = self.approved_sender()
        r = snd.get("/api/v1/schools")
        self.assertEqual(r.status, 200, r)
        self.assertEqual([s["code"] for s in r.json["schools"]], ["E01"])
        self.assertNotIn("security_code", r.json["schools"][0])
        r = snd.get("/api/v1/schools/E01/counts")
        self.assertEqual((r.status, r.json["registrants"]), (200, 1), r)
        g3 = [g for g in r.json["grades"] if g["grade"] == 3][0]
        self.assertEqual(g3["classes"][0]["registrants"], 1)
        self.assertEqual(snd.get("/api/v1/schools/E02/counts").status, 403)
        for path in ("/api/v1/schools/E01/registrants", "/api/v1/schools/E01/letter",
                     "/api/v1/schools/E01/users", "/api/v1/school-alerts", "/api/v1/devices"):
            self.assertEqual(snd.get(path).status, 403, path)
        self.assertEqual(snd.post("/api/v1/schools/E01/registrants/1/remove",
                                  {"reason": "transfer"}).status, 403)
        # every answer a sender can get, read whole: no name, no address
        admin = self.login("ward-admin")
        routes = admin.get("/api/v1/routes").json["routes"]
        seen = 0
        for route in routes:
            if route["method"] != "GET" or "sender" not in route["roles"]:
                continue
            path = route["pattern"].replace("{}", "E01")
            r = snd.get(path)
            seen += r.status == 200
            for secret in NAMES + ADDRS:
                self.assertNotIn(secret, r.text, path)
        self.assertGreaterEqual(seen, 3)


class SchoolAdminAndWardTest(RolesTestCase):
    def test_school_admin_registrants(self):
        sa = self.login("sa-e01")
        r = sa.get("/api/v1/schools")
        self.assertEqual([s["code"] for s in r.json["schools"]], ["E01"])
        self.assertRegex(r.json["schools"][0]["security_code"], r"^[2-9A-Z]{8}$")
        r = sa.get("/api/v1/schools/E01/registrants")
        self.assertEqual(r.status, 200, r)
        regs = r.json["registrants"]
        self.assertEqual([(x["child_name"], x["guardian_name"], x["email"], x["grade_label"],
                           x["class"]) for x in regs],
                         [(NAMES[0], NAMES[1], ADDRS[0], "3年", 1)])
        self.assertEqual(len(sa.get("/api/v1/schools/E01/registrants?q=" + urllib.parse.quote("一郎")).json["registrants"]), 1)
        self.assertEqual(len(sa.get("/api/v1/schools/E01/registrants?q=" +
                                    "parent1").json["registrants"]), 1)
        self.assertEqual(len(sa.get("/api/v1/schools/E01/registrants?q=nobody").json["registrants"]), 0)
        self.assertEqual(len(sa.get("/api/v1/schools/E01/registrants?grade=2").json["registrants"]), 0)
        self.assertEqual(sa.get("/api/v1/schools/E01/registrants?grade=x").status, 400)
        self.assertEqual(sa.get("/api/v1/schools/E02/registrants").status, 403)
        r = sa.get("/api/v1/schools/E01/letter")
        self.assertEqual((r.status, r.header("Content-Type")), (200, "application/pdf"))
        self.assertEqual(sa.get("/api/v1/schools/E02/letter").status, 403)
        self.assertEqual(sa.get("/api/v1/schools/E01/users").status, 403)
        rid = regs[0]["id"]
        self.assertEqual(sa.post("/api/v1/schools/E01/registrants/%d/remove" % rid,
                                 {"reason": "moved"}).status, 400)
        sa2 = self.login("sa-e02")
        self.assertEqual(sa2.post("/api/v1/schools/E01/registrants/%d/remove" % rid,
                                  {"reason": "transfer"}).status, 403)
        r = sa.post("/api/v1/schools/E01/registrants/%d/remove" % rid, {"reason": "transfer"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(sa.post("/api/v1/schools/E01/registrants/%d/remove" % rid,
                                 {"reason": "transfer"}).status, 404)
        self.assertEqual(sm.schools(self.data)["E01"]["registrants"], "0")
        # the list is a read of personal data: audited
        audit = [a for (a,) in self.data.query("SELECT action FROM audit")]
        self.assertIn("school.registrants.read", audit)
        self.assertIn("school.registrant.remove", audit)

    def test_ward_counts_and_a_new_sender(self):
        staff = self.login("ward-staff")
        r = staff.get("/api/v1/schools")
        self.assertEqual({s["code"]: s["registrants"] for s in r.json["schools"]},
                         {"E01": 1, "E02": 1})
        self.assertNotIn("security_code", r.json["schools"][0])
        self.assertEqual(staff.get("/api/v1/schools/E01/registrants").status, 403)
        admin = self.login("ward-admin")
        r = admin.post("/api/v1/schools/E02/users", {"login": "snd-e02", "role": "sender"})
        self.assertEqual(r.status, 201, r)
        first = r.json["password"]
        users = admin.get("/api/v1/schools/E02/users").json["users"]
        self.assertEqual({u["login"]: u["role"] for u in users},
                         {"sa-e02": "school_admin", "snd-e02": "sender"})
        # the first password enrols the device; after approval it must be changed first
        c = self.srv.client()
        r = c.post("/api/v1/devices/enrolment", {"login": "snd-e02", "password": first,
                                                 "label": "スマートフォン"})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(admin.post("/api/v1/devices/%d/approve" % r.json["device"]["id"]).status,
                         200)
        self.login("snd-e02", first, client=c)
        r = c.get("/api/v1/schools/E02/counts")
        self.assertEqual((r.status, r.json["code"]), (403, "password_change_required"), r)
        r = c.post("/api/v1/session/password", {"current": first, "new": "a-fresh-term-pass"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(c.get("/api/v1/schools/E02/counts").status, 200)


class TermPasswordTest(RolesTestCase):
    def test_school_staff_change_their_password_each_term(self):
        sa = self.login("sa-e01")
        ward = self.login("ward-admin")
        self.assertEqual(sa.get("/api/v1/schools").status, 200)
        # the second term starts on 09-01 (the session has long expired: sign in again)
        self.set_clock(int(time.mktime(time.strptime("2026-09-01 08:00", "%Y-%m-%d %H:%M"))))
        ward = self.login("ward-admin")
        r = sa.login("sa-e01")
        self.assertEqual(r.status, 200, r)
        sa.csrf = r.json["csrf"]
        self.assertTrue(r.json["user"]["password_term_due"])
        r = sa.get("/api/v1/schools")
        self.assertEqual((r.status, r.json["code"]), (403, "password_change_required"), r)
        me = sa.get("/api/v1/session").json["user"]
        self.assertEqual((me["must_change_password"], me["password_term_due"]), (True, True))
        self.assertEqual(ward.get("/api/v1/schools").status, 200)  # the ward's are not bound
        r = sa.post("/api/v1/session/password", {"current": PW, "new": "second-term-pass"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(sa.get("/api/v1/schools").status, 200)
        # still fine later in the term; due again in the third
        self.set_clock(int(time.mktime(time.strptime("2026-12-24 08:00", "%Y-%m-%d %H:%M"))))
        self.login("sa-e01", "second-term-pass", client=sa)
        self.assertEqual(sa.get("/api/v1/schools").status, 200)
        self.set_clock(int(time.mktime(time.strptime("2027-01-08 08:00", "%Y-%m-%d %H:%M"))))
        self.login("sa-e01", "second-term-pass", client=sa)
        self.assertEqual(sa.get("/api/v1/schools").status, 403)


class RollOverTest(RolesTestCase):
    def test_roll_over_compares_with_last_year_and_alerts_the_ward(self):
        # six second-graders at E01 this year, no first-graders
        kids = [{"grade": 2, "class": 1 + i % 3, "name": "進級 %d郎" % i} for i in range(6)]
        self.sign_up("role.many@example.jp", "E01", "進級 母", kids)
        # fewer grades than registered families: refused (they would leave as if graduated)
        r = harness.cli("school", "set", "E01", "--data", self.data.path, "--grades", "2")
        self.assertEqual(r.rc, 1, r)
        self.assertIn("登録者", r.err)
        dry = harness.cli_ok("school", "rollover", "--data", self.data.path, "--dry-run")
        self.assertIn("試行", dry.out)
        self.assertIn("警告", dry.out)
        self.assertEqual(self.data.query("SELECT COUNT(*) FROM school_alerts")[0][0], 0)
        out = harness.cli_ok("school", "rollover", "--data", self.data.path).out
        self.assertIn("警告", out)
        self.assertIn("8人が進級、0人が卒業", out)  # E01 7, E02 1
        r = harness.cli("school", "rollover", "--data", self.data.path, "--year", "2030")
        self.assertEqual(r.rc, 1)
        # the ward is told by mail: the school, the grade, the counts; no names
        mail = self.smtp.wait_to(sm.ALERTS)[0]
        self.assertIn("年度更新で登録者が減りました", mail.subject)
        self.assertIn("役割区立あおば小学校", mail.body)
        self.assertIn("2年", mail.body)
        for name in NAMES:
            self.assertNotIn(name, mail.body)
        staff = self.login("ward-staff")
        alerts = staff.get("/api/v1/school-alerts").json["alerts"]
        self.assertEqual([(a["school"], a["grade"], a["basis"], a["expected"], a["actual"])
                          for a in alerts], [("E01", 2, "last_year", 6, 0)])
        self.assertEqual(staff.get("/api/v1/schools").json["open_alerts"], 1)
        r = staff.get("/api/v1/schools/E01/counts")
        g = {x["grade"]: x for x in r.json["grades"]}
        self.assertEqual((g[2]["registrants"], g[2]["last_year"]), (0, 6))
        self.assertEqual((g[3]["registrants"], g[3]["last_year"]), (6, 1))
        self.assertEqual(g[4]["registrants"], 1)  # 役割 一郎 moved up from 3rd
        admin = self.login("ward-admin")
        self.assertEqual(staff.post("/api/v1/school-alerts/%d/acknowledge" % alerts[0]["id"]).status,
                         403)
        self.assertEqual(admin.post("/api/v1/school-alerts/%d/acknowledge" % alerts[0]["id"]).status,
                         200)
        self.assertEqual(staff.get("/api/v1/schools").json["open_alerts"], 0)


if __name__ == "__main__":
    unittest.main()
