#!/usr/bin/env bash
# Storage benchmark: the machine's raw fsync limit (dd oflag=dsync, fio) and the embedded store's
# commit throughput (StorageBenchmark), measured together so that they can be compared.
#
#   bench/storage-bench.sh [--data-dir DIR] [--report FILE] [--skip-build] [--no-fio] [-- StorageBenchmark options]
#
# DIR (default bench/target/storage-bench) must be on the disk you want to measure; the raw-disk
# tests and the store both write there. Everything goes to stdout and to the report
# (default bench/target/storage-bench-report.md). Takes about 5 minutes with the defaults.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
DATA_DIR="$ROOT/bench/target/storage-bench"
REPORT="$ROOT/bench/target/storage-bench-report.md"
BUILD=1
FIO=1
DD_COUNT_1K=${DD_COUNT_1K:-5000}
DD_COUNT_64K=${DD_COUNT_64K:-2000}
FIO_SECONDS=${FIO_SECONDS:-10}
BENCH_ARGS=()

while [[ $# -gt 0 ]]; do
  case "$1" in
    --data-dir) DATA_DIR=$2; shift 2 ;;
    --report) REPORT=$2; shift 2 ;;
    --skip-build) BUILD=0; shift ;;
    --no-fio) FIO=0; shift ;;
    --) shift; BENCH_ARGS=("$@"); break ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

mkdir -p "$DATA_DIR" "$(dirname "$REPORT")"
DATA_DIR=$(cd "$DATA_DIR" && pwd)
: > "$REPORT"
# Everything below goes to the terminal and the report.
exec > >(tee -a "$REPORT") 2>&1

say() { printf '%s\n' "$*"; }

if [[ $BUILD == 1 ]]; then
  # maven.test.skip (not just skipTests): the benchmark needs no test classes, so it builds even
  # while a test elsewhere does not compile.
  (cd "$ROOT" && ./mvnw -q -B -Dmaven.test.skip=true -pl bench -am package)
fi
JAR="$ROOT/bench/target/tributary-bench.jar"
[[ -f $JAR ]] || { echo "missing $JAR: run without --skip-build" >&2; exit 1; }

say "## Storage benchmark report"
say
say "- date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
say "- CPUs (nproc): $(nproc); CPU model: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
say "- memory: $(free -h | awk '/^Mem:/ {print $2 " total, " $7 " available"}')"
say "- kernel: $(uname -srm)"
say "- data dir: $DATA_DIR on $(df -T "$DATA_DIR" | awk 'NR==2 {print $1 " (" $2 ")"}'), mount options: $(findmnt -no OPTIONS -T "$DATA_DIR" 2>/dev/null || echo unknown)"
say "- JDK: $(java -version 2>&1 | head -1)"
say "- load average (1/5/15 min) before the run: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine skews every figure below)"
say

# ---------------------------------------------------------------- raw disk: dd
# Appending writes with O_DSYNC: each write returns only once it is on stable storage, the way a
# WAL append followed by fdatasync does. This is the ceiling for one synchronous writer.
dd_test() {
  local bs=$1 count=$2 file="$DATA_DIR/dd-test"
  rm -f "$file"
  local out secs
  out=$(LC_ALL=C dd if=/dev/zero of="$file" bs="$bs" count="$count" oflag=dsync 2>&1 | tail -1)
  rm -f "$file"
  secs=$(sed -E 's/.* copied, ([0-9.]+) s.*/\1/' <<<"$out")
  say "- \`dd if=/dev/zero of=$file bs=$bs count=$count oflag=dsync\`"
  say "  - $out"
  say "  - $(awk -v n="$count" -v s="$secs" 'BEGIN {printf "%.0f synchronous writes/s, %.3f ms per write", n / s, 1000 * s / n}')"
}

say "### Raw disk: sequential writes, each one synced"
say
dd_test 1k "$DD_COUNT_1K"
dd_test 64k "$DD_COUNT_64K"
say

# ---------------------------------------------------------------- raw disk: fio
if [[ $FIO == 1 ]] && ! command -v fio >/dev/null 2>&1; then
  if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null 2>&1; then
    say "(installing fio with apt-get)"
    apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq fio >/dev/null 2>&1 || true
  fi
fi
if [[ $FIO == 1 ]] && command -v fio >/dev/null 2>&1; then
  say "### Raw disk: fio ($(fio --version)): sequential writes with fdatasync after every write, then streaming bandwidth"
  say
  for bs in 1k 64k; do
    file="$DATA_DIR/fio-test"
    rm -f "$file"
    # fdatasync per write is what RocksDB does for its WAL (use_fsync=false by default).
    cmd=(fio --name=seq-fdatasync-$bs --filename="$file" --rw=write --bs=$bs --size=2g --ioengine=sync
         --fdatasync=1 --runtime="$FIO_SECONDS" --time_based=0 --output-format=json)
    json=$("${cmd[@]}")
    rm -f "$file"
    say "- \`${cmd[*]}\`"
    jq -r '.jobs[0] | "  - \(.write.iops | floor) writes/s, \(.write.bw_bytes / 1e6 | . * 100 | floor / 100) MB/s; fdatasync latency p50 \(.sync.lat_ns.percentile["50.000000"] / 1e3 | floor / 1e3) ms, p99 \(.sync.lat_ns.percentile["99.000000"] / 1e3 | floor / 1e3) ms; write+sync per op avg \((.write.lat_ns.mean + .sync.lat_ns.mean) / 1e6 | . * 1000 | floor / 1000) ms"' <<<"$json" \
      || say "  - (could not parse fio output)"
  done
  # For comparison: the device's streaming bandwidth with no sync per write (1 MiB direct writes).
  # A store's memtable flushes and compactions share this bandwidth with its WAL.
  file="$DATA_DIR/fio-test"
  rm -f "$file"
  cmd=(fio --name=seq-bandwidth-1m --filename="$file" --rw=write --bs=1m --size=2g --ioengine=libaio --iodepth=4
       --direct=1 --runtime="$FIO_SECONDS" --time_based=0 --output-format=json)
  json=$("${cmd[@]}")
  rm -f "$file"
  say "- \`${cmd[*]}\`"
  jq -r '.jobs[0] | "  - \(.write.bw_bytes / 1e6 | floor) MB/s streaming write bandwidth, no sync"' <<<"$json" \
    || say "  - (could not parse fio output)"
  say
else
  say "(fio not available: skipped)"
  say
fi

# ---------------------------------------------------------------- the store
BENCH_RESULTS="$DATA_DIR/storage-benchmark-results.md"
say "### Embedded store"
say
say "\`java -Xmx2g -jar $JAR --data-dir $DATA_DIR --results $BENCH_RESULTS ${BENCH_ARGS[*]:-}\`"
say
status=0
java -Xmx2g -jar "$JAR" --data-dir "$DATA_DIR" --results "$BENCH_RESULTS" "${BENCH_ARGS[@]}" || status=$?
say
say "report: $REPORT"
exit $status
