#!/usr/bin/env bash
# Starts the action server (:5055), the Rasa server (:5005, embedded SQLite tracker store) and the
# website widget's demo page (:8080, WEB_PORT).
# Ctrl-C stops both. With --shell, chats with them in this terminal and stops them when you quit.
set -uo pipefail
cd "$(dirname "$0")/.."
export RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL="${TF_CPP_MIN_LOG_LEVEL:-2}"
model=${MODEL:-models/current.tar.gz}
mkdir -p var

# The action server listens on 127.0.0.1 (ACTION_SERVER_HOST) and, with ACTION_SERVER_TOKEN, checks it.
.venv/bin/clinic-actions --port "${ACTION_PORT:-5055}" &
actions_pid=$!
# Rasa's HTTP API stays off unless RASA_API_TOKEN or RASA_JWT_SECRET is set (src/clinic_faq/rasa_ext/servers/rasa_server.py).
.venv/bin/clinic-rasa run --model "$model" --port "${RASA_PORT:-5005}" \
  --credentials credentials.yml --endpoints "${ENDPOINTS:-endpoints.yml}" &
rasa_pid=$!
.venv/bin/python web/serve.py --port "${WEB_PORT:-8080}" >/dev/null &
web_pid=$!

stopping=""
stop() {
  stopping=yes
  trap - INT TERM EXIT
  kill "$actions_pid" "$rasa_pid" "$web_pid" 2>/dev/null
  wait "$actions_pid" "$rasa_pid" "$web_pid" 2>/dev/null
}
trap stop INT TERM EXIT

url="http://localhost:${RASA_PORT:-5005}"
for _ in $(seq 1 120); do
  if curl -sf "$url/webhooks/rest/" >/dev/null 2>&1 && curl -sf "http://localhost:${ACTION_PORT:-5055}/health" >/dev/null 2>&1; then
    break
  fi
  if ! kill -0 "$rasa_pid" 2>/dev/null || ! kill -0 "$actions_pid" 2>/dev/null; then
    echo "A server failed to start; see the messages above." >&2
    exit 1
  fi
  sleep 1
done

cat <<MSG

  The assistant is ready.
  REST:       curl -s $url/webhooks/rest/webhook -d '{"sender": "me", "message": "how long is a session?"}'
  Website:    http://localhost:${WEB_PORT:-8080}/ (a demo clinic page with the chat widget)
  socket.io:  $url/socket.io (what the widget talks to)
  Stop with Ctrl-C.

MSG

if [ "${1:-}" = "--shell" ]; then
  .venv/bin/python -m clinic_faq.rasa_ext.channels.console "$url"
else
  wait -n "$actions_pid" "$rasa_pid"
  [ -n "$stopping" ] || echo "A server stopped; stopping the other." >&2
fi
