#!/usr/bin/env bash
# run.sh — the benchmarks behind `make bench` (docs/benchmarks.md explains them):
#   1. raw SQLite: scan-shaped rows, one transaction each, WAL + synchronous=FULL (bench/sqlite_raw.c)
#   2. throughput: POST /api/v1/scans at full speed with wrk (bench/scans.lua), mail going to
#      Postfix's smtp-sink, at 16 and at 64 connections; scans/s as a ratio to 1, p50/p99.
#   3. latency: 200 scans/s for 10 s, scan sent -> mail accepted by a local SMTP server
#      (bench/latency.py, aiosmtpd in-process).
#   4. staff board: GET /api/v1/sites/G01/board (150 children, today's plans) at 100/s for 10 s
#      on a demo ward of the usual size, against GET /healthz and a static copy of the answer
#      at the same rate (bench/board.py); then (issue 18) its full speed as a share of the static
#      copy's, the 59 sites polled every 3 s with ETag while 200 scans/s flow, and scan -> SSE
#      event -> board through a real subscriber (board.py's live mode, 30 s).
#   5. ward day: `mimamori simulate-day` on a fresh default demo ward (4,100 children, plans):
#      every planned child in and out, alerts every simulated minute, with injected time;
#      compared with the raw SQLite time for the same number of commits.
#   6. mail: Postfix's smtp-source sends BENCH_MAIL_N (43,000) messages into smtp-sink over 10
#      reused sessions (the machine's limit), then mimamori sends as many individual messages
#      from its outbox into the same smtp-sink (bench/mail.py); the ratio and the server's
#      peak RSS.
#   7. school send: the demo's 48 schools (43,000 registrations, ~38,500 addresses); smtp-source
#      sends as many messages into smtp-sink, then one send to every school goes through the API
#      (composed by ward staff, approved by the ward admin) into the same smtp-sink
#      (bench/school_send.py); the end-to-end and delivery ratios and the server's peak RSS.
#   8. PostgreSQL (bench/pg.sh, issue 14): raw single-row INSERT commit rate with
#      synchronous_commit = on, scans with one and with two servers on one database, and mail,
#      each as a ratio to that raw limit (BENCH_PG=0 skips it).
#   9. window letters (issue 15): 25,972 長3 window-envelope letters into one PDF
#      (bench/window_letters.c, built by meson as build/src/doc/bench_window_letters), against
#      writing the same PDF bytes and laying out the per-letter strings with pango alone; a row
#      to the window letters table (BENCH_LETTERS_N=25972).
#  10. March mailing (issue 15): `mimamori bathpass mailing make` on the ward day's demo ward
#      (89,086 people): choose, record a pass by post each, write the letters' PDF; against
#      writing the same bytes with fsync; a row to the March mailing table.
#  11. babysitter subsidy (issue 16, bench/sitter.py): 300 applications through the form's path
#      from 16 connections (as a ratio to the raw commit rate and to the scan path's rate above),
#      then pre-screened, decided, notified (one PDF) and paid (one 全銀 file) in one batch; a row
#      to the babysitter subsidy table (BENCH_SITTER_N=300).
#  12. plazas (issue 17, bench/plaza.py): 130,000 users over five plazas; the desk's search p50/p99
#      against GET /healthz, and 1,000 registration cards in one PDF against writing its bytes
#      with fsync; a row to the plaza table (BENCH_PLAZA_N=130000).
#  13. school year (issue 18, bench/year.py; BENCH_YEAR=0 skips it): a copy of the ward day's
#      fresh demo ward lives 200+ club days (the first and the last through simulate-day, the ones
#      between written in bulk by simulate-history), then the board, the monthly report and
#      `audit verify` on the aged ward, against raw SQLite commits, /healthz and a static copy,
#      reading the month's rows raw, and keyed BLAKE2b (bench/hash_raw.c); a row to the school
#      year table (BENCH_YEAR_WEEKS=35: 209 club days between the first and the last).
#  14. backups (issue 19, bench/backup.py): `mimamori backup` of a default demo ward against
#      copying the database's bytes with fsync, and `mimamori restore` of it against copying the
#      backup file's bytes; a row to the backup table (BENCH_BACKUP=0 skips it).
# Appends one row to the results table, one to the board table, one to the ward day table and
# one to the mail table of docs/benchmarks.md (bench/pg.sh: one to the PostgreSQL table).
# Total time about 4.5 minutes (the board's live mode: 59 sign-ins and 30 s).
# Knobs (environment): BENCH_BIN=build/mimamori BENCH_CHILDREN=100000 BENCH_RAW_S=5 BENCH_TPUT_S=10 BENCH_CONNS=16
#   BENCH_GROUP_CONNS="16 64" (step 2's connection counts; the first is the results table's)
#   BENCH_SCANS_ONLY=0 (1: steps 1-2 only, one row to the scan group commit table)
#   BENCH_WARD= (a directory outside build/bench: the demo ward is made there once and copied
#   by later runs, so that builds are compared on the same data)
#   BENCH_WRK_THREADS=1 BENCH_RATE=200 BENCH_LAT_S=10 BENCH_BOARD_RATE=100 BENCH_BOARD_S=10
#   BENCH_BOARD_SAT_S=5 (wrk at full speed on the board; 0: skip) BENCH_BOARD_CHILDREN= (demo
#   --children for the board's ward; empty: the demo's own size, where G01 holds 150)
#   BENCH_PERF=0 (1: perf record the server during each throughput run into build/bench/perf-cN.data
#   and during the board run into build/bench/perf-board.data)
#   BENCH_NO_DOC=0 (1: do not touch docs).
#   BENCH_YEAR=1 (0: skip the school year, step 13) BENCH_YEAR_WEEKS=35 (weeks from its first day
#   to its last; about 5 minutes more).
set -euo pipefail
cd "$(dirname "$0")/.."
# Adds row $2 at the end of the table under the heading $1 ("## Mail results") in
# docs/benchmarks.md, or warns when there is no such table.
table_row() {
  ROW=$2 awk -v title="$1" '
    $0 == title { sec = 1 }
    sec && /^\|/ { tab = 1 }
    sec && tab && !/^\|/ && !done { print ENVIRON["ROW"]; done = 1 }
    { print }
    END { if (sec && tab && !done) print ENVIRON["ROW"] }' docs/benchmarks.md >"$W/benchmarks.md"
  if grep -qF -- "$2" "$W/benchmarks.md"; then
    cat "$W/benchmarks.md" >docs/benchmarks.md
  else
    echo "   WARNING: no '$1' table in docs/benchmarks.md; row not written"
  fi
}

ROOT=$PWD
BIN=${BENCH_BIN:-$ROOT/build/mimamori}
W=$ROOT/build/bench
PY=/usr/bin/python3
# Enough cards for 10 s of scans at 10,000/s: each card is scanned once (a card again within 60 s
# is a duplicate, which writes nothing), and 45,000 ran out at the group commit's rate in 2026-12.
CHILDREN=${BENCH_CHILDREN:-100000}
RAW_S=${BENCH_RAW_S:-5}
TPUT_S=${BENCH_TPUT_S:-10}
CONNS=${BENCH_CONNS:-16}
WRK_THREADS=${BENCH_WRK_THREADS:-1}
RATE=${BENCH_RATE:-200}
LAT_S=${BENCH_LAT_S:-10}
BOARD_RATE=${BENCH_BOARD_RATE:-100}
BOARD_S=${BENCH_BOARD_S:-10}
BOARD_SAT_S=${BENCH_BOARD_SAT_S:-5}
BOARD_CHILDREN=${BENCH_BOARD_CHILDREN:-}
# Steps 2, 3 and 8's scans run the server with its clock at 14:00 JST today (its date, the
# clock running on from there): the clubs are open and no alert is due yet. Run at the real
# time of day, a bench after 15:00 JST found the 100,000-child ward's ~70,000 planned children
# "not arrived" on the alerts thread's first turn, raised and mailed them and cleared them
# again scan by scan, inside the measurement (3,660 against 3,966 scans/s, 2026-12-07).
SCAN_AT=${BENCH_SCAN_AT:-$(TZ=Asia/Tokyo date -d 'today 14:00' +%s)}
export BENCH_SCAN_AT=$SCAN_AT

[ -x "$BIN" ] || { echo "bench: build/mimamori missing (run make build)"; exit 1; }
for t in wrk smtp-sink cc pkg-config; do
  command -v $t >/dev/null || [ -x /usr/sbin/$t ] || { echo "bench: $t missing (scripts/install-deps.sh bench)"; exit 1; }
done
SMTP_SINK=$(command -v smtp-sink || echo /usr/sbin/smtp-sink)

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
free_port() { $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_health() {
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$1/healthz" >/dev/null && return 0; sleep 0.1; done
  echo "bench: server on port $1 did not come up"; return 1
}
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }   # utime+stime of a process, in ticks
HZ=$(getconf CLK_TCK)

rm -rf "$W"; mkdir -p "$W"
echo "== building bench/sqlite_raw"
cc -O2 -std=c17 -Wall -Wextra -o "$W/sqlite_raw" bench/sqlite_raw.c $(pkg-config --cflags --libs sqlite3)

echo "== demo ward: $CHILDREN children"
t=$(date +%s)
if [ -n "${BENCH_WARD:-}" ] && [ -f "$BENCH_WARD/codes.csv" ]; then
  # The same ward for several runs (before/after comparisons on the same data): a copy of it.
  cp -a "$BENCH_WARD/ward" "$W/ward"; cp "$BENCH_WARD/codes.csv" "$W/codes.csv"
  echo "   (copied from $BENCH_WARD)"
else
  "$BIN" demo --data "$W/ward" --children "$CHILDREN" --codes-out "$W/codes.csv" >"$W/demo.log" 2>&1
  echo "   ($(( $(date +%s) - t )) s)"
  if [ -n "${BENCH_WARD:-}" ]; then
    mkdir -p "$BENCH_WARD"; cp -a "$W/ward" "$BENCH_WARD/ward"; cp "$W/codes.csv" "$BENCH_WARD/codes.csv"
  fi
fi
# TOKEN<TAB>CODE<TAB>CHILD_NAME<TAB>CHILD_NO, in child order (round-robin over all cards)
awk 'NR==FNR { if ($3 == "kiosk" && $4 == "token:") tok[$2] = $5; next }
     FNR > 1 { n = split($0, f, ","); if (!(f[2] in tok)) { print "no token for " f[2] > "/dev/stderr"; exit 1 }
               print tok[f[2]] "\t" f[3] "\t" f[4] "\t" f[1] }' "$W/ward/demo-credentials.txt" "$W/codes.csv" >"$W/pairs.tsv"

echo "== raw SQLite ($RAW_S s, one transaction per row, WAL, synchronous=FULL, in $W)"
raw_line=$("$W/sqlite_raw" "$W" "$RAW_S")
echo "   $raw_line"
raw=$(awk '{print $6}' <<<"$raw_line")
rm -f "$W"/raw.db*

# Step 2 runs at each of BENCH_GROUP_CONNS (16 and 64 kiosk connections: the group commit's
# target is >= 2 x raw at both), each on a fresh copy of the ward (every card recorded once).
# The first level's figures are the results table's "scans/s (HTTP)" column.
kv() { sed -n "s/.*[ ]$1=\([^ ]*\).*/\1/p" <<<" $2"; }
declare -A g_scans g_ratio g_p50 g_p99 g_cpu g_us g_warn g_ceil
tput_run() { # CONNS
  local conns=$1
  echo "== throughput: wrk -t$WRK_THREADS -c$conns -d${TPUT_S}s --latency POST /api/v1/scans (mail -> smtp-sink)"
  rm -rf "$W/tput"; cp -a "$W/ward" "$W/tput"
  local sport hport spid sink perf_pid= c0 c1 k0 k1 wrk_out res wu ws we
  sport=$(free_port); hport=$(free_port)
  "$SMTP_SINK" -u nobody 127.0.0.1:$sport 256 >"$W/smtp-sink.log" 2>&1 & sink=$!; pids+=($sink)
  MIMAMORI_FAKE_NOW=$SCAN_AT "$BIN" serve --data "$W/tput" --listen 127.0.0.1:$hport --mail smtp://127.0.0.1:$sport >"$W/serve-tput-c$conns.log" 2>&1 &
  spid=$!; pids+=($spid)
  wait_health $hport
  if [ "${BENCH_PERF:-0}" = 1 ]; then
    perf record -g -o "$W/perf-c$conns.data" -p $spid -- sleep "$TPUT_S" >"$W/perf.log" 2>&1 & perf_pid=$!
  fi
  c0=$(cpu_ticks $spid); k0=$(cpu_ticks $sink 2>/dev/null || echo x)
  wrk_out=$(cd "$W" && PAIRS="$W/pairs.tsv" WRK_THREADS=$WRK_THREADS \
    /usr/bin/time -f "WRK_CPU %U %S %e" \
    wrk -t"$WRK_THREADS" -c"$conns" -d"${TPUT_S}s" --timeout 10s --latency -s "$ROOT/bench/scans.lua" \
    "http://127.0.0.1:$hport" 2>&1)
  c1=$(cpu_ticks $spid); k1=$(cpu_ticks $sink 2>/dev/null || echo x)
  [ -n "$perf_pid" ] && wait "$perf_pid" || true
  echo "$wrk_out" >"$W/wrk-c$conns.log"
  res=$(grep '^WRK_RESULT' <<<"$wrk_out")
  echo "   ${res#WRK_RESULT }"
  g_scans[$conns]=$(kv recorded_per_s "$res")
  g_p50[$conns]=$(kv p50_ms "$res"); g_p99[$conns]=$(kv p99_ms "$res")
  read -r _ wu ws we < <(grep '^WRK_CPU' <<<"$wrk_out")
  g_cpu[$conns]=$(awk -v a="$c0" -v b="$c1" -v hz="$HZ" -v e="$we" 'BEGIN { printf "%.0f", (b - a) / hz / e * 100 }')
  # server CPU time per recorded scan (all its threads: HTTP, group commit, mail sender)
  g_us[$conns]=$(awk -v a="$c0" -v b="$c1" -v hz="$HZ" -v n="$(kv recorded "$res")" 'BEGIN { printf "%.0f", n ? (b - a) / hz / n * 1e6 : 0 }')
  wrk_cpu=$(awk -v u="$wu" -v s="$ws" -v e="$we" 'BEGIN { printf "%.0f", (u + s) / e * 100 }')
  echo "   CPU during the run: server ${g_cpu[$conns]}% (${g_us[$conns]} us per scan), wrk ${wrk_cpu}% (of one core; 2 cores = 200%)"
  # The clients' own cost bounds the rate on this machine: wrk sending the scans and smtp-sink
  # taking their notices share the server's cores. With a server that cost nothing, the cores
  # would still be spent at ceiling scans/s.
  # (the sink's CPU is read when wrk ends, as the server's: notices still queued then are not
  # counted, which the mail step's latency shows to be a few ms' worth)
  local ceil_line
  ceil_line=$(awk -v u="$wu" -v s="$ws" -v a="$k0" -v b="$k1" -v hz="$HZ" -v e="$we" -v p="$(nproc)" \
    -v r="$raw" -v n="$(kv recorded "$res")" 'BEGIN {
      if (a == "x" || b == "x" || n == 0 || e == 0) { print "n/a n/a n/a"; exit }
      c = ((u + s) + (b - a) / hz) / n * 1e6
      printf "%.0f %.1f %.0f\n", (b - a) / hz / e * 100, c, (c > 0 ? p * 1e6 / c / r * 100 : 0) }')
  local sink_pct client_us
  read -r sink_pct client_us g_ceil[$conns] <<<"$ceil_line"
  echo "   the clients (wrk + smtp-sink, ${sink_pct}% for the sink) use $client_us us per scan: even a server that cost nothing would stop at $(nproc) cores / $client_us us = ${g_ceil[$conns]} % of raw"
  g_warn[$conns]=
  [ "$(kv duplicate "$res")" = 0 ] && [ "$(kv non200 "$res")" = 0 ] && [ "$(kv wrapped "$res")" = 0 ] ||
    { g_warn[$conns]="; some not recorded"; echo "   WARNING: some scans were not recorded (duplicates / errors / card list wrapped)"; }
  kill $spid; wait $spid 2>/dev/null || true
  kill $sink; wait $sink 2>/dev/null || true
  g_ratio[$conns]=$(awk -v a="${g_scans[$conns]}" -v b="$raw" 'BEGIN { printf "%.1f", a / b * 100 }')
  echo "   ratio: ${g_scans[$conns]} / $raw = ${g_ratio[$conns]} %; p50 ${g_p50[$conns]} ms, p99 ${g_p99[$conns]} ms"
}
# One row to the group commit table (step 2 at each connection count).
group_row() {
  local gcells= c cpu commit dirty how
  cpu=$(lscpu | sed -n 's/^Model name: *//p' | head -1)
  commit=$(git rev-parse --short HEAD 2>/dev/null || echo "?")
  dirty=$(git status --porcelain --untracked-files=no -- . ':!docs/benchmarks.md' 2>/dev/null | grep -q . && echo "+dirty" || true)
  how='bench/run.sh'; [ -n "${MAKELEVEL:-}" ] && how='make bench'
  [ "${BENCH_SCANS_ONLY:-0}" = 1 ] && how='BENCH_SCANS_ONLY=1 bench/run.sh'
  for c in $GROUP_CONNS; do
    gcells+=$(printf ' %s | %s %% | %s / %s ms | %s us |' "${g_scans[$c]%.*}" "${g_ratio[$c]}" "${g_p50[$c]}" "${g_p99[$c]}" "${g_us[$c]}")
  done
  local gnotes="wrk -t$WRK_THREADS -c$(tr ' ' / <<<"$GROUP_CONNS") ${TPUT_S}s --latency, each on a fresh copy of the $CHILDREN-child ward, server clock at $(TZ=Asia/Tokyo date -d @$SCAN_AT '+%H:%M') JST; CPU server $(for c in $GROUP_CONNS; do printf '%s%% ' "${g_cpu[$c]}"; done)of 200%; clients' ceiling $(for c in $GROUP_CONNS; do printf '%s%% ' "${g_ceil[$c]}"; done)of raw (wrk + smtp-sink CPU per scan, a server costing nothing); load before $LOAD0${g_warn[$first]}"
  table_row "## Scan group commit results" "$(printf '| %s | %s | %s cores, %s | `%s` | %.0f |%s %s |' \
    "$(date +%Y-%m-%d)" "$commit$dirty" "$(nproc)" "$cpu" "$how" "$raw" "$gcells" "$gnotes")"
}
GROUP_CONNS=${BENCH_GROUP_CONNS:-"$CONNS 64"}
LOAD0=$(cut -d' ' -f1 /proc/loadavg)
for c in $GROUP_CONNS; do tput_run "$c"; done
first=${GROUP_CONNS%% *}
scans=${g_scans[$first]}; ratio=${g_ratio[$first]}; srv_cpu=${g_cpu[$first]}; CONNS=$first
if [ "${BENCH_SCANS_ONLY:-0}" = 1 ]; then
  # Steps 1-2 alone (the group commit's measurement): one row to its table, then stop.
  [ "${BENCH_NO_DOC:-0}" != 1 ] && group_row && echo "   (row added to docs/benchmarks.md)"
  exit 0
fi

echo "== latency: $RATE scans/s for $LAT_S s, scan -> mail accepted (aiosmtpd)"
cp -a "$W/ward" "$W/lat"
lat=$(MIMAMORI_FAKE_NOW=$SCAN_AT "$PY" bench/latency.py --bin "$BIN" --data "$W/lat" --pairs "$W/pairs.tsv" \
  --http-port "$(free_port)" --smtp-port "$(free_port)" --rate "$RATE" --seconds "$LAT_S" \
  --threads 4 --out "$W/latency.json" --log "$W/serve-lat.log")
echo "   ${lat#LATENCY_RESULT }"
p50=$(kv p50_ms "$lat"); p99=$(kv p99_ms "$lat"); pmax=$(kv max_ms "$lat")

echo "== staff board: GET /api/v1/sites/G01/board at $BOARD_RATE/s for $BOARD_S s (own demo ward, clock at 15:40 of a weekday)"
board_args=(--rate "$BOARD_RATE" --seconds "$BOARD_S" --sat-seconds "$BOARD_SAT_S" --out "$W/board.json")
[ -n "$BOARD_CHILDREN" ] && board_args+=(--children "$BOARD_CHILDREN")
[ "${BENCH_PERF:-0}" = 1 ] && board_args+=(--perf "$W/perf-board.data")
board=$("$PY" bench/board.py --bin "$BIN" --work "$W/board" "${board_args[@]}")
echo "   ${board#BOARD_RESULT }"
b_kids=$(kv children "$board"); b_p50=$(kv p50_ms "$board"); b_p90=$(kv p90_ms "$board")
b_p99=$(kv p99_ms "$board"); b_max=$(kv max_ms "$board"); b_floor=$(kv floor_p99_ms "$board")
b_ratio=$(kv ratio "$board"); b_static=$(kv static_p99_ms "$board"); b_rs=$(kv ratio_static "$board")
b_cpu=$(kv cpu_ms_per_req "$board"); b_scpu=$(kv static_cpu_ms_per_req "$board")
b_sat=$(kv sat_rps "$board" | awk '{ printf "%.0f", $1 }'); b_ssat=$(kv static_sat_rps "$board" | awk '{ printf "%.0f", $1 }')
[ "$(kv non200 "$board")" = 0 ] && [ "$(kv wrong_count "$board")" = 0 ] ||
  echo "   WARNING: some board answers were not a 200 with all $b_kids children"
# The board kept in memory and its live updates (issue 18): full speed as a share of the static
# copy's, 59 sites polled every 3 s while 200 scans/s flow, scan -> SSE event -> board.
bl_share=$(kv sat_share_of_static "$board"); bl_pp99=$(kv live_poll_p99_ms "$board")
bl_ev99=$(kv scan_to_event_p99_ms "$board"); bl_bd99=$(kv scan_to_board_p99_ms "$board")
ok_bl_share=$(awk -v r="$bl_share" 'BEGIN { print (r != "" && r >= 0.25) ? "yes" : "NO" }')
ok_bl_poll=$(awk -v p="$bl_pp99" 'BEGIN { print (p != "" && p != "nan" && p < 5) ? "yes" : "NO" }')
ok_bl_ev=$(awk -v p="$bl_ev99" 'BEGIN { print (p != "" && p != "nan" && p < 1000) ? "yes" : "NO" }')

echo "== ward day: mimamori simulate-day on a fresh default demo ward (injected time)"
"$BIN" demo --data "$W/day" >"$W/day-demo.log" 2>&1
# The school year (step 13) starts from this fresh ward.
[ "${BENCH_YEAR:-1}" = 1 ] && cp -a "$W/day" "$W/year-fresh"
# A weekday: today in Japan unless it is a Sunday, then tomorrow.
sim_day=$(TZ=Asia/Tokyo date +%Y-%m-%d); [ "$(TZ=Asia/Tokyo date +%u)" = 7 ] && sim_day=$(TZ=Asia/Tokyo date -d tomorrow +%Y-%m-%d)
sim=$("$BIN" simulate-day --data "$W/day" --date "$sim_day" | grep '^SIMULATE_RESULT')
echo "   ${sim#SIMULATE_RESULT }"
d_wall=$(kv wall_s "$sim"); d_scans=$(kv scans "$sim")
d_floor=$(awk -v n="$d_scans" -v r="$raw" 'BEGIN { printf "%.2f", n / r }')
d_ratio=$(awk -v f="$d_floor" -v w="$d_wall" 'BEGIN { printf "%.0f", 100 * f / w }')
ok_day=$(awk -v w="$d_wall" -v s="$sim" 'BEGIN { print (w < 10 && s ~ / ok$/) ? "yes" : "NO" }')

echo "== mail: smtp-source vs mimamori, ${BENCH_MAIL_N:-43000} messages into smtp-sink"
mail=$("$PY" bench/mail.py --bin "$BIN" --work "$W/mail" -n "${BENCH_MAIL_N:-43000}" --out "$W/mail.json" | grep '^MAIL_RESULT')
echo "   ${mail#MAIL_RESULT }"
m_ratio=$(kv ratio "$mail"); m_rss=$(kv rss_peak_mb "$mail")
ok_mail=$(awk -v r="$m_ratio" 'BEGIN { print (r >= 70) ? "yes" : "NO" }')
ok_rss=$(awk -v r="$m_rss" 'BEGIN { print (r < 64) ? "yes" : "NO" }')

echo "== school send: smtp-source vs one send to all schools through the API into smtp-sink"
school=$("$PY" bench/school_send.py --bin "$BIN" --work "$W/school" --out "$W/school.json" | grep '^SCHOOL_SEND_RESULT')
echo "   ${school#SCHOOL_SEND_RESULT }"
s_dratio=$(kv deliver_ratio "$school"); s_rss=$(kv rss_peak_mb "$school")
ok_school=$(awk -v r="$s_dratio" 'BEGIN { print (r >= 100) ? "yes" : "NO" }')
ok_srss=$(awk -v r="$s_rss" 'BEGIN { print (r < 64) ? "yes" : "NO" }')

ok_p99=$(awk -v p="$p99" 'BEGIN { print (p != "nan" && p < 2000) ? "yes" : "NO" }')
ok_board=$(awk -v p="$b_p99" 'BEGIN { print (p != "nan" && p < 5) ? "yes" : "NO" }')
echo
echo "== summary"
printf '   raw SQLite            %8.0f rows/s\n' "$raw"
for c in $GROUP_CONNS; do
  ok_g=$(awk -v r="${g_ratio[$c]}" 'BEGIN { print (r >= 200) ? "yes" : "NO" }')
  printf '   scans via HTTP API    %8.0f scans/s at %s connections (%s %% of raw; target >= 200 %%: %s); p50 %s ms, p99 %s ms\n' "${g_scans[$c]}" "$c" "${g_ratio[$c]}" "$ok_g" "${g_p50[$c]}" "${g_p99[$c]}"
done
printf '   scan -> mail @%s/s    p50 %s ms  p99 %s ms  max %s ms  (p99 < 2000 ms: %s)\n' "$RATE" "$p50" "$p99" "$pmax" "$ok_p99"
printf '   mails matched         %s of %s received (%s expected)\n' "$(kv mails_matched "$lat")" "$(kv mails_received "$lat")" "$(kv mails_expected "$lat")"
printf '   board (%s children) @%s/s  p50 %s ms  p99 %s ms  max %s ms  (p99 < 5 ms: %s)\n' "$b_kids" "$BOARD_RATE" "$b_p50" "$b_p99" "$b_max" "$ok_board"
printf '   board p99 / floor p99  %s / %s ms (GET /healthz) = %s x;  / %s ms (static copy, same bytes) = %s x\n' "$b_p99" "$b_floor" "$b_ratio" "$b_static" "$b_rs"
printf '   board server CPU       %s ms per request (static copy %s ms); full speed %s/s (static copy %s/s)\n' "$b_cpu" "$b_scpu" "${b_sat:--}" "${b_ssat:--}"
printf '   board full speed       %s of the static copy (>= 0.25: %s)\n' "${bl_share:--}" "$ok_bl_share"
printf '   board, %s sites polled every 3 s while %s scans/s flow  poll p50 %s ms  p99 %s ms (< 5 ms: %s); 304 share %s\n' "$(kv live_sites "$board")" "$(kv live_scan_rate "$board")" "$(kv live_poll_p50_ms "$board")" "$bl_pp99" "$ok_bl_poll" "$(kv live_poll_304_share "$board")"
printf '   scan -> SSE event      p50 %s ms  p99 %s ms (< 1000 ms: %s); -> board read p99 %s ms (%s scans at G01)\n' "$(kv scan_to_event_p50_ms "$board")" "$bl_ev99" "$ok_bl_ev" "$bl_bd99" "$(kv sse_samples "$board")"
printf '   mail (%s messages)   smtp-source %s/s, mimamori %s/s = %s %% (>= 70 %%: %s); server RSS peak %s MB (< 64 MB: %s)\n' "$(kv messages "$mail")" "$(kv source_rate "$mail")" "$(kv mail_rate "$mail")" "$m_ratio" "$ok_mail" "$m_rss" "$ok_rss"
printf '   school send (%s messages, %s schools)  smtp-source %s/s; mimamori end to end %s/s = %s %%, delivery %s/s = %s %% (>= 100 %%: %s; queueing %s s); server RSS peak %s MB (< 64 MB: %s)\n' "$(kv messages "$school")" "$(kv schools "$school")" "$(kv source_rate "$school")" "$(kv mail_rate "$school")" "$(kv ratio "$school")" "$(kv deliver_rate "$school")" "$s_dratio" "$ok_school" "$(kv approve_s "$school")" "$s_rss" "$ok_srss"
printf '   ward day (%s scans)  %s s wall (< 10 s and alerts as expected: %s); raw SQLite for as many commits %s s = %s %% of the wall time\n' "$d_scans" "$d_wall" "$ok_day" "$d_floor" "$d_ratio"

if [ "${BENCH_NO_DOC:-0}" != 1 ]; then
  cpu=$(lscpu | sed -n 's/^Model name: *//p' | head -1)
  commit=$(git rev-parse --short HEAD 2>/dev/null || echo "?")
  dirty=$(git status --porcelain --untracked-files=no -- . ':!docs/benchmarks.md' 2>/dev/null | grep -q . && echo "+dirty" || true)
  notes="wrk -t$WRK_THREADS -c$CONNS ${TPUT_S}s; CPU server ${srv_cpu}% of 200%; mails matched $(kv mails_matched "$lat")/$(kv mails_expected "$lat"); achieved $(kv achieved_rate "$lat")/s"
  how='bench/run.sh'; [ -n "${MAKELEVEL:-}" ] && how='make bench'
  printf '| %s | %s | %s cores, %s | `%s` | %.0f | %.0f | %s %% | %s / %s / %s ms | %s |\n' \
    "$(date +%Y-%m-%d)" "$commit$dirty" "$(nproc)" "$cpu" "$how" "$raw" "$scans" "$ratio" "$p50" "$p99" "$pmax" "$notes" \
    >>docs/benchmarks.md
  # The board table sits in its own section, before the results table: its row goes after the
  # last line of that table.
  bnotes="$(kv counts "$board" | tr , ' '); alerts $(kv alerts "$board"); $(kv bytes "$board") bytes; day $(kv day "$board") $(kv now "$board") JST; $(kv conns "$board") conns; achieved $(kv achieved_rate "$board")/s; send lag p99 $(kv send_lag_p99_ms "$board") ms; load $(kv load1 "$board")"
  brow=$(printf '| %s | %s | %s cores, %s | `%s` | %s | %s / %s / %s / %s ms | %s ms | %s x | %s ms (%s x) | %s / %s ms | %s / %s | %s |' \
    "$(date +%Y-%m-%d)" "$commit$dirty" "$(nproc)" "$cpu" "$how" "$b_kids" "$b_p50" "$b_p90" "$b_p99" "$b_max" \
    "$b_floor" "$b_ratio" "$b_static" "$b_rs" "$b_cpu" "$b_scpu" "${b_sat:--}" "${b_ssat:--}" "$bnotes")
  table_row "## Staff board results" "$brow"
  blrow=$(printf '| %s | %s | %s cores, %s | `%s` | %s / %s req/s = %s | %s / %s / %s ms | %s ms (%s x) | %s | %s/s (p99 %s ms) | %s / %s / %s ms | %s ms | %s |' \
    "$(date +%Y-%m-%d)" "$commit$dirty" "$(nproc)" "$cpu" "$how" "${b_sat:--}" "${b_ssat:--}" "${bl_share:--}" \
    "$(kv live_poll_p50_ms "$board")" "$bl_pp99" "$(kv live_poll_max_ms "$board")" "$b_floor" \
    "$(awk -v a="$bl_pp99" -v b="$b_floor" 'BEGIN { if (b > 0) printf "%.1f", a / b; else print "-" }')" \
    "$(kv live_poll_304_share "$board")" "$(kv live_scan_rate "$board")" "$(kv live_scan_p99_ms "$board")" \
    "$(kv scan_to_event_p50_ms "$board")" "$bl_ev99" "$(kv scan_to_event_max_ms "$board")" "$bl_bd99" \
    "$(kv live_sites "$board") sites, $(kv live_polls "$board") polls ($(kv live_poll_bad "$board") bad), $(kv live_scans "$board") scans ($(kv live_scan_bad "$board") non-200) in $(kv live_seconds "$board") s; $(kv sse_samples "$board") G01 scans matched ($(kv sse_unmatched "$board") not); server CPU $(kv live_server_cpu_pct "$board")%; board CPU $b_cpu ms/req")
  table_row "## Board live results" "$blrow"
  drow=$(printf '| %s | %s | %s cores, %s | `%s` | %s | %s | %s / %s | %s / %s | %s s | %s s | %s %% | %s |' \
    "$(date +%Y-%m-%d)" "$commit$dirty" "$(nproc)" "$cpu" "$how" "$(kv planned "$sim")" "$d_scans" \
    "$(kv not_arrived "$sim")" "$(kv still_present "$sim")" "$(kv scan_s "$sim")" "$(kv alert_s "$sim")" \
    "$d_wall" "$d_floor" "$d_ratio" "$(kv date "$sim"); $(kv scan_mails "$sim") scan mails, $(kv alert_mails "$sim") alert mails queued; ${sim##* }")
  table_row "## Ward day results" "$drow"
  group_row
  mrow=$(printf '| %s | %s | %s cores, %s | `%s` | %s | %s / %s | %s/s | %s/s | %s %% | %s MB | %s |' \
    "$(date +%Y-%m-%d)" "$commit$dirty" "$(nproc)" "$cpu" "$how" "$(kv messages "$mail")" \
    "$(kv sessions "$mail")" "$(kv mail_sessions "$mail")" "$(kv source_rate "$mail")" \
    "$(kv mail_rate "$mail")" "$m_ratio" "$m_rss" "$(kv size "$mail") bytes; $(kv states "$mail"); first sent after $(kv first_sent_s "$mail") s")
  table_row "## Mail results" "$mrow"
  srow=$(printf '| %s | %s | %s cores, %s | `%s` | %s | %s/s | %s/s (%s %%) | %s/s (%s %%) | %s s | %s MB | %s |' \
    "$(date +%Y-%m-%d)" "$commit$dirty" "$(nproc)" "$cpu" "$how" "$(kv messages "$school")" \
    "$(kv source_rate "$school")" "$(kv mail_rate "$school")" "$(kv ratio "$school")" \
    "$(kv deliver_rate "$school")" "$s_dratio" "$(kv approve_s "$school")" "$s_rss" \
    "$(kv registrations "$school") registrations; $(kv states "$school"); server CPU $(kv server_cpu "$school") %")
  table_row "## School send results" "$srow"
  echo "   (rows appended to docs/benchmarks.md)"
fi

# Window-envelope letters (issue 15): the March mailing's PDF, 25,972 letters < 60 s.
echo
echo "== window letters: ${BENCH_LETTERS_N:-25972} 長3 window-envelope letters into one PDF"
WL_BIN=$(dirname "$BIN")/src/doc/bench_window_letters
if [ -x "$WL_BIN" ]; then
  mkdir -p "$W/letters"
  wl_line=$("$WL_BIN" "$W/letters" "${BENCH_LETTERS_N:-25972}")
  echo "   $wl_line"
  rm -f "$W/letters/letters.pdf"
  if [ "${BENCH_NO_DOC:-0}" != 1 ]; then
    lrow=$(printf '| %s | %s | %s cores, %s | %s |' "$(date +%Y-%m-%d)" "$commit$dirty" "$(nproc)" \
      "$cpu" "${wl_line#window letters: }")
    table_row "## Window letters results" "$lrow"
  fi
else
  echo "   skipped: $WL_BIN missing (make build)"
fi

# The March mailing end to end (issue 15): on the ward day's demo ward (89,086 people, about
# 25,972 passes this fiscal year), `mimamori bathpass mailing make` chooses who gets next year's
# pass, records a pass by post with its 整理番号 for each in one transaction, and writes the
# cover letters as one PDF in postcode order; against writing the same bytes with fsync.
echo
echo "== March mailing: mimamori bathpass mailing make on the demo ward (next year's passes)"
t0=$(date +%s.%N)
mm_out=$("$BIN" bathpass mailing make --data "$W/day" --login bath-office --out "$W/march.pdf" 2>&1) || {
  echo "$mm_out" | sed 's/^/   /'; exit 1; }
t1=$(date +%s.%N)
echo "$mm_out" | sed 's/^/   /'
mm_letters=$(echo "$mm_out" | sed -n 's/.*送付状 \([0-9]*\)通、.*/\1/p')
mm_make=$(echo "$mm_out" | sed -n 's/^発送 .* を記録しました（\([0-9.]*\) 秒）/\1/p')
mm_pdf=$(echo "$mm_out" | sed -n 's/.*バイト（\([0-9.]*\) 秒）.*/\1/p')
mm_bytes=$(stat -c %s "$W/march.pdf")
f0=$(date +%s.%N)
dd if="$W/march.pdf" of="$W/march-copy.pdf" bs=1M conv=fsync status=none
f1=$(date +%s.%N)
rm -f "$W/march.pdf" "$W/march-copy.pdf"
mm_line=$(awk -v t0="$t0" -v t1="$t1" -v f0="$f0" -v f1="$f1" -v n="$mm_letters" -v mk="$mm_make" \
  -v pdf="$mm_pdf" -v b="$mm_bytes" 'BEGIN {
    w = t1 - t0; f = f1 - f0
    printf "%d letters in %.1f s (choose and record %.1f s, PDF %.1f s), %.1f MB; same bytes written with fsync in %.3f s (x%.0f); %s", \
      n, w, mk, pdf, b / 1e6, f, w / f, (w < 60 ? "under 60 s" : "OVER 60 s") }')
echo "   $mm_line"
if [ "${BENCH_NO_DOC:-0}" != 1 ]; then
  mrow=$(printf '| %s | %s | %s cores, %s | %s |' "$(date +%Y-%m-%d)" "$commit$dirty" "$(nproc)" \
    "$cpu" "$mm_line")
  table_row "## March mailing results" "$mrow"
fi

# The babysitter subsidy (issue 16): the form under load and a batch decided and paid.
echo
echo "== babysitter subsidy: ${BENCH_SITTER_N:-300} applications, then decided, notified and paid in one batch"
st_out=$($PY bench/sitter.py --bin "$BIN" --work "$W/sitter" --n "${BENCH_SITTER_N:-300}" \
  --raw "$raw" --scans "$scans" 2>&1) || { echo "$st_out" | sed 's/^/   /'; exit 1; }
echo "$st_out" | grep -v '^SITTER_RESULT' | sed 's/^/   /'
if [ "${BENCH_NO_DOC:-0}" != 1 ]; then
  st_line=$(echo "$st_out" | grep -v '^SITTER_RESULT' | tr '\n' ' ' | sed 's/ *$//')
  srow=$(printf '| %s | %s | %s cores, %s | %s |' "$(date +%Y-%m-%d)" "$commit$dirty" "$(nproc)" \
    "$cpu" "$st_line")
  table_row "## Babysitter subsidy results" "$srow"
fi
rm -rf "$W/sitter"

# The plazas' registrations (issue 17): the desk's search over 130,000 sealed users, 1,000 cards.
echo
echo "== plazas: ${BENCH_PLAZA_N:-130000} users; the desk's search (p99 < 50 ms) and 1,000 cards in one PDF"
pz_out=$($PY bench/plaza.py --bin "$BIN" --work "$W/plaza" --users "${BENCH_PLAZA_N:-130000}" 2>&1) \
  || { echo "$pz_out" | sed 's/^/   /'; exit 1; }
echo "$pz_out" | sed 's/^/   /'
if [ "${BENCH_NO_DOC:-0}" != 1 ]; then
  pz_line=$(echo "$pz_out" | grep -E '^(users|search all|cards)' | tr '\n' ' ' | sed 's/ *$//')
  prow=$(printf '| %s | %s | %s cores, %s | %s |' "$(date +%Y-%m-%d)" "$commit$dirty" "$(nproc)" \
    "$cpu" "$pz_line")
  table_row "## Plaza results" "$prow"
fi
rm -rf "$W/plaza"

# Backups and restore (issue 19): encrypted, keys left out, against copying the same bytes.
if [ "${BENCH_BACKUP:-1}" = 1 ]; then
  echo
  echo "== backups: mimamori backup / restore of a demo ward, against copying its bytes with fsync"
  bk_out=$($PY bench/backup.py --bin "$BIN" --work "$W/backup" 2>&1) \
    || { echo "$bk_out" | sed 's/^/   /'; exit 1; }
  echo "$bk_out" | sed 's/^/   /'
  if [ "${BENCH_NO_DOC:-0}" != 1 ]; then
    bk_line=$(echo "$bk_out" | tr '\n' ' ' | sed 's/ *$//')
    brow=$(printf '| %s | %s | %s cores, %s | %s |' "$(date +%Y-%m-%d)" "$commit$dirty" "$(nproc)" \
      "$cpu" "$bk_line")
    table_row "## Backup results" "$brow"
  fi
fi

# A school year on the demo ward (issue 18): the cost of a day must not grow with history.
if [ "${BENCH_YEAR:-1}" = 1 ]; then
  echo
  echo "== school year: ${BENCH_YEAR_WEEKS:-35} weeks of club days on the demo ward, then the day, the board, the monthly report and audit verify"
  cc -O2 -std=c17 -Wall -Wextra -o "$W/hash_raw" bench/hash_raw.c $(pkg-config --cflags --libs libsodium)
  yr=$($PY bench/year.py --bin "$BIN" --work "$W/year" --demo-from "$W/year-fresh" \
    --weeks "${BENCH_YEAR_WEEKS:-35}" --raw "$raw" --hash-raw "$W/hash_raw" --out "$W/year.json" \
    | grep '^YEAR_RESULT') || { echo "   school year failed (see $W/year/year.log)"; exit 1; }
  echo "   ${yr#YEAR_RESULT }"
  rm -rf "$W/year-fresh"
  if [ "${BENCH_NO_DOC:-0}" != 1 ]; then
    commit=$(git rev-parse --short HEAD 2>/dev/null || echo "?")
    dirty=$(git status --porcelain --untracked-files=no -- . ':!docs/benchmarks.md' 2>/dev/null | grep -q . && echo "+dirty" || true)
    cpu=$(lscpu | sed -n 's/^Model name: *//p' | head -1)
    how='bench/run.sh'; [ -n "${MAKELEVEL:-}" ] && how='make bench'
    yrow=$(printf '| %s | %s | %s cores, %s | `%s` | %s | %s / %s s (%s x; processor %s / %s s, %s x) | %s s (%s %%) | %s / %s ms (%s x /healthz, %s x static) | %s s (raw read %s s) | %s/s (%s %% of %s/s) | %s |' \
      "$(date +%Y-%m-%d)" "$commit$dirty" "$(nproc)" "$cpu" "$how" "$(kv club_days "$yr")" \
      "$(kv first_wall_s "$yr")" "$(kv last_wall_s "$yr")" "$(kv day_ratio "$yr")" \
      "$(kv first_cpu_s "$yr")" "$(kv last_cpu_s "$yr")" "$(kv day_cpu_ratio "$yr")" \
      "$(kv last_floor_s "$yr")" "$(kv last_floor_ratio "$yr")" \
      "$(kv board_p50_ms "$yr")" "$(kv board_p99_ms "$yr")" "$(kv board_ratio "$yr")" "$(kv board_ratio_static "$yr")" \
      "$(kv monthly_s "$yr")" "$(kv month_raw_read_s "$yr")" \
      "$(kv verify_per_s "$yr")" "$(kv verify_ratio "$yr")" "$(kv hash_prepared_per_s "$yr")" \
      "$(kv first "$yr")..$(kv last "$yr"); rows: scans $(kv rows_scans "$yr"), outbox $(kv rows_outbox "$yr"), audit $(kv rows_audit "$yr"), alerts $(kv rows_alerts "$yr"); db $(kv db_mb "$yr") MB; history $(kv history_s "$yr") s; month $(kv month "$yr") $(kv month_scans "$yr") scans; board load $(kv board_load1 "$yr"); $(kv days_ok "$yr"); targets $(kv ok "$yr")")
    table_row "## School year results" "$yrow"
  fi
  rm -rf "$W/year/ward"
fi

# The same scan and mail benchmarks on PostgreSQL, one and two servers (issue 14).
if [ "${BENCH_PG:-1}" = 1 ]; then
  echo
  bench/pg.sh
fi
