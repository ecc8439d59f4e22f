# SPDX-License-Identifier: MIT
"""test_flow.py — the issue's main scenario end to end: roster → confirmation mail → confirm by
POST → QR card sheet → kiosk scans → guardians' mail over real SMTP → staff board."""
import datetime
import re
import time
import unittest

import harness
from harness import ServerTestCase

SITE1 = "すみれ学童クラブ"
SITE2 = "ひろばプラス桜"
A = "taro..yamada.@docomo.ne.jp"  # legacy carrier address, confirmed
B = "yamasaki.hajime@example.jp"  # confirmed
U = "sato.unconfirmed@example.jp"  # never confirmed (only GETs the page)
G = "g02.parent@example.jp"  # guardian of the G02 child, confirmed

ROWS = [
    ["C001", "G01", "髙橋 𠮷男", "ﾀｶﾊｼ ﾖｼｵ", "3", "2016-04-02", "髙橋 花子", A],
    ["C002", "G01", "山﨑 次郎", "ヤマサキ ジロウ", "2", "2017-05-03", "山﨑 一", B],
    ["C003", "G01", "佐藤 三郎", "サトウ サブロウ", "1", "2018-06-04", "佐藤 良子", U],
    ["C004", "G02", "鈴木 四葉", "スズキ ヨツバ", "4", "2015-07-05", "鈴木 誠", G],
]
NAME = {r[7]: r[2] for r in ROWS}


class FlowTest(ServerTestCase):
    def test_main_scenario(self):
        d = self.data
        d.site_add("G01", SITE1, "gakudo", "13:00", "19:00")
        d.site_add("G02", SITE2, "hiroba_plus")
        d.user_add("staff01", "site_staff", ["G01"])
        r = d.import_children(d.write_csv("roster.csv", ROWS))
        self.assertIn("児童 追加 4", r.out)
        smtp = self.start_smtp()
        srv = self.start_server()

        # One confirmation mail per guardian, one recipient each.
        mails = smtp.wait_count(4)
        time.sleep(0.3)
        mails = smtp.snapshot()
        self.assertEqual(len(mails), 4, mails)
        tokens = {}
        for m in mails:
            self.assertEqual(len(m.rcpts), 1, m.raw_rcpts)
            self.assertEqual(m.to_addresses, m.rcpts)
            self.assertIn("確認", m.subject)
            self.assertIsNotNone(m.confirm_token, m.body)
            tokens[m.rcpts[0]] = m.confirm_token
        self.assertEqual(set(tokens), {A, B, U, G})

        web = srv.client()
        # GET of the confirmation page must not confirm.
        page = web.get("/confirm/?t=" + tokens[U])
        self.assertEqual(page.status, 200, page)
        # POST confirms; the token is then used up.
        for addr in (A, B, G):
            rc = web.post("/api/v1/confirmations", {"token": tokens[addr]})
            self.assertEqual(rc.status, 200, rc)
            self.assertEqual(rc.json, {"confirmed": True})
        again = web.post("/api/v1/confirmations", {"token": tokens[A]})
        self.assertEqual(again.status, 404, again)
        self.assertIn("message", again.json)
        bogus = web.post("/api/v1/confirmations", {"token": "x" * 40})
        self.assertEqual(bogus.status, 404, bogus)

        # Cards and the printable sheet.
        d.card_issue(site="G01")
        d.card_issue(site="G02")
        pdf1 = d.card_sheet("G01")
        pdf2 = d.card_sheet("G02")
        text = harness.pdf_text(pdf1)
        for want in ("髙橋 𠮷男", "ﾀｶﾊｼ ﾖｼｵ", "山﨑 次郎", "ヤマサキ ジロウ", "佐藤 三郎", SITE1):
            self.assertIn(want, text)
        self.assertNotIn("鈴木", text)
        codes1 = harness.decode_qr_codes(pdf1)
        codes2 = harness.decode_qr_codes(pdf2)
        self.assertEqual(len(codes1), 3, codes1)
        self.assertEqual(len(set(codes1)), 3, codes1)
        self.assertEqual(len(codes2), 1, codes2)

        k1 = srv.client(kiosk_token=d.kiosk_add("G01"))
        k2 = srv.client(kiosk_token=d.kiosk_add("G02"))
        kr = k1.get("/api/v1/kiosk")
        self.assertEqual(kr.status, 200, kr)
        self.assertEqual(kr.json["site"], {"code": "G01", "name": SITE1})

        # Scan every G01 card: each records 入室 (in).
        by_name = {}
        for code in codes1:
            s = k1.scan(code)
            self.assertEqual(s.status, 200, s)
            j = s.json
            self.assertIs(j["recorded"], True, j)
            self.assertEqual(j["direction"], "in")
            self.assertEqual(j["site"], SITE1)
            self.assertRegex(j["time"], r"^\d\d:\d\d$")
            self.assertIn(j["time"], j["at"])
            by_name[j["child_name"]] = (code, j)
        self.assertEqual(set(by_name), {"髙橋 𠮷男", "山﨑 次郎", "佐藤 三郎"})
        # The time is Japan time (UTC+9), within a minute or two of now.
        jst_now = datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=9)))
        t = by_name["髙橋 𠮷男"][1]["time"]
        hh, mm = map(int, t.split(":"))
        diff = abs((jst_now.hour * 60 + jst_now.minute) - (hh * 60 + mm)) % (24 * 60)
        self.assertLessEqual(min(diff, 24 * 60 - diff), 2, (t, jst_now))

        # Mail to A and B: one envelope recipient, one To address, subject and body right.
        for addr in (A, B):
            name = NAME[addr]
            got = smtp.wait_to(addr, 2)  # confirmation + scan
            scan_mails = [m for m in got if name in m.subject]
            self.assertEqual(len(scan_mails), 1, got)
            m = scan_mails[0]
            self.assertEqual(m.rcpts, [addr])
            self.assertEqual(m.to_addresses, [addr])
            raw_subject = re.search(rb"(?mi)^Subject:(.*(?:\r?\n[ \t].*)*)", m.data).group(1)
            self.assertRegex(raw_subject.strip(), rb"(?i)^=\?utf-8\?[bq]\?",
                             "subject is not RFC 2047 encoded")
            self.assertIn("入室", m.subject)
            body_part = m.msg.get_body(preferencelist=("plain",))
            self.assertEqual(body_part.get("Content-Transfer-Encoding", "").lower(), "base64")
            self.assertEqual(body_part.get_content_charset().lower(), "utf-8")
            body = m.body
            self.assertIn(name, body)
            self.assertIn("%sさんが%sに入室しました。" % (name, SITE1), body)
            self.assertIn(by_name[name][1]["time"], body)
            self.assertIn("日本時間", body)

        # The same card again within 60 s: not recorded, no mail.
        code_a = by_name["髙橋 𠮷男"][0]
        dup = k1.scan(code_a)
        self.assertEqual(dup.status, 200, dup)
        self.assertIs(dup.json["recorded"], False, dup.json)
        self.assertEqual(dup.json["direction"], "in")

        # A G01 card at G02's kiosk: 403, nothing recorded.
        before = self.scan_count()
        wrong = k2.scan(code_a)
        self.assertEqual(wrong.status, 403, wrong)
        self.assertIn("message", wrong.json)
        # Garbage: 404. Bad token: 401.
        self.assertEqual(k1.scan("NOT-A-REAL-CARD-CODE").status, 404)
        self.assertEqual(srv.client(kiosk_token="bogus-token").scan(code_a).status, 401)
        self.assertEqual(srv.client().scan(code_a).status, 401)
        self.assertEqual(self.scan_count(), before)

        # A barrier: the G02 child's scan mail arrives after everything above was queued.
        s = k2.scan(codes2[0])
        self.assertEqual(s.status, 200, s)
        self.assertIs(s.json["recorded"], True)
        smtp.wait_to(G, 2)
        time.sleep(0.5)
        self.assertEqual(len(smtp.to(A)), 2, smtp.to(A))  # no mail for the duplicate
        self.assertEqual(len(smtp.to(B)), 2, smtp.to(B))
        self.assertEqual(len(smtp.to(U)), 1, smtp.to(U))  # only the confirmation request
        for m in smtp.snapshot():
            self.assertEqual(len(m.rcpts), 1, m.raw_rcpts)
        # The scans' notices went to the sender in memory with their scans' commits (no
        # claiming transaction): as many as arrived with 入室 in the subject; the
        # confirmation requests went through the keeper's claim.
        scan_mails = [m for m in smtp.snapshot() if "入室" in m.subject]
        self.assertEqual(len(scan_mails), 3, [m.subject for m in smtp.snapshot()])
        metrics = srv.client().get("/metrics")
        self.assertEqual(metrics.status, 200, metrics)
        handed = [int(line.split()[-1]) for line in metrics.body.decode().splitlines()
                  if line.startswith("mimamori_mail_handed_total ")]
        self.assertEqual(handed, [len(scan_mails)], handed)

        # The staff board shows the G01 children present.
        staff = srv.client()
        self.assertEqual(staff.login("staff01").status, 200)
        b = staff.board("G01")
        self.assertEqual(b.status, 200, b)
        bj = b.json
        self.assertEqual(bj["site"]["code"], "G01")
        self.assertEqual(bj["counts"], {"present": 3, "left": 0, "not_arrived": 0,
                                        "expected": 0, "absent": 0, "off": 0})
        rows = {c["name"]: c for c in bj["children"]}
        self.assertEqual(rows["髙橋 𠮷男"]["status"], "present")
        self.assertEqual(rows["髙橋 𠮷男"]["kana"], "ﾀｶﾊｼ ﾖｼｵ")
        self.assertEqual(rows["髙橋 𠮷男"]["in_at"], by_name["髙橋 𠮷男"][1]["time"])
        self.assertNotIn("鈴木 四葉", rows)
        self.assertEqual(staff.board("G02").status, 403)

    def scan_count(self):
        con = self.data.connect(readonly=True)
        try:
            return con.execute("SELECT COUNT(*) FROM scans").fetchone()[0]
        finally:
            con.close()


if __name__ == "__main__":
    unittest.main()
