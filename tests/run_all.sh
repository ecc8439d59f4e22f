#!/usr/bin/env bash
# run_all.sh — runs every test (unit, end-to-end, browser, fuzz corpora) against the sanitizer
# build, independent suites side by side, and ends with one line "N passed, N failed".
#
# Each unit-test binary, each end-to-end module (tests/e2e/test_*.py) and each half of the
# browser run (the clubs' files, the other services') are separate jobs, MIMAMORI_TEST_JOBS at a time (default 8: most of a test's time is spent waiting
# on a server, an SMTP peer or a fsync, not on a core). Every job has its own data directory,
# ports and log; the results are printed in a fixed order once all have finished.
#
# Every end-to-end module runs twice, as two jobs: on SQLite (the default engine) and on
# PostgreSQL — a throwaway server this script starts in a temporary directory
# (tests/pg_server.sh: initdb as an unprivileged user, a free port on 127.0.0.1) and stops at
# the end; each data directory a test makes gets a database of its own on it
# (tests/e2e/engines.py). Unit and browser tests run on SQLite only.
set -uo pipefail
cd "$(dirname "$0")/.."
export MIMAMORI_BIN=${MIMAMORI_BIN:-$PWD/build-san/mimamori}
export LSAN_OPTIONS="suppressions=$PWD/tests/unit/lsan.supp:print_suppressions=0"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export PY=/usr/bin/python3
# New password hashes at the test suite's cost (still Argon2id: 1 MiB, one pass; see
# docs/architecture.md "Tests"): at the production cost they were a fifth of the run.
export MIMAMORI_PASSWORD_COST=test
jobs=${MIMAMORI_TEST_JOBS:-8}
log=$(mktemp -d)
export log
pg_dir=
cleanup() {
	[ -z "$pg_dir" ] || tests/pg_server.sh stop "$pg_dir"
	rm -rf "$log"
}
trap cleanup EXIT

# The PostgreSQL the second run of the end-to-end tests uses.
pg_failed=0
if pg=$(tests/pg_server.sh start 2>"$log/pg-start.log"); then
	read -r pg_dir pg_port <<<"$pg"
	export MIMAMORI_TEST_PG_URL="postgresql://mimamori@127.0.0.1:$pg_port"
	export MIMAMORI_TEST_PG_SERVER_DIR="$pg_dir"
else
	pg_failed=1
fi

# The browser test files of one half: "clubs" (files numbered below 20 or from 90) or
# "services" (20 to 89).
browser_files() {
	local f n
	for f in tests/browser/*.test.mjs; do
		n=$(basename "$f")
		n=${n%%-*}
		if [ "$1" = services ]; then
			[ "$n" -ge 20 ] && [ "$n" -lt 90 ] && echo "$f"
		else
			{ [ "$n" -lt 20 ] || [ "$n" -ge 90 ]; } && echo "$f"
		fi
	done
}
export -f browser_files

# The end-to-end modules whose PostgreSQL run gets a server of its own, as a ward's database has
# in production. test_retention scrubs tables with VACUUM FULL, which waits until no transaction
# of the cluster is older than its deletions (src/store/pg.c, pg_scrub): on the server every
# other suite shares it waited for their transactions turn after turn (its run took 18 minutes,
# the whole run's longest path).
export OWN_PG_SUITES="test_retention"

# One job: "kind name". Writes $log/<kind>-<name>.{log,rc,secs} (a unit binary and an e2e
# module may share a name).
run_job() {
	local kind=$1 name=$2 out="$log/$1-$2.log" t0 rc
	# The processor time the job and everything it started took (user + system), so that the
	# report shows where the run's time goes on a machine with few cores.
	local cpu=(/usr/bin/time -f "%U %S" -o "$log/$1-$2.cpu")
	[ -x /usr/bin/time ] || cpu=()
	t0=$(date +%s)
	case $kind in
	unit) "${cpu[@]}" timeout 600 "build-san/$name" >"$out" 2>&1 ;;
	e2e | e2e_pg)
		# test_attacks times answers to the second under 3,000 slow connections: its
		# server runs ahead of the other suites' load (as root; otherwise as it is).
		local prio=() pg= pgdir=
		[ "$name" = test_attacks ] && nice -n -10 true 2>/dev/null && prio=(nice -n -10)
		[ "$kind" = e2e_pg ] && pg=$MIMAMORI_TEST_PG_URL pgdir=$MIMAMORI_TEST_PG_SERVER_DIR
		local own_pg=
		if [ "$kind" = e2e_pg ] && [[ " $OWN_PG_SUITES " == *" $name "* ]] &&
			own_pg=$(tests/pg_server.sh start 2>>"$out.pg"); then
			read -r pgdir pg <<<"$own_pg"
			pg="postgresql://mimamori@127.0.0.1:$pg"
		fi
		(cd tests/e2e && MIMAMORI_TEST_PG=$pg MIMAMORI_TEST_PG_DIR=$pgdir \
			"${cpu[@]}" timeout 1200 "${prio[@]}" "$PY" -m unittest "$name" -v) >"$out" 2>&1
		rc=$?
		[ -z "$own_pg" ] || tests/pg_server.sh stop "$pgdir"
		(exit $rc) ;;
	browser)
		# The longest job, and its waits are the ones a loaded machine stretches: it runs
		# ahead of the end-to-end suites' load (as root; otherwise as it is).
		local prio=()
		nice -n -5 true 2>/dev/null && prio=(nice -n -5)
		# Two halves side by side, each with its own server and data directory: the
		# entry/exit service's files (1-19, 90-99: they run in order on one server) and the
		# other services' (20-89: each its own pages, most on a demo ward of their own).
		local files
		files=$(browser_files "$name")
		# shellcheck disable=SC2086 # one word a file
		"${cpu[@]}" timeout 1800 "${prio[@]}" "$PY" tests/e2e/run_browser.py $files >"$out" 2>&1 ;;
	esac
	rc=$?
	echo "$rc" >"$log/$kind-$name.rc"
	echo $(($(date +%s) - t0)) >"$log/$kind-$name.secs"
}
export -f run_job

# The longest jobs first, so that the short ones fill the gaps around them.
list=("browser clubs" "browser services")
for m in test_japanese test_retention test_simulate test_admin test_schoolmail_send test_schoolmail \
	test_staff_notices test_pg_multi test_audit test_mail_crash test_mail_pipelining test_crash \
	test_mail_relay; do
	[ -f "tests/e2e/$m.py" ] && list+=("e2e $m")
done
for f in tests/e2e/test_*.py; do
	m=$(basename "$f" .py)
	case " ${list[*]} " in *" e2e $m "*) continue ;; esac
	list+=("e2e $m")
done
for t in build-san/test_*; do
	[ -f "$t" ] && [ -x "$t" ] && list+=("unit $(basename "$t")")
done
# The PostgreSQL run of every module right after its SQLite run (the longest first here too).
if [ "$pg_failed" -eq 0 ]; then
	merged=()
	for item in "${list[@]}"; do
		merged+=("$item")
		set -- $item
		[ "$1" = e2e ] && merged+=("e2e_pg $2")
	done
	list=("${merged[@]}")
fi

echo "== running ${#list[@]} suites, $jobs at a time"
t_start=$(date +%s)
printf '%s\n' "${list[@]}" | xargs -P "$jobs" -L 1 bash -c 'run_job "$0" "$1"'

passed=0
failed=0
skipped=0
cpu_total=0
report() { # kind-name passed failed [skipped]
	passed=$((passed + $2))
	failed=$((failed + $3))
	skipped=$((skipped + ${4:-0}))
	local cpu
	cpu=$(awk 'NF == 2 { printf "%d", $1 + $2 }' "$log/$1.cpu" 2>/dev/null)
	cpu_total=$((cpu_total + ${cpu:-0}))
	printf '  %-28s %4d passed, %d failed%s (%ss%s)\n' "${1#*-}" "$2" "$3" \
		"$([ "${4:-0}" -gt 0 ] && echo ", $4 skipped")" "$(cat "$log/$1.secs" 2>/dev/null)" \
		"${cpu:+, cpu ${cpu}s}"
}

echo "== unit tests (cmocka, ASan+UBSan)"
for item in "${list[@]}"; do
	set -- $item
	[ "$1" = unit ] || continue
	out="$log/unit-$2.log"
	rc=$(cat "$log/unit-$2.rc")
	p=$(grep -oE '\[  PASSED  \] [0-9]+' "$out" | grep -oE '[0-9]+$' | tail -1)
	f=$(grep -oE '\[  FAILED  \] [0-9]+ test' "$out" | grep -oE '[0-9]+' | tail -1)
	p=${p:-0}; f=${f:-0}
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
	report "unit-$2" "$p" "$f"
	[ "$f" -eq 0 ] || sed 's/^/    /' "$out" | tail -40
done

e2e_report() { # kind
	local kind=$1
for item in "${list[@]}"; do
	set -- $item
	[ "$1" = "$kind" ] || continue
	out="$log/$kind-$2.log"
	rc=$(cat "$log/$kind-$2.rc")
	ran=$(grep -oE '^Ran [0-9]+ test' "$out" | grep -oE '[0-9]+' | tail -1); ran=${ran:-0}
	fails=$(grep -oE 'failures=[0-9]+' "$out" | grep -oE '[0-9]+' | tail -1); fails=${fails:-0}
	errs=$(grep -oE 'errors=[0-9]+' "$out" | grep -oE '[0-9]+' | tail -1); errs=${errs:-0}
	skips=$(grep -oE 'skipped=[0-9]+' "$out" | grep -oE '[0-9]+' | tail -1); skips=${skips:-0}
	bad=$((fails + errs))
	if [ "$rc" -ne 0 ] && [ $bad -eq 0 ]; then bad=1; fi
	report "$kind-$2" $((ran - fails - errs - skips)) "$bad" "$skips"
	grep -E '\.\.\. (FAIL|ERROR|skipped)' "$out" | sed 's/^/    /'
	[ $bad -eq 0 ] || sed 's/^/    /' "$out" | tail -80
done
}
echo "== end-to-end tests on SQLite (real server, real SMTP)"
e2e_report e2e
echo "== end-to-end tests on PostgreSQL (the same tests, a database per data directory)"
if [ "$pg_failed" -eq 0 ]; then
	e2e_report e2e_pg
else
	echo "  the test PostgreSQL did not start (postgresql-15: scripts/install-deps.sh test):"
	sed 's/^/    /' "$log/pg-start.log"
	failed=$((failed + 1))
fi

echo "== browser tests (Chromium)"
for half in clubs services; do
out="$log/browser-$half.log"
rc=$(cat "$log/browser-$half.rc")
p=$(grep -oE '^# pass [0-9]+' "$out" | grep -oE '[0-9]+$' | tail -1); p=${p:-0}
f=$(grep -oE '^# fail [0-9]+' "$out" | grep -oE '[0-9]+$' | tail -1); f=${f:-0}
if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
report "browser-$half" "$p" "$f"
# Each failed test with its error (node's YAML block after "not ok"), at most 30 lines each.
[ "$f" -eq 0 ] || awk '/^ *not ok /{on=1; n=0} on && /^ +(- |[0-9]+ × )/{next} on{if (n++ < 30) print "    " $0} on && /^ *\.\.\.$/{on=0}' "$out"
# A run that ended without saying which test failed: its end.
[ "$f" -eq 0 ] || grep -qE '^ *not ok ' "$out" || tail -60 "$out" | sed 's/^/    /'
done

# The test PostgreSQL's processor time (its postmaster, the backends it reaped and those still
# open): not a child of any job, so not in the suites' figures.
pg_cpu=
if [ -n "$pg_dir" ] && [ -r "$pg_dir/data/postmaster.pid" ]; then
	pm=$(head -1 "$pg_dir/data/postmaster.pid")
	pg_cpu=$(awk -v hz="$(getconf CLK_TCK)" '
		FNR == 1 { sub(/^.*\) /, ""); n = split($0, f, " ")
			t += f[12] + f[13] + (FILENAME ~ "/" pm "/" ? f[14] + f[15] : 0) }
		END { printf "%d", t / hz }' pm="$pm" "/proc/$pm/stat" \
		$(for c in $(pgrep -P "$pm"); do echo "/proc/$c/stat"; done) 2>/dev/null)
fi
echo "== all suites took $(($(date +%s) - t_start)) s, $cpu_total s of processor time${pg_cpu:+ (and the test PostgreSQL ${pg_cpu} s)}"
if [ "$skipped" -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
