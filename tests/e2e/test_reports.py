# SPDX-License-Identifier: MIT
"""test_reports.py — the reports (帳票) end to end: roster → cards → kiosk scans on a fixed past
day → daily list as PDF (names exact, 和暦 and ISO date) and CSV (UTF-8 with BOM and CRLF, or
CP932 with the 𠮷 row reported as lossy) → monthly usage as XLSX and CSV → the handover ledger
lists every export with its counts (the card sheets the CLI writes too, with the file's
BLAKE2b digest), each with an audit entry → the API serves the same files with the right types
and denies site staff another site; a card sheet that cannot be written is not recorded."""
import calendar
import csv
import datetime
import hashlib
import io
import os
import unittest
import zipfile

import engines
import harness
from harness import ServerTestCase, cli, cli_ok

SITE1 = "すみれ学童クラブ"
SITE2 = "ひろばプラス桜"
ROWS = [
    ["C001", "G01", "髙橋 𠮷男", "ﾀｶﾊｼ ﾖｼｵ", "3", "2016-04-02", "髙橋 花子", "a@example.jp"],
    ["C002", "G01", "山﨑 次郎", "ヤマサキ ジロウ", "2", "2017-05-03", "山﨑 一", "b@example.jp"],
    ["C003", "G01", "佐藤 三郎", "サトウ サブロウ", "1", "2018-06-04", "佐藤 良子", "c@example.jp"],
    ["C004", "G02", "鈴木 四葉", "スズキ ヨツバ", "4", "2015-07-05", "鈴木 誠", "g@example.jp"],
]
DAY = "2025-06-10"          # a Tuesday, always in the past
WAREKI = "令和7年6月10日"
JST = datetime.timezone(datetime.timedelta(hours=9))


def epoch(day, hhmm):
    d = datetime.datetime.strptime(day + " " + hhmm, "%Y-%m-%d %H:%M").replace(tzinfo=JST)
    return calendar.timegm(d.utctimetuple())


class ReportTest(ServerTestCase):
    def setUp(self):
        super().setUp()
        d = self.data
        d.site_add("G01", SITE1)
        d.site_add("G02", SITE2, "hiroba_plus")
        d.import_children(d.write_csv("roster.csv", ROWS))
        d.user_add("admin01", "ward_admin")
        d.user_add("ward01", "ward_staff")
        d.user_add("staff01", "site_staff", ["G01"])
        d.user_add("cont01", "contractor")
        # Cards for C001, C002 (G01) and C004 (G02); C003 has none and stays absent.
        for child in ("C001", "C002", "C004"):
            d.card_issue(child=child)
        self.k1 = d.kiosk_add("G01")
        self.k2 = d.kiosk_add("G02")
        self.mail = "maildir:" + os.path.join(d.tmp, "mail")
        self.exports = 0

    def server_at(self, day, hhmm):
        return self.start_server(mail=self.mail,
                                 env={"MIMAMORI_FAKE_NOW": str(epoch(day, hhmm))})

    def scan_day(self):
        """Everyone with a card enters at 15:00; C001 leaves at 18:30; C002 never scans out."""
        codes = harness.decode_qr_codes(self.data.card_sheet("G01"))
        codes2 = harness.decode_qr_codes(self.data.card_sheet("G02"))
        self.assertEqual(len(codes), 2, codes)
        self.assertEqual(len(codes2), 1, codes2)
        by_name = {}
        s = self.server_at(DAY, "15:00")
        k1, k2 = s.client(kiosk_token=self.k1), s.client(kiosk_token=self.k2)
        for code in codes:
            r = k1.scan(code)
            self.assertEqual(r.status, 200, r)
            self.assertEqual(r.json["direction"], "in")
            by_name[r.json["child_name"]] = code
        self.assertEqual(k2.scan(codes2[0]).json["direction"], "in")
        s.stop()
        s = self.server_at(DAY, "18:30")
        r = s.client(kiosk_token=self.k1).scan(by_name["髙橋 𠮷男"])
        self.assertEqual(r.json["direction"], "out", r)
        r = s.client(kiosk_token=self.k2).scan(codes2[0])
        self.assertEqual(r.json["direction"], "out", r)
        s.stop()

    def report(self, *args, expect_rc=0):
        out = os.path.join(self.data.tmp, "out-%d" % self.exports)
        r = cli("report", *args, "--data", self.data.path, "--out", out)
        self.assertEqual(r.rc, expect_rc, r)
        if expect_rc == 0:
            self.exports += 1
            with open(out, "rb") as f:
                return f.read(), r
        self.assertFalse(os.path.exists(out))
        return None, r

    def ledger(self):
        r = cli_ok("ledger", "list", "--data", self.data.path)
        lines = r.out.strip().splitlines()
        self.assertEqual(lines[0].split("\t")[:5], ["番号", "日時", "出力者", "内容", "件数"])
        return [l.split("\t") for l in lines[1:-1]], lines[-1]

    def test_reports_end_to_end(self):
        self.scan_day()

        # Daily PDF: names exactly, 和暦 and ISO date, times, only this site's children.
        pdf, r = self.report("daily", "--site", "G01", "--date", DAY, "--format", "pdf")
        self.assertTrue(pdf.startswith(b"%PDF-"))
        path = os.path.join(self.data.tmp, "daily.pdf")
        with open(path, "wb") as f:
            f.write(pdf)
        text = harness.pdf_text(path)
        # C003 had no plan that day and never came: 予定なし (never 欠席 without a notice).
        for want in ("髙橋 𠮷男", "ﾀｶﾊｼ ﾖｼｵ", "山﨑 次郎", "佐藤 三郎", SITE1, WAREKI, DAY,
                     "15:00", "18:30", "退室", "予定なし", "退室未記録"):
            self.assertIn(want, text)
        self.assertRegex(text, r"\b1\s*/\s*1\b")  # the page number
        self.assertNotIn("鈴木", text)
        # Sorted by grade, then child number.
        self.assertLess(text.index("佐藤 三郎"), text.index("山﨑 次郎"))
        self.assertLess(text.index("山﨑 次郎"), text.index("髙橋 𠮷男"))

        # Daily CSV, UTF-8: BOM, CRLF everywhere, the columns.
        data, _ = self.report("daily", "--site", "G01", "--date", DAY, "--format", "csv")
        self.assertTrue(data.startswith(b"\xef\xbb\xbf"))
        self.assertEqual(data.count(b"\n"), data.count(b"\r\n"))
        self.assertTrue(data.endswith(b"\r\n"))
        rows = list(csv.reader(io.StringIO(data[3:].decode("utf-8"), newline="")))
        self.assertEqual(rows[0], ["日付", "施設コード", "児童番号", "児童氏名", "児童氏名カナ",
                                   "学年", "入室", "退室", "状況", "連絡"])
        self.assertEqual(rows[1:], [
            [DAY, "G01", "C003", "佐藤 三郎", "サトウ サブロウ", "1", "", "", "予定なし", ""],
            [DAY, "G01", "C002", "山﨑 次郎", "ヤマサキ ジロウ", "2", "15:00", "", "退室未記録", ""],
            [DAY, "G01", "C001", "髙橋 𠮷男", "ﾀｶﾊｼ ﾖｼｵ", "3", "15:00", "18:30", "退室", ""],
        ])

        # Daily CSV, CP932: decodes; 髙 and 﨑 survive (CP932 has them); 𠮷 does not, and that
        # row is named on stderr.
        data, r = self.report("daily", "--site", "G01", "--date", DAY, "--format", "csv",
                              "--encoding", "cp932")
        self.assertFalse(data.startswith(b"\xef\xbb\xbf"))
        self.assertEqual(data.count(b"\n"), data.count(b"\r\n"))
        text = data.decode("cp932")
        self.assertIn("髙橋 〓男", text)
        self.assertIn("山﨑 次郎", text)
        self.assertIn("ﾀｶﾊｼ ﾖｼｵ", text)
        self.assertIn("1 行に CP932 で表せない文字", r.err)
        self.assertIn("line 4 (C001)", r.err)
        self.assertNotIn("髙橋", r.err)  # no personal data in messages
        self.assertIn("3 件", r.out)

        # Monthly XLSX: one sheet per site plus the ward summary; names in the shared strings.
        month = DAY[:7]
        xlsx, _ = self.report("monthly", "--month", month, "--format", "xlsx")
        z = zipfile.ZipFile(io.BytesIO(xlsx))
        shared = z.read("xl/sharedStrings.xml").decode("utf-8")
        for want in ("髙橋 𠮷男", "山﨑 次郎", "鈴木 四葉", "令和7年6月", SITE1, SITE2):
            self.assertIn(want, shared)
        wb = z.read("xl/workbook.xml").decode("utf-8")
        for sheet in ("区集計", "G01", "G02"):
            self.assertIn('name="%s"' % sheet, wb)

        # Monthly CSV: per child days and hours, per site totals.
        data, _ = self.report("monthly", "--month", month, "--format", "csv")
        self.assertTrue(data.startswith(b"\xef\xbb\xbf"))
        self.assertEqual(data.count(b"\n"), data.count(b"\r\n"))
        rows = list(csv.reader(io.StringIO(data[3:].decode("utf-8"), newline="")))
        by_no = {r[0]: r for r in rows if r and r[0].startswith("C")}
        self.assertEqual(by_no["C001"][1:], ["髙橋 𠮷男", "ﾀｶﾊｼ ﾖｼｵ", "3", "1", "3.50"])
        self.assertEqual(by_no["C002"][4:], ["1", "0.00"])   # never left: a day, no hours
        self.assertEqual(by_no["C003"][4:], ["0", "0.00"])
        self.assertEqual(by_no["C004"][4:], ["1", "3.50"])
        summary = {r[0]: r for r in rows if r and r[0] in ("G01", "G02", "区合計")}
        self.assertEqual(summary["G01"][3:8], ["3", "2", "1", "2", "3.50"])
        self.assertEqual(summary["G02"][3:8], ["1", "1", "1", "1", "3.50"])
        self.assertEqual(summary["区合計"][3:5], ["4", "3"])

        # Bad requests export nothing and record nothing.
        self.report("daily", "--site", "G01", "--date", "2025-02-30", "--format", "pdf",
                    expect_rc=2)
        self.report("daily", "--site", "G01", "--format", "docx", expect_rc=2)
        self.report("monthly", "--month", "2025-13", "--format", "csv", expect_rc=2)
        self.report("daily", "--site", "G99", "--format", "pdf", expect_rc=1)

        # The ledger lists every export with its counts: the card sheets first (scan_day
        # printed them with `card sheet`: names and card codes, an export like any other).
        entries, last = self.ledger()
        self.assertEqual(last, "出力 7 件")
        self.assertEqual([(e[2], e[3], e[4], e[5]) for e in entries], [
            ("cli", "cards G01 pdf", "2", "0"),
            ("cli", "cards G02 pdf", "1", "0"),
            ("cli", "daily G01 %s pdf" % DAY, "3", "0"),
            ("cli", "daily G01 %s csv" % DAY, "3", "0"),
            ("cli", "daily G01 %s csv cp932" % DAY, "3", "1"),
            ("cli", "monthly %s xlsx" % month, "4", "0"),
            ("cli", "monthly %s csv" % month, "4", "0"),
        ])

        # The API: the same files, recorded under the user.
        srv = self.start_server(mail=self.mail)
        staff = srv.client()
        self.assertEqual(staff.login("staff01").status, 200)
        base = "/api/v1/sites/%s/reports/daily?date=" + DAY + "&format="
        r = staff.get(base % "G01" + "pdf")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.header("Content-Type"), "application/pdf")
        self.assertEqual(r.header("Content-Disposition"),
                         'attachment; filename="daily-G01-%s.pdf"' % DAY)
        self.assertEqual(r.header("Cache-Control"), "no-store")
        self.assertTrue(r.body.startswith(b"%PDF-"))
        r = staff.get(base % "G01" + "csv&encoding=cp932")
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.header("Content-Type").startswith("text/csv"))
        self.assertIn("attachment;", r.header("Content-Disposition"))
        self.assertEqual(r.header("X-Mimamori-Lossy-Rows"), "1")
        self.assertIn("C001", r.header("X-Mimamori-Lossy"))
        self.assertIn("髙橋 〓男", r.body.decode("cp932"))
        r = staff.get(base % "G01" + "csv")
        self.assertEqual(r.header("Content-Type"), "text/csv; charset=utf-8")
        self.assertTrue(r.body.startswith(b"\xef\xbb\xbf"))
        self.assertIsNone(r.header("X-Mimamori-Lossy-Rows"))
        # Another site's list is refused (and audited); bad parameters are 400.
        r = staff.get(base % "G02" + "pdf")
        self.assertEqual(r.status, 403, r)
        self.assertIn("message", r.json)
        self.assertEqual(staff.get(base % "G01" + "docx").status, 400)
        self.assertEqual(staff.get(base % "G99" + "pdf").status, 404)
        self.assertEqual(staff.get("/api/v1/reports/monthly?month=%s&format=csv" % month).status,
                         403)
        self.assertEqual(staff.get("/api/v1/ledger").status, 403)

        ward = srv.client()
        self.assertEqual(ward.login("ward01").status, 200)
        r = ward.get(base % "G02" + "pdf")
        self.assertEqual(r.status, 200, r)
        r = ward.get("/api/v1/reports/monthly?month=%s&format=xlsx" % month)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.header("Content-Type"),
                         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        self.assertEqual(r.header("Content-Disposition"),
                         'attachment; filename="monthly-%s.xlsx"' % month)
        self.assertIn("鈴木 四葉",
                      zipfile.ZipFile(io.BytesIO(r.body)).read("xl/sharedStrings.xml").decode())
        r = ward.get("/api/v1/reports/monthly?month=%s&format=csv" % month)
        self.assertEqual(r.status, 200, r)
        self.assertIn("山﨑 次郎", r.body.decode("utf-8-sig"))
        self.assertEqual(ward.get("/api/v1/reports/monthly?format=csv").status, 400)
        self.assertEqual(ward.get("/api/v1/ledger").status, 403)
        cont = srv.client()
        self.assertEqual(cont.login("cont01").status, 200)
        self.assertEqual(cont.get(base % "G01" + "pdf").status, 403)

        admin = srv.client()
        self.assertEqual(admin.login("admin01").status, 200)
        r = admin.get("/api/v1/ledger")
        self.assertEqual(r.status, 200, r)
        led = r.json["ledger"]
        self.assertEqual(len(led), 13, led)
        staff_id = led[7]["actor"]
        self.assertTrue(staff_id.startswith("user:"), led[7])
        self.assertEqual([(e["login"], e["content"], e["records"], e["lossy"]) for e in led[7:]], [
            ("staff01", "daily G01 %s pdf" % DAY, 3, 0),
            ("staff01", "daily G01 %s csv cp932" % DAY, 3, 1),
            ("staff01", "daily G01 %s csv" % DAY, 3, 0),
            ("ward01", "daily G02 %s pdf" % DAY, 1, 0),
            ("ward01", "monthly %s xlsx" % month, 4, 0),
            ("ward01", "monthly %s csv" % month, 4, 0),
        ])
        for e in led:
            self.assertEqual(len(e["blake2b_256"]), 64)
            self.assertTrue(e["at"].endswith("+09:00"))
        srv.stop()

        # Each export has its audit entry, and the chain is intact.
        con = self.data.connect()
        try:
            n = con.execute("SELECT COUNT(*) FROM audit WHERE action = 'report.export'").fetchone()
            denied = con.execute("SELECT COUNT(*) FROM audit WHERE action = 'denied' AND "
                                 "detail = 'daily report of another site'").fetchone()
            with self.assertRaises(engines.DB_ERRORS):
                con.execute("DELETE FROM ledger")
        finally:
            con.close()
        self.assertEqual(n[0], 13)
        self.assertEqual(denied[0], 1)
        self.assertEqual(self.data.audit_verify().rc, 0)
        _, last = self.ledger()
        self.assertEqual(last, "出力 13 件")

    def test_card_sheet_is_in_the_ledger(self):
        """`card sheet` hands over names and card codes: recorded like every export (content,
        cards, size and the file's BLAKE2b-256, an audit entry), and nothing is recorded when
        the file cannot be written or there is nothing to print."""
        d = self.data
        out = os.path.join(d.tmp, "sheet.pdf")
        r = cli_ok("card", "sheet", "--data", d.path, "--site", "G01", "--out", out)
        self.assertIn("受け渡し台帳の 1 番に記録しました", r.out)
        self.assertEqual(len(harness.decode_qr_codes(out)), 2)
        with open(out, "rb") as f:
            pdf = f.read()
        entries, last = self.ledger()
        self.assertEqual(last, "出力 1 件")
        self.assertEqual(entries[0][2:8], ["cli", "cards G01 pdf", "2", "0", str(len(pdf)),
                                           hashlib.blake2b(pdf, digest_size=32).hexdigest()])
        # Refused: a directory that does not exist, an unknown site, a site with no card.
        d.site_add("G09", "カードのない施設")
        bad = [("G01", os.path.join(d.tmp, "nowhere", "sheet.pdf"),
                "sheet.pdf に書き込めません（フォルダがありません）"),
               ("G99", os.path.join(d.tmp, "g99.pdf"), "この施設コードの施設はありません"),
               ("G09", os.path.join(d.tmp, "g09.pdf"), "印刷するカードがありません")]
        for site, path, says in bad:
            r = cli("card", "sheet", "--data", d.path, "--site", site, "--out", path)
            self.assertEqual(r.rc, 1, r)
            self.assertIn(says, r.err)
            self.assertEqual(len(r.err.strip().splitlines()), 1, r)
            self.assertFalse(os.path.exists(path))
        self.assertEqual(self.ledger()[1], "出力 1 件")
        con = d.connect()
        try:
            n = con.execute("SELECT COUNT(*) FROM audit WHERE action = 'report.export'").fetchone()
        finally:
            con.close()
        self.assertEqual(n[0], 1)
        self.assertEqual(d.audit_verify().rc, 0)

    def test_many_children_make_many_pages(self):
        rows = []
        for i in range(160):
            rows.append(["K%03d" % i, "G01", "児童 %03d" % i, "ジドウ", str(1 + i % 6),
                         "2016-04-02", "保護者 %03d" % i, "p%03d@example.jp" % i])
        self.data.import_children(self.data.write_csv("big.csv", rows))
        pdf, r = self.report("daily", "--site", "G01", "--date", DAY, "--format", "pdf")
        path = os.path.join(self.data.tmp, "big.pdf")
        with open(path, "wb") as f:
            f.write(pdf)
        text = harness.pdf_text(path)
        # 163 children, 36 per page: 5 pages, each numbered, each with the header.
        self.assertEqual(text.count("\f"), 5)
        for p in range(1, 6):
            self.assertRegex(text, r"\b%d\s*/\s*5\b" % p)
        self.assertEqual(text.count(WAREKI), 5)
        for i in (0, 80, 159):
            self.assertIn("児童 %03d" % i, text)
        self.assertIn("163 件", r.out)


if __name__ == "__main__":
    unittest.main()
