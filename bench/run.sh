#!/usr/bin/env bash
# run.sh — the benchmarks behind `make bench` (docs/benchmarks.md explains them):
#   1. raw SQLite: scan-shaped rows, one transaction each, WAL + synchronous=FULL (bench/sqlite_raw.c)
#   2. throughput: POST /api/v1/scans at full speed with wrk (bench/scans.lua), mail going to
#      Postfix's smtp-sink; reported as a ratio to 1.
#   3. latency: 200 scans/s for 10 s, scan sent -> mail accepted by a local SMTP server
#      (bench/latency.py, aiosmtpd in-process).
# Appends one row to the results table of docs/benchmarks.md. Total time about 1.5 minutes.
# Knobs (environment): BENCH_BIN=build/mimamori BENCH_CHILDREN=45000 BENCH_RAW_S=5 BENCH_TPUT_S=10 BENCH_CONNS=16
#   BENCH_WRK_THREADS=1 BENCH_RATE=200 BENCH_LAT_S=10 BENCH_PERF=0 (1: perf record the server
#   during the throughput run into build/bench/perf.data) BENCH_NO_DOC=0 (1: do not touch docs).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BIN=${BENCH_BIN:-$ROOT/build/mimamori}
W=$ROOT/build/bench
PY=/usr/bin/python3
CHILDREN=${BENCH_CHILDREN:-45000}
RAW_S=${BENCH_RAW_S:-5}
TPUT_S=${BENCH_TPUT_S:-10}
CONNS=${BENCH_CONNS:-16}
WRK_THREADS=${BENCH_WRK_THREADS:-1}
RATE=${BENCH_RATE:-200}
LAT_S=${BENCH_LAT_S:-10}

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
"$BIN" demo --data "$W/ward" --children "$CHILDREN" --codes-out "$W/codes.csv" >"$W/demo.log" 2>&1
echo "   ($(( $(date +%s) - t )) s)"
# TOKEN<TAB>CODE<TAB>CHILD_NAME<TAB>CHILD_NO, in child order (round-robin over all cards)
awk 'NR==FNR { if ($3 == "kiosk" && $4 == "token:") tok[$2] = $5; next }
     FNR > 1 { n = split($0, f, ","); if (!(f[2] in tok)) { print "no token for " f[2] > "/dev/stderr"; exit 1 }
               print tok[f[2]] "\t" f[3] "\t" f[4] "\t" f[1] }' "$W/ward/demo-credentials.txt" "$W/codes.csv" >"$W/pairs.tsv"

echo "== raw SQLite ($RAW_S s, one transaction per row, WAL, synchronous=FULL, in $W)"
raw_line=$("$W/sqlite_raw" "$W" "$RAW_S")
echo "   $raw_line"
raw=$(awk '{print $6}' <<<"$raw_line")
rm -f "$W"/raw.db*

echo "== throughput: wrk -t$WRK_THREADS -c$CONNS -d${TPUT_S}s POST /api/v1/scans (mail -> smtp-sink)"
cp -a "$W/ward" "$W/tput"
sport=$(free_port); hport=$(free_port)
"$SMTP_SINK" -u nobody 127.0.0.1:$sport 256 >"$W/smtp-sink.log" 2>&1 & pids+=($!)
"$BIN" serve --data "$W/tput" --listen 127.0.0.1:$hport --mail smtp://127.0.0.1:$sport >"$W/serve-tput.log" 2>&1 &
spid=$!; pids+=($spid)
wait_health $hport
perf_pid=
if [ "${BENCH_PERF:-0}" = 1 ]; then
  perf record -g -o "$W/perf.data" -p $spid -- sleep "$TPUT_S" >"$W/perf.log" 2>&1 & perf_pid=$!
fi
c0=$(cpu_ticks $spid)
wrk_out=$(cd "$W" && PAIRS="$W/pairs.tsv" WRK_THREADS=$WRK_THREADS \
  /usr/bin/time -f "WRK_CPU %U %S %e" \
  wrk -t"$WRK_THREADS" -c"$CONNS" -d"${TPUT_S}s" --timeout 10s -s "$ROOT/bench/scans.lua" \
  "http://127.0.0.1:$hport" 2>&1)
c1=$(cpu_ticks $spid)
[ -n "$perf_pid" ] && wait "$perf_pid" || true
echo "$wrk_out" >"$W/wrk.log"
res=$(grep '^WRK_RESULT' <<<"$wrk_out")
echo "   ${res#WRK_RESULT }"
kv() { sed -n "s/.*[ ]$1=\([^ ]*\).*/\1/p" <<<" $2"; }
scans=$(kv recorded_per_s "$res")
read -r _ wu ws we < <(grep '^WRK_CPU' <<<"$wrk_out")
srv_cpu=$(awk -v a="$c0" -v b="$c1" -v hz="$HZ" -v e="$we" 'BEGIN { printf "%.0f", (b - a) / hz / e * 100 }')
wrk_cpu=$(awk -v u="$wu" -v s="$ws" -v e="$we" 'BEGIN { printf "%.0f", (u + s) / e * 100 }')
echo "   CPU during the run: server ${srv_cpu}% , wrk ${wrk_cpu}% (of one core; 2 cores = 200%)"
[ "$(kv duplicate "$res")" = 0 ] && [ "$(kv non200 "$res")" = 0 ] && [ "$(kv wrapped "$res")" = 0 ] ||
  echo "   WARNING: some scans were not recorded (duplicates / errors / card list wrapped)"
kill $spid; wait $spid 2>/dev/null || true
ratio=$(awk -v a="$scans" -v b="$raw" 'BEGIN { printf "%.1f", a / b * 100 }')
echo "   ratio: $scans / $raw = $ratio %"

echo "== latency: $RATE scans/s for $LAT_S s, scan -> mail accepted (aiosmtpd)"
cp -a "$W/ward" "$W/lat"
lat=$("$PY" bench/latency.py --bin "$BIN" --data "$W/lat" --pairs "$W/pairs.tsv" \
  --http-port "$(free_port)" --smtp-port "$(free_port)" --rate "$RATE" --seconds "$LAT_S" \
  --threads 4 --out "$W/latency.json" --log "$W/serve-lat.log")
echo "   ${lat#LATENCY_RESULT }"
p50=$(kv p50_ms "$lat"); p99=$(kv p99_ms "$lat"); pmax=$(kv max_ms "$lat")

ok_ratio=$(awk -v r="$ratio" 'BEGIN { print (r >= 50) ? "yes" : "NO" }')
ok_p99=$(awk -v p="$p99" 'BEGIN { print (p != "nan" && p < 2000) ? "yes" : "NO" }')
echo
echo "== summary"
printf '   raw SQLite            %8.0f rows/s\n' "$raw"
printf '   scans via HTTP API    %8.0f scans/s  (%s %% of raw; target >= 50 %%: %s)\n' "$scans" "$ratio" "$ok_ratio"
printf '   scan -> mail @%s/s    p50 %s ms  p99 %s ms  max %s ms  (p99 < 2000 ms: %s)\n' "$RATE" "$p50" "$p99" "$pmax" "$ok_p99"
printf '   mails matched         %s of %s received (%s expected)\n' "$(kv mails_matched "$lat")" "$(kv mails_received "$lat")" "$(kv mails_expected "$lat")"

if [ "${BENCH_NO_DOC:-0}" != 1 ]; then
  cpu=$(lscpu | sed -n 's/^Model name: *//p' | head -1)
  commit=$(git rev-parse --short HEAD 2>/dev/null || echo "?")
  dirty=$(git status --porcelain --untracked-files=no 2>/dev/null | grep -q . && echo "+dirty" || true)
  notes="wrk -t$WRK_THREADS -c$CONNS ${TPUT_S}s; CPU server ${srv_cpu}%/wrk ${wrk_cpu}% of 200%; mails matched $(kv mails_matched "$lat")/$(kv mails_expected "$lat"); achieved $(kv achieved_rate "$lat")/s"
  how='bench/run.sh'; [ -n "${MAKELEVEL:-}" ] && how='make bench'
  printf '| %s | %s | %s cores, %s | `%s` | %.0f | %.0f | %s %% | %s / %s / %s ms | %s |\n' \
    "$(date +%Y-%m-%d)" "$commit$dirty" "$(nproc)" "$cpu" "$how" "$raw" "$scans" "$ratio" "$p50" "$p99" "$pmax" "$notes" \
    >>docs/benchmarks.md
  echo "   (row appended to docs/benchmarks.md)"
fi
