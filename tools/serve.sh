#!/usr/bin/env bash
# Start the action server and the Rasa server; Ctrl-C (or either one exiting) stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
export RASA_TELEMETRY_ENABLED=false
mkdir -p var
.venv/bin/python -m actions.server &
actions_pid=$!
trap 'kill $actions_pid 2>/dev/null || true' EXIT INT TERM
cat <<MSG

  Starting the assistant: action server on :5055, Rasa on :5005 (REST channel, HTTP API).
  When Rasa prints "Rasa server is up and running", talk to it:
    curl -s localhost:5005/webhooks/rest/webhook -H 'Content-Type: application/json' \\
         -d '{"sender": "me", "message": "what causes leg cramps?"}'
  or in a terminal:  make shell     (Ctrl-C here stops both servers)

MSG
.venv/bin/rasa run --enable-api --model models/current.tar.gz --endpoints endpoints.yml \
  --credentials credentials.yml --port 5005
