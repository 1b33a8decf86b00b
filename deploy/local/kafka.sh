#!/usr/bin/env bash
# A real, single-node Apache Kafka broker (KRaft, combined broker+controller) for tests and local development, run from
# the official jars on Maven Central. No Docker needed: Java 17+, Node (readiness probe) and Maven 3 (first fetch only).
#
#   kafka.sh fetch                                            resolve the broker jars into the cache (idempotent; offline once cached)
#   kafka.sh start [--port N] [--controller-port N] [--dir D] start in the background, wait until it answers, print KAFKA_BROKERS=…
#   kafka.sh stop  [--dir D]                                  SIGTERM by PID, wait (bounded), then SIGKILL
#   kafka.sh status [--dir D]                                 exit 0 and print KAFKA_BROKERS=… when running, exit 3 when not
#
# Only `KAFKA_BROKERS=127.0.0.1:<port>` goes to stdout (start/status); everything else goes to stderr.
# Listeners bind to 127.0.0.1 only. A restart with the same --dir keeps the data; without --port it reuses the last ports.
# Files in the dir: server.properties, kafka.pid, kafka.port, kafka.controller-port, data/, logs/server.log (WARN+).
#
# Environment:
#   X402_CACHE_DIR        cache root (default ~/.cache/x402-ledger); jars land in <root>/kafka-<version>/libs
#   KAFKA_VERSION         org.apache.kafka:kafka_2.13 version (default below)
#   KAFKA_HEAP_OPTS       default "-Xms256m -Xmx512m"
#   KAFKA_JVM_PERF_OPTS   default "-XX:+UseSerialGC -XX:TieredStopAtLevel=1" (fast start; set "" for full JIT in benchmarks)
#   KAFKA_JVM_OPTS        extra JVM flags appended last
#   KAFKA_START_TIMEOUT   seconds to wait for the broker to answer (default 90)
#   KAFKA_STOP_TIMEOUT    seconds to wait after SIGTERM before SIGKILL (default 30)
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"
KAFKA_VERSION="${KAFKA_VERSION:-4.3.1}"
CACHE_ROOT="${X402_CACHE_DIR:-$HOME/.cache/x402-ledger}"
KAFKA_HOME="$CACHE_ROOT/kafka-$KAFKA_VERSION"
LIBS="$KAFKA_HOME/libs"
DEFAULT_DIR="$REPO_ROOT/.tmp/services/kafka"
START_TIMEOUT="${KAFKA_START_TIMEOUT:-90}"
STOP_TIMEOUT="${KAFKA_STOP_TIMEOUT:-30}"

log() { printf 'kafka.sh: %s\n' "$*" >&2; }
die() {
  log "error: $*"
  exit 1
}
now_ms() { date +%s%3N; }

# --- java ---------------------------------------------------------------------------------------------------------------
JAVA_VM_VERSION=""
require_java() {
  [[ -z "$JAVA_VM_VERSION" ]] || return 0
  command -v java >/dev/null || die "java not found on PATH (Kafka $KAFKA_VERSION needs Java 17+)"
  local props spec
  props="$(java -XshowSettings:properties -version 2>&1)"
  spec="$(awk -F' = ' '/java.specification.version/ {print $2; exit}' <<<"$props")"
  [[ "${spec%%.*}" -ge 17 ]] 2>/dev/null || die "Kafka $KAFKA_VERSION needs Java 17+, found java.specification.version=$spec"
  JAVA_VM_VERSION="$(awk -F' = ' '/java.vm.version/ {print $2; exit}' <<<"$props" | tr -c 'A-Za-z0-9._\n-' '_')"
}

# A dynamic AppCDS archive of the broker's classes, per JVM build: cuts broker start by about a third (measured).
cds_archive() { echo "$KAFKA_HOME/cds/kafka-$JAVA_VM_VERSION.jsa"; }

# JAVA_ARGS (JVM + flags + classpath, no main class) for $DIR.
java_cmd() {
  local heap="${KAFKA_HEAP_OPTS:--Xms256m -Xmx512m}" perf="${KAFKA_JVM_PERF_OPTS--XX:+UseSerialGC -XX:TieredStopAtLevel=1}"
  local cds=()
  [[ -f "$(cds_archive)" ]] && cds=(-XX:SharedArchiveFile="$(cds_archive)" -Xlog:cds=off -Xlog:cds+dynamic=off)
  # shellcheck disable=SC2206 # heap/perf/extra opts are whitespace-separated flag lists on purpose
  JAVA_ARGS=(java $heap $perf -XX:+ExitOnOutOfMemoryError "${cds[@]}"
    -Djava.awt.headless=true
    -Dkafka.logs.dir="$DIR/logs"
    -Dlog4j2.configurationFile="$SCRIPT_DIR/kafka/log4j2.xml"
    -Dlog4j2.disable.jmx=true
    ${KAFKA_JVM_OPTS:-}
    -cp "$LIBS/*")
}

# --- fetch ----------------------------------------------------------------------------------------------------------------
fetch_jars() {
  [[ -f "$LIBS/.complete" ]] && return 0
  command -v mvn >/dev/null || die "mvn not found on PATH (needed once to fetch the Kafka jars)"
  mkdir -p "$KAFKA_HOME"
  # Serialise concurrent fetches (two test runs starting at once) on one lock file.
  exec 8>"$KAFKA_HOME/.fetch.lock"
  flock -w 600 8 || die "timed out waiting for another fetch holding $KAFKA_HOME/.fetch.lock"
  if [[ ! -f "$LIBS/.complete" ]]; then
    local tmp="$KAFKA_HOME/libs.partial" t0
    t0="$(now_ms)"
    rm -rf "$tmp"
    log "fetching org.apache.kafka:kafka_2.13:$KAFKA_VERSION and its runtime dependencies from Maven Central…"
    mvn -q -B -f "$SCRIPT_DIR/kafka/pom.xml" \
      -Dmaven.repo.local="$CACHE_ROOT/m2" \
      -Dkafka.version="$KAFKA_VERSION" \
      -DoutputDirectory="$tmp" \
      dependency:copy-dependencies >"$KAFKA_HOME/fetch.log" 2>&1 || {
      sed 's/\x1b\[[0-9;]*m//g' "$KAFKA_HOME/fetch.log" >&2
      die "mvn dependency:copy-dependencies failed (output above, also in $KAFKA_HOME/fetch.log)"
    }
    [[ -f "$tmp/kafka_2.13-$KAFKA_VERSION.jar" ]] || die "kafka_2.13-$KAFKA_VERSION.jar missing from $tmp after mvn"
    touch "$tmp/.complete"
    rm -rf "$LIBS" "$KAFKA_HOME/cds" # a CDS archive is only valid for the exact jars it was dumped from
    mv "$tmp" "$LIBS"
    log "kafka $KAFKA_VERSION: $(find "$LIBS" -name '*.jar' | wc -l) jars in $LIBS ($(($(now_ms) - t0)) ms)"
  fi
  exec 8>&-
}

# Runs a throwaway broker once with -XX:ArchiveClassesAtExit; the JVM writes the archive when it exits after SIGTERM.
# Failure only costs start speed, so it is reported and remembered, never fatal.
build_cds() {
  require_java
  local archive failed
  archive="$(cds_archive)"
  failed="$archive.failed"
  [[ -f "$archive" || -f "$failed" ]] && return 0
  mkdir -p "$KAFKA_HOME/cds"
  exec 9>"$KAFKA_HOME/cds/.lock"
  flock -w 300 9 || die "timed out waiting for another process building $archive"
  if [[ ! -f "$archive" && ! -f "$failed" ]]; then
    local t0 work
    t0="$(now_ms)"
    work="$(mktemp -d "$KAFKA_HOME/cds/work.XXXXXX")"
    log "building the class-data-sharing archive (once per JVM build)…"
    if (
      DIR="$work" PORT="$(free_port)" CPORT="$(free_port)"
      launch_broker -XX:ArchiveClassesAtExit="$archive.partial" >/dev/null
      terminate "$(cat "$DIR/kafka.pid")"
    ) && [[ -s "$archive.partial" ]]; then
      mv "$archive.partial" "$archive"
      log "CDS archive $archive ready ($(($(now_ms) - t0)) ms)"
    else
      rm -f "$archive.partial"
      echo "see $work/logs" >"$failed"
      log "warning: could not build the CDS archive (logs in $work/logs); brokers start without it (delete $failed to retry)"
    fi
    [[ -f "$failed" ]] || rm -rf "$work"
  fi
  exec 9>&-
}

cmd_fetch() {
  local quiet="${1:-}"
  if [[ -f "$LIBS/.complete" ]]; then
    [[ "$quiet" == "--quiet" ]] || log "kafka $KAFKA_VERSION jars already in $LIBS"
  fi
  fetch_jars
  build_cds
}

# --- broker lifecycle -----------------------------------------------------------------------------------------------------
OPT_PORT=""
OPT_CPORT=""
OPT_DIR=""
parse_opts() {
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --port) OPT_PORT="${2:?--port needs a value}"; shift 2 ;;
      --port=*) OPT_PORT="${1#*=}"; shift ;;
      --controller-port) OPT_CPORT="${2:?--controller-port needs a value}"; shift 2 ;;
      --controller-port=*) OPT_CPORT="${1#*=}"; shift ;;
      --dir) OPT_DIR="${2:?--dir needs a value}"; shift 2 ;;
      --dir=*) OPT_DIR="${1#*=}"; shift ;;
      *) die "unknown option: $1" ;;
    esac
  done
  local p
  for p in "$OPT_PORT" "$OPT_CPORT"; do
    [[ -z "$p" || "$p" =~ ^[0-9]+$ ]] || die "port must be a number: $p"
  done
  DIR="$(realpath -m "${OPT_DIR:-$DEFAULT_DIR}")"
}

# Alive = exists and is not a zombie. The broker is reparented to PID 1 once `start` returns; an init that reaps slowly
# (measured: 1.2 s in a firecracker sandbox) would otherwise make every stop look that much slower.
pid_alive() {
  local state
  kill -0 "$1" 2>/dev/null || return 1
  [[ -r "/proc/$1/stat" ]] || return 0
  state="$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)"
  [[ -n "$state" && "$state" != "Z" && "$state" != "X" ]]
}

# PID from <dir>/kafka.pid when that process is alive AND is the broker of this dir (guards against recycled PIDs).
running_pid() {
  local pid
  [[ -f "$DIR/kafka.pid" ]] || return 1
  pid="$(cat "$DIR/kafka.pid" 2>/dev/null || true)"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  pid_alive "$pid" || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "$DIR/server.properties" || return 1
  echo "$pid"
}

free_port() {
  node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"
}

write_properties() {
  cat >"$DIR/server.properties" <<EOF
# Generated by deploy/local/kafka.sh on every start; edits are overwritten.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$CPORT
listeners=PLAINTEXT://127.0.0.1:$PORT,CONTROLLER://127.0.0.1:$CPORT
advertised.listeners=PLAINTEXT://127.0.0.1:$PORT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
log.dirs=$DIR/data

# Topics: auto-create, 3 partitions, everything at replication 1 (single node).
auto.create.topics.enable=true
num.partitions=3
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=5
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0

# Small footprint for a 2-core test machine; keep data until the dir is deleted.
num.network.threads=2
num.io.threads=2
background.threads=2
num.recovery.threads.per.data.dir=1
log.cleaner.threads=1
log.cleaner.dedupe.buffer.size=16777216
log.segment.bytes=67108864
log.retention.hours=-1
log.retention.bytes=-1

# Fast stop and restart: controlled shutdown fences the broker on SIGTERM, so the next start registers at once; after a
# SIGKILL the old registration expires after the (short) session timeout instead.
controlled.shutdown.enable=true
broker.heartbeat.interval.ms=500
broker.session.timeout.ms=3000
EOF
}

random_cluster_id() {
  # Kafka cluster ids are 16 random bytes, base64url without padding (22 chars), as `kafka-storage.sh random-uuid` prints;
  # like Kafka's Uuid.randomUuid(), never one starting with '-' (the tool's argument parser would take it for an option).
  local id="-"
  while [[ "$id" == -* ]]; do id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"; done
  echo "$id"
}

# Formats $DIR/data if needed, starts the broker on $PORT/$CPORT in the background and waits until it answers a
# metadata request. Extra JVM flags for the broker (not the format tool) as arguments.
launch_broker() {
  mkdir -p "$DIR/data" "$DIR/logs"
  write_properties
  java_cmd
  if [[ ! -f "$DIR/data/meta.properties" ]]; then
    local cluster_id
    cluster_id="$(random_cluster_id)"
    # Static quorum (controller.quorum.voters), so `format` takes neither --standalone nor --initial-controllers; the
    # controller port can then change between restarts without touching the data.
    "${JAVA_ARGS[@]}" kafka.tools.StorageTool format --cluster-id "$cluster_id" --config "$DIR/server.properties" \
      >"$DIR/logs/format.out" 2>&1 || {
      cat "$DIR/logs/format.out" >&2
      die "storage format failed"
    }
    log "formatted $DIR/data (cluster id $cluster_id)"
  fi

  rm -f "$DIR/kafka.pid"
  # setsid: the broker outlives the caller (e.g. a test runner's child shell) and gets no terminal signals. The inner
  # bash records its own PID and then execs java, so kafka.pid is the JVM's PID whether or not setsid had to fork.
  setsid bash -c 'echo $$ >"$1"; shift; exec "$@"' kafka-start "$DIR/kafka.pid" \
    "${JAVA_ARGS[@]}" "$@" kafka.Kafka "$DIR/server.properties" </dev/null >>"$DIR/logs/kafka.out" 2>&1 &
  local waited=0 pid
  until [[ -s "$DIR/kafka.pid" ]]; do
    ((waited++ < 200)) || die "broker did not write $DIR/kafka.pid"
    sleep 0.05
  done
  pid="$(cat "$DIR/kafka.pid")"
  echo "$PORT" >"$DIR/kafka.port"
  echo "$CPORT" >"$DIR/kafka.controller-port"

  if ! node "$SCRIPT_DIR/kafka/wait-ready.js" "$PORT" "$pid" "$((START_TIMEOUT * 1000))"; then
    log "last lines of $DIR/logs/server.log and kafka.out:"
    tail -n 30 "$DIR/logs/server.log" "$DIR/logs/kafka.out" >&2 2>/dev/null || true
    kill -KILL "$pid" 2>/dev/null || true
    rm -f "$DIR/kafka.pid"
    die "broker did not become ready on 127.0.0.1:$PORT"
  fi
}

# SIGTERM, wait up to STOP_TIMEOUT, then SIGKILL (bounded as well).
terminate() {
  local pid="$1" deadline
  kill -TERM "$pid" 2>/dev/null || return 0
  deadline=$(($(now_ms) + STOP_TIMEOUT * 1000))
  while pid_alive "$pid" && (($(now_ms) < deadline)); do sleep 0.05; done
  if pid_alive "$pid"; then
    log "pid $pid still alive after ${STOP_TIMEOUT}s, sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    deadline=$(($(now_ms) + 10000))
    while pid_alive "$pid" && (($(now_ms) < deadline)); do sleep 0.05; done
    ! pid_alive "$pid" || die "pid $pid survived SIGKILL"
  fi
}

cmd_start() {
  parse_opts "$@"
  local t0 pid existing_port
  t0="$(now_ms)"
  if pid="$(running_pid)"; then
    existing_port="$(cat "$DIR/kafka.port")"
    [[ -z "$OPT_PORT" || "$OPT_PORT" == "$existing_port" ]] ||
      die "a broker is already running from $DIR on port $existing_port (pid $pid); stop it first"
    log "already running from $DIR (pid $pid)"
    echo "KAFKA_BROKERS=127.0.0.1:$existing_port"
    return 0
  fi
  cmd_fetch --quiet
  PORT="${OPT_PORT:-$(cat "$DIR/kafka.port" 2>/dev/null || true)}"
  [[ -n "$PORT" ]] || PORT="$(free_port)"
  CPORT="${OPT_CPORT:-$(cat "$DIR/kafka.controller-port" 2>/dev/null || true)}"
  [[ -n "$CPORT" ]] || CPORT="$(free_port)"
  [[ "$PORT" != "$CPORT" ]] || die "--port and --controller-port must differ ($PORT)"
  launch_broker
  log "kafka $KAFKA_VERSION ready on 127.0.0.1:$PORT (controller $CPORT, pid $(cat "$DIR/kafka.pid"), dir $DIR) in $(($(now_ms) - t0)) ms"
  echo "KAFKA_BROKERS=127.0.0.1:$PORT"
}

cmd_stop() {
  parse_opts "$@"
  local pid t0
  if ! pid="$(running_pid)"; then
    rm -f "$DIR/kafka.pid"
    log "not running ($DIR)"
    return 0
  fi
  t0="$(now_ms)"
  terminate "$pid"
  rm -f "$DIR/kafka.pid"
  log "stopped pid $pid in $(($(now_ms) - t0)) ms ($DIR)"
}

cmd_status() {
  parse_opts "$@"
  local pid
  if pid="$(running_pid)"; then
    log "running: pid $pid, dir $DIR"
    echo "KAFKA_BROKERS=127.0.0.1:$(cat "$DIR/kafka.port")"
    return 0
  fi
  log "stopped ($DIR)"
  return 3
}

case "${1:-}" in
  fetch) shift; cmd_fetch "$@" ;;
  start) shift; cmd_start "$@" ;;
  stop) shift; cmd_stop "$@" ;;
  status) shift; cmd_status "$@" ;;
  *)
    sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 64
    ;;
esac
