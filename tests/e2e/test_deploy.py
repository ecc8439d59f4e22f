# SPDX-License-Identifier: MIT
"""test_deploy.py — deploy/ checked for real (issue 19): nginx with deploy/nginx/mimamori.conf
(a self-signed certificate made with openssl, 127.0.0.1 on free ports) in front of a test
mimamori server: curl over HTTPS gets the pages with HSTS, a sign-in whose session cookie is
Secure and HttpOnly, plain HTTP redirected, /metrics not served through the proxy (and refused
by mimamori itself for a forwarded request); `systemd-analyze verify` accepts the unit without a
word and `systemd-analyze security` rates it well, while a misspelt setting is reported;
`postfix check` and `postconf` accept the master.cf and main.cf lines in a scratch
configuration directory (with the transport maps built by postmap), and an unknown parameter
is reported; logrotate accepts its file. A tool that is missing skips its test, saying which."""
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import unittest

import harness
from harness import ServerTestCase

DEPLOY = os.path.join(harness.REPO, "deploy")
HOST = "mimamori.example.jp"


def need(*tools):
    missing = [t for t in tools if not shutil.which(t)]
    if missing:
        raise unittest.SkipTest("not installed: %s (scripts/install-deps.sh test installs them)"
                                % ", ".join(missing))


def run(args, **kw):
    return subprocess.run(args, capture_output=True, text=True, timeout=120, **kw)


class SystemdUnitTest(unittest.TestCase):
    def setUp(self):
        need("systemd-analyze")
        self.tmp = tempfile.mkdtemp(prefix="mimamori-unit-")
        with open(os.path.join(DEPLOY, "systemd", "mimamori.service"), encoding="utf-8") as f:
            # the binary must exist for verify: the one under test
            self.text = f.read().replace("/usr/local/bin/mimamori", harness.BIN)

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def unit(self, text):
        path = os.path.join(self.tmp, "mimamori.service")
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return path

    def test_unit_verifies_and_is_hardened(self):
        for key in ("User=mimamori", "ProtectSystem=strict", "NoNewPrivileges=yes",
                    "PrivateTmp=yes", "StateDirectory=mimamori", "ProtectHome=yes",
                    "CapabilityBoundingSet=\n"):
            self.assertIn(key, self.text)
        path = self.unit(self.text)
        r = run(["systemd-analyze", "verify", "--man=no", path])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotIn("mimamori.service", r.stderr, r.stderr)  # no warning about it
        r = run(["systemd-analyze", "security", "--offline=true", path])
        m = re.search(r"Overall exposure level for mimamori.service: ([0-9.]+)", r.stdout)
        self.assertTrue(m, r.stdout + r.stderr)
        self.assertLess(float(m.group(1)), 2.5, r.stdout)

    def test_a_misspelt_setting_is_reported(self):
        path = self.unit(self.text.replace("ProtectSystem=strict", "ProtectSystem=strictly")
                         .replace("NoNewPrivileges=yes", "NoNewPrivilege=yes"))
        r = run(["systemd-analyze", "verify", "--man=no", path])
        self.assertIn("protect system value, ignoring: strictly", r.stderr)
        self.assertIn("NoNewPrivilege", r.stderr)


class PostfixTest(unittest.TestCase):
    def setUp(self):
        need("postfix", "postconf", "postmap")
        self.dir = tempfile.mkdtemp(prefix="mimamori-postfix-")
        for name in ("main.cf", "master.cf"):
            shutil.copy(os.path.join("/etc/postfix", name), self.dir)
        for name in ("transport", "relay_recipients"):
            shutil.copy(os.path.join(DEPLOY, "postfix", name), self.dir)
            r = run(["postmap", "hash:" + os.path.join(self.dir, name)])
            self.assertEqual(r.returncode, 0, r.stderr)
        with open(os.path.join(DEPLOY, "postfix", "main.cf"), encoding="utf-8") as f:
            main = f.read().replace("/etc/postfix/", self.dir + "/")
        with open(os.path.join(DEPLOY, "postfix", "master.cf"), encoding="utf-8") as f:
            master = f.read()
        with open(os.path.join(self.dir, "main.cf"), "a", encoding="utf-8") as f:
            f.write("\n" + main)
        with open(os.path.join(self.dir, "master.cf"), "a", encoding="utf-8") as f:
            f.write("\n" + master)

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def test_snippets_pass_postfix_check(self):
        r = run(["postfix", "-c", self.dir, "check"])
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertNotIn("warning", r.stdout + r.stderr)
        r = run(["postconf", "-c", self.dir, "-n"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotIn("warning", r.stderr)  # e.g. "unused parameter"
        self.assertIn("mimamori_destination_recipient_limit = 1", r.stdout)
        r = run(["postconf", "-c", self.dir, "-M", "mimamori/unix", "mimamori-signup/unix"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertRegex(r.stdout, r"(?m)^mimamori\s+unix\s+-\s+n\s+n\s+-\s+4\s+pipe flags=Rq "
                                   r"user=mimamori argv=/usr/local/bin/mimamori mail-in")
        self.assertRegex(r.stdout, r"(?m)^mimamori-signup\s+unix.*argv=/usr/local/bin/"
                                   r"mimamori-mail-in --data")
        # the transport map sends VERP addresses to the pipe
        r = run(["postmap", "-q", "bounces@bounces.mimamori.example.jp",
                 "hash:" + os.path.join(self.dir, "transport")])
        self.assertEqual(r.stdout.strip(), "mimamori:")

    def test_an_unknown_parameter_is_reported(self):
        with open(os.path.join(self.dir, "main.cf"), "a", encoding="utf-8") as f:
            f.write("mimamori_destinaton_recipient_limit = 1\n")
        r = run(["postconf", "-c", self.dir, "-n"])
        self.assertIn("unused parameter: mimamori_destinaton_recipient_limit", r.stderr)


class LogrotateTest(unittest.TestCase):
    def test_logrotate_accepts_the_file(self):
        need("logrotate")
        import grp
        import pwd
        tmp = tempfile.mkdtemp(prefix="mimamori-logrotate-")
        try:
            with open(os.path.join(DEPLOY, "logrotate", "mimamori"), encoding="utf-8") as f:
                text = f.read()
            user = pwd.getpwuid(os.getuid()).pw_name
            group = grp.getgrgid(os.getgid()).gr_name
            text = text.replace("/var/log/mimamori", tmp).replace(
                "su mimamori mimamori", "su %s %s" % (user, group))
            conf = os.path.join(tmp, "mimamori.logrotate")
            with open(conf, "w", encoding="utf-8") as f:
                f.write(text)
            os.chmod(conf, 0o644)
            with open(os.path.join(tmp, "serve.log"), "w") as f:
                f.write("x\n")
            r = run(["logrotate", "-d", "-f", "-s", os.path.join(tmp, "state"), conf])
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertNotIn("error", r.stdout + r.stderr)
            self.assertIn("copying %s/serve.log" % tmp, r.stdout + r.stderr)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


class NginxTest(ServerTestCase):
    """nginx with deploy/nginx/ in front of a mimamori server, over HTTPS."""

    def setUp(self):
        need("nginx", "openssl", "curl")
        super().setUp()
        self.tmp = self.data.tmp
        os.chmod(self.tmp, 0o755)  # nginx's workers read the prefix
        self.cert = os.path.join(self.tmp, "cert.pem")
        self.key = os.path.join(self.tmp, "key.pem")
        r = run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                 "-subj", "/CN=" + HOST, "-addext", "subjectAltName=DNS:" + HOST,
                 "-keyout", self.key, "-out", self.cert])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.https, self.http = harness.free_port(), harness.free_port()
        self.data.site_add("G01", "みどり学童クラブ")
        self.data.user_add("staff1", "site_staff", ["G01"])
        conf = os.path.join(self.data.path, "mimamori.conf")
        with open(conf, encoding="utf-8") as f:
            text = f.read()
        text = text.replace("secure_cookies = 0", "secure_cookies = 1").replace(
            "; trusted_proxies = 127.0.0.1", "trusted_proxies = 127.0.0.1")
        with open(conf, "w", encoding="utf-8") as f:
            f.write(text)
        self.srv = self.start_server()
        self.data.set_base_url("https://%s:%d" % (HOST, self.https))
        self.srv.stop()
        self.srv.start()
        self.nginx = self.start_nginx()

    def start_nginx(self):
        prefix = os.path.join(self.tmp, "nginx")
        os.makedirs(os.path.join(prefix, "logs"), exist_ok=True)
        with open(os.path.join(DEPLOY, "nginx", "mimamori.conf"), encoding="utf-8") as f:
            site = f.read()
        site = (site.replace("server 127.0.0.1:8080;", "server 127.0.0.1:%d;" % self.srv.port)
                .replace("    listen [::]:80;\n", "").replace("    listen [::]:443 ssl http2;\n", "")
                .replace("listen 80;", "listen 127.0.0.1:%d;" % self.http)
                .replace("listen 443 ssl http2;", "listen 127.0.0.1:%d ssl http2;" % self.https)
                .replace("/etc/letsencrypt/live/mimamori.example.jp/fullchain.pem", self.cert)
                .replace("/etc/letsencrypt/live/mimamori.example.jp/privkey.pem", self.key)
                .replace("/var/log/nginx/", prefix + "/logs/")
                .replace("include mimamori_proxy.conf;",
                         "include %s;" % os.path.join(DEPLOY, "nginx", "mimamori_proxy.conf")))
        self.assertNotIn("server 127.0.0.1:8080", site)
        with open(os.path.join(prefix, "site.conf"), "w", encoding="utf-8") as f:
            f.write(site)
        conf = os.path.join(prefix, "nginx.conf")
        with open(conf, "w", encoding="utf-8") as f:
            f.write("worker_processes 1;\npid %s/nginx.pid;\nerror_log %s/logs/error.log;\n"
                    "events { worker_connections 256; }\n"
                    "http {\n  access_log %s/logs/access.log;\n"
                    "  client_body_temp_path %s/body;\n  proxy_temp_path %s/proxy;\n"
                    "  include %s/site.conf;\n}\n" % ((prefix,) * 6))
        r = run(["nginx", "-t", "-p", prefix, "-c", conf])
        self.assertEqual(r.returncode, 0, r.stderr)
        p = subprocess.Popen(["nginx", "-p", prefix, "-c", conf, "-g", "daemon off;"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                             start_new_session=True)
        self.addCleanup(self.stop_nginx, p)
        harness.wait_until(lambda: self.curl("/healthz", check=False)[0] == 200 or
                           p.poll() is not None, what="nginx")
        self.assertIsNone(p.poll(), p.stderr.read().decode() if p.stderr else "")
        return p

    def stop_nginx(self, p):
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGQUIT)
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()

    def curl(self, path, method="GET", body=None, check=True, scheme="https", headers=()):
        port = self.https if scheme == "https" else self.http
        args = ["curl", "-sS", "-o", "-", "-D", os.path.join(self.tmp, "headers"),
                "-w", "\n%{http_code}", "--max-time", "20",
                "--resolve", "%s:%d:127.0.0.1" % (HOST, port), "--cacert", self.cert,
                "-X", method]
        for h in headers:
            args += ["-H", h]
        if body is not None:
            args += ["-H", "Content-Type: application/json", "--data-binary", json.dumps(body)]
        args.append("%s://%s:%d%s" % (scheme, HOST, port, path))
        r = run(args)
        if check:
            self.assertEqual(r.returncode, 0, r.stderr)
        if r.returncode != 0:
            return 0, {}, ""
        text, _, code = r.stdout.rpartition("\n")
        hdrs = {}
        with open(os.path.join(self.tmp, "headers"), encoding="latin-1") as f:
            for line in f:
                k, sep, v = line.partition(":")
                if sep:
                    hdrs.setdefault(k.strip().lower(), []).append(v.strip())
        return int(code), hdrs, text

    def test_tls_hsts_secure_cookies(self):
        code, h, text = self.curl("/")
        self.assertEqual(code, 200)
        self.assertIn("max-age=63072000", h["strict-transport-security"][0])
        self.assertIn("見守り", text)
        origin = "Origin: https://%s:%d" % (HOST, self.https)
        code, h, text = self.curl("/api/v1/session", "POST",
                                  {"login": "staff1", "password": harness.PASSWORD},
                                  headers=[origin])
        self.assertEqual(code, 200, text)
        cookie = [c for c in h["set-cookie"] if c.startswith("mimamori_session=")][0]
        self.assertIn("; Secure", cookie)
        self.assertIn("HttpOnly", cookie)
        self.assertIn("SameSite=Strict", cookie)
        self.assertIn("strict-transport-security", h)
        # the client's address came through X-Real-IP: the sign-in's audit names no proxy
        # problem, and the API answers JSON errors through the proxy too
        code, h, text = self.curl("/api/v1/users")
        self.assertEqual((code, json.loads(text)["code"]), (401, "sign_in_required"))
        # plain HTTP only redirects
        code, h, _ = self.curl("/staff/", scheme="http")
        self.assertEqual(code, 301)
        self.assertEqual(h["location"][0], "https://%s/staff/" % HOST)

    def test_metrics_not_through_the_proxy(self):
        code, _h, _t = self.curl("/metrics")
        self.assertEqual(code, 404)
        # directly on loopback: served
        r = self.srv.client().get("/metrics")
        self.assertEqual(r.status, 200)
        self.assertIn("mimamori_http_requests_total", r.text)


class MetricsAccessTest(ServerTestCase):
    """/metrics answers loopback (not forwarded) or [http] metrics_token only."""

    TOKEN = "m3tr1cs-" + "a7" * 16

    def test_loopback_or_token(self):
        with open(os.path.join(self.data.path, "mimamori.conf"), "a", encoding="utf-8") as f:
            f.write("\n[http]\nmetrics_token = %s\n" % self.TOKEN)
        srv = self.start_server()
        c = srv.client()
        r = c.get("/metrics")
        self.assertEqual(r.status, 200)
        self.assertIn("mimamori_http_requests_total", r.text)
        for h in ({"X-Real-IP": "203.0.113.9"}, {"X-Forwarded-For": "203.0.113.9"}):
            r = c.get("/metrics", headers=h)
            self.assertEqual((r.status, r.json["code"]), (404, "not_found"), r)
        r = c.get("/metrics", headers={"Authorization": "Bearer wrong-token",
                                        "X-Real-IP": "203.0.113.9"})
        self.assertEqual((r.status, r.json["code"]), (401, "bad_metrics_token"), r)
        self.assertIn("トークン", r.json["message"])
        r = c.get("/metrics", headers={"Authorization": "Bearer " + self.TOKEN,
                                        "X-Real-IP": "203.0.113.9"})
        self.assertEqual(r.status, 200, r)

    def test_no_token_configured(self):
        srv = self.start_server()
        r = srv.client().get("/metrics", headers={"Authorization": "Bearer anything-at-all"})
        self.assertEqual((r.status, r.json["code"]), (401, "bad_metrics_token"), r)


if __name__ == "__main__":
    unittest.main()
