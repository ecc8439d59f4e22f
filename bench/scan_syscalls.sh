#!/usr/bin/env bash
# scan_syscalls.sh — where a scan's system calls and context switches go, thread by thread.
#
#   BENCH_WARD=DIR bench/scan_syscalls.sh [CONNS] [SECONDS]
#
# Runs wrk at full speed against build/mimamori serve on a copy of BENCH_WARD/ward (made by
# bench/run.sh with BENCH_WARD set; mail into Postfix's smtp-sink, the clock at 14:00 JST as
# run.sh's scans), with `perf stat --per-thread` counting the server's system calls of the
# kinds a scan makes and its context switches. Prints each per recorded scan, by thread name
# (the numbers in a name dropped). Counts, not times: a busy machine moves them little.
# One scan is sent before perf attaches, so that the committing thread (started on first use)
# is counted under its own name.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
CONNS=${1:-16}; SECONDS_=${2:-10}
BIN=${BENCH_BIN:-build/mimamori}
WARD=${BENCH_WARD:?set BENCH_WARD (a ward made by bench/run.sh)}
W=$(mktemp -d /tmp/mimamori-syscalls-XXXXXX)
SINK=$(command -v smtp-sink || echo /usr/sbin/smtp-sink)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$W"' EXIT
port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
cp -a "$WARD/ward" "$W/ward"
awk 'NR==FNR { if ($3 == "kiosk" && $4 == "token:") tok[$2] = $5; next }
     FNR > 1 { n = split($0, f, ","); print tok[f[2]] "\t" f[3] }' "$W/ward/demo-credentials.txt" "$WARD/codes.csv" >"$W/pairs.tsv"
sport=$(port); hport=$(port)
"$SINK" -u nobody 127.0.0.1:$sport 256 >/dev/null 2>&1 & pids+=($!)
MIMAMORI_FAKE_NOW=$(TZ=Asia/Tokyo date -d 'today 14:00' +%s) "$BIN" serve --data "$W/ward" \
  --listen 127.0.0.1:$hport --mail smtp://127.0.0.1:$sport >"$W/serve.log" 2>&1 & spid=$!; pids+=($spid)
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$hport/healthz" >/dev/null && break; sleep 0.1; done
# The warm-up scan: the file's last card (wrk starts at the first).
IFS=$'\t' read -r tok code < <(tail -1 "$W/pairs.tsv")
curl -sf -o /dev/null -H "Authorization: Bearer $tok" -H 'Content-Type: application/json' \
  -d "{\"code\":\"$code\"}" "http://127.0.0.1:$hport/api/v1/scans"
sleep 0.5
ev=sched:sched_switch
for s in pwrite64 fdatasync epoll_wait recvfrom sendmsg sendto write futex poll; do ev+=,syscalls:sys_enter_$s; done
perf stat --per-thread -x, -e "$ev" -p $spid -o "$W/stat.csv" -- sleep "$SECONDS_" & perf=$!
res=$(cd "$W" && PAIRS="$W/pairs.tsv" WRK_THREADS=1 wrk -t1 -c"$CONNS" -d"${SECONDS_}s" --timeout 10s \
  -s "$ROOT/bench/scans.lua" "http://127.0.0.1:$hport" 2>&1 | grep '^WRK_RESULT')
wait $perf || true
echo "${res#WRK_RESULT }"
n=$(sed -n 's/.* recorded=\([0-9]*\).*/\1/p' <<<"$res")
# -x, lines: thread-tid,count,unit,event,...
awk -F, -v n="$n" '
  $2 ~ /^[0-9]+$/ && $2 > 0 { t = $1; sub(/-[0-9]+$/, "", t); e = $4; sub(/^(syscalls:sys_enter_|sched:)/, "", e); c[t] += 0; v[t, e] += $2; if (!(e in seen)) { seen[e] = 1; es[++ne] = e } }
  END {
    printf "%-14s", "per scan"; for (i = 1; i <= ne; i++) printf " %12s", es[i]; printf "\n"
    for (t in c) { printf "%-14s", t; for (i = 1; i <= ne; i++) printf " %12.2f", v[t, es[i]] / n; printf "\n" }
  }' "$W/stat.csv"
