#!/usr/bin/env bash
# The production profile on this machine: PostgreSQL, Redis and RabbitMQ (ops/services.sh), two
# action servers, REPLICAS Rasa replicas on endpoints.production.yml and nginx on :8000 in front.
# Every address and secret comes from the environment (docs/settings.md, docs/operators.md); the defaults
# here are the loopback services `make services` provides. Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."
export RASA_TELEMETRY_ENABLED=false
: "${RASA_API_TOKEN:?set RASA_API_TOKEN, the token of the Rasa HTTP API (for instance from: openssl rand -hex 16)}"
: "${REST_TOKENS:?set REST_TOKENS, the REST channel's integrator:token pairs (for instance clinic:\$(openssl rand -hex 16))}"
: "${ACTION_SERVER_TOKEN:?set ACTION_SERVER_TOKEN, the secret between Rasa and the action servers (openssl rand -hex 16)}"
ops/services.sh
exec .venv/bin/python -m launch.topology --replicas "${REPLICAS:-2}" --actions "${ACTION_SERVERS:-2}" \
  --port "${PORT:-8000}" --workdir var/production
