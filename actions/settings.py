"""The one place that reads environment variables and holds defaults."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent

KNOWLEDGE_DIR = Path(os.environ.get("KB_SOURCE_DIR", PROJECT_ROOT / "data" / "knowledge"))
"""YAML source of the knowledge base (seeded into the database)."""

VAR_DIR = Path(os.environ.get("VAR_DIR", PROJECT_ROOT / "var"))
"""Run-time files that are never committed (SQLite databases)."""

KB_DATABASE_URL = os.environ.get("KB_DATABASE_URL") or f"sqlite:///{VAR_DIR / 'knowledge.db'}"
"""SQLAlchemy URL of the knowledge base; a SQLite file under the project by default."""

REVIEW_DATABASE_URL = os.environ.get("REVIEW_DATABASE_URL") or f"sqlite:///{VAR_DIR / 'review.db'}"
"""SQLAlchemy URL of the content-review store (answers given, ratings, scrubbed unanswered messages)."""

CONVERSATION_RETENTION_DAYS = os.environ.get("CONVERSATION_RETENTION_DAYS", "30")
"""Days a conversation is kept after its latest event; `make purge` (ops/purge.py) deletes older ones from the
tracker store. "off" keeps them for ever. The production topology runs the purge every PURGE_INTERVAL_SECONDS."""

UNANSWERED_RETENTION_DAYS = os.environ.get("UNANSWERED_RETENTION_DAYS", "90")
"""Days the review store keeps an unanswered (scrubbed) message for the editors; "off" keeps them for ever."""

PURGE_INTERVAL_SECONDS = int(os.environ.get("PURGE_INTERVAL_SECONDS", "3600"))
"""How often the production topology runs the purge."""

TRACKER_DATABASE_URL = os.environ.get("TRACKER_DATABASE_URL") or None
"""SQLAlchemy URL of the tracker store for the purge; unset: built from the endpoints file's tracker_store."""

CONTENT_REPORT = Path(os.environ.get("CONTENT_REPORT", VAR_DIR / "content-report.html"))
"""Where `make content-report` writes the HTML report."""

KB_MAX_REVIEW_AGE_DAYS = int(os.environ.get("KB_MAX_REVIEW_AGE_DAYS", "365"))
"""`make validate` fails when a knowledge-base record was last reviewed longer ago than this."""

EMERGENCY_NUMBER = os.environ.get(
    "EMERGENCY_NUMBER", "your local emergency number (911 in the US, 112 in the EU, 999 in the UK)"
)
"""How answers name the emergency number; set it to the deployment's country."""

ACTION_SERVER_PORT = int(os.environ.get("ACTION_SERVER_PORT", "5055"))

ACTION_SERVER_HOST = os.environ.get("ACTION_SERVER_HOST", "127.0.0.1")
"""The address the action server listens on: loopback unless Rasa runs on another machine."""

ACTION_SERVER_TOKEN = os.environ.get("ACTION_SERVER_TOKEN") or None
"""When set, the action server refuses calls without it (Rasa sends it as ?token=, endpoints.yml `token`)."""

SPACY_MODEL_DIR = PROJECT_ROOT / "models" / "spacy_en_legcramps"
"""Where the train step writes the spaCy pipeline; config.yml loads it by this path."""
