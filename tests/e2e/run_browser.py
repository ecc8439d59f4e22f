#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""run_browser.py — the driver of the browser tests (tests/browser/*.test.mjs): creates a fresh
data directory (site G01 with the main child and three more for the offline test; their cards
are issued one child at a time and the G01 sheet decoded after each, so every code's child is
known), starts `mimamori serve` on a free port with the maildir transport, runs
`node --test --test-reporter=tap` on the test files with the MIMAMORI_* variables set, streams
node's output, stops the server and exits with node's exit code.

It also serves a tiny control API on 127.0.0.1 (a free port, MIMAMORI_CONTROL_URL) for the
offline kiosk test: POST /stop stops the server (SIGTERM, waits), POST /start starts it again
on the same port with the same data directory and waits for /healthz. Both are bounded.
POST /start with {"mail": URL} starts it with that transport instead (the mail view test points
it at the relay below; a plain /start goes back to the maildir). POST /relay starts (once) an
aiosmtpd relay that answers 550 to the recipient domains in {"refuse": [...]} (when given; []
accepts all) and answers {"url", "mails": [{"to", "subject"}], "refused": [addresses]}.
POST /bulk with {"send_id", "subject", "body", "to": [addresses]} queues bulk mail of that
send's list through the mail layer (tests/unit/bulk_enqueue.c, harness.bulk_enqueue) and answers
{"tokens": [...], "skipped": n}: the unsubscribe test sends school mail (a list that may be
left) this way.
POST /words starts (once) a second server of a ward that says 登所/降所 (the WordsWard block
below) and answers what tests/browser/13-ward-words needs of it; the main server is untouched.

Not a unittest module (its name does not match test_*.py)."""
import glob
import calendar
import datetime
import http.server
import json
import os
import re
import subprocess
import sys
import threading

from aiosmtpd.controller import Controller

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

CHILD = ["B001", "G01", "髙橋 𠮷男", "ﾀｶﾊｼ ﾖｼｵ", "2", "2017-05-03", "髙橋 花子",
         "browser.parent@example.jp"]
OTHERS = [["B002", "G02", "山﨑 次郎", "ヤマサキ ジロウ", "3", "2016-06-04", "山﨑 一",
           "browser.parent2@example.jp"],
          ["B003", "G02", "佐藤 三郎", "サトウ サブロウ", "1", "2018-07-05", "佐藤 良子",
           "taro..yamada.@docomo.ne.jp"]]
# Three more children of G01 for the offline kiosk test (tests/browser/5-offline.test.mjs);
# no other test scans them.
OFFLINE = [["B004", "G01", "伊藤 四葉", "イトウ ヨツバ", "3", "2016-08-06", "伊藤 京子",
            "browser.parent4@example.jp"],
           ["B005", "G01", "渡辺 五月", "ワタナベ サツキ", "4", "2015-05-07", "渡辺 誠",
            "browser.parent5@example.jp"],
           ["B006", "G01", "中村 六花", "ナカムラ リッカ", "1", "2018-09-08", "中村 恵",
            "browser.parent6@example.jp"]]
# The bath pass (tests/browser/23-bathpass): fictional eligible people of the host extract; the
# first is found by ふりがな at the counter and issued, the last is gone from a pending import.
BATH_OFFICE, BATH_OFFICE2, BATH_BRANCH = "bath-office", "bath-office2", "bath-b03"
BATH_HEADER = "宛名番号,氏名,ふりがな,生年月日,性別,郵便番号,住所,方書,電話番号,対象区分,異動事由,異動日"
BATH_PEOPLE = [["5001", "髙﨑 一郎", "たかさき いちろう", "S25.4.1", "男", "179-0001",
                "桜台区本町1丁目2番3号", "コーポ桜101号室", "03-1111-2222", "高齢", "", ""],
               ["5002", "浴場 花子", "よくじょう はなこ", "昭和30年5月5日", "女", "179-0002",
                "桜台区若葉2丁目3番", "", "", "高齢", "", ""],
               ["5003", "湯元 次郎", "ゆもと じろう", "1990-07-07", "男", "179-0003",
                "桜台区緑町3丁目4番", "", "", "障害", "", ""]]
# The guardian portal's family (tests/browser/8-parent, 9-pickup): B007 at G01, its guardian's
# address confirmed by the driver; B002 (G02) is another family's child for the IDOR checks.
PARENT = ["B007", "G01", "小林 七海", "コバヤシ ナナミ", "2", "2017-04-07", "小林 直子",
          "browser.parent7@example.jp"]
# B007's sibling at the same club, with the same guardian (8-parent switches between them).
PARENT_SIBLING = ["B010", "G01", "小林 八雲", "コバヤシ ヤクモ", "4", "2015-06-10", "小林 直子",
                  "browser.parent7@example.jp"]
# Two more G02 families for the mail view test (tests/browser/10-mailview): confirmed by the
# driver; the relay refuses the second one's domain when the test asks it to.
MAILVIEW = [["B008", "G02", "加藤 八郎", "カトウ ハチロウ", "3", "2016-03-08", "加藤 葉子",
             "browser.ok@mailview.example.net"],
            ["B009", "G02", "吉田 九美", "ヨシダ クミ", "2", "2017-09-09", "吉田 久",
             "browser.ng@refused.example.org"]]
# The ward admin's pages (tests/browser/11-ward, 12-reports): a site of their own, G03, whose
# children only those tests touch; W001 has a card (its code and a G03 kiosk are given), the
# others none.
WARD_SITE = ["G03", "つばさ学童クラブ"]
WARD = [["W001", "G03", "森 一花", "モリ イチカ", "2", "2018-04-01", "森 京子",
         "browser.ward1@example.jp"],
        ["W002", "G03", "林 二郎", "ハヤシ ジロウ", "3", "2017-05-02", "林 誠",
         "browser.ward2@example.jp"],
        ["W003", "G03", "池田 三葉", "イケダ ミツハ", "1", "2019-06-03", "池田 恵",
         "browser.ward3@example.jp"],
        ["W004", "G03", "石川 四郎", "イシカワ シロウ", "4", "2016-07-04", "石川 良子",
         "browser.ward4@example.jp"]]
# --- the schools' mass mail (tests/browser/20-school-signup, 21-school-staff): school E01 with
# its administrator and sender (no device yet), registrants made by the driver through the
# sign-up API (the tests register more through the page), the sign-up address of mail-in.
SCHOOL = ["E01", "ブラウザ区立あおば小学校"]
SCHOOL_SIGNUP = "touroku@school.example.jp"
SCHOOL_ADMIN = "school-admin01"
SCHOOL_SENDER = "school-sender01"
SCHOOL_REGISTRANTS = [["登録 一子", "登録 母", "browser.school1@example.jp", 2, 1],
                      ["登録 二郎", "登録 父", "browser.school2@example.jp", 5, 3]]
# --- the babysitter subsidy (tests/browser/24-sitter): the contractor's operator and
# supervisor, the ward's staff and approver, each scoped to the benefit (`mimamori sitter staff`)
SITTER_STAFF = [("sitter-op", "grant_operator"), ("sitter-sv", "grant_supervisor"),
                ("sitter-ward", "grant_staff"), ("sitter-approver", "grant_approver")]
# ---
STAFF = "staff01"
ADMIN = "admin01"        # ward admin: composes emergency mail (tests/browser/7-emergency)
APPROVER = "contract01"  # contractor: the second person who approves a send to several sites
CONTROL_WAIT = 30.0  # seconds: start waits at most this for /healthz; stop waits half


class Relay:
    """aiosmtpd on a free 127.0.0.1 port: 550 (quoting the address) to recipients whose domain
    is in refuse, else accepted; keeps what it took and whom it refused."""

    def __init__(self):
        self.lock = threading.Lock()
        self.refuse, self.mails, self.refused = set(), [], []
        relay = self

        class Handler:
            async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
                addr = harness._unquote_local(address)
                with relay.lock:
                    if addr.rsplit("@", 1)[-1] in relay.refuse:
                        relay.refused.append(addr)
                        return ("550 5.1.1 <%s>: Recipient address rejected: User unknown"
                                % address)
                envelope.rcpt_tos.append(address)
                return "250 OK"

            async def handle_DATA(self, server, session, envelope):
                m = harness.Mail(envelope.rcpt_tos, envelope.mail_from,
                                 envelope.original_content or envelope.content)
                with relay.lock:
                    relay.mails.append({"to": m.rcpts[0] if m.rcpts else "",
                                        "subject": m.subject})
                return "250 OK"

        self.ctl, self.port = harness.start_controller(
            lambda port: Controller(Handler(), hostname="127.0.0.1", port=port,
                                    ready_timeout=10))
        self.url = "smtp://127.0.0.1:%d" % self.port

    def state(self):
        with self.lock:
            return {"url": self.url, "mails": list(self.mails), "refused": list(self.refused)}

    def stop(self):
        self.ctl.stop()


# --- a ward with its own words (tests/browser/13-ward-words): [ward] entry_word = 登所,
# exit_word = 降所 in its own data directory, on its own port, started the first time a test asks
# (POST /words) and stopped at the end. Its clock stands after the site's same-day deadline
# (today is locked for guardians) and after arrival + grace (a planned child is not arrived).
WORDS_SITE = ["G01", "みどり学童クラブ"]
WORDS_PHONE = "03-5555-0123"
WORDS_STAFF = "words01"
WORDS_ADMIN = "wordsadmin"  # the ward administrator's pages in the ward's words
# The guardian's child (a card: scanned at the kiosk, then home through the pickup dialog); a
# second child with a card (the refused manual entry); a third planned on Mondays who never
# comes. No name holds 入, 退 or 室.
WORDS_CHILDREN = [["T001", "G01", "青木 一花", "アオキ イチカ", "2", "2018-04-01", "青木 京子",
                   "words.parent@example.jp"],
                  ["T002", "G01", "石田 二郎", "イシダ ジロウ", "3", "2017-05-02", "石田 誠",
                   "words.parent2@example.jp"],
                  ["T003", "G01", "上野 三葉", "ウエノ ミツハ", "1", "2019-06-03", "上野 恵",
                   "words.parent3@example.jp"]]


def words_now():
    """15:30 of the next Monday after today (Japan time): after the site's deadline (12:00)
    and its arrival + grace (14:00 + 30). In the future, so that the mail the CLI queued before
    the start is already due by the server's clock."""
    jst = datetime.timezone(datetime.timedelta(hours=9))
    today = datetime.datetime.now(jst).date()
    monday = today + datetime.timedelta(days=7 - today.weekday())
    return datetime.datetime.combine(monday, datetime.time(15, 30), tzinfo=jst)


class WordsWard:
    """The second server: a fresh data directory whose mimamori.conf says 登所/降所."""

    def __init__(self):
        self.data = None
        self.srv = None
        self.info = None

    def start(self):
        if self.info:
            return self.info
        d = self.data = harness.DataDir()
        conf = os.path.join(d.path, "mimamori.conf")
        with open(conf, encoding="utf-8") as f:
            text = f.read()
        for key, word in (("entry_word", "登所"), ("exit_word", "降所")):
            text, n = re.subn(r"(?m)^%s\s*=.*$" % key, "%s = %s" % (key, word), text)
            if n != 1:
                raise RuntimeError("mimamori.conf has no %s line" % key)
        with open(conf, "w", encoding="utf-8") as f:
            f.write(text)
        d.site_add(*WORDS_SITE)
        harness.cli_ok("site", "set", WORDS_SITE[0], "--data", d.path, "--arrival", "14:00",
                       "--grace", "30", "--deadline", "12:00", "--phone", WORDS_PHONE)
        d.user_add(WORDS_STAFF, "site_staff", [WORDS_SITE[0]])
        d.user_add(WORDS_ADMIN, "ward_admin")
        now = words_now()
        self.srv = harness.Server(d, mail="maildir:" + os.path.join(d.tmp, "mail"),
                                  log_dir=d.tmp, on_port=d.set_base_url,
                                  env={"MIMAMORI_FAKE_NOW": str(calendar.timegm(now.utctimetuple())),
                                       "MIMAMORI_ALERT_INTERVAL_MS": "200"})
        d.set_base_url(self.srv.url)
        d.import_children(d.write_csv("words.csv", WORDS_CHILDREN))
        codes = []
        for row in WORDS_CHILDREN[:2]:
            d.card_issue(child=row[0])
            now_codes = harness.decode_qr_codes(d.card_sheet(WORDS_SITE[0]))
            new = [c for c in now_codes if c not in codes]
            if len(new) != 1:
                raise RuntimeError("the words ward's sheet gave %d new codes" % len(new))
            codes.append(new[0])
        con = d.connect()
        with con:  # T003 is planned on Mondays (weekday 1)
            con.execute("INSERT INTO plan_weekly(child_id, weekday, leave, way_home, updated_ms) "
                        "SELECT id, 1, '17:00', 'alone', 0 FROM children WHERE child_no = ?",
                        (WORDS_CHILDREN[2][0],))
        con.close()
        kiosk = d.kiosk_add(WORDS_SITE[0])
        self.srv.start()
        maildir = os.path.join(d.tmp, "mail")
        guardian = WORDS_CHILDREN[0][7]
        m = harness.wait_until(
            lambda: [m for m in harness.read_maildir(maildir) if guardian in m.rcpts],
            timeout=30, what="the words ward guardian's confirmation mail")
        r = harness.Client(self.srv.port).post("/api/v1/confirmations",
                                               {"token": m[0].confirm_token})
        if r.status != 200:
            raise RuntimeError("confirming the words ward's guardian: %r" % r)
        self.info = {"url": self.srv.url, "maildir": maildir, "kiosk_token": kiosk,
                     "site_code": WORDS_SITE[0], "site_name": WORDS_SITE[1],
                     "phone": WORDS_PHONE, "staff_login": WORDS_STAFF, "admin_login": WORDS_ADMIN,
                     "staff_password": harness.PASSWORD, "parent_email": guardian,
                     "children": [{"child_no": r[0], "name": r[2]} for r in WORDS_CHILDREN],
                     "card_codes": codes, "day": now.date().isoformat()}
        return self.info

    def stop(self):
        """Stops the server; returns its sanitizer report ('' when clean or never started)."""
        rep = ""
        if self.srv:
            self.srv.stop()
            rep = harness.sanitizer_report(self.srv.stderr_text()) or ""
        if self.data:
            self.data.cleanup()
        self.srv = self.data = self.info = None
        return rep


def control_server(srv):
    """The control API (POST /stop, /start, /relay) on a free 127.0.0.1 port, in a thread."""
    lock = threading.Lock()
    default_mail = srv.mail
    relay = []
    words = WordsWard()

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args):  # keep node's TAP output clean
            pass

        def reply(self, status, obj):
            body = json.dumps(obj).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self):
            n = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(n) if n else b""
            with lock:
                try:
                    args = json.loads(body) if body.strip() else {}
                    if self.path == "/stop":
                        rc = srv.stop(timeout=CONTROL_WAIT / 2)
                        return self.reply(200, {"stopped": True, "rc": rc})
                    if self.path == "/start":
                        if srv.proc and srv.proc.poll() is None:
                            return self.reply(200, {"started": False, "running": True})
                        srv.mail = args.get("mail") or default_mail
                        srv.start(timeout=CONTROL_WAIT)
                        return self.reply(200, {"started": True, "url": srv.url,
                                                "mail": srv.mail})
                    if self.path == "/bulk":
                        tokens, skipped = harness.bulk_enqueue(
                            srv.data.path, args["send_id"], args["subject"], args["body"],
                            args["to"])
                        return self.reply(200, {"tokens": tokens, "skipped": skipped})
                    if self.path == "/words":
                        return self.reply(200, words.start())
                    if self.path == "/relay":
                        if not relay:
                            relay.append(Relay())
                        if "refuse" in args:
                            with relay[0].lock:
                                relay[0].refuse = set(args["refuse"])
                        return self.reply(200, relay[0].state())
                except Exception as e:  # reported to the test, which fails with it
                    return self.reply(500, {"error": str(e)[:2000]})
            return self.reply(404, {"error": "POST /stop or /start"})

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    httpd.relay = relay  # stopped by the driver at the end
    httpd.words = words
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd



def fail(msg):
    print("# " + msg)
    print("# pass 0")
    print("# fail 1")
    sys.stdout.flush()
    return 1


def main():
    # Arguments name some test files (a developer running one); none: every file.
    files = [os.path.abspath(f) for f in sys.argv[1:]] or sorted(
        glob.glob(os.path.join(harness.REPO, "tests", "browser", "*.test.mjs")))
    if not files:
        return fail("no tests/browser/*.test.mjs files yet")
    data = harness.DataDir()
    srv = None
    control = None
    try:
        d = data
        d.site_add("G01", "すみれ学童クラブ")
        d.site_add("G02", "ひろばプラス桜", "hiroba_plus")
        d.user_add(STAFF, "site_staff", ["G01"])
        d.user_add(ADMIN, "ward_admin")
        d.user_add(APPROVER, "contractor")
        srv = harness.Server(d, mail="maildir:" + os.path.join(d.tmp, "mail"),
                             log_dir=d.tmp, on_port=d.set_base_url)
        d.set_base_url(srv.url)  # before the import: the confirmation links use it
        d.import_children(d.write_csv("roster.csv",
                                      [CHILD] + OTHERS + OFFLINE + [PARENT] + MAILVIEW
                                      + [PARENT_SIBLING]))
        # One child's card at a time, the sheet decoded after each: the new code is that
        # child's (zbar does not read a page's codes in layout order).
        codes = []
        for row in [CHILD] + OFFLINE:
            d.card_issue(child=row[0])
            now = harness.decode_qr_codes(d.card_sheet("G01"))
            new = [c for c in now if c not in codes]
            if len(now) != len(codes) + 1 or len(new) != 1:
                return fail("after issuing %s's card the G01 sheet has %d codes (%d new), "
                            "expected %d" % (row[0], len(now), len(new), len(codes) + 1))
            codes.append(new[0])
        token = d.kiosk_add("G01")
        # --- the ward admin's pages (11-ward, 12-reports)
        d.site_add(*WARD_SITE)
        d.import_children(d.write_csv("ward.csv", WARD))
        d.card_issue(child="W001")
        ward_codes = harness.decode_qr_codes(d.card_sheet("G03"))
        if len(ward_codes) != 1:
            return fail("the G03 sheet holds %d codes, expected W001's only" % len(ward_codes))
        ward_kiosk = d.kiosk_add("G03")
        # --- the schools' mass mail
        with open(os.path.join(d.path, "mimamori.conf"), "a", encoding="utf-8") as f:
            f.write("\n[schoolmail]\nsignup_address = %s\nward_name = ブラウザ区教育委員会\n"
                    % SCHOOL_SIGNUP)
        harness.cli_ok("school", "add", "--data", d.path, "--code", SCHOOL[0], "--name",
                       SCHOOL[1], "--kind", "elementary", "--grades", "6", "--classes", "3")
        for login, role in ((SCHOOL_ADMIN, "school_admin"), (SCHOOL_SENDER, "sender")):
            harness.cli_ok("school", "user", "add", "--data", d.path, "--school", SCHOOL[0],
                           "--login", login, "--role", role, "--password-stdin",
                           input=(harness.PASSWORD + "\n").encode())
        school_code = harness.cli_ok("school", "list", "--data", d.path).out.splitlines()[1] \
            .split("\t")[6]
        # --- the bath pass: head office (two, one imports and one approves), a branch counter
        for login, role in ((BATH_OFFICE, "bath_office"), (BATH_OFFICE2, "bath_office"),
                            (BATH_BRANCH, "bath_branch")):
            d.user_add(login, role)
        harness.cli_ok("bathpass", "staff", "--data", d.path, "--login", BATH_BRANCH,
                       "--place", "b03")
        bath_csv = os.path.join(d.tmp, "bath.csv")
        with open(bath_csv, "w", encoding="utf-8") as f:
            f.write(BATH_HEADER + "\n" + "\n".join(",".join(r) for r in BATH_PEOPLE) + "\n")
        harness.cli_ok("import", "residents", "--data", d.path, "--login", BATH_OFFICE, bath_csv)
        harness.cli_ok("import", "approve", "--data", d.path, "--snapshot", "1", "--login",
                       BATH_OFFICE2)
        with open(os.path.join(d.path, "mimamori.conf"), "a", encoding="utf-8") as f:
            f.write("\n[bathpass]\nmax_exclude_percent = 50\n")  # 1 of 3 people leaves
        with open(bath_csv, "w", encoding="utf-8") as f:  # a pending import to review
            f.write(BATH_HEADER + "\n" + "\n".join(",".join(r) for r in BATH_PEOPLE[:-1]) + "\n")
        harness.cli_ok("import", "residents", "--data", d.path, "--login", BATH_OFFICE, bath_csv)
        # --- the babysitter subsidy's four accounts
        for login, role in SITTER_STAFF:
            d.user_add(login, role)
            harness.cli_ok("sitter", "staff", "--data", d.path, "--login", login)
        # ---
        srv.start()
        maildir = os.path.join(d.tmp, "mail")
        mails = harness.wait_until(
            lambda: [m for m in harness.read_maildir(maildir) if CHILD[7] in m.rcpts],
            timeout=30, what="the confirmation mail in the maildir")
        confirm = mails[0].confirm_token
        if not confirm:
            return fail("no confirmation link in the mail")
        pmail = harness.wait_until(
            lambda: [m for m in harness.read_maildir(maildir) if PARENT[7] in m.rcpts],
            timeout=30, what="the B007 guardian's confirmation mail")
        r = harness.Client(srv.port).post("/api/v1/confirmations",
                                          {"token": pmail[0].confirm_token})
        if r.status != 200:
            return fail("confirming the B007 guardian: %r" % r)
        for row in MAILVIEW:
            m = harness.wait_until(
                lambda: [m for m in harness.read_maildir(maildir) if row[7] in m.rcpts],
                timeout=30, what="the %s guardian's confirmation mail" % row[0])
            r = harness.Client(srv.port).post("/api/v1/confirmations",
                                              {"token": m[0].confirm_token})
            if r.status != 200:
                return fail("confirming the %s guardian: %r" % (row[0], r))
        # --- the schools' mass mail: registrants through mail-in and the sign-up API
        for child, guardian, addr, grade, klass in SCHOOL_REGISTRANTS:
            msg = ("From: %s\r\nTo: %s\r\nSubject: %s\r\n\r\n"
                   % (addr, SCHOOL_SIGNUP, school_code)).encode()
            harness.cli_ok("mail-in", "--data", d.path, "--recipient", SCHOOL_SIGNUP, input=msg)
            m = harness.wait_until(
                lambda: [m for m in harness.read_maildir(maildir) if addr in m.rcpts],
                timeout=30, what="the sign-up link to %s" % addr)[0]
            link = m.body.split("/school/signup/#t=")[1].split()[0]
            r = harness.Client(srv.port).post("/api/v1/school/signup", {
                "token": link, "guardian_name": guardian,
                "children": [{"grade": grade, "class": klass, "name": child}]})
            if r.status != 201:
                return fail("registering %s: %r" % (child, r))
        # ---
        control = control_server(srv)
        env = dict(os.environ)
        env.update({
            "MIMAMORI_CONTROL_URL": "http://127.0.0.1:%d" % control.server_address[1],
            "MIMAMORI_OFFLINE_CODES": ",".join(codes[1:]),
            "MIMAMORI_OFFLINE_NAMES": ",".join(r[2] for r in OFFLINE),
            "MIMAMORI_URL": srv.url,
            "MIMAMORI_KIOSK_TOKEN": token,
            "MIMAMORI_CARD_CODE": codes[0],
            "MIMAMORI_CHILD_NAME": CHILD[2],
            "MIMAMORI_STAFF_LOGIN": STAFF,
            "MIMAMORI_STAFF_PASSWORD": harness.PASSWORD,
            "MIMAMORI_SITE_CODE": "G01",
            "MIMAMORI_CONFIRM_TOKEN": confirm,
            "MIMAMORI_MAILDIR": maildir,
            "MIMAMORI_PARENT_EMAIL": PARENT[7],
            "MIMAMORI_PARENT_CHILD_NO": PARENT[0],
            "MIMAMORI_PARENT_CHILD_NAME": PARENT[2],
            "MIMAMORI_PARENT_SIBLING_NO": PARENT_SIBLING[0],
            "MIMAMORI_PARENT_SIBLING_NAME": PARENT_SIBLING[2],
            "MIMAMORI_OTHER_CHILD_NO": OTHERS[0][0],
            "MIMAMORI_ADMIN_LOGIN": ADMIN,
            "MIMAMORI_APPROVER_LOGIN": APPROVER,
            "MIMAMORI_SECOND_SITE_CODE": "G02",
            "MIMAMORI_MAILVIEW_OK_EMAIL": MAILVIEW[0][7],
            "MIMAMORI_MAILVIEW_REFUSED_EMAIL": MAILVIEW[1][7],
            # the ward admin's pages
            "MIMAMORI_WARD_SITE_CODE": WARD_SITE[0],
            "MIMAMORI_WARD_SITE_NAME": WARD_SITE[1],
            "MIMAMORI_WARD_CHILDREN": json.dumps([[r[0], r[2]] for r in WARD],
                                                 ensure_ascii=False),
            "MIMAMORI_WARD_CARD_CODE": ward_codes[0],
            "MIMAMORI_WARD_KIOSK_TOKEN": ward_kiosk,
            # the schools' mass mail
            "MIMAMORI_BIN": harness.BIN,
            "MIMAMORI_DATA": d.path,
            "MIMAMORI_SCHOOL_CODE": SCHOOL[0],
            "MIMAMORI_SCHOOL_NAME": SCHOOL[1],
            "MIMAMORI_SCHOOL_SECURITY_CODE": school_code,
            "MIMAMORI_SCHOOL_SIGNUP": SCHOOL_SIGNUP,
            "MIMAMORI_SCHOOL_ADMIN_LOGIN": SCHOOL_ADMIN,
            "MIMAMORI_SCHOOL_SENDER_LOGIN": SCHOOL_SENDER,
            "MIMAMORI_SCHOOL_REGISTRANTS": json.dumps(SCHOOL_REGISTRANTS, ensure_ascii=False),
            # the bath pass
            "MIMAMORI_BATH_OFFICE_LOGIN": BATH_OFFICE,
            "MIMAMORI_BATH_OFFICE2_LOGIN": BATH_OFFICE2,
            "MIMAMORI_BATH_BRANCH_LOGIN": BATH_BRANCH,
            "MIMAMORI_BATH_PEOPLE": json.dumps([[r[1], r[2]] for r in BATH_PEOPLE],
                                               ensure_ascii=False),
            # the babysitter subsidy
            "MIMAMORI_SITTER_OP_LOGIN": SITTER_STAFF[0][0],
            "MIMAMORI_SITTER_SV_LOGIN": SITTER_STAFF[1][0],
            "MIMAMORI_SITTER_WARD_LOGIN": SITTER_STAFF[2][0],
            "MIMAMORI_SITTER_APPROVER_LOGIN": SITTER_STAFF[3][0],
        })
        print("# server %s, data %s" % (srv.url, d.path))
        sys.stdout.flush()
        cmd = ["node", "--test", "--test-reporter=tap", "--test-concurrency=1"] + files
        p = subprocess.Popen(cmd, cwd=harness.REPO, env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT)
        for line in iter(p.stdout.readline, b""):
            sys.stdout.write(line.decode("utf-8", "replace"))
            sys.stdout.flush()
        try:
            rc = p.wait(timeout=600)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
            return fail("node --test did not finish within 600 s")
        rep = (harness.sanitizer_report(srv.stderr_text()) or "") + control.words.stop()
        if rep:
            print("# sanitizer report from the server:")
            for l in rep.splitlines():
                print("#   " + l)
            print("# fail 1")
            return 1
        return rc
    except Exception as e:  # setup failed: report it the way the runner counts
        return fail("setup failed: %s" % str(e).replace("\n", " | "))
    finally:
        if control:
            control.shutdown()
            control.server_close()
            for r in control.relay:
                r.stop()
            control.words.stop()
        if srv:
            srv.stop()
        data.cleanup()


if __name__ == "__main__":
    sys.exit(main())
