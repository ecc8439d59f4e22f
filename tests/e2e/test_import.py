# SPDX-License-Identifier: MIT
"""test_import.py — roster import: CP932, UTF-8 with BOM, Japanese headers, bad rows reported by
line number (quoted newlines counted), re-import updates without duplicates, never removes."""
import re
import unittest

from harness import ENGLISH_HEADER, JAPANESE_HEADER, ServerTestCase


def csv_line(fields):
    out = []
    for f in fields:
        if any(c in f for c in ',"\r\n'):
            f = '"' + f.replace('"', '""') + '"'
        out.append(f)
    return ",".join(out) + "\r\n"


class ImportTest(ServerTestCase):
    def setUp(self):
        super().setUp()
        self.data.site_add("G01", "すみれ学童クラブ")
        self.data.site_add("G02", "ひろばプラス桜", "hiroba_plus")
        self.data.user_add("admin01", "ward_admin")
        self.srv = self.start_server(mail="maildir:" + self.data.tmp + "/mail")
        self.staff = self.srv.client()
        self.assertEqual(self.staff.login("admin01").status, 200)

    def board(self, site="G01"):
        r = self.staff.board(site)
        self.assertEqual(r.status, 200, r)
        return r.json["children"]

    def names(self, site="G01"):
        return {c["child_no"]: (c["name"], c["kana"], c["grade"]) for c in self.board(site)}

    def test_cp932(self):
        rows = [["K001", "G01", "髙橋 太郎", "ﾀｶﾊｼ ﾀﾛｳ", "3", "2016-04-02", "髙橋 花子",
                 "k1@example.jp"],
                ["K002", "G01", "山﨑 次郎", "ヤマサキ ジロウ", "2", "2017-05-03", "山﨑 一",
                 "k2@example.jp"]]
        p = self.data.write_csv("cp932.csv", rows, encoding="cp932")
        with open(p, "rb") as f:
            raw = f.read()
        self.assertNotIn("髙".encode("utf-8"), raw)  # really CP932 bytes
        r = self.data.import_children(p)
        self.assertEqual(r.rc, 0, r)
        self.assertRegex(r.out, r"(?i)cp932|shift")
        self.assertEqual(self.names(), {"K001": ("髙橋 太郎", "ﾀｶﾊｼ ﾀﾛｳ", 3),
                                        "K002": ("山﨑 次郎", "ヤマサキ ジロウ", 2)})

    def test_cp932_japanese_header(self):
        rows = [["K011", "G01", "髙木 ﾊﾅ", "ﾀｶｷﾞ ﾊﾅ", "1", "2018-01-31", "髙木 一郎",
                 "k11@example.jp"]]
        p = self.data.write_csv("cp932j.csv", rows, header=JAPANESE_HEADER, encoding="cp932")
        r = self.data.import_children(p)
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(self.names(), {"K011": ("髙木 ﾊﾅ", "ﾀｶｷﾞ ﾊﾅ", 1)})

    def test_utf8_bom_japanese_header(self):
        rows = [["J001", "G01", "髙橋 𠮷男", "ﾀｶﾊｼ ﾖｼｵ", "4", "2015-02-28", "髙橋 花子",
                 "j1@example.jp"],
                ["J002", "G02", "森 𠀋", "モリ ジョウ", "5", "2014-12-31", "森 一",
                 "j2@example.jp"]]
        p = self.data.write_csv("bom.csv", rows, header=JAPANESE_HEADER, bom=True)
        r = self.data.import_children(p)
        self.assertEqual(r.rc, 0, r)
        self.assertIn("児童 追加 2", r.out)
        self.assertEqual(self.names("G01"), {"J001": ("髙橋 𠮷男", "ﾀｶﾊｼ ﾖｼｵ", 4)})
        self.assertEqual(self.names("G02"), {"J002": ("森 𠀋", "モリ ジョウ", 5)})

    def test_bad_rows_reported_by_line(self):
        good = ["B001", "G01", "良い 子", "ヨイ コ", "1", "2018-04-01", "保護者 一", "b1@example.jp"]
        text = csv_line(ENGLISH_HEADER)  # line 1
        text += csv_line(good)  # line 2
        text += csv_line(["B002", "G01", "学年 違い", "ガクネン", "7", "2018-04-01", "保護者 二",
                          "b2@example.jp"])  # line 3: grade
        text += csv_line(["B003", "G01", "改行 入り", "カイギョウ", "2", "2017-04-01",
                          "保護者\n三", "b3@example.jp"])  # lines 4-5: a line break in a name
        text += csv_line(["B004", "G01", "日付 違い", "ヒヅケ", "2", "2017-02-29", "保護者 四",
                          "b4@example.jp"])  # line 6: no 29 Feb 2017
        text += csv_line(["B005", "G01", "宛先 違い", "アテサキ", "2", "2017-03-01", "保護者 五",
                          "not-an-address"])  # line 7: email
        text += csv_line(["B006", "G99", "施設 違い", "シセツ", "2", "2017-03-01", "保護者 六",
                          "b6@example.jp"])  # line 8: site
        text += csv_line(["B007", "G01", "", "カラ", "2", "2017-03-01", "保護者 七",
                          "b7@example.jp"])  # line 9: empty name
        text += csv_line(["B008", "G01", "最後 良い", "サイゴ", "6", "2012-02-29", "保護者 八",
                          "b8@example.jp"])  # line 10, good (leap day)
        p = self.data.write_csv("bad.csv", None, raw=text)
        r = self.data.import_children(p, expect_ok=False)
        self.assertEqual(r.rc, 1, r)
        lines = [l for l in r.err.splitlines() if l.strip()]
        got = [int(re.match(r"^(\d+)行目: .+", l).group(1)) for l in lines]
        self.assertEqual(got, [3, 4, 6, 7, 8, 9], r.err)
        self.assertIn("grade", lines[0])
        self.assertIn("line break", lines[1])  # reported at the line where the row starts
        self.assertIn("birth_date", lines[2])
        self.assertIn("guardian_email", lines[3])
        self.assertIn("site", lines[4])
        self.assertIn("empty", lines[5])
        self.assertIn("取り込めなかった行 6", r.out)
        self.assertEqual(set(self.names()), {"B001", "B008"})

    def test_missing_header_column(self):
        p = self.data.write_csv("nohdr.csv", [["X1", "G01", "名前", "ナマエ", "1", "2018-01-01",
                                              "保護者", "x@example.jp"]],
                                header=ENGLISH_HEADER[:-1] + ["email"])
        r = self.data.import_children(p, expect_ok=False)
        self.assertNotEqual(r.rc, 0)
        self.assertEqual(len(r.err.strip().splitlines()), 1, r.err)
        self.assertEqual(self.board(), [])

    def test_reimport_updates_never_removes(self):
        first = [["R001", "G01", "一郎", "イチロウ", "1", "2018-04-01", "親 一", "r1@example.jp"],
                 ["R002", "G01", "二郎", "ジロウ", "2", "2017-04-01", "親 二", "r2@example.jp"],
                 ["R003", "G01", "三郎", "サブロウ", "3", "2016-04-01", "親 三", "r3@example.jp"]]
        r = self.data.import_children(self.data.write_csv("a.csv", first))
        self.assertIn("児童 追加 3", r.out)
        self.assertIn("保護者 追加 3（確認メールを送ります）", r.out)
        # The same file again: no duplicates.
        r = self.data.import_children(self.data.write_csv("a2.csv", first))
        self.assertIn("児童 追加 0・更新 3", r.out)
        self.assertIn("保護者 追加 0", r.out)
        self.assertNotIn("確認メールを送ります", r.out)  # nobody new: no mail to promise
        self.assertEqual(len(self.board()), 3)
        # A later roster: R001 renamed and promoted, R002 moved to G02, R003 absent, R004 new,
        # R001's guardian address in different case (same guardian).
        second = [["R001", "G01", "一郎 改", "イチロウ カイ", "2", "2018-04-01", "親 一",
                   "R1@Example.JP"],
                  ["R002", "G02", "二郎", "ジロウ", "2", "2017-04-01", "親 二", "r2@example.jp"],
                  ["R004", "G01", "四郎", "シロウ", "1", "2018-05-01", "親 四", "r4@example.jp"]]
        r = self.data.import_children(self.data.write_csv("b.csv", second, header=JAPANESE_HEADER))
        self.assertEqual(r.rc, 0, r)
        self.assertIn("児童 追加 1・更新 2", r.out)
        self.assertIn("保護者 追加 1", r.out)
        g01 = self.names("G01")
        self.assertEqual(g01, {"R001": ("一郎 改", "イチロウ カイ", 2),
                               "R003": ("三郎", "サブロウ", 3),
                               "R004": ("四郎", "シロウ", 1)})
        self.assertEqual(self.names("G02"), {"R002": ("二郎", "ジロウ", 2)})
        board = self.board()
        self.assertEqual(len(board), len({c["child_no"] for c in board}))


if __name__ == "__main__":
    unittest.main()
