#!/usr/bin/env bash
# Start the action server, the Rasa server and the web chat page; Ctrl-C (or Rasa exiting) stops them all.
set -euo pipefail
cd "$(dirname "$0")/.."
export RASA_TELEMETRY_ENABLED=false
mkdir -p var
.venv/bin/python -m actions.server &
actions_pid=$!
# WEBCHAT_ORIGINS: space-separated origins of other sites that embed the chat (https://clinic.example.org)
webchat_port=${WEBCHAT_PORT:-8080}
.venv/bin/python -m tools.webchat_server --port "$webchat_port" --rasa-url "http://localhost:5005" &
webchat_pid=$!
trap 'kill $actions_pid $webchat_pid 2>/dev/null || true' EXIT INT TERM
# the channels whose secrets are set in the environment (README "Channels")
.venv/bin/python -m channels.credentials --out var/credentials.yml
cat <<MSG

  Starting the assistant: action server on :5055, Rasa on :5005 (REST channel, HTTP API).
  When Rasa prints "Rasa server is up and running", talk to it:
    curl -s localhost:5005/webhooks/rest/webhook -H 'Content-Type: application/json' \\
         -d '{"sender": "me", "message": "what causes leg cramps?"}'
  or in a terminal:  make shell     (Ctrl-C here stops both servers)
  or in a browser:   http://localhost:$webchat_port/   (the web chat page)

MSG
.venv/bin/rasa run --enable-api --model models/current.tar.gz --endpoints endpoints.yml \
  --credentials var/credentials.yml --port 5005 \
  --cors "http://localhost:$webchat_port" "http://127.0.0.1:$webchat_port" ${WEBCHAT_ORIGINS:-}
