"""Every environment variable the channel code reads, with its default (the one settings module of `channels/`).

The platform secrets themselves are not read here: `credentials.yml` names them as `${VAR}` placeholders,
Rasa substitutes them, and `launch.credentials` leaves out every channel whose variables are unset.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import List, Optional

ROOT = Path(__file__).resolve().parent.parent

# Where each platform's API lives. Only tests (and local mocks) change these; production uses the defaults.
TELEGRAM_API_URL = "TELEGRAM_API_URL"
SLACK_API_URL = "SLACK_API_URL"
FACEBOOK_GRAPH_URL = "FACEBOOK_GRAPH_URL"
TWILIO_API_URL = "TWILIO_API_URL"
# The Rasa server's public base URL (https://bot.example.org) when a proxy sits in front of it:
# Twilio signs the URL it calls, so the signature check needs that URL, not the one Rasa sees.
RASA_PUBLIC_URL = "RASA_PUBLIC_URL"
# The secret_token the Telegram channel registers with setWebhook and requires on every update
# (X-Telegram-Bot-Api-Secret-Token); unset: derived from the bot token (channels/telegram.py).
TELEGRAM_WEBHOOK_SECRET = "TELEGRAM_WEBHOOK_SECRET"
# Where the credentials template and the effective credentials file are.
CREDENTIALS_TEMPLATE = "CREDENTIALS_TEMPLATE"

# The REST channel (channels/rest.py). Integrators authenticate with static tokens ("name:token" pairs,
# space- or comma-separated, tokens of at least MIN_TOKEN_LENGTH characters) or HS256 JWTs (claim "sub" names
# the integrator, "exp" is required). With neither set every REST request is refused.
REST_TOKENS = "REST_TOKENS"
REST_JWT_SECRET = "REST_JWT_SECRET"
MIN_TOKEN_LENGTH = 16
# Input limits: request body in bytes, message in characters, sender id in characters.
REST_MAX_BODY_BYTES = "REST_MAX_BODY_BYTES"
REST_MAX_MESSAGE_CHARS = "REST_MAX_MESSAGE_CHARS"
REST_MAX_SENDER_CHARS = "REST_MAX_SENDER_CHARS"
# Token buckets: a sender may send SENDER_BURST messages at once, then SENDER_RATE a second; the same for
# each client address. At most RATE_LIMIT_KEYS buckets are kept (the least recently used go first).
REST_SENDER_RATE = "REST_SENDER_RATE"
REST_SENDER_BURST = "REST_SENDER_BURST"
REST_ADDRESS_RATE = "REST_ADDRESS_RATE"
REST_ADDRESS_BURST = "REST_ADDRESS_BURST"
RATE_LIMIT_KEYS = "RATE_LIMIT_KEYS"
# Seconds the REST channel waits for the bot's answer before it sends the service-problem answer instead.
REST_REPLY_TIMEOUT = "REST_REPLY_TIMEOUT"
# The socket.io channel (channels/socketio.py, the web chat widget's), in the REST channel's style: token buckets
# per session (the widget's session id) and per client address, the longest message in characters, the
# largest socket.io packet in bytes (larger ones close the connection), the longest session id, and the
# seconds it waits for the bot before it sends the service-problem answer.
SOCKETIO_SESSION_RATE = "SOCKETIO_SESSION_RATE"
SOCKETIO_SESSION_BURST = "SOCKETIO_SESSION_BURST"
SOCKETIO_ADDRESS_RATE = "SOCKETIO_ADDRESS_RATE"
SOCKETIO_ADDRESS_BURST = "SOCKETIO_ADDRESS_BURST"
SOCKETIO_MAX_MESSAGE_CHARS = "SOCKETIO_MAX_MESSAGE_CHARS"
SOCKETIO_MAX_PACKET_BYTES = "SOCKETIO_MAX_PACKET_BYTES"
SOCKETIO_MAX_SESSION_CHARS = "SOCKETIO_MAX_SESSION_CHARS"
SOCKETIO_REPLY_TIMEOUT = "SOCKETIO_REPLY_TIMEOUT"
# The shared secret Rasa sends to the action server (actions/settings.py reads the same variable).
ACTION_SERVER_TOKEN = "ACTION_SERVER_TOKEN"
# Origins (scheme://host:port) allowed to open the web chat's socket.io connection; space-separated.
CORS_ORIGINS = "CORS_ORIGINS"
# How Rasa checks action server responses: "cached" (patches/action_results.py) or "stock" (Rasa's own, to
# measure what the cached check saves: `make profile` with ACTION_RESULT_CHECK=stock).
ACTION_RESULT_CHECK = "ACTION_RESULT_CHECK"

DEFAULTS = {
    REST_MAX_BODY_BYTES: "8192",
    REST_MAX_MESSAGE_CHARS: "2000",
    REST_MAX_SENDER_CHARS: "64",
    REST_SENDER_RATE: "1",
    REST_SENDER_BURST: "10",
    REST_ADDRESS_RATE: "50",
    REST_ADDRESS_BURST: "200",
    RATE_LIMIT_KEYS: "10000",
    REST_REPLY_TIMEOUT: "20",
    SOCKETIO_SESSION_RATE: "1",
    SOCKETIO_SESSION_BURST: "10",
    SOCKETIO_ADDRESS_RATE: "50",
    SOCKETIO_ADDRESS_BURST: "200",
    SOCKETIO_MAX_MESSAGE_CHARS: "2000",
    SOCKETIO_MAX_PACKET_BYTES: "16384",
    SOCKETIO_MAX_SESSION_CHARS: "64",
    SOCKETIO_REPLY_TIMEOUT: "20",
    CORS_ORIGINS: "http://localhost:8080 http://127.0.0.1:8080",
    ACTION_RESULT_CHECK: "cached",
    TELEGRAM_API_URL: "https://api.telegram.org",
    SLACK_API_URL: "https://slack.com/api/",
    FACEBOOK_GRAPH_URL: "https://graph.facebook.com",
    TWILIO_API_URL: "https://api.twilio.com",
    CREDENTIALS_TEMPLATE: str(ROOT / "credentials.yml"),
}


def get(name: str) -> str:
    """The variable's value, or its default."""
    return os.environ.get(name) or DEFAULTS[name]


def optional(name: str) -> Optional[str]:
    return os.environ.get(name) or None


def slack_api_url() -> str:
    url = get(SLACK_API_URL)
    return url if url.endswith("/") else url + "/"


def facebook_graph_url(api_version: str) -> str:
    return f"{get(FACEBOOK_GRAPH_URL).rstrip('/')}/v{api_version}"


def number(name: str) -> float:
    return float(get(name))


def words(name: str) -> List[str]:
    """A space- or comma-separated list (REST_TOKENS, CORS_ORIGINS)."""
    return (os.environ.get(name) or DEFAULTS.get(name, "")).replace(",", " ").split()
