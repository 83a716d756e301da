#!/usr/bin/env bash
# Side by side: the same produce workload against Apache Kafka 4.3.1 (a KRaft single-node broker
# from the Maven Central jars, measured with Kafka's own ProducerPerformance and EndToEndLatency)
# and against Tributary standalone (measured with dev.tributary.bench.load.LoadGenerator on the
# Java SDK), one after the other on this machine, then a table with the ratios Tributary / Kafka.
#
#   bench/side-by-side.sh [options]
#
#   --records N          records per measured produce round (default 1000000)
#   --warmup-records N   records of the discarded warm-up round (default 200000)
#   --rounds N           measured throughput rounds; the median is reported (default 3)
#   --record-bytes N     record value size (default 1024)
#   --partitions N       partitions of every benchmark topic (default 6)
#   --producers N        concurrent producers (Kafka: ProducerPerformance processes; default 1)
#   --consumers N        consumers in one group during the fixed-rate run (Tributary; default 1)
#   --rate N             records/s of the fixed-rate latency run (default 5000)
#   --rate-seconds N     length of the fixed-rate run (default 20)
#   --round-trips N      records of the one-at-a-time end-to-end latency run (default 5000)
#   --round-seconds N    time limit of one Tributary round (default 30; Kafka is bounded by --records)
#   --kafka-fsync        add a Kafka throughput round on a topic with flush.messages=1 (fsync per append)
#   --kafka-tls          Kafka's clients connect over TLS, as Tributary's always do (default: plaintext,
#                        Kafka's default and the usual way its figures are quoted)
#   --only kafka|tributary   run one side only (the table then has no ratios)
#   --jfr                record the Tributary server with Java Flight Recorder (profile settings) during
#                        the throughput rounds into bench/target/side-by-side-server.jfr, and print
#                        where its CPU time went (dev.tributary.bench.profile.JfrBreakdown)
#   --work-dir DIR       where the data directories go (default bench/target/side-by-side; must be
#                        on the disk to measure, not tmpfs); a fresh subdirectory per run, deleted at the end
#   --keep               keep the run's data directories and logs
#   --skip-build         use what is built (bench/target, server/target, bench/target/kafka-lib)
#
# Every option can also be given as an environment variable (RECORDS, WARMUP_RECORDS, ROUNDS,
# RECORD_BYTES, PARTITIONS, PRODUCERS, CONSUMERS, RATE, RATE_SECONDS, ROUND_TRIPS, ROUND_SECONDS).
# Both servers listen on 127.0.0.1 only and are stopped at the end, on failure and on Ctrl-C.
# The report goes to stdout and to bench/target/side-by-side-report.md.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
RECORDS=${RECORDS:-1000000}
WARMUP_RECORDS=${WARMUP_RECORDS:-200000}
ROUNDS=${ROUNDS:-3}
RECORD_BYTES=${RECORD_BYTES:-1024}
PARTITIONS=${PARTITIONS:-6}
PRODUCERS=${PRODUCERS:-1}
CONSUMERS=${CONSUMERS:-1}
RATE=${RATE:-5000}
RATE_SECONDS=${RATE_SECONDS:-20}
ROUND_TRIPS=${ROUND_TRIPS:-5000}
ROUND_SECONDS=${ROUND_SECONDS:-30}
KAFKA_FSYNC=0
KAFKA_TLS=0
JFR=0
ONLY=""
WORK_BASE="$ROOT/bench/target/side-by-side"
KEEP=0
BUILD=1
REPORT="$ROOT/bench/target/side-by-side-report.md"
# Bounds on waiting, so that nothing hangs: server start, and any single tool run.
START_TIMEOUT=${START_TIMEOUT:-120}
TOOL_TIMEOUT=${TOOL_TIMEOUT:-900}

while [[ $# -gt 0 ]]; do
  case "$1" in
    --records) RECORDS=$2; shift 2 ;;
    --warmup-records) WARMUP_RECORDS=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    --record-bytes) RECORD_BYTES=$2; shift 2 ;;
    --partitions) PARTITIONS=$2; shift 2 ;;
    --producers) PRODUCERS=$2; shift 2 ;;
    --consumers) CONSUMERS=$2; shift 2 ;;
    --rate) RATE=$2; shift 2 ;;
    --rate-seconds) RATE_SECONDS=$2; shift 2 ;;
    --round-trips) ROUND_TRIPS=$2; shift 2 ;;
    --round-seconds) ROUND_SECONDS=$2; shift 2 ;;
    --kafka-fsync) KAFKA_FSYNC=1; shift ;;
    --kafka-tls) KAFKA_TLS=1; shift ;;
    --jfr) JFR=1; shift ;;
    --only) ONLY=$2; shift 2 ;;
    --work-dir) WORK_BASE=$2; shift 2 ;;
    --keep) KEEP=1; shift ;;
    --skip-build) BUILD=0; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

for v in RECORDS WARMUP_RECORDS ROUNDS RECORD_BYTES PARTITIONS PRODUCERS CONSUMERS RATE RATE_SECONDS ROUND_TRIPS ROUND_SECONDS; do
  [[ ${!v} =~ ^[0-9]+$ ]] || { echo "$v must be a whole number, not '${!v}'" >&2; exit 2; }
done
((ROUNDS >= 1 && PARTITIONS >= 1 && PRODUCERS >= 1 && RECORD_BYTES >= 16 && RATE >= 1)) \
  || { echo "rounds, partitions, producers and rate must be at least 1, record bytes at least 16" >&2; exit 2; }
case "$ONLY" in ""|kafka|tributary) ;; *) echo "--only takes kafka or tributary" >&2; exit 2 ;; esac
run_kafka() { [[ $ONLY != tributary ]]; }
run_tributary() { [[ $ONLY != kafka ]]; }

KAFKA_LIB="$ROOT/bench/target/kafka-lib"
BENCH_JAR="$ROOT/bench/target/tributary-bench.jar"
SERVER_JAR="$ROOT/server/target/quarkus-app/quarkus-run.jar"
LOG4J_CONFIG="$ROOT/bench/kafka/log4j2.properties"

mkdir -p "$WORK_BASE" "$(dirname "$REPORT")"
WORK=$(mktemp -d "$(cd "$WORK_BASE" && pwd)/run.XXXXXX")
KAFKA_PID=""
TRIBUTARY_PID=""

# Stops a server started by this script: SIGTERM, up to 20 s for a clean shutdown, then SIGKILL.
stop_process() {
  local pid=$1 name=$2
  [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || return 0
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 40); do
    kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
    sleep 0.5
  done
  echo "($name did not stop within 20 s: killing it)"
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

# Every process this script started, directly or not (tools run under timeout, in subshells).
descendants() {
  local child
  for child in $(ps -o pid= --ppid "$1" 2>/dev/null); do
    echo "$child"
    descendants "$child"
  done
}

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  stop_process "$KAFKA_PID" "the Kafka broker"
  stop_process "$TRIBUTARY_PID" "the Tributary server"
  # A tool still running (interrupted mid-run): stop it too, but not the tee writing the report.
  local leftover
  leftover=$(descendants $$ | grep -vx "${TEE_PID:-none}" || true)
  if [[ -n $leftover ]]; then
    # shellcheck disable=SC2086 # a list of pids
    kill $leftover 2>/dev/null || true
  fi
  if [[ $KEEP == 1 || $status != 0 ]]; then
    echo "data directories and logs kept in $WORK"
  else
    rm -rf "$WORK"
  fi
  exit "$status"
}
trap cleanup EXIT
# On Ctrl-C or kill, leave through the EXIT trap, which stops both servers.
trap 'exit 130' INT
trap 'exit 143' TERM

# Everything below goes to the terminal and the report.
: > "$REPORT"
exec > >(tee -a "$REPORT") 2>&1
TEE_PID=$!

say() { printf '%s\n' "$*"; }
fail() { say "FAILED: $*"; exit 1; }

# A free TCP port on 127.0.0.1: a random one in 20000-59999 that nothing listens on.
free_port() {
  local port
  for _ in $(seq 1 100); do
    port=$((20000 + RANDOM % 40000))
    if ! ss -Htln "sport = :$port" 2>/dev/null | grep -q .; then
      echo "$port"
      return 0
    fi
  done
  fail "no free port found"
}

# Runs a tool with a time limit, its output into a log file. In the background with a wait, so that
# a signal to this script is acted on at once (bash runs traps only between foreground commands)
# and the tool is a child of this script, which cleanup stops.
run_bounded() {
  local log=$1
  shift
  within "$TOOL_TIMEOUT" "$@" > "$log" 2>&1
}
# within SECONDS COMMAND...: the command, stopped after SECONDS; its exit status.
within() {
  local seconds=$1
  shift
  timeout --kill-after=10 "$seconds" "$@" &
  wait $!
}

# CPU accounting from /proc, to tell who was busy in a window: "total busy server" clock ticks
# (all CPUs; busy leaves out idle and iowait; server = utime + stime of the given pid).
cpu_snapshot() {
  local _ u n s i w q sq st server=0
  read -r _ u n s i w q sq st _ < /proc/stat
  if [[ -r /proc/$1/stat ]]; then
    # Fields after the command name start with field 3; utime and stime are fields 14 and 15.
    server=$(sed 's/.*) //' "/proc/$1/stat" | awk '{print $12 + $13}')
  fi
  echo "$((u + n + s + i + w + q + sq + st)) $((u + n + s + q + sq + st)) $server"
}
# "server% machine% server-CPU-seconds" between two snapshots (percent of all CPUs).
cpu_shares() {
  awk -v a="$1" -v b="$2" -v hz="$(getconf CLK_TCK)" 'BEGIN { split(a, x, " "); split(b, y, " "); t = y[1] - x[1]
    if (t <= 0) print "-1 -1 -1"; else printf "%.0f %.0f %.3f\n", 100 * (y[3] - x[3]) / t, 100 * (y[2] - x[2]) / t, (y[3] - x[3]) / hz }'
}
# Sets CHILDREN_CPU to the CPU seconds used by this script's finished children so far (the tools
# it waited for). Not to be called in $(...): a subshell's `times` counts its own children only.
children_cpu_seconds() {
  local file="$WORK/times.out"
  times > "$file"
  CHILDREN_CPU=$(awk 'NR == 2 { t = 0; for (i = 1; i <= 2; i++) { split($i, p, "m"); sub(/s$/, "", p[2]); t += p[1] * 60 + p[2] }; printf "%.3f\n", t }' "$file")
}
per_record_us() { awk -v s="$1" -v n="$2" 'BEGIN { if (s < 0 || n <= 0) print -1; else printf "%.1f\n", s * 1e6 / n }'; }

median() { sort -g | awk '{v[NR] = $1} END {if (NR == 0) print ""; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

# ---------------------------------------------------------------- build
if [[ $BUILD == 1 ]]; then
  say "building: the Kafka runtime (bench/kafka/pom.xml), the server and the bench module ..."
  if run_kafka; then
    (cd "$ROOT" && ./mvnw -q -B -f bench/kafka/pom.xml package)
  fi
  if run_tributary; then
    # maven.test.skip: no test is compiled, so the benchmark builds while tests elsewhere are in flux.
    (cd "$ROOT" && ./mvnw -q -B -Dmaven.test.skip=true -pl server,bench -am package)
  fi
fi
if run_kafka; then
  compgen -G "$KAFKA_LIB/kafka-tools-*.jar" >/dev/null || fail "no Kafka runtime in $KAFKA_LIB: run without --skip-build"
fi
if run_tributary; then
  [[ -f $BENCH_JAR && -f $SERVER_JAR ]] || fail "missing $BENCH_JAR or $SERVER_JAR: run without --skip-build"
fi

# ---------------------------------------------------------------- machine
say
say "## Side by side: Tributary and Apache Kafka, same machine, same workload"
say
say "- date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
say "- CPUs (nproc): $(nproc); CPU model: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
say "- memory: $(free -h | awk '/^Mem:/ {print $2 " total, " $7 " available"}')"
say "- kernel: $(uname -srm); JDK: $(java -version 2>&1 | head -1)"
say "- data: $WORK on $(df -T "$WORK" | awk 'NR==2 {print $1 " (" $2 ")"}')"
say "- load average before the run: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine lowers every figure)"
say "- workload: ${RECORD_BYTES}-byte records, $PARTITIONS partitions, $PRODUCERS producer(s); throughput: $ROUNDS x $RECORDS records after a discarded warm-up of $WARMUP_RECORDS; fixed rate: $RATE records/s for ${RATE_SECONDS} s; end to end: $ROUND_TRIPS records one at a time"
say

# Results, filled by each side: name -> value.
declare -A KAFKA TRIB

# ================================================================ Kafka
KAFKA_CP="$KAFKA_LIB/*"
KAFKA_JAVA=(java -Dlog4j2.configurationFile="$LOG4J_CONFIG" -cp "$KAFKA_CP")

# A self-signed certificate for 127.0.0.1 (keytool, EC P-256) in a PKCS12 key store for the
# broker, a trust store holding it for the clients, and the settings for both.
kafka_tls_files() {
  local dir=$1 pass
  pass=$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
  {
    keytool -genkeypair -alias broker -keyalg EC -groupname secp256r1 -dname CN=localhost -ext SAN=ip:127.0.0.1,dns:localhost \
      -validity 2 -storetype PKCS12 -keystore "$dir/broker.p12" -storepass "$pass" -keypass "$pass" &&
    keytool -exportcert -alias broker -keystore "$dir/broker.p12" -storepass "$pass" -rfc -file "$dir/broker.pem" &&
    keytool -importcert -noprompt -alias broker -file "$dir/broker.pem" -storetype PKCS12 -keystore "$dir/trust.p12" \
      -storepass "$pass"
  } > "$dir/keytool.log" 2>&1 || { cat "$dir/keytool.log"; fail "making the Kafka TLS certificate with keytool"; }
  cat > "$dir/broker-tls.properties" <<EOF
ssl.keystore.type=PKCS12
ssl.keystore.location=$dir/broker.p12
ssl.keystore.password=$pass
ssl.key.password=$pass
ssl.truststore.type=PKCS12
ssl.truststore.location=$dir/trust.p12
ssl.truststore.password=$pass
EOF
  cat > "$KAFKA_CLIENT_CONFIG" <<EOF
security.protocol=SSL
ssl.truststore.type=PKCS12
ssl.truststore.location=$dir/trust.p12
ssl.truststore.password=$pass
EOF
}

start_kafka() {
  local dir="$WORK/kafka"
  mkdir -p "$dir/data"
  KAFKA_PORT=$(free_port)
  local controller_port
  controller_port=$(free_port)
  while [[ $controller_port == "$KAFKA_PORT" ]]; do controller_port=$(free_port); done
  # KRaft, one node that is both broker and controller, loopback only; internal topics with one
  # replica. Everything else is Kafka's default: in particular no fsync before acknowledging
  # (log.flush.interval.messages is unlimited; the OS writes the page cache back when it likes).
  local client_protocol=PLAINTEXT
  KAFKA_CLIENT_CONFIG="$dir/client.properties"
  : > "$KAFKA_CLIENT_CONFIG"
  if [[ $KAFKA_TLS == 1 ]]; then
    client_protocol=SSL
    kafka_tls_files "$dir"
  fi
  cat > "$dir/server.properties" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$controller_port
listeners=CLIENT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$controller_port
advertised.listeners=CLIENT://127.0.0.1:$KAFKA_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=CLIENT
listener.security.protocol.map=CLIENT:$client_protocol,CONTROLLER:PLAINTEXT
log.dirs=$dir/data
num.partitions=$PARTITIONS
auto.create.topics.enable=false
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
EOF
  if [[ $KAFKA_TLS == 1 ]]; then
    cat "$dir/broker-tls.properties" >> "$dir/server.properties"
  fi
  local cluster_id
  cluster_id=$(timeout 60 "${KAFKA_JAVA[@]}" kafka.tools.StorageTool random-uuid)
  timeout 60 "${KAFKA_JAVA[@]}" kafka.tools.StorageTool format -t "$cluster_id" -c "$dir/server.properties" > "$dir/format.log" 2>&1 \
    || { cat "$dir/format.log"; fail "kafka storage format"; }
  # -Xmx2g as on the reference run; G1 with the pause target that kafka-server-start sets.
  java -Xms1g -Xmx2g -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Dlog4j2.configurationFile="$LOG4J_CONFIG" \
    -cp "$KAFKA_CP" kafka.Kafka "$dir/server.properties" > "$dir/broker.log" 2>&1 &
  KAFKA_PID=$!
  local deadline=$((SECONDS + START_TIMEOUT))
  until within 30 "${KAFKA_JAVA[@]}" org.apache.kafka.tools.TopicCommand --bootstrap-server "127.0.0.1:$KAFKA_PORT" \
      --command-config "$KAFKA_CLIENT_CONFIG" --list >/dev/null 2>&1; do
    kill -0 "$KAFKA_PID" 2>/dev/null || { tail -30 "$dir/broker.log"; fail "the Kafka broker exited during start"; }
    ((SECONDS < deadline)) || { tail -30 "$dir/broker.log"; fail "the Kafka broker did not answer within ${START_TIMEOUT} s"; }
    sleep 1
  done
  say "Kafka $(basename "$(compgen -G "$KAFKA_LIB/kafka-tools-*.jar")" .jar | sed 's/kafka-tools-//') broker (KRaft, single node) on 127.0.0.1:$KAFKA_PORT, pid $KAFKA_PID, data in $dir/data"
}

kafka_topic() {
  local name=$1 partitions=$2
  shift 2
  within 120 "${KAFKA_JAVA[@]}" org.apache.kafka.tools.TopicCommand --bootstrap-server "127.0.0.1:$KAFKA_PORT" \
    --command-config "$KAFKA_CLIENT_CONFIG" --create \
    --topic "$name" --partitions "$partitions" --replication-factor 1 "$@" > "$WORK/kafka/topic-$name.log" 2>&1 \
    || { cat "$WORK/kafka/topic-$name.log"; fail "creating the Kafka topic $name"; }
}

# One ProducerPerformance round with PRODUCERS processes in parallel, each sending its share.
# Sets PRODUCE_RESULT to "records/s avg p50 p99 p99.9 max records" (latencies in ms as the tool
# reports them, whole ms for percentiles) combined over the processes.
kafka_produce() {
  local topic=$1 records=$2 throughput=$3 label=$4
  local per=$((records / PRODUCERS)) i pids=() logs=()
  # Per process: acks=all and the batching of the reference run (linger 5 ms, 128 KiB batches).
  local throughput_each=$throughput
  [[ $throughput == -1 ]] || throughput_each=$(( (throughput + PRODUCERS - 1) / PRODUCERS ))
  for ((i = 0; i < PRODUCERS; i++)); do
    logs+=("$WORK/kafka/$label-$i.log")
    timeout --kill-after=10 "$TOOL_TIMEOUT" "${KAFKA_JAVA[@]}" org.apache.kafka.tools.ProducerPerformance \
      --bootstrap-server "127.0.0.1:$KAFKA_PORT" --topic "$topic" --num-records "$per" --record-size "$RECORD_BYTES" \
      --throughput "$throughput_each" --reporting-interval 1000000 --command-config "$KAFKA_CLIENT_CONFIG" \
      --command-property acks=all linger.ms=5 batch.size=131072 > "${logs[$i]}" 2>&1 &
    pids+=($!)
  done
  for i in "${!pids[@]}"; do
    wait "${pids[$i]}" || { cat "${logs[$i]}"; fail "ProducerPerformance ($label)"; }
  done
  # Summary line: "N records sent, R records/sec (M MB/sec), A ms avg latency, X ms max latency,
  # P50 ms 50th, P95 ms 95th, P99 ms 99th, P999 ms 99.9th."
  local summaries
  summaries=$(grep -h 'records sent' "${logs[@]}" | tail -n "$PRODUCERS")
  [[ $(wc -l <<<"$summaries") == "$PRODUCERS" ]] || { cat "${logs[@]}"; fail "no summary from ProducerPerformance ($label)"; }
  # Several processes: the rate is all records over the longest process's time; the latency figures
  # are the worst process's (the tool prints no histogram to merge).
  PRODUCE_RESULT=$(awk '{
      n = $1; r = $4
      records += n; if (n / r > secs) secs = n / r
      avg += $8 * n
      if ($12 > mx) mx = $12; if ($16 > p50) p50 = $16; if ($22 > p99) p99 = $22; if ($25 > p999) p999 = $25
    } END { printf "%.1f %.2f %s %s %s %s %d\n", records / secs, avg / records, p50, p99, p999, mx, records }' <<<"$summaries")
}

run_kafka_side() {
  say "### Kafka"
  say
  start_kafka
  kafka_topic bench-throughput "$PARTITIONS"
  kafka_topic bench-rate "$PARTITIONS"
  kafka_topic bench-e2e "$PARTITIONS"

  say "warm-up: $WARMUP_RECORDS records, discarded (the first round after a broker start is slower)"
  kafka_produce bench-throughput "$WARMUP_RECORDS" -1 warmup
  local r before client_before server_cpu machine_cpu server_seconds sent server_us client_us
  local rates=() server_cpus=() machine_cpus=() server_uss=() client_uss=()
  for ((r = 1; r <= ROUNDS; r++)); do
    before=$(cpu_snapshot "$KAFKA_PID")
    children_cpu_seconds
    client_before=$CHILDREN_CPU
    kafka_produce bench-throughput "$RECORDS" -1 "round-$r"
    read -r server_cpu machine_cpu server_seconds < <(cpu_shares "$before" "$(cpu_snapshot "$KAFKA_PID")")
    read -r rate avg p50 p99 p999 max sent <<<"$PRODUCE_RESULT"
    server_us=$(per_record_us "$server_seconds" "$sent")
    # The perf tool's whole process, its JVM start included.
    children_cpu_seconds
    client_us=$(per_record_us "$(awk -v a="$client_before" -v b="$CHILDREN_CPU" 'BEGIN { print b - a }')" "$sent")
    say "round $r: $rate records/s, ack latency avg $avg ms, p50 $p50, p99 $p99, p99.9 $p999, max $max ms; CPU % of all cores: broker $server_cpu, machine $machine_cpu; CPU µs per record: perf tool $client_us, broker $server_us"
    rates+=("$rate") server_cpus+=("$server_cpu") machine_cpus+=("$machine_cpu") server_uss+=("$server_us") client_uss+=("$client_us")
  done
  KAFKA[records_per_sec]=$(printf '%s\n' "${rates[@]}" | median)
  KAFKA[server_cpu]=$(printf '%s\n' "${server_cpus[@]}" | median)
  KAFKA[machine_cpu]=$(printf '%s\n' "${machine_cpus[@]}" | median)
  KAFKA[server_us]=$(printf '%s\n' "${server_uss[@]}" | median)
  KAFKA[client_us]=$(printf '%s\n' "${client_uss[@]}" | median)

  if [[ $KAFKA_FSYNC == 1 ]]; then
    # flush.messages=1: the broker fsyncs the partition's log after every append, before it acknowledges.
    kafka_topic bench-fsync "$PARTITIONS" --config flush.messages=1
    kafka_produce bench-fsync "$RECORDS" -1 fsync
    read -r rate avg p50 p99 p999 max sent <<<"$PRODUCE_RESULT"
    say "flush.messages=1 (fsync per append): $rate records/s, ack latency p50 $p50, p99 $p99 ms"
    KAFKA[fsync_records_per_sec]=$rate
  fi

  before=$(cpu_snapshot "$KAFKA_PID")
  kafka_produce bench-rate $((RATE * RATE_SECONDS)) "$RATE" rate
  read -r server_cpu machine_cpu server_seconds < <(cpu_shares "$before" "$(cpu_snapshot "$KAFKA_PID")")
  read -r rate avg p50 p99 p999 max sent <<<"$PRODUCE_RESULT"
  KAFKA[rate_server_us]=$(per_record_us "$server_seconds" "$sent")
  say "fixed rate $RATE records/s: achieved $rate records/s, ack latency avg $avg ms, p50 $p50, p99 $p99, p99.9 $p999, max $max ms; broker CPU µs per record ${KAFKA[rate_server_us]}"
  KAFKA[rate_achieved]=$rate KAFKA[ack_avg]=$avg KAFKA[ack_p50]=$p50 KAFKA[ack_p99]=$p99 KAFKA[ack_p999]=$p999 KAFKA[ack_max]=$max

  # EndToEndLatency: one record at a time, sent with acks=all and waited for, then polled back by
  # a consumer of the topic (fetch.max.wait 0); latency from send to receive, whole ms.
  local log="$WORK/kafka/e2e.log"
  run_bounded "$log" "${KAFKA_JAVA[@]}" org.apache.kafka.tools.EndToEndLatency \
    --bootstrap-server "127.0.0.1:$KAFKA_PORT" --topic bench-e2e --num-records "$ROUND_TRIPS" \
    --producer-acks all --record-size "$RECORD_BYTES" --command-config "$KAFKA_CLIENT_CONFIG" || { cat "$log"; fail "EndToEndLatency"; }
  KAFKA[e2e_avg]=$(sed -n 's/^Avg latency: \([0-9.]*\) ms.*/\1/p' "$log")
  read -r p50 p99 p999 < <(sed -n 's/^Percentiles: 50th = \([0-9.]*\), 99th = \([0-9.]*\), 99.9th = \([0-9.]*\).*/\1 \2 \3/p' "$log")
  [[ -n ${KAFKA[e2e_avg]} && -n $p50 ]] || { cat "$log"; fail "no summary from EndToEndLatency"; }
  KAFKA[e2e_p50]=$p50 KAFKA[e2e_p99]=$p99 KAFKA[e2e_p999]=$p999
  say "end to end, one record at a time: avg ${KAFKA[e2e_avg]} ms, p50 $p50, p99 $p99, p99.9 $p999 ms"

  stop_process "$KAFKA_PID" "the Kafka broker"
  KAFKA_PID=""
  say
}

# ================================================================ Tributary
start_tributary() {
  local dir="$WORK/tributary"
  mkdir -p "$dir"
  # bin/tributary standalone, as a user starts it (it execs the JVM, so $! is the server). Port 0:
  # the server picks a free port and writes it into client.properties. fsync on commit is the
  # default: every acknowledgement below is durable. Same heap as the Kafka broker.
  TRIBUTARY_JAVA_OPTS="-Xms1g -Xmx2g" "$ROOT/bin/tributary" standalone --data-dir "$dir/data" --host 127.0.0.1 --port 0 \
    > "$dir/server.log" 2>&1 &
  TRIBUTARY_PID=$!
  PROFILE="$dir/data/client.properties"
  local deadline=$((SECONDS + START_TIMEOUT))
  until [[ -s $PROFILE ]] && curl -sf --max-time 5 --cacert "$dir/data/tls/ca.pem" "$(sed -n 's/^tributary.endpoint=//p' "$PROFILE")/q/health/ready" >/dev/null 2>&1; do
    kill -0 "$TRIBUTARY_PID" 2>/dev/null || { tail -30 "$dir/server.log"; fail "the Tributary server exited during start"; }
    ((SECONDS < deadline)) || { tail -30 "$dir/server.log"; fail "the Tributary server was not ready within ${START_TIMEOUT} s"; }
    sleep 1
  done
  # client.properties carries the default tenant's administrator; without one (a server started
  # without a default tenant, or an older one) the platform administrator's profile, with which the
  # load generator makes a tenant of its own.
  if ! grep -q '^tributary.auth.client-id=' "$PROFILE" && [[ -s $dir/data/platform-admin.properties ]]; then
    PROFILE="$dir/data/platform-admin.properties"
  fi
  say "Tributary server on $(sed -n 's/^tributary.endpoint=//p' "$PROFILE"), pid $TRIBUTARY_PID, data in $dir/data ($(grep -o 'fsync on commit\|fsync off' "$dir/server.log" | head -1))"
}

BENCH_JAVA=(java -Xmx1g -cp "$BENCH_JAR:$ROOT/bench/target/lib/*" dev.tributary.bench.load.LoadGenerator)

# Runs the load generator with the common options plus "$@"; its summary (key=value lines) is
# loaded into the array SUMMARY.
declare -A SUMMARY
tributary_load() {
  local label=$1
  shift
  local summary="$WORK/tributary/$label.summary"
  run_bounded "$WORK/tributary/$label.log" "${BENCH_JAVA[@]}" --profile "$PROFILE" --record-bytes "$RECORD_BYTES" \
    --partitions "$PARTITIONS" --server-pid "$TRIBUTARY_PID" --summary "$summary" "$@" \
    || { cat "$WORK/tributary/$label.log"; fail "LoadGenerator ($label)"; }
  SUMMARY=()
  local key value
  while IFS='=' read -r key value; do
    [[ -n $key && $key != \#* ]] && SUMMARY[$key]=$value
  done < "$summary"
}

run_tributary_side() {
  say "### Tributary"
  say
  start_tributary
  local r rates=() server_cpus=() machine_cpus=() server_uss=() client_uss=()
  local jfr_file="$ROOT/bench/target/side-by-side-server.jfr"
  if [[ $JFR == 1 ]]; then
    rm -f "$jfr_file"
    within 60 jcmd "$TRIBUTARY_PID" JFR.start name=side-by-side settings=profile > /dev/null
  fi
  tributary_load throughput --producers "$PRODUCERS" --consumers 0 --records "$RECORDS" --warmup-records "$WARMUP_RECORDS" \
    --rounds "$ROUNDS" --max-seconds "$ROUND_SECONDS"
  if [[ $JFR == 1 ]]; then
    within 60 jcmd "$TRIBUTARY_PID" JFR.stop name=side-by-side filename="$jfr_file" > /dev/null
    say "server profile of the throughput rounds (warm-up included), $jfr_file:"
    within 120 java -cp "$BENCH_JAR:$ROOT/bench/target/lib/*" dev.tributary.bench.profile.JfrBreakdown "$jfr_file" | sed 's/^/  /'
  fi
  for ((r = 1; r <= ROUNDS; r++)); do
    say "round $r: ${SUMMARY[round.$r.records]} records in ${SUMMARY[round.$r.seconds]} s$([[ ${SUMMARY[round.$r.timed_out]} == true ]] && echo ' (time limit)'): ${SUMMARY[round.$r.records_per_sec]} records/s, ack latency avg ${SUMMARY[round.$r.ack_avg_ms]} ms, p50 ${SUMMARY[round.$r.ack_p50_ms]}, p99 ${SUMMARY[round.$r.ack_p99_ms]}, p99.9 ${SUMMARY[round.$r.ack_p999_ms]}, max ${SUMMARY[round.$r.ack_max_ms]} ms; CPU % of all cores: server ${SUMMARY[round.$r.cpu_server_pct]}, load generator ${SUMMARY[round.$r.cpu_load_generator_pct]}, machine ${SUMMARY[round.$r.cpu_machine_pct]}; CPU µs per record: load generator ${SUMMARY[round.$r.cpu_load_generator_us_per_record]}, server ${SUMMARY[round.$r.cpu_server_us_per_record]}"
    rates+=("${SUMMARY[round.$r.records_per_sec]}")
    server_cpus+=("${SUMMARY[round.$r.cpu_server_pct]}") machine_cpus+=("${SUMMARY[round.$r.cpu_machine_pct]}")
    server_uss+=("${SUMMARY[round.$r.cpu_server_us_per_record]}") client_uss+=("${SUMMARY[round.$r.cpu_load_generator_us_per_record]}")
  done
  TRIB[server_us]=$(printf '%s\n' "${server_uss[@]}" | median)
  TRIB[client_us]=$(printf '%s\n' "${client_uss[@]}" | median)
  TRIB[records_per_sec]=$(printf '%s\n' "${rates[@]}" | median)
  TRIB[server_cpu]=$(printf '%s\n' "${server_cpus[@]}" | median)
  TRIB[machine_cpu]=$(printf '%s\n' "${machine_cpus[@]}" | median)

  tributary_load rate --producers "$PRODUCERS" --consumers "$CONSUMERS" --rate "$RATE" --records $((RATE * RATE_SECONDS)) \
    --warmup-records 0 --rounds 1 --max-seconds $((RATE_SECONDS * 3))
  TRIB[rate_achieved]=${SUMMARY[round.1.records_per_sec]}
  TRIB[rate_server_us]=${SUMMARY[round.1.cpu_server_us_per_record]}
  for k in avg p50 p99 p999 max; do
    TRIB[ack_$k]=${SUMMARY[round.1.ack_${k}_ms]}
    TRIB[load_e2e_$k]=${SUMMARY[round.1.e2e_${k}_ms]}
  done
  say "fixed rate $RATE records/s: achieved ${TRIB[rate_achieved]} records/s, ack latency avg ${TRIB[ack_avg]} ms, p50 ${TRIB[ack_p50]}, p99 ${TRIB[ack_p99]}, p99.9 ${TRIB[ack_p999]}, max ${TRIB[ack_max]} ms; server CPU µs per record ${TRIB[rate_server_us]} (consumer fetches included)"
  say "  end to end under that load ($CONSUMERS consumer(s), one group): p50 ${TRIB[load_e2e_p50]}, p99 ${TRIB[load_e2e_p99]}, p99.9 ${TRIB[load_e2e_p999]}, max ${TRIB[load_e2e_max]} ms (${SUMMARY[round.1.e2e_count]} records received)"

  # One at a time takes a round trip each: twice a round's time limit.
  tributary_load e2e --round-trips "$ROUND_TRIPS" --records 0 --rounds 0 --max-seconds $((ROUND_SECONDS * 2))
  for k in avg p50 p99 p999 max; do
    TRIB[e2e_$k]=${SUMMARY[round_trip.${k}_ms]}
  done
  say "end to end, one record at a time (${SUMMARY[round_trip.count]} of $ROUND_TRIPS within the time limit): avg ${TRIB[e2e_avg]} ms, p50 ${TRIB[e2e_p50]}, p99 ${TRIB[e2e_p99]}, p99.9 ${TRIB[e2e_p999]} ms"

  stop_process "$TRIBUTARY_PID" "the Tributary server"
  TRIBUTARY_PID=""
  say
}

run_kafka && run_kafka_side
run_tributary && run_tributary_side

# ================================================================ table
# Ratio Tributary / Kafka; "n/a" where one side is missing or Kafka's figure is 0 (its tools round
# latency percentiles down to whole milliseconds, so a sub-millisecond percentile reads 0).
ratio() {
  awk -v t="${1:-}" -v k="${2:-}" 'BEGIN { if (t == "" || k == "" || k + 0 == 0) print "n/a"; else printf "%.2f\n", t / k }'
}
mbps() { [[ -n ${1:-} ]] && awk -v r="$1" -v b="$RECORD_BYTES" 'BEGIN { printf "%.1f\n", r * b / 1e6 }' || echo ""; }
row() { printf '| %s | %s | %s | %s |\n' "$1" "${2:-–}" "${3:-–}" "$(ratio "${3:-}" "${2:-}")"; }

say "### Summary"
say
KAFKA_TRANSPORT=plaintext
[[ $KAFKA_TLS == 1 ]] && KAFKA_TRANSPORT=TLS
say "| measure | Kafka 4.3.1 (acks=all, no fsync, $KAFKA_TRANSPORT) | Tributary (acks=durable, fsync, TLS) | Tributary / Kafka |"
say "|---|---:|---:|---:|"
row "produce, records/s (median of $ROUNDS)" "${KAFKA[records_per_sec]:-}" "${TRIB[records_per_sec]:-}"
row "produce, MB/s of record values" "$(mbps "${KAFKA[records_per_sec]:-}")" "$(mbps "${TRIB[records_per_sec]:-}")"
[[ -n ${KAFKA[fsync_records_per_sec]:-} ]] && row "produce, records/s, Kafka with flush.messages=1 (fsync per append)" "${KAFKA[fsync_records_per_sec]}" "${TRIB[records_per_sec]:-}"
row "server CPU during produce rounds, % of all cores (median)" "${KAFKA[server_cpu]:-}" "${TRIB[server_cpu]:-}"
row "machine CPU during produce rounds, % of all cores (median)" "${KAFKA[machine_cpu]:-}" "${TRIB[machine_cpu]:-}"
row "server CPU per record produced, µs (median round)" "${KAFKA[server_us]:-}" "${TRIB[server_us]:-}"
row "client CPU per record produced, µs (median round; Kafka: whole perf-tool process)" "${KAFKA[client_us]:-}" "${TRIB[client_us]:-}"
row "server CPU per record at $RATE records/s, µs (Tributary: consumer fetches included)" "${KAFKA[rate_server_us]:-}" "${TRIB[rate_server_us]:-}"
row "ack latency at $RATE records/s, p50 ms" "${KAFKA[ack_p50]:-}" "${TRIB[ack_p50]:-}"
row "ack latency at $RATE records/s, p99 ms" "${KAFKA[ack_p99]:-}" "${TRIB[ack_p99]:-}"
row "ack latency at $RATE records/s, p99.9 ms" "${KAFKA[ack_p999]:-}" "${TRIB[ack_p999]:-}"
row "end to end at $RATE records/s, $CONSUMERS consumer(s), p50 ms (Kafka: not measured by its tools)" "" "${TRIB[load_e2e_p50]:-}"
row "end to end at $RATE records/s, $CONSUMERS consumer(s), p99 ms" "" "${TRIB[load_e2e_p99]:-}"
row "end to end, one at a time, avg ms" "${KAFKA[e2e_avg]:-}" "${TRIB[e2e_avg]:-}"
row "end to end, one at a time, p50 ms" "${KAFKA[e2e_p50]:-}" "${TRIB[e2e_p50]:-}"
row "end to end, one at a time, p99 ms" "${KAFKA[e2e_p99]:-}" "${TRIB[e2e_p99]:-}"
row "end to end, one at a time, p99.9 ms" "${KAFKA[e2e_p999]:-}" "${TRIB[e2e_p999]:-}"
say
say "Kafka acknowledges acks=all once the record is in the leader's page cache (and its in-sync"
say "replicas', here none): it does not fsync before acknowledging. Tributary acknowledges"
say "acks=durable only after the write-ahead log is fsynced. Kafka's tools report latency"
say "percentiles in whole milliseconds, rounded down; Tributary's are HdrHistogram values to 0.01 ms."
say "Kafka's clients connect with $KAFKA_TRANSPORT and no authentication; Tributary's always with TLS and a"
say "bearer token. Client and server share this machine's CPUs on both sides."
say
say "report: $REPORT"
