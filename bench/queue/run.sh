#!/usr/bin/env bash
# Queue benchmark: memory per queued request, hand-off latency from freed capacity to the next
# queued request's send, and the cost of admission on the non-limited path. In-process, no network.
# See bench/queue/README.md.
#
#   bench/queue/run.sh            build the jars if missing, run, write bench/results/queue-<timestamp>.txt
#
# QUEUE_BENCH_JAVA_OPTS overrides the JVM options (default: -Xms512m -Xmx512m -XX:+UseG1GC).
set -euo pipefail
cd "$(dirname "$0")/../.."

# the module jar itself (not -tests / -sources), or nothing
module_jar() {
  local dir=$1 name=$2
  ls "$dir"/target/"$name"-*.jar 2>/dev/null | grep -v -e '-tests\.jar$' -e '-sources\.jar$' -e '-javadoc\.jar$' | head -1 || true
}

jars() {
  module_jar domain sluice-domain
  module_jar application sluice-application
  module_jar adapters/ratelimit-local sluice-ratelimit-local
}

if [ "$(jars | grep -c .)" -lt 3 ]; then
  echo "queue-bench: module jars missing, building them (./sluice build)" >&2
  ./sluice build
fi
# copies, so that a rebuild of the modules while the benchmark runs cannot pull a jar from under it
TMP="$(mktemp -d -t queue-bench.XXXXXX)"
trap 'rm -rf "$TMP"' EXIT
CP=""
while read -r jar; do
  cp "$jar" "$TMP/"
  CP="${CP:+$CP:}$TMP/$(basename "$jar")"
done < <(jars)

# a JDK >= 21, the one ./sluice uses (the jars target release 21)
JAVA_HOME="$(./sluice java)"
JAVA="$JAVA_HOME/bin/java"
read -r -a OPTS <<< "${QUEUE_BENCH_JAVA_OPTS:--Xms512m -Xmx512m -XX:+UseG1GC}"

mkdir -p bench/results
OUT="bench/results/queue-$(date -u +%Y%m%dT%H%M%SZ).txt"
{
  echo "command: $JAVA ${OPTS[*]} -cp <jars> bench/queue/QueueBench.java"
  echo "jars:    $(jars | paste -sd' ' -) (run from copies)"
  echo "uptime: $(uptime)"
  echo
  "$JAVA" "${OPTS[@]}" -cp "$CP" bench/queue/QueueBench.java "$@"
} 2>&1 | tee "$OUT"
echo "queue-bench: written to $OUT" >&2
