# SPDX-License-Identifier: MIT
"""test_japanese.py — every error a person can be shown is Japanese (issue 11).

(a) At run time: every API route is called by every kind of caller with no body, a body that
    is not JSON, JSON that is not an object, an empty object, wrong types, unknown ids, without
    the CSRF token, and then the error paths one by one (a bad device token, bad dates, a locked
    day, duplicate and impossible scans, the personal-data refusal of emergency mail, …). Every
    answer that is an error must be JSON with a stable machine `code` and a `message` holding
    Japanese (a character in the kana or CJK ranges), never ASCII-only text. The CLI's refusals
    and its --help are read the same way.
(b) Statically: every string literal handed to http_error / http_error_as, assigned to a `why`
    (the reason a domain function gives for a refusal), returned by the functions that make
    such reasons, and every cli_fail / "mimamori: …" text of the CLI holds Japanese.

The texts of src/http/ and src/auth/ (sign-in, sessions, user accounts) are checked by the
tests named *_platform_*: they are another branch's to translate (issue 12)."""
import datetime
import glob
import os
import re
import unittest
import urllib.parse

import harness
from harness import PASSWORD, ServerTestCase, cli

# Hiragana, katakana, CJK ideographs (with extension A and compatibility), half-width katakana
# and the ideographic punctuation 、。「」（）… of U+3000-U+303F and U+FF00-U+FF65.
JAPANESE = re.compile("[\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff01-\uff9f]")
CODE = re.compile(r"^[a-z][a-z0-9_]*$")
JST = datetime.timezone(datetime.timedelta(hours=9))
TODAY = "2026-11-25"      # a Wednesday; the server's clock stands at 15:00 of it
SUNDAY = "2026-11-29"
PAST = "2026-11-16"       # a Monday before today
NOW = int(datetime.datetime(2026, 11, 25, 15, 0, tzinfo=JST).timestamp())
GUARDIAN = "ja.parent@example.jp"
GUARDIAN2 = "ja.parent2@example.jp"
PHONE = "03-5555-0101"
ROWS = [
    ["J001", "G01", "漢字 一郎", "カンジ イチロウ", "2", "2018-04-02", "漢字 花子", GUARDIAN],
    ["J002", "G01", "仮名 次郎", "カナ ジロウ", "3", "2017-05-03", "仮名 良子", GUARDIAN2],
    ["J003", "G02", "片仮 三子", "カタカ ミツコ", "4", "2016-06-04", "片仮 誠", GUARDIAN2],
]
ROLES = ("ward_admin", "ward_staff", "contractor", "site_staff")
CALLERS = ("anonymous",) + ROLES + ("kiosk", "guardian", "bath_office", "bath_branch")
SIGN_OUTS = {("DELETE", "/api/v1/session"), ("DELETE", "/api/v1/parent/session")}
# The platform's own routes (src/http/session_api.c): checked by the *_platform_* test.
PLATFORM_ROUTES = {("POST", "/api/v1/session"), ("GET", "/api/v1/session"),
                   ("DELETE", "/api/v1/session")}
# The fields each route reads from its body, to send them with wrong types.
FIELDS = {
    "/api/v1/scans": ("code", "scanned_at"),
    "/api/v1/sites/{}": ("opens", "closes", "arrival", "deadline", "grace_min", "phone",
                         "alert_email", "alert_guardians"),
    "/api/v1/sites/{}/checkouts": ("child_no", "pickup_id"),
    "/api/v1/sites/{}/manual-scans": ("child_no", "direction", "reason"),
    "/api/v1/confirmations": ("token",),
    "/api/v1/parent/login-links": ("email",),
    "/api/v1/parent/session": ("token",),
    "/api/v1/parent/children/{}/weekly": ("mon", "tue", "sat", "sun", "xyz"),
    "/api/v1/parent/children/{}/days/{}": ("status", "leave", "way_home", "pickup_id",
                                           "reason"),
    "/api/v1/parent/children/{}/pickups": ("name", "relation"),
    "/api/v1/emergency-sends": ("sites", "subject", "body"),
    "/api/v1/unsubscribe/{}": ("via",),
    "/api/v1/devices/enrolment": ("login", "password", "label"),
    "/api/v1/school/signup": ("token", "guardian_name", "children"),
    "/api/v1/school/edit/update": ("token", "id", "grade", "class", "child_name",
                                   "guardian_name"),
    "/api/v1/schools/{}/users": ("login", "role"),
    "/api/v1/schools/{}/registrants/{}/remove": ("reason",),
    "/api/v1/bath/people/{}/issue": ("reissue", "place"),
    "/api/v1/bath/people/{}/events": ("kind", "date", "reason", "note", "method"),
}
QUERIES = {
    "/api/v1/sites/{}/reports/daily": ("", "?date=2026-13-45&format=pdf", "?format=doc",
                                       "?format=pdf&encoding=cp932", "?format=csv&encoding=x",
                                       "?date=1700-01-01&format=csv"),
    "/api/v1/reports/monthly": ("", "?month=2026-13&format=csv", "?month=2026-11&format=doc",
                                "?month=x"),
    "/api/v1/parent/children/{}/plan": ("?month=2026-1", "?month=abcdefg"),
    "/api/v1/bath/people": ("", "?q=", "?q=%E3%81%9F", "?q=" + "x" * 300),
    "/api/v1/bath/imports/{}": ("?offset=-1", "?offset=x"),
    "/api/v1/bath/reports/daily": ("?format=doc", "?date=S25.2.30", "?encoding=x&format=csv"),
    "/api/v1/bath/reports/counts": ("?fiscal_year=x", "?fiscal_year=1999"),
}


def japanese(s):
    return isinstance(s, str) and bool(JAPANESE.search(s))


def paths_for(pattern, ids):
    """Concrete paths of a route pattern: real ids and unknown or malformed ones."""
    if pattern == "/api/v1/parent/children/{}/days/{}":
        return ["/api/v1/parent/children/%s/days/%s" % (c, d)
                for c, d in (("J001", TODAY), ("J001", PAST), ("J001", SUNDAY),
                             ("J001", "2026-13-45"), ("J001", "tomorrow"),
                             ("NOPE", "2026-12-01"))]
    if pattern == "/api/v1/parent/children/{}/pickups/{}":
        return ["/api/v1/parent/children/J001/pickups/999999",
                "/api/v1/parent/children/J001/pickups/abc",
                "/api/v1/parent/children/J003/pickups/1"]
    if pattern.startswith("/api/v1/parent/children/{}"):
        return [pattern.replace("{}", c) for c in ("J001", "J003", "NOPE")]
    if pattern.startswith("/api/v1/emergency-sends/{}"):
        return [pattern.replace("{}", s) for s in ids["emergency"] + ["999999", "abc"]]
    if pattern.startswith("/api/v1/mail/sends/{}"):
        return [pattern.replace("{}", urllib.parse.quote(s, safe=""))
                for s in ("confirm", ids["scan_send"], "emergency:999999", "nope", "x" * 300)]
    if pattern.startswith("/api/v1/mail/bouncing/{}"):
        return [pattern.replace("{}", s) for s in ("999999", "abc")]
    if pattern.startswith("/api/v1/unsubscribe/{}"):
        return [pattern.replace("{}", s) for s in ("bad", "1-" + "0" * 32, "99999999-" + "a" * 32)]
    if "{}" in pattern:
        return [pattern.replace("{}", s) for s in ("G01", "G02", "NOPE")]
    return [pattern]


def bodies_for(method, pattern):
    """Bodies that must be refused: none, not JSON, not an object, fields of wrong types."""
    if method in ("GET", "DELETE"):
        return [None]
    out = [None, b"", b"{not json", b"\xff\xfe", b"[1, 2]", b"42", {}, {"x": 1}]
    fields = FIELDS.get(pattern, ())
    if fields:
        out += [{f: 12345 for f in fields}, {f: [] for f in fields}, {f: None for f in fields},
                {f: {"a": 1} for f in fields}, {f: "" for f in fields},
                {f: "x" * 5000 for f in fields}]
    return out


class JapaneseTestCase(ServerTestCase):
    def setUp(self):
        # The CLI's rows and mails are timed by the same clock as the server's.
        self._env_before = os.environ.get("MIMAMORI_FAKE_NOW")
        os.environ["MIMAMORI_FAKE_NOW"] = str(NOW)
        super().setUp()
        d = self.data
        d.site_add("G01", "すみれ学童クラブ")
        d.site_add("G02", "ひろばプラス桜", "hiroba_plus")
        for role in ROLES[:-1]:
            d.user_add("u_" + role, role)
        d.user_add("u_ward_admin2", "ward_admin")
        d.user_add("u_site_staff", "site_staff", ["G01"])
        d.user_add("u_site_staff2", "site_staff", ["G02"])
        d.user_add("u_bath_office", "bath_office")
        d.user_add("u_bath_branch", "bath_branch")
        self.kiosk_token = d.kiosk_add("G01")
        d.import_children(d.write_csv("roster.csv", ROWS))
        self.start_smtp()
        self.srv = self.start_server()
        mails = self.smtp.wait_for(lambda ms: len(ms) >= 2, what="the confirmation mails")
        for m in mails:
            r = self.srv.client().post("/api/v1/confirmations", {"token": m.confirm_token})
            self.assertEqual(r.status, 200, r)
        self.problems = []
        self.errors_seen = 0

    def tearDown(self):
        super().tearDown()
        if self._env_before is None:
            os.environ.pop("MIMAMORI_FAKE_NOW", None)
        else:
            os.environ["MIMAMORI_FAKE_NOW"] = self._env_before

    def login(self, who, source=None):
        """A client signed in as who; source: its own loopback address (the route walk calls
        the throttled guardian sign-in routes more often than one address may)."""
        if who == "anonymous":
            return self.srv.client(source=source)
        if who == "kiosk":
            return self.srv.client(kiosk_token=self.kiosk_token, source=source)
        if who == "guardian":
            return self.guardian(source=source)
        c = self.srv.client(source=source)
        r = c.login("u_" + who if not who.startswith("u_") else who)
        self.assertEqual(r.status, 200, r)
        return c

    def guardian(self, addr=GUARDIAN, source=None):
        def links():
            return [m for m in self.smtp.to(addr) if "#login=" in m.body]
        n = len(links())
        c = self.srv.client(source=source)
        r = c.post("/api/v1/parent/login-links", {"email": addr})
        self.assertEqual(r.status, 202, r)
        mail = harness.wait_until(lambda: len(links()) > n and links()[-1],
                                  what="the sign-in link")
        r = c.post("/api/v1/parent/session", {"token": mail.body.split("#login=")[1].split()[0]})
        self.assertEqual(r.status, 200, r)
        c.csrf = r.json["csrf"]
        return c

    def check(self, where, r, status=None, code=None, words=()):
        """Records a problem unless r is a JSON error with a code and a Japanese message
        (and, when given, the status, the code and the words in the message)."""
        where = "%s -> %d %s" % (where, r.status, r.body[:160])
        if status is not None and r.status != status:
            self.problems.append("want %d: %s" % (status, where))
        if r.status < 400:
            if status is not None and status >= 400:
                return
            self.problems.append("not an error: " + where)
            return
        self.errors_seen += 1
        try:
            j = r.json
        except ValueError:
            self.problems.append("not JSON: " + where)
            return
        if not isinstance(j, dict) or not CODE.match(str(j.get("code", ""))):
            self.problems.append("no code: " + where)
        elif code and j["code"] != code:
            self.problems.append("want code %s: %s" % (code, where))
        msg = j.get("message") if isinstance(j, dict) else None
        if not japanese(msg):
            self.problems.append("message not Japanese: " + where)
        for w in words:
            if not isinstance(msg, str) or w not in msg:
                self.problems.append("message lacks %r: %s" % (w, where))

    def check_all(self, where, r):
        """Checks r only when it is an error (the walk's calls may also succeed)."""
        if r.status >= 400:
            self.check(where, r)

    def assert_no_problems(self):
        self.assertEqual(self.problems, [], "%d problem(s):\n%s" % (
            len(self.problems), "\n".join(self.problems[:200])))


class JapaneseApiTest(JapaneseTestCase):
    def card_codes(self):
        """Card codes of J001 and J002 (G01), read from the printed sheet by zbar."""
        codes = []
        for child in ("J001", "J002"):
            harness.cli_ok("card", "issue", "--data", self.data.path, "--child", child)
            now = harness.decode_qr_codes(self.data.card_sheet("G01"))
            self.assertEqual(len(now), len(codes) + 1, now)
            codes += [c for c in now if c not in codes]
        return codes

    def routes(self):
        r = self.login("ward_admin").get("/api/v1/routes")
        self.assertEqual(r.status, 200, r)
        return [(x["method"], x["pattern"]) for x in r.json["routes"]]

    def test_every_route_every_caller_every_bad_body(self):
        admin = self.login("ward_admin")
        # An emergency send awaiting approval (two sites) and one already sent.
        r = admin.post("/api/v1/emergency-sends", {"sites": ["G01", "G02"],
                                                   "subject": "訓練のお知らせ",
                                                   "body": "明日は避難訓練を行います。"})
        self.assertEqual(r.status, 201, r)
        ids = {"emergency": [str(r.json["id"])], "scan_send": "scan:1"}
        r = admin.post("/api/v1/emergency-sends", {"sites": ["G01"], "subject": "閉所",
                                                   "body": "本日は閉所します。"})
        self.assertEqual(r.status, 201, r)
        ids["emergency"].append(str(r.json["id"]))
        routes = [k for k in self.routes() if k not in PLATFORM_ROUTES]
        self.assertGreater(len(routes), 30)
        for i, who in enumerate(CALLERS):
            client = self.login(who, source="127.0.0.%d" % (20 + i))
            for method, pattern in routes:
                if (method, pattern) in SIGN_OUTS:
                    continue
                for path in paths_for(pattern, ids):
                    for q in QUERIES.get(pattern, ("",)):
                        for body in bodies_for(method, pattern):
                            for csrf in ((True, False) if method != "GET" and client.csrf
                                         else (True,)):
                                if pattern.endswith("/board/events"):
                                    # an answer that stays open (Server-Sent Events)
                                    r = client.stream_head(path + q)
                                else:
                                    r = client.request(method, path + q, body=body,
                                                       csrf=csrf)
                                self.check_all("%s %s%s as %s body=%r csrf=%s" % (
                                    method, path, q, who, body if body is None else
                                    str(body)[:40], csrf), r)
        # The sign-outs last: as anonymous, without CSRF, then for real.
        for who in ("anonymous", "site_staff", "guardian"):
            c = self.login(who)
            for method, pattern in SIGN_OUTS:
                self.check_all("%s %s as %s without CSRF" % (method, pattern, who),
                               c.request(method, pattern, csrf=False))
        self.assertGreater(self.errors_seen, 2000)
        self.assert_no_problems()

    def test_error_paths_one_by_one(self):
        codes = self.card_codes()
        admin, admin2 = self.login("ward_admin"), self.login("u_ward_admin2")
        staff, staff2 = self.login("site_staff"), self.login("u_site_staff2")
        kiosk = self.srv.client(kiosk_token=self.kiosk_token)
        parent = self.guardian()
        # The club's phone, for the locked-day refusal.
        r = admin.request("PATCH", "/api/v1/sites/G01", body={"phone": PHONE})
        self.assertEqual(r.status, 200, r)

        # Kiosk: a bad device token, an unknown card, a scan from another site's kiosk.
        bad = self.srv.client(kiosk_token="not-a-token")
        self.check("bad device token", bad.get("/api/v1/kiosk"), 401, "bad_device_token")
        self.check("bad device token scan", bad.scan(codes[0]), 401, "bad_device_token")
        self.check("unknown card", kiosk.scan("AAAAAAAAAAAAAAAAAAAAAAAAAA"), 404)
        self.check("no code", kiosk.post("/api/v1/scans", {}), 400)
        for sa in ("yesterday", "2026-11-25T15:00:00", "2030-01-01T00:00:00+09:00",
                   "2026-11-20T10:00:00+09:00", 12):
            self.check("scanned_at %r" % sa,
                       kiosk.post("/api/v1/scans", {"code": codes[0], "scanned_at": sa}), 400)
        # A duplicate scan: answered 200 with a Japanese message (the kiosk shows it).
        r = kiosk.scan(codes[0])
        self.assertEqual((r.status, r.json["recorded"]), (200, True), r)
        r = kiosk.scan(codes[0])
        self.assertEqual((r.status, r.json["recorded"], r.json["reason"]),
                         (200, False, "duplicate"), r)
        if not japanese(r.json.get("message")):
            self.problems.append("duplicate scan message not Japanese: %r" % r.json)
        # G02's kiosk reading a G01 card.
        tok2 = harness.cli_ok("kiosk", "add", "--data", self.data.path, "--site", "G02").out.strip()
        self.check("another site's card", self.srv.client(kiosk_token=tok2).scan(codes[1]), 403)
        # A revoked card (re-issued since).
        harness.cli_ok("card", "issue", "--data", self.data.path, "--child", "J002")
        self.check("revoked card", kiosk.scan(codes[1]), 404)

        # Manual entry and exit: present already, not present, bad direction, no reason,
        # unknown child, another site's child, another site's staff, no CSRF.
        ms = "/api/v1/sites/G01/manual-scans"
        self.check("already present", staff.post(ms, {"child_no": "J001", "direction": "in",
                                                      "reason": "再入力"}), 409,
                   "already_present")
        self.check("not present", staff.post(ms, {"child_no": "J002", "direction": "out",
                                                  "reason": "確認"}), 409, "not_present")
        for body in ({"child_no": "J001", "direction": "sideways", "reason": "x"},
                     {"child_no": "J001", "direction": "out"},
                     {"child_no": "J001", "direction": "out", "reason": "a\nb"},
                     {"child_no": "J001", "direction": "out", "reason": "あ" * 201},
                     {"direction": "out", "reason": "x"}):
            self.check("manual %r" % body, staff.post(ms, body), 400)
        self.check("manual unknown child", staff.post(ms, {"child_no": "NOPE", "direction": "in",
                                                           "reason": "x"}), 404)
        self.check("manual other site's child", staff.post(
            ms, {"child_no": "J003", "direction": "in", "reason": "x"}), 403)
        self.check("manual by other site's staff", staff2.post(
            ms, {"child_no": "J001", "direction": "out", "reason": "x"}), 403)
        self.check("manual without CSRF", staff.request(
            "POST", ms, body={"child_no": "J001", "direction": "out", "reason": "x"},
            csrf=False), 403, "csrf")

        # Check-out by pickup person: no pickup, unknown pickup, a child not here today.
        co = "/api/v1/sites/G01/checkouts"
        self.check("checkout no pickup", staff.post(co, {"child_no": "J001"}), 400)
        self.check("checkout unknown pickup", staff.post(co, {"child_no": "J001",
                                                              "pickup_id": 999}), 400)
        r = parent.post("/api/v1/parent/children/J001/pickups", {"name": "漢字 祖母",
                                                                 "relation": "祖母"})
        self.assertEqual(r.status, 201, r)
        pid = r.json["id"]
        r = self.guardian(GUARDIAN2).post("/api/v1/parent/children/J002/pickups",
                                          {"name": "仮名 祖父", "relation": "祖父"})
        self.assertEqual(r.status, 201, r)
        self.check("checkout child not here", staff.post(co, {"child_no": "J002",
                                                              "pickup_id": r.json["id"]}), 409)
        self.check("checkout another child's pickup", staff.post(co, {"child_no": "J002",
                                                                      "pickup_id": pid}), 400)
        r = staff.post(co, {"child_no": "J001", "pickup_id": pid})
        self.assertEqual(r.status, 200, r)
        self.check("checkout twice", staff.post(co, {"child_no": "J001", "pickup_id": pid}), 409)

        # Guardians: bad dates, Sunday, a past day, today past the deadline (the phone).
        day = "/api/v1/parent/children/J001/days/"
        absent = {"status": "absent", "reason": "通院のため"}
        self.check("bad date", parent.request("PUT", day + "2026-13-45", body=absent), 400)
        self.check("Sunday", parent.request("PUT", day + SUNDAY, body=absent), 400)
        self.check("past day", parent.request("PUT", day + PAST, body=absent), 409,
                   "plan_locked")
        self.check("today after the deadline", parent.request("PUT", day + TODAY, body=absent),
                   409, "plan_locked", words=("12:00", PHONE))
        self.check("delete past day", parent.request("DELETE", day + PAST), 409, "plan_locked")
        for body in ({"status": "maybe"}, {"status": "absent"}, {"status": "absent",
                                                                "reason": 5},
                     {"status": "attend", "leave": "25:00"},
                     {"status": "attend", "leave": "10:00"},
                     {"status": "attend", "way_home": "taxi"},
                     {"status": "attend", "way_home": "pickup"},
                     {"status": "attend", "way_home": "pickup", "pickup_id": 424242}):
            self.check("day %r" % body, parent.request("PUT", day + "2026-12-01", body=body), 400)
        wk = "/api/v1/parent/children/J001/weekly"
        for body in ({"sun": {}}, {"monday": {}}, {"mon": 1}, {"mon": {"leave": "3pm"}},
                     {"mon": {"leave": 5}}, {"mon": {"way_home": "bus"}}):
            self.check("weekly %r" % body, parent.request("PUT", wk, body=body), 400)
        self.check("bad month", parent.get("/api/v1/parent/children/J001/plan?month=2026-13"),
                   400)
        self.check("another family's child", parent.get("/api/v1/parent/children/J002/plan"),
                   404)
        self.check("pickup without relation", parent.post(
            "/api/v1/parent/children/J001/pickups", {"name": "x"}), 400)
        self.check("pickup bad name", parent.post(
            "/api/v1/parent/children/J001/pickups", {"name": "a\nb", "relation": "父"}), 400)
        self.check("unknown pickup", parent.request(
            "DELETE", "/api/v1/parent/children/J001/pickups/999999"), 404)
        # The calendar says why a day is locked, in Japanese.
        r = parent.get("/api/v1/parent/children/J001/plan?month=2026-11")
        self.assertEqual(r.status, 200, r)
        for d in r.json["days"]:
            if d["locked"] is not None and not japanese(d["locked"]):
                self.problems.append("calendar lock reason not Japanese: %r" % d)
        # Sign-in links.
        anon = self.srv.client()
        self.check("bad sign-in link", anon.post("/api/v1/parent/session", {"token": "x" * 40}),
                   404, "link_invalid")
        self.check("no email", anon.post("/api/v1/parent/login-links", {}), 400)
        r = anon.post("/api/v1/parent/login-links", {"email": "nobody@example.jp"})
        self.assertEqual(r.status, 202, r)
        if not japanese(r.json.get("message")):
            self.problems.append("sign-in link answer not Japanese: %r" % r.json)
        self.check("guardian signed out", anon.get("/api/v1/parent/session"), 401)
        self.check("bad confirmation link", anon.post("/api/v1/confirmations",
                                                      {"token": "x" * 40}), 404, "link_invalid")

        # Reports: bad date, format, encoding, month; another site's report.
        rep = "/api/v1/sites/G01/reports/daily"
        for q in ("?date=2026-02-30&format=pdf", "?date=1800-01-01&format=pdf", "?format=txt",
                  "?format=pdf&encoding=cp932", "?format=csv&encoding=latin1"):
            self.check("daily report %s" % q, staff.get(rep + q), 400)
        self.check("another site's report", staff2.get(rep + "?format=pdf"), 403)
        for q in ("?month=2026-13&format=csv", "?month=2026-11&format=doc", "?format=csv"):
            self.check("monthly report %s" % q, admin.get("/api/v1/reports/monthly" + q), 400)
        self.check("another site's board", staff2.board("G01"), 403)
        self.check("unknown site's board", staff.board("G99"), 404)

        # Site settings.
        for body in ({"opens": "20:00"}, {"arrival": "08:00"}, {"deadline": "noon"},
                     {"grace_min": 999}, {"grace_min": "x"}, {"phone": "call us"},
                     {"alert_email": "nobody"}, {"alert_guardians": "yes"}):
            self.check("site %r" % body, admin.request("PATCH", "/api/v1/sites/G01", body=body),
                       400)
        self.check("unknown site", admin.request("PATCH", "/api/v1/sites/G99", body={}), 404)
        # a key the site does not have is named (it answered 200 and changed nothing)
        r = admin.request("PATCH", "/api/v1/sites/G01", body={"arrival": "14:30", "grace": 30})
        self.check("site grace", r, 400)
        self.assertEqual(r.json["code"], "unknown_setting", r)
        self.assertIn("「grace」という設定はありません", r.json["message"])

        # Emergency mail: the personal-data refusal names the kind found, never the value.
        em = "/api/v1/emergency-sends"
        for kind, words, body in (
                ("child", "子ども", "漢字一郎さんのお迎えについて"),
                ("child kana", "子ども", "カンジ イチロウさんへ"),
                ("guardian", "保護者", "漢字　花子様へ"),
                ("address", "メールアドレス", "連絡は JA.PARENT@EXAMPLE.JP へ"),
                ("phone", "電話番号", "連絡先: 090-1234-5678")):
            r = admin.post(em, {"sites": ["G01"], "subject": "お知らせ", "body": body})
            self.check("personal data: " + kind, r, 400, "personal_data", words=(words,))
            for secret in ("漢字", "カンジ", "JA.PARENT", "1234"):
                if secret in r.text:
                    self.problems.append("refusal repeats %r: %s" % (secret, r.text))
        for body in ({"sites": ["G01"], "subject": "", "body": "x"},
                     {"sites": ["G01"], "subject": "a\r\nBcc: x@example.jp", "body": "x"},
                     {"sites": ["G01"], "subject": "x" * 101, "body": "x"},
                     {"sites": ["G01"], "subject": "x", "body": "あ" * 4001},
                     {"sites": [], "subject": "x", "body": "x"},
                     {"sites": ["G99"], "subject": "x", "body": "x"},
                     {"sites": [1], "subject": "x", "body": "x"},
                     {"sites": "some", "subject": "x", "body": "x"},
                     {"subject": "x", "body": "x"}):
            self.check("emergency %r" % body, admin.post(em, body), 400)
        r = admin.post(em, {"sites": ["G01", "G02"], "subject": "訓練", "body": "訓練です。"})
        self.assertEqual(r.status, 201, r)
        sid = r.json["id"]
        self.check("approve own send", admin.post("%s/%d/approve" % (em, sid)), 403,
                   "second_approver_required")
        self.check("approve unknown", admin2.post("%s/999999/approve" % em), 404)
        self.check("approve bad id", admin2.post("%s/abc/approve" % em), 400)
        r = admin2.post("%s/%d/reject" % (em, sid))
        self.assertEqual(r.status, 200, r)
        self.check("approve rejected", admin2.post("%s/%d/approve" % (em, sid)), 409,
                   "already_decided")
        self.check("view unknown send", admin.get("%s/999999" % em), 404)
        self.check("contractor view bad id", self.login("contractor").get("%s/abc" % em), 400)

        # A send's delivery and retry.
        r = admin.post(em, {"sites": ["G01"], "subject": "閉所", "body": "本日は閉所します。"})
        self.assertEqual(r.status, 201, r)
        esid = r.json["id"]
        self.smtp.wait_for(lambda ms: sum(m.subject == "閉所" for m in ms) >= 2,
                           what="the emergency mails")
        send = "/api/v1/mail/sends/"
        harness.wait_until(lambda: admin.get(send + "emergency:%d" % esid).json.get("complete"),
                           what="the send complete")
        self.check("retry nothing failed", admin.post(send + "emergency:%d/retry" % esid), 409,
                   "nothing_to_retry")
        self.check("retry a notice", admin.post(send + "confirm/retry"), 409,
                   "notice_not_retried")
        self.check("unknown send", admin.get(send + "emergency:999999"), 404)
        self.check("bad send id", admin.get(send + "x" * 300), 400)
        self.check("bouncing bad id", admin.post("/api/v1/mail/bouncing/abc/confirmation"), 400)
        self.check("bouncing unknown", admin.post("/api/v1/mail/bouncing/999/confirmation"), 404)
        # Unsubscribe links.
        self.check("unsubscribe bad link", anon.post("/api/v1/unsubscribe/bad",
                                                     {"via": "web"}), 404, "link_invalid")
        self.check("unsubscribe bad body", anon.post("/api/v1/unsubscribe/bad",
                                                     {"via": "fax"}), 400)
        # Roles and sign-in, as the server says them.
        self.check("anonymous board", anon.board("G01"), 401)
        self.check("guardian on a staff route", parent.board("G01"), 403, "role_denied")
        self.check("staff on a guardian route", staff.get("/api/v1/parent/children"), 403)
        self.check("unknown route", anon.get("/api/v1/nothing"), 404)
        self.check("wrong method", anon.request("PUT", "/api/v1/scans", body={}), 405)
        big = b'{"email":"' + b"a" * (1024 * 1024 + 10) + b'"}'
        self.check("too large", anon.request("POST", "/api/v1/parent/login-links", body=big,
                                             headers={"Content-Type": "application/json"}),
                   413)
        self.assert_no_problems()

    def test_platform_sign_in_errors(self):
        """Sign-in and session errors (src/http/session_api.c: translated by `hard`)."""
        c = self.srv.client()
        self.check("sign-in no body", c.request("POST", "/api/v1/session"), 400)
        self.check("sign-in {}", c.post("/api/v1/session", {}), 400)
        self.check("sign-in wrong types", c.post("/api/v1/session", {"login": 1,
                                                                     "password": []}), 400)
        for i in range(3):
            self.check("wrong password %d" % i, c.login("u_ward_staff", "wrong-pass-%d" % i), 401)
        # The third failure asks for 1 s before the next attempt, the fourth for 2 s, and so on.
        # A loaded machine may take longer than the delay to check a password and answer; the
        # delay doubles with each failure, so a 429 must come within a few more attempts (the
        # account locks only at 10).
        for i in range(5):
            r = c.login("u_ward_staff", "wrong-pass-x%d" % i)
            if r.status != 401:
                break
        self.check("throttled", r, 429)
        self.check("who am I, signed out", c.get("/api/v1/session"), 401)
        self.check("sign out, signed out", c.request("DELETE", "/api/v1/session"), 401)
        staff = self.login("site_staff")
        self.check("sign out without CSRF", staff.request("DELETE", "/api/v1/session",
                                                          csrf=False), 403, "csrf")
        self.assert_no_problems()


class JapaneseCliTest(JapaneseTestCase):
    def setUp(self):  # no server needed
        self._env_before = os.environ.get("MIMAMORI_FAKE_NOW")
        ServerTestCase.setUp(self)
        self.data.site_add("G01", "すみれ学童クラブ")
        self.problems = []

    def test_cli_refusals_and_help(self):
        d = self.data
        dp = d.path
        out = os.path.join(d.tmp, "x.out")
        cases = [
            ["init", "--data", dp],
            ["init"],
            ["serve"],
            ["serve", "--data", dp, "--listen", "localhost"],
            ["serve", "--data", dp, "--bogus"],
            ["audit"],
            ["audit", "verify"],
            ["audit", "verify", "--data", os.path.join(d.tmp, "nowhere")],
            ["site"],
            ["site", "add", "--data", dp, "--code", "G09", "--type", "gakudo"],
            ["site", "add", "--data", dp, "--code", "G09", "--name", "x", "--type", "school"],
            ["site", "add", "--data", dp, "--code", "G09", "--name", "x", "--type", "gakudo",
             "--opens", "25:00"],
            ["site", "add", "--data", dp, "--code", "G01", "--name", "x", "--type", "gakudo"],
            ["site", "add", "--data", dp, "--code", "bad code!", "--name", "x", "--type",
             "gakudo"],
            ["site", "set", "G01", "--data", dp, "--grace", "999"],
            ["site", "set", "G01", "--data", dp, "--alert-guardians", "maybe"],
            ["site", "set", "G01", "--data", dp, "--arrival", "05:00"],
            ["site", "set", "G01", "--data", dp, "--phone", "x" * 100],
            ["site", "set", "G99", "--data", dp, "--grace", "10"],
            ["site", "set", "--data", dp],
            ["import"],
            ["import", "children", "--data", dp],
            ["import", "children", "--data", dp, os.path.join(d.tmp, "no-such.csv")],
            ["card"],
            ["card", "issue", "--data", dp, "--child", "NOPE"],
            ["card", "issue", "--data", dp, "--site", "G99"],
            ["card", "sheet", "--data", dp, "--site", "G99", "--out", out],
            ["kiosk"],
            ["kiosk", "add", "--data", dp, "--site", "G99"],
            ["demo"],
            ["demo", "--data", dp],
            ["demo", "--data", os.path.join(d.tmp, "demo"), "--children", "3"],
            ["report"],
            ["report", "daily", "--data", dp, "--site", "G99", "--format", "pdf", "--out", out],
            ["report", "daily", "--data", dp, "--site", "G01", "--format", "doc", "--out", out],
            ["report", "daily", "--data", dp, "--site", "G01", "--date", "2026-02-30",
             "--format", "pdf", "--out", out],
            ["report", "monthly", "--data", dp, "--month", "2026-13", "--format", "csv",
             "--out", out],
            ["ledger"],
            ["simulate-day", "--data", dp, "--date", "yesterday"],
            ["simulate-day"],
            ["simulate-history"],
            ["simulate-history", "--data", dp, "--days", "0"],
            ["simulate-history", "--data", dp, "--days", "3", "--until", "2026-13-01"],
            ["mail-in"],
            ["import", "residents", "--data", dp],
            ["import", "residents", "--data", dp, "--login", "nobody",
             os.path.join(d.tmp, "no-such.csv")],
            ["import", "residents", "--data", dp, "--login", "x", "--encoding", "sjis", out],
            ["import", "approve", "--data", dp, "--snapshot", "x", "--login", "x"],
            ["import", "approve", "--data", dp, "--snapshot", "5", "--login", "nobody"],
            ["bathpass"],
            ["bathpass", "staff", "--data", dp, "--login", "nobody", "--place", "b01"],
            ["bathpass", "staff", "--data", dp, "--login", "nobody", "--place", "zz"],
            ["demo", "--data", os.path.join(d.tmp, "demo2"), "--bath-people", "-1"],
            ["no-such-command"],
        ]
        for args in cases:
            r = cli(*args)
            if r.rc == 0:
                self.problems.append("succeeded: %r" % (args,))
            elif not japanese(r.err):
                self.problems.append("not Japanese: mimamori %s: %r" % (" ".join(args), r.err))
        # A roster file with problems: each line's reason is Japanese.
        bad = d.write_csv("bad.csv", [["B001", "G01", "", "カナ", "9", "2018-02-30", "親",
                                       "not-an-address"],
                                      ["B002", "G77", "名前", "カナ", "1", "2018-01-01", "親",
                                       "b2@example.jp"]])
        for path in (bad, d.write_csv("hdr.csv", [], raw="a,b,c\r\n1,2,3\r\n"),
                     d.write_csv("empty.csv", [], raw=""),
                     d.write_csv("junk.csv", [], raw="\"open,quote\r\n", encoding="utf-8")):
            r = cli("import", "children", "--data", dp, path)
            lines = [l for l in r.err.splitlines() if l.strip()]
            if r.rc == 0 or not lines or not all(japanese(l) for l in lines):
                self.problems.append("import %s: %r" % (os.path.basename(path), r.err))
        # A user with a bad role (the text comes from src/auth, see the platform test).
        # --help of the program and of every command.
        r = cli("--help")
        if r.rc != 0 or not japanese(r.out):
            self.problems.append("--help: %r" % r.out)
        for line in r.out.splitlines():
            if not line.startswith("  ") or not line.strip():
                continue
            cmd = line.split()[0]
            h = cli(cmd, "--help")
            if h.rc != 0 or not japanese(h.out):
                self.problems.append("%s --help: %r" % (cmd, h.out))
            # A command's help lists all its verbs, also those of two-word commands
            # (`user --help`: add, totp-reset, retire).
            if cmd not in h.out.split()[1:3] and "mimamori " + cmd not in h.out:
                self.problems.append("%s --help lacks itself: %r" % (cmd, h.out))
            # An option the command does not have is named in Japanese (getopt's own line
            # was English), before the usage.
            words = []
            for w in line.split():
                if w.startswith(("-", "[", "<")) or any(ch.isupper() for ch in w):
                    break
                words.append(w.split("|")[0])
            b = cli(*words, "--bogus-opt")
            first = b.err.splitlines()[0] if b.err else ""
            if b.rc == 0 or "--bogus-opt" not in first or not japanese(first) \
                    or "unrecognized" in b.err:
                self.problems.append("%s --bogus-opt: %r" % (" ".join(words), b.err))
        # A command run by hand answers in Japanese only: no operational English lines
        # ("info vault: a new key for attendance" ×10 after `init`).
        fresh = os.path.join(d.tmp, "fresh")
        r = cli("init", "--data", fresh)
        if r.rc != 0 or r.err.strip() or not japanese(r.out):
            self.problems.append("init: %r %r" % (r.out, r.err))
        r = cli("site", "add", "--data", fresh, "--code", "G01", "--name", "テスト", "--type",
                "gakudo")
        if r.rc != 0 or r.err.strip():
            self.problems.append("site add on a new ward: %r" % r.err)
        for cmd, verbs in (("user", ("add", "totp-reset", "retire")),
                           ("import", ("children", "residents", "approve")),
                           ("audit", ("verify", "report"))):
            h = cli(cmd, "--help").out
            for v in verbs:
                if "%s %s " % (cmd, v) not in h:
                    self.problems.append("%s --help lacks %s: %r" % (cmd, v, h))
        # A missing value, and a value for an option that takes none.
        for args, says in ((["user", "add", "--login", "x", "--data"],
                            "オプション --data のあとに値を書いてください"),
                           (["user", "add", "--data", dp, "--password-stdin=yes"],
                            "オプション --password-stdin は値をとりません"),
                           (["audit", "verify", "--data", dp, "--since", "x"],
                            "オプション --since はこのコマンドにはありません"),
                           # a file a person names: why it cannot be read (the sitter's said
                           # 「サーバーでエラーが発生しました」)
                           (["sitter", "import", "--data", dp, os.path.join(d.tmp, "ない.csv")],
                            os.path.join(d.tmp, "ない.csv") + " を読めません（そのファイルは"
                            "ありません）"),
                           (["import", "children", "--data", dp, d.tmp],
                            d.tmp + " を読めません（フォルダの名前です）"),
                           (["card", "issue", "--data", dp, "--site", "G01", "--child", "C1"],
                            "card issue: --site（施設の全員）と --child（1人）は、どちらか一方"
                            "だけを指定してください"),
                           # the reason, not 「指定した値が長すぎます」 / 「1 からの数」 for 99
                           (["site", "set", "G01", "--data", dp, "--arrival", "2026-13-45"],
                            "site set: 到着予定（--arrival）は HH:MM の形で指定してください"),
                           (["schoolmail", "send", "--data", dp, "--school", "E01", "--class",
                             "99", "--subject", "x", "--body-file", out],
                            "組（--class）は 1〜20 の数で指定してください。")):
            r = cli(*args)
            if r.rc == 0 or r.err.splitlines()[0] != "mimamori: " + says:
                self.problems.append("%s: %r" % (" ".join(args), r.err))
        self.assert_no_problems()

    def test_platform_user_add_refusals(self):
        """`user add` reasons come from src/auth/user.c (translated by `hard`)."""
        dp = self.data.path
        for args, pw in ((["--login", "x", "--role", "site_staff", "--site", "G01"], PASSWORD),
                         (["--login", "okname", "--role", "root"], PASSWORD),
                         (["--login", "okname", "--role", "site_staff"], PASSWORD),
                         (["--login", "okname", "--role", "site_staff", "--site", "G01"],
                          "short")):
            r = cli("user", "add", "--data", dp, *args, "--password-stdin",
                    input=(pw + "\n").encode())
            if r.rc == 0 or not japanese(r.err):
                self.problems.append("user add %r: %r" % (args, r.err))
        self.assert_no_problems()


# ---------------------------------------------------------------------------------------------
# (b) the sources

SRC = os.path.join(harness.REPO, "src")
PLATFORM_DIRS = ("http", "auth")
# Functions that return (or write) a reason shown to a person: every literal in them must be
# Japanese (SQL and formats without letters aside).
REASON_FUNCTIONS = ("emergency_shape_check", "plan_entry_check", "plan_change_locked",
                    "validate")
# Reasons written only to the log (English like every log line): file → the assignment.
LOG_ONLY = {"mail/inbound.c": "res->why"}
# Variables that carry a reason in one file (file → variable name).
REASON_VARIABLES = {"attendance/roster_import.c": "bad"}
# Functions whose argument at this index (from 0) is a person-visible message.
MESSAGE_ARGS = {"http_error": 2, "http_error_as": 3, "api_site_for_caller": 5, "cli_fail": 0,
                "set_msg": 2}
CLI_FILES = ("main.c", "app.c", "attendance/cli.c", "attendance/cli_report.c",
             "attendance/demo.c", "attendance/simulate.c", "attendance/sim_history.c",
             "mail_in.c", "mail_in_main.c",
             "schoolmail/cli.c", "schoolmail/demo.c", "bathpass/cli.c", "bathpass/demo.c")
LITERAL = re.compile(r'"((?:[^"\\\n]|\\.)*)"')


def strip_comments(text):
    """The C source with comments blanked (line numbers kept) and character literals made
    harmless."""
    out, i, n = [], 0, len(text)
    while i < n:
        if text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append("".join(c if c == "\n" else " " for c in text[i:j]))
            i = j
        elif text[i] == '"':
            m = LITERAL.match(text, i)
            if not m:
                out.append(text[i])
                i += 1
                continue
            out.append(m.group(0))
            i = m.end()
        elif text[i] == "'":
            m = re.compile(r"'(?:[^'\\\n]|\\.)*'").match(text, i)
            j = m.end() if m else i + 1
            out.append("' '" if m else text[i])
            i = j
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def call_args(text, start):
    """The arguments (as source text) of the call whose '(' is at start, and the end index."""
    depth, args, cur, i = 0, [], [], start
    while i < len(text):
        c = text[i]
        if c == '"':
            m = LITERAL.match(text, i)
            if m:
                cur.append(m.group(0))
                i = m.end()
                continue
        if c in "([{":
            depth += 1
            if depth == 1:
                i += 1
                continue
        elif c in ")]}":
            depth -= 1
            if depth == 0:
                args.append("".join(cur).strip())
                return args, i
        elif c == "," and depth == 1:
            args.append("".join(cur).strip())
            cur = []
            i += 1
            continue
        cur.append(c)
        i += 1
    return args, i


def macros(text):
    """#define NAME "literal…" of a file: NAME → the literals' text."""
    out = {}
    for m in re.finditer(r'^#define\s+(\w+)[ \t]*(?:\\\n\s*)?((?:"(?:[^"\\\n]|\\.)*"\s*(?:\\\n\s*)?)+)',
                         text, re.M):
        out[m.group(1)] = "".join(LITERAL.findall(m.group(2)))
    return out


def function_bodies(text, names):
    """(name, body text, line) of the definitions of the named functions in text."""
    for name in names:
        for m in re.finditer(r"^[\w \*]*\b%s\s*\([^;{]*\)\s*\{" % re.escape(name), text, re.M):
            depth, i = 0, m.end() - 1
            while i < len(text):
                if text[i] == "{":
                    depth += 1
                elif text[i] == "}":
                    depth -= 1
                    if depth == 0:
                        break
                i += 1
            yield name, text[m.end():i], text.count("\n", 0, m.start()) + 1


def literal_texts(expr, defs):
    """The string literals of an expression (adjacent ones joined; each branch of ?: apart),
    with macros resolved; literals compared with strcmp and the like are not messages."""
    expr = re.sub(r"\b(?:strn?cmp|strpbrk|strchr|strstr|strspn|strcspn)\s*\([^()]*\)", "", expr)
    lits = []
    masked = LITERAL.sub(lambda m: lits.append(m.group(1)) or "\x00%d\x00" % (len(lits) - 1),
                         expr)
    texts = []
    for part in re.split(r"[?:]", masked):
        found = [lits[int(i)] for i in re.findall(r"\x00(\d+)\x00", part)]
        if found:
            texts.append("".join(found))
        for name in re.findall(r"\b[A-Z][A-Z0-9_]{2,}\b", part):
            if name in defs:
                texts.append(defs[name])
    return texts


def needs_japanese(s):
    """A literal a person reads: it holds a letter that is not a printf conversion."""
    s = re.sub(r"\\.", "", s)
    return bool(re.search(r"[A-Za-z]", re.sub(r"%[-+ #0-9.*]*(?:ll|l|z|h)?[a-zA-Z]", "", s)))


def source_problems(files):
    problems = []
    for path in files:
        rel = os.path.relpath(path, SRC)
        with open(path, encoding="utf-8") as f:
            text = strip_comments(f.read())
        defs = macros(text)

        def bad(line, what, s):
            problems.append("%s:%d: %s %r" % (rel, line, what, s))

        for fn, idx in MESSAGE_ARGS.items():
            for m in re.finditer(r"\b%s\s*\(" % fn, text):
                args, _ = call_args(text, m.end() - 1)
                line = text.count("\n", 0, m.start()) + 1
                if len(args) <= idx or re.match(r"^(const\s+)?(char|struct|enum)\b", args[0]):
                    continue  # the declaration or definition
                for s in literal_texts(args[idx], defs):
                    if needs_japanese(s) and not japanese(s):
                        bad(line, fn, s)
        var = "why|" + REASON_VARIABLES[rel] if rel in REASON_VARIABLES else "why"
        for m in re.finditer(r"(?:\*|->|\b)(?:%s)\s*=\s*([^;=][^;]*);" % var, text):
            line = text.count("\n", 0, m.start()) + 1
            if rel in LOG_ONLY and text[max(0, m.start() - 3):m.end()].lstrip().startswith(
                    LOG_ONLY[rel]):
                continue
            for s in literal_texts(m.group(1), defs):
                if needs_japanese(s) and not japanese(s):
                    bad(line, "why", s)
        for name, body, line in function_bodies(text, REASON_FUNCTIONS):
            for stmt in body.split(";"):
                for s in literal_texts(stmt, defs):
                    if needs_japanese(s) and not japanese(s) and not re.match(
                            r"^\s*(SELECT|INSERT|UPDATE|DELETE|FROM|WHERE|JOIN|AND)\b", s):
                        bad(line, name, s)
        if rel in CLI_FILES:
            for m in LITERAL.finditer(text):
                s = m.group(1)
                # "mimamori: site add: %s\n": the command's name is no message.
                rest = re.sub(r"^mimamori: (?:[a-z][a-z -]*: )?", "", s)
                if s.startswith("mimamori: ") and needs_japanese(rest) and not japanese(s):
                    bad(text.count("\n", 0, m.start()) + 1, "CLI error", s)
    return problems


def c_files(platform):
    files = sorted(glob.glob(os.path.join(SRC, "**", "*.c"), recursive=True))
    return [f for f in files
            if (os.path.relpath(f, SRC).split(os.sep)[0] in PLATFORM_DIRS) == platform]


class JapaneseSourceTest(unittest.TestCase):
    def test_messages_in_the_sources_are_japanese(self):
        files = c_files(platform=False)
        self.assertGreater(len(files), 40)
        problems = source_problems(files)
        self.assertEqual(problems, [], "%d English message(s):\n%s" % (len(problems),
                                                                      "\n".join(problems)))

    def test_platform_messages_in_the_sources_are_japanese(self):
        problems = source_problems(c_files(platform=True))
        self.assertEqual(problems, [], "%d English message(s):\n%s" % (len(problems),
                                                                      "\n".join(problems)))

    def test_the_check_finds_english(self):
        """The static check itself: it sees English in each kind of place."""
        import tempfile
        with tempfile.TemporaryDirectory() as d:
            p = os.path.join(d, "x.c")
            with open(p, "w", encoding="utf-8") as f:
                f.write('#define BAD "bad link"\n'
                        'static int f(void) {\n'
                        '\treturn http_error(rs, ERR_INVALID, "no such thing");\n'
                        '\thttp_error_as(rs, e, "code", ok ? "日本語" : "english");\n'
                        '\thttp_error(rs, e, BAD);\n'
                        '\t*why = "a reason";\n'
                        '\tres->why = "日本語の理由";\n'
                        '\treturn cli_fail("usage: x %s", y);\n'
                        '\tfprintf(stderr, "mimamori: cannot open %s\\n", d);\n'
                        '\thttp_error(rs, e, "%s");\n'
                        '}\n'
                        'const char *plan_entry_check(int x) {\n\treturn "leave must be";\n}\n')
            global SRC
            saved, SRC = SRC, d
            try:
                got = source_problems([p])
            finally:
                SRC = saved
        self.assertEqual(len(got), 6, got)


if __name__ == "__main__":
    unittest.main()
