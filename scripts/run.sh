#!/usr/bin/env bash
# Starts the action server (:5055), the Rasa server (:5005, embedded SQLite tracker store) and the
# website widget's demo page (:8080, WEB_PORT). The servers' own output goes to var/log/; this prints a
# few lines: each server as it comes up, then "ready".
# Ctrl-C stops them. With --shell, chats with them in this terminal and stops them when you quit.
set -uo pipefail
cd "$(dirname "$0")/.."
export RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL="${TF_CPP_MIN_LOG_LEVEL:-3}" \
  SQLALCHEMY_SILENCE_UBER_WARNING=1 PYTHONWARNINGS="${PYTHONWARNINGS:-ignore}"
model=${MODEL:-models/current.tar.gz}
logs=var/log
mkdir -p "$logs"

# The action server listens on 127.0.0.1 (ACTION_SERVER_HOST) and, with ACTION_SERVER_TOKEN, checks it.
.venv/bin/clinic-actions --port "${ACTION_PORT:-5055}" >"$logs/actions.log" 2>&1 &
actions_pid=$!
# Rasa's HTTP API stays off unless RASA_API_TOKEN or RASA_JWT_SECRET is set (src/clinic_faq/rasa_ext/servers/rasa_server.py).
.venv/bin/clinic-rasa run --model "$model" --port "${RASA_PORT:-5005}" \
  --credentials credentials.yml --endpoints "${ENDPOINTS:-endpoints.yml}" >"$logs/rasa.log" 2>&1 &
rasa_pid=$!
.venv/bin/python web/serve.py --port "${WEB_PORT:-8080}" >"$logs/web.log" 2>&1 &
web_pid=$!

stopping=""
stop() {
  stopping=yes
  trap - INT TERM EXIT
  kill "$actions_pid" "$rasa_pid" "$web_pid" 2>/dev/null
  wait "$actions_pid" "$rasa_pid" "$web_pid" 2>/dev/null
}
trap stop INT TERM EXIT

failed() {
  echo "The $1 server did not start. The end of $logs/$2:" >&2
  tail -20 "$logs/$2" >&2
  exit 1
}

url="http://localhost:${RASA_PORT:-5005}"
echo "Starting the assistant (model $(readlink "$model" 2>/dev/null || echo "$model")); logs in $logs/."
actions_up="" rasa_up=""
for _ in $(seq 1 180); do
  if [ -z "$actions_up" ] && curl -sf "http://localhost:${ACTION_PORT:-5055}/health" >/dev/null 2>&1; then
    actions_up=yes; echo "  action server   http://localhost:${ACTION_PORT:-5055}"
  fi
  if [ -z "$rasa_up" ] && curl -sf "$url/webhooks/rest/" >/dev/null 2>&1; then
    rasa_up=yes; echo "  Rasa server     $url"
  fi
  [ -n "$actions_up" ] && [ -n "$rasa_up" ] && break
  kill -0 "$actions_pid" 2>/dev/null || failed action actions.log
  kill -0 "$rasa_pid" 2>/dev/null || failed Rasa rasa.log
  sleep 1
done
[ -n "$actions_up" ] && [ -n "$rasa_up" ] || { echo "The servers did not answer within 3 minutes; see $logs/." >&2; exit 1; }

# Said once, calmly: the clinic details still need filling in.
grep -q "^example_values: true" clinic.yml 2>/dev/null && \
  echo "  note: clinic.yml still holds example details (name, phone, hours); see README, Adapting it."

cat <<MSG

The assistant is ready.
  Website:    http://localhost:${WEB_PORT:-8080}/ (a demo clinic page with the chat widget)
  REST:       curl -s $url/webhooks/rest/webhook -d '{"sender": "me", "message": "how long is a session?"}'
  SMS:        off until TWILIO_AUTH_TOKEN is set (docs/channels.md)
  Stop with Ctrl-C.

MSG

if [ "${1:-}" = "--shell" ]; then
  .venv/bin/python -m clinic_faq.terminal_chat "$url"
else
  wait -n "$actions_pid" "$rasa_pid"
  [ -n "$stopping" ] || echo "A server stopped; stopping the others (see $logs/)." >&2
fi
