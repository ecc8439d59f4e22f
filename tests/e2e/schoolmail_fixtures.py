# SPDX-License-Identifier: MIT
"""schoolmail_fixtures.py — helpers of the schools' mass mail tests (test_schoolmail*.py and the
browser driver): settings, schools, empty mails handed to `mimamori mail-in` as Postfix's pipe
would, and the links in the replies."""
import email.header
import os
import re
import uuid

import harness

SIGNUP = "touroku@school.example.jp"
ALERTS = "ward-alerts@example.jp"
LEAN = os.path.join(os.path.dirname(harness.BIN), "mimamori-mail-in")


def configure(data, **extra):
    """Appends a [schoolmail] section (the sign-up address, the ward's alert mailbox)."""
    with open(os.path.join(data.path, "mimamori.conf"), "a", encoding="utf-8") as f:
        f.write("\n[schoolmail]\nsignup_address = %s\nalert_email = %s\n"
                "ward_name = 試験区教育委員会\n" % (SIGNUP, ALERTS))
        for k, v in extra.items():
            f.write("%s = %s\n" % (k, v))


def school_add(data, code, name, kind="elementary", grades=6, classes=3):
    return harness.cli_ok("school", "add", "--data", data.path, "--code", code, "--name", name,
                          "--kind", kind, "--grades", str(grades), "--classes", str(classes))


# `school list`'s Japanese header, by the keys the tests use.
SCHOOL_LIST_HEAD = {"コード": "code", "名称": "name", "種別": "kind", "種別名": "kind_label",
                    "学年数": "grades", "学級数": "classes", "確認コード": "security_code",
                    "登録数": "registrants"}


def schools(data):
    """`school list` as {code: row dict}."""
    lines = harness.cli_ok("school", "list", "--data", data.path).out.splitlines()
    head = [SCHOOL_LIST_HEAD[h] for h in lines[0].split("\t")]
    return {r[0]: dict(zip(head, r)) for r in (l.split("\t") for l in lines[1:])}


def security_code(data, code):
    return schools(data)[code]["security_code"]


def empty_mail(frm, subject="", to=SIGNUP, headers=()):
    """An empty mail as a phone sends it (subject RFC 2047-encoded when not ASCII)."""
    subj = email.header.Header(subject, "utf-8").encode() if subject else ""
    lines = ["From: %s" % frm, "To: %s" % to, "Subject: %s" % subj,
             "Date: Mon, 06 Apr 2026 09:00:00 +0900",
             "Message-ID: <%s@phone.example.jp>" % uuid.uuid4().hex,
             "MIME-Version: 1.0", "Content-Type: text/plain; charset=UTF-8"] + list(headers)
    return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8")


def mail_in(data, frm, subject="", rcpt=SIGNUP, to=None, headers=(), lean=False, env=None):
    """Hands one empty mail to mail-in as Postfix's pipe does (envelope recipient rcpt);
    returns the CliResult."""
    msg = empty_mail(frm, subject, to or rcpt, headers)
    args = ["--data", data.path] + (["--recipient", rcpt] if rcpt else [])
    if lean:
        r = run_lean(args, msg, env)
    else:
        r = harness.cli("mail-in", *args, input=msg, env=env)
    if r.rc != 0:
        raise AssertionError("mail-in failed: %r" % r)
    return r


def run_lean(args, msg, env):
    import subprocess
    full = dict(os.environ)
    full.update(env or {})
    p = subprocess.run([LEAN] + args, input=msg, capture_output=True, timeout=60, env=full)
    r = harness.CliResult(args, p.returncode, p.stdout.decode("utf-8", "replace"),
                          p.stderr.decode("utf-8", "replace"))
    rep = harness.sanitizer_report(r.err)
    if rep:
        raise AssertionError("sanitizer report from mimamori-mail-in:\n" + rep)
    return r


SIGNUP_LINK = re.compile(r"(https?://\S+)/school/signup/#t=([A-Za-z0-9_-]+)")
MANAGE_LINK = re.compile(r"(https?://\S+)/school/manage/#t=([0-9]+-[0-9]+-[0-9a-f]+)")
EDIT_LINK = re.compile(r"(https?://\S+)/school/edit/#t=([A-Za-z0-9_-]+)")


def token_in(mail, pattern):
    m = pattern.search(mail.body)
    return m.group(2) if m else None


def outbox_count(data):
    return data.query("SELECT COUNT(*) FROM outbox")[0][0]
