"""The action server's settings: every environment variable it reads (and the offline tools over its data:
seeding, `make validate`, the content report), read once at import.

The same style as channels/settings.py (the Rasa server's) and launch/settings.py (launchers and
operations): a module constant per variable, `os.environ.get("NAME") or default`, converted to its type here.
docs/settings.md lists every variable; tests/test_settings.py keeps the two in step."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Optional

PROJECT_ROOT = Path(__file__).resolve().parent.parent

KNOWLEDGE_DIR = Path(os.environ.get("KB_SOURCE_DIR") or PROJECT_ROOT / "data" / "knowledge")
"""YAML source of the knowledge base (seeded into the database)."""

VAR_DIR = Path(os.environ.get("VAR_DIR") or PROJECT_ROOT / "var")
"""Run-time files that are never committed (SQLite databases)."""

KB_DATABASE_URL = os.environ.get("KB_DATABASE_URL") or f"sqlite:///{VAR_DIR / 'knowledge.db'}"
"""SQLAlchemy URL of the knowledge base; a SQLite file under the project by default."""

REVIEW_DATABASE_URL = os.environ.get("REVIEW_DATABASE_URL") or f"sqlite:///{VAR_DIR / 'review.db'}"
"""SQLAlchemy URL of the content-review store (answers given, ratings, scrubbed unanswered messages)."""

CONTENT_REPORT = Path(os.environ.get("CONTENT_REPORT") or VAR_DIR / "content-report.html")
"""Where `make content-report` writes the HTML report."""

KB_MAX_REVIEW_AGE_DAYS = int(os.environ.get("KB_MAX_REVIEW_AGE_DAYS") or "365")
"""`make validate` fails when a knowledge-base record was last reviewed longer ago than this."""

EMERGENCY_NUMBER = (
    os.environ.get("EMERGENCY_NUMBER") or "your local emergency number (911 in the US, 112 in the EU, 999 in the UK)"
)
"""How answers name the emergency number; set it to the deployment's country."""

ACTION_SERVER_PORT = int(os.environ.get("ACTION_SERVER_PORT") or "5055")

ACTION_SERVER_HOST = os.environ.get("ACTION_SERVER_HOST") or "127.0.0.1"
"""The address the action server listens on: loopback unless Rasa runs on another machine."""

ACTION_SERVER_TOKEN: Optional[str] = os.environ.get("ACTION_SERVER_TOKEN") or None
"""When set, the action server refuses calls without it (Rasa sends it as ?token=, endpoints.yml `token`)."""

SPACY_MODEL_DIR = PROJECT_ROOT / "models" / "spacy_en_legcramps"
"""Where the train step writes the spaCy pipeline; config.yml loads it by this path."""
