#!/usr/bin/env bash
# Sluice load benchmark (not a test): the gateway's added latency, throughput, CPU per request,
# time to first token, concurrent streams and memory, each against calling the stub backend
# directly in the same run. Results: bench/results/<timestamp>.txt (also printed).
#
#   bench/run.sh
#
# Settings (environment, all optional):
#   BENCH_DURATION=10     seconds per wrk run (6 runs: 1/16/64 connections x direct/gateway)
#   BENCH_WARMUP=30       seconds of warm-up through the gateway before measuring (>= 15)
#   BENCH_WRK_THREADS=2   wrk threads at 16 and 64 connections (1 connection uses 1 thread)
#   BENCH_EXACT=1         time every request in wrk's Lua script (0: only wrk's own, corrected, percentiles)
#   BENCH_STREAMS=500     sequential streams per target for time to first token
#   BENCH_CONCURRENT=256  concurrent streams
#   BENCH_PROFILE=1       0: skip the JFR profile of the gateway taken after the measurements
#   BENCH_PROFILE_SECONDS=20  length of the profiled wrk run (16 connections)
#   BENCH_DB=auto         auto: a database on the PostgreSQL at 127.0.0.1:5432 when it answers,
#                         else embedded; embedded: always the gateway's embedded PostgreSQL
#   BENCH_STUB_LOOPS=1    selector threads of the stub
#   BENCH_GATEWAY_JAVA_OPTS  default: the flags of ./sluice start (-Xmx128m -XX:+UseSerialGC ...)
#   BENCH_JAR             the gateway jar to measure (default bootstrap/target/sluice.jar, built if missing)
# The load generator, the stub and the gateway share the machine's cores.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
BENCH="$ROOT/bench"

DURATION=${BENCH_DURATION:-10}
WARMUP=${BENCH_WARMUP:-30}
WRK_THREADS=${BENCH_WRK_THREADS:-2}
STREAMS=${BENCH_STREAMS:-500}
CONCURRENT=${BENCH_CONCURRENT:-256}
PROFILE=${BENCH_PROFILE:-1}
PROFILE_SECONDS=${BENCH_PROFILE_SECONDS:-20}
DB_MODE=${BENCH_DB:-auto}
STUB_LOOPS=${BENCH_STUB_LOOPS:-1}
GATEWAY_JAVA_OPTS=${BENCH_GATEWAY_JAVA_OPTS:--Xms32m -Xmx128m -XX:+UseSerialGC -XX:ReservedCodeCacheSize=64m -XX:+ExitOnOutOfMemoryError -Dio.netty.tryReflectionSetAccessible=true}

TS=$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$BENCH/results"
RESULT="$BENCH/results/$TS.txt"
WORK=$(mktemp -d /tmp/sluice-bench.XXXXXX)
RAW="$WORK/raw.txt"
: > "$RAW"
: > "$RESULT"

say() { printf '%s\n' "$*" | tee -a "$RESULT"; }
log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "FAILED: $*"; exit 1; }

# ---------------------------------------------------------------- clean-up of what we start
STUB_PID="" GW_PID="" BG_PIDS="" DB_NAME="" KEEP_WORK=0
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  for p in $BG_PIDS; do kill "$p" 2>/dev/null || true; done
  if [ -n "$GW_PID" ] && kill -0 "$GW_PID" 2>/dev/null; then
    kill -TERM "$GW_PID" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$GW_PID" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$GW_PID" 2>/dev/null; then
      # seen in development: the gateway's shutdown hook and Micronaut's deadlock on SIGTERM
      jcmd "$GW_PID" Thread.print > "$BENCH/results/$TS-gateway-stuck.txt" 2>&1 || true
      kill -KILL "$GW_PID" 2>/dev/null || true
      log "the gateway did not stop within 10 s of SIGTERM: killed (thread dump: bench/results/$TS-gateway-stuck.txt)"
      echo "note: the gateway did not stop within 10 s of SIGTERM and was killed; thread dump in bench/results/$TS-gateway-stuck.txt" >> "$RESULT"
    fi
  fi
  # an embedded PostgreSQL the gateway started survives a killed gateway: stop it by its pid file
  local pg_pid_file="$WORK/data/postgres/postmaster.pid"
  if [ -f "$pg_pid_file" ]; then
    local pg_pid
    pg_pid=$(head -1 "$pg_pid_file")
    if [ -n "$pg_pid" ] && kill -0 "$pg_pid" 2>/dev/null; then
      kill -INT "$pg_pid" 2>/dev/null || true
      for _ in $(seq 1 50); do kill -0 "$pg_pid" 2>/dev/null || break; sleep 0.1; done
    fi
  fi
  if [ -n "$STUB_PID" ]; then kill "$STUB_PID" 2>/dev/null || true; fi
  wait 2>/dev/null || true
  if [ -n "$DB_NAME" ]; then
    psql -h 127.0.0.1 -p 5432 -U postgres -qAt -c "DROP DATABASE IF EXISTS $DB_NAME WITH (FORCE)" >/dev/null 2>&1 || true
  fi
  if [ $rc -ne 0 ] || [ "$KEEP_WORK" = 1 ]; then
    log "exit $rc; logs kept in $WORK (gateway.log, stub.log)"
    [ $rc -ne 0 ] && [ -f "$WORK/gateway.log" ] && { echo "--- gateway.log (tail)"; tail -30 "$WORK/gateway.log"; } >&2
  else
    rm -rf "$WORK"
  fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- tools
if ! command -v wrk >/dev/null 2>&1; then
  log "installing wrk (Debian package)"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get install -y wrk >/dev/null 2>&1 || { $SUDO apt-get update >/dev/null && $SUDO apt-get install -y wrk >/dev/null; }
fi
command -v wrk >/dev/null || die "wrk is not installed"
command -v python3 >/dev/null || die "python3 is needed"
command -v curl >/dev/null || die "curl is needed"
JAVA_HOME=$("$ROOT/sluice" java) || die "no JDK 21+ found"
export JAVA_HOME PATH="$JAVA_HOME/bin:$PATH"

JAR=${BENCH_JAR:-$ROOT/bootstrap/target/sluice.jar}
if [ ! -f "$JAR" ]; then
  [ -n "${BENCH_JAR:-}" ] && die "BENCH_JAR=$JAR does not exist"
  log "building the gateway jar"
  "$ROOT/sluice" build
fi
# run a private copy: a rebuild of bootstrap/target during the run must not change the jar under us
cp "$JAR" "$WORK/sluice.jar"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
STUB_PORT=$(free_port); GW_PORT=$(free_port); ADMIN_PORT=$(free_port)
while [ "$GW_PORT" = "$STUB_PORT" ]; do GW_PORT=$(free_port); done
while [ "$ADMIN_PORT" = "$STUB_PORT" ] || [ "$ADMIN_PORT" = "$GW_PORT" ]; do ADMIN_PORT=$(free_port); done
STUB="http://127.0.0.1:$STUB_PORT"
GW="http://127.0.0.1:$GW_PORT"
ADMIN="http://127.0.0.1:$ADMIN_PORT/admin/api/v1"

# ---------------------------------------------------------------- the machine, before the run
say "# Sluice benchmark $TS"
say ""
say "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(. /etc/os-release; echo "$PRETTY_NAME"), kernel $(uname -r)"
say "cpu: $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)"
say "jdk: $("$JAVA_HOME/bin/java" -version 2>&1 | sed -n 2p)"
say "wrk: $(wrk -v 2>&1 | head -1 | awk '{print $1, $2}'); python: $(python3 --version 2>&1)"
say "gateway: ${BENCH_JAR:+$BENCH_JAR, }$(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null || echo '?')$( [ -n "$(cd "$ROOT" && git status --porcelain --untracked-files=no 2>/dev/null)" ] && echo ' (work tree has uncommitted changes)'), jar built $(date -u -r "$WORK/sluice.jar" +%Y-%m-%dT%H:%MZ)"
say "gateway JVM: $GATEWAY_JAVA_OPTS"
say "settings: warm-up ${WARMUP}s, wrk ${DURATION}s per run, wrk threads 1 at 1 connection and $WRK_THREADS above, $STREAMS streams for TTFT, $CONCURRENT concurrent streams, stub loops $STUB_LOOPS"
say "load before the run: $(uptime | sed 's/.*load average/load average/')"
say "busiest processes before the run (top, 1 s sample):"
top -bn2 -d1 -c -w 512 | awk '/^top -/ {n++} n == 2' | sed -n '8,14p' | awk '$9 + 0 >= 1 {cmd=$12; for(i=13;i<=NF;i++) cmd=cmd" "$i; printf "  %6s %%CPU  %s\n", $9, substr(cmd,1,110)}' | tee -a "$RESULT"
say ""

# ---------------------------------------------------------------- database
if [ "$DB_MODE" = auto ] && command -v pg_isready >/dev/null 2>&1 && pg_isready -q -h 127.0.0.1 -p 5432 \
   && psql -h 127.0.0.1 -p 5432 -U postgres -qAt -c 'select 1' >/dev/null 2>&1; then
  DB_NAME="sluice_bench_$(date +%s)_$$"
  psql -h 127.0.0.1 -p 5432 -U postgres -qAt -c "CREATE DATABASE $DB_NAME" >/dev/null
  export SLUICE_DB_URL="jdbc:postgresql://127.0.0.1:5432/$DB_NAME" SLUICE_DB_USER=postgres SLUICE_DB_PASSWORD=""
  say "database: PostgreSQL at 127.0.0.1:5432, database $DB_NAME (dropped at the end)"
else
  unset SLUICE_DB_URL
  say "database: the gateway's embedded PostgreSQL in $WORK/data"
fi

# ---------------------------------------------------------------- stub and gateway
log "starting the stub upstream on :$STUB_PORT"
java -Xms32m -Xmx128m -XX:+UseSerialGC -Dstub.chunks=5 -Dstub.delay.ms=1 \
  "$BENCH/StubUpstream.java" "$STUB_PORT" "$STUB_LOOPS" > "$WORK/stub.log" 2>&1 &
STUB_PID=$!

log "starting the gateway on :$GW_PORT (admin :$ADMIN_PORT)"
ADMIN_TOKEN=$(python3 -c 'import secrets; print(secrets.token_hex(24))')
SECRET_KEY=$(python3 -c 'import base64, os; print(base64.b64encode(os.urandom(32)).decode())')
mkdir -p "$WORK/data"
# shellcheck disable=SC2086
SLUICE_PORT=$GW_PORT SLUICE_ADMIN_PORT=$ADMIN_PORT SLUICE_DATA_DIR="$WORK/data" \
SLUICE_ADMIN_TOKEN=$ADMIN_TOKEN SLUICE_SECRET_KEY=$SECRET_KEY SLUICE_API_KEYS_REQUIRED=true \
  java $GATEWAY_JAVA_OPTS -jar "$WORK/sluice.jar" > "$WORK/gateway.log" 2>&1 &
GW_PID=$!

for _ in $(seq 1 240); do
  curl -fs "$STUB/v1/models" >/dev/null 2>&1 && break
  kill -0 "$STUB_PID" 2>/dev/null || { cat "$WORK/stub.log" >&2; die "the stub did not start"; }
  sleep 0.25
done
curl -fs "$STUB/v1/models" >/dev/null || die "the stub does not answer"
T_START=$(date +%s.%N)
for _ in $(seq 1 480); do
  curl -fs "http://127.0.0.1:$ADMIN_PORT/health" >/dev/null 2>&1 && curl -fs "$GW/health/liveness" >/dev/null 2>&1 && break
  kill -0 "$GW_PID" 2>/dev/null || die "the gateway exited during start"
  sleep 0.25
done
curl -fs "http://127.0.0.1:$ADMIN_PORT/health" >/dev/null || die "the gateway did not become healthy"
log "gateway up after $(python3 -c "print(round($(date +%s.%N) - $T_START, 1))") s"

# ---------------------------------------------------------------- configuration: backend, app, key
api() { curl -fsS -X "$1" "$ADMIN$2" -H "Authorization: Bearer $ADMIN_TOKEN" -H 'Content-Type: application/json' ${3:+-d "$3"}; }
api POST /backends '{"name":"bench-stub","baseUrl":"'"$STUB"'/v1","apiKey":"sk-bench-upstream-key","priority":1,"weight":10,
  "timeoutMs":60000,"enabled":true,"headers":{},"models":[{"name":"bench-model","upstreamModel":"bench-upstream"}]}' >/dev/null \
  || die "could not create the backend"
APP_ID=$(api POST /apps '{"name":"bench"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
KEY=$(api POST "/apps/$APP_ID/keys" | python3 -c 'import json,sys; print(json.load(sys.stdin)["key"])')
export BENCH_KEY=$KEY BENCH_MODEL=bench-model

# smoke: both paths answer 200, and the gateway refuses a wrong key
CHAT='{"model":"bench-model","messages":[{"role":"user","content":"hi"}]}'
code=$(curl -s -o "$WORK/smoke.json" -w '%{http_code}' "$GW/v1/chat/completions" -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' -d "$CHAT")
[ "$code" = 200 ] || { cat "$WORK/smoke.json" >&2; die "gateway answered $code to a chat completion"; }
grep -q '"usage"' "$WORK/smoke.json" || die "unexpected answer: $(cat "$WORK/smoke.json")"
code=$(curl -s -o /dev/null -w '%{http_code}' "$GW/v1/chat/completions" -H "Authorization: Bearer nope" -d "$CHAT")
[ "$code" = 401 ] || die "gateway answered $code to a wrong key"
curl -sN "$GW/v1/chat/completions" -H "Authorization: Bearer $KEY" -d '{"model":"bench-model","stream":true,"messages":[]}' \
  | grep -q 'data: \[DONE\]' || die "gateway stream did not end with [DONE]"

# ---------------------------------------------------------------- helpers
cpu_ticks() { python3 -c "import sys; t=open('/proc/$1/stat').read(); r=t[t.rfind(')')+2:].split(); print(int(r[11])+int(r[12]))"; }

log_pending() { curl -fs "http://127.0.0.1:$ADMIN_PORT/prometheus" 2>/dev/null | awk '/^sluice_request_log_pending/ {printf "%d", $2; f=1} END {if (!f) printf "na"}'; }

# run_wrk TARGET CONNS [extra label]: one wrk run, with the gateway's and the stub's CPU ticks over it
run_wrk() {
  local target=$1 conns=$2 url threads exact=0 g0 g1 s0 s1 line rss_pid=""
  if [ "$target" = gateway ]; then url="$GW/v1/chat/completions"; else url="$STUB/v1/chat/completions"; fi
  threads=$WRK_THREADS
  [ "$conns" -lt "$threads" ] && threads=$conns
  exact=${BENCH_EXACT:-1}
  if [ "$target" = gateway ] && [ "$conns" -eq 64 ]; then
    ( while kill -0 "$GW_PID" 2>/dev/null; do awk '/VmRSS/ {print $2}' "/proc/$GW_PID/status"; sleep 0.5; done ) > "$WORK/rss.txt" 2>/dev/null &
    rss_pid=$!; BG_PIDS="$BG_PIDS $rss_pid"
  fi
  python3 "$BENCH/report.py" threads "$GW_PID" > "$WORK/threads-before.json"
  g0=$(cpu_ticks "$GW_PID"); s0=$(cpu_ticks "$STUB_PID")
  BENCH_EXACT=$exact wrk -t"$threads" -c"$conns" -d"${DURATION}s" --timeout 10s --latency -s "$BENCH/chat.lua" "$url" > "$WORK/wrk-$target-$conns.txt" 2>&1 \
    || die "wrk failed: $(cat "$WORK/wrk-$target-$conns.txt")"
  s1=$(cpu_ticks "$STUB_PID")
  local pending="na" drain_s=0
  if [ "$target" = gateway ]; then
    # The request log is written in the background: records still queued at the end of the run
    # (Prometheus gauge) are part of the requests' cost, so CPU is counted until they are stored
    # (at most 60 s more).
    pending=$(log_pending)
    local t_end; t_end=$(date +%s.%N)
    for _ in $(seq 1 300); do
      case "$(log_pending)" in 0|na) break ;; esac
      sleep 0.2
    done
    drain_s=$(python3 -c "print(round($(date +%s.%N) - $t_end, 1))")
  fi
  g1=$(cpu_ticks "$GW_PID")
  python3 "$BENCH/report.py" threads "$GW_PID" > "$WORK/threads-after.json"
  line=$(grep '^BENCH ' "$WORK/wrk-$target-$conns.txt") || die "no result from wrk: $(cat "$WORK/wrk-$target-$conns.txt")"
  echo "$line phase=wrk target=$target conns=$conns threads=$threads gw_cpu_ticks=$((g1 - g0)) stub_cpu_ticks=$((s1 - s0)) log_pending=${pending:-na} drain_s=$drain_s" >> "$RAW"
  if [ -n "$rss_pid" ]; then
    kill "$rss_pid" 2>/dev/null || true
    echo "BENCH phase=rss rss_max_kb=$(sort -n "$WORK/rss.txt" | tail -1) rss_end_kb=$(awk '/VmRSS/ {print $2}' "/proc/$GW_PID/status") hwm_kb=$(awk '/VmHWM/ {print $2}' "/proc/$GW_PID/status") heap_committed_kb=$(jcmd "$GW_PID" GC.heap_info 2>/dev/null | grep -oE 'committed [0-9]+K' | head -1 | tr -dc 0-9) threads=$(awk '/Threads/ {print $2}' "/proc/$GW_PID/status")" >> "$RAW"
  fi
  if [ "$target" = gateway ]; then
    python3 "$BENCH/report.py" threaddiff "$WORK/threads-before.json" "$WORK/threads-after.json" \
      "$(sed 's/.* requests=\([0-9]*\).*/\1/' <<<"$line")" > "$WORK/threadcpu-$conns.txt"
  fi
  log "$target $conns conns: $(sed -E 's/.* rps=([0-9.]+) .*/\1 req\/s/' <<<"$line")$(sed -nE 's/.*exact_p50_us=([0-9]+) .*exact_p99_us=([0-9]+).*/, p50 \1 us, p99 \2 us/p' <<<"$line")"
}

# ---------------------------------------------------------------- warm-up
log "warming up for ${WARMUP}s (wrk 16 connections + streams through the gateway)"
python3 "$BENCH/stream_client.py" ttft --target "gateway=$GW" --key "$KEY" --warmup 0 --n 1500 > /dev/null 2>&1 &
WARM_STREAMS=$!; BG_PIDS="$BG_PIDS $WARM_STREAMS"
wrk -t2 -c16 -d"${WARMUP}s" -s "$BENCH/chat.lua" "$GW/v1/chat/completions" > "$WORK/warmup.txt" 2>&1 || die "warm-up failed"
kill "$WARM_STREAMS" 2>/dev/null || true
wrk -t1 -c1 -d3s -s "$BENCH/chat.lua" "$GW/v1/chat/completions" > /dev/null 2>&1
wrk -t1 -c1 -d2s -s "$BENCH/chat.lua" "$STUB/v1/chat/completions" > /dev/null 2>&1
log "warm-up: $(grep '^BENCH' "$WORK/warmup.txt" | sed -E 's/.* rps=([0-9.]+) .*/\1 req\/s at 16 connections/')"
# let the request log store what the warm-up queued before anything is measured (at most 60 s)
for _ in $(seq 1 300); do
  case "$(log_pending)" in 0|na) break ;; esac
  sleep 0.2
done
sleep 1
i0=$(cpu_ticks "$GW_PID"); sleep 3; i1=$(cpu_ticks "$GW_PID")
echo "BENCH phase=idle cpu_ms_per_s=$(python3 -c "print(round(($i1-$i0)*1000/$(getconf CLK_TCK)/3, 1))")" >> "$RAW"

# ---------------------------------------------------------------- contention bookkeeping
# CPU of the processes this shell started and reaped (wrk, the streaming client, helpers): bash's
# `times` must run in this shell itself (a subshell would report its own, empty, children)
record_children() { times > "$WORK/times.txt"; }
children_ticks() { tail -1 "$WORK/times.txt" | awk -v hz="$(getconf CLK_TCK)" '{ t = 0; for (i = 1; i <= 2; i++) { split($i, a, /[ms]/); t += a[1] * 60 + a[2] } printf "%d", t * hz }'; }
read -r SYS0 PG0 < <(python3 "$BENCH/report.py" sysstat)
record_children; CH0=$(children_ticks); MG0=$(cpu_ticks "$GW_PID"); MS0=$(cpu_ticks "$STUB_PID"); MT0=$(date +%s.%N)

# ---------------------------------------------------------------- non-streamed: 1, 16, 64 connections
for c in 1 16 64; do
  run_wrk direct "$c"
  run_wrk gateway "$c"
done

# ---------------------------------------------------------------- streamed
log "time to first token: $STREAMS streams each, direct and gateway alternating"
python3 "$BENCH/stream_client.py" ttft --target "direct=$STUB" --target "gateway=$GW" --key "$KEY" --n "$STREAMS" --warmup 50 \
  --chunks 5 --delay-ms 1 >> "$RAW" || die "the streaming client failed"
log "time to first token again with back-to-back streams (no pause between chunks, so no idle CPU between requests)"
python3 "$BENCH/stream_client.py" ttft --target "direct=$STUB" --target "gateway=$GW" --key "$KEY" --n "$STREAMS" --warmup 50 \
  --chunks 5 --delay-ms 0 | sed 's/kind=ttft/kind=ttft_hot/' >> "$RAW" || die "the streaming client failed"
log "$CONCURRENT concurrent streams (20 chunks, 50 ms apart: ~1 s each), direct then gateway"
python3 "$BENCH/stream_client.py" concurrent --target "direct=$STUB" --key "$KEY" --n "$CONCURRENT" --chunks 20 --delay-ms 50 >> "$RAW" || true
python3 "$BENCH/stream_client.py" concurrent --target "gateway=$GW" --key "$KEY" --n "$CONCURRENT" --chunks 20 --delay-ms 50 >> "$RAW" || true
read -r SYS1 PG1 < <(python3 "$BENCH/report.py" sysstat)
record_children; CH1=$(children_ticks); MG1=$(cpu_ticks "$GW_PID"); MS1=$(cpu_ticks "$STUB_PID"); MT1=$(date +%s.%N)
echo "BENCH phase=contention wall_s=$(python3 -c "print(round($MT1 - $MT0, 1))") busy_ticks=$((SYS1 - SYS0)) gw_ticks=$((MG1 - MG0)) stub_ticks=$((MS1 - MS0)) tools_ticks=$((CH1 - CH0)) pg_ticks=$((PG1 - PG0)) other_ticks=$(( (SYS1 - SYS0) - (MG1 - MG0) - (MS1 - MS0) - (CH1 - CH0) - (PG1 - PG0) ))" >> "$RAW"
# the gateway must still answer afterwards
code=$(curl -s -o /dev/null -w '%{http_code}' "$GW/v1/chat/completions" -H "Authorization: Bearer $KEY" -d "$CHAT")
echo "BENCH phase=after_streams status=$code" >> "$RAW"

# ---------------------------------------------------------------- results
say "## Results"
say ""
python3 "$BENCH/report.py" table "$RAW" | tee -a "$RESULT"
say ""
say "## Gateway CPU by thread (from /proc/<pid>/task/*/stat over the wrk runs)"
for c in 1 16 64; do
  say ""
  say "$c connection(s): $(cat "$WORK/threadcpu-$c.txt")"
done
say ""
say "load after the measurements: $(uptime | sed 's/.*load average/load average/')"

# ---------------------------------------------------------------- profile (after the measurements: JFR has a cost)
if [ "$PROFILE" = 1 ]; then
  JFR_FILE="$BENCH/results/$TS.jfr"
  log "profiling: JFR (profile settings + CPU-time sampling) during a ${PROFILE_SECONDS}s wrk run at 16 connections"
  JFR_OPTS=""
  if jcmd "$GW_PID" JFR.start name=bench settings=profile 'jdk.CPUTimeSample#enabled=true' 'jdk.CPUTimeSample#throttle=2ms' > "$WORK/jfr-start.txt" 2>&1; then
    JFR_OPTS="profile + jdk.CPUTimeSample every 2 ms of CPU"
  else
    jcmd "$GW_PID" JFR.start name=bench settings=profile > "$WORK/jfr-start.txt" 2>&1 || die "JFR.start failed: $(cat "$WORK/jfr-start.txt")"
    JFR_OPTS="profile (execution samples every 10-20 ms)"
  fi
  p0=$(cpu_ticks "$GW_PID")
  wrk -t"$WRK_THREADS" -c16 -d"${PROFILE_SECONDS}s" -s "$BENCH/chat.lua" "$GW/v1/chat/completions" > "$WORK/wrk-profile.txt" 2>&1 || true
  p1=$(cpu_ticks "$GW_PID")
  jcmd "$GW_PID" JFR.stop name=bench filename="$JFR_FILE" > /dev/null
  preq=$(sed -n 's/^BENCH requests=\([0-9]*\).*/\1/p' "$WORK/wrk-profile.txt")
  say ""
  say "## Profile: JFR ($JFR_OPTS), wrk ${PROFILE_SECONDS}s at 16 connections through the gateway"
  say "while recording: $(sed -nE 's/^BENCH .* rps=([0-9.]+) .*/\1 req\/s/p' "$WORK/wrk-profile.txt"), gateway CPU $(python3 -c "print(round(($p1-$p0)/$(getconf CLK_TCK)*1e6/max(1,${preq:-0}),1))") µs per request (JFR's own cost included)"
  say "recording: bench/results/$TS.jfr"
  python3 "$BENCH/report.py" hot "$JFR_FILE" 20 "${preq:-0}" 2>&1 | tee -a "$RESULT" || true
  say ""
  say "allocation by site (jfr view allocation-by-site, top 12):"
  jfr view --width 170 allocation-by-site "$JFR_FILE" 2>/dev/null | sed -n '5,16p' | tee -a "$RESULT" || true
fi

say ""
say "## Raw"
cat "$RAW" >> "$RESULT"
say "(raw BENCH lines appended to $RESULT)"
log "results: $RESULT"
