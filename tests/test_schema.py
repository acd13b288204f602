"""Schema work only at start-up (actions.seed.start_up, under the seeding lock), never in a request: on real
SQLite files and a real PostgreSQL database, every statement the actions send is recorded and none may create,
drop, alter or inspect a table."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Iterator, List

import pytest
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import event, inspect
from sqlalchemy.exc import SQLAlchemyError

from actions import settings
from actions.db import engine_for, session_factory
from actions.feedback import ActionSaveFeedback
from actions.red_flags import ActionRedFlag
from actions.repository import KnowledgeRepository
from actions.review_store import ReviewStore, SchemaMismatch
from actions.seed import start_up
from actions.topics import ActionAnswerCauses
from actions.unanswered import ActionUnanswered
from launch import isolated_services as services
from launch.topology import Services
from tests.conftest import entity, make_tracker

ROOT = Path(__file__).resolve().parent.parent
SCHEMA_WORK = re.compile(
    r"\b(CREATE|DROP|ALTER)\b|PRAGMA|sqlite_master|information_schema|pg_catalog\.pg_(class|attribute|namespace|tables)",
    re.IGNORECASE,
)
KB_TABLES = {"subjects", "terms", "answers"}
REVIEW_TABLES = {"answers_given", "answer_ratings", "unanswered_messages"}


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.services)])
def urls(request, tmp_path) -> Iterator[dict]:
    """Empty knowledge and review databases: SQLite files, or one PostgreSQL database of our own for both."""
    if request.param == "sqlite":
        yield {"kb": f"sqlite:///{tmp_path / 'knowledge.db'}", "review": f"sqlite:///{tmp_path / 'review.db'}"}
        return
    db = services.DEFAULTS
    services.require("PostgreSQL", db.db_host, db.db_port)
    name = f"legcramps_test_schema{uuid.uuid4().hex[:8]}"
    services._admin(f'CREATE DATABASE "{name}"')
    try:
        url = Services.from_env(db_name=name).database_url
        yield {"kb": url, "review": url}
        engine_for(url).dispose()
    finally:
        services._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def record_statements(*urls: str) -> List[str]:
    """Every SQL statement sent from now on to the databases of `urls`, as it is sent."""
    statements: List[str] = []
    for url in set(urls):
        event.listen(engine_for(url), "before_cursor_execute", lambda _c, _cur, sql, *_: statements.append(sql))
    return statements


def tables(url: str) -> set:
    return set(inspect(engine_for(url)).get_table_names())


async def test_start_up_does_the_schema_work_and_requests_none(urls, monkeypatch, domain):
    monkeypatch.setattr(settings, "REVIEW_DATABASE_URL", urls["review"])
    counts = start_up(urls["kb"], urls["review"])
    assert counts["added"] > 0 and tables(urls["kb"]) >= KB_TABLES and tables(urls["review"]) >= REVIEW_TABLES
    statements = record_statements(urls["kb"], urls["review"])
    repository = KnowledgeRepository(session_factory(urls["kb"]))  # what each action builds
    store = ReviewStore(urls["review"])
    turns = [
        (
            ActionAnswerCauses(repository),
            make_tracker("can diabetes cause cramps", "ask_causes", [entity("condition", "diabetes")]),
        ),
        (ActionRedFlag(repository), make_tracker("my calf is swollen and red", "report_red_flag")),
        (
            ActionSaveFeedback(store),
            make_tracker("/answer_helpful", "answer_helpful", slots={"feedback_answer": "causes/general"}),
        ),
        (ActionUnanswered(repository, store), make_tracker("what about my cat", "out_of_scope")),
    ]
    for action, tracker in turns:
        await action.run(CollectingDispatcher(), tracker, domain)
    assert statements, "the actions reached the databases"
    assert [s for s in statements if SCHEMA_WORK.search(s)] == []
    assert store.topic_counts() and store.ratings() and store.unanswered_texts(), "every store was written"


async def test_a_request_on_a_database_start_up_never_prepared_does_not_create_tables(urls, domain):
    statements = record_statements(urls["kb"])
    repository = KnowledgeRepository(session_factory(urls["kb"]))
    with pytest.raises(SQLAlchemyError):
        repository.answer("causes")
    dispatcher = CollectingDispatcher()
    await ActionAnswerCauses(repository).run(dispatcher, make_tracker("what causes cramps", "ask_causes"), domain)
    assert [m.get("response") for m in dispatcher.messages][0] == "utter_knowledge_unavailable"
    assert [s for s in statements if SCHEMA_WORK.search(s)] == []
    assert not tables(urls["kb"]) & KB_TABLES, "no request created the knowledge tables"


def test_start_up_rebuilds_an_outdated_knowledge_table(tmp_path):
    with sqlite3.connect(tmp_path / "knowledge.db") as db:  # an older schema: no evidence_note column
        db.execute("CREATE TABLE answers (id INTEGER PRIMARY KEY, topic TEXT, text TEXT)")
    kb, review = f"sqlite:///{tmp_path / 'knowledge.db'}", f"sqlite:///{tmp_path / 'review.db'}"
    start_up(kb, review)
    assert KnowledgeRepository(session_factory(kb)).answer("prevention").evidence == "mixed"


def test_start_up_refuses_to_drop_review_data_of_another_schema(tmp_path):
    with sqlite3.connect(tmp_path / "old-review.db") as db:
        db.execute("CREATE TABLE answer_ratings (id INTEGER PRIMARY KEY, answer_id TEXT, stars INTEGER)")
        db.execute("INSERT INTO answer_ratings (answer_id, stars) VALUES ('causes/general', 5)")
    with pytest.raises(SchemaMismatch, match="answer_ratings"):
        start_up(f"sqlite:///{tmp_path / 'knowledge.db'}", f"sqlite:///{tmp_path / 'old-review.db'}")
    with sqlite3.connect(tmp_path / "old-review.db") as db:
        assert db.execute("SELECT stars FROM answer_ratings").fetchall() == [(5,)], "the data survived"


@pytest.mark.slow
def test_python_m_actions_seed_prepares_both_stores(tmp_path):
    kb, review = f"sqlite:///{tmp_path / 'knowledge.db'}", f"sqlite:///{tmp_path / 'review.db'}"
    env = {"KB_DATABASE_URL": kb, "REVIEW_DATABASE_URL": review}
    run = subprocess.run(
        [sys.executable, "-m", "actions.seed"], cwd=ROOT, env={**os.environ, **env},
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert tables(kb) >= KB_TABLES and tables(review) >= REVIEW_TABLES


def test_no_module_of_the_actions_does_schema_work_outside_start_up():
    """create_all / drop_all / inspect appear only in the start-up functions and the purge job's check."""
    allowed = {"db.py", "review_store.py"}
    for path in sorted((ROOT / "actions").glob("*.py")):
        text = path.read_text(encoding="utf-8")
        if path.name not in allowed:
            assert not re.search(r"create_all|drop_all|\binspect\(", text), path.name
