#!/usr/bin/env bash
# run_all.sh — runs every test (unit, end-to-end, browser, fuzz corpora) against the sanitizer
# build and ends with one line "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
export MIMAMORI_BIN=${MIMAMORI_BIN:-$PWD/build-san/mimamori}
export LSAN_OPTIONS="suppressions=$PWD/tests/unit/lsan.supp:print_suppressions=0"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
PY=/usr/bin/python3
log=$(mktemp -d)
passed=0
failed=0
add() { passed=$((passed + $1)); failed=$((failed + $2)); }

echo "== unit tests (cmocka, ASan+UBSan)"
for t in build-san/test_*; do
  [ -f "$t" ] && [ -x "$t" ] || continue
  name=$(basename "$t")
  out="$log/$name.log"
  timeout 600 "$t" >"$out" 2>&1
  rc=$?
  p=$(grep -oE '\[  PASSED  \] [0-9]+' "$out" | grep -oE '[0-9]+$' | tail -1)
  f=$(grep -oE '\[  FAILED  \] [0-9]+ test' "$out" | grep -oE '[0-9]+' | tail -1)
  p=${p:-0}; f=${f:-0}
  if [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
  echo "  $name: $p passed, $f failed"
  [ "$f" -eq 0 ] || sed 's/^/    /' "$out" | tail -40
  add "$p" "$f"
done

echo "== end-to-end tests (real server, real SMTP)"
out="$log/e2e.log"
timeout 1200 $PY -m unittest discover -s tests/e2e -p 'test_*.py' -v >"$out" 2>&1
rc=$?
ran=$(grep -oE '^Ran [0-9]+ test' "$out" | grep -oE '[0-9]+' | tail -1); ran=${ran:-0}
fails=$(grep -oE 'failures=[0-9]+' "$out" | grep -oE '[0-9]+' | tail -1); fails=${fails:-0}
errs=$(grep -oE 'errors=[0-9]+' "$out" | grep -oE '[0-9]+' | tail -1); errs=${errs:-0}
skips=$(grep -oE 'skipped=[0-9]+' "$out" | grep -oE '[0-9]+' | tail -1); skips=${skips:-0}
bad=$((fails + errs))
if [ $rc -ne 0 ] && [ $bad -eq 0 ]; then bad=1; fi
grep -E '\.\.\. (ok|FAIL|ERROR|skipped)' "$out" | sed 's/^/  /'
[ $bad -eq 0 ] || sed 's/^/    /' "$out" | tail -80
add $((ran - fails - errs - skips)) "$bad"

echo "== browser tests (Chromium)"
out="$log/browser.log"
timeout 900 $PY tests/e2e/run_browser.py >"$out" 2>&1
rc=$?
p=$(grep -oE '^# pass [0-9]+' "$out" | grep -oE '[0-9]+$' | tail -1); p=${p:-0}
f=$(grep -oE '^# fail [0-9]+' "$out" | grep -oE '[0-9]+$' | tail -1); f=${f:-0}
if [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
grep -E '^(ok|not ok)' "$out" | sed 's/^/  /'
[ "$f" -eq 0 ] || sed 's/^/    /' "$out" | tail -60
add "$p" "$f"

rm -rf "$log"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
