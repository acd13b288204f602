#!/usr/bin/env bash
# Start the action server, the Rasa server and the web chat page; Ctrl-C (or Rasa exiting) stops them all.
#
# Secrets come from the environment (docs/settings.md, docs/security.md):
#   REST_TOKENS / REST_JWT_SECRET  integrators' REST credentials; unset: a random local token in var/rest-token
#   ACTION_SERVER_TOKEN            shared by Rasa and the action server; unset: a random one for this run
#   RASA_API_TOKEN / RASA_JWT_SECRET  the HTTP API's authentication; unset: Rasa listens on 127.0.0.1 only
#   PRODUCTION=1                   refuse to start without RASA_API_TOKEN or RASA_JWT_SECRET
#   CORS_ORIGINS                   origins allowed to call Rasa from a browser (default: the local chat page)
set -euo pipefail
cd "$(dirname "$0")/.."
export RASA_TELEMETRY_ENABLED=false
mkdir -p var
random_token() { .venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(24))'; }

api_args=(--enable-api)
if [[ -n "${RASA_API_TOKEN:-}" ]]; then
  api_args+=(--auth-token "$RASA_API_TOKEN")
  rasa_host=${RASA_HOST:-0.0.0.0}
elif [[ -n "${RASA_JWT_SECRET:-}" ]]; then
  api_args+=(--jwt-secret "$RASA_JWT_SECRET" --jwt-method HS256)
  rasa_host=${RASA_HOST:-0.0.0.0}
elif [[ "${PRODUCTION:-}" == 1 ]]; then
  echo "serve.sh: PRODUCTION=1 needs RASA_API_TOKEN or RASA_JWT_SECRET for Rasa's HTTP API; not starting." >&2
  exit 1
else
  rasa_host=127.0.0.1  # the HTTP API is open: loopback only
fi

rest_token=""
if [[ -z "${REST_TOKENS:-}" && -z "${REST_JWT_SECRET:-}" ]]; then
  [[ -s var/rest-token ]] || (umask 077 && random_token > var/rest-token)
  rest_token=$(cat var/rest-token)
  export REST_TOKENS="local:$rest_token"
fi
export ACTION_SERVER_TOKEN=${ACTION_SERVER_TOKEN:-$(random_token)}

webchat_port=${WEBCHAT_PORT:-8080}
# WEBCHAT_ORIGINS (older name): space-separated origins of other sites that embed the chat
export CORS_ORIGINS=${CORS_ORIGINS:-"http://localhost:$webchat_port http://127.0.0.1:$webchat_port ${WEBCHAT_ORIGINS:-}"}

.venv/bin/python -m actions.server &
actions_pid=$!
.venv/bin/python -m launch.webchat_server --port "$webchat_port" --rasa-url "http://localhost:5005" &
webchat_pid=$!
trap 'kill $actions_pid $webchat_pid 2>/dev/null || true' EXIT INT TERM
# the channels whose secrets are set in the environment (docs/integrators.md), and the endpoints with the token
.venv/bin/python -m launch.credentials --out var/credentials.yml --endpoints-out var/endpoints.yml
cat <<MSG

  Starting the assistant: action server on 127.0.0.1:5055, Rasa on $rasa_host:5005 (REST channel, HTTP API).
  When Rasa prints "Rasa server is up and running", talk to it:
    curl -s localhost:5005/webhooks/rest/webhook -H 'Content-Type: application/json' \\
         -H "Authorization: Bearer ${rest_token:-<one of your REST_TOKENS>}" \\
         -d '{"sender": "me", "message": "what causes leg cramps?"}'
  or in a terminal:  make shell     (Ctrl-C here stops both servers)
  or in a browser:   http://localhost:$webchat_port/   (the web chat page)

MSG
# Rasa through launch.rasa_cli, which applies the Rasa patches (patches/) first
# shellcheck disable=SC2086  # CORS_ORIGINS is a list
.venv/bin/python -m launch.rasa_cli run "${api_args[@]}" --model models/current.tar.gz --endpoints var/endpoints.yml \
  --credentials var/credentials.yml --port 5005 -i "$rasa_host" --cors $CORS_ORIGINS
