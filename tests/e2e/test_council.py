# SPDX-License-Identifier: MIT
"""test_council.py — the privacy council's paperwork (issue 19): `mimamori council items` writes
from the live schema and the migrations' annotations each service's 記録項目 (a sealed column of
every service by its Japanese name) as Markdown, as a PDF pdftotext reads and as a workbook whose
sheet holds the right rows; `council staff` lists a created account under its service as
取扱責任者 or 取扱者 (a benefit's account only under its own benefit); `council check` passes on
the schema as migrated and fails naming a column added without an annotation (on the live
database, both engines) and so does scripts/embed_items.py on a crafted migration; the ward
administrator downloads the same through the API, nobody else."""
import io
import os
import re
import subprocess
import sys
import tempfile
import unittest
import xml.etree.ElementTree as ET
import zipfile

import engines
import harness
from harness import ServerTestCase

# One sealed column of each unit: (table, column, its Japanese name in the migration).
SEALED = {
    "platform": ("outbox", "to_enc", "宛先のメールアドレス"),
    "attendance": ("children", "name_enc", "児童氏名"),
    "schoolmail": ("school_registrants", "child_enc", "園児・児童・生徒氏名"),
    "bathpass": ("bath_people", "resident_no", "住民番号"),
    "sitter": ("sitter_applications", "bank", "銀行口座情報（振込先）"),
    "homehelp": ("hh_visits", "record", "支援の記録（世帯の様子）"),
    "plaza": ("plaza_users", "school", "学校名"),
    "course": ("course_signups", "person", "申込者の氏名・連絡先"),
    "youth": ("yo_cases", "profile", "相談者の状況（生活・健康・家庭）"),
    "centre": ("ce_cases", "person", "児童の氏名・生年月日・保護者"),
    "exchange": ("ex_files", "meta", "ファイル名と説明"),
}
NS = {"x": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}


def md_sections(md):
    """{service name: its part of the Markdown} by the "## label（name）" headings."""
    parts = re.split(r"(?m)^## .*（([a-z_]+)）$", md)
    return {parts[i]: parts[i + 1] for i in range(1, len(parts), 2)}


def xlsx_rows(data, sheet_name):
    """The rows (lists of strings) of the sheet named sheet_name of an .xlsx file."""
    z = zipfile.ZipFile(io.BytesIO(data))
    shared = [("".join(t.text or "" for t in si.iter("{%s}t" % NS["x"])))
              for si in ET.fromstring(z.read("xl/sharedStrings.xml")).findall("x:si", NS)]
    wb = ET.fromstring(z.read("xl/workbook.xml"))
    names = [s.get("name") for s in wb.find("x:sheets", NS)]
    sheet = ET.fromstring(z.read("xl/worksheets/sheet%d.xml" % (names.index(sheet_name) + 1)))
    rows = []
    for row in sheet.iter("{%s}row" % NS["x"]):
        cells = []
        for c in row.findall("x:c", NS):
            col = ord(re.match(r"[A-Z]", c.get("r")).group(0)) - ord("A")
            while len(cells) < col:
                cells.append("")
            v = c.find("x:v", NS)
            cells.append(shared[int(v.text)] if c.get("t") == "s" else (v.text if v is not None
                                                                          else ""))
        rows.append(cells)
    return rows


class CouncilTest(ServerTestCase):
    def items(self, fmt, *more):
        out = os.path.join(self.data.tmp, "items." + fmt)
        harness.cli_ok("council", "items", "--data", self.data.path, "--format", fmt,
                       "--out", out, *more)
        with open(out, "rb") as f:
            return f.read()

    def test_items_name_each_services_sealed_columns(self):
        md = self.items("md").decode("utf-8")
        sections = md_sections(md)
        # every unit: the platform and each registered service (each has its data key)
        keys = sorted(k.split(":", 1)[1] for (k,) in
                      self.data.query("SELECT key FROM meta WHERE key LIKE 'data_key:%'"))
        self.assertEqual(sorted(sections), keys)
        for unit, part in sections.items():
            self.assertIn("| 個人の範囲 |", part, unit)
            self.assertIn("data_key:%s" % unit, part, unit)
            sealed = re.findall(r"(?m)^\| [^|]+ \| \w+ \| ([^|]+) \| (?:個人|要配慮) \| 暗号化 \|",
                                part)
            self.assertTrue(sealed, "%s has no sealed column in its item list" % unit)
        for unit, (table, column, name) in SEALED.items():
            row = re.search(r"(?m)^\| [^|]+（%s） \| %s \| (.+?) \| (.+?) \| (.*?) \| (.*?) \|$"
                            % (table, column), sections[unit])
            self.assertIsNotNone(row, (unit, table, column))
            self.assertEqual(row.group(1), name, unit)
            self.assertEqual(row.group(3), "暗号化", unit)
            self.assertTrue(row.group(4), "%s.%s has no retention" % (table, column))
        # 要配慮: the centre's children are children with disabilities
        self.assertRegex(sections["centre"], r"\| 個別支援計画の内容 \| 要配慮 \| 暗号化 \|")
        # the flow of personal information and the roles from the route table
        self.assertIn("| 保護者 | 学童クラブ・ひろばプラス |", sections["attendance"])
        self.assertIn("| 受託事業者 | 区 | 個人情報を含むファイル |", sections["exchange"])
        self.assertIn("入浴証 出張所窓口", sections["bathpass"])
        self.assertNotIn("入浴証 出張所窓口", sections["attendance"])
        # one service only
        one = harness.cli_ok("council", "items", "--data", self.data.path, "--service",
                             "bathpass", "--format", "md").out
        self.assertEqual(list(md_sections(one)), ["bathpass"])
        r = harness.cli("council", "items", "--data", self.data.path, "--service", "nosuch",
                        "--format", "md")
        self.assertEqual(r.rc, 2, r)
        self.assertIn("サービス「nosuch」はありません", r.err)
        r = harness.cli("council", "items", "--data", self.data.path, "--format", "doc")
        self.assertEqual(r.rc, 2, r)
        self.assertIn("md、pdf、xlsx", r.err)

    def test_pdf_and_xlsx(self):
        pdf = self.items("pdf", "--service", "attendance")
        self.assertTrue(pdf.startswith(b"%PDF"))
        path = os.path.join(self.data.tmp, "a.pdf")
        with open(path, "wb") as f:
            f.write(pdf)
        text = subprocess.run(["pdftotext", "-layout", path, "-"], capture_output=True,
                              check=True).stdout.decode("utf-8")
        for words in ("入退室管理 概要", "個人の範囲", "児童氏名", "暗号化", "data_key:attendance",
                      "個人情報の流れ"):
            self.assertIn(words, text)
        self.assertNotIn("住民番号", text)  # the bath pass's, not in attendance's list

        rows = xlsx_rows(self.items("xlsx"), "記録項目")
        self.assertEqual(rows[0], ["サービス", "表", "列", "記録項目", "区分", "暗号化",
                                   "保存期間"])
        by_key = {(r[1], r[2]): r for r in rows[1:]}
        for unit, (table, column, name) in SEALED.items():
            row = [c for (t, col), c in by_key.items() if t.endswith("（%s）" % table)
                   and col == column]
            self.assertEqual(len(row), 1, (table, column))
            self.assertEqual(row[0][3:6], [name, row[0][4], "暗号化"])
            self.assertIn(row[0][4], ("個人", "要配慮"))
        # every live column is a row: as many rows as the live schema has columns
        live = len(self.data.query(
            "SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p "
            "WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite%'")) if not engines.PG \
            else len(self.data.query("SELECT table_name FROM information_schema.columns "
                                     "WHERE table_schema = current_schema()"))
        self.assertEqual(len(rows) - 1, live)
        flows = xlsx_rows(self.items("xlsx"), "個人情報の流れ")
        self.assertIn(["入退室管理", "保護者", "学童クラブ・ひろばプラス",
                       "児童氏名・学年・保護者の氏名とメールアドレス", "登録の申込書"], flows)

    def test_staff(self):
        d = self.data
        d.site_add("G01", "桜台学童クラブ")
        d.user_add("council-site", "site_staff", sites=["G01"])
        d.user_add("council-bath", "bath_office")
        d.user_add("council-op", "grant_operator")
        d.user_add("council-gone", "bath_branch")
        harness.cli_ok("sitter", "staff", "--data", d.path, "--login", "council-op")
        d.execute("UPDATE users SET disabled = 1 WHERE login = 'council-gone'")  # locked
        out = harness.cli_ok("council", "staff", "--data", d.path).out.splitlines()
        self.assertEqual(out[0], "サービス\t区分\tログインID\t役割")
        rows = [l.split("\t") for l in out[1:]]
        self.assertIn(["入退室管理（attendance）", "取扱者", "council-site", "施設職員"], rows)
        self.assertIn(["ふれあい入浴証（bathpass）", "取扱責任者", "council-bath",
                       "入浴証 本庁担当"], rows)
        mine = [r for r in rows if r[2] == "council-op"]
        self.assertEqual(mine, [[r[0], "取扱者", "council-op", "助成 事業者の担当者"]
                                for r in mine])
        # the sitter operator: the babysitter subsidy and the file exchange it sends through,
        # not household support (another benefit) nor the platform (sign-in is everyone's)
        self.assertEqual([r[0] for r in mine], ["ベビーシッター利用支援（sitter）",
                                                "ファイル授受（exchange）"])
        self.assertFalse([r for r in rows if r[2] == "council-gone"])  # a locked account
        self.assertFalse([r for r in rows if r[0].endswith("（attendance）")
                          and r[2] == "council-bath"])
        one = harness.cli_ok("council", "staff", "--data", d.path, "--service", "bathpass").out
        self.assertEqual({l.split("\t")[0] for l in one.splitlines()[1:]},
                         {"ふれあい入浴証（bathpass）"})

    def test_check_names_a_column_without_annotation(self):
        d = self.data
        r = harness.cli_ok("council", "check", "--data", d.path)
        self.assertIn("すべての表と列に注記があります", r.out)
        # a column a migration would add without its annotation, on the live database
        d.execute("ALTER TABLE children ADD COLUMN nickname TEXT",
                  "CREATE TABLE council_scratch (id INTEGER PRIMARY KEY, note TEXT)")
        r = harness.cli("council", "check", "--data", d.path)
        self.assertEqual(r.rc, 1, r)
        self.assertIn("列 children.nickname に注記がありません", r.err)
        self.assertIn("-- 項目: 日本語名; 一般|個人|要配慮[; 暗号化]", r.err)
        self.assertIn("表 council_scratch に注記がありません", r.err)
        self.assertIn("列 council_scratch.note に注記がありません", r.err)
        self.assertIn("注記の問題が 4 件あります", r.err)
        # the item list shows the gap rather than hiding it
        md = harness.cli_ok("council", "items", "--data", d.path, "--service", "attendance",
                            "--format", "md").out
        self.assertRegex(md, r"\| 児童（children） \| nickname \| （注記なし） \|")

    def test_checker_on_a_crafted_migration(self):
        script = os.path.join(harness.REPO, "scripts", "embed_items.py")
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "0099_crafted.sql")
            with open(path, "w", encoding="utf-8") as f:
                f.write("CREATE TABLE crafted ( -- 表: 試し; attendance; 本人: 児童\n"
                        "  id INTEGER PRIMARY KEY, -- 項目: 番号; 一般\n"
                        "  secret BLOB NOT NULL,\n"
                        "  state TEXT NOT NULL -- 項目: 状態; 一般 — free text after a dash\n"
                        "        CHECK (state IN ('a','b'))\n"
                        ");\n"
                        "ALTER TABLE crafted ADD COLUMN later TEXT;\n"
                        "ALTER TABLE crafted ADD other INTEGER;\n"
                        "ALTER TABLE crafted ADD CONSTRAINT c CHECK (id > 0);\n")
            p = subprocess.run([sys.executable, script, "--check", path], capture_output=True)
            err = p.stdout.decode("utf-8")
            self.assertEqual(p.returncode, 1, err)
            self.assertEqual(sorted(re.findall(r"crafted\.(\w+): 注記がありません", err)),
                             ["later", "other", "secret"])
            # a malformed one stops the build: sealed but not a BLOB, or an unknown class
            # a fixed list (kept by an erasure) with a personal column, or naming whose it is
            for bad, words, table in (
                    ("  x TEXT -- 項目: 秘密; 個人; 暗号化\n", "型が TEXT", "attendance"),
                    ("  x TEXT -- 項目: 秘密; 秘密\n", "crafted.x の注記の書式が違います",
                     "attendance"),
                    ("  x TEXT -- 項目: 氏名; 個人\n", "列 x を個人・要配慮・暗号化にできません",
                     "attendance; 固定"),
                    ("  x TEXT -- 項目: 名; 一般\n", "固定にできません",
                     "attendance; 本人: 児童; 固定")):
                with open(path, "w", encoding="utf-8") as f:
                    f.write("CREATE TABLE crafted ( -- 表: 試し; %s\n" % table + bad + ");\n")
                p = subprocess.run([sys.executable, script, os.path.join(tmp, "out.c"), path],
                                   capture_output=True)
                self.assertNotEqual(p.returncode, 0)
                self.assertIn(words, p.stderr.decode("utf-8"))
        # the repository's own migrations are all annotated
        sql = os.path.join(harness.REPO, "sql")
        p = subprocess.run([sys.executable, script, "--check"] +
                           [os.path.join(sql, f) for f in sorted(os.listdir(sql))],
                           capture_output=True)
        self.assertEqual(p.returncode, 0, p.stdout.decode("utf-8"))

    def test_api_downloads(self):
        d = self.data
        d.user_add("admin1", "ward_admin")
        d.user_add("staff1", "ward_staff")
        srv = self.start_server()
        admin, staff = srv.client(), srv.client()
        self.assertEqual(admin.login("admin1").status, 200)
        self.assertEqual(staff.login("staff1").status, 200)
        r = admin.get("/api/v1/council/items?format=xlsx&service=attendance")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.header("Content-Disposition"),
                         'attachment; filename="council-items-attendance.xlsx"')
        rows = xlsx_rows(r.body, "記録項目")
        self.assertIn("児童氏名", [row[3] for row in rows])
        self.assertEqual({row[0] for row in rows[1:]}, {"入退室管理"})
        r = admin.get("/api/v1/council/items?format=md")
        self.assertEqual(r.status, 200, r)
        self.assertIn("銀行口座情報（振込先）", r.body.decode("utf-8"))
        r = admin.get("/api/v1/council/items?format=doc")
        self.assertEqual((r.status, r.json["code"]), (400, "bad_format"))
        r = admin.get("/api/v1/council/items?format=md&service=nosuch")
        self.assertEqual((r.status, r.json["code"]), (404, "unknown_service"))
        self.assertEqual(staff.get("/api/v1/council/items?format=md").status, 403)
        r = admin.get("/api/v1/council/staff?service=platform")
        self.assertEqual(r.status, 200, r)
        self.assertEqual([u["name"] for u in r.json["units"]], ["platform"])
        self.assertIn({"login": "admin1", "role": "ward_admin", "role_ja": "区の管理者",
                       "kind": "取扱責任者"}, r.json["units"][0]["staff"])
        self.assertEqual(d.query("SELECT actor, object FROM audit WHERE action = "
                                 "'council.items' ORDER BY id"),
                         [("user:%d" % d.query("SELECT id FROM users WHERE login = 'admin1'")[0][0],
                           "council:attendance:xlsx"), (r"user:%d" % d.query(
                               "SELECT id FROM users WHERE login = 'admin1'")[0][0],
                           "council:all:md")])


if __name__ == "__main__":
    unittest.main()
