# SPDX-License-Identifier: MIT
"""test_style.py — the house rules that a script can hold: no banned C calls, no SQL built
from strings, and the layers' library boundaries (only src/store includes sqlite3.h, only
src/vault sodium.h, only src/http microhttpd.h)."""
import os
import re
import unittest

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
SRC = os.path.join(ROOT, "src")

BANNED = re.compile(r"\b(sprintf|vsprintf|strcpy|strcat|strtok|atoi|atol|gets|system)\s*\(")
SQL_FORMAT = re.compile(r"sqlite3_mprintf|PQexec\(|snprintf\([^;]*(SELECT|INSERT|UPDATE|DELETE)")
BOUNDARIES = {"sqlite3.h": "store", "sodium.h": "vault", "microhttpd.h": "http"}


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

    def test_layer_boundaries(self):
        bad = []
        for p, t in c_files():
            for header, layer in BOUNDARIES.items():
                if re.search(r"#include\s*<%s>" % re.escape(header), t) and \
                        not p.startswith(layer + os.sep):
                    bad.append("%s includes <%s> (only src/%s/ may)" % (p, header, layer))
        self.assertEqual(bad, [])

    def test_every_file_says_what_it_is_for(self):
        bad = [p for p, t in c_files()
               if not t.startswith("/* SPDX-License-Identifier:")]
        self.assertEqual(bad, [])


if __name__ == "__main__":
    unittest.main()
