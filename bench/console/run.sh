#!/usr/bin/env bash
# Console benchmark: how long each console page takes, end to end through the console and the admin
# API, over a request log of ROWS rows spread over the DAYS days that end now (so "today", "this week"
# and "this month" are full), with 10 backends and 10 apps configured.
# Needs: PostgreSQL (PGHOST/PGPORT/PGUSER, default 127.0.0.1:5432 postgres, trust auth), JDK 21+, curl,
# the built gateway jar (bootstrap/target/sluice.jar; built here when missing).
# Env: ROWS (default 10000000), DAYS (default 29), RUNS (timed runs per page, default 10, after 2 warm-ups),
#      KEEP_DB=1 to keep the scratch database sluice_bench_console (and REUSE_DB=1 to skip generating it again).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-postgres}
JAVA_HOME=${JAVA_HOME:-$(./sluice java)}
JAVA=$JAVA_HOME/bin/java
ROWS=${ROWS:-10000000}
DAYS=${DAYS:-29}
RUNS=${RUNS:-10}
PORT=${PORT:-18380}
ADMIN_PORT=${ADMIN_PORT:-18381}
DB=sluice_bench_console
URL="jdbc:postgresql://$PGHOST:$PGPORT/$DB"
OUT=$ROOT/bench/console/results/$(date -u +%Y%m%dT%H%M%SZ)
WORK=$(mktemp -d)
TOKEN=bench-console-token-0123456789abcdef
ADMIN="http://127.0.0.1:$ADMIN_PORT"
mkdir -p "$OUT"
exec > >(tee "$OUT/run.log") 2>&1
GW_PID=
cleanup() {
  [ -n "$GW_PID" ] && kill "$GW_PID" 2>/dev/null && wait "$GW_PID" 2>/dev/null || true
  if [ "${KEEP_DB:-0}" != 1 ]; then psql -q -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" postgres || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

if [ ! -f bootstrap/target/sluice.jar ]; then
  JAVA_HOME=$JAVA_HOME ./mvnw -q -o install -DskipTests -Dmaven.test.skip=true
fi
echo "== machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GB RAM; $(psql -Atc 'select version()' postgres | cut -d, -f1)"

if [ "${REUSE_DB:-0}" != 1 ]; then
  psql -q -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB" postgres
  SLUICE_DB_URL=$URL SLUICE_DB_USER=$PGUSER SLUICE_DATA_DIR=$WORK/migrate "$JAVA" -jar bootstrap/target/sluice.jar migrate \
    2>&1 | grep -i 'migrated' || true
  start=$(date -u -d "-$DAYS days" '+%Y-%m-%d %H:%M:%S+00')
  echo "== generating $ROWS request_log rows from $start over $DAYS days (bench/ledger/generate.sql)"
  t0=$(date +%s)
  psql -q -v rows="$ROWS" -v days="$DAYS" -v start="$start" -f bench/ledger/generate.sql "$DB" | grep -E 'request_log_rows|^ *[0-9]+ *\|' || true
  echo "generated in $(( $(date +%s) - t0 )) s"
fi
psql -Atc "select 'request_log rows: ' || count(*) from request_log" "$DB"

echo "== starting the gateway on $DB"
SLUICE_DB_URL=$URL SLUICE_DB_USER=$PGUSER SLUICE_DATA_DIR=$WORK/data SLUICE_ADMIN_TOKEN=$TOKEN \
  SLUICE_PORT=$PORT SLUICE_ADMIN_PORT=$ADMIN_PORT "$JAVA" -Xmx256m -jar bootstrap/target/sluice.jar >"$OUT/gateway.log" 2>&1 &
GW_PID=$!
for _ in $(seq 1 120); do curl -fs "$ADMIN/health" >/dev/null 2>&1 && break; sleep 0.5; done
curl -fs "$ADMIN/health" >/dev/null || { echo "the gateway did not start; see $OUT/gateway.log"; exit 1; }

api() { curl -fsS -X "$1" "$ADMIN/admin/api/v1$2" -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' ${3:+-d "$3"}; }
# the backends and apps the generated rows name (backend-0..9 serve model-0..2; app-0..9 of the 100)
existing=$(api GET /backends | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["data"]))')
[ "$existing" = 0 ] && for i in $(seq 0 9); do
  api POST /backends "{\"name\":\"backend-$i\",\"baseUrl\":\"http://127.0.0.1:9/v1\",\"models\":[{\"name\":\"model-$((i % 3))\"}],
    \"limits\":{\"rpm\":600,\"tpm\":100000},\"quota\":{\"tokensPerPeriod\":100000000,\"periodCron\":\"0 0 1 * *\",\"timeZone\":\"UTC\"}}" >/dev/null
  api POST /apps "{\"name\":\"app-$i\"}" >/dev/null
done
BACKEND_ID=$(api GET /backends | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"][0]["id"])')
APP_ID=$(api GET /apps | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"][0]["id"])')
REQUEST_ID=$(api GET '/requests?limit=1' | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"][0]["requestId"])')

# sign in as a browser does: the form post sets the session cookie
curl -fsS -o /dev/null -c "$WORK/cookies" -H "Origin: $ADMIN" --data-urlencode "token=$TOKEN" "$ADMIN/console/login"

PAGES=(
  "/console"
  "/console?range=week&bucket=hour"
  "/console?range=month&bucket=day"
  "/console/data/usage?groupBy=backend&range=today&bucket=hour"
  "/console/data/usage?groupBy=app&range=month&bucket=day"
  "/console/data/usage/latency?range=today&bucket=hour"
  "/console/data/usage/latency?range=week&bucket=hour"
  "/console/data/usage/latency?range=month&bucket=day"
  "/console/backends"
  "/console/backends/$BACKEND_ID"
  "/console/apps"
  "/console/apps/$APP_ID"
  "/console/usage?range=month&bucket=day"
  "/console/usage?range=today&bucket=minute"
  "/console/usage/export.csv?range=month&bucket=day"
  "/console/requests"
  "/console/requests?app=app-3"
  "/console/requests?status=503"
  "/console/requests?backend=backend-7&model=model-1"
  "/console/requests/$REQUEST_ID"
  "/console/quotas"
  "/console/queue"
)
echo "== each page: 2 warm-ups, then $RUNS timed runs (ms; curl's time_total, one at a time)"
printf '%-58s %8s %8s %8s %8s %7s\n' page median p95 max bytes status | tee "$OUT/pages.txt"
for page in "${PAGES[@]}"; do
  times=()
  for run in $(seq 1 $((RUNS + 2))); do
    line=$(curl -s -o "$WORK/page" -b "$WORK/cookies" -w '%{http_code} %{time_total} %{size_download}' "$ADMIN$page")
    read -r status seconds bytes <<<"$line"
    [ "$run" -gt 2 ] && times+=("$seconds")
  done
  printf '%s\n' "${times[@]}" | sort -n | awk -v page="${page//$BACKEND_ID/{id\}}" -v bytes="$bytes" -v status="$status" '
    { t[NR] = $1 * 1000 }
    END { p95 = t[int(NR * 0.95 + 0.999)]; if (p95 == "") p95 = t[NR];
          sub(/\/console\/apps\/[0-9a-f-]{36}/, "/console/apps/{id}", page); sub(/\/console\/requests\/bench-[0-9]+/, "/console/requests/{id}", page);
          printf "%-58s %8.1f %8.1f %8.1f %8d %7s\n", page, t[int((NR + 1) / 2)], p95, t[NR], bytes, status }' | tee -a "$OUT/pages.txt"
done
echo "results in $OUT"
