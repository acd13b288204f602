"""Fixtures shared by the tests: a seeded knowledge base in a real SQLite file, the domain, trackers, and the
session's shared assistant (the real Rasa and action servers) for the tests that need no settings of their own.

The markers (pyproject.toml) sort the tests into tiers: `make test-fast` runs the ones marked neither
`servers` nor `services` nor `slow`; `make test` runs them all."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Tuple

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.db import engine_for, session_factory
from actions.repository import KnowledgeRepository
from actions.review_store import prepare_schema as prepare_review_schema
from actions.seed import seed
from launch.assistant import running_assistant
from launch.processes import free_port
from tests.fake_platforms import FakePlatforms, fake_platforms, platform_env
from tests.linked_sources import knowledge_with_links

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def domain() -> Dict[str, Any]:
    return yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))


@pytest.fixture
def kb_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'knowledge.db'}"


@pytest.fixture(scope="session")
def seeded_knowledge_base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite knowledge base seeded once per session from data/knowledge; `repository` copies it."""
    path = tmp_path_factory.mktemp("seeded") / "knowledge.db"
    url = f"sqlite:///{path}"
    seed(session_factory(url))
    engine_for(url).dispose()  # every write is in the file before it is copied
    return path


@pytest.fixture
def repository(kb_url: str, tmp_path: Path, seeded_knowledge_base: Path) -> KnowledgeRepository:
    """The seeded knowledge base in a SQLite file of the test's own (a copy: a test may change it)."""
    shutil.copyfile(seeded_knowledge_base, tmp_path / "knowledge.db")
    return KnowledgeRepository(session_factory(kb_url))


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


@pytest.fixture(scope="session")
def empty_review_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite review store with its tables and no rows, made once per session; `review_url` copies it."""
    path = tmp_path_factory.mktemp("review") / "review.db"
    url = f"sqlite:///{path}"
    prepare_review_schema(url)  # what the action server's start-up does (actions.seed.start_up)
    engine_for(url).dispose()
    return path


@pytest.fixture(autouse=True)
def review_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, empty_review_store: Path) -> str:
    """Every test gets its own review store (ratings, answers given, unanswered messages)."""
    shutil.copyfile(empty_review_store, tmp_path / "review.db")
    url = f"sqlite:///{tmp_path / 'review.db'}"
    monkeypatch.setattr("actions.settings.REVIEW_DATABASE_URL", url)
    return url


# -- the session's shared assistant ----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def fake() -> Iterator[FakePlatforms]:
    """The loopback fake of the messaging platforms' APIs (tests/fake_platforms.py) the shared assistant's
    channels send to; it records every request."""
    with fake_platforms() as platforms:
        yield platforms


@pytest.fixture(scope="session")
def linked(tmp_path_factory: pytest.TempPathFactory) -> Tuple[Dict[str, str], List[Tuple[str, str]]]:
    """The environment for a knowledge base whose answer to QUESTION has linked sources, and those sources
    (tests/linked_sources.py)."""
    return knowledge_with_links(tmp_path_factory.mktemp("knowledge"))


@pytest.fixture(scope="session")
def page_port() -> int:
    """The port of the web chat page (tests/test_webchat.py), whose origin the shared assistant allows."""
    return free_port()


@pytest.fixture(scope="session")
def assistant(
    tmp_path_factory: pytest.TempPathFactory, fake: FakePlatforms, linked: Tuple[Dict[str, str], Any], page_port: int
) -> Iterator[Dict[str, str]]:
    """One assistant for every test that needs no settings of its own (REST, the review pipeline, the platform
    channels, the web chat): every channel switched on and pointed at `fake`, the knowledge base of `linked`, the
    web chat page's origin allowed, the rate limits lifted. Its URLs, token and workdir as running_assistant
    yields them. A module that needs other settings (rate limits, timeouts, faults) defines its own `assistant`
    or `servers` fixture, which takes precedence in that module."""
    origin = f"http://127.0.0.1:{page_port}"
    env = {**platform_env(fake), **linked[0], "CORS_ORIGINS": origin}  # socket.io connections from the page
    cors = ["--cors", origin]  # the page's socket.io polls over cross-origin HTTP before it upgrades
    with running_assistant(tmp_path_factory.mktemp("assistant"), extra_env=env, rasa_args=cors) as urls:
        yield urls
