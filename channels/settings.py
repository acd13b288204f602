"""Every environment variable the channel code reads, with its default (the one settings module of `channels/`).

The platform secrets themselves are not read here: `credentials.yml` names them as `${VAR}` placeholders,
Rasa substitutes them, and `channels.credentials` leaves out every channel whose variables are unset.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Optional

ROOT = Path(__file__).resolve().parent.parent

# Where each platform's API lives. Only tests (and local mocks) change these; production uses the defaults.
TELEGRAM_API_URL = "TELEGRAM_API_URL"
SLACK_API_URL = "SLACK_API_URL"
FACEBOOK_GRAPH_URL = "FACEBOOK_GRAPH_URL"
TWILIO_API_URL = "TWILIO_API_URL"
# The Rasa server's public base URL (https://bot.example.org) when a proxy sits in front of it:
# Twilio signs the URL it calls, so the signature check needs that URL, not the one Rasa sees.
RASA_PUBLIC_URL = "RASA_PUBLIC_URL"
# Where the credentials template and the effective credentials file are.
CREDENTIALS_TEMPLATE = "CREDENTIALS_TEMPLATE"

DEFAULTS = {
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
