# SPDX-License-Identifier: MIT
"""test_plaza.py — the plazas' user registrations (共育プラザ, seed 001; issue 17 section 1) end to
end through a real server: a desk (plaza_staff of 平井) registers users, searches them (ふりがな,
氏名, 生年月日 in 和暦, 電話番号, カード番号; more than 50 hits: the first 50 in kana order and how
many in all), prints registration cards (a PDF in the handover ledger, whose QR codes zbar
decodes and pdftotext reads), and scans a card to record the day's visit (once a day); 葛西's desk
sees none of 平井's users (404) and cannot record their cards; the counts per plaza, day and age
band for the desk (its plaza) and the ward (every plaza, CSV too); the ward's administrator
assigns desks to plazas, runs the April update of 学年 once a year, lists the users not seen for
[plaza] inactive_years and deletes them with an audit entry each; the CLI does the same work;
nothing personal in the clear in the data directory (and on PostgreSQL in the database's files);
the audit log verifies. Runs on SQLite and PostgreSQL (engines.py). Fictional data only."""
import datetime
import os
import tempfile
import time
from urllib.parse import quote

import engines
import harness
from harness import ServerTestCase

JST = datetime.timezone(datetime.timedelta(hours=9))
# The server's and the CLI's clock: a December day of school year 2026 (JST noon).
NOW = int(datetime.datetime(2026, 12, 6, 12, 0, tzinfo=JST).timestamp())
TODAY = "2026-12-06"
API = "/api/v1/plaza"

# Fictional people of this module; the canary looks for each of these in the data directory.
NAME = "鶺鴒 𠮷乃"
KANA = "せきれい よしの"
ADDRESS = "東京都桜台区若葉町9丁目8番7号 ハイツ鶺鴒105"
PHONE = "03-9182-7364"
SCHOOL = "桜台区立鶺鴒小学校"


def user(name, kana, birth="2016-05-01", phone="", school="桜台区立第一小学校", grade="小5",
         address="東京都桜台区本町1丁目2番3号"):
    return {"name": name, "kana": kana, "address": address, "birth": birth, "phone": phone,
            "school": school, "grade": grade}


class PlazaBase(ServerTestCase):
    """A data directory and a server with the clock at NOW; desks of 平井 (hirai1) and 葛西
    (kasai1), the ward's administrator (admin) and staff (ward)."""

    def setUp(self):
        self._now_before = os.environ.get("MIMAMORI_FAKE_NOW")
        os.environ["MIMAMORI_FAKE_NOW"] = str(NOW)
        self._started = time.time()
        super().setUp()
        d = self.data
        for login, role in (("hirai1", "plaza_staff"), ("kasai1", "plaza_staff"),
                            ("nodesk", "plaza_staff"), ("admin", "ward_admin"),
                            ("ward", "ward_staff")):
            d.user_add(login, role)
        harness.cli_ok("plaza", "staff", "--data", d.path, "--login", "hirai1", "--plaza", "平井")
        harness.cli_ok("plaza", "staff", "--data", d.path, "--login", "kasai1", "--plaza",
                       "kasai")
        self.srv = self.start_server()
        self.c = {}
        for login in ("hirai1", "kasai1", "nodesk", "admin", "ward"):
            c = self.srv.client()
            self.assertEqual(c.login(login).status, 200)
            self.c[login] = c

    def tearDown(self):
        super().tearDown()
        if self._now_before is None:
            os.environ.pop("MIMAMORI_FAKE_NOW", None)
        else:
            os.environ["MIMAMORI_FAKE_NOW"] = self._now_before

    def call(self, who, method, path, body=None, status=200):
        r = self.c[who].request(method, API + path, body=body)
        self.assertEqual(r.status, status, (who, method, path, r))
        return r

    def register(self, who, u):
        return self.call(who, "POST", "/users", u, status=201).json


class DeskTest(PlazaBase):
    def test_desk_registration_search_cards_visits(self):
        me = self.call("hirai1", "GET", "/me").json
        self.assertEqual(me["plaza"]["name"], "平井")
        self.assertEqual(me["fiscal_year"], 2026)
        self.assertIsNone(self.call("admin", "GET", "/me").json["plaza"])
        # A desk account without a plaza is told so.
        r = self.call("nodesk", "GET", "/users?q=" + quote("たなか"), status=403)
        self.assertEqual(r.json["code"], "no_plaza")

        u = self.register("hirai1", user(NAME, KANA, birth="2016-05-01", phone=PHONE,
                                         school=SCHOOL, address=ADDRESS))
        self.assertEqual((u["name"], u["plaza"], u["age"], u["grade"]), (NAME, "平井", 10, "小5"))
        self.assertRegex(u["card_no"], r"^1\d{6}$")
        # Bad input: one clear Japanese line, nothing stored.
        for bad, word in ((user("名前", "山田"), "ふりがな"),
                          (user("名前", "なまえ", birth="2030-01-01"), "生年月日"),
                          (user("名前", "なまえ", grade="小9"), "学年"),
                          ({"name": "名前"}, "必須")):
            r = self.call("hirai1", "POST", "/users", bad, status=400)
            self.assertIn(word, r.json["message"])
        r = self.c["hirai1"].request("POST", API + "/users", body=None,
                                     headers={"Content-Type": "application/json"})
        self.assertEqual(r.status, 400, r)

        # 55 タナカ at 平井 and one at 葛西: the first 50 in kana order and the count of all.
        for i in range(55):
            self.register("hirai1", user("田中 %d" % i, "たなか " + "アイウエオ"[i % 5] + "カキクケコ"[i // 11],
                                         birth="2012-0%d-1%d" % (1 + i % 9, i % 10)))
        kasai = self.register("kasai1", user("田中 葛男", "タナカ カツオ", grade="中1",
                                             birth="2013-06-01"))
        r = self.call("hirai1", "GET", "/users?q=" + quote("タナカ")).json
        self.assertEqual((r["total"], len(r["users"])), (55, 50))
        kanas = [x["kana"] for x in r["users"]]
        self.assertEqual(kanas, sorted(kanas))
        self.assertTrue(all(x["plaza"] == "平井" for x in r["users"]))
        self.assertEqual(self.call("kasai1", "GET", "/users?q=" + quote("たなか")).json["total"], 1)
        for q in ("鶺鴒𠮷乃", "鶺鴒", "平成28年5月1日", "2016-05-01", "0391827364", u["card_no"],
                  "せきれい　よしの"):
            r = self.call("hirai1", "GET", "/users?q=" + quote(q)).json
            self.assertEqual([x["id"] for x in r["users"]], [u["id"]], q)
        r = self.call("hirai1", "GET", "/users?q=" + quote("た"), status=400)
        self.assertIn("2文字以上", r.json["message"])
        # Every search that shows people is in the audit log with how many (within a minute
        # there was one entry for all, with no count).
        searches = self.data.query("SELECT detail FROM audit WHERE action = 'plaza.search' AND "
                                   "object = 'plaza:hirai' ORDER BY id")
        self.assertEqual(searches[0], ("shown=50 total=55",))
        self.assertEqual(searches[1:], [("shown=1 total=1",)] * 7)
        # Another plaza's user is nowhere to the desk of 平井.
        self.call("hirai1", "GET", "/users/%d" % kasai["id"], status=404)
        self.call("hirai1", "PUT", "/users/%d" % kasai["id"], user("変更", "へんこう"), status=404)
        self.call("kasai1", "GET", "/users/%d" % u["id"], status=404)
        self.assertEqual(self.call("hirai1", "GET", "/users?q=" + kasai["card_no"]).json["total"],
                         0)
        # A correction.
        r = self.call("hirai1", "PUT", "/users/%d" % u["id"],
                      user(NAME, KANA, birth="2016-05-01", phone=PHONE, school=SCHOOL,
                           address=ADDRESS, grade="小6")).json
        self.assertEqual(r["grade"], "小6")

        # Cards: a PDF in the handover ledger; zbar decodes the card numbers.
        ids = [u["id"]] + [x["id"] for x in self.call("hirai1", "GET", "/users?q=" + quote("タナカ"))
                                                    .json["users"][:2]]
        r = self.call("hirai1", "GET", "/cards?ids=" + ",".join(map(str, ids)))
        self.assertEqual(r.header("Content-Type"), "application/pdf")
        self.assertTrue(r.header("X-Mimamori-Ledger-Id"))
        with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
            f.write(r.body)
            f.flush()
            codes = harness.decode_qr_codes(f.name)
            text = harness.pdf_text(f.name)
        want = [self.call("hirai1", "GET", "/users/%d" % i).json["card_no"] for i in ids]
        self.assertEqual(sorted(codes), sorted(want))
        self.assertIn(NAME, text)
        self.assertIn("共育プラザ平井", text)
        self.call("hirai1", "GET", "/cards?ids=%d" % kasai["id"], status=404)
        self.call("hirai1", "GET", "/cards?ids=x", status=400)
        led = self.data.query("SELECT service, records FROM ledger WHERE service = 'plaza'")
        self.assertEqual(led, [("plaza", 3)])

        # A scan (the reader types the code and Enter): once a day; another plaza's card no.
        r = self.call("hirai1", "POST", "/visits", {"code": codes[0]}, status=201).json
        self.assertFalse(r["again"])
        r = self.call("hirai1", "POST", "/visits", {"code": u["card_no"]}, status=201).json
        self.assertEqual((r["user"]["name"], r["band"]), (NAME, "6-12"))
        r = self.call("hirai1", "POST", "/visits", {"code": u["card_no"] + "\n"}).json
        self.assertTrue(r["again"])
        r = self.call("hirai1", "POST", "/visits", {"code": kasai["card_no"]}, status=404)
        self.assertIn("このプラザ", r.json["message"])
        self.call("hirai1", "POST", "/visits", {}, status=400)
        self.call("kasai1", "POST", "/visits", {"code": kasai["card_no"]}, status=201)

        # Counts: the desk its plaza's; the ward every plaza's, CSV too.
        rows = self.call("hirai1", "GET", "/counts").json["rows"]
        self.assertEqual({(x["plaza"], x["day"]) for x in rows}, {("平井", TODAY)})
        self.assertEqual(sum(x["visits"] for x in rows), 2)
        r = self.call("ward", "GET", "/counts?from=2026-12-01&to=2026-12-31").json
        self.assertEqual(r["registered"], {"平井": 56, "葛西": 1})
        self.assertEqual(self.call("kasai1", "GET", "/counts").json["registered"], {"葛西": 1})
        rows = r["rows"]
        self.assertEqual(sorted((x["plaza"], x["band"], x["visits"]) for x in rows),
                         sorted([("平井", "6-12", 1), ("平井", "13-15", 1), ("葛西", "13-15", 1)]))
        r = self.call("admin", "GET", "/counts?format=csv")
        self.assertTrue(r.body.startswith(b"\xef\xbb\xbf\xe3\x83\x97"), r.body[:8])  # BOM, プ
        self.assertIn("平井,%s,6〜12歳,1" % TODAY, r.text)
        self.call("admin", "GET", "/counts?from=2026-13-01", status=400)
        self.call("admin", "GET", "/counts?from=2026-12-06&to=2026-12-01", status=400)
        self.call("ward", "POST", "/grade-updates", {"fiscal_year": 2026}, status=403)

        # The CLI: list, search, counts, cards.
        d = self.data.path
        out = harness.cli_ok("plaza", "list", "--data", d).out
        self.assertIn("平井\t56\t2", out)
        out = harness.cli_ok("plaza", "search", "--data", d, "--plaza", "平井", "たなか").out
        self.assertIn("55件中、ふりがな順の最初の50件です。", out)
        out = harness.cli_ok("plaza", "counts", "--data", d, "--plaza", "kasai").out
        self.assertIn("葛西,%s,13〜15歳,1" % TODAY, out)
        pdf = os.path.join(d, "cards.pdf")
        harness.cli_ok("plaza", "cards", "--data", d, "--plaza", "hirai", "--out", pdf,
                       u["card_no"])
        self.assertEqual(harness.decode_qr_codes(pdf), [u["card_no"]])
        r = harness.cli("plaza", "cards", "--data", d, "--plaza", "hirai", "--out", pdf,
                        kasai["card_no"])
        self.assertNotEqual(r.rc, 0)
        r = harness.cli("plaza", "search", "--data", d, "--plaza", "江戸川", "x")
        self.assertEqual(r.rc, 2)

        # Nothing personal in the clear anywhere in the data directory or the database.
        needles = {NAME, KANA, "セキレイ", ADDRESS, PHONE, PHONE.replace("-", ""), SCHOOL, "鶺鴒",
                   "若葉町9丁目"}
        files = sorted(set(self.data.all_files()) |
                       set(engines.store_files(self.data.path, since=self._started)))
        os.remove(pdf)
        files = [f for f in files if f != pdf]
        leaks = []
        for path in files:
            if not os.path.exists(path):
                continue
            blob = engines.read_bytes(path)
            for n in needles:
                for enc in ("utf-8", "utf-16-le"):
                    if n.encode(enc) in blob:
                        leaks.append("%r in %s" % (n, path))
        self.assertEqual(leaks, [])
        r = self.data.audit_verify()
        self.assertEqual(r.rc, 0, r)


class YearlyTest(PlazaBase):
    def test_staff_april_update_inactive(self):
        # The ward's administrator says which plaza a desk works at.
        staff = self.call("admin", "GET", "/staff").json["staff"]
        self.assertEqual({s["login"]: s["plaza"] for s in staff},
                         {"hirai1": "平井", "kasai1": "葛西", "nodesk": None})
        nodesk = [s["id"] for s in staff if s["login"] == "nodesk"][0]
        self.call("admin", "PUT", "/staff/%d" % nodesk, {"plaza": "南篠崎"})
        self.call("admin", "PUT", "/staff/%d" % nodesk, {"plaza": "江戸川"}, status=400)
        admin_id = self.data.query("SELECT id FROM users WHERE login = 'admin'")[0][0]
        self.call("admin", "PUT", "/staff/%d" % admin_id, {"plaza": "平井"}, status=404)
        self.assertEqual(self.call("nodesk", "GET", "/me").json["plaza"]["name"], "南篠崎")

        a = self.register("hirai1", user("山川 一", "やまかわ はじめ", birth="2019-06-01",
                                         grade="小1"))
        b = self.register("hirai1", user("山川 二", "やまかわ じろう", birth="2020-04-01",
                                         grade="未就学"))
        c = self.register("kasai1", user("海野 三", "うみの さぶろう", birth="2008-06-01",
                                         grade="高3"))
        # Registered this school year: the April update moves nothing, and only once.
        r = self.call("admin", "POST", "/grade-updates", {"fiscal_year": 2026}, status=201).json
        self.assertEqual((r["users"], r["done_before"]), (0, False))
        r = self.call("admin", "POST", "/grade-updates", {"fiscal_year": 2026}).json
        self.assertTrue(r["done_before"])
        self.call("admin", "POST", "/grade-updates", {"fiscal_year": 2027}, status=400)
        self.assertEqual([x["fiscal_year"] for x in
                          self.call("ward", "GET", "/grade-updates").json["runs"]], [2026])
        # As if registered a year ago: the CLI's update for 2026 moves them on.
        self.data.execute("UPDATE plaza_users SET grade_fy = 2025",
                          "DELETE FROM plaza_grade_runs")
        # a year that is not a number runs nothing (it ran this year's update)
        for bad in ("abc", "2026x", ""):
            r = harness.cli("plaza", "april-update", "--data", self.data.path, "--year", bad)
            self.assertEqual(r.rc, 2, r.err)
            self.assertIn("--year は西暦の年度の数字", r.err)
        r = harness.cli("plaza", "inactive", "--data", self.data.path, "--years", "abc")
        self.assertEqual((r.rc, r.err.strip()), (2, "mimamori: --years は1から20です"))
        self.assertEqual(self.data.query("SELECT count(*) FROM plaza_grade_runs"), [(0,)])
        out = harness.cli_ok("plaza", "april-update", "--data", self.data.path).out
        self.assertIn("2026年度の学年に 3 人を更新しました", out)
        out = harness.cli_ok("plaza", "april-update", "--data", self.data.path).out
        self.assertIn("済んでいます", out)
        self.assertEqual(self.call("hirai1", "GET", "/users/%d" % a["id"]).json["grade"], "小2")
        self.assertEqual(self.call("hirai1", "GET", "/users/%d" % b["id"]).json["grade"], "小1")
        self.assertEqual(self.call("kasai1", "GET", "/users/%d" % c["id"]).json["grade"], "卒業")

        # Not seen for 3 years (the setting): listed, then deleted with an audit entry each.
        self.data.execute("UPDATE plaza_users SET active_on = '2023-01-10' WHERE id IN (%d, %d)"
                          % (a["id"], c["id"]))
        r = self.call("admin", "GET", "/inactive").json
        self.assertEqual((r["years"], r["count"], r["per_plaza"]), (3, 2, {"平井": 1, "葛西": 1}))
        self.assertEqual(self.call("admin", "GET", "/inactive?years=5").json["count"], 0)
        self.call("admin", "GET", "/inactive?years=0", status=400)
        self.call("ward", "GET", "/inactive", status=403)
        self.call("hirai1", "GET", "/inactive", status=403)
        self.call("admin", "POST", "/inactive/delete", {"years": 3}, status=400)
        r = self.call("admin", "POST", "/inactive/delete", {"years": 3, "count": 1}, status=409)
        self.assertIn("人数が変わりました", r.json["message"])
        out = harness.cli_ok("plaza", "inactive", "--data", self.data.path).out
        self.assertIn("来館のない利用者: 2 人", out)
        r = self.call("admin", "POST", "/inactive/delete", {"years": 3, "count": 2}).json
        self.assertEqual(r["deleted"], 2)
        self.call("hirai1", "GET", "/users/%d" % a["id"], status=404)
        self.call("hirai1", "GET", "/users/%d" % b["id"])
        audit = self.data.query("SELECT action, object FROM audit WHERE action LIKE "
                                "'plaza.%delete' ORDER BY id")
        self.assertEqual(audit, [("plaza.user_delete", "plaza_user:%d" % a["id"]),
                                 ("plaza.user_delete", "plaza_user:%d" % c["id"]),
                                 ("plaza.inactive_delete", "plaza:all")])
        # The CLI deletes too, with the count seen.
        self.data.execute("UPDATE plaza_users SET active_on = '2020-01-10' WHERE id = %d"
                          % b["id"])
        r = harness.cli("plaza", "inactive", "--data", self.data.path, "--delete")
        self.assertEqual(r.rc, 2)
        r = harness.cli("plaza", "inactive", "--data", self.data.path, "--delete", "--count", "5")
        self.assertEqual(r.rc, 1)
        out = harness.cli_ok("plaza", "inactive", "--data", self.data.path, "--delete",
                             "--count", "1").out
        self.assertIn("1 人を削除しました", out)
        self.assertEqual(self.data.query("SELECT count(*) FROM plaza_users"), [(0,)])
        r = self.data.audit_verify()
        self.assertEqual(r.rc, 0, r)


if __name__ == "__main__":
    import unittest
    unittest.main()
