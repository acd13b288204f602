"""The launchers' and operations' settings: every environment variable read by launch/, ops/ and bench/
(the local and production launchers, the services script, the retention purge, the benchmark), read once at
import. Standard library only: ops/services.sh runs it before any virtualenv exists.

The same style as channels/settings.py (the Rasa server's) and actions/settings.py (the action server's):
a module constant per variable, `os.environ.get("NAME") or default`, converted to its type here.
docs/settings.md lists every variable; tests/test_settings.py keeps the two in step.

    python3 -m launch.settings --shell      the services' settings as shell assignments (ops/services.sh)
"""

from __future__ import annotations

import argparse
import os
import shlex
from pathlib import Path
from typing import Dict, List, Optional

ROOT = Path(__file__).resolve().parent.parent

# PostgreSQL, Redis and RabbitMQ of the production profile (launch.topology.Services, ops/services.sh); the
# same variables endpoints.production.yml names. The defaults are the loopback services `make services` makes.
DB_HOST = os.environ.get("DB_HOST") or "127.0.0.1"
DB_PORT = os.environ.get("DB_PORT") or "5432"
DB_USER = os.environ.get("DB_USER") or "legcramps"
DB_PASSWORD = os.environ.get("DB_PASSWORD") or "legcramps"
DB_NAME = os.environ.get("DB_NAME") or "legcramps"
REDIS_HOST = os.environ.get("REDIS_HOST") or "127.0.0.1"
REDIS_PORT = os.environ.get("REDIS_PORT") or "6379"
REDIS_PASSWORD = os.environ.get("REDIS_PASSWORD") or ""
REDIS_DB = os.environ.get("REDIS_DB") or "1"
REDIS_KEY_PREFIX = os.environ.get("REDIS_KEY_PREFIX") or "legcramps"
RABBITMQ_HOST = os.environ.get("RABBITMQ_HOST") or "127.0.0.1"
RABBITMQ_PORT = os.environ.get("RABBITMQ_PORT") or "5672"
RABBITMQ_USER = os.environ.get("RABBITMQ_USER") or "guest"
RABBITMQ_PASSWORD = os.environ.get("RABBITMQ_PASSWORD") or "guest"
RABBITMQ_QUEUE = os.environ.get("RABBITMQ_QUEUE") or "legcramps_events"

# Secrets the production topology requires and hands to its processes.
RASA_API_TOKEN = os.environ.get("RASA_API_TOKEN") or ""
"""The token of Rasa's HTTP API (`rasa run --auth-token`)."""
REST_TOKENS = os.environ.get("REST_TOKENS") or ""
"""The REST channel's `name:token` pairs, passed on to the Rasa replicas (which read them: channels/settings.py)."""
ACTION_SERVER_TOKEN = os.environ.get("ACTION_SERVER_TOKEN") or ""
"""The secret Rasa sends to the action servers; when set, launch.credentials adds it to the endpoints file."""

CREDENTIALS_TEMPLATE = Path(os.environ.get("CREDENTIALS_TEMPLATE") or ROOT / "credentials.yml")
"""The credentials template launch.credentials writes the effective credentials file from."""

# Retention (ops/purge.py) and how often the production topology runs it.
CONVERSATION_RETENTION_DAYS = os.environ.get("CONVERSATION_RETENTION_DAYS") or "30"
"""Days a conversation is kept after its latest event; `make purge` deletes older ones from the tracker store.
"off" keeps them for ever."""
UNANSWERED_RETENTION_DAYS = os.environ.get("UNANSWERED_RETENTION_DAYS") or "90"
"""Days the review store keeps an unanswered (scrubbed) message for the editors; "off" keeps them for ever."""
TRACKER_DATABASE_URL: Optional[str] = os.environ.get("TRACKER_DATABASE_URL") or None
"""SQLAlchemy URL of the tracker store for the purge; unset: built from the endpoints file's tracker_store."""
PURGE_INTERVAL_SECONDS = float(os.environ.get("PURGE_INTERVAL_SECONDS") or "3600")
"""How often the production topology runs the purge (0: never)."""

# The benchmark (bench/).
BENCH_WORK = Path(os.environ.get("BENCH_WORK") or ROOT / "var" / "bench")
"""Where `make bench` keeps its trained models, logs and servers' files."""
BENCH_RESULTS = Path(os.environ.get("BENCH_RESULTS") or ROOT / "bench" / "results")
"""Where `make bench` writes its results."""
REST_TOKEN: Optional[str] = os.environ.get("REST_TOKEN") or None
"""The bearer token bench/loadgen.py sends to the REST channel (bench/run.py sets it for its assistant)."""

SERVICE_VARIABLES: List[str] = [
    "DB_HOST", "DB_PORT", "DB_USER", "DB_PASSWORD", "DB_NAME",
    "REDIS_HOST", "REDIS_PORT", "REDIS_PASSWORD", "REDIS_DB", "REDIS_KEY_PREFIX",
    "RABBITMQ_HOST", "RABBITMQ_PORT", "RABBITMQ_USER", "RABBITMQ_PASSWORD", "RABBITMQ_QUEUE",
]  # fmt: skip


def services() -> Dict[str, str]:
    """{variable: value} of the services' settings."""
    return {name: globals()[name] for name in SERVICE_VARIABLES}


def main(argv: Optional[List[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shell", action="store_true", help="print the services' settings as shell assignments")
    parser.parse_args(argv)
    for name, value in services().items():
        print(f"{name}={shlex.quote(value)}")


if __name__ == "__main__":
    main()
