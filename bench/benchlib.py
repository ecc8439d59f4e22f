"""benchlib.py — what the service benchmarks (bench/bathpass.py, sitter.py, plaza.py) share: a
timed run of the program, a server on a data directory up when /healthz answers, and a staff
session's cookie on a keep-alive connection. Not a benchmark itself."""
import http.client
import json
import os
import re
import subprocess
import sys
import time


def run(*args, stdin=None):
    """Runs args (stdin: bytes or None); exits the benchmark naming it when it fails. Returns
    (seconds, stdout as text)."""
    t = time.monotonic()
    r = subprocess.run(args, input=stdin, capture_output=True)
    dt = time.monotonic() - t
    if r.returncode != 0:
        sys.exit("failed: %s\n%s" % (" ".join(args), r.stderr.decode()))
    return dt, r.stdout.decode()


def serve(binary, data, port, tries=200, env=None):
    """Starts `mimamori serve` of binary on data at 127.0.0.1:port (its output dropped) and
    waits until /healthz answers 200 (at most tries times 50 ms and a connection each). Returns
    the process; the caller terminates it."""
    srv = subprocess.Popen([binary, "serve", "--data", data, "--listen", "127.0.0.1:%d" % port],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    for _ in range(tries):
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            c.request("GET", "/healthz")
            if c.getresponse().status == 200:
                break
        except OSError:
            time.sleep(0.05)
    return srv


def session_cookie(c, login, password):
    """Signs login in on the connection c; returns its session cookie ("name=value")."""
    c.request("POST", "/api/v1/session", body=json.dumps({"login": login, "password": password}),
              headers={"Content-Type": "application/json"})
    r = c.getresponse()
    r.read()
    return r.getheader("Set-Cookie").split(";")[0]


def second_factor_optional(data):
    """Sets [server] admin_second_factor = optional in data's mimamori.conf (`mimamori init`
    writes required): a benchmark's administrator signs in with the password, as on the demo
    ward; the code step is tests/e2e/test_totp.py's, not a throughput's."""
    conf = os.path.join(data, "mimamori.conf")
    with open(conf, encoding="utf-8") as f:
        text = f.read()
    text, n = re.subn(r"(?m)^admin_second_factor\s*=.*$", "admin_second_factor = optional", text)
    if n != 1:
        sys.exit("failed: %s has no admin_second_factor line" % conf)
    with open(conf, "w", encoding="utf-8") as f:
        f.write(text)
