# SPDX-License-Identifier: MIT
"""test_bathpass.py — the bath-pass ledger (ふれあい入浴証, seed 002; issue 15): the host extract
imported as a snapshot of differences (new, renamed, moved address, moved out, died, absent from
the extract, duplicate 宛名番号, bad dates, CP932 with 髙/﨑), applied only when a second person
approves; an extract that would exclude too many refused; the counter's search (ふりがな prefix,
name, 和暦 birth date, 宛名番号) and one-action issue with its 整理番号; head office's events;
what branch staff may not see or do; nothing personal in the database in clear; passes by
post (the March mailing, its letters in postcode order, one letter at a time). Generated,
fictional data only."""
import datetime
import io
import os
import re
import zipfile
import subprocess
import unittest
from urllib.parse import quote

import engines
import harness
from harness import ServerTestCase

PW = harness.PASSWORD
HEADER = "宛名番号,氏名,ふりがな,生年月日,性別,郵便番号,住所,方書,電話番号,対象区分,異動事由,異動日"


def person(no, name=None, kana=None, birth="S25.4.1", sex="男", post="179-0001",
           addr=None, kata="", phone="03-1234-5678", cat="高齢", move="", moved=""):
    return [str(no), name or "試験 太郎%d" % no, kana or "しけん たろう", birth, sex, post,
            addr or "桜台区本町1丁目%d番" % no, kata, phone, cat, move, moved]


def base_rows(n=40):
    rows = [person(1000 + i) for i in range(n)]
    rows[0] = person(1000, "髙﨑 一郎", "たかさき いちろう", "昭和30年5月5日", addr="桜台区若葉2丁目3番4号",
                     kata="コーポ桜101号室")
    rows[1] = person(1001, "山田 花子", "ヤマダ ハナコ", "1948-02-29", sex="女")
    rows[2] = person(1002, "若い 人", "わかい ひと", "2001-06-01", cat="障害")
    rows[3] = person(1003, "若い 高齢", "わかい こうれい", "2000-01-01", cat="高齢")
    return rows


def xlsx_rows(data):
    """The rows of each sheet of a workbook: text from the shared strings, numbers as ints."""
    z = zipfile.ZipFile(io.BytesIO(data))
    strings = [re.sub(r"<[^>]+>", "", si) for si in
               re.findall(r"<si>(.*?)</si>", z.read("xl/sharedStrings.xml").decode("utf-8"))]
    sheets = []
    for n in (1, 2):
        xml = z.read("xl/worksheets/sheet%d.xml" % n).decode("utf-8")
        rows = []
        for row in re.findall(r"<row [^>]*>(.*?)</row>", xml):
            cells = []
            for attrs, v in re.findall(r"<c ([^>]*)>(?:<f>.*?</f>)?<v>(.*?)</v></c>", row):
                cells.append(strings[int(v)] if 't="s"' in attrs else int(float(v)))
            rows.append(cells)
        sheets.append(rows)
    return sheets


# The server's and the CLI's clock: a December day of fiscal year 2026 (JST noon), so numbers
# (2026-00001), months and fiscal years do not depend on the day the tests run.
NOW = int(datetime.datetime(2026, 12, 5, 12, 0, tzinfo=datetime.timezone(
    datetime.timedelta(hours=9))).timestamp())


class BathpassBase(ServerTestCase):
    """A data directory with head-office and branch accounts, the clock at NOW."""

    def setUp(self):
        self._now_before = os.environ.get("MIMAMORI_FAKE_NOW")
        os.environ["MIMAMORI_FAKE_NOW"] = str(NOW)
        super().setUp()
        d = self.data
        d.user_add("office1", "bath_office")
        d.user_add("office2", "bath_office")
        d.user_add("branch1", "bath_branch")
        d.user_add("branch2", "bath_branch")
        d.user_add("admin", "ward_admin")
        harness.cli_ok("bathpass", "staff", "--data", d.path, "--login", "branch1", "--place", "b03")

    def tearDown(self):
        super().tearDown()
        if self._now_before is None:
            os.environ.pop("MIMAMORI_FAKE_NOW", None)
        else:
            os.environ["MIMAMORI_FAKE_NOW"] = self._now_before

    def write(self, name, rows, encoding="utf-8", header=HEADER):
        path = os.path.join(self.data.tmp, name)
        text = "\r\n".join([header] + [",".join(r) for r in rows]) + "\r\n"
        with open(path, "wb") as f:
            f.write(text.encode(encoding))
        return path

    def imp(self, path, login="office1", *extra):
        return harness.cli("import", "residents", "--data", self.data.path, "--login", login,
                           *extra, path)

    def approve(self, snap, login="office2"):
        return harness.cli("import", "approve", "--data", self.data.path, "--snapshot",
                           str(snap), "--login", login)

    def load(self, rows, name="base.csv"):
        r = self.imp(self.write(name, rows))
        self.assertEqual(r.rc, 0, r)
        snap = int(r.out.split("取り込み ")[1].split("（")[0])
        r = self.approve(snap)
        self.assertEqual(r.rc, 0, r)
        return snap


class BathpassTest(BathpassBase):
    """Imports, the counter, head office's events, the daily list and the counts."""

    def test_import_diff_and_second_approver(self):
        d = self.data
        r = self.imp(self.write("first.csv", base_rows(), encoding="cp932"))
        self.assertEqual(r.rc, 0, r)
        self.assertIn("CP932", r.out)
        self.assertIn("新規 40・変更 0・除外 0・変更なし 0・取り込めない行 0", r.out)
        # Nothing applies before approval; the importer cannot approve.
        self.assertEqual(d.query("SELECT count(*) FROM bath_people")[0][0], 0)
        r = self.approve(1, "office1")
        self.assertNotEqual(r.rc, 0)
        self.assertIn("取り込んだ本人は承認できません", r.err)
        r = self.approve(1, "branch1")
        self.assertNotEqual(r.rc, 0)
        self.assertIn("本庁担当", r.err)
        r = self.approve(1)
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(d.query("SELECT count(*) FROM bath_people WHERE excluded = 0")[0][0], 40)
        r = self.approve(1)
        self.assertNotEqual(r.rc, 0)
        self.assertIn("承認待ちではありません", r.err)

        rows = base_rows()
        rows[4] = person(1004, "改名 太郎")                                 # renamed
        rows[5] = person(1005, addr="桜台区緑町9丁目9番")                   # changed address
        rows[6] = person(1006, move="転出", moved="R8.4.10")                # moved out
        rows[7] = person(1007, move="死亡", moved="2026-05-01")             # died
        del rows[8]                                                        # absent: 1008
        rows.append(person(2000, "新規 次郎", "しんき じろう", "S20.1.1"))    # moved in
        rows.append(person(2001, birth="S25.2.30"))                        # bad date
        rows.append(person(2002, birth="平成31年5月1日"))                   # not in 平成
        rows.append(person(2003, move="転出", moved="R8.4.1"))              # never here, gone
        rows.append(person(2004))
        rows.append(person(2004, "二重 登録"))                             # duplicate 宛名番号
        rows.append(person(1009, "同番号 別人"))                           # duplicate of 1009
        r = self.imp(self.write("second.csv", rows))
        self.assertEqual(r.rc, 0, r)
        self.assertIn("新規 1・変更 2・除外 3・変更なし 34・取り込めない行 6", r.out)
        self.assertIn("台帳になく異動済みの行 1", r.out)
        self.assertIn("氏名", r.out)
        self.assertIn("住所", r.out)
        self.assertIn("転出", r.out)
        self.assertIn("死亡", r.out)
        self.assertIn("抽出データに含まれない", r.out)
        self.assertIn("生年月日が読めません", r.out)
        self.assertIn("同じ宛名番号の行がファイルに複数あります", r.out)
        for name in ("改名", "新規 次郎", "1004", "1005"):
            self.assertNotIn(name, r.out + r.err)  # line numbers and field names only
        snap = d.query("SELECT max(id) FROM bath_snapshots")[0][0]
        kinds = dict(d.query("SELECT kind, count(*) FROM bath_snapshot_rows WHERE snapshot_id = ? "
                             "GROUP BY kind", snap))
        self.assertEqual(kinds, {"new": 1, "changed": 2, "gone": 3, "rejected": 6})
        r = self.approve(snap)
        self.assertEqual(r.rc, 0, r)
        # 1009 was in a duplicate pair: rejected, not excluded.
        self.assertEqual(d.query("SELECT count(*) FROM bath_people WHERE excluded = 1")[0][0], 3)
        self.assertEqual(d.query("SELECT count(*) FROM bath_people")[0][0], 41)
        self.assertEqual(d.query("SELECT count(*) FROM bath_snapshot_rows WHERE data IS NOT NULL "
                                 "AND snapshot_id = ?", snap)[0][0], 0)
        self.assertEqual(d.audit_verify().rc, 0)

    def test_truncated_extract_refused_and_encoding(self):
        self.load(base_rows())
        r = self.imp(self.write("cut.csv", base_rows()[:30]))
        self.assertNotEqual(r.rc, 0)
        self.assertIn("上限の10%を超える", r.err)
        snap = self.data.query("SELECT max(id) FROM bath_snapshots")[0][0]
        self.assertEqual(self.data.query("SELECT status FROM bath_snapshots WHERE id = ?",
                                         snap)[0][0], "refused")
        self.assertNotEqual(self.approve(snap).rc, 0)
        # The share is a setting.
        with open(os.path.join(self.data.path, "mimamori.conf"), "a", encoding="utf-8") as f:
            f.write("\n[bathpass]\nmax_exclude_percent = 30\n")
        r = self.imp(self.write("cut2.csv", base_rows()[:30]))
        self.assertEqual(r.rc, 0, r)
        # A UTF-8 file named CP932 is refused; a bad header too.
        r = self.imp(self.write("u.csv", base_rows()), "office1", "--encoding", "cp932")
        self.assertNotEqual(r.rc, 0)
        self.assertIn("UTF-8 のファイル", r.err)
        r = self.imp(self.write("h.csv", base_rows(), header="番号,名前"))
        self.assertNotEqual(r.rc, 0)
        self.assertIn("見出しの行が違います", r.err)
        # import children is still attendance's.
        r = harness.cli("import", "children", "--data", self.data.path,
                        self.write("c.csv", base_rows()))
        self.assertNotEqual(r.rc, 0)
        self.assertIn("児童番号", r.err)

    # -----------------------------------------------------------------------------------------
    def test_counter_search_issue_and_roles(self):
        self.load(base_rows())
        srv = self.start_server()
        branch = harness.Client(srv.port)
        self.assertEqual(branch.login("branch1").status, 200)
        r = branch.get("/api/v1/bath/counter")
        self.assertEqual((r.status, r.json["place"], r.json["office"]), (200, "b03", False), r)
        # ふりがな prefix, hiragana or katakana, spaces ignored.
        for q in ("たかさ", "タカサキ イ", "たかさきいちろう"):
            r = branch.get("/api/v1/bath/people?q=" + quote(q))
            self.assertEqual(r.status, 200, r)
            self.assertEqual([p["name"] for p in r.json["people"]], ["髙﨑 一郎"], q)
        p = r.json["people"][0]
        self.assertEqual(p["birth_wareki"], "昭和30年5月5日")
        self.assertTrue(p["eligible"])
        self.assertFalse(p["this_year"]["issued"])
        self.assertIn("コーポ桜101号室", p["address"])
        for hidden in ("resident_no", "phone", "postcode", "note"):
            self.assertNotIn(hidden, p)
        # Name (whole or surname), 和暦 birth date, 宛名番号.
        for q, want in (("山田 花子", "山田 花子"), ("山田", "山田 花子"), ("S23.2.29", "山田 花子"),
                        ("昭和23年2月29日", "山田 花子"), ("1001", "山田 花子")):
            r = branch.get("/api/v1/bath/people?q=" + quote(q))
            self.assertEqual([x["name"] for x in r.json["people"]], [want], q)
        r = branch.get("/api/v1/bath/people?q=" + quote("た"))
        self.assertEqual((r.status, r.json["code"]), (400, "bad_query"), r)
        # Not eligible: 高齢 under 60.
        r = branch.get("/api/v1/bath/people?q=" + quote("わかい こう"))
        young = r.json["people"][0]
        self.assertEqual((young["eligible"], young["why_code"]), (False, "under_60"))
        r = branch.post("/api/v1/bath/people/%d/issue" % young["id"], {})
        self.assertEqual((r.status, r.json["code"]), (409, "not_eligible"), r)
        # Issue: one action, the 整理番号; a second time is refused with where and when.
        r = branch.post("/api/v1/bath/people/%d/issue" % p["id"], {})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["number"], "2026-00001")
        self.assertEqual(r.json["place"], "b03")
        r = branch.post("/api/v1/bath/people/%d/issue" % p["id"], {"place": "honcho"})
        self.assertEqual((r.status, r.json["code"]), (409, "already_issued"), r)
        self.assertIn("第三特別出張所", r.json["message"])
        self.assertIn("2026-00001", r.json["message"])
        r = branch.get("/api/v1/bath/people?q=1000")
        year = r.json["people"][0]["this_year"]
        self.assertEqual((year["issued"], year["place_name"], year["method"], year["number"]),
                         (True, "第三特別出張所", "counter", "2026-00001"))
        r = branch.post("/api/v1/bath/people/%d/issue" % p["id"], {"reissue": True})
        self.assertEqual((r.status, r.json["number"]), (200, "2026-00002"), r)
        # Branch staff: no whole record, no imports, no events.
        for path in ("/api/v1/bath/people/%d" % p["id"], "/api/v1/bath/imports",
                     "/api/v1/bath/imports/1"):
            self.assertEqual(branch.get(path).status, 403, path)
        r = branch.post("/api/v1/bath/people/%d/events" % p["id"], {"kind": "sendto", "note": "x"})
        self.assertEqual(r.status, 403)
        r = branch.post("/api/v1/bath/imports/1/approve", {})
        self.assertEqual(r.status, 403)
        # A branch account without a counter cannot issue; other roles have no counter at all.
        b2 = harness.Client(srv.port)
        b2.login("branch2")
        r = b2.post("/api/v1/bath/people/%d/issue" % young["id"], {})
        self.assertEqual((r.status, r.json["code"]), (403, "no_counter"), r)
        admin = harness.Client(srv.port)
        admin.login("admin")
        self.assertEqual(admin.get("/api/v1/bath/people?q=1000").status, 403)
        anon = harness.Client(srv.port)
        self.assertEqual(anon.get("/api/v1/bath/people?q=1000").status, 401)
        self.assertEqual(self.data.audit_verify().rc, 0)
        acts = [a for (a,) in self.data.query("SELECT action FROM audit")]
        self.assertIn("bathpass.search", acts)
        self.assertIn("bathpass.issue", acts)

    def test_office_events_and_import_review(self):
        self.load(base_rows())
        srv = self.start_server()
        office = harness.Client(srv.port)
        office.login("office1")
        r = office.get("/api/v1/bath/people?q=1001")
        p = r.json["people"][0]
        self.assertEqual((p["resident_no"], p["postcode"], p["phone"]), ("1001", "1790001", "0312345678"))
        pid = p["id"]
        r = office.post("/api/v1/bath/people/%d/events" % pid, {"kind": "apply", "date": "R8.4.2"})
        self.assertEqual(r.status, 200, r)
        r = office.post("/api/v1/bath/people/%d/events" % pid, {"kind": "returned"})
        self.assertEqual((r.status, r.json["code"]), (409, "not_mailed"), r)
        r = office.post("/api/v1/bath/people/%d/events" % pid, {"kind": "mail_issue"})
        self.assertEqual((r.status, r.json["number"]), (200, "2026-00001"), r)
        r = office.post("/api/v1/bath/people/%d/events" % pid, {"kind": "returned"})
        self.assertEqual(r.status, 200, r)
        # No text and nothing held to take away: a record of nothing is refused.
        r = office.post("/api/v1/bath/people/%d/events" % pid, {"kind": "sendto", "note": ""})
        self.assertEqual((r.status, r.json["code"]), (400, "note_required"), r)
        r = office.post("/api/v1/bath/people/%d/events" % pid,
                        {"kind": "sendto", "note": "長女宅（桜台区旭町1-1）へ送付"})
        self.assertEqual(r.status, 200, r)
        r = office.post("/api/v1/bath/people/%d/events" % pid, {"kind": "exclude"})
        self.assertEqual((r.status, r.json["code"]), (400, "reason_required"), r)
        r = office.post("/api/v1/bath/people/%d/events" % pid, {"kind": "bogus"})
        self.assertEqual((r.status, r.json["code"]), (400, "bad_kind"), r)
        r = office.post("/api/v1/bath/people/%d/events" % pid, {"kind": "apply", "date": "S25.2.30"})
        self.assertEqual(r.status, 400, r)
        r = office.get("/api/v1/bath/people/%d" % pid)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["note"], "長女宅（桜台区旭町1-1）へ送付")
        self.assertEqual(r.json["this_year"]["applied"], "2026-04-02")
        self.assertTrue(r.json["this_year"]["returned"])
        self.assertEqual([e["kind"] for e in r.json["events"]],
                         ["apply", "issue", "returned", "sendto"])
        r = office.post("/api/v1/bath/people/%d/events" % pid,
                        {"kind": "exclude", "reason": "転出", "date": "R8.11.1"})
        self.assertEqual(r.status, 200, r)
        r = office.get("/api/v1/bath/people?q=1001")
        self.assertEqual((r.json["people"][0]["eligible"], r.json["people"][0]["why_code"]),
                         (False, "excluded"))
        # Review and approve an import in the API: not its maker, then a second person.
        rows = base_rows()
        rows[10] = person(1010, "改名 十郎")
        r = self.imp(self.write("two.csv", rows))
        self.assertEqual(r.rc, 0, r)
        snap = self.data.query("SELECT max(id) FROM bath_snapshots")[0][0]
        r = office.get("/api/v1/bath/imports")
        self.assertEqual(r.json["imports"][0]["id"], snap)
        self.assertTrue(r.json["imports"][0]["mine"])
        r = office.get("/api/v1/bath/imports/%d" % snap)
        self.assertEqual(r.status, 200, r)
        changed = [x for x in r.json["differences"] if x["kind"] == "changed"]
        # 1001, excluded by hand, is still in the host's extract: the import would take it back
        # in, and says so for the approver to see.
        self.assertEqual(sorted((x["name"], x["fields"]) for x in changed),
                         [("山田 花子", "除外の取消"), ("改名 十郎", "氏名")])
        r = office.post("/api/v1/bath/imports/%d/approve" % snap, {})
        self.assertEqual((r.status, r.json["code"]), (403, "second_approver_required"), r)
        o2 = harness.Client(srv.port)
        o2.login("office2")
        r = o2.post("/api/v1/bath/imports/%d/approve" % snap, {})
        self.assertEqual(r.status, 200, r)
        r = o2.post("/api/v1/bath/imports/%d/approve" % snap, {})
        self.assertEqual((r.status, r.json["code"]), (409, "conflict"), r)
        r = o2.get("/api/v1/bath/people?q=" + quote("改名 十郎"))
        self.assertEqual(len(r.json["people"]), 1)

    def test_daily_list(self):
        self.load(base_rows())
        srv = self.start_server()
        branch = harness.Client(srv.port)
        branch.login("branch1")
        office = harness.Client(srv.port)
        office.login("office1")
        r = branch.get("/api/v1/bath/people?q=1000")
        pid = r.json["people"][0]["id"]
        self.assertEqual(branch.post("/api/v1/bath/people/%d/issue" % pid, {}).status, 200)
        r = office.get("/api/v1/bath/people?q=1001")
        pid2 = r.json["people"][0]["id"]
        self.assertEqual(office.post("/api/v1/bath/people/%d/events" % pid2,
                                     {"kind": "mail_issue"}).status, 200)
        # Branch staff export nothing.
        self.assertEqual(branch.get("/api/v1/bath/reports/daily?format=csv").status, 403)
        r = office.get("/api/v1/bath/reports/daily?format=pdf")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.header("Content-Type"), "application/pdf")
        pdf = os.path.join(self.data.tmp, "daily.pdf")
        with open(pdf, "wb") as f:
            f.write(r.body)
        text = subprocess.run(["pdftotext", "-layout", pdf, "-"], capture_output=True,
                              check=True).stdout.decode()
        for want in ("日別処理状況リスト", "令和", "第三特別出張所", "髙﨑 一郎", "山田 花子",
                     "2026-00001", "2026-00002", "郵送", "合計"):
            self.assertIn(want, text)
        r = office.get("/api/v1/bath/reports/daily?format=csv&encoding=cp932")
        self.assertEqual(r.status, 200, r)
        csv_text = r.body.decode("cp932")
        self.assertTrue(csv_text.startswith("処理日,時刻,種類,交付場所,交付方法,整理番号,宛名番号,氏名,ふりがな\r\n"))
        self.assertIn("髙﨑 一郎", csv_text)  # both are in CP932
        self.assertEqual(csv_text.count("\r\n"), 1 + 3)  # the counter: apply, issue; mail
        r = office.get("/api/v1/bath/reports/daily?format=csv&date=R8.4.1")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.body.decode("utf-8-sig").count("\r\n"), 1)
        for q in ("format=doc", "date=S25.2.30", "format=csv&encoding=latin1"):
            r = office.get("/api/v1/bath/reports/daily?" + q)
            self.assertEqual(r.status, 400, (q, r))
        ledger = self.data.query("SELECT service, content, records FROM ledger ORDER BY id")
        self.assertEqual([x[0] for x in ledger], ["bathpass"] * 3)
        self.assertEqual(ledger[0][2], 3)

        # The fiscal year's counts (XLSX): per counter and 対象区分, and per month.
        r = office.get("/api/v1/bath/people?q=1002")  # 障害, issued at head office
        self.assertEqual(office.post("/api/v1/bath/people/%d/issue" % r.json["people"][0]["id"],
                                     {}).status, 200)
        self.assertEqual(branch.get("/api/v1/bath/reports/counts").status, 403)
        self.assertEqual(office.get("/api/v1/bath/reports/counts?fiscal_year=x").status, 400)
        r = office.get("/api/v1/bath/reports/counts?fiscal_year=1999")
        self.assertEqual(r.status, 400)
        self.assertIn("2000〜2100年", r.json["message"])  # 1999 is four digits: say the range
        self.assertNotIn("fiscal_year", r.json["message"])
        r = office.get("/api/v1/bath/reports/counts?fiscal_year=2026")
        self.assertEqual(r.status, 200, r)
        sheets = xlsx_rows(r.body)
        by_place = {row[0]: row[1:] for row in sheets[0][2:] if row}
        # columns: 交付（高齢）, （障害）, （児童）, 計, 再交付, 申請, 返戻, 除外
        self.assertEqual(by_place["第三特別出張所"], [1, 0, 0, 1, 0, 1, 0, 0])
        self.assertEqual(by_place["郵送・本庁の記録"], [1, 0, 0, 1, 0, 0, 0, 0])
        self.assertEqual(by_place["本庁舎（地域包括ケア推進課）"], [0, 1, 0, 1, 0, 1, 0, 0])
        self.assertEqual(by_place["合計"], [2, 1, 0, 3, 0, 2, 0, 0])
        by_month = {row[0]: row[1:] for row in sheets[1][2:] if row}
        self.assertEqual(by_month["合計"], [2, 1, 0, 3, 0, 2, 0, 0])
        self.assertEqual(by_month["12月"], [2, 1, 0, 3, 0, 2, 0, 0])

    def test_sealed_at_rest(self):
        self.load(base_rows())
        needles = ["髙﨑 一郎", "たかさき", "タカサキ", "1955-05-05", "若葉2丁目", "コーポ桜",
                   "0312345678", "山田 花子"]
        for path in self.data.all_files():
            if path.endswith(".csv"):
                continue
            blob = engines.read_bytes(path)
            for n in needles:
                self.assertNotIn(n.encode("utf-8"), blob, (path, n))


class MailingTest(BathpassBase):
    """Passes by post: the March mailing of next year's passes (everyone who had a pass or
    applied this year and is still eligible; returned mail and 個別事由 held back for a person;
    the excluded and the too young left out), its 整理番号 in postcode order, its cover letters
    as one PDF read back with pdftotext, the handover ledger; one letter at a time for a reissue
    by mail; what branch staff may not do; bad input refused in Japanese."""

    def rows(self):
        rows = base_rows()
        rows[4] = person(1004, "郵便 四郎", post="179-0075", addr="桜台区高松3丁目5番8号")
        rows[5] = person(1005, "新宿 五子", post="160-0022", addr="新宿区新宿6丁目27番30号",
                         sex="女")
        rows[6] = person(1006, "桜台 六郎", post="179-0002", addr="桜台区旭町1丁目2番3号",
                         kata="ハイツ旭202号")
        return rows

    def pdf_pages(self, body, name):
        path = os.path.join(self.data.tmp, name)
        with open(path, "wb") as f:
            f.write(body)
        text = subprocess.run(["pdftotext", "-layout", path, "-"], capture_output=True,
                              check=True).stdout.decode()
        return [p for p in text.split("\f") if p.strip()]

    def test_march_mailing_and_single_letters(self):
        self.load(self.rows())
        srv = self.start_server()
        office, branch = harness.Client(srv.port), harness.Client(srv.port)
        self.assertEqual(office.login("office1").status, 200)
        self.assertEqual(branch.login("branch1").status, 200)
        ids = {}
        for no in range(1000, 1012):
            ids[no] = office.get("/api/v1/bath/people?q=%d" % no).json["people"][0]["id"]

        def event(no, **body):
            r = office.post("/api/v1/bath/people/%d/events" % ids[no], body)
            self.assertEqual(r.status, 200, r)
            return r.json

        # This fiscal year (2026): passes at counters, one by post that came back, an
        # application only, one with a send-to note, one excluded since.
        for no in (1000, 1002, 1004, 1005, 1006, 1009, 1010):
            self.assertEqual(office.post("/api/v1/bath/people/%d/issue" % ids[no], {}).status, 200)
        event(1007, kind="mail_issue")
        event(1007, kind="returned")
        event(1008, kind="apply")
        event(1009, kind="sendto", note="長男宅へ送付")
        event(1010, kind="exclude", reason="転出")

        # Branch staff neither see nor make mailings.
        self.assertEqual(branch.get("/api/v1/bath/mailings/plan").status, 403)
        self.assertEqual(branch.post("/api/v1/bath/mailings", {}).status, 403)
        self.assertEqual(branch.get("/api/v1/bath/mailings").status, 403)
        for q in ("date=xx", "date=2027-06-01", "date=2026-10-01", "fiscal_year=1999",
                  "fiscal_year=2030", "fiscal_year=abc"):
            r = office.get("/api/v1/bath/mailings/plan?" + q)
            self.assertEqual(r.status, 400, (q, r))
            self.assertTrue(re.search(r"[ぁ-んァ-ン一-龥]", r.json["message"]), r.json)

        r = office.get("/api/v1/bath/mailings/plan")
        self.assertEqual(r.status, 200, r)
        plan = r.json
        self.assertEqual((plan["fiscal_year"], plan["date"], plan["letters"]),
                         (2027, "2026-12-05", 6), plan)
        self.assertEqual(plan["by_category"], {"高齢": 5, "障害": 1, "児童": 0})
        self.assertEqual((plan["held_returned"], plan["held_note"], plan["not_eligible"],
                          plan["already"]), (1, 1, 1, 0))
        self.assertEqual(sorted((h["resident_no"], h["reason"]) for h in plan["held"]),
                         [("1007", "returned"), ("1009", "note")])
        self.assertEqual([h["note"] for h in plan["held"] if h["reason"] == "note"],
                         ["長男宅へ送付"])

        # Irreversible: only the number of letters the person saw counted is made (an empty
        # body issued the whole ward's passes).
        r = office.post("/api/v1/bath/mailings", {"date": "R8.12.5"})
        self.assertEqual((r.status, r.json["code"]), (400, "letters_required"), r)
        r = office.post("/api/v1/bath/mailings", {"date": "R8.12.5", "letters": 5})
        self.assertEqual((r.status, r.json["code"]), (409, "plan_changed"), r)
        self.assertIn("いま 6人", r.json["message"])
        self.assertEqual(office.get("/api/v1/bath/mailings").json["mailings"], [])
        r = office.post("/api/v1/bath/mailings", {"date": "R8.12.5", "letters": 6})
        self.assertEqual(r.status, 201, r)
        m = r.json
        self.assertEqual((m["fiscal_year"], m["letters"], m["held"], m["first_number"],
                          m["last_number"], m["created_by"]),
                         (2027, 6, 2, "2027-00001", "2027-00006", "office1"), m)
        # One pass by post of 2027 each, numbered in postcode order (then address).
        got = self.data.query(
            "SELECT e.number, e.person_id FROM bath_events e WHERE e.mailing_id = %d "
            "ORDER BY e.number" % m["id"])
        order = [1005, 1002, 1008, 1000, 1006, 1004]
        self.assertEqual([pid for _n, pid in got], [ids[no] for no in order])
        self.assertEqual(self.data.query(
            "SELECT DISTINCT fiscal_year, kind, method, on_date FROM bath_events WHERE "
            "mailing_id = %d" % m["id"]), [(2027, "issue", "mail", "2026-12-05")])
        # Made again: nobody left; the plan says they have their passes.
        r = office.post("/api/v1/bath/mailings", {})
        self.assertEqual((r.status, r.json["code"]), (409, "nobody"), r)
        r = office.get("/api/v1/bath/mailings/plan")
        self.assertEqual((r.json["letters"], r.json["already"]), (0, 6), r.json)
        r = office.get("/api/v1/bath/mailings")
        self.assertEqual([x["id"] for x in r.json["mailings"]], [m["id"]])

        # The letters: one page each, in the same order, the window's lines and the words.
        self.assertEqual(branch.get("/api/v1/bath/mailings/%d/letters" % m["id"]).status, 403)
        self.assertEqual(office.get("/api/v1/bath/mailings/99/letters").status, 404)
        r = office.get("/api/v1/bath/mailings/%d/letters" % m["id"])
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.header("Content-Type"), "application/pdf")
        pages = self.pdf_pages(r.body, "mailing.pdf")
        self.assertEqual(len(pages), 6)
        names = {1005: "新宿 五子", 1002: "若い 人", 1008: "試験 太郎1008", 1000: "髙﨑 一郎",
                 1006: "桜台 六郎", 1004: "郵便 四郎"}
        for i, no in enumerate(order):
            page = pages[i]
            self.assertRegex(page, re.escape(names[no]).replace("\\ ", r"\s+") + r"\s+様")
            self.assertIn("2027-%05d" % (i + 1), page)
            for want in ("令和8年12月5日", "令和9年度のふれあい入浴証をお送りします",
                         "令和9年4月1日から令和10年3月31日まで", "ふれあい入浴証の送付について"):
                self.assertIn(want, page)
        self.assertIn("〒160-0022", pages[0])
        self.assertIn("新宿区新宿6丁目27番30号", pages[0])
        self.assertIn("ハイツ旭202号", pages[4])
        ledger = self.data.query("SELECT service, content, records FROM ledger ORDER BY id")
        self.assertEqual(ledger[-1], ("bathpass", "bathpass mailing %d letters pdf" % m["id"], 6))

        # One at a time: a reissue by post after a loss, and its letter.
        r = office.get("/api/v1/bath/people/%d/letter" % ids[1000])
        self.assertEqual((r.status, r.json["code"]), (404, "no_mail_pass"), r)
        self.assertEqual(branch.get("/api/v1/bath/people/%d/letter" % ids[1007]).status, 403)
        r = office.post("/api/v1/bath/people/%d/events" % ids[1008], {"kind": "mail_reissue"})
        self.assertEqual((r.status, r.json["code"]), (409, "not_issued"), r)
        number = event(1007, kind="mail_reissue")["number"]
        self.assertEqual(number, "2026-00009")
        r = office.get("/api/v1/bath/people/%d/letter" % ids[1007])
        self.assertEqual(r.status, 200, r)
        pages = self.pdf_pages(r.body, "letter.pdf")
        self.assertEqual(len(pages), 1)
        for want in ("ふれあい入浴証の再交付について", "令和8年度のふれあい入浴証を再交付します",
                     number, "試験 太郎1007", "様", "令和8年12月5日"):
            self.assertIn(want, pages[0])
        self.assertEqual(self.data.query("SELECT content, records FROM ledger ORDER BY id DESC "
                                         "LIMIT 1"), [("bathpass letter %s pdf" % number, 1)])

    def test_mailing_cli(self):
        self.load(self.rows())
        srv = self.start_server()
        office = harness.Client(srv.port)
        office.login("office1")
        for no in (1000, 1005):
            pid = office.get("/api/v1/bath/people?q=%d" % no).json["people"][0]["id"]
            self.assertEqual(office.post("/api/v1/bath/people/%d/issue" % pid, {}).status, 200)
        srv.stop()
        d = self.data
        r = harness.cli("bathpass", "mailing", "plan", "--data", d.path)
        self.assertEqual(r.rc, 0, r)
        self.assertIn("2027年度の入浴証（発送日 2026-12-05）: 送付状 2通", r.out)
        out = os.path.join(d.tmp, "march.pdf")
        r = harness.cli("bathpass", "mailing", "make", "--data", d.path, "--login", "branch1",
                        "--out", out)
        self.assertNotEqual(r.rc, 0, r)
        self.assertFalse(os.path.exists(out))
        # A folder that is not there: refused before anything is recorded (a mailing cannot be
        # undone; it was recorded, every person issued, and no letter written).
        r = harness.cli("bathpass", "mailing", "make", "--data", d.path, "--login", "office1",
                        "--date", "R8.12.10", "--out", os.path.join(d.tmp, "nodir", "m.pdf"))
        self.assertNotEqual(r.rc, 0, r)
        self.assertIn("nodir", r.err)
        self.assertNotIn("を記録しました", r.out)
        r = harness.cli("bathpass", "mailing", "make", "--data", d.path, "--login", "office1",
                        "--date", "R8.12.10", "--out", out)
        self.assertEqual(r.rc, 0, r)
        self.assertIn("送付状 2通", r.out)
        self.assertEqual(oct(os.stat(out).st_mode & 0o777), "0o600")
        with open(out, "rb") as f:
            pages = self.pdf_pages(f.read(), "march-copy.pdf")
        self.assertEqual(len(pages), 2)
        self.assertIn("新宿 五子", pages[0])
        self.assertIn("令和8年12月10日", pages[1])
        again = os.path.join(d.tmp, "again.pdf")
        r = harness.cli("bathpass", "mailing", "letters", "--data", d.path, "--login", "office1",
                        "--mailing", "1", "--out", again)
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(len(d.query("SELECT id FROM ledger WHERE content = "
                                     "'bathpass mailing 1 letters pdf'")), 2)
        for args, want in ((["letters", "--login", "office1", "--mailing", "9", "--out", again],
                            "その発送はありません"),
                           (["make", "--login", "office1", "--date", "2027-09-01", "--out", out],
                            "発送日は"),
                           (["plan", "--fiscal-year", "20x7"], "--fiscal-year")):
            r = harness.cli("bathpass", "mailing", args[0], "--data", d.path, *args[1:])
            self.assertNotEqual(r.rc, 0, (args, r))
            self.assertIn(want, r.err, (args, r))
            self.assertEqual(len(r.err.strip().splitlines()), 1, (args, r.err))


class BarcodeCliTest(unittest.TestCase):
    """`mimamori bathpass barcode` prints the customer barcode of Japan Post's examples (the
    characters of 郵便番号・バーコードマニュアル's worked example, its check digit), and refuses
    a bad postcode in one Japanese line."""

    def test_examples_and_refusal(self):
        r = harness.cli("bathpass", "barcode", "--postcode", "1600022",
                        "--address", "新宿区新宿6丁目27番30号", engine=False)
        self.assertEqual(r.rc, 0, r.err)
        self.assertIn("住所表示番号: 6-27-30", r.out)
        self.assertIn("文字: STC 1 6 0 0 0 2 2 6 - 2 7 - 3 0 CC4 CC4 CC4 CC4 CC4 CC4 0 SPC",
                      r.out)
        bars = re.search(r"バー: ([LUDT]+)", r.out).group(1)
        self.assertEqual(len(bars), 67)
        r = harness.cli("bathpass", "barcode", "--postcode", "1000013",
                        "--address", "千代田区霞が関1丁目3-2 郵便プラザ503室", engine=False)
        self.assertEqual(r.rc, 0, r.err)
        self.assertIn("1 - 3 - 2 - 5 0 3 CC4 CC4 CC4 CC4 9 SPC", r.out)  # the manual's CD 9
        r = harness.cli("bathpass", "barcode", "--postcode", "16000", "--address", "x",
                        engine=False)
        self.assertEqual(r.rc, 2)
        self.assertIn("郵便番号は7桁", r.err)
        self.assertEqual(len(r.err.strip().splitlines()), 1)


if __name__ == "__main__":
    unittest.main()
