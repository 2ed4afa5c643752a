#!/usr/bin/env bash
# Ledger benchmark: (a) request-log writer throughput, (b) the usage query over a 30-day synthetic ledger.
# Needs: PostgreSQL (PGHOST/PGPORT/PGUSER, default 127.0.0.1:5432 postgres, trust auth), JDK 21+,
# the built gateway jar (bootstrap/target/sluice.jar; built here when missing).
# Env: ROWS (request_log rows, default 10000000), DAYS (default 30), WRITER_ROWS (default 200000),
#      QUERY_RUNS (default 7), KEEP_DB=1 to keep the scratch database sluice_bench_ledger.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
BENCH=$ROOT/bench/ledger
export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-postgres}
JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
JAVA=$JAVA_HOME/bin/java
ROWS=${ROWS:-10000000}
DAYS=${DAYS:-30}
WRITER_ROWS=${WRITER_ROWS:-200000}
QUERY_RUNS=${QUERY_RUNS:-7}
DB=sluice_bench_ledger
URL="jdbc:postgresql://$PGHOST:$PGPORT/$DB"
OUT=$BENCH/results/$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$OUT"
exec > >(tee "$OUT/run.log") 2>&1

if [ ! -f bootstrap/target/sluice.jar ]; then
  JAVA_HOME=$JAVA_HOME ./mvnw -q -o install -DskipTests -Dmaven.test.skip=true
fi
echo "== machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GB RAM; $(psql -Atc 'select version()' postgres | cut -d, -f1)"
echo "== load before: $(uptime)"

psql -q -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB" postgres
SLUICE_DB_URL=$URL SLUICE_DB_USER=$PGUSER SLUICE_DATA_DIR=$(mktemp -d) \
  "$JAVA" -jar bootstrap/target/sluice.jar migrate 2>&1 | grep -i 'migrated' || true

echo "== (a) request-log writer throughput ($WRITER_ROWS rows, default flush interval 200 ms, batch 1000)"
"$JAVA" -Xmx1g -cp bootstrap/target/sluice.jar "$BENCH/LedgerThroughput.java" "$URL" "$PGUSER" "$WRITER_ROWS" 2>&1 \
  | grep -v -E '^(SLF4J|WARNING)' || true
echo "== load after (a): $(uptime)"

echo "== (b) generating $ROWS request_log rows over $DAYS days + usage_minute aggregates"
start=$(date +%s)
psql -v rows="$ROWS" -v days="$DAYS" -f "$BENCH/generate.sql" "$DB"
echo "generated in $(( $(date +%s) - start )) s"
psql -Atc "select 'size: request_log ' || pg_size_pretty(sum(pg_total_relation_size(c.oid))) from pg_class c join pg_inherits i on i.inhrelid = c.oid where i.inhparent = 'request_log'::regclass
           union all select 'size: request_log (unpartitioned) ' || pg_size_pretty(pg_total_relation_size('request_log')) where not exists (select 1 from pg_partitioned_table where partrelid = 'request_log'::regclass)
           union all select 'size: usage_minute ' || pg_size_pretty(pg_total_relation_size('usage_minute'))" "$DB"

echo "== load before the query: $(uptime)"
echo "== plan"
{ echo 'EXPLAIN (ANALYZE, BUFFERS)'; grep -v '^--' "$BENCH/usage-query.sql"; } | psql -X "$DB"
echo "== usage query, $QUERY_RUNS runs (first is cold-ish), result rows: $(psql -XAt -f "$BENCH/usage-query.sql" "$DB" | wc -l)"
{ echo '\timing on'; echo '\o /dev/null'; for _ in $(seq "$QUERY_RUNS"); do grep -v '^--' "$BENCH/usage-query.sql"; done; } \
  | psql -X "$DB" | grep -E '^Time' | tee "$OUT/query-times.txt"
sort -t' ' -k2 -n "$OUT/query-times.txt" | awk '{t[NR]=$2} END {print "usage query: min " t[1] " ms, median " t[int((NR+1)/2)] " ms, max " t[NR] " ms"}'
echo "== load after: $(uptime)"

if [ "${KEEP_DB:-0}" != 1 ]; then psql -q -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" postgres; fi
echo "results in $OUT"
