# SPDX-License-Identifier: MIT
"""test_style.py — the house rules that a script can hold: no banned C calls, no SQL built
from strings, the layers' library boundaries (only src/store includes sqlite3.h and libpq-fe.h
and runs SQL text without parameters, only src/vault sodium.h, only src/http microhttpd.h), and
the service rule: the platform includes no service, a service includes no other service, and
only src/services.c names the services."""
import os
import re
import unittest

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
SRC = os.path.join(ROOT, "src")

BANNED = re.compile(r"\b(sprintf|vsprintf|strcpy|strcat|strtok|atoi|atol|gets|system)\s*\(")
SQL_FORMAT = re.compile(r"sqlite3_mprintf|snprintf\([^;]*(SELECT|INSERT|UPDATE|DELETE)")
# Running SQL text as it is (no parameters) is the store's own business: BEGIN, COMMIT,
# SAVEPOINT, the migrations (store_exec is how the rest of the program asks for it).
RAW_SQL = re.compile(r"\b(sqlite3_exec|PQexec|PQexecParams|PQsendQuery)\s*\(")
BOUNDARIES = {"sqlite3.h": "store", "libpq-fe.h": "store", "sodium.h": "vault",
              "microhttpd.h": "http"}
# The platform's folders; every other folder of src/ is a service (its own personal-information
# file). Files directly in src/ are the platform too, except the one that composes the services.
PLATFORM = {"base", "store", "vault", "auth", "http", "mail", "doc", "bulk", "ledger", "app",
            "grant", "casework"}
COMPOSER = "services.c"
INCLUDE = re.compile(r'^\s*#\s*include\s*"([^"]+)"', re.M)


def layer_problems(files):
    """The service rule over files ({path relative to src/: text}): a platform file including a
    service's header, a service including another service's, or a file other than
    src/services.c including any service's. Returns the problems, one line each."""
    bad = []
    for path, text in files.items():
        parts = path.split(os.sep) if os.sep in path else path.split("/")
        owner = parts[0] if len(parts) > 1 else None
        for inc in INCLUDE.findall(text):
            folder = inc.split("/")[0] if "/" in inc else None
            if folder is None or folder in PLATFORM:
                continue  # a platform header, or one of src/ itself (app.h, cli.h …)
            if owner is None and path == COMPOSER:
                continue  # the one place that names the services
            if owner is None or owner in PLATFORM:
                bad.append("%s (platform) includes the service header %s" % (path, inc))
            elif folder != owner:
                bad.append("%s (service %s) includes another service's header %s"
                           % (path, owner, inc))
    return bad


def c_files():
    for base, _, names in os.walk(SRC):
        for n in names:
            if n.endswith((".c", ".h")):
                p = os.path.join(base, n)
                with open(p, encoding="utf-8") as f:
                    yield os.path.relpath(p, SRC), f.read()


def strip_comments(text):
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    return re.sub(r'"(\\.|[^"\\])*"', '""', text)


class StyleTest(unittest.TestCase):
    def test_no_banned_calls(self):
        bad = ["%s: %s" % (p, m.group(0)) for p, t in c_files()
               for m in BANNED.finditer(strip_comments(t))]
        self.assertEqual(bad, [])

    def test_no_sql_from_strings(self):
        bad = [p for p, t in c_files() if SQL_FORMAT.search(t)]
        self.assertEqual(bad, [])

    def test_raw_sql_only_in_the_store(self):
        bad = [p for p, t in c_files()
               if RAW_SQL.search(strip_comments(t)) and not p.startswith("store" + os.sep)]
        self.assertEqual(bad, [])

    def test_layer_boundaries(self):
        bad = []
        for p, t in c_files():
            for header, layer in BOUNDARIES.items():
                if re.search(r"#include\s*<%s>" % re.escape(header), t) and \
                        not p.startswith(layer + os.sep):
                    bad.append("%s includes <%s> (only src/%s/ may)" % (p, header, layer))
        self.assertEqual(bad, [])

    def test_services_and_the_platform(self):
        self.assertEqual(layer_problems(dict(c_files())), [])

    def test_the_service_rule_catches(self):
        """The check above must fail on what it forbids (and pass on what it allows)."""
        join = os.path.join
        cases = {
            join("attendance", "x.c"): '#include "schoolmail/registrants.h"\n',
            join("bulk", "y.c"): '#include "attendance/attendance.h"\n',
            join("mail", "z.c"): '#  include "schoolmail/service.h"\n',
            "main.c": '#include "attendance/service.h"\n',
            "routes.c": '#include "schoolmail/api.h"\n',
        }
        bad = layer_problems(cases)
        self.assertEqual(len(bad), 5, bad)
        self.assertTrue(any("another service" in b for b in bad), bad)
        fine = {
            join("attendance", "x.c"): '#include "attendance/plan.h"\n#include "bulk/bulk.h"\n',
            join("schoolmail", "y.c"): '#include "app.h"\n#include "schoolmail/x.h"\n',
            "services.c": '#include "attendance/service.h"\n#include "schoolmail/service.h"\n',
            join("bulk", "z.c"): '#include "mail/mail.h"\n#include <stdio.h>\n',
        }
        self.assertEqual(layer_problems(fine), [])

    def test_every_file_says_what_it_is_for(self):
        bad = [p for p, t in c_files()
               if not t.startswith("/* SPDX-License-Identifier:")]
        self.assertEqual(bad, [])


if __name__ == "__main__":
    unittest.main()
