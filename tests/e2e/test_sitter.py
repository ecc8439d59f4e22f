# SPDX-License-Identifier: MIT
"""test_sitter.py — the babysitter subsidy (ベビーシッター利用支援事業, seed 004; issue 16) end to
end through a real server and a real SMTP sink: the public form, receipts checked on their bytes,
the confirmation mail and its link; the contractor's pre-screen (five items) and the ward's
decision at the rates (2,500 yen an hour by day, 3,500 yen from 22:00 to 07:00, never above what
was paid); the day's notices (PDF read back); the 全銀 transfer file byte by byte; a returned
transfer, the applicant's corrected account and the next transfer; corrections; every refusal
(roles, skipped states, links, uploads, forms); the yearly cap (144 hours, 288 for a multiple
birth, a use across midnight and across March 31st); the CLI (LoGo CSV import, transfer file,
returned transfers) and the handover ledger; the call center's log; nothing personal in the
clear in the data directory; the audit log verifies. Generated, fictional data only (the
fictional bank 9990 テスト銀行)."""
import datetime
import hashlib
import os
import re
import struct
import time
import unittest
import zlib
from urllib.parse import quote

import engines
import harness

JST = datetime.timezone(datetime.timedelta(hours=9))
# The server's and the CLI's clock: early April of fiscal year 2027 (JST noon), so that March
# 31st is within the past year and the fiscal year's boundary can be crossed by a use.
NOW = int(datetime.datetime(2027, 4, 5, 12, 0, tzinfo=JST).timestamp())
TODAY = "2027-04-05"
PREFIX = "【ベビーシッター利用支援】"


def png_bytes(pad=0):
    """A real 1×1 PNG (and pad bytes of a trailing chunk-less tail when asked)."""
    def chunk(kind, data):
        c = struct.pack(">I", len(data)) + kind + data
        return c + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    raw = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)) + \
        chunk(b"IDAT", zlib.compress(b"\x00\xff\x80\x00")) + chunk(b"IEND", b"")
    return raw + b"\x00" * pad


PNG = png_bytes()
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + \
    b"\x00" * 64 + b"\xff\xd9"
PDF = b"%PDF-1.4\n1 0 obj <</Type /Catalog>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n"

# The guardians of this module (fictional); the canary test looks for every one of these.
GUARDIANS = {
    "flow": dict(name="鷺ノ宮 澪音", kana="サギノミヤ レイネ", birth="1990-05-01",
                 postcode="160-0022",
                 address="東京都桜台区若葉町9丁目8番7号 グランメゾン若葉ヒルズ1204号室",
                 phone="090-8642-1357", email="sagino.reine.zq@example.jp"),
    "fix": dict(name="百目鬼 紗和", kana="ドウメキ サワ", birth="1988-11-30",
                postcode="1790001", address="東京都桜台区旭町3丁目4番5号",
                phone="03-5928-7741", email="doumeki.sawa.q7@example.jp"),
    "bad": dict(name="勘解由小路 凪", kana="カデノコウジ ナギ", birth="1992-02-29",
                postcode="179-0075", address="東京都桜台区高松6丁目1番2号",
                phone="080-3172-9946", email="kadenokouji.n@example.jp"),
    "cap": dict(name="五百旗頭 璃子", kana="イオキベ リコ", birth="1987-07-07",
                postcode="179-0002", address="東京都桜台区栄町2丁目22番2号",
                phone="070-4419-2283", email="iokibe.riko.c3@example.jp"),
    "seal": dict(name="東海林 紬葵", kana="ショウジ ツムギ", birth="1991-09-09",
                 postcode="179-0085", address="東京都桜台区緑町5丁目6番7号",
                 phone="090-7310-5528", email="shouji.tsumugi.w@example.jp"),
}
BANKS = {
    "flow": dict(bank_code="9990", branch_code="002", type=1, number="8642097",
                 holder="サギノミヤ レイネ"),
    "flow2": dict(bank_code="9990", branch_code="003", type=1, number="9753108",
                  holder="サギノミヤ レイネ"),
    "fix": dict(bank_code="9990", branch_code="001", type=2, number="5301846",
                holder="ドウメキ サワ"),
    "bad": dict(bank_code="9990", branch_code="001", type=1, number="6029317",
                holder="カデノコウジ ナギ"),
    "cap": dict(bank_code="9990", branch_code="003", type=1, number="4718260",
                holder="イオキベ リコ"),
    "seal": dict(bank_code="9990", branch_code="002", type=1, number="3860471",
                 holder="ショウジ ツムギ"),
}


def use(date, start, end, paid, children=(0,), company="さくらベビーシッター"):
    return {"date": date, "start": start, "end": end, "children": list(children),
            "company": company, "paid_yen": paid}


def form(who, children, uses, bank=None, confirm=True):
    g = dict(GUARDIANS[who])
    if confirm:
        g["email_confirm"] = g["email"]
    return {"guardian": g, "children": children, "uses": uses,
            "bank": dict(BANKS[bank or who])}


def child(name, birth, multiple=False):
    return {"name": name, "birth": birth, "multiple": multiple}


def nospace(text):
    return re.sub(r"\s+", "", text)


class Applicant:
    """The applicant's side: no account, their link's token in X-Applicant-Token."""

    def __init__(self, client, token, number):
        self.client, self.token, self.number = client, token, number

    def h(self, extra=None):
        h = {"X-Applicant-Token": self.token}
        h.update(extra or {})
        return h

    def get(self):
        return self.client.get("/api/v1/sitter/mine", headers=self.h())

    def put(self, body):
        return self.client.request("PUT", "/api/v1/sitter/mine", body=body, headers=self.h())

    def put_bank(self, bank):
        return self.client.request("PUT", "/api/v1/sitter/mine/bank", body={"bank": bank},
                                   headers=self.h())

    def upload(self, data, media):
        return self.client.request("POST", "/api/v1/sitter/mine/receipts", body=data,
                                   headers=self.h({"Content-Type": media}))

    def submit(self):
        return self.client.post("/api/v1/sitter/mine/submit", headers=self.h())


class SitterBase(unittest.TestCase):
    """One data directory, SMTP sink and server for the class (the clock at NOW); the accounts:
    the contractor's operator (op) and supervisor (sv), the ward's staff (ws) and approver (ap),
    all scoped to this benefit; a ward administrator; an operator of another benefit
    (op_home, scoped to homehelp) and one scoped to none (op_none)."""

    _sources = 0

    @classmethod
    def setUpClass(cls):
        cls._now_before = os.environ.get("MIMAMORI_FAKE_NOW")
        os.environ["MIMAMORI_FAKE_NOW"] = str(NOW)
        cls._started = time.time()
        cls.data = d = harness.DataDir()
        cls.smtp = None
        cls.srv = None
        try:
            for login, role in (("op", "grant_operator"), ("sv", "grant_supervisor"),
                                ("ws", "grant_staff"), ("ap", "grant_approver"),
                                ("op_home", "grant_operator"), ("op_none", "grant_operator"),
                                ("admin", "ward_admin")):
                d.user_add(login, role)
            for login in ("op", "sv", "ws", "ap", "op_home"):
                harness.cli_ok("sitter", "staff", "--data", d.path, "--login", login)
            # an operator of another benefit: the scope is grant_staff's row
            d.execute("UPDATE grant_staff SET service = 'homehelp' WHERE user_id = "
                      "(SELECT id FROM users WHERE login = 'op_home')")
            r = harness.cli("sitter", "staff", "--data", d.path, "--login", "admin")
            assert r.rc != 0 and "助成の役割" in r.err, r
            cls.smtp = harness.SmtpSink()
            cls.srv = harness.Server(d, mail=cls.smtp.url, on_port=d.set_base_url)
            cls.srv.start()
            cls.staff = {}
            for login in ("op", "sv", "ws", "ap", "op_home", "op_none", "admin"):
                c = cls.srv.client(source=cls.next_source())
                r = c.login(login)
                assert r.status == 200, r
                cls.staff[login] = c
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        rep = None
        if cls.srv:
            cls.srv.stop()
            rep = harness.sanitizer_report(cls.srv.stderr_text())
        if cls.smtp:
            cls.smtp.stop()
        cls.data.cleanup()
        if cls._now_before is None:
            os.environ.pop("MIMAMORI_FAKE_NOW", None)
        else:
            os.environ["MIMAMORI_FAKE_NOW"] = cls._now_before
        if rep:
            raise AssertionError("sanitizer report in server stderr:\n" + rep)

    @classmethod
    def next_source(cls):
        """A loopback address of its own: the public form counts every call against the
        caller's address (20 at once), so each applicant comes from another one."""
        SitterBase._sources += 1
        n = SitterBase._sources
        return "127.0.%d.%d" % (1 + n // 200, 1 + n % 200)

    # -- the applicant -------------------------------------------------------------------------
    def apply(self, body, status=201):
        c = self.srv.client(source=self.next_source())
        r = c.post("/api/v1/sitter/applications", body)
        self.assertEqual(r.status, status, r)
        if status != 201:
            return r
        j = r.json
        self.assertEqual(j["state"], "draft")
        self.assertRegex(j["number"], r"^2027\d{6}$")
        self.assertRegex(j["token"], r"^[0-9a-f]{64}$")
        return Applicant(c, j["token"], j["number"])

    def submitted(self, body, receipts=(PNG,)):
        """A new application with its receipts, sent; returns (applicant, staff id)."""
        a = self.apply(body)
        for data in receipts:
            media = {b"\x89P": "image/png", b"\xff\xd8": "image/jpeg",
                     b"%P": "application/pdf"}[data[:2]]
            r = a.upload(data, media)
            self.assertEqual(r.status, 201, r)
        r = a.submit()
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["application"]["state"], "submitted")
        return a, self.app_id(a.number)

    # -- the staff -----------------------------------------------------------------------------
    def app_id(self, number):
        r = self.staff["op"].get("/api/v1/sitter/applications?q=" + number)
        self.assertEqual(r.status, 200, r)
        found = [x for x in r.json["applications"] if x["number"] == number]
        self.assertEqual(len(found), 1, r.json)
        return found[0]["id"]

    def staff_app(self, aid, who="op"):
        r = self.staff[who].get("/api/v1/sitter/applications/%d" % aid)
        self.assertEqual(r.status, 200, r)
        return r.json["application"]

    def act(self, who, aid, what, body=None, status=200):
        r = self.staff[who].post("/api/v1/sitter/applications/%d/%s" % (aid, what),
                                 body if body is not None else {})
        self.assertEqual(r.status, status, (who, what, r))
        return r.json

    def check_all(self, aid, who="op", items=("guardian", "children", "uses", "receipts",
                                                "bank")):
        for it in items:
            j = self.act(who, aid, "checks", {"item": it, "checked": True})
        return j

    def screened(self, aid):
        self.check_all(aid)
        return self.act("op", aid, "screen")["application"]

    def approved(self, aid):
        self.screened(aid)
        a = self.act("ap", aid, "decide", {"decision": "approve"})["application"]
        self.assertEqual((a["state"], a["decision"]), ("approved", "approved"))
        return a

    # -- mail ----------------------------------------------------------------------------------
    def mails(self, addr, subject_part, n=1):
        self.smtp.wait_for(lambda ms: sum(addr in m.rcpts and subject_part in m.subject
                                          for m in ms) >= n,
                           what="%d mail(s) to %s with %s" % (n, addr, subject_part))
        return [m for m in self.smtp.to(addr) if subject_part in m.subject]

    def link_token(self, mail):
        m = re.search(r"%s/sitter/status\.html#t=([0-9a-f]{64})" % re.escape(self.srv.url),
                      mail.body)
        self.assertTrue(m, mail.body)
        return m.group(1)


# ---------------------------------------------------------------------------------------------
class FlowTest(SitterBase):
    """The whole path of one application, corrections, the refusals, the CLI, the call center and
    nothing personal at rest. Only test_happy_path decides (the day's notices and transfers take
    every decision of the day)."""

    def zengin(self, body):
        """The records of a 全銀 file, each checked 120 bytes + CRLF, the whole CP932."""
        body.decode("cp932")  # every byte single-byte Shift_JIS
        self.assertEqual(len(body) % 122, 0, len(body))
        recs = [body[i:i + 122] for i in range(0, len(body), 122)]
        for r in recs:
            self.assertEqual(r[120:], b"\r\n")
        return [r[:120] for r in recs]

    def check_transfer(self, body, number, branch, kana_branch, account, yen, mmdd):
        recs = self.zengin(body)
        self.assertEqual(len(recs), 4)
        h, d, t, e = recs
        self.assertTrue(h.startswith(b"121"), h)
        self.assertEqual(h[3:4], b"0")
        self.assertEqual(h[4:14], b"0000000001")           # 振込依頼人コード (settings)
        self.assertEqual(h[14:54].decode("cp932").rstrip(), "ｻｸﾗﾀﾞｲｸ")
        self.assertEqual(h[54:58], mmdd.encode())
        self.assertEqual((h[58:62], h[77:80], h[95:96], h[96:103]),
                         (b"9990", b"001", b"1", b"0000001"))
        self.assertEqual(d[0:1], b"2")
        self.assertEqual(d[1:5], b"9990")
        self.assertEqual(d[5:20].decode("cp932").rstrip(), "ﾃｽﾄ")
        self.assertEqual(d[20:23], branch.encode())
        self.assertEqual(d[23:38].decode("cp932").rstrip(), kana_branch)
        self.assertEqual(d[42:43], b"1")
        self.assertEqual(d[43:50], account.encode())
        self.assertEqual(d[50:80].decode("cp932"), "ｻｷﾞﾉﾐﾔ ﾚｲﾈ".ljust(30))
        self.assertEqual(d[80:90], b"%010d" % yen)           # 振込金額
        self.assertEqual(d[90:91], b"0")
        self.assertEqual(d[91:101], number.encode())          # 顧客コード1 = 申請番号
        self.assertEqual(t, b"8" + b"%06d" % 1 + b"%012d" % yen + b" " * 101)
        self.assertEqual(e, b"9" + b" " * 119)

    def ledger(self):
        r = self.staff["admin"].get("/api/v1/ledger")
        self.assertEqual(r.status, 200, r)
        return [x for x in r.json["ledger"] if x["service"] == "sitter"]

    def test_happy_path(self):
        op, sv, ws, ap = (self.staff[k] for k in ("op", "sv", "ws", "ap"))
        g = GUARDIANS["flow"]
        # The form's bank check (public).
        pub = self.srv.client(source=self.next_source())
        r = pub.get("/api/v1/sitter/bank?bank=9990&branch=002")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json, {"bank_name": "テスト銀行", "bank_kana": "ﾃｽﾄ",
                                  "branch_name": "しんじゅく支店", "branch_kana": "ｼﾝｼﾞﾕｸ"})
        r = pub.get("/api/v1/sitter/bank?bank=9990&branch=099")
        self.assertEqual((r.status, r.json["code"]), (404, "unknown_bank"), r)

        body = form("flow", [child("鷺ノ宮 湊斗", "2023-04-10")],
                    [use("2027-03-20", "18:00", "23:30", 15000),
                     use("2027-03-22", "09:00", "12:00", 9000, company="ひまわりキッズサポート")])
        a = self.apply(body)
        r = a.get()
        self.assertEqual(r.status, 200, r)
        app = r.json["application"]
        for staff_only in ("id", "checks", "actions"):
            self.assertNotIn(staff_only, app)
        self.assertEqual(app["form"]["guardian"]["postcode"], "1600022")
        self.assertNotIn("email_confirm", app["form"]["guardian"])
        self.assertEqual((app["form"]["bank"]["bank_name"], app["form"]["bank"]["branch_name"]),
                         ("テスト銀行", "しんじゅく支店"))
        # The rates: 18:00–22:00 by day and 22:00–23:30 at night is 15,250 yen, but 15,000 was
        # paid; 09:00–12:00 is 7,500 yen.
        calc = app["calc"]
        self.assertEqual([(u["day_min"], u["night_min"], u["over_min"], u["rate_yen"],
                           u["subsidy_yen"]) for u in calc["uses"]],
                         [(240, 90, 0, 15250, 15000), (180, 0, 0, 7500, 7500)])
        self.assertEqual(calc["grant_yen"], 22500)
        self.assertEqual([(k["fiscal_year"], k["cap_min"], k["before_min"], k["claim_min"],
                           k["counted_min"], k["remaining_min"]) for k in calc["children"]],
                         [(2026, 144 * 60, 0, 510, 510, 144 * 60 - 510)])
        self.assertEqual((app["paid_yen"], app["claim_yen"], app["grant_yen"]), (24000, 22500, 0))
        self.assertIsNone(app["decision"])

        # Receipts: PNG, JPEG and PDF, each checked on its bytes; the staff read them back.
        ids = []
        for data, media in ((PNG, "image/png"), (JPEG, "image/jpeg"),
                            (PDF, "application/pdf")):
            r = a.upload(data, media + "; name=receipt")
            self.assertEqual(r.status, 201, r)
            self.assertEqual((r.json["receipt"]["media"], r.json["receipt"]["bytes"]),
                             (media, len(data)))
            ids.append(r.json["receipt"]["id"])
        r = a.submit()
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json["application"]["state"], r.json["application"]["state_label"]),
                         ("submitted", "受付（事前審査中）"))
        self.assertEqual(a.submit().status, 409)  # once only
        mail = self.mails(g["email"], "申請を受け付けました")[0]
        self.assertEqual(mail.subject, PREFIX + "申請を受け付けました（申請番号 %s）" % a.number)
        self.assertIn(a.number, mail.body)
        self.assertIn("24000円", mail.body)
        self.assertEqual(self.link_token(mail), a.token)
        self.assertIn(g["name"] + " 様", mail.body)

        # The operator finds it by number, name, kana, phone or mail (exact).
        aid = self.app_id(a.number)
        for q in (g["name"], "鷺ノ宮澪音", g["kana"], "09086421357", g["email"].upper()):
            r = op.get("/api/v1/sitter/applications?q=" + quote(q))
            self.assertEqual([x["number"] for x in r.json["applications"]], [a.number], q)
        r = op.get("/api/v1/sitter/applications?q=" + quote("鷺ノ宮"))
        self.assertEqual(r.json["applications"], [])
        r = op.get("/api/v1/sitter/applications?state=submitted")
        row = [x for x in r.json["applications"] if x["id"] == aid][0]
        self.assertEqual((row["name"], row["channel"], row["children"], row["claim_yen"],
                          row["checked"], row["checks"]), (g["name"], "web", 1, 22500, 0, 5))
        for rid, (data, media) in zip(ids, ((PNG, "image/png"), (JPEG, "image/jpeg"),
                                            (PDF, "application/pdf"))):
            r = ws.get("/api/v1/sitter/applications/%d/receipts/%d" % (aid, rid))
            self.assertEqual((r.status, r.body, r.header("Content-Type")), (200, data, media))
        app = self.staff_app(aid)
        self.assertEqual(app["actions"], ["check", "return", "screen"])
        self.assertEqual(self.staff_app(aid, "ap")["actions"], [])
        self.assertEqual([s["by"] for s in app["steps"]], ["申請者"])

        # The pre-screen: five items; not closed before all are checked.
        self.check_all(aid, items=("guardian", "children", "uses", "receipts"))
        j = self.act("op", aid, "screen", status=409)
        self.assertEqual(j["code"], "unchecked")
        self.assertIn("振込先口座", j["message"])
        j = self.act("op", aid, "checks", {"item": "bank", "checked": True})
        self.assertEqual([c["checked"] for c in j["application"]["checks"]], [True] * 5)
        app = self.act("op", aid, "screen")["application"]
        self.assertEqual(app["state"], "screened")
        self.assertEqual(self.staff_app(aid, "ap")["actions"], ["approve", "reject", "send_back"])
        self.assertEqual(self.staff_app(aid, "ws")["actions"], ["send_back"])

        # The ward's approver decides; the amount as the rules compute.
        app = self.act("ap", aid, "decide", {"decision": "approve"})["application"]
        self.assertEqual((app["state"], app["decision"], app["grant_yen"], app["decided_on"]),
                         ("approved", "approved", 22500, TODAY))
        self.assertEqual([(s["to"], s["by"]) for s in app["steps"]],
                         [("submitted", "申請者"), ("screened", "op"), ("approved", "ap")])
        r = a.get()
        self.assertEqual((r.json["application"]["grant_yen"],
                          r.json["application"]["state_label"]), (22500, "交付決定（通知前）"))

        # The day's notices: by the contractor's supervisor; the PDF read back.
        r = sv.get("/api/v1/sitter/notices")
        self.assertEqual(r.json["pending"], [{"date": TODAY, "approved": 1, "rejected": 0}])
        r = sv.post("/api/v1/sitter/notices", {"date": TODAY})
        self.assertEqual(r.status, 201, r)
        notice = r.json["notice"]
        self.assertEqual((notice["on_date"], notice["letters"]), (TODAY, 1))
        r = sv.post("/api/v1/sitter/notices", {"date": TODAY})
        self.assertEqual((r.status, r.json["code"]), (409, "nothing_to_notify"), r)
        self.assertEqual(self.staff_app(aid)["state"], "notified")
        self.assertEqual(op.get("/api/v1/sitter/notices/%d/pdf" % notice["id"]).status, 403)
        r = sv.get("/api/v1/sitter/notices/%d/pdf" % notice["id"])
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.header("Content-Type"), "application/pdf")
        pdf = os.path.join(self.data.tmp, "notice.pdf")
        with open(pdf, "wb") as f:
            f.write(r.body)
        pages = [p for p in harness.pdf_text(pdf).split("\f") if p.strip()]
        self.assertEqual(len(pages), 1)
        text = nospace(pages[0])
        for want in ("交付決定通知書", "22,500円", "24,000円", "〒160-0022", "鷺ノ宮澪音様",
                     "令和9年4月5日", "申請番号" + a.number, "8時間30分",
                     "東京都桜台区若葉町9丁目8番7号", "若葉ヒルズ1204号室"):
            self.assertIn(want, text)
        self.assertNotIn("不交付", text)

        # The ward pays: a transfer file of every notified approval.
        self.assertEqual(op.get("/api/v1/sitter/payments").status, 403)
        self.assertEqual(op.post("/api/v1/sitter/payments", {"pay_date": "2027-04-12"}).status,
                         403)
        r = ws.get("/api/v1/sitter/payments")
        self.assertEqual(r.json["payable"], {"count": 1, "total_yen": 22500})
        r = ws.post("/api/v1/sitter/payments", {"pay_date": "2027-04-04"})
        self.assertEqual((r.status, r.json["code"]), (400, "bad_payment"), r)
        # Money goes only as confirmed: a count or total not what is payable now pays nothing.
        for seen in ({"count": 0, "total_yen": 0}, {"count": 1, "total_yen": 22000}):
            r = ws.post("/api/v1/sitter/payments", {"pay_date": "2027-04-12", "expect": seen})
            self.assertEqual((r.status, r.json["code"]), (409, "payable_changed"), r)
            self.assertIn("1件・合計 22500円", r.json["message"])
        r = ws.post("/api/v1/sitter/payments", {"pay_date": "2027-04-12",
                                                "expect": {"count": "1", "total_yen": 22500}})
        self.assertEqual((r.status, r.json["code"]), (400, "bad_payment"), r)
        self.assertEqual(ws.get("/api/v1/sitter/payments").json["payable"],
                         {"count": 1, "total_yen": 22500})
        r = ws.post("/api/v1/sitter/payments",
                    {"pay_date": "2027-04-12", "expect": {"count": 1, "total_yen": 22500}})
        self.assertEqual(r.status, 201, r)
        pay = r.json["payment"]
        self.assertEqual((pay["pay_date"], pay["items"], pay["total_yen"]),
                         ("2027-04-12", 1, 22500))
        r = ws.post("/api/v1/sitter/payments", {"pay_date": "2027-04-12"})
        self.assertEqual((r.status, r.json["code"]), (409, "nothing_to_pay"), r)
        self.assertEqual(a.get().json["application"]["state"], "paid")
        r = ws.get("/api/v1/sitter/payments/%d/file" % pay["id"])
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.header("Content-Type"), "text/plain; charset=Shift_JIS")
        self.assertIn("sitter-transfer-20270412.txt", r.header("Content-Disposition"))
        file1 = r.body
        self.check_transfer(file1, a.number, "002", "ｼﾝｼﾞﾕｸ", "8642097", 22500, "0412")
        self.assertEqual(ws.get("/api/v1/sitter/payments/%d/file" % pay["id"]).body, file1)
        led = self.ledger()
        self.assertEqual([(x["content"], x["records"]) for x in led[-3:]],
                         [("notices %s letters=1" % TODAY, 1),
                          ("transfer 2027-04-12 items=1", 1), ("transfer 2027-04-12 items=1", 1)])
        self.assertEqual((led[-1]["bytes"], led[-1]["blake2b_256"], led[-1]["login"]),
                         (len(file1), hashlib.blake2b(file1, digest_size=32).hexdigest(), "ws"))

        # The bank returns the transfer (振込不能): the same file read back.
        r = ws.request("POST", "/api/v1/sitter/payments/returns", body=b"not a zengin file",
                       headers={"Content-Type": "text/plain"})
        self.assertEqual((r.status, r.json["code"]), (400, "bad_returns"), r)
        self.assertRegex(r.json["message"], r"^振込不能のファイルとして読めません（.+）。$")
        self.assertEqual(a.get().json["application"]["state"], "paid")
        r = ws.request("POST", "/api/v1/sitter/payments/returns", body=file1,
                       headers={"Content-Type": "text/plain"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json, {"matched": [a.number], "unmatched": 0})
        app = a.get().json["application"]
        self.assertEqual((app["state"], app["state_label"]), ("unpaid", "振込不能（口座の確認中）"))
        r = ws.request("POST", "/api/v1/sitter/payments/returns", body=file1,
                       headers={"Content-Type": "text/plain"})
        self.assertEqual(r.json, {"matched": [], "unmatched": 1})  # not paid any more
        r = ws.get("/api/v1/sitter/payments")
        self.assertEqual(r.json["payable"], {"count": 0, "total_yen": 0})
        self.assertEqual(r.json["payments"][0]["returned"], 1)
        mail = self.mails(g["email"], "振り込めませんでした")[0]
        self.assertEqual(mail.subject,
                         PREFIX + "助成金を振り込めませんでした（申請番号 %s）" % a.number)
        self.assertEqual(self.link_token(mail), a.token)
        self.assertNotIn("8642097", mail.body)

        # The applicant gives a correct account by the link (a wrong one first: nothing lost).
        r = a.put_bank(dict(BANKS["flow2"], branch_code="099"))
        self.assertEqual((r.status, r.json["code"]), (400, "bad_bank"), r)
        self.assertIn("支店コード 099", r.json["message"])
        app = a.get().json["application"]
        self.assertEqual((app["state"], app["form"]["bank"]["number"]), ("unpaid", "8642097"))
        r = a.put_bank(BANKS["flow2"])
        self.assertEqual(r.status, 200, r)
        app = r.json["application"]
        self.assertEqual((app["state"], app["form"]["bank"]["number"],
                          app["form"]["bank"]["branch_name"]), ("notified", "9753108", "みなみ支店"))
        r = a.put_bank(BANKS["flow"])
        self.assertEqual((r.status, r.json["code"]), (409, "not_unpaid"), r)
        self.assertEqual(a.get().json["application"]["form"]["bank"]["number"], "9753108")
        # The next transfer pays it to the new account.
        r = ws.get("/api/v1/sitter/payments")
        self.assertEqual(r.json["payable"], {"count": 1, "total_yen": 22500})
        r = ap.post("/api/v1/sitter/payments", {"pay_date": "2027-04-19"})
        self.assertEqual(r.status, 201, r)
        pay2 = r.json["payment"]
        self.assertEqual((pay2["items"], pay2["total_yen"]), (1, 22500))
        file2 = ws.get("/api/v1/sitter/payments/%d/file" % pay2["id"]).body
        self.check_transfer(file2, a.number, "003", "ﾐﾅﾐ", "9753108", 22500, "0419")
        self.assertEqual(self.staff_app(aid)["state"], "paid")

        # The CLI writes the same bytes and records the handover.
        out = os.path.join(self.data.tmp, "transfer.txt")
        r = harness.cli("sitter", "transfer", "--data", self.data.path, "--payment",
                        str(pay2["id"]), "--out", out)
        self.assertEqual(r.rc, 0, r)
        self.assertIn("22500円", r.out)
        with open(out, "rb") as f:
            self.assertEqual(f.read(), file2)
        rows = self.data.query("SELECT actor, content, records, bytes, digest FROM ledger "
                               "WHERE service = 'sitter' ORDER BY id DESC LIMIT 1")
        self.assertEqual(rows, [("cli", "transfer 2027-04-19 items=1", 1, len(file2),
                                 hashlib.blake2b(file2, digest_size=32).hexdigest())])
        r = harness.cli("sitter", "transfer", "--data", self.data.path, "--payment", "99",
                        "--out", out + ".x")
        self.assertEqual(r.rc, 1, r)
        self.assertFalse(os.path.exists(out + ".x"))
        # The CLI reads returned transfers: the ward's accounts only.
        r = harness.cli("sitter", "returns", "--data", self.data.path, "--login", "op", out)
        self.assertEqual(r.rc, 1, r)
        self.assertIn("区の助成担当", r.err)
        self.assertEqual(self.staff_app(aid)["state"], "paid")
        r = harness.cli("sitter", "returns", "--data", self.data.path, "--login", "ws", out)
        self.assertEqual(r.rc, 0, r)
        self.assertIn("振込不能: 申請番号 %s" % a.number, r.out)
        self.assertIn("照合できた振込不能: 1件、照合できなかった明細: 0件", r.out)
        app = self.staff_app(aid)
        self.assertEqual(app["state"], "unpaid")
        self.assertEqual([s["to"] for s in app["steps"]],
                         ["submitted", "screened", "approved", "notified", "paid", "unpaid",
                          "notified", "paid", "unpaid"])
        self.assertEqual(len(self.mails(g["email"], "振り込めませんでした", 2)), 2)

        # Two transfers in one file. Read back by mistake, the ward's own file is refused and
        # nothing changes (it marked every transfer unpaid and mailed every applicant); a
        # bank's file of one of them is read.
        self.assertEqual(a.put_bank(BANKS["flow2"]).status, 200)
        b, bid = self.submitted(form("flow", [child("鷺ノ宮 湊斗", "2023-04-10")],
                                     [use("2027-03-27", "09:00", "11:00", 5000)]))
        self.approved(bid)
        self.assertEqual(sv.post("/api/v1/sitter/notices", {"date": TODAY}).status, 201)
        r = ap.post("/api/v1/sitter/payments", {"pay_date": "2027-04-26"})
        self.assertEqual((r.status, r.json["payment"]["items"]), (201, 2), r)
        file3 = ws.get("/api/v1/sitter/payments/%d/file" % r.json["payment"]["id"]).body
        r = ws.request("POST", "/api/v1/sitter/payments/returns", body=file3,
                       headers={"Content-Type": "text/plain"})
        self.assertEqual((r.status, r.json["code"]), (409, "own_transfer_file"), r)
        self.assertIn("区が作った振込データ（振込日 2027-04-26、2件）", r.json["message"])
        self.assertEqual([self.staff_app(x)["state"] for x in (aid, bid)], ["paid", "paid"])
        out3 = os.path.join(self.data.tmp, "transfer3.txt")
        with open(out3, "wb") as f:
            f.write(file3)
        r = harness.cli("sitter", "returns", "--data", self.data.path, "--login", "ws", out3)
        self.assertEqual(r.rc, 1, r)
        self.assertIn("区が作った振込データ", r.err)
        self.assertEqual([self.staff_app(x)["state"] for x in (aid, bid)], ["paid", "paid"])
        self.assertEqual(len(self.mails(g["email"], "振り込めませんでした", 2)), 2)
        h, d1, _d2, _t, e = self.zengin(file3)
        yen = int(d1[80:90])
        back = b"\r\n".join([h, d1, b"8" + b"%06d" % 1 + b"%012d" % yen + b" " * 101, e, b""])
        r = ws.request("POST", "/api/v1/sitter/payments/returns", body=back,
                       headers={"Content-Type": "text/plain"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json, {"matched": [d1[91:101].decode()], "unmatched": 0})
        self.assertEqual(self.data.audit_verify().rc, 0)

    # -----------------------------------------------------------------------------------------
    def test_corrections(self):
        g = GUARDIANS["fix"]
        kids = [child("百目鬼 陽葵", "2021-06-15")]
        a, aid = self.submitted(form("fix", kids, [use("2027-02-10", "10:00", "13:00", 7000)]),
                                receipts=(JPEG,))
        self.mails(g["email"], "申請を受け付けました")
        # Received: the applicant can neither edit nor add receipts.
        fixed = form("fix", kids, [use("2027-02-10", "10:00", "14:00", 9000)])
        r = a.put(fixed)
        self.assertEqual((r.status, r.json["code"]), (409, "not_editable"), r)
        self.assertEqual(a.upload(PNG, "image/png").status, 409)
        self.assertEqual(a.get().json["application"]["paid_yen"], 7000)
        # The operator checks two items, then returns it with a note.
        self.check_all(aid, items=("guardian", "children"))
        j = self.act("op", aid, "return", {}, status=400)
        self.assertEqual(j["code"], "no_note")
        note = "領収書の利用時間（10:00〜14:00）と申請の時間が違います。\n直してください。"
        app = self.act("op", aid, "return", {"note": note})["application"]
        self.assertEqual((app["state"], app["fix_note"]), ("returned", note))
        mail = self.mails(g["email"], "補正のお願い")[0]
        self.assertIn(note, mail.body.replace("\r\n", "\n"))
        self.assertIn(a.number, mail.subject)
        self.assertEqual(self.link_token(mail), a.token)
        r = a.get()
        self.assertEqual((r.json["application"]["state"], r.json["application"]["fix_note"]),
                         ("returned", note))
        # A bad correction changes nothing; a good one replaces the form.
        bad = form("fix", kids, [use("2027-02-10", "10:00", "14:00", 0)])
        r = a.put(bad)
        self.assertEqual((r.status, r.json["code"]), (400, "bad_form"), r)
        self.assertIn("1件目の支払った金額", r.json["message"])
        self.assertEqual(a.get().json["application"]["form"]["uses"][0]["end"], "13:00")
        r = a.put(fixed)
        self.assertEqual(r.status, 200, r)
        app = r.json["application"]
        self.assertEqual((app["form"]["uses"][0]["end"], app["paid_yen"], app["claim_yen"]),
                         ("14:00", 9000, 9000))
        self.assertEqual(a.upload(PNG, "image/png").status, 201)
        r = a.submit()
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json["application"]["state"], r.json["application"]["fix_note"]),
                         ("submitted", None))
        mail = self.mails(g["email"], "補正後の申請を受け付けました")[0]
        self.assertIn(a.number, mail.body)
        r = a.put(fixed)
        self.assertEqual((r.status, r.json["code"]), (409, "not_editable"), r)
        app = self.staff_app(aid)
        self.assertEqual([c["checked"] for c in app["checks"]], [False] * 5)  # checked again
        self.assertEqual([s["to"] for s in app["steps"]], ["submitted", "returned", "submitted"])
        self.assertEqual(len(app["receipts"]), 2)

    # -----------------------------------------------------------------------------------------
    def test_refusals(self):
        kids = [child("勘解由小路 蓮", "2022-01-20")]
        body = form("bad", kids, [use("2027-03-01", "18:00", "21:00", 9000)])
        a, aid = self.submitted(body)
        other = self.apply(form("bad", kids, [use("2027-03-03", "18:00", "21:00", 9000)]))
        # Only the ward's approver decides; the contractor and the ward's staff cannot.
        for who in ("op", "sv", "ws"):
            j = self.act(who, aid, "decide", {"decision": "approve"}, status=403)
            self.assertIn("message", j)
        # No state is skipped: a received application is not decided before its pre-screen.
        j = self.act("ap", aid, "decide", {"decision": "approve"}, status=409)
        self.assertEqual(j["code"], "wrong_state")
        self.assertIn("受付（事前審査中）", j["message"])
        # The ward neither checks nor screens nor returns.
        for who in ("ws", "ap"):
            self.act(who, aid, "checks", {"item": "bank", "checked": True}, status=403)
            self.act(who, aid, "screen", status=403)
            self.act(who, aid, "return", {"note": "x"}, status=403)
        j = self.act("op", aid, "checks", {"item": "nothing", "checked": True}, status=400)
        self.assertEqual(j["code"], "bad_item")
        self.check_all(aid, items=("guardian", "children", "uses", "bank"))
        self.act("op", aid, "checks", {"item": "bank", "checked": False})
        self.assertEqual(self.act("op", aid, "screen", status=409)["code"], "unchecked")
        self.assertEqual(self.staff_app(aid)["state"], "submitted")
        self.screened(aid)
        self.assertEqual(self.act("op", aid, "screen", status=409)["code"], "wrong_state")
        j = self.act("ap", aid, "decide", {"decision": "reject"}, status=400)
        self.assertEqual(j["code"], "no_reason")
        j = self.act("ap", aid, "decide", {"decision": "maybe"}, status=400)
        self.assertEqual(j["code"], "bad_decision")
        # The ward's staff sends it back to the pre-screen (no decision is made here).
        self.assertEqual(self.act("ws", aid, "send-back", {}, status=400)["code"], "no_note")
        app = self.act("ws", aid, "send-back", {"note": "領収書を確かめてください"})["application"]
        self.assertEqual((app["state"], app["decision"]), ("submitted", None))
        self.assertEqual(self.act("ap", aid, "decide", {"decision": "approve"},
                                  status=409)["code"], "wrong_state")
        self.assertIn("message", self.act("op", aid, "send-back", {"note": "x"}, status=403))
        # Staff of another benefit, or of none, reach nothing here.
        for who in ("op_home", "op_none"):
            c = self.staff[who]
            for path in ("/api/v1/sitter/applications", "/api/v1/sitter/applications/%d" % aid,
                         "/api/v1/sitter/inquiries", "/api/v1/sitter/notices"):
                r = c.get(path)
                self.assertEqual((r.status, r.json["code"]), (403, "not_this_service"),
                                 (who, path, r))
            r = c.post("/api/v1/sitter/applications/%d/checks" % aid,
                       {"item": "bank", "checked": True})
            self.assertEqual((r.status, r.json["code"]), (403, "not_this_service"), r)
        r = self.staff["op"].get("/api/v1/sitter/applications?state=bogus")
        self.assertEqual((r.status, r.json["code"]), (400, "bad_state"), r)
        r = self.staff["op"].get("/api/v1/sitter/applications/999999")
        self.assertEqual((r.status, r.json["code"]), (404, "no_application"), r)
        # Other roles and no one at all.
        self.assertEqual(self.staff["admin"].get("/api/v1/sitter/applications").status, 403)
        anon = self.srv.client(source=self.next_source())
        self.assertEqual(anon.get("/api/v1/sitter/applications/%d" % aid).status, 401)
        r = anon.get("/api/v1/sitter/applications/%d" % aid,
                     headers={"X-Applicant-Token": a.token})
        self.assertEqual(r.status, 401)

        # The link: only its own application; a changed, made-up or missing token is nothing.
        self.assertEqual(a.get().json["application"]["number"], a.number)
        self.assertEqual(other.get().json["application"]["number"], other.number)
        self.assertNotEqual(a.token, other.token)
        flip = a.token[:-1] + ("0" if a.token[-1] != "0" else "1")
        for token in (flip, "0" * 64, "not-a-token-at-all-but-long-enough", None):
            c = self.srv.client(source=self.next_source())
            h = {"X-Applicant-Token": token} if token else {}
            for method, path, b in (("GET", "/api/v1/sitter/mine", None),
                                    ("PUT", "/api/v1/sitter/mine", body),
                                    ("POST", "/api/v1/sitter/mine/submit", {}),
                                    ("DELETE", "/api/v1/sitter/mine/receipts/1", None)):
                r = c.request(method, path, body=b, headers=h)
                self.assertEqual((r.status, r.json["code"]), (404, "link_invalid"),
                                 (token, method, path, r))
                self.assertNotIn(a.number, r.text)
        # A link cannot edit what was received, nor delete its receipts.
        app = a.get().json["application"]
        self.assertEqual(a.client.request("DELETE", "/api/v1/sitter/mine/receipts/%d" %
                                          app["receipts"][0]["id"], headers=a.h()).status, 409)
        # Another applicant's receipt is not theirs to delete.
        r = other.client.request("DELETE", "/api/v1/sitter/mine/receipts/%d" %
                                 app["receipts"][0]["id"], headers=other.h())
        self.assertEqual((r.status, r.json["code"]), (404, "no_receipt"), r)
        self.assertEqual(len(self.staff_app(aid)["receipts"]), 1)
        # The staff's receipt route checks the application too.
        oid = self.app_id_any(other.number)
        r = self.staff["op"].get("/api/v1/sitter/applications/%d/receipts/%d" %
                                 (oid, app["receipts"][0]["id"]))
        self.assertEqual(r.status, 404, r)

    def app_id_any(self, number):
        """The id of a draft too (the staff's list leaves drafts out)."""
        rows = self.data.query("SELECT id FROM sitter_applications WHERE number = ?", number)
        self.assertEqual(len(rows), 1)
        return rows[0][0]

    # -----------------------------------------------------------------------------------------
    def test_uploads_and_forms(self):
        kids = [child("勘解由小路 楓", "2021-08-08")]
        good = form("bad", kids, [use("2027-03-10", "19:00", "22:30", 10000)])
        a = self.apply(good)
        # Submit without receipts.
        r = a.submit()
        self.assertEqual((r.status, r.json["code"]), (400, "no_receipts"), r)
        self.assertEqual(a.get().json["application"]["state"], "draft")
        # Uploads that lie about their type, or are empty, or too large.
        for data, media in ((PNG, "image/jpeg"), (JPEG, "image/png"),
                            (b"receipt: 10,000 yen\n", "application/pdf"),
                            (b"GIF89a" + b"\x00" * 40, "image/gif"), (PDF, "text/plain"),
                            (PNG, None)):
            h = a.h({"Content-Type": media}) if media else a.h()
            r = a.client.request("POST", "/api/v1/sitter/mine/receipts", body=data, headers=h)
            self.assertEqual((r.status, r.json["code"]), (400, "receipt_type"), (media, r))
            self.assertIn("JPEG・PNG", r.json["message"])
        r = a.upload(b"", "image/png")
        self.assertEqual((r.status, r.json["code"]), (400, "empty_receipt"), r)
        limit = 8 * 1024 * 1024
        r = a.upload(png_bytes(limit + 1 - len(PNG)), "image/png")
        self.assertEqual((r.status, r.json["code"]), (413, "receipt_too_large"), r)
        r = a.upload(png_bytes(9 * 1024 * 1024 + 1 - len(PNG)), "image/png")
        self.assertEqual(r.status, 413, r)
        self.assertEqual(a.get().json["application"]["receipts"], [])
        r = a.upload(png_bytes(limit - len(PNG)), "image/png")  # exactly 8 MiB
        self.assertEqual((r.status, r.json.get("receipt", {}).get("bytes")), (201, limit), r)
        big = r.json["receipt"]["id"]
        r = a.client.request("DELETE", "/api/v1/sitter/mine/receipts/%d" % big, headers=a.h())
        self.assertEqual((r.status, r.json), (200, {"deleted": True}), r)
        r = a.client.request("DELETE", "/api/v1/sitter/mine/receipts/%d" % big, headers=a.h())
        self.assertEqual(r.status, 404, r)
        for i in range(10):
            self.assertEqual(a.upload(PDF, "application/pdf").status, 201, i)
        r = a.upload(PDF, "application/pdf")
        self.assertEqual((r.status, r.json["code"]), (409, "too_many_receipts"), r)
        self.assertEqual(len(a.get().json["application"]["receipts"]), 10)

        # Bad forms: 400 with a Japanese sentence naming the field; nothing stored.
        def with_(**kw):
            b = form("bad", kids, [use("2027-03-10", "19:00", "22:30", 10000)])
            for k, v in kw.items():
                if k in ("children", "uses", "bank"):
                    b[k] = v
                else:
                    b["guardian"][k] = v
            return b

        before = self.data.query("SELECT count(*) FROM sitter_applications")[0][0]
        cases = [
            (with_(email_confirm="kadenokouji.m@example.jp"), "確認用のメールアドレスが一致しません"),
            (with_(email="not-an-address"), "メールアドレス"),
            (with_(postcode="179-007"), "郵便番号"),
            (with_(phone="03-1234"), "電話番号"),
            (with_(name=""), "申請者の氏名"),
            # what the notice's window envelope cannot hold (it would stop the day's notices)
            (with_(address="東京都桜台区高松6丁目1番2号" + "桜台ハイツ" * 20),
             "住所と氏名が長すぎて、決定通知書の宛名（封筒の窓）に収まりません"),
            (with_(name="勘解由小路" + "凪" * 25,
                   address="東京都桜台区高松6丁目1番2号" + "桜台ハイツ" * 8), "住所と氏名が長すぎて"),
            # born April 1st 2020: six on March 31st 2026, out of the subsidy since April 1st
            (with_(children=[child("勘解由小路 楓", "2020-04-01")],
                   uses=[use("2026-04-10", "10:00", "12:00", 5000)]),
             "1件目の利用日に、1人目のお子さまは対象外です"),
            (with_(children=[child("勘解由小路 楓", "2027-03-11")]),  # born after the use
             "1件目の利用日に、1人目のお子さまは対象外です"),
            (with_(children=[child("勘解由小路 楓", "2027-04-06")]),
             "1人目のお子さまの生年月日が未来の日付です"),
            (with_(uses=[use("2027-04-06", "10:00", "12:00", 5000)]),
             "1件目の利用日は、今日までの1年以内の日にしてください"),
            (with_(uses=[use("2026-04-03", "10:00", "12:00", 5000)]),
             "1件目の利用日は、今日までの1年以内の日にしてください"),
            (with_(uses=[use("2027-03-10", "10:00", "10:00", 5000)]), "1件目の開始・終了時刻"),
            (with_(uses=[use("2027-03-10", "10:00", "12:00", 5000, children=[1])]),
             "1件目で預けたお子さまの選び方"),
            (with_(bank=dict(BANKS["bad"], bank_code="9991")), "金融機関コード 9991"),
            (with_(bank=dict(BANKS["bad"], branch_code="12")), "支店コード（3桁）"),
            (with_(bank=dict(BANKS["bad"], holder="勘解由小路 凪")),
             "口座名義はカタカナで入力してください（漢字は使えません）"),
            (with_(bank=dict(BANKS["bad"], number="12345678")), "口座番号"),
            (with_(bank=dict(BANKS["bad"], type=3)), "預金の種類"),
            # the same child twice at once: on one evening, and across midnight
            (with_(uses=[use("2027-03-10", "18:00", "23:00", 9000),
                         use("2027-03-10", "22:00", "02:00", 9000)]),
             "1件目と2件目の時間が、同じお子さまで重なっています"),
            (with_(uses=[use("2027-03-10", "22:00", "02:00", 9000),
                         use("2027-03-11", "01:30", "03:00", 9000)]),
             "1件目と2件目の時間が、同じお子さまで重なっています"),
            (with_(uses=[use("2027-03-10", "09:00", "10:00", 1000)] * 32), "31件まで"),
        ]
        for b, want in cases:
            r = self.apply(b, status=400)
            self.assertEqual(r.json["code"], "bad_form", want)
            self.assertIn(want, r.json["message"])
        self.assertEqual(self.data.query("SELECT count(*) FROM sitter_applications")[0][0], before)
        # Edges that are fine: born April 2nd 2020, cared for on March 31st 2027; uses back to
        # back; two children on one use where only one has another use at the same time.
        ok = with_(children=[child("勘解由小路 楓", "2020-04-02"), child("勘解由小路 柊", "2024-02-02")],
                   uses=[use("2027-03-31", "08:00", "10:00", 5000, children=[0, 1]),
                         use("2027-03-31", "10:00", "11:00", 2500, children=[0]),
                         use("2027-03-31", "10:30", "11:30", 2500, children=[1])])
        b = self.apply(ok)
        calc = b.get().json["application"]["calc"]
        self.assertEqual([u["rate_yen"] for u in calc["uses"]], [10000, 2500, 2500])
        # A bad correction of a draft loses nothing already stored (form and receipts).
        r = a.put(with_(email_confirm="other@example.jp"))
        self.assertEqual((r.status, r.json["code"]), (400, "bad_form"), r)
        app = a.get().json["application"]
        self.assertEqual((app["form"]["uses"][0]["end"], len(app["receipts"])), ("22:30", 10))
        r = a.put({"guardian": "x"})
        self.assertEqual(r.status, 400, r)
        r = a.client.request("PUT", "/api/v1/sitter/mine", body=b"{not json",
                             headers=a.h({"Content-Type": "application/json"}))
        self.assertEqual(r.status, 400, r)
        self.assertEqual(a.get().json["application"]["form"], app["form"])
        r = a.submit()
        self.assertEqual(r.status, 200, r)

    # -----------------------------------------------------------------------------------------
    def test_cli_import(self):
        """The LoGo form's CSV (CP932 here, a quoted field with a comma): each row alone, a bad
        row reported by its line and reason only, the rows after it still stored."""
        header = ["申請者氏名", "申請者ふりがな", "申請者生年月日", "郵便番号", "住所", "電話番号",
                  "メールアドレス", "子1氏名", "子1生年月日", "子1多胎", "子2氏名", "子2生年月日",
                  "子2多胎", "利用1日付", "利用1開始", "利用1終了", "利用1対象", "利用1事業者",
                  "利用1金額", "金融機関コード", "支店コード", "預金種目", "口座番号", "口座名義"]
        good = ["宇治橋 葵衣", "ウジハシ アオイ", "1993-03-03", "179-0003",
                "東京都桜台区本町7丁目1番1号", "090-1100-2233", "ujihashi.aoi@example.jp",
                "宇治橋 結", "2022-12-12", "", "", "", "", "2027-03-05", "20:00", "23:00", "1",
                "すずらん保育サービス", "8000", "9990", "001", "普通", "2468013", "ウジハシ アオイ"]
        bad = ["秋津洲 千尋", "アキツシマ チヒロ", "1985-01-01", "179-0004",
               "東京都桜台区本町8丁目2番2号", "090-4455-6677", "akitsushima.c@example.jp",
               "秋津洲 廉", "2019-05-05", "", "", "", "", "2027-03-06", "10:00", "12:00", "1",
               "すずらん保育サービス", "5000", "9990", "001", "普通", "1357924", "アキツシマ チヒロ"]
        twins = ["宇治橋 葵衣", "ウジハシ アオイ", "1993-03-03", "179-0003",
                 "東京都桜台区本町7丁目1番1号", "090-1100-2233", "ujihashi.aoi@example.jp",
                 "宇治橋 湊", "2023-08-08", "はい", "宇治橋 澪", "2023-08-08", "はい",
                 "2027-03-07", "10:00", "12:00", "1・2", "こもれびシッター,本店", "12000", "9990",
                 "003", "当座", "2468013", "ウジハシ アオイ"]
        path = os.path.join(self.data.tmp, "logo.csv")
        with open(path, "wb") as f:
            f.write("\r\n".join(",".join('"%s"' % v if "," in v else v for v in row)
                                 for row in (header, good, bad, twins)).encode("cp932") + b"\r\n")
        r = harness.cli("sitter", "import", "--data", self.data.path, path)
        self.assertEqual(r.rc, 1, r)
        numbers = dict(re.findall(r"(\d)行目: 申請番号 (2027\d{6})", r.out))
        self.assertEqual(sorted(numbers), ["2", "4"], r.out)
        self.assertIn("取り込み: 2件、取り込み済みの行: 0件、取り込めなかった行: 1件", r.out)
        self.assertEqual(r.err.strip(), "3行目: 1件目の利用日に、1人目のお子さまは対象外です"
                                        "（0歳から6歳になる年度の末日まで）。")
        for v in bad + good + twins:
            if len(v.encode()) >= 6 and not v.isdigit() and v not in header:
                self.assertNotIn(v, r.err + r.out, v)
        rows = self.data.query("SELECT channel, state, paid_yen, claim_yen, submitted_ms IS NOT "
                               "NULL FROM sitter_applications WHERE number = ?", numbers["2"])
        # 20:00–22:00 by day, 22:00–23:00 at night: 5,000 + 3,500, but 8,000 was paid
        self.assertEqual(rows, [("import", "submitted", 8000, 8000, 1)])
        app = self.staff_app(self.app_id(numbers["2"]))
        self.assertEqual((app["channel"], app["form"]["guardian"]["name"],
                          app["form"]["bank"]["holder"], app["actions"]),
                         ("import", "宇治橋 葵衣", "ウジハシ アオイ", ["check", "return", "screen"]))
        self.assertEqual([(s["from"], s["to"], s["by"]) for s in app["steps"]],
                         [("draft", "submitted", "申請者")])
        app = self.staff_app(self.app_id(numbers["4"]))
        self.assertEqual([(k["multiple"], k["cap_min"]) for k in app["calc"]["children"]],
                         [(True, 288 * 60)] * 2)
        self.assertEqual((app["form"]["uses"][0]["children"], app["form"]["uses"][0]["company"],
                          app["claim_yen"], app["form"]["bank"]["type"],
                          app["form"]["bank"]["branch_name"]),
                         ([0, 1], "こもれびシッター,本店", 10000, 2, "みなみ支店"))
        self.assertEqual(self.data.query("SELECT count(*) FROM sitter_applications a WHERE "
                                         "a.channel = 'import'")[0][0], 2)
        # The same export read again makes no second applications (it did: each twice).
        r = harness.cli("sitter", "import", "--data", self.data.path, path)
        self.assertIn("2行目: 取り込み済みです（申請番号 %s）" % numbers["2"], r.out)
        self.assertIn("4行目: 取り込み済みです（申請番号 %s）" % numbers["4"], r.out)
        self.assertIn("取り込み: 0件、取り込み済みの行: 2件、取り込めなかった行: 1件", r.out)
        self.assertEqual(self.data.query("SELECT count(*) FROM sitter_applications a WHERE "
                                         "a.channel = 'import'")[0][0], 2)
        # A file that is not the export.
        other = os.path.join(self.data.tmp, "other.csv")
        with open(other, "w", encoding="utf-8") as f:
            f.write("氏名,住所\r\nx,y\r\n")
        r = harness.cli("sitter", "import", "--data", self.data.path, other)
        self.assertNotEqual(r.rc, 0, r)
        self.assertIn("見出し", r.err)

    # -----------------------------------------------------------------------------------------
    def test_paper(self):
        """A paper application keyed in by the contractor: received at once."""
        op = self.staff["op"]
        body = form("fix", [child("百目鬼 樹", "2023-01-31")],
                    [use("2027-03-08", "07:00", "09:00", 6000)], confirm=False)
        self.assertEqual(self.staff["ws"].post("/api/v1/sitter/paper", body).status, 403)
        r = op.post("/api/v1/sitter/paper", dict(body, uses=[]))
        self.assertEqual((r.status, r.json["code"]), (400, "bad_form"), r)
        self.assertIn("利用した日", r.json["message"])
        r = op.post("/api/v1/sitter/paper", body)
        self.assertEqual(r.status, 201, r)
        app = r.json["application"]
        self.assertEqual((app["state"], app["channel"], app["claim_yen"]),
                         ("submitted", "paper", 5000))
        self.assertEqual([(s["from"], s["to"], s["by"]) for s in app["steps"]],
                         [("draft", "submitted", "op")])
        self.assertEqual(app["calc"]["uses"][0]["day_min"], 120)
        self.assertEqual(self.staff_app(app["id"], "ws")["number"], app["number"])

    # -----------------------------------------------------------------------------------------
    def test_call_center(self):
        op, sv, ws = self.staff["op"], self.staff["sv"], self.staff["ws"]
        a, aid = self.submitted(form("seal", [child("東海林 湊", "2024-05-05")],
                                     [use("2027-03-12", "13:00", "15:00", 5000)]))
        r = op.post("/api/v1/sitter/inquiries",
                    {"channel": "phone", "topic": "status", "number": a.number,
                     "content": "審査の状況を知りたい（折り返し希望）", "answer": "",
                     "resolved": False})
        self.assertEqual(r.status, 201, r)
        first = r.json["inquiry"]
        self.assertEqual((first["channel"], first["topic"], first["topic_label"], first["number"],
                          first["resolved"], first["by"]),
                         ("phone", "status", "審査の状況", a.number, False, "op"))
        r = sv.post("/api/v1/sitter/inquiries",
                    {"channel": "counter", "topic": "eligibility",
                     "content": "小学1年生は対象ですか", "answer": "対象外です（6歳になる年度末まで）",
                     "resolved": True})
        self.assertEqual(r.status, 201, r)
        second = r.json["inquiry"]
        self.assertIsNone(second["number"])
        for bad in ({"channel": "fax", "topic": "how", "content": "x", "answer": ""},
                    {"channel": "phone", "topic": "weather", "content": "x", "answer": ""},
                    {"channel": "phone", "topic": "how", "content": "", "answer": ""},
                    {"channel": "phone", "topic": "how", "number": "2027999999", "content": "x",
                     "answer": ""}):
            r = op.post("/api/v1/sitter/inquiries", bad)
            self.assertEqual(r.status, 400, (bad, r))
            self.assertTrue(re.search(r"[ぁ-んァ-ン]", r.json["message"]), r.json)
        # The ward reads the log but does not write it.
        self.assertEqual(ws.post("/api/v1/sitter/inquiries",
                                 {"channel": "phone", "topic": "how", "content": "x",
                                  "answer": ""}).status, 403)
        r = ws.get("/api/v1/sitter/inquiries?open=1")
        self.assertEqual(r.status, 200, r)
        open_ids = [x["id"] for x in r.json["inquiries"]]
        self.assertIn(first["id"], open_ids)
        self.assertNotIn(second["id"], open_ids)
        r = op.get("/api/v1/sitter/inquiries")
        self.assertTrue({first["id"], second["id"]} <= {x["id"] for x in r.json["inquiries"]})
        r = op.get("/api/v1/sitter/inquiries?q=" + a.number)
        self.assertEqual([x["id"] for x in r.json["inquiries"]], [first["id"]])
        self.assertEqual(r.json["inquiries"][0]["content"], "審査の状況を知りたい（折り返し希望）")
        # Answered and resolved.
        r = op.post("/api/v1/sitter/inquiries/%d" % first["id"],
                    {"answer": "事前審査中とお伝えした", "resolved": True})
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json["inquiry"]["answer"], r.json["inquiry"]["resolved"]),
                         ("事前審査中とお伝えした", True))
        self.assertEqual(ws.post("/api/v1/sitter/inquiries/%d" % first["id"],
                                 {"answer": "x", "resolved": False}).status, 403)
        r = op.post("/api/v1/sitter/inquiries/999999", {"answer": "x", "resolved": True})
        self.assertEqual(r.status, 404, r)
        r = ws.get("/api/v1/sitter/inquiries?open=1")
        self.assertNotIn(first["id"], [x["id"] for x in r.json["inquiries"]])

    # -----------------------------------------------------------------------------------------
    def test_sealed_at_rest(self):
        """After the module's other tests (their guardians too, when they ran) and one more
        application with a receipt and an inquiry: no name, kana, address, phone, mail, account
        number or holder in the clear in the data directory (database, WAL, server log) — nor
        on PostgreSQL in the database's files; the audit log verifies."""
        started = getattr(self, "_started", None)
        a, aid = self.submitted(form("seal", [child("東海林 湊", "2024-05-05")],
                                     [use("2027-03-14", "13:00", "15:00", 5000)]))
        self.mails(GUARDIANS["seal"]["email"], "申請を受け付けました")
        self.act("op", aid, "return", {"note": "東海林 紬葵 様の領収書の写りが悪いです"})
        self.mails(GUARDIANS["seal"]["email"], "補正のお願い")
        needles = set()
        for g in GUARDIANS.values():
            needles |= {g["name"], g["kana"], g["address"], g["phone"], g["email"],
                        g["phone"].replace("-", ""), g["email"].split("@")[0]}
            needles |= {p for p in g["name"].split() + g["kana"].split() if len(p.encode()) >= 6}
        for b in BANKS.values():
            needles |= {b["number"], b["holder"]}
        needles |= {"鷺ノ宮 湊斗", "百目鬼 陽葵", "勘解由小路 蓮", "東海林 湊", "宇治橋 葵衣",
                    "ujihashi.aoi", "2468013", "ウジハシ アオイ", "東京都桜台区本町7丁目1番1号",
                    "宇治橋 湊", "宇治橋 澪", "秋津洲"}
        encoded = []
        for n in sorted(needles):
            encoded += [(n, n.encode("utf-8")), (n, n.encode("utf-16-le"))]
            try:
                encoded.append((n, n.encode("cp932")))
            except UnicodeEncodeError:
                pass
        # the 全銀 holders as in the transfer file (half-width kana, CP932)
        for hw in ("ｻｷﾞﾉﾐﾔ ﾚｲﾈ", "ｲｵｷﾍﾞ ﾘｺ", "ｳｼﾞﾊｼ ｱｵｲ"):
            encoded += [(hw, hw.encode("cp932")), (hw, hw.encode("utf-8"))]
        store = engines.store_files(self.data.path, since=started)
        files = sorted(set(self.data.all_files()) | set(store))
        self.assertTrue(any(f.endswith(".log") for f in files), files)
        leaks = []
        for path in files:
            blob = engines.read_bytes(path)
            for n, e in encoded:
                if e in blob:
                    leaks.append("%r in %s" % (n, path))
        self.assertEqual(leaks, [])
        r = self.data.audit_verify()
        self.assertEqual(r.rc, 0, r)
        acts = {x for (x,) in self.data.query("SELECT action FROM audit WHERE action LIKE "
                                              "'sitter.%'")}
        self.assertTrue({"sitter.apply", "sitter.receipt", "sitter.submit", "sitter.read",
                         "sitter.check", "sitter.return"} <= acts, acts)


# ---------------------------------------------------------------------------------------------
class RetentionTest(SitterBase):
    """Retention (決定から5年), on a ward of its own: a rejected application and one still
    waiting. 1,000 days after the decision nothing goes; 1,830 days after it the decided
    application goes with its receipts, steps, search terms and hours; the waiting one stays."""

    def test_decided_applications_go_five_years_on(self):
        _, waiting = self.submitted(form("cap", [child("五百旗頭 楓", "2024-06-06")],
                                         [use("2027-03-25", "13:00", "15:00", 6000)]))
        _, noid = self.submitted(form("cap", [child("五百旗頭 柚", "2024-07-07")],
                                      [use("2027-03-26", "13:00", "15:00", 6000)]))
        self.screened(noid)
        app = self.act("ap", noid, "decide",
                       {"decision": "reject", "reason": "対象外の事業者です。"})["application"]
        self.assertEqual((app["state"], app["decided_on"]), ("rejected", TODAY))
        self.srv.stop()
        q = lambda sql, *a: self.data.query(sql, *a)[0][0]  # noqa: E731
        self.assertGreater(q("SELECT count(*) FROM sitter_receipts WHERE application_id = ?",
                             noid), 0)
        self.assertEqual(harness.retention_run_at(self.data, TODAY, 1000, "sitter_decided"), 0)
        self.assertEqual(harness.retention_run_at(self.data, TODAY, 1830, "sitter_decided"), 1)
        self.assertEqual(self.data.query("SELECT id FROM sitter_applications"), [(waiting,)])
        for table in ("sitter_receipts", "sitter_steps", "sitter_terms", "sitter_child_hours"):
            self.assertEqual(q("SELECT count(*) FROM %s WHERE application_id = ?" % table,
                               noid), 0, table)
        for table in ("sitter_receipts", "sitter_steps", "sitter_terms"):  # the waiting one's
            self.assertGreater(q("SELECT count(*) FROM %s WHERE application_id = ?" % table,
                                 waiting), 0, table)
        self.assertEqual(self.data.audit_verify().rc, 0)


class DraftRetentionTest(SitterBase):
    """Drafts never sent (送られないままの下書き), on a ward of its own."""

    def test_drafts_never_sent_go_after_a_year(self):
        """A draft the applicant left (a receipt uploaded, never sent) goes a year after its last
        change with its receipt; 300 days on it is still there; a sent one stays."""
        left = self.apply(form("cap", [child("五百旗頭 蓮", "2024-08-08")],
                               [use("2027-03-27", "13:00", "15:00", 6000)]))
        self.assertEqual(left.upload(PNG, "image/png").status, 201)
        _, sent = self.submitted(form("cap", [child("五百旗頭 葵", "2024-09-09")],
                                      [use("2027-03-28", "13:00", "15:00", 6000)]))
        self.srv.stop()
        drafts = "SELECT count(*) FROM sitter_applications WHERE state = 'draft'"
        self.assertEqual(self.data.query(drafts), [(1,)])
        self.assertEqual(harness.retention_run_at(self.data, TODAY, 300, "sitter_drafts"), 0)
        self.assertEqual(harness.retention_run_at(self.data, TODAY, 367, "sitter_drafts"), 1)
        self.assertEqual(self.data.query("SELECT id FROM sitter_applications"), [(sent,)])
        self.assertEqual(self.data.query(
            "SELECT count(*) FROM sitter_receipts WHERE application_id <> ?", sent), [(0,)])
        self.assertEqual(self.data.audit_verify().rc, 0)


class CapTest(SitterBase):
    """The yearly cap through the API: 144 hours per child per fiscal year across approved
    applications (the same child by name and birth date, spaces aside), 288 for a child of a
    multiple birth; a use across midnight and one across March 31st split where they cross."""

    def long_uses(self, n, first_day, paid, children=(0,)):
        """n uses of 23 hours (08:00 to 07:00 the next day: 14 hours by day, 9 at night), two
        days apart."""
        d0 = datetime.date.fromisoformat(first_day)
        return [use((d0 + datetime.timedelta(days=2 * i)).isoformat(), "08:00", "07:00", paid,
                    children) for i in range(n)]

    def test_cap_across_applications_and_the_fiscal_year(self):
        name, birth = "五百旗頭 湊", "2022-09-09"
        kid = [child(name, birth)]
        # 100 hours and 43.5 hours approved already in fiscal year 2026.
        uses1 = self.long_uses(4, "2027-01-04", 70000) + [use("2027-01-20", "09:00", "17:00",
                                                              20000)]
        uses2 = [use("2027-02-01", "08:00", "07:00", 70000),
                 use("2027-02-03", "08:00", "04:30", 70000)]
        _, id1 = self.submitted(form("cap", kid, uses1))
        _, id2 = self.submitted(form("cap", [child("五百旗頭　湊", birth)], uses2))
        a1 = self.approved(id1)
        self.assertEqual(a1["calc"]["children"][0]["counted_min"], 100 * 60)
        # 4 × (14 h × 2,500 + 9 h × 3,500) + 8 h × 2,500
        self.assertEqual(a1["grant_yen"], 4 * 66500 + 20000)
        a2 = self.approved(id2)
        k = a2["calc"]["children"][0]
        self.assertEqual((k["before_min"], k["counted_min"], k["remaining_min"]),
                         (6000, 2610, 8640 - 8610))
        # 23 h, then 08:00–04:30: 14 h by day, 6.5 h at night
        self.assertEqual(a2["grant_yen"], 66500 + 35000 + 22750)

        # One hour more for the same child: 30 minutes are left.
        a, aid = self.submitted(form("cap", [child("五百旗頭湊", birth)],
                                     [use("2027-03-02", "10:00", "11:00", 5000)]))
        calc = a.get().json["application"]["calc"]
        self.assertEqual(calc["uses"], [{"day_min": 30, "night_min": 0, "over_min": 30,
                                         "rate_yen": 1250, "subsidy_yen": 1250}])
        self.assertEqual([(k["before_min"], k["claim_min"], k["counted_min"], k["remaining_min"])
                          for k in calc["children"]], [(8610, 60, 30, 0)])
        app = self.approved(aid)
        self.assertEqual((app["grant_yen"], app["calc"]["over_min"]), (1250, 30))
        self.assertEqual(a.get().json["application"]["calc"]["children"][0]["remaining_min"], 0)
        # Another child of the same name but another birth date has a cap of their own.
        b, bid = self.submitted(form("cap", [child(name, "2023-09-09")],
                                     [use("2027-03-02", "10:00", "11:00", 5000)]))
        self.assertEqual(b.get().json["application"]["calc"]["grant_yen"], 2500)

        # Across March 31st: 23:00–24:00 counts in fiscal year 2026 (full), 00:00–01:00 in 2027.
        c, cid = self.submitted(form("cap", kid, [use("2027-03-31", "23:00", "01:00", 8000)]))
        calc = c.get().json["application"]["calc"]
        self.assertEqual(calc["uses"], [{"day_min": 0, "night_min": 60, "over_min": 60,
                                         "rate_yen": 3500, "subsidy_yen": 3500}])
        self.assertEqual(sorted((k["fiscal_year"], k["before_min"], k["claim_min"],
                                 k["counted_min"], k["remaining_min"]) for k in calc["children"]),
                         [(2026, 8640, 60, 0, 0), (2027, 0, 60, 60, 8640 - 60)])
        app = self.approved(cid)
        self.assertEqual(app["grant_yen"], 3500)
        hours = self.data.query("SELECT h.fiscal_year, h.claim_min, h.minutes FROM "
                                "sitter_child_hours h JOIN sitter_applications a ON a.id = "
                                "h.application_id WHERE a.number = ? ORDER BY h.fiscal_year",
                                c.number)
        self.assertEqual(hours, [(2026, 60, 0), (2027, 60, 60)])
        # What was decided stays as decided.
        self.assertEqual(self.staff_app(id1)["grant_yen"], 4 * 66500 + 20000)
        self.assertEqual(self.staff_app(aid)["grant_yen"], 1250)

    def test_multiple_birth_and_night(self):
        twins = [child("五百旗頭 陽", "2024-03-03", True), child("五百旗頭 月", "2024-03-03", True)]
        uses = self.long_uses(7, "2026-10-01", 140000, children=(0, 1))
        a, aid = self.submitted(form("cap", twins, uses))
        calc = a.get().json["application"]["calc"]
        self.assertEqual([(k["multiple"], k["cap_min"], k["claim_min"], k["counted_min"],
                           k["remaining_min"]) for k in calc["children"]],
                         [(True, 288 * 60, 161 * 60, 161 * 60, 127 * 60)] * 2)
        self.assertEqual(calc["over_min"], 0)
        self.assertEqual(calc["grant_yen"], 7 * 2 * 66500)
        self.assertEqual(self.approved(aid)["grant_yen"], 7 * 2 * 66500)
        # Each twin's hours count for that twin: an hour more for the second one.
        t, tid = self.submitted(form("cap", [child("五百旗頭 月", "2024-03-03", True)],
                                     [use("2027-03-20", "10:00", "11:00", 5000)]))
        k = t.get().json["application"]["calc"]["children"][0]
        self.assertEqual((k["before_min"], k["counted_min"], k["remaining_min"]),
                         (161 * 60, 60, 127 * 60 - 60))
        # A child of a single birth with the same uses: 144 hours, then nothing.
        single = [child("五百旗頭 空", "2023-11-11")]
        b, bid = self.submitted(form("cap", single, self.long_uses(7, "2026-10-01", 70000)))
        calc = b.get().json["application"]["calc"]
        k = calc["children"][0]
        self.assertEqual((k["cap_min"], k["counted_min"], k["remaining_min"]),
                         (144 * 60, 144 * 60, 0))
        self.assertEqual(calc["over_min"], 17 * 60)
        self.assertEqual(calc["uses"][6], {"day_min": 6 * 60, "night_min": 0, "over_min": 17 * 60,
                                           "rate_yen": 15000, "subsidy_yen": 15000})
        self.assertEqual(calc["grant_yen"], 6 * 66500 + 15000)
        app = self.approved(bid)
        self.assertEqual(app["grant_yen"], 6 * 66500 + 15000)
        # Night: across midnight, and across 07:00; one child and two; paid less than the rate.
        kids = [child("五百旗頭 凛", "2025-01-01"), child("五百旗頭 蒼", "2022-02-02")]
        c, cid = self.submitted(form("cap", kids, [
            use("2027-03-10", "21:00", "01:00", 20000),
            use("2027-03-12", "05:00", "09:00", 30000, children=(0, 1)),
            use("2027-03-14", "21:30", "24:00", 5000, children=(1,)),
            use("2027-03-16", "06:59", "07:01", 1000)]))
        calc = c.get().json["application"]["calc"]
        self.assertEqual([(u["day_min"], u["night_min"], u["rate_yen"], u["subsidy_yen"])
                          for u in calc["uses"]],
                         [(60, 180, 2500 + 10500, 13000),
                          (240, 240, 2 * (7000 + 5000), 24000),
                          (30, 120, 1250 + 7000, 5000),
                          (1, 1, (2500 + 3500) // 60, 100)])
        self.assertEqual(calc["grant_yen"], 13000 + 24000 + 5000 + 100)
        self.assertEqual(c.get().json["application"]["form"]["uses"][2]["end"], "00:00")

    def test_rejection_and_the_day_of_notices(self):
        """A rejection with its reason and 教示 in the day's notices (made by the ward's staff
        here), next to an approval; the transfer pays the approvals only."""
        ws = self.staff["ws"]
        ok, okid = self.submitted(form("cap", [child("五百旗頭 楓", "2024-06-06")],
                                       [use("2027-03-25", "13:00", "15:00", 6000)]))
        no, noid = self.submitted(form("cap", [child("五百旗頭 柚", "2024-07-07")],
                                       [use("2027-03-26", "13:00", "15:00", 6000)]))
        self.assertEqual(self.approved(okid)["grant_yen"], 5000)
        self.screened(noid)
        reason = "利用した事業者が助成の対象外です。"
        app = self.act("ap", noid, "decide", {"decision": "reject", "reason": reason})["application"]
        self.assertEqual((app["state"], app["state_label"], app["decision"], app["grant_yen"],
                          app["reason"]), ("rejected", "不交付決定（通知前）", "rejected", 0, reason))
        self.assertEqual(no.get().json["application"]["reason"], reason)
        pending = {p["date"]: p for p in ws.get("/api/v1/sitter/notices").json["pending"]}
        day = pending[TODAY]
        self.assertGreaterEqual((day["approved"], day["rejected"]), (1, 1))
        self.assertEqual(self.staff["op"].post("/api/v1/sitter/notices",
                                               {"date": TODAY}).status, 403)
        r = ws.post("/api/v1/sitter/notices", {"date": "2027-4-5"})
        self.assertEqual((r.status, r.json["code"]), (400, "bad_date"), r)
        r = ws.post("/api/v1/sitter/notices", {"date": TODAY})
        self.assertEqual(r.status, 201, r)
        letters = r.json["notice"]["letters"]
        self.assertEqual(letters, day["approved"] + day["rejected"])
        app = no.get().json["application"]
        self.assertEqual((app["state"], app["state_label"], app["decision"]),
                         ("notified", "不交付決定・通知済", "rejected"))
        r = ws.get("/api/v1/sitter/notices/%d/pdf" % r.json["notice"]["id"])
        self.assertEqual(r.status, 200, r)
        path = os.path.join(self.data.tmp, "notices.pdf")
        with open(path, "wb") as f:
            f.write(r.body)
        pages = [nospace(p) for p in harness.pdf_text(path).split("\f") if p.strip()]
        self.assertEqual(len(pages), letters)
        mine = [p for p in pages if "申請番号" + no.number in p]
        self.assertEqual(len(mine), 1)
        for want in ("不交付決定通知書", nospace(reason), "審査請求", "五百旗頭璃子様",
                     "令和9年4月5日", "〒179-0002"):
            self.assertIn(want, mine[0])
        self.assertNotIn("交付決定額", mine[0])
        granted = [p for p in pages if "申請番号" + ok.number in p][0]
        self.assertIn("交付決定額5,000円", granted)
        # The transfer: the approvals only, never a rejection.
        payable = ws.get("/api/v1/sitter/payments").json["payable"]
        self.assertGreaterEqual(payable["count"], 1)
        r = ws.post("/api/v1/sitter/payments", {"pay_date": "2027-04-30"})
        self.assertEqual(r.status, 201, r)
        pay = r.json["payment"]
        self.assertEqual((pay["items"], pay["total_yen"]), (payable["count"], payable["total_yen"]))
        body = ws.get("/api/v1/sitter/payments/%d/file" % pay["id"]).body
        data = [body[i:i + 120] for i in range(0, len(body), 122) if body[i:i + 1] == b"2"]
        numbers = [d[91:101].decode() for d in data]
        self.assertIn(ok.number, numbers)
        self.assertNotIn(no.number, numbers)
        self.assertEqual(sum(int(d[80:90]) for d in data), payable["total_yen"])
        self.assertEqual(no.get().json["application"]["state"], "notified")
        self.assertEqual(ok.get().json["application"]["state"], "paid")
        # A decision later the same day goes out in a batch of its own.
        late, lateid = self.submitted(form("cap", [child("五百旗頭 桃", "2024-08-08")],
                                           [use("2027-03-27", "13:00", "14:00", 6000)]))
        self.approved(lateid)
        r = ws.post("/api/v1/sitter/notices", {"date": TODAY})
        self.assertEqual((r.status, r.json["notice"]["letters"]), (201, 1), r)
        r = ws.get("/api/v1/sitter/notices/%d/pdf" % r.json["notice"]["id"])
        with open(path, "wb") as f:
            f.write(r.body)
        pages = [nospace(p) for p in harness.pdf_text(path).split("\f") if p.strip()]
        self.assertEqual(len(pages), 1)
        self.assertIn("申請番号" + late.number, pages[0])
        self.assertIn("交付決定額2,500円", pages[0])
        self.assertEqual(len(ws.get("/api/v1/sitter/notices").json["notices"]), 2)


if __name__ == "__main__":
    unittest.main()
