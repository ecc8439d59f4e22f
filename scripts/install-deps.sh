#!/usr/bin/env bash
# install-deps.sh — installs what building, testing and the demo need on Debian 12 (idempotent).
# Usage: scripts/install-deps.sh [build|test|bench]
set -euo pipefail
what=${1:-test}
pkgs=(meson ninja-build pkg-config gcc libc6-dev
      libmicrohttpd-dev libsqlite3-dev libsodium-dev libjansson-dev libcurl4-openssl-dev
      libpq-dev libgmime-3.0-dev libqrencode-dev libcairo2-dev libpango1.0-dev libinih-dev libxlsxwriter-dev
      liboath-dev
      fonts-ipaexfont fonts-noto-cjk sqlite3)
if [ "$what" = test ] || [ "$what" = bench ]; then
  # postfix: its smtp-sink is the pipelining relay of tests/e2e/test_mail_pipelining.py
  # postgresql-15: the second engine every end-to-end test runs on (tests/pg_server.sh)
  # time: run_all.sh reports the processor time of each suite
  pkgs+=(libcmocka-dev python3 python3-aiosmtpd python3-psycopg2 postgresql-15 zbar-tools
        poppler-utils chromium curl postfix time)
  # clamav's clamd and clamdscan: file exchange's virus scan (tests/e2e/test_exchange.py runs a
  # clamd of its own with a signature of the EICAR test string; no signature download)
  pkgs+=(clamav-daemon clamdscan)
  # nginx, systemd (systemd-analyze) and openssl: tests/e2e/test_deploy.py checks deploy/ for
  # real (TLS proxy with a self-signed certificate, the unit verified, postfix check)
  pkgs+=(nginx systemd openssl)
fi
if [ "$what" = bench ]; then
  pkgs+=(wrk time util-linux)
fi
command -v node >/dev/null 2>&1 || pkgs+=(nodejs npm)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
if [ "$what" = test ] && { [ ! -d tests/browser/node_modules/playwright-core ] ||
	[ ! -d tests/browser/node_modules/axe-core ]; }; then
  (cd tests/browser && npm install --no-audit --no-fund --silent)
fi
