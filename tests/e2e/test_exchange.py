# SPDX-License-Identifier: MIT
"""test_exchange.py — secure file exchange (ファイル授受; issue 17 §5) end to end through a real
server and a real SMTP sink: a contractor sends a file to a named member of the ward's staff
through the API and through `mimamori exchange put`; the recipient gets two mails (the link
without the password, the password without the link) and opens the file with its password
through the API and through `mimamori exchange get`; wrong passwords are counted and lock the
file; the size cap answers 413 in JSON; the virus scan (clamav's clamdscan against a clamd of
the test's own, with a signature of the EICAR test string, when clamav is installed; else a
script with clamdscan's exit codes) refuses a file; every upload and download is in the lists
of the sender, the recipient and the ward's administrator; and at the expiry the server's
sweeper destroys the file so that no byte of it, of its ciphertext, of its wrapped key or of its
password is left in the data directory (SQLite: the database file and its WAL; on PostgreSQL
what can be checked: the row and the password's text are gone). Runs on SQLite and PostgreSQL
(engines.py)."""
import datetime
import os
import re
import shutil
import signal
import subprocess
import tempfile
import urllib.parse

import engines
import harness
from harness import ServerTestCase

JST = datetime.timezone(datetime.timedelta(hours=9))
NOW = int(datetime.datetime(2026, 11, 20, 12, 0, tzinfo=JST).timestamp())
API = "/api/v1/exchange"
EICAR = (b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*")
MAX_BYTES = 300000
REPORT = ("家事・育児支援 訪問報告 鶯谷 澄香 様宅 12月3日 食事提供・清掃。"
          "母親は夜ほとんど眠れていないと話していた。").encode("utf-8")


def start_clamd(tmp):
    """A clamd of the test's own (a signature of the EICAR string only); returns (process,
    scan command) or (None, None) when clamav is not installed."""
    if not (shutil.which("clamd") and shutil.which("clamdscan")):
        return None, None
    db = os.path.join(tmp, "db")
    os.makedirs(db)
    with open(os.path.join(db, "test.ndb"), "w") as f:  # the string anywhere in a file
        f.write("Mimamori.Test.EICAR:0:*:%s\n" % EICAR.hex())
    sock = os.path.join(tmp, "clamd.sock")
    conf = os.path.join(tmp, "clamd.conf")
    with open(conf, "w") as f:
        f.write("LocalSocket %s\nDatabaseDirectory %s\nForeground yes\nLogFile %s\n"
                % (sock, db, os.path.join(tmp, "clamd.log")))
    p = subprocess.Popen(["clamd", "--config-file=" + conf], stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    harness.wait_until(lambda: os.path.exists(sock), timeout=60, what="clamd's socket")
    return p, "clamdscan --config-file=%s --no-summary -" % conf


class ExchangeTest(ServerTestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="mimamori-exch-")
        self.now_file = os.path.join(self.tmp, "now")
        self.set_now(NOW)
        self._env_before = os.environ.get("MIMAMORI_FAKE_NOW_FILE")
        os.environ["MIMAMORI_FAKE_NOW_FILE"] = self.now_file
        super().setUp()
        self.clamd, scan = start_clamd(self.tmp)
        if not scan:
            # clamdscan's exit codes: 0 clean, 1 found, 2 an error
            scan = os.path.join(self.tmp, "scan.sh")
            with open(scan, "w") as f:
                f.write("#!/bin/sh\nif grep -q EICAR-STANDARD; then exit 1; fi\nexit 0\n")
            os.chmod(scan, 0o700)
        d = self.data
        with open(os.path.join(d.path, "mimamori.conf"), "a", encoding="utf-8") as f:
            f.write("\n[exchange]\nmax_bytes = %d\nattempts = 3\nsweep_seconds = 1\n"
                    "scan_command = %s\n" % (MAX_BYTES, scan))
        for login, role in (("ct", "contractor"), ("op", "grant_operator"),
                            ("ws", "ward_staff"), ("gs", "grant_staff"), ("adm", "ward_admin")):
            d.user_add(login, role)
        self.start_smtp()
        self.srv = self.start_server()
        self.c = {}
        for login in ("ct", "op", "ws", "gs", "adm"):
            self.c[login] = self.srv.client()
            self.assertEqual(self.c[login].login(login).status, 200)
        # the recipients: one by the administrator's screen, one by the command line
        r = self.c["adm"].post(API + "/recipients", {"login": "ws", "name": "桜台 花子",
                                                     "dept": "子ども家庭支援課",
                                                     "mail": "ws@example.jp"})
        self.assertEqual(r.status, 200, r)
        self.ws_id = r.json["id"]
        harness.cli_ok("exchange", "recipient", "--data", d.path, "--login", "gs", "--name",
                       "江戸川 一郎", "--mail", "gs@example.jp", "--dept", "健康サポート")
        self.gs_id = [x["id"] for x in self.c["op"].get(API + "/recipients").json["recipients"]
                      if x["name"] == "江戸川 一郎"][0]

    def tearDown(self):
        super().tearDown()
        if self.clamd:
            self.clamd.send_signal(signal.SIGTERM)
            self.clamd.wait(timeout=30)
        if self._env_before is None:
            os.environ.pop("MIMAMORI_FAKE_NOW_FILE", None)
        else:
            os.environ["MIMAMORI_FAKE_NOW_FILE"] = self._env_before
        shutil.rmtree(self.tmp, ignore_errors=True)

    def set_now(self, t):
        with open(self.now_file + ".tmp", "w") as f:
            f.write(str(t))
        os.replace(self.now_file + ".tmp", self.now_file)

    def upload(self, who, to, data, name="訪問報告.pdf", days=2, status=201):
        q = urllib.parse.urlencode({"to": to, "days": days, "name": name})
        r = self.c[who].request("POST", API + "/files?" + q, body=data,
                                headers={"Content-Type": "application/pdf"})
        self.assertEqual(r.status, status, r)
        return r

    def mails_of(self, addr, fid):
        """The link mail and the password mail of file fid to addr (waits for both)."""
        subj = ("ファイルが届きました（受付番号 %d）" % fid, "受付番号 %d のパスワード" % fid)
        ms = self.smtp.wait_for(lambda ms: all(any(m.subject == s and addr in m.rcpts
                                                   for m in ms) for s in subj),
                                what="two mails of file %d" % fid)
        link = [m for m in ms if m.subject == subj[0]]
        pw = [m for m in ms if m.subject == subj[1]]
        self.assertEqual((len(link), len(pw)), (1, 1))
        for m in (link[0], pw[0]):  # under the service's own name, not the clubs'
            self.assertEqual(m.msg["From"].addresses[0].display_name, "ファイル授受")
        return link[0], pw[0]

    def password(self, pwmail):
        m = re.search(r"(?m)^ {4}([a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4})\r?$", pwmail.body)
        self.assertIsNotNone(m, pwmail.body)
        return m.group(1)

    def download(self, who, fid, password, status=200):
        r = self.c[who].post(API + "/files/%d/download" % fid, {"password": password})
        self.assertEqual(r.status, status, r)
        return r

    def test_put_get_two_mails_lists_and_expiry(self):
        d = self.data
        fid = self.upload("op", self.ws_id, REPORT).json["id"]
        link, pwmail = self.mails_of("ws@example.jp", fid)
        pw = self.password(pwmail)
        # two mails: the link mail has no password, the password mail no link
        self.assertIn("/exchange/inbox.html", link.body)
        self.assertNotIn(pw, link.body)
        self.assertNotIn("http", pwmail.body)
        self.assertNotIn("訪問報告", link.body + pwmail.body)  # no file name in mail
        self.assertNotEqual(link.msg["Message-ID"], pwmail.msg["Message-ID"])
        # the lists: the sender's and the recipient's; not another member of staff's
        for who in ("op", "ws", "adm"):
            files = self.c[who].get(API + "/files").json["files"]
            self.assertEqual([(f["id"], f["name"], f["size"]) for f in files],
                             [(fid, "訪問報告.pdf", len(REPORT))], who)
        self.assertEqual(self.c["gs"].get(API + "/files").json["files"], [])
        self.assertEqual(self.c["ct"].get(API + "/files").json["files"], [])
        # another member of staff cannot open it, even with the password
        self.download("gs", fid, pw, 404)
        # a wrong password: a clear error, the tries left
        r = self.download("ws", fid, "aaaa-bbbb-cccc", 403)
        self.assertEqual(r.json["code"], "wrong_password")
        self.assertIn("パスワードが違います", r.json["message"])
        self.assertIn("あと 2 回", r.json["message"])
        # the right one, typed in capitals with spaces for dashes (not a wrong try)
        r = self.download("ws", fid, " " + pw.upper().replace("-", " ") + " ")
        self.assertEqual(r.body, REPORT)
        self.assertIn("filename*=UTF-8''%E8%A8%AA", r.header("Content-Disposition"))
        # the events: upload, wrong password, download — the sender's, the recipient's and the
        # administrator's lists; none for another member of staff
        for who in ("op", "ws", "adm"):
            ev = self.c[who].get(API + "/events").json["events"]
            self.assertEqual([e["action"] for e in ev if e["file_id"] == fid],
                             ["download", "wrong_password", "upload"], who)
        self.assertEqual(self.c["gs"].get(API + "/events").json["events"], [])
        # what the database holds of it, to look for after the expiry (on PostgreSQL in the
        # database's own files after a checkpoint, not in the cluster's WAL)
        (body, key), = d.query("SELECT body, file_key FROM ex_files WHERE id = ?", fid)
        body, key = bytes(body), bytes(key)
        needles = {"ciphertext head": body[24:56], "ciphertext tail": body[-32:],
                   "wrapped key": key[-32:], "password": pw.encode(), "plaintext": REPORT[:30]}
        found = [f for f in d.all_files() if body[-32:] in engines.read_bytes(f)
                 and key[-32:] in engines.read_bytes(f)]
        self.assertTrue(found)  # the check below can fail
        # nothing personal in the clear in the data directory (the database's files on
        # PostgreSQL): the recipient's name and mail, the file's name and content
        canaries = ["桜台 花子", "ws@example.jp", "訪問報告.pdf", "鶯谷 澄香", "眠れていない"]
        for f in d.all_files():
            data = engines.read_bytes(f)
            for v in canaries:
                self.assertNotIn(v.encode(), data, "%s in %s" % (v, f))
        # the CLI lists it (no name, no content)
        out = harness.cli_ok("exchange", "list", "--data", d.path, "--login", "ws").out
        self.assertIn("%d\top\tws\t%d\t" % (fid, len(REPORT)), out)
        # another file, kept longer, stays in the table's pages (no empty table to drop)
        self.upload("ct", self.gs_id, b"another report " * 40, days=7)
        # the expiry: two days on, the server's sweeper destroys it
        self.set_now(NOW + 2 * 86400 + 5)
        harness.wait_until(lambda: d.query("SELECT count(*) FROM ex_files")[0][0] == 1,
                           timeout=30, what="the sweeper")
        harness.wait_until(lambda: d.query("SELECT count(*) FROM ex_events WHERE action = "
                                           "'expired'")[0][0] == 1, what="the expiry's event")
        for who in ("ws", "adm"):  # two days on: the sessions ended
            self.assertEqual(self.c[who].login(who).status, 200)
        self.download("ws", fid, pw, 404)
        self.assertEqual(self.c["ws"].get(API + "/files").json["files"], [])
        ev = self.c["adm"].get(API + "/events").json["events"]
        self.assertEqual(ev[0]["action"], "expired")
        self.assertEqual(ev[0]["file_id"], fid)
        # the sweep and its scrub finished (SQLite: a TRUNCATE checkpoint; PostgreSQL: VACUUM
        # FULL of ex_files)
        harness.wait_until(lambda: "exchange: 1 expired files destroyed" in
                           self.srv.stderr_text(), what="the sweep's scrub done")
        self.assertNotIn("exchange: the sweep did not finish", self.srv.stderr_text())

        # no byte of it left: SQLite's database file, WAL and the whole data directory; on
        # PostgreSQL the database's own files (its WAL is the cluster's: docs/architecture.md)
        def where(f):
            """A file's name, and on PostgreSQL the relation whose file it is."""
            name = os.path.basename(f)
            if engines.PG and name.split(".")[0].isdigit():
                rel = d.query("SELECT relname FROM pg_class WHERE relfilenode = ?",
                              int(name.split(".")[0]))
                name += " (%s)" % (rel[0][0] if rel else "no relation now")
            return name

        def left():
            hits = []
            for f in d.all_files():
                data = engines.read_bytes(f)
                hits += ["%s in %s" % (k, where(f)) for k, n in needles.items() if n in data]
            return hits
        # the sweeper's scrub (a TRUNCATE checkpoint) may wait for a reader of ours
        try:
            harness.wait_until(lambda: not left(), timeout=20, what="no byte left")
        except AssertionError:
            pass  # the assertion below names what is left, and where
        self.assertEqual(left(), [])
        if engines.ENGINE == "sqlite":
            self.assertIn(os.path.join(d.path, "mimamori.db"), d.all_files())
        # `mimamori exchange sweep` finds nothing left
        out = harness.cli_ok("exchange", "sweep", "--data", d.path).out
        self.assertIn("0 件", out)

    def test_cli_put_get(self):
        d = self.data
        src = os.path.join(self.tmp, "報告書.txt")
        with open(src, "wb") as f:
            f.write(REPORT)
        out = harness.cli_ok("exchange", "put", "--data", d.path, "--from", "ct", "--to", "gs",
                             "--days", "1", src).out
        fid = int(re.search(r"受付番号 (\d+)", out).group(1))
        self.assertNotIn("-", out.split("受付番号")[1].split("で送り")[0].strip())
        _link, pwmail = self.mails_of("gs@example.jp", fid)
        pw = self.password(pwmail)
        dst = os.path.join(self.tmp, "got.txt")
        r = harness.cli("exchange", "get", "--data", d.path, "--login", "gs", "--id", str(fid),
                        "--out", dst, input=b"wrong-pass-word\n")
        self.assertEqual(r.rc, 1)
        self.assertIn("パスワードが違います", r.err)
        harness.cli_ok("exchange", "get", "--data", d.path, "--login", "gs", "--id", str(fid),
                       "--out", dst, input=(pw + "\n").encode())
        with open(dst, "rb") as f:
            self.assertEqual(f.read(), REPORT)
        # the API opens it too; the ward's staff who is not its recipient cannot
        self.assertEqual(self.download("gs", fid, pw).body, REPORT)
        r = harness.cli("exchange", "get", "--data", d.path, "--login", "ws", "--id", str(fid),
                        "--out", dst, input=(pw + "\n").encode())
        self.assertEqual(r.rc, 1)
        # someone who does not send cannot put
        r = harness.cli("exchange", "put", "--data", d.path, "--from", "ws", "--to", "gs",
                        "--days", "1", src)
        self.assertEqual(r.rc, 1)
        out = harness.cli_ok("exchange", "list", "--data", d.path, "--events").out
        self.assertIn("\tupload\tct\tgs\t", out)
        self.assertIn("\tdownload\tct\tgs\t", out)
        # put without --from was 「 は送れるアカウント…」; numbers that are not; a file not there
        for args, says in ((["--to", "gs", "--days", "1", src], "使い方"),
                           (["--from", "ct", "--to", "gs", "--days", "abc", src],
                            "--days は1以上の数で書いてください（abc）"),
                           (["--from", "ct", "--to", "gs", "--days", "40", src],
                            "保存期間は1〜14日で指定してください"),
                           (["--from", "ct", "--to", "gs", "--days", "1",
                             os.path.join(self.tmp, "ない.txt")],
                            "ない.txt を読めません（そのファイルはありません）")):
            r = harness.cli("exchange", "put", "--data", d.path, *args)
            self.assertNotEqual(r.rc, 0, args)
            self.assertIn(says, r.err.splitlines()[0], args)
        # taking a recipient off needs only the login (the guide's command); its files stay
        harness.cli_ok("exchange", "recipient", "--data", d.path, "--login", "gs", "--stop")
        self.assertNotIn(self.gs_id, [x["id"] for x in self.c["op"].get(
            API + "/recipients").json["recipients"]])
        r = harness.cli("exchange", "recipient", "--data", d.path, "--login", "ct", "--stop")
        self.assertEqual(r.rc, 1)
        self.assertIn("受け取りに登録されていません", r.err)

    def test_size_scan_lock_withdraw(self):
        # the size cap: 413 with a JSON error
        r = self.upload("op", self.ws_id, b"x" * (MAX_BYTES + 1), status=413)
        self.assertEqual(r.json["code"], "file_too_large")
        self.assertIn("大きすぎます", r.json["message"])
        self.upload("op", self.ws_id, b"x" * MAX_BYTES)
        # the virus scan refuses the EICAR test file; the refusal is recorded
        r = self.upload("ct", self.ws_id, b"report\n" + EICAR + b"\n", status=400)
        self.assertEqual(r.json["code"], "virus_found")
        self.assertIn("ウイルス", r.json["message"])
        ev = self.c["adm"].get(API + "/events").json["events"]
        self.assertEqual((ev[0]["action"], ev[0]["file_id"], ev[0]["sender"]),
                         ("refused", None, "ct"))
        # a bad expiry, no recipient, a recipient who is not one
        self.upload("op", self.ws_id, REPORT, days=15, status=400)
        self.upload("op", 0, REPORT, status=400)
        self.upload("op", self.c_id("op"), REPORT, status=400)
        # wrong passwords lock the file (attempts = 3): then not even the right one opens it
        fid = self.upload("op", self.ws_id, REPORT).json["id"]
        pw = self.password(self.mails_of("ws@example.jp", fid)[1])
        self.download("ws", fid, "x", 403)
        self.download("ws", fid, "y", 403)
        r = self.download("ws", fid, "z", 429)
        self.assertEqual(r.json["code"], "file_locked")
        r = self.download("ws", fid, pw, 429)
        self.assertIn("開けなくなりました", r.json["message"])
        self.assertTrue(self.c["op"].get(API + "/files").json["files"][0]["locked"])
        # its sender withdraws it; a recipient cannot
        self.assertEqual(self.c["ws"].request("DELETE", API + "/files/%d" % fid).status, 403)
        self.assertEqual(self.c["ct"].request("DELETE", API + "/files/%d" % fid).status, 404)
        r = self.c["op"].request("DELETE", API + "/files/%d" % fid)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.data.query("SELECT count(*) FROM ex_files WHERE id = ?", fid),
                         [(0,)])
        self.assertEqual(self.data.audit_verify().rc, 0)

    def c_id(self, login):
        return self.data.query("SELECT id FROM users WHERE login = ?", login)[0][0]
