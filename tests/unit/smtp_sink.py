#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""smtp_sink.py — a test SMTP server: stores each accepted message in OUTDIR.

Usage: smtp_sink.py PORT OUTDIR [--defer-once ADDR]... [--reject ADDR]...
Each message goes to OUTDIR/N.eml with a first line "X-Rcpt: <addr>" per envelope recipient.
--defer-once answers 451 to RCPT for ADDR the first time, --reject always answers 550.
Every EHLO appends a line to OUTDIR/sessions, every RCPT its raw argument to
OUTDIR/rcpt_raw; OUTDIR/ready appears once listening.
"""
import argparse
import asyncio
import os
import signal

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP


class RawLogSMTP(SMTP):
    """Logs each RCPT argument as sent on the wire (handlers only see it parsed)."""

    async def smtp_RCPT(self, arg):
        with open(os.path.join(self.event_handler.outdir, "rcpt_raw"), "a",
                  encoding="utf-8") as f:
            f.write("%s\n" % arg)
        return await super().smtp_RCPT(arg)


class SinkController(Controller):
    def factory(self):
        return RawLogSMTP(self.handler, **self.SMTP_kwargs)


class Sink:
    def __init__(self, outdir, defer_once, reject):
        self.outdir = outdir
        self.defer_once = set(defer_once)
        self.reject = set(reject)
        self.count = 0

    def _session(self):
        with open(os.path.join(self.outdir, "sessions"), "a", encoding="utf-8") as f:
            f.write("ehlo\n")

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        self._session()
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.reject:
            return "550 5.1.1 <%s>: user unknown" % address
        if address in self.defer_once:
            self.defer_once.discard(address)
            return "451 4.3.0 <%s>: try again later" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        tmp = os.path.join(self.outdir, "%d.tmp" % self.count)
        with open(tmp, "wb") as f:
            for r in envelope.rcpt_tos:
                f.write(b"X-Rcpt: <" + r.encode() + b">\r\n")
            f.write(envelope.original_content)
        os.rename(tmp, os.path.join(self.outdir, "%d.eml" % self.count))
        return "250 2.0.0 queued"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("port", type=int)
    ap.add_argument("outdir")
    ap.add_argument("--defer-once", action="append", default=[])
    ap.add_argument("--reject", action="append", default=[])
    a = ap.parse_args()
    ctl = SinkController(Sink(a.outdir, a.defer_once, a.reject), hostname="127.0.0.1", port=a.port)
    ctl.start()
    open(os.path.join(a.outdir, "ready"), "w").close()
    signal.sigwait([signal.SIGTERM, signal.SIGINT])
    ctl.stop()


if __name__ == "__main__":
    signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGTERM, signal.SIGINT])
    main()
