#!/usr/bin/env bash
# Start the action server and the Rasa server on this machine (loopback only).
#   scripts/run.sh          REST server; prints how to chat
#   scripts/run.sh shell    chat in this terminal
# Conversations are kept in an embedded SQLite tracker store ($TRACKER_DB, default
# rasa.db), so they survive a restart.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-server}

export RASA_TELEMETRY_ENABLED=false
# The terminal chat gets its own ports so it can run beside `make run`.
if [ "$mode" = shell ]; then default_rasa=5006 default_actions=5056; else default_rasa=5005 default_actions=5055; fi
export RASA_PORT=${RASA_PORT:-$default_rasa}
export ACTIONS_PORT=${ACTIONS_PORT:-$default_actions}
export ACTION_ENDPOINT_URL=${ACTION_ENDPOINT_URL:-http://127.0.0.1:${ACTIONS_PORT}/webhook}
export TRACKER_DB=${TRACKER_DB:-rasa.db}
export SANIC_HOST=127.0.0.1   # the action server listens on loopback only
MODEL=${MODEL:-models/imuran.tar.gz}
ENDPOINTS=${ENDPOINTS:-endpoints.yml}  # deploy/endpoints.production.yml for PostgreSQL + Redis
LOG_DIR=${LOG_DIR:-logs}
mkdir -p "$LOG_DIR"

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for port in "$RASA_PORT" "$ACTIONS_PORT"; do
  if port_busy "$port"; then
    echo "ERROR: port $port on 127.0.0.1 is already in use (another 'make run'?)." >&2
    echo "Stop it, or choose other ports: make $([ "$mode" = shell ] && echo shell || echo run) RASA_PORT=5007 ACTIONS_PORT=5057" >&2
    exit 1
  fi
done

pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; }
trap cleanup EXIT INT TERM

echo "==> Starting the action server on 127.0.0.1:$ACTIONS_PORT (log: $LOG_DIR/actions.log)"
.venv/bin/python -m rasa_sdk --actions actions --port "$ACTIONS_PORT" >"$LOG_DIR/actions.log" 2>&1 &
pids+=($!)

wait_for() {  # url, seconds, what
  local deadline=$((SECONDS + $2))
  until curl -fsS -o /dev/null "$1" 2>/dev/null; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "ERROR: $3 did not come up within $2 s; see $LOG_DIR/." >&2
      exit 1
    fi
    sleep 1
  done
}
wait_for "http://127.0.0.1:$ACTIONS_PORT/health" 60 "the action server"

if [ "$mode" = shell ]; then
  # The terminal chat needs no channel's secrets: only the channels that can start as
  # the environment is, said quietly.
  .venv/bin/python -m deploy.active_credentials credentials.yml "$LOG_DIR/credentials.shell.yml" >/dev/null
  echo "==> Starting a terminal chat (about 20 s; type /stop to end; log: $LOG_DIR/shell.log)"
  .venv/bin/python -m rasa_patches shell --model "$MODEL" --endpoints "$ENDPOINTS" \
    --credentials "$LOG_DIR/credentials.shell.yml" --interface 127.0.0.1 --port "$RASA_PORT" \
    2>>"$LOG_DIR/shell.log"
  exit 0
fi

echo "==> Channels (secrets from environment variables; see README):"
.venv/bin/python -m deploy.active_credentials credentials.yml "$LOG_DIR/credentials.active.yml"
echo "==> Starting the Rasa server on 127.0.0.1:$RASA_PORT (log: $LOG_DIR/rasa.log; about 20-60 s)"
.venv/bin/python -m rasa_patches run --model "$MODEL" --endpoints "$ENDPOINTS" --credentials "$LOG_DIR/credentials.active.yml" \
  --interface 127.0.0.1 --port "$RASA_PORT" >"$LOG_DIR/rasa.log" 2>&1 &
pids+=($!)
started=$SECONDS
wait_for "http://127.0.0.1:$RASA_PORT/webhooks/rest/" 300 "the Rasa server"
cat <<MSG

Ready after $((SECONDS - started)) s.
Demo clinic page with the chat widget: http://127.0.0.1:$RASA_PORT/webhooks/widget/demo
Or chat over REST:
  curl -s -X POST http://127.0.0.1:$RASA_PORT/webhooks/rest/webhook \\
       -H 'Content-Type: application/json' \\
       -d '{"sender": "me", "message": "how should I store imuran?"}'
Or, in another terminal: make shell
Conversations are stored as $ENDPOINTS says (default: SQLite file $TRACKER_DB). Health: http://127.0.0.1:$RASA_PORT/webhooks/rest/health
Press Ctrl-C to stop.
MSG
wait -n "${pids[@]}"  # either server stopping stops both
