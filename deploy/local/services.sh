#!/usr/bin/env bash
# Local services for development: `npm run services:up` / `npm run services:down`.
#
#   services.sh up       start Kafka (jars from Maven Central, see kafka.sh) in ./.tmp/services/kafka and print the env
#   services.sh down     stop it (the data stays in ./.tmp/services/kafka until you delete the folder)
#   services.sh status   exit 0 when Kafka is running, 3 when not
#
# KAFKA_PORT overrides the broker port (default 9092). ClickHouse needs nothing (chDB is embedded in the process) and
# the EVM dev chain runs in-process (Hardhat 2).
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"
KAFKA_DIR="$REPO_ROOT/.tmp/services/kafka"
KAFKA_PORT="${KAFKA_PORT:-9092}"

case "${1:-}" in
  up)
    env_line="$(bash "$SCRIPT_DIR/kafka.sh" start --dir "$KAFKA_DIR" --port "$KAFKA_PORT")"
    cat <<EOF
# x402 ledger local services are up. Use:
export ${env_line}
export EVENT_LOG_URL=kafka://${env_line#KAFKA_BROKERS=}
# ClickHouse: nothing to start (chDB is embedded); EVM: in-process Hardhat dev chain.
# Logs: $KAFKA_DIR/logs   Stop: npm run services:down
EOF
    ;;
  down)
    bash "$SCRIPT_DIR/kafka.sh" stop --dir "$KAFKA_DIR"
    ;;
  status)
    bash "$SCRIPT_DIR/kafka.sh" status --dir "$KAFKA_DIR"
    ;;
  *)
    sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 64
    ;;
esac
