#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""run_browser.py — the driver of the browser tests (tests/browser/*.test.mjs): creates a fresh
data directory (site G01 with exactly one child, so the card sheet holds one code whose child
is known), starts `mimamori serve` on a free port with the maildir transport, runs
`node --test --test-reporter=tap` on the test files with the MIMAMORI_* variables set, streams
node's output, stops the server and exits with node's exit code.

Not a unittest module (its name does not match test_*.py)."""
import glob
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

CHILD = ["B001", "G01", "髙橋 𠮷男", "ﾀｶﾊｼ ﾖｼｵ", "2", "2017-05-03", "髙橋 花子",
         "browser.parent@example.jp"]
OTHERS = [["B002", "G02", "山﨑 次郎", "ヤマサキ ジロウ", "3", "2016-06-04", "山﨑 一",
           "browser.parent2@example.jp"],
          ["B003", "G02", "佐藤 三郎", "サトウ サブロウ", "1", "2018-07-05", "佐藤 良子",
           "taro..yamada.@docomo.ne.jp"]]
STAFF = "staff01"


def fail(msg):
    print("# " + msg)
    print("# pass 0")
    print("# fail 1")
    sys.stdout.flush()
    return 1


def main():
    files = sorted(glob.glob(os.path.join(harness.REPO, "tests", "browser", "*.test.mjs")))
    if not files:
        return fail("no tests/browser/*.test.mjs files yet")
    data = harness.DataDir()
    srv = None
    try:
        d = data
        d.site_add("G01", "すみれ学童クラブ")
        d.site_add("G02", "ひろばプラス桜", "hiroba_plus")
        d.user_add(STAFF, "site_staff", ["G01"])
        srv = harness.Server(d, mail="maildir:" + os.path.join(d.tmp, "mail"),
                             log_dir=d.tmp)
        d.set_base_url(srv.url)  # before the import: the confirmation links use it
        d.import_children(d.write_csv("roster.csv", [CHILD] + OTHERS))
        d.card_issue(site="G01")
        codes = harness.decode_qr_codes(d.card_sheet("G01"))
        if len(codes) != 1:
            return fail("expected one QR code on the G01 sheet, got %d" % len(codes))
        token = d.kiosk_add("G01")
        srv.start()
        maildir = os.path.join(d.tmp, "mail")
        mails = harness.wait_until(
            lambda: [m for m in harness.read_maildir(maildir) if CHILD[7] in m.rcpts],
            timeout=30, what="the confirmation mail in the maildir")
        confirm = mails[0].confirm_token
        if not confirm:
            return fail("no confirmation link in the mail")
        env = dict(os.environ)
        env.update({
            "MIMAMORI_URL": srv.url,
            "MIMAMORI_KIOSK_TOKEN": token,
            "MIMAMORI_CARD_CODE": codes[0],
            "MIMAMORI_CHILD_NAME": CHILD[2],
            "MIMAMORI_STAFF_LOGIN": STAFF,
            "MIMAMORI_STAFF_PASSWORD": harness.PASSWORD,
            "MIMAMORI_SITE_CODE": "G01",
            "MIMAMORI_CONFIRM_TOKEN": confirm,
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
        rep = harness.sanitizer_report(srv.stderr_text())
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
        if srv:
            srv.stop()
        data.cleanup()


if __name__ == "__main__":
    sys.exit(main())
