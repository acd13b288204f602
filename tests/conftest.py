"""Fixtures shared by the tests: a seeded knowledge base in a real SQLite file, the domain, trackers."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.db import session_factory
from actions.repository import KnowledgeRepository
from actions.seed import seed

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def domain() -> Dict[str, Any]:
    return yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))


@pytest.fixture
def kb_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'knowledge.db'}"


@pytest.fixture
def repository(kb_url: str) -> KnowledgeRepository:
    sessions = session_factory(kb_url)
    seed(sessions)
    return KnowledgeRepository(sessions)


@pytest.fixture
def dispatcher() -> CollectingDispatcher:
    return CollectingDispatcher()


def make_tracker(
    text: str = "",
    intent: str = "",
    entities: Optional[List[Dict[str, Any]]] = None,
    slots: Optional[Dict[str, Any]] = None,
    active_loop: Optional[str] = None,
    requested_slot: Optional[str] = None,
    latest_slot_events: Optional[Dict[str, Any]] = None,
) -> Tracker:
    """A tracker as the action server receives it; `latest_slot_events` are SlotSet events of this turn."""
    slot_values = {**(slots or {}), **(latest_slot_events or {})}
    if requested_slot:
        slot_values["requested_slot"] = requested_slot
    events = [{"event": "user", "text": text, "parse_data": {"intent": {"name": intent}}}]
    events += [SlotSet(name, value) for name, value in (latest_slot_events or {}).items()]
    return Tracker(
        sender_id="test-user",
        slots=slot_values,
        latest_message={"text": text, "intent": {"name": intent, "confidence": 1.0}, "entities": entities or []},
        events=events,
        paused=False,
        followup_action=None,
        active_loop={"name": active_loop} if active_loop else {},
        latest_action_name="action_listen",
    )


def responses(dispatcher: CollectingDispatcher) -> List[str]:
    return [m.get("response") for m in dispatcher.messages]


def entity(kind: str, value: str) -> Dict[str, Any]:
    return {"entity": kind, "value": value}


@pytest.fixture(autouse=True)
def review_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every test gets its own review store (ratings, answers given, unanswered messages)."""
    url = f"sqlite:///{tmp_path / 'review.db'}"
    monkeypatch.setattr("actions.settings.REVIEW_DATABASE_URL", url)
    return url
