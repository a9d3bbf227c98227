#!/usr/bin/env bash
# Start the action server and the Rasa server on this machine (loopback only).
#   scripts/run.sh          REST server; prints how to chat
#   scripts/run.sh shell    chat in this terminal
# Conversations are kept in an embedded SQLite tracker store ($TRACKER_DB, default
# rasa.db), so they survive a restart. Logs are in $LOG_DIR (default logs/), the previous
# five runs' in rasa.log.1 ... rasa.log.5 and actions.log.1 ...; the two servers share a
# secret ($ACTION_SERVER_TOKEN, a new random one per start unless set).
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
export LOG_DIR=${LOG_DIR:-logs}  # the action server keeps its escalation records there too
mkdir -p "$LOG_DIR"
# The Rasa server sends this secret with every action call (endpoints.yml) and the action
# server refuses calls without it (actions/server.py). Unset: a new random one per start,
# known only to these two processes. Set (e.g. an action server elsewhere): used as is; the
# action server refuses to start when it is empty or shorter than 32 characters.
if [ -z "${ACTION_SERVER_TOKEN+set}" ]; then
  ACTION_SERVER_TOKEN=$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(32))')
fi
export ACTION_SERVER_TOKEN

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

# Logs are kept across starts: a crash's traceback must survive the restart that follows
# it. Each start moves X.log to X.log.1 (.1 to .2, ... the oldest of LOG_RUNS dropped) and
# begins a new X.log with a start line. Rotated rather than appended so that X.log is this
# run alone, and the disk space and the time conversation ids stay in logs are bounded.
LOG_RUNS=5
new_log() {  # file, what: rotate and write the start line
  local n
  for ((n = LOG_RUNS - 1; n >= 1; n--)); do
    if [ -e "$1.$n" ]; then mv -f "$1.$n" "$1.$((n + 1))"; fi
  done
  if [ -e "$1" ]; then mv -f "$1" "$1.1"; fi
  echo "=== $(date "+%Y-%m-%d %H:%M:%S %z") scripts/run.sh $mode: $2" >"$1"
}

# The terminal chat can run beside `make run`: its action server gets a log of its own.
if [ "$mode" = shell ]; then actions_log=$LOG_DIR/actions.shell.log; else actions_log=$LOG_DIR/actions.log; fi
new_log "$actions_log" "action server on 127.0.0.1:$ACTIONS_PORT"
echo "==> Starting the action server on 127.0.0.1:$ACTIONS_PORT (log: $actions_log)"
.venv/bin/python -m actions --port "$ACTIONS_PORT" >>"$actions_log" 2>&1 &
pids+=($!)

wait_for() {  # url, seconds, what, pid, log
  local deadline=$((SECONDS + $2))
  until curl -fsS -o /dev/null "$1" 2>/dev/null; do
    # A server that stopped (a refused secret, a bad model) says why in its log: show it
    # now instead of waiting out the deadline.
    if ! kill -0 "$4" 2>/dev/null; then
      echo "ERROR: $3 stopped while starting. The end of $5:" >&2
      tail -n 15 "$5" >&2
      exit 1
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "ERROR: $3 did not come up within $2 s; see $5." >&2
      exit 1
    fi
    sleep 1
  done
}
wait_for "http://127.0.0.1:$ACTIONS_PORT/health" 60 "the action server" "${pids[-1]}" "$actions_log"

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
new_log "$LOG_DIR/rasa.log" "Rasa server on 127.0.0.1:$RASA_PORT"
echo "==> Starting the Rasa server on 127.0.0.1:$RASA_PORT (log: $LOG_DIR/rasa.log; about 20-60 s)"
.venv/bin/python -m rasa_patches run --model "$MODEL" --endpoints "$ENDPOINTS" --credentials "$LOG_DIR/credentials.active.yml" \
  --interface 127.0.0.1 --port "$RASA_PORT" >>"$LOG_DIR/rasa.log" 2>&1 &
pids+=($!)
started=$SECONDS
wait_for "http://127.0.0.1:$RASA_PORT/webhooks/rest/" 300 "the Rasa server" "${pids[-1]}" "$LOG_DIR/rasa.log"
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
