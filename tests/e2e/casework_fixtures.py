"""casework_fixtures.py — checks shared by the end-to-end tests of the services on the platform's
casework layer (test_youth.py, test_centre.py): every account signed in, the handover export sealed with a passphrase and
recorded in the ledger, read back by `mimamori ledger open`, and the CLI's handover as an
account that may not reach the case (refused, no file) and as one that may (sealed, in the
ledger)."""

import os

import harness


def sign_in(t, srv, data, accounts):
    """Signs in each (login, role) of accounts on srv; returns their clients by login and the
    accounts' ids by login."""
    clients = {}
    for login, _role in accounts:
        c = srv.client()
        t.assertEqual(c.login(login).status, 200)
        clients[login] = c
    return clients, dict(data.query("SELECT login, id FROM users"))


def handover_web(t, client, url, passphrase, name):
    """Asks for the handover at url with too short a passphrase (400 bad_passphrase), then with
    passphrase: asserts a sealed box without name in it; returns the response."""
    r = client.post(url, {"passphrase": "short"})
    t.assertEqual((r.status, r.json["code"]), (400, "bad_passphrase"))
    r = client.post(url, {"passphrase": passphrase})
    t.assertEqual(r.status, 200, r)
    t.assertTrue(r.body.startswith(b"MMPASS1\n"))
    t.assertNotIn(name.encode(), r.body)
    return r


def handover_read_back(t, data, body, passphrase):
    """Writes the sealed body to a file, checks that a wrong passphrase opens nothing and
    returns the text the right one opens."""
    box = os.path.join(data.tmp, "handover.mmbox")
    with open(box, "wb") as fh:
        fh.write(body)
    out = os.path.join(data.tmp, "handover.json")
    bad = harness.cli("ledger", "open", "--in", box, "--out", out,
                      input=b"wrong passphrase!!\n", engine=False)
    t.assertNotEqual(bad.rc, 0)
    t.assertIn("パスフレーズが違う", bad.err)
    t.assertFalse(os.path.exists(out))
    harness.cli_ok("ledger", "open", "--in", box, "--out", out,
                   input=(passphrase + "\n").encode(), engine=False)
    with open(out, encoding="utf-8") as fh:
        return fh.read()


def handover_cli(t, data, service, outsider, insider, number, reason, passphrase):
    """The CLI's handover of case number: as outsider refused (no file), as insider with reason
    written; the service's ledger then holds two handovers (the web's and this one)."""
    box = os.path.join(data.tmp, "cli.mmbox")
    r = harness.cli(service, "handover", "--data", data.path, "--login", outsider,
                    "--case", number, "--reason", "見たい", "--out", box,
                    input=(passphrase + "\n").encode())
    t.assertNotEqual(r.rc, 0)
    t.assertFalse(os.path.exists(box))
    # a handover discloses the case: its reason is always asked for
    r = harness.cli(service, "handover", "--data", data.path, "--login", insider,
                    "--case", number, "--reason", "", "--out", box,
                    input=(passphrase + "\n").encode())
    t.assertEqual(r.rc, 2, r.err)
    t.assertIn("引き継ぎの理由（--reason）を入力してください", r.err)
    t.assertFalse(os.path.exists(box))
    harness.cli_ok(service, "handover", "--data", data.path, "--login", insider,
                   "--case", number, "--reason", reason, "--out", box,
                   input=(passphrase + "\n").encode())
    t.assertTrue(os.path.exists(box))
    rows = data.query("SELECT service FROM ledger")
    t.assertEqual(sum(1 for (s,) in rows if s == service), 2)


def erase_service(t, srv, data, service, versions, tables):
    """The note versions (table versions, non-empty) refuse a DELETE from any connection, the
    rows kept; then the service is erased at its contract's end through the ward
    administrators' API (asked by admin, confirmed by admin2, both signed in on srv): every row of
    tables goes, the versions with them, the certificate's counts name them, no purge mark is
    left behind and the audit chain verifies."""
    before = data.query("SELECT count(*) FROM %s" % versions)[0][0]
    t.assertGreater(before, 0)
    with t.assertRaises(Exception) as refused:
        data.execute("DELETE FROM %s" % versions)
    t.assertIn("append-only", str(refused.exception))
    t.assertEqual(data.query("SELECT count(*) FROM %s" % versions), [(before,)])
    admin, admin2 = srv.client(), srv.client()
    t.assertEqual(admin.login("admin").status, 200)
    t.assertEqual(admin2.login("admin2").status, 200)
    r = admin.post("/api/v1/erasures", {"service": service})
    t.assertEqual(r.status, 201, r)
    r = admin2.post("/api/v1/erasures/%d/confirm" % r.json["id"], {})
    t.assertEqual(r.status, 200, r)
    for table in tables + [versions]:
        t.assertEqual(data.query("SELECT count(*) FROM %s" % table), [(0,)], table)
    done = [e for e in admin.get("/api/v1/erasures").json["erasures"] if e["state"] == "done"]
    t.assertEqual([e["counts"][versions] for e in done], [before])
    t.assertEqual(data.query("SELECT count(*) FROM purge_marks"), [(0,)])
    t.assertEqual(data.audit_verify().rc, 0)
