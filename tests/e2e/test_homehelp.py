# SPDX-License-Identifier: MIT
"""test_homehelp.py — household support (家事・育児支援事業, seed 001; issue 16) end to end through
a real server: a household's registration on the benefit path (the contractor receives and checks
eligibility, holds it for something to clarify, closes the check; the ward alone decides; the
decision is notified); the hour caps of 別表1・2 through the API for several rows (a 0-year-old
first child: 60 hours of which the first 14 are free; a 1-year-old in childcare is not eligible;
a 1-year-old with a 2-year-old sibling: 40 hours, 20 once the sibling's childcare starts; twins;
a multiple pregnancy; 3-year-old siblings); visits (2 hours or more, within the cap, never
babysitting, dispatched to an active supporter only, done with their record and a follow-up for
the public health nurse that the ward takes); the fee at [homehelp] fee_yen_hour (rounded down);
the monthly report (CSV with a BOM, PDF) and a household's statement, each in the handover
ledger; every route refused to a grant account of another benefit or of none; nothing personal
in the clear in the data directory (and on PostgreSQL in the database's files); the audit log
verifies. Runs on SQLite and PostgreSQL (engines.py). Generated, fictional data only."""
import datetime
import hashlib
import os
import re
import time

import engines
import harness
from harness import ServerTestCase

JST = datetime.timezone(datetime.timedelta(hours=9))
# The server's and the CLI's clock: a November day of fiscal year 2026 (JST noon), so that ages,
# stages and months do not depend on the day the tests run.
NOW = int(datetime.datetime(2026, 11, 20, 12, 0, tzinfo=JST).timestamp())
TODAY = "2026-11-20"
MONTH = "2026-11"
API = "/api/v1/homehelp"
ROUTES = os.path.join(harness.REPO, "src", "homehelp", "routes.c")

# Fictional people of this module; the canary looks for each of these in the data directory.
GUARDIAN = "鶯谷 澄香"
ADDRESS = "東京都桜台区若葉町7丁目3番9号 コーポ鶯302号室"
PHONE = "090-7513-2468"
EMAIL = "uguisudani.sumika.k4@example.jp"
CHILD = "鶯谷 陽葵"
SUPPORTER = "轟木 真砂子"
SUPPORTER_ADDRESS = "東京都桜台区旭町2丁目15番8号"
SUPPORTER_PHONE = "080-6420-1937"
ACCOUNT = "7351902"
OBSERVED = "母親は少し疲れた様子で、鶯谷さん宅の子どもは機嫌よく過ごした"
CONCERN = "母親が夜ほとんど眠れていないと話していた。保健師の訪問を勧めたい"


def child(name, birth, multiple=False, childcare="", care_from=""):
    return {"name": name, "birth": birth, "multiple": multiple, "childcare": childcare,
            "care_from": care_from}


def household(guardian, children, pregnant=False, handbook="", **kw):
    f = {"guardian": guardian, "address": "東京都桜台区本町1丁目2番3号", "phone": "03-5555-0101",
         "email": "", "emergency": "祖母 090-0000-1111", "family": "父・母・子",
         "living": "共働き。実家が遠方", "health": "産後の疲れがある", "wanted": "食事の用意と洗濯",
         "tax": "課税", "welfare": False, "pregnant_multiple": pregnant, "handbook": handbook,
         "children": children}
    f.update(kw)
    return f


def supporter(code, name="支援 花子", active_bank=None, **kw):
    s = {"code": code, "name": name, "address": "東京都桜台区本町1丁目1番", "phone": "090-0000-0000",
         "email": "", "birth": "1975-04-01", "helper": True, "career": "保育士として10年勤務",
         "bank": active_bank or {"bank_code": "9990", "branch_code": "001", "type": 1,
                                 "number": "1234567", "holder": "シエン ハナコ"}}
    s.update(kw)
    return s


def hm(minutes):
    return "%d時間%02d分" % (minutes // 60, minutes % 60)


ROLE_MACROS = {"CONTRACTOR": {"grant_operator", "grant_supervisor"},
               "WARD": {"grant_staff", "grant_approver"},
               "ALL": {"grant_operator", "grant_supervisor", "grant_staff", "grant_approver"}}


def routes():
    """Every route of routes.c: [(method, path with 1 for each parameter, {roles})]."""
    with open(ROUTES, encoding="utf-8") as f:
        text = f.read()
    found = re.findall(r'\{"(GET|POST|PUT|DELETE)", "(/api/v1/homehelp/[^"]*)",\s*([^,]+),', text)
    assert len(found) >= 20, found
    out = []
    for method, path, expr in found:
        roles = set()
        for tok in re.split(r"\s*\|\s*", expr.strip()):
            roles |= ROLE_MACROS.get(tok) or {tok.replace("ROLE_", "").lower()}
        out.append((method, path.replace("{}", "1"), roles))
    return out


class HomehelpBase(ServerTestCase):
    """A data directory and a server with the clock at NOW; the accounts: the contractor's
    operator (op) and supervisor (sv), the ward's staff (ws) and approver (ap), all scoped to
    household support. Subclasses name more accounts in EXTRA (login, role, benefit or None)."""

    EXTRA = ()

    def setUp(self):
        self._now_before = os.environ.get("MIMAMORI_FAKE_NOW")
        os.environ["MIMAMORI_FAKE_NOW"] = str(NOW)
        self._started = time.time()
        super().setUp()
        d = self.data
        accounts = [("op", "grant_operator", "homehelp"), ("sv", "grant_supervisor", "homehelp"),
                    ("ws", "grant_staff", "homehelp"), ("ap", "grant_approver", "homehelp")]
        accounts += list(self.EXTRA)
        for login, role, benefit in accounts:
            d.user_add(login, role)
            if benefit:
                harness.cli_ok(benefit, "staff", "--data", d.path, "--login", login)
        self.srv = self.start_server()
        self.c = {}
        for login, _role, _benefit in accounts:
            c = self.srv.client()
            r = c.login(login)
            self.assertEqual(r.status, 200, r)
            self.c[login] = c

    def tearDown(self):
        super().tearDown()
        if self._now_before is None:
            os.environ.pop("MIMAMORI_FAKE_NOW", None)
        else:
            os.environ["MIMAMORI_FAKE_NOW"] = self._now_before

    # -- helpers -------------------------------------------------------------------------------
    def call(self, who, method, path, body=None, status=200):
        r = self.c[who].request(method, API + path, body=body)
        self.assertEqual(r.status, status, (who, method, path, r))
        return r

    def post(self, who, path, body=None, status=200):
        return self.call(who, "POST", path, body if body is not None else {}, status)

    def register(self, form):
        r = self.post("op", "/households", form, 201)
        h = r.json["household"]
        self.assertEqual((h["state"], h["state_label"]), ("submitted", "受付（資格確認中）"))
        self.assertRegex(h["number"], r"^2026\d{6}$")
        return h

    def get(self, hid, who="op"):
        return self.call(who, "GET", "/households/%d" % hid).json["household"]

    def screened(self, hid):
        for it in ("guardian", "children", "eligibility"):
            self.post("op", "/households/%d/checks" % hid, {"item": it, "checked": True})
        h = self.post("op", "/households/%d/screen" % hid).json["household"]
        self.assertEqual(h["state"], "screened")
        return h

    def registered(self, form, starts_on):
        """A household registered, checked, decided from starts_on and notified."""
        hid = self.register(form)["id"]
        self.screened(hid)
        h = self.post("ap", "/households/%d/decide" % hid,
                      {"decision": "approve", "starts_on": starts_on}).json["household"]
        self.assertEqual((h["state"], h["starts_on"]), ("approved", starts_on))
        h = self.post("ws", "/households/%d/notify" % hid).json["household"]
        self.assertEqual((h["state"], h["state_label"]), ("notified", "利用中（利用決定・通知済）"))
        return h

    def supporter(self, code, **kw):
        r = self.post("op", "/supporters", supporter(code, **kw), 201)
        return r.json["supporter"]["id"]

    def visit(self, hid, date, start, end, kinds=("meal",), status=201):
        r = self.post("op", "/households/%d/visits" % hid,
                      {"date": date, "start": start, "end": end, "kinds": list(kinds)}, status)
        return r.json["visit"] if status == 201 else r.json

    def done(self, vid, sid, start, end, kinds=("meal",), follow=False, seen="元気に過ごした",
             concerns=""):
        self.post("op", "/visits/%d/dispatch" % vid, {"supporter_id": sid})
        h = self.post("op", "/visits/%d/done" % vid,
                      {"start": start, "end": end, "kinds": list(kinds), "observations": seen,
                       "concerns": concerns, "follow_up": follow}).json["household"]
        return [v for v in h["visits"] if v["id"] == vid][0], h

    def error(self, r, status, code):
        self.assertEqual((r.status, r.json.get("code")), (status, code), r)
        return r.json["message"]


# ---------------------------------------------------------------------------------------------
class RegistrationTest(HomehelpBase):
    """The benefit path: received, checked, held and received again, closed; the ward decides
    (the contractor cannot), the decision is notified; a rejection with its reason."""

    def test_registration_checks_decision_notice(self):
        # the form's refusals, each naming the problem
        bad = household("", [child("試験 一郎", "2026-05-10")])
        r = self.post("op", "/households", bad, 400)
        self.assertIn("保護者の氏名", self.error(r, 400, "bad_form"))
        r = self.post("op", "/households", household("試験 花子", [child(
            "試験 一郎", "2026-05-10", childcare="一時預かり", care_from="2026-06-01")]), 400)
        self.assertIn("一時預かり", self.error(r, 400, "bad_form"))
        r = self.post("op", "/households", household("試験 花子", [child(
            "試験 一郎", "2026-05-10")], handbook="第1号"), 400)
        self.assertIn("多胎妊婦", self.error(r, 400, "bad_form"))
        r = self.post("op", "/households", household("試験 花子", [child(
            "試験 一郎", "2026-12-01")]), 400)
        self.assertIn("生年月日", self.error(r, 400, "bad_form"))
        r = self.post("op", "/households", household("試験 花子", [child(
            "試験 一郎", "2026-05-10")], tax="不明"), 400)
        self.assertIn("課税", self.error(r, 400, "bad_form"))
        # the ward does not register
        self.post("ws", "/households", household("試験 花子", [child("試験 一郎", "2026-05-10")]),
                  403)

        h = self.register(household("試験 花子", [child("試験 一郎", "2026-05-10")]))
        hid = h["id"]
        self.assertEqual([c["checked"] for c in h["checks"]], [False, False, False])
        self.assertEqual([c["item"] for c in h["checks"]], ["guardian", "children", "eligibility"])
        self.assertEqual(h["applied_on"], TODAY)
        # closing the check needs every item
        r = self.post("op", "/households/%d/screen" % hid, status=409)
        self.assertIn("保護者・世帯", self.error(r, 409, "unchecked"))
        self.post("ws", "/households/%d/checks" % hid, {"item": "guardian", "checked": True}, 403)
        r = self.post("op", "/households/%d/checks" % hid, {"item": "bank", "checked": True}, 400)
        self.error(r, 400, "bad_item")
        for it in ("guardian", "children"):
            h = self.post("op", "/households/%d/checks" % hid,
                          {"item": it, "checked": True}).json["household"]
        self.assertEqual([c["checked"] for c in h["checks"]], [True, True, False])
        h = self.post("sv", "/households/%d/checks" % hid,
                      {"item": "children", "checked": False}).json["household"]
        self.assertEqual([c["checked"] for c in h["checks"]], [True, False, False])
        # held for something to clarify with the family, then received again
        r = self.post("op", "/households/%d/return" % hid, {"note": ""}, 400)
        self.error(r, 400, "no_note")
        h = self.post("op", "/households/%d/return" % hid,
                      {"note": "保育サービスの利用開始日を確かめる"}).json["household"]
        self.assertEqual((h["state"], h["state_label"], h["fix_note"]),
                         ("returned", "保留（世帯に確認中）", "保育サービスの利用開始日を確かめる"))
        r = self.post("op", "/households/%d/checks" % hid, {"item": "eligibility",
                                                            "checked": True}, 409)
        self.error(r, 409, "wrong_state")
        self.post("ws", "/households/%d/resubmit" % hid, status=403)
        h = self.post("op", "/households/%d/resubmit" % hid).json["household"]
        self.assertEqual(h["state"], "submitted")
        # received again, it is checked again from the start
        self.assertEqual([c["checked"] for c in h["checks"]], [False, False, False])
        r = self.post("op", "/households/%d/screen" % hid, status=409)
        self.error(r, 409, "unchecked")
        self.screened(hid)
        # the ward decides; the contractor cannot, nor the ward's staff
        for who in ("op", "sv", "ws"):
            self.post(who, "/households/%d/decide" % hid,
                      {"decision": "approve", "starts_on": "2026-11-01"}, 403)
        r = self.post("ap", "/households/%d/decide" % hid, {"decision": "maybe"}, 400)
        self.error(r, 400, "bad_decision")
        r = self.post("ap", "/households/%d/decide" % hid,
                      {"decision": "approve", "starts_on": "2026-11-31"}, 400)
        self.error(r, 400, "bad_date")
        h = self.post("ap", "/households/%d/decide" % hid,
                      {"decision": "approve", "starts_on": "2026-11-01"}).json["household"]
        self.assertEqual((h["state"], h["state_label"], h["starts_on"], h["decided_on"]),
                         ("approved", "利用決定（通知前）", "2026-11-01", TODAY))
        r = self.post("ap", "/households/%d/decide" % hid, {"decision": "approve"}, 409)
        self.error(r, 409, "wrong_state")
        # the notice: the contractor's supervisor or the ward, not the operator
        self.post("op", "/households/%d/notify" % hid, status=403)
        h = self.post("sv", "/households/%d/notify" % hid).json["household"]
        self.assertEqual((h["state"], h["state_label"]), ("notified", "利用中（利用決定・通知済）"))
        self.assertEqual([s["to"] for s in h["steps"]],
                         ["submitted", "returned", "submitted", "screened", "approved", "notified"])
        self.assertEqual([s["by"] for s in h["steps"]], ["op", "op", "op", "op", "ap", "sv"])
        # the list, by state, for everyone of the service
        for who in ("op", "sv", "ws", "ap"):
            r = self.call(who, "GET", "/households?state=notified")
            self.assertEqual([(x["id"], x["guardian"], x["children"]) for x in
                              r.json["households"]], [(hid, "試験 花子", 1)])
        self.assertEqual(self.call("ws", "GET", "/households?state=submitted").json["households"],
                         [])

        # a rejection: its reason, notified; the household can no longer change or be used
        hid2 = self.register(household("試験 次子", [child("試験 二郎", "2026-03-03")]))["id"]
        self.screened(hid2)
        r = self.post("ap", "/households/%d/decide" % hid2, {"decision": "reject"}, 400)
        self.error(r, 400, "bad_decision")
        h = self.post("ap", "/households/%d/decide" % hid2,
                      {"decision": "reject", "reason": "区外に転出したため"}).json["household"]
        self.assertEqual((h["state"], h["state_label"], h["reason"]),
                         ("rejected", "却下（通知前）", "区外に転出したため"))
        h = self.post("ws", "/households/%d/notify" % hid2).json["household"]
        self.assertEqual(h["state_label"], "却下・通知済")
        r = self.call("op", "PUT", "/households/%d" % hid2,
                      household("試験 次子", [child("試験 二郎", "2026-03-03")]), 409)
        self.error(r, 409, "wrong_state")
        r = self.visit(hid2, "2026-11-25", "10:00", "12:00", status=409)
        self.assertEqual(r["code"], "not_registered")
        r = self.call("op", "GET", "/households/999999", status=404)
        self.error(r, 404, "no_household")
        # Retention (利用終了から5年, the end of use being the last visit): the notified
        # household's visit on 2026-12-01 keeps it while the refused one goes five years after
        # its decision; five years after that visit it goes too, with its visits and steps.
        self.visit(hid, "2026-12-01", "10:00", "12:00")
        self.srv.stop()
        q = lambda sql: self.data.query(sql)[0][0]  # noqa: E731
        self.assertEqual(harness.retention_run_at(self.data, TODAY, 1000,
                                                  "homehelp_households"), 0)
        self.assertEqual(harness.retention_run_at(self.data, TODAY, 1830,
                                                  "homehelp_households"), 1)
        self.assertEqual(self.data.query("SELECT id FROM hh_households"), [(hid,)])
        self.assertEqual(q("SELECT count(*) FROM hh_visits"), 1)
        self.assertEqual(harness.retention_run_at(self.data, "2026-12-01", 1830,
                                                  "homehelp_households"), 1)
        for table in ("hh_households", "hh_visits", "hh_steps"):
            self.assertEqual(q("SELECT count(*) FROM " + table), 0, table)
        self.assertEqual(self.data.audit_verify().rc, 0)


# ---------------------------------------------------------------------------------------------
class CapTest(HomehelpBase):
    """The caps of 別表1・2 as the API shows them today and as visits meet them."""

    def usage(self, form):
        return self.register(form)["usage"]

    def test_rows_of_the_tables(self):
        # 別表1: a 0-year-old first child — 60 hours, 14 of them free; the stage is the year of
        # age from the birthday
        u = self.usage(household("試験 一子", [child("試験 一", "2026-05-10")]))
        self.assertEqual(u, {"eligible": True, "row": "別表1 0歳児・第1子", "cap_hours": 60,
                             "free_hours": 14, "stage_from": "2026-05-10",
                             "stage_to": "2027-05-09", "used_min": 0, "free_used_min": 0,
                             "remaining_min": 3600})
        # a 0-year-old with a 3-year-old sibling: 20 hours, still 14 free
        u = self.usage(household("試験 三子", [child("試験 三", "2026-02-02"),
                                            child("試験 姉", "2022-04-04", childcare="認可保育所",
                                                  care_from="2023-04-01")]))
        self.assertEqual((u["row"], u["cap_hours"], u["free_hours"]),
                         ("別表1 0歳児・3歳以上の兄弟がいる（保育要件あり）", 20, 14))
        # a 2-year-old first child without childcare: 20 hours, none free
        u = self.usage(household("試験 二子", [child("試験 二", "2024-07-07")]))
        self.assertEqual((u["row"], u["cap_hours"], u["free_hours"], u["stage_from"],
                          u["stage_to"]),
                         ("別表1 2歳児・第1子（保育要件あり）", 20, 0, "2026-07-07", "2027-07-06"))
        # 別表2: twins of one — 180 hours; a multiple pregnancy — 240 hours
        u = self.usage(household("試験 双子", [child("試験 左", "2025-09-01", multiple=True),
                                            child("試験 右", "2025-09-01", multiple=True)]))
        self.assertEqual((u["row"], u["cap_hours"], u["free_hours"]),
                         ("別表2 多胎児・1歳以上2歳未満", 180, 0))
        u = self.usage(household("試験 妊婦", [], pregnant=True, handbook="第4821号"))
        self.assertEqual((u["row"], u["cap_hours"], u["stage_from"], u["stage_to"]),
                         ("別表2 多胎児・妊娠が判明してから1歳未満", 240, TODAY, "9999-12-31"))
        # no child under 3: no row
        u = self.usage(household("試験 大子", [child("試験 大", "2022-01-01")]))
        self.assertEqual(u, {"eligible": False})

    def test_childcare_and_siblings(self):
        # a 1-year-old in childcare (保育要件): registered, but the ward cannot decide its use
        hid = self.register(household("試験 保育", [child("試験 保", "2025-06-01",
                                                       childcare="認可保育所",
                                                       care_from="2026-04-01")]))["id"]
        self.assertEqual(self.get(hid)["usage"], {"eligible": False})
        self.screened(hid)
        r = self.post("ap", "/households/%d/decide" % hid,
                      {"decision": "approve", "starts_on": "2026-11-01"}, 409)
        self.assertIn("別表1・2", self.error(r, 409, "not_eligible"))
        self.assertEqual(self.get(hid)["state"], "screened")

        # a 1-year-old with a 2-year-old sibling at home: 40 hours
        kids = [child("試験 弟", "2025-08-01"), child("試験 兄", "2024-06-15")]
        form = household("試験 兄弟", kids)
        h = self.registered(form, "2026-11-01")
        hid = h["id"]
        self.assertEqual((h["usage"]["row"], h["usage"]["cap_hours"], h["usage"]["free_hours"],
                          h["usage"]["stage_from"], h["usage"]["stage_to"]),
                         ("別表1 1歳児・2歳児の兄弟がいる（保育要件あり）", 40, 0, "2026-08-01",
                          "2027-07-31"))
        sid = self.supporter("S1")
        v = self.visit(hid, "2026-11-05", "09:00", "17:00", ("cleaning", "laundry"))
        visit, h = self.done(v, sid, "09:00", "17:00", ("cleaning", "laundry"))
        self.assertEqual((visit["minutes"], visit["free_min"], visit["fee_yen"]), (480, 0, 8000))
        self.assertEqual(h["usage"]["remaining_min"], 32 * 60)
        # the sibling starts childcare: the contractor keeps the household current, the cap
        # falls to 20 hours and the hours used in the stage count against it
        kids[1].update(childcare="認可保育所", care_from="2026-11-10")
        h = self.call("op", "PUT", "/households/%d" % hid, household("試験 兄弟", kids)).json[
            "household"]
        self.assertEqual(h["form"]["children"][1]["childcare"], "認可保育所")
        u = h["usage"]
        self.assertEqual((u["row"], u["cap_hours"], u["used_min"], u["remaining_min"]),
                         ("別表1 1歳児・2歳児の兄弟が保育サービスを利用（保育要件あり）", 20, 480,
                          12 * 60))
        self.call("ws", "PUT", "/households/%d" % hid, household("試験 兄弟", kids), 403)
        # over the cap: refused, naming the row, the hours and what is left
        r = self.post("op", "/households/%d/visits" % hid,
                      {"date": "2026-11-21", "start": "09:00", "end": "21:30",
                       "kinds": ["meal"]}, 409)
        msg = self.error(r, 409, "over_cap")
        for want in ("上限20時間", "2026-08-01〜2027-07-31", "8時間00分", "残り12時間00分",
                     "今回 12時間30分", "保育サービスを利用"):
            self.assertIn(want, msg)
        # exactly what is left is accepted; then nothing more on a day of the 20-hour row
        self.visit(hid, "2026-11-21", "09:00", "21:00")
        self.assertEqual(self.get(hid)["usage"]["remaining_min"], 0)
        r = self.post("op", "/households/%d/visits" % hid,
                      {"date": "2026-11-22", "start": "09:00", "end": "11:00",
                       "kinds": ["meal"]}, 409)
        self.assertIn("残り0時間00分", self.error(r, 409, "over_cap"))
        # on a day before the sibling's childcare began the 40 hours of that day still hold
        self.visit(hid, "2026-11-06", "09:00", "17:00")
        r = self.post("op", "/households/%d/visits" % hid,
                      {"date": "2026-11-07", "start": "09:00", "end": "22:00",
                       "kinds": ["meal"]}, 409)
        msg = self.error(r, 409, "over_cap")
        self.assertIn("上限40時間", msg)
        self.assertIn("28時間00分、残り12時間00分", msg)


# ---------------------------------------------------------------------------------------------
class VisitTest(HomehelpBase):
    """Visits, fees, follow-ups, the month's papers and the handover ledger."""

    def test_visits_fees_follow_ups_and_reports(self):
        form = household("試験 利用", [child("試験 乳", "2026-05-10")])
        h = self.registered(form, "2026-06-01")
        hid = h["id"]
        s1 = self.supporter("S1", name="支援 一子")
        s2 = self.supporter("S2", name="支援 二子")
        r = self.post("op", "/supporters", supporter("S1"), 409)
        self.error(r, 409, "code_taken")
        r = self.post("op", "/supporters", supporter("S3", active_bank={
            "bank_code": "9990", "branch_code": "999", "type": 1, "number": "1",
            "holder": "シエン"}), 400)
        self.error(r, 400, "bad_supporter")
        self.call("ws", "GET", "/supporters", status=403)
        r = self.call("op", "PUT", "/supporters/%d" % s2, {"active": False})
        self.assertEqual(r.json["supporter"], {"id": s2, "active": False})
        sup = self.call("sv", "GET", "/supporters").json["supporters"]
        self.assertEqual([(x["code"], x["active"], x["name"]) for x in sup],
                         [("S1", True, "支援 一子"), ("S2", False, "支援 二子")])
        self.assertEqual(sup[0]["age"], 51)
        self.assertNotIn("bank", sup[0])

        # the request's refusals
        r = self.post("op", "/households/%d/visits" % hid,
                      {"date": "2026-11-02", "start": "10:00", "end": "11:59", "kinds": ["meal"]},
                      400)
        self.assertIn("2時間以上", self.error(r, 400, "too_short"))
        for kinds in (["babysitting"], [], ["meal", "meal"], ["meal", "sitter"]):
            r = self.post("op", "/households/%d/visits" % hid,
                          {"date": "2026-11-02", "start": "10:00", "end": "12:00",
                           "kinds": kinds}, 400)
            self.assertIn("ベビーシッターは対象外", self.error(r, 400, "bad_kinds"))
        r = self.post("op", "/households/%d/visits" % hid,
                      {"date": "2026-11-2", "start": "10:00", "end": "12:00", "kinds": ["meal"]},
                      400)
        self.error(r, 400, "bad_visit")
        r = self.post("op", "/households/%d/visits" % hid,
                      {"date": "2026-05-31", "start": "10:00", "end": "12:00", "kinds": ["meal"]},
                      409)
        self.error(r, 409, "before_start")
        self.post("ws", "/households/%d/visits" % hid,
                  {"date": "2026-11-02", "start": "10:00", "end": "12:00", "kinds": ["meal"]},
                  403)

        # a visit still to come is not done yet: no hours used, no word to the nurse
        later = self.visit(hid, "2026-11-21", "09:00", "17:00")
        self.post("op", "/visits/%d/dispatch" % later, {"supporter_id": s1})
        r = self.post("op", "/visits/%d/done" % later, {"start": "09:00", "end": "17:00",
                                                        "kinds": ["meal"], "observations": "x",
                                                        "follow_up": True}, 409)
        self.assertIn("まだ来ていない日", self.error(r, 409, "not_yet"))
        self.post("op", "/visits/%d/cancel" % later, {})
        # a visit dispatched to an active supporter only, done with its record and a follow-up
        v1 = self.visit(hid, "2026-11-02", "09:00", "17:00", ("meal", "cleaning"))
        r = self.post("op", "/visits/%d/dispatch" % v1, {"supporter_id": s2}, 400)
        self.error(r, 400, "bad_supporter")
        r = self.post("op", "/visits/%d/dispatch" % v1, {"supporter_id": 999}, 400)
        self.error(r, 400, "bad_supporter")
        r = self.post("op", "/visits/%d/done" % v1, {"start": "09:00", "end": "17:00",
                                                     "kinds": ["meal"], "observations": "x"}, 409)
        self.error(r, 409, "wrong_state")
        visit, h = self.done(v1, s1, "09:00", "17:00", ("meal", "cleaning", "childcare"),
                             follow=True, seen="母親は疲れた様子", concerns="夜眠れていない")
        self.assertEqual((visit["state"], visit["kinds"], visit["minutes"], visit["free_min"],
                          visit["fee_yen"], visit["paid"], visit["follow_up"], visit["supporter"],
                          visit["record"]),
                         ("done", "meal,cleaning,childcare", 480, 480, 0, False, True, "S1",
                          {"observations": "母親は疲れた様子", "concerns": "夜眠れていない"}))
        # the next 8 hours: the 6 free hours left, then 2 paid at 1,000 yen
        v2 = self.visit(hid, "2026-11-09", "09:00", "17:00")
        r = self.post("op", "/visits/%d/done" % v2, {"start": "09:00", "end": "10:00",
                                                     "kinds": ["meal"], "observations": "x"}, 409)
        self.error(r, 409, "wrong_state")  # not dispatched yet
        self.post("op", "/visits/%d/dispatch" % v2, {"supporter_id": s1})
        r = self.post("op", "/visits/%d/done" % v2, {"start": "09:00", "end": "10:30",
                                                     "kinds": ["meal"], "observations": "x"}, 400)
        self.error(r, 400, "too_short")
        r = self.post("op", "/visits/%d/done" % v2, {"start": "09:00", "end": "17:00",
                                                     "kinds": ["babysitting"],
                                                     "observations": "x"}, 400)
        self.error(r, 400, "bad_kinds")
        for seen in ("", None):
            r = self.post("op", "/visits/%d/done" % v2, {"start": "09:00", "end": "17:00",
                                                         "kinds": ["meal"], "observations": seen},
                          400)
            self.assertIn("様子", self.error(r, 400, "bad_record"))
        visit, h = self.done(v2, s1, "09:00", "17:00")
        self.assertEqual((visit["minutes"], visit["free_min"], visit["fee_yen"]), (480, 360, 2000))
        # no free hours left: 125 minutes at 1,000 yen an hour, rounded down
        v3 = self.visit(hid, "2026-11-16", "10:00", "12:05", ("hospital",))
        visit, h = self.done(v3, s1, "10:00", "12:05", ("hospital",))
        self.assertEqual((visit["minutes"], visit["free_min"], visit["fee_yen"]), (125, 0, 2083))
        # [homehelp] fee_yen_hour: 1,250 yen an hour
        with open(os.path.join(self.data.path, "mimamori.conf"), "a", encoding="utf-8") as f:
            f.write("\n[homehelp]\nfee_yen_hour = 1250\n")
        v4 = self.visit(hid, "2026-11-18", "22:00", "00:05", ("other",))
        visit, h = self.done(v4, s1, "22:00", "00:05", ("other",))
        self.assertEqual((visit["start"], visit["end"], visit["minutes"], visit["fee_yen"]),
                         ("22:00", "00:05", 125, 2604))
        # the fee paid; a visit cancelled counts for nothing
        self.post("op", "/visits/%d/paid" % v1, status=200)
        h = self.post("op", "/visits/%d/paid" % v2).json["household"]
        self.assertTrue([v for v in h["visits"] if v["id"] == v2][0]["paid"])
        v5 = self.visit(hid, "2026-11-25", "10:00", "12:00")
        r = self.post("op", "/visits/%d/paid" % v5, status=409)
        self.error(r, 409, "wrong_state")
        h = self.post("op", "/visits/%d/cancel" % v5).json["household"]
        self.assertEqual([v for v in h["visits"] if v["id"] == v5][0]["state"], "cancelled")
        self.post("op", "/visits/%d/cancel" % v1, status=409)
        u = h["usage"]
        used = 480 + 480 + 125 + 125
        self.assertEqual((u["used_min"], u["free_used_min"], u["remaining_min"]),
                         (used, 840, 3600 - used))
        # over the cap of 60 hours
        self.visit(hid, "2026-11-26", "00:00", "23:00")
        r = self.post("op", "/households/%d/visits" % hid,
                      {"date": "2026-11-27", "start": "00:00", "end": "23:00", "kinds": ["meal"]},
                      409)
        msg = self.error(r, 409, "over_cap")
        self.assertIn("別表1 0歳児・第1子：上限60時間", msg)
        self.assertIn("残り%s" % hm(3600 - used - 1380), msg)

        # the follow-up: the ward (and the contractor's supervisor) see it; the ward takes it
        self.call("op", "GET", "/follow-ups", status=403)
        for who in ("sv", "ws", "ap"):
            f = self.call(who, "GET", "/follow-ups").json["follow_ups"]
            self.assertEqual(f, [{"visit": v1, "date": "2026-11-02", "household": hid,
                                  "number": h["number"], "guardian": "試験 利用",
                                  "observations": "母親は疲れた様子",
                                  "concerns": "夜眠れていない"}])
        self.post("sv", "/visits/%d/follow-seen" % v1, status=403)
        self.post("op", "/visits/%d/follow-seen" % v1, status=403)
        r = self.post("ws", "/visits/%d/follow-seen" % v2, status=409)
        self.error(r, 409, "not_flagged")
        self.post("ws", "/visits/%d/follow-seen" % v1)
        self.assertEqual(self.call("ap", "GET", "/follow-ups").json["follow_ups"], [])

        # the monthly report: CSV (UTF-8 with a BOM), per household and per supporter, totals
        r = self.call("ws", "GET", "/reports/monthly?month=%s&format=csv" % MONTH)
        self.assertTrue(r.body.startswith(b"\xef\xbb\xbf"), r.body[:20])
        self.assertIn("text/csv", r.header("Content-Type"))
        self.assertIn("homehelp-monthly-2026-11.csv", r.header("Content-Disposition"))
        csv_bytes = r.body
        rows = [line.split(",") for line in r.body[3:].decode("utf-8").splitlines()]
        fees = 0 + 2000 + 2083 + 2604
        self.assertEqual(rows, [
            ["区分", "利用者番号・サポーター番号", "氏名", "支援の回数", "時間", "無償の時間",
             "利用料金（円）", "支払済み（円）", "保健師への情報提供"],
            ["世帯", h["number"], "試験 利用", "4", "20:10", "14:00", str(fees), "2000", "1"],
            ["合計", "", "", "4", "20:10", "14:00", str(fees), "2000", "1"],
            ["サポーター", "S1", "支援 一子", "4", "20:10", "", "", "", ""]])
        # the PDF
        r = self.call("ap", "GET", "/reports/monthly?month=%s" % MONTH)
        self.assertEqual(r.header("Content-Type"), "application/pdf")
        pdf_bytes = r.body
        path = os.path.join(self.data.tmp, "monthly.pdf")
        with open(path, "wb") as f:
            f.write(r.body)
        text = harness.pdf_text(path)
        for want in ("家事・育児支援事業 実績報告（令和8年11月）", h["number"], "試験 利用",
                     "20:10", str(fees), "サポーター別", "支援 一子", "合計"):
            self.assertIn(want, text)
        r = self.call("ws", "GET", "/reports/monthly?month=2026-13", status=400)
        self.error(r, 400, "bad_month")
        r = self.call("ws", "GET", "/reports/monthly?month=2026-11&format=xlsx", status=400)
        self.error(r, 400, "bad_format")
        # a household's statement (the contractor's)
        self.call("ws", "GET", "/households/%d/statement?month=%s" % (hid, MONTH), status=403)
        r = self.call("op", "GET", "/households/%d/statement?month=%s" % (hid, MONTH))
        self.assertEqual(r.header("Content-Type"), "application/pdf")
        st_bytes = r.body
        path = os.path.join(self.data.tmp, "statement.pdf")
        with open(path, "wb") as f:
            f.write(r.body)
        text = harness.pdf_text(path)
        for want in ("利用明細", "令和8年11月", "試験 利用", h["number"], "2026-11-02",
                     "09:00〜17:00", "食事提供・清掃・子どもの世話の介助", "通院介助", "2083円",
                     "2604円", "支払済み 2000円", "未払い %d円" % (fees - 2000), "%d円" % fees,
                     "家事・育児支援事業 受付窓口"):
            self.assertIn(want, text)
        # each file in the handover ledger
        rows = self.data.query("SELECT service, actor, content, records, bytes, digest FROM "
                               "ledger WHERE service = 'homehelp' ORDER BY id")
        uid = dict(self.data.query("SELECT login, id FROM users"))

        def digest(b):
            return hashlib.blake2b(b, digest_size=32).hexdigest()
        self.assertEqual(rows, [
            ("homehelp", "user:%d" % uid["ws"], "monthly 2026-11 csv households=1", 1,
             len(csv_bytes), digest(csv_bytes)),
            ("homehelp", "user:%d" % uid["ap"], "monthly 2026-11 pdf households=1", 1,
             len(pdf_bytes), digest(pdf_bytes)),
            ("homehelp", "user:%d" % uid["op"], "statement 2026-11 visits=4", 1,
             len(st_bytes), digest(st_bytes))])
        r = self.data.audit_verify()
        self.assertEqual(r.rc, 0, r)
        acts = {x for (x,) in self.data.query("SELECT action FROM audit WHERE action LIKE "
                                              "'homehelp.%'")}
        self.assertTrue({"homehelp.register", "homehelp.check", "homehelp.screen",
                         "homehelp.approve", "homehelp.notify", "homehelp.visit_request",
                         "homehelp.dispatch", "homehelp.visit_done", "homehelp.fee_paid",
                         "homehelp.follow_seen", "homehelp.supporter_add"} <= acts, acts)


# ---------------------------------------------------------------------------------------------
class ScopeTest(HomehelpBase):
    """Every route refused to a grant account of another benefit (the babysitter subsidy) and to
    one scoped to none; the ward's administrator has no part in it."""

    EXTRA = (("sit_op", "grant_operator", "sitter"), ("sit_sv", "grant_supervisor", "sitter"),
             ("sit_ap", "grant_approver", "sitter"), ("sit_ws", "grant_staff", "sitter"),
             ("none_op", "grant_operator", None), ("admin", "ward_admin", None))

    def test_other_benefits_refused(self):
        hid = self.register(household("試験 範囲", [child("試験 範", "2026-05-10")]))["id"]
        self.assertEqual(hid, 1)  # the routes below name household 1 (and visit, supporter 1)
        self.supporter("S1")
        body = {"item": "guardian", "checked": True}
        roles = {"sit_op": "grant_operator", "sit_sv": "grant_supervisor",
                 "sit_ap": "grant_approver", "sit_ws": "grant_staff", "none_op": "grant_operator",
                 "admin": "ward_admin"}
        seen = set()
        for login, role in roles.items():
            for method, path, allowed in routes():
                r = self.c[login].request(method, path, body=None if method == "GET" else body)
                code = "not_this_service" if role in allowed else "role_denied"
                seen.add(code)
                self.assertEqual((r.status, r.json.get("code")), (403, code),
                                 (login, method, path, r))
        self.assertEqual(seen, {"not_this_service", "role_denied"})
        # a sitter account reaches its own benefit's routes (the scope is the service's)
        self.assertEqual(self.c["sit_op"].get("/api/v1/sitter/applications").status, 200)
        # nothing was changed by the refused calls
        h = self.get(1)
        self.assertEqual((h["state"], [c["checked"] for c in h["checks"]]),
                         ("submitted", [False, False, False]))
        self.assertEqual(self.data.query("SELECT count(*) FROM hh_visits"), [(0,)])
        self.assertEqual(self.data.query("SELECT active FROM hh_supporters"), [(1,)])


# ---------------------------------------------------------------------------------------------
class SealedTest(HomehelpBase):
    """Nothing personal in the clear: the guardian's name, address, phone and mail, the child's
    name, the supporter's name, address, phone and account, the visit's record."""

    def test_sealed_at_rest(self):
        form = household(GUARDIAN, [child(CHILD, "2026-04-01")], address=ADDRESS, phone=PHONE,
                         email=EMAIL)
        h = self.registered(form, "2026-11-01")
        hid = h["id"]
        sid = self.supporter("S9", name=SUPPORTER, address=SUPPORTER_ADDRESS,
                             phone=SUPPORTER_PHONE,
                             active_bank={"bank_code": "9990", "branch_code": "001", "type": 1,
                                          "number": ACCOUNT, "holder": "トドロキ マサコ"})
        v = self.visit(hid, "2026-11-03", "10:00", "13:00", ("meal", "laundry"))
        self.done(v, sid, "10:00", "13:00", ("meal", "laundry"), follow=True, seen=OBSERVED,
                  concerns=CONCERN)
        h = self.post("op", "/households/%d/return" % self.register(form)["id"],
                      {"note": "鶯谷 澄香さんの連絡先を確かめる"}).json["household"]
        self.assertEqual(self.get(hid)["form"]["guardian"], GUARDIAN)
        self.assertEqual(len(self.call("ws", "GET", "/follow-ups").json["follow_ups"]), 1)
        self.call("ws", "GET", "/reports/monthly?month=%s&format=csv" % MONTH)
        needles = {GUARDIAN, ADDRESS, PHONE, PHONE.replace("-", ""), EMAIL, EMAIL.split("@")[0],
                   CHILD, SUPPORTER, SUPPORTER_ADDRESS, SUPPORTER_PHONE, ACCOUNT, "トドロキ マサコ",
                   OBSERVED, CONCERN, "眠れていない", "鶯谷", "轟木", "若葉町7丁目"}
        encoded = []
        for n in sorted(needles):
            encoded += [(n, n.encode("utf-8")), (n, n.encode("utf-16-le"))]
            try:
                encoded.append((n, n.encode("cp932")))
            except UnicodeEncodeError:
                pass
        files = sorted(set(self.data.all_files()) |
                       set(engines.store_files(self.data.path, since=self._started)))
        self.assertTrue(any(f.endswith(".log") for f in files), files)
        self.assertTrue(engines.PG or any(f.endswith("mimamori.db") for f in files), files)
        leaks = []
        for path in files:
            blob = engines.read_bytes(path)
            for n, e in encoded:
                if e in blob:
                    leaks.append("%r in %s" % (n, path))
        self.assertEqual(leaks, [])
        r = self.data.audit_verify()
        self.assertEqual(r.rc, 0, r)


if __name__ == "__main__":
    import unittest
    unittest.main()
