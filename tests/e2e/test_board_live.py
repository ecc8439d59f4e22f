# SPDX-License-Identifier: MIT
"""test_board_live.py — the staff board kept in memory and its live updates (issue 18), end to
end against a real server (SQLite, and PostgreSQL with MIMAMORI_TEST_PG), the clock moved by a
file (MIMAMORI_FAKE_NOW_FILE):

- the alerts thread passes over a site when nothing changed and no threshold passed
  (/metrics counts its checks), and checks it when the clock passes arrival + grace;
- every kind of write shows on the next poll: a pickup person, a weekly plan, an absence
  notice, the clock passing arrival + grace (the not-arrived alert), a card scan, a check-out
  to the pickup person, the site's settings, and a row written by another process;
- a poll with the ETag it was given gets 304 with that ETag while nothing changed, and 200
  with another after each change (never a 304 of old data);
- Server-Sent Events: a subscriber gets `event: board` after a kiosk's scan, and the board it
  then reads shows the scan; another site's staff and a kiosk are refused the stream;
- two servers on one PostgreSQL database: a scan on one shows on the other's board (a poll
  with the old ETag gets 200) and reaches a subscriber of the other."""
import datetime
import http.client
import json
import queue
import threading
import time
import unittest

import engines
import harness
from harness import ServerTestCase

JST = datetime.timezone(datetime.timedelta(hours=9))
A = "live.parent@example.jp"
ROWS = [
    ["L001", "G01", "髙橋 𠮷男", "タカハシ ヨシオ", "1", "2019-04-02", "髙橋 花子", A],
    ["L002", "G01", "髙橋 花音", "タカハシ カノン", "3", "2017-05-03", "髙橋 花子", A],
    ["L003", "G02", "佐藤 三郎", "サトウ サブロウ", "2", "2018-07-05", "佐藤 良子",
     "live.other@example.jp"],
]
DAY = "2026-11-30"  # a Monday


def at(hh, mm, day=DAY):
    y, m, d = map(int, day.split("-"))
    return int(datetime.datetime(y, m, d, hh, mm, tzinfo=JST).timestamp())


class Events:
    """A Server-Sent Events subscriber on its own connection: each event as (name, data, time
    it arrived) in self.q."""

    def __init__(self, port, path, cookie=None, bearer=None):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        h = {"Accept": "text/event-stream"}
        if cookie:
            h["Cookie"] = cookie
        if bearer:
            h["Authorization"] = "Bearer " + bearer
        self.conn.request("GET", path, headers=h)
        self.sock = self.conn.sock
        self.resp = self.conn.getresponse()
        self.status = self.resp.status
        self.headers = dict((k.lower(), v) for k, v in self.resp.getheaders())
        self.q = queue.Queue()
        if self.status == 200:
            self.t = threading.Thread(target=self._read, daemon=True)
            self.t.start()
        else:
            self.body = self.resp.read()
            self.conn.close()

    def _read(self):
        name, data = "message", []
        try:
            while True:
                line = self.resp.fp.readline()
                if not line:
                    break
                line = line.decode("utf-8").rstrip("\r\n")
                if line == "":
                    if data:
                        self.q.put((name, "\n".join(data), time.monotonic()))
                    name, data = "message", []
                elif line.startswith("event:"):
                    name = line[6:].strip()
                elif line.startswith("data:"):
                    data.append(line[5:].strip())
        except (OSError, ValueError):
            pass
        self.q.put(("closed", "", time.monotonic()))

    def next(self, timeout=10.0):
        return self.q.get(timeout=timeout)

    def close(self):
        try:
            self.sock.shutdown(2)
        except OSError:
            pass
        self.sock.close()
        self.conn.close()


class BoardLiveTest(ServerTestCase):
    def setUp(self):
        super().setUp()
        self.use_file_clock(at(9, 0))
        d = self.data
        d.site_add("G01", "すみれ学童クラブ")
        d.site_add("G02", "ひろばプラス桜", "hiroba_plus")
        harness.cli_ok("site", "set", "G01", "--data", d.path, "--arrival", "14:00", "--grace",
                       "30")
        d.user_add("staff01", "site_staff", ["G01"])
        d.user_add("staff02", "site_staff", ["G02"])
        d.user_add("admin", "ward_admin")
        d.import_children(d.write_csv("roster.csv", ROWS))
        d.card_issue(child="L001")
        self.code = harness.decode_qr_codes(d.card_sheet("G01"))[0]
        self.kiosk_token = d.kiosk_add("G01")
        self.smtp = self.start_smtp()
        self.srv = self.start_server(env={"MIMAMORI_ALERT_INTERVAL_MS": "100"})
        mails = self.smtp.wait_count(2)
        web = self.srv.client()
        for m in mails:
            if A in m.rcpts:
                self.assertEqual(web.post("/api/v1/confirmations",
                                          {"token": m.confirm_token}).status, 200)

    def set_time(self, hh, mm, day=DAY):
        self.set_clock(at(hh, mm, day))

    def guardian(self):
        return self.guardian_sign_in(A)[0]

    def staff(self, login="staff01", srv=None):
        c = (srv or self.srv).client()
        self.assertEqual(c.login(login).status, 200)
        return c

    def poll(self, staff, etag, site="G01"):
        """GET the board with If-None-Match etag: (status, new etag, json or None)."""
        r = staff.get("/api/v1/sites/%s/board" % site, headers={"If-None-Match": etag})
        return r.status, r.header("ETag"), (r.json if r.status == 200 else None)

    def changed(self, staff, etag, what):
        """The board after a change: a poll with the old ETag must get 200 and a new ETag,
        and a poll with the new one 304 carrying it."""
        status, new, board = self.poll(staff, etag)
        self.assertEqual(status, 200, "a poll after %s got %d" % (what, status))
        self.assertNotEqual(new, etag, what)
        status, same, body = self.poll(staff, new)
        self.assertEqual((status, same), (304, new), what)
        return new, board

    def alert_checks(self):
        """The server's alert checks so far: {"checked": n, "quiet": n} from /metrics."""
        r = self.srv.client().get("/metrics")
        self.assertEqual(r.status, 200, r)
        out = {}
        for line in r.body.decode().splitlines():
            if line.startswith("mimamori_alert_site_checks_total{"):
                out[line.split('"')[1]] = int(line.split()[-1])
        return out

    @staticmethod
    def row(board, child_no):
        return next(c for c in board["children"] if c["child_no"] == child_no)

    def test_every_write_shows_and_304_only_while_unchanged(self):
        staff = self.staff()
        r = staff.board("G01")
        self.assertEqual(r.status, 200, r)
        etag = r.header("ETag")
        self.assertTrue(etag and etag.startswith('"') and etag.endswith('"'), etag)
        self.assertEqual(r.header("Cache-Control"), "no-store")
        self.assertEqual(self.row(r.json, "L001")["status"], "off")
        # Nothing changed: 304 with the same ETag, no body; a list and W/ are understood.
        status, same, _ = self.poll(staff, etag)
        self.assertEqual((status, same), (304, etag))
        r = staff.get("/api/v1/sites/G01/board", headers={"If-None-Match": '"x", W/' + etag})
        self.assertEqual((r.status, r.body), (304, b""))
        self.assertEqual(self.poll(staff, '"b1-other"')[0], 200)
        # Another site's ETag is no use here, and another site's writes do not move this one.
        other = self.staff("staff02")
        status, etag2, _ = self.poll(other, etag, "G02")
        self.assertEqual(status, 200)
        self.assertNotEqual(etag2, etag)

        # A pickup person (a guardian's write).
        g = self.guardian()
        r = g.post("/api/v1/parent/children/L001/pickups", {"name": "髙橋 花子", "relation": "母"})
        self.assertEqual(r.status, 201, r)
        mother = r.json["id"]
        etag, board = self.changed(staff, etag, "a new pickup person")
        self.assertEqual([p["name"] for p in self.row(board, "L001")["pickups"]], ["髙橋 花子"])
        self.assertEqual(self.poll(other, etag2, "G02")[0], 304)  # G02 did not move

        # A weekly plan: L001 expected on Mondays, picked up by 母; L002 too.
        r = g.request("PUT", "/api/v1/parent/children/L001/weekly",
                      {"mon": {"leave": "17:00", "way_home": "pickup", "pickup_id": mother}})
        self.assertEqual(r.status, 200, r)
        etag, board = self.changed(staff, etag, "a weekly plan")
        self.assertEqual(self.row(board, "L001")["status"], "expected")
        self.assertEqual(self.row(board, "L001")["plan"]["pickup"]["name"], "髙橋 花子")
        r = g.request("PUT", "/api/v1/parent/children/L002/weekly",
                      {"mon": {"leave": "16:00", "way_home": "alone"}})
        self.assertEqual(r.status, 200, r)
        etag, board = self.changed(staff, etag, "a second weekly plan")

        # An absence notice for L002 today.
        r = g.request("PUT", "/api/v1/parent/children/L002/days/" + DAY,
                      {"status": "absent", "reason": "発熱"})
        self.assertEqual(r.status, 200, r)
        etag, board = self.changed(staff, etag, "an absence notice")
        self.assertEqual((self.row(board, "L002")["status"],
                          self.row(board, "L002")["absence_reason"]), ("absent", "発熱"))
        self.assertEqual(board["counts"]["absent"], 1)

        # The clock passes arrival + grace: the alerts thread raises not_arrived, the board
        # follows without any request having written.
        self.set_time(14, 29)
        staff = self.staff()  # the morning's session went idle
        status, etag, board = self.poll(staff, etag)
        self.assertEqual(status, 200)  # another minute, "now" moved
        self.assertEqual(board["now"], "14:29")
        time.sleep(0.5)
        self.assertEqual(self.poll(staff, etag)[0], 304)  # nothing due yet
        # Nothing written and no threshold passed: the alerts thread passes both sites over
        # (each turn used to read every child of every site).
        m1 = harness.wait_until(lambda: (lambda m: m if m["quiet"] > 0 else None)(
            self.alert_checks()), what="a quiet turn")
        time.sleep(0.6)  # ~6 turns
        m2 = self.alert_checks()
        self.assertEqual(m2["checked"], m1["checked"], (m1, m2))
        self.assertGreaterEqual(m2["quiet"] - m1["quiet"], 4, (m1, m2))
        self.set_time(14, 30)
        board = harness.wait_until(
            lambda: (lambda b: b if b["alerts"] else None)(staff.board("G01").json),
            what="the not-arrived alert on the board")
        self.assertGreater(self.alert_checks()["checked"], m2["checked"])  # the threshold
        self.assertEqual(self.row(board, "L001")["status"], "not_arrived")
        self.assertEqual(board["alerts"][0]["due_at"], "14:30")
        etag = staff.board("G01").header("ETag")

        # Server-Sent Events: a subscriber hears of the scan.
        ev = Events(self.srv.port, "/api/v1/sites/G01/board/events", cookie=staff.cookie)
        try:
            self.assertEqual(ev.status, 200)
            self.assertTrue(ev.headers["content-type"].startswith("text/event-stream"))
            self.assertEqual(ev.headers.get("x-accel-buffering"), "no")
            name, data, _ = ev.next()
            self.assertEqual(name, "board")  # the version now
            first = json.loads(data)["version"]
            kiosk = self.srv.client(kiosk_token=self.kiosk_token)
            r = kiosk.scan(self.code)
            self.assertEqual((r.status, r.json["direction"]), (200, "in"), r)
            answered = time.monotonic()
            while True:
                name, data, when = ev.next()
                if name == "board" and json.loads(data)["version"] != first:
                    break
            self.assertLess(when - answered, 5.0)  # a hang guard; the bench measures it
            etag, board = self.changed(staff, etag, "a card scan")
            self.assertEqual(self.row(board, "L001")["status"], "present")
            self.assertEqual(board["alerts"], [])  # the entry cleared the alert

            # A check-out to the pickup person (staff's write); the subscriber hears of it too.
            r = staff.post("/api/v1/sites/G01/checkouts",
                           {"child_no": "L001", "pickup_id": mother})
            self.assertEqual(r.status, 200, r)
            name, data, _ = ev.next()
            self.assertEqual(name, "board")
            etag, board = self.changed(staff, etag, "a check-out")
            self.assertEqual(self.row(board, "L001")["status"], "left")
            self.assertEqual(self.row(board, "L001")["collected_by"]["name"], "髙橋 花子")
        finally:
            ev.close()

        # The site's settings (the ward admin's PATCH).
        admin = self.staff("admin")
        r = admin.request("PATCH", "/api/v1/sites/G01", {"closes": "18:30"})
        self.assertEqual(r.status, 200, r)
        etag, board = self.changed(staff, etag, "the site's settings")
        self.assertEqual(board["site"]["closes"], "18:30")

        # A row written by another process (here SQL straight into the database, as a
        # command or a second server would): the triggers bump the counter all the same.
        self.data.execute("UPDATE children SET grade = 5 WHERE child_no = 'L002'")
        etag, board = self.changed(staff, etag, "a write by another process")
        self.assertEqual(self.row(board, "L002")["grade"], 5)

        # The once-a-minute audit of board reads is as it was: one entry a minute per caller
        # and site, 304s included in that minute.
        n = self.data.query("SELECT COUNT(*) FROM audit WHERE action = 'board.read'")[0][0]
        self.assertGreater(n, 0)
        self.set_time(15, 1)
        staff = self.staff()
        n = self.data.query("SELECT COUNT(*) FROM audit WHERE action = 'board.read'")[0][0]
        for _ in range(3):
            self.poll(staff, etag)
        n2 = self.data.query("SELECT COUNT(*) FROM audit WHERE action = 'board.read'")[0][0]
        self.assertEqual(n2, n + 1)
        # A read more than a minute after the last audited one is audited again: the entry is
        # on the disk when the answer comes, names its reader and counts the children listed.
        # (15:03: the entry of 15:01 was made a moment after the clock was set, so 15:02 may
        # still be within its 60 s.)
        self.set_time(15, 3)
        self.data.execute("UPDATE children SET grade = 6 WHERE child_no = 'L002'")
        status, etag, board = self.poll(staff, etag)
        self.assertEqual(status, 200)
        self.assertEqual(self.row(board, "L002")["grade"], 6)
        actor, detail = self.data.query(
            "SELECT actor, detail FROM audit WHERE action = 'board.read' ORDER BY id DESC "
            "LIMIT 1")[0]
        self.assertEqual(actor, "user:%d" % self.data.query(
            "SELECT id FROM users WHERE login = 'staff01'")[0][0])
        self.assertEqual(detail, "children=%d" % len(board["children"]))
        self.assertEqual(self.data.query(
            "SELECT COUNT(*) FROM audit WHERE action = 'board.read'")[0][0], n2 + 1)

    def test_counter_bumped_once_a_transaction_on_postgresql(self):
        """Many rows of one site written in one transaction move its counter: on PostgreSQL
        once (sql/0040: a row's every UPDATE left a version no one could prune before the
        commit — a roster import was quadratic), on SQLite once a row (0034, in place); a
        savepoint rolled back takes its bump back, and the next write bumps again."""
        def version(site="G01"):
            return self.data.query("SELECT board_version FROM sites WHERE code = ?", site)[0][0]
        v0, other0 = version(), version("G02")
        with engines.connect(self.data.path) as db:
            for grade in (2, 3, 4):
                db.execute("UPDATE children SET grade = ? WHERE child_no IN ('L001', 'L002')",
                           (grade,))
            db.execute("SAVEPOINT s1")
            db.execute("UPDATE children SET grade = 5 WHERE child_no = 'L003'")  # G02
            db.execute("ROLLBACK TO SAVEPOINT s1")
            db.execute("UPDATE children SET grade = 6 WHERE child_no = 'L003'")
        self.assertEqual(version() - v0, 1 if engines.PG else 6)
        self.assertEqual(version("G02") - other0, 1)
        # The next transaction bumps again (the mark lasted only its transaction).
        self.data.execute("UPDATE children SET grade = 1 WHERE child_no = 'L001'")
        self.assertEqual(version() - v0, 2 if engines.PG else 7)

    def test_events_roles_and_limit(self):
        staff2 = self.staff("staff02")
        ev = Events(self.srv.port, "/api/v1/sites/G01/board/events", cookie=staff2.cookie)
        self.assertEqual(ev.status, 403)
        self.assertIn("message", json.loads(ev.body))
        ev = Events(self.srv.port, "/api/v1/sites/G01/board/events", bearer=self.kiosk_token)
        self.assertEqual(ev.status, 403)
        ev = Events(self.srv.port, "/api/v1/sites/G01/board/events")
        self.assertEqual(ev.status, 401)
        # The cap on subscribers: a server allowing 2 refuses the third (the page then polls).
        self.srv.stop()
        srv = self.start_server(env={"MIMAMORI_BOARD_SUBSCRIBERS": "2",
                                     "MIMAMORI_BOARD_PING_MS": "200"})
        staff = self.staff(srv=srv)
        subs = [Events(srv.port, "/api/v1/sites/G01/board/events", cookie=staff.cookie)
                for _ in range(2)]
        try:
            self.assertEqual([s.status for s in subs], [200, 200])
            third = Events(srv.port, "/api/v1/sites/G01/board/events", cookie=staff.cookie)
            self.assertEqual(third.status, 429)
            self.assertEqual(json.loads(third.body)["code"], "board_events_full")
            # A subscriber that leaves frees its place (found at the next ping or event).
            subs[0].close()
            kiosk = srv.client(kiosk_token=self.kiosk_token)
            self.assertEqual(kiosk.scan(self.code).status, 200)
            def reopened():
                e = Events(srv.port, "/api/v1/sites/G01/board/events", cookie=staff.cookie)
                if e.status == 200:
                    return e
                return None
            again = harness.wait_until(reopened, timeout=10, interval=0.3,
                                       what="a place freed by a subscriber that left")
            again.close()
        finally:
            for s in subs:
                s.close()
        # The server stops with subscribers connected (streams ended, nothing left suspended).
        last = Events(srv.port, "/api/v1/sites/G01/board/events", cookie=staff.cookie)
        self.assertIn(last.status, (200, 429))
        self.assertEqual(srv.stop(), 0)
        last.close()

    @unittest.skipUnless(engines.PG, "two servers share a database on PostgreSQL only")
    def test_second_server_write_shows(self):
        other = self.start_server(env={"MIMAMORI_ALERT_INTERVAL_MS": "100"})
        staff = self.staff()
        r = staff.board("G01")
        etag = r.header("ETag")
        self.assertEqual(self.poll(staff, etag)[0], 304)
        ev = Events(self.srv.port, "/api/v1/sites/G01/board/events", cookie=staff.cookie)
        try:
            first = json.loads(ev.next()[1])["version"]
            # The scan goes to the other server.
            kiosk = other.client(kiosk_token=self.kiosk_token)
            r = kiosk.scan(self.code)
            self.assertEqual(r.status, 200, r)
            while True:
                name, data, _ = ev.next()
                if name == "board" and json.loads(data)["version"] != first:
                    break
            status, _etag, board = self.poll(staff, etag)
            self.assertEqual(status, 200)
            self.assertEqual(self.row(board, "L001")["status"], "present")
        finally:
            ev.close()


if __name__ == "__main__":
    unittest.main()
