"""The Rasa server's settings: every environment variable read by the code Rasa loads from this project
(channels/, stores/, patches/, components/), read once when Rasa loads it.

One style in all three settings modules (this one, actions/settings.py for the action server,
launch/settings.py for launchers and operations): a module constant per variable, `os.environ.get("NAME")
or default`, converted to its type here, so a bad value stops the server at start-up, not at a request.
docs/settings.md lists every variable; tests/test_settings.py keeps the two in step.

The platform secrets themselves are not read here: `credentials.yml` names them as `${VAR}` placeholders,
Rasa substitutes them, and `launch.credentials` leaves out every channel whose variables are unset.
"""

from __future__ import annotations

import os
from typing import List, Optional


def _words(text: str) -> List[str]:
    """A space- or comma-separated list."""
    return text.replace(",", " ").split()


# Where each platform's API lives. Only tests (and local mocks) change these; production uses the defaults.
TELEGRAM_API_URL = os.environ.get("TELEGRAM_API_URL") or "https://api.telegram.org"
SLACK_API_URL = (os.environ.get("SLACK_API_URL") or "https://slack.com/api").rstrip("/") + "/"
FACEBOOK_GRAPH_URL = (os.environ.get("FACEBOOK_GRAPH_URL") or "https://graph.facebook.com").rstrip("/")
TWILIO_API_URL = (os.environ.get("TWILIO_API_URL") or "https://api.twilio.com").rstrip("/")

RASA_PUBLIC_URL: Optional[str] = os.environ.get("RASA_PUBLIC_URL") or None
"""The Rasa server's public base URL (https://bot.example.org) when a proxy sits in front of it: Twilio signs
the URL it calls, so the signature check needs that URL, not the one Rasa sees."""

TELEGRAM_WEBHOOK_SECRET: Optional[str] = os.environ.get("TELEGRAM_WEBHOOK_SECRET") or None
"""The secret_token the Telegram channel registers with setWebhook and requires on every update
(X-Telegram-Bot-Api-Secret-Token); unset: derived from the bot token (channels/telegram.py)."""

# The REST channel (channels/rest.py). Integrators authenticate with static tokens ("name:token" pairs,
# space- or comma-separated, tokens of at least MIN_TOKEN_LENGTH characters) or HS256 JWTs (claim "sub" names
# the integrator, "exp" is required). With neither set every REST request is refused.
REST_TOKENS = _words(os.environ.get("REST_TOKENS") or "")
REST_JWT_SECRET: Optional[str] = os.environ.get("REST_JWT_SECRET") or None
MIN_TOKEN_LENGTH = 16
# Input limits: request body in bytes, message in characters, sender id in characters.
REST_MAX_BODY_BYTES = int(os.environ.get("REST_MAX_BODY_BYTES") or "8192")
REST_MAX_MESSAGE_CHARS = int(os.environ.get("REST_MAX_MESSAGE_CHARS") or "2000")
REST_MAX_SENDER_CHARS = int(os.environ.get("REST_MAX_SENDER_CHARS") or "64")
# Token buckets: a sender may send REST_SENDER_BURST messages at once, then REST_SENDER_RATE a second; the same
# for each client address. At most RATE_LIMIT_KEYS buckets are kept (the least recently used go first).
REST_SENDER_RATE = float(os.environ.get("REST_SENDER_RATE") or "1")
REST_SENDER_BURST = float(os.environ.get("REST_SENDER_BURST") or "10")
REST_ADDRESS_RATE = float(os.environ.get("REST_ADDRESS_RATE") or "50")
REST_ADDRESS_BURST = float(os.environ.get("REST_ADDRESS_BURST") or "200")
RATE_LIMIT_KEYS = int(os.environ.get("RATE_LIMIT_KEYS") or "10000")
REST_REPLY_TIMEOUT = float(os.environ.get("REST_REPLY_TIMEOUT") or "20")
"""Seconds the REST channel waits for the bot's answer before it sends the service-problem answer instead."""

# The socket.io channel (channels/socketio.py, the web chat widget's), in the REST channel's style: token buckets
# per session (the widget's session id) and per client address, the longest message in characters, the
# largest socket.io packet in bytes (larger ones close the connection), the longest session id, and the
# seconds it waits for the bot before it sends the service-problem answer.
SOCKETIO_SESSION_RATE = float(os.environ.get("SOCKETIO_SESSION_RATE") or "1")
SOCKETIO_SESSION_BURST = float(os.environ.get("SOCKETIO_SESSION_BURST") or "10")
SOCKETIO_ADDRESS_RATE = float(os.environ.get("SOCKETIO_ADDRESS_RATE") or "50")
SOCKETIO_ADDRESS_BURST = float(os.environ.get("SOCKETIO_ADDRESS_BURST") or "200")
SOCKETIO_MAX_MESSAGE_CHARS = int(os.environ.get("SOCKETIO_MAX_MESSAGE_CHARS") or "2000")
SOCKETIO_MAX_PACKET_BYTES = int(os.environ.get("SOCKETIO_MAX_PACKET_BYTES") or "16384")
SOCKETIO_MAX_SESSION_CHARS = int(os.environ.get("SOCKETIO_MAX_SESSION_CHARS") or "64")
SOCKETIO_REPLY_TIMEOUT = float(os.environ.get("SOCKETIO_REPLY_TIMEOUT") or "20")

CORS_ORIGINS = _words(os.environ.get("CORS_ORIGINS") or "http://localhost:8080 http://127.0.0.1:8080")
"""Origins (scheme://host:port) allowed to open the web chat's socket.io connection; space-separated."""

ACTION_RESULT_CHECK = os.environ.get("ACTION_RESULT_CHECK") or "cached"
"""How Rasa checks action server responses: "cached" (patches/action_results.py) or "stock" (Rasa's own, to
measure what the cached check saves: `make profile` with ACTION_RESULT_CHECK=stock)."""
if ACTION_RESULT_CHECK not in ("cached", "stock"):
    raise ValueError(f"ACTION_RESULT_CHECK must be 'cached' or 'stock', not {ACTION_RESULT_CHECK!r}")


def facebook_graph_url(api_version: str) -> str:
    return f"{FACEBOOK_GRAPH_URL}/v{api_version}"
