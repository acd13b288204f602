"""Retention (ops/purge.py): conversations whose latest event is older than CONVERSATION_RETENTION_DAYS are
deleted from Rasa's own SQL tracker store, unanswered messages older than UNANSWERED_RETENTION_DAYS from the
review store; on SQLite (the embedded profile) and on the machine's PostgreSQL (the production profile, a
database of the test's own). The periodic job of the topology is the same module with `--every`."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
import time
import uuid
from typing import Iterator, List

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.engine import make_url

from actions.review_store import ReviewStore, Unanswered, prepare_schema
from launch import isolated_services as services
from launch.assistant import ROOT
from launch.topology import Services, Topology
from ops import purge

DAY = 86400.0


def events_at(*ages_in_days: float) -> List:
    """A user message, an action and a bot message at each age (days before now)."""
    events: List = []
    for age in ages_in_days:
        at = time.time() - age * DAY
        events += [
            UserUttered("what causes leg cramps?", timestamp=at),
            ActionExecuted("action_answer_causes", timestamp=at + 1),
            BotUttered("Cramps are ...", timestamp=at + 2),
        ]
    return events


async def store(tracker_store: SQLTrackerStore, sender: str, *ages_in_days: float) -> None:
    await tracker_store.save(DialogueStateTracker.from_events(sender, events_at(*ages_in_days)))


async def stored(tracker_store: SQLTrackerStore, sender: str) -> int:
    tracker = await tracker_store.retrieve(sender)
    return 0 if tracker is None else len(tracker.events)


def add_unanswered(review_url: str, age_in_days: float, text_: str) -> None:
    created = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None) - dt.timedelta(days=age_in_days)
    with ReviewStore(review_url).sessions.begin() as session:
        session.add(Unanswered(kind="fallback", text=text_, created_at=created))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.services)])
def databases(request, tmp_path) -> Iterator[dict]:
    """Rasa's SQL tracker store and the review store, on SQLite files or in a PostgreSQL database of our own."""
    if request.param == "sqlite":
        tracker_store = SQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(tmp_path / "conversations.db"))
        review_url = f"sqlite:///{tmp_path / 'review.db'}"
        prepare_schema(review_url)  # as the action server's start-up does
        yield {
            "store": tracker_store,
            "tracker_url": f"sqlite:///{tmp_path / 'conversations.db'}",
            "review_url": review_url,
        }
        return
    db = services.DEFAULTS
    services.require("PostgreSQL", db.db_host, db.db_port)
    name = f"legcramps_test_purge{uuid.uuid4().hex[:8]}"
    services._admin(f'CREATE DATABASE "{name}"')
    try:
        tracker_store = SQLTrackerStore(
            Domain.empty(), dialect="postgresql", host=db.db_host, port=int(db.db_port), db=name,
            username=db.db_user, password=db.db_password,
        )  # fmt: skip
        url = Services.from_env(db_name=name).database_url
        prepare_schema(url)
        yield {"store": tracker_store, "tracker_url": url, "review_url": url}
        tracker_store.engine.dispose()
    finally:
        services._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def test_conversations_older_than_the_retention_period_are_deleted_and_recent_ones_kept(databases):
    tracker_store = databases["store"]
    await store(tracker_store, "old", 45, 40)
    await store(tracker_store, "older-but-came-back", 60, 1)  # its latest event is recent: kept whole
    await store(tracker_store, "recent", 2)
    for n in range(7):
        await store(tracker_store, f"old-{n}", 31 + n)
    purged = purge.purge_conversations(databases["tracker_url"], 30)
    assert (purged.conversations, purged.events) == (8, 6 + 7 * 3)
    assert await stored(tracker_store, "old") == 0
    assert all([await stored(tracker_store, f"old-{n}") == 0 for n in range(7)])
    assert await stored(tracker_store, "older-but-came-back") == 6
    assert await stored(tracker_store, "recent") == 3
    assert purge.purge_conversations(databases["tracker_url"], 30).conversations == 0, "nothing left to purge"


async def test_a_purge_in_batches_deletes_every_old_conversation(databases, monkeypatch):
    monkeypatch.setattr(purge, "BATCH", 2)
    for n in range(5):
        await store(databases["store"], f"old-{n}", 40)
    await store(databases["store"], "recent", 0)
    assert purge.purge_conversations(databases["tracker_url"], 30).conversations == 5
    assert await stored(databases["store"], "recent") == 3


def test_unanswered_messages_are_kept_for_their_own_period_and_counts_are_kept(databases):
    url = databases["review_url"]
    add_unanswered(url, 120, "an old question")
    add_unanswered(url, 10, "a recent question")
    ReviewStore(url).rate("causes/general", "yes")
    purged = purge.purge(databases["tracker_url"], url, conversation_days=30, unanswered_days=90)
    assert purged.unanswered == 1
    assert ReviewStore(url).unanswered_texts() == [("fallback", "a recent question")]
    assert ReviewStore(url).ratings()["causes/general"]["yes"] == 1, "anonymous ratings are not purged"


async def test_off_keeps_everything(databases):
    await store(databases["store"], "old", 400)
    add_unanswered(databases["review_url"], 400, "an old question")
    purged = purge.purge(databases["tracker_url"], databases["review_url"], None, None)
    assert (purged.conversations, purged.unanswered) == (0, 0)
    assert await stored(databases["store"], "old") == 3
    assert purge.days("off") is None and purge.days("30") == 30
    with pytest.raises(ValueError):
        purge.days("0")


def test_a_tracker_store_that_was_never_written_is_not_an_error(tmp_path):
    assert purge.purge_conversations(f"sqlite:///{tmp_path / 'empty.db'}", 30).conversations == 0


@pytest.mark.slow
async def test_make_purge_reads_the_embedded_profiles_endpoints_file(tmp_path):
    """`python -m ops.purge` (what `make purge` runs) finds the SQLite tracker store in the endpoints file."""
    db = tmp_path / "conversations.db"
    tracker_store = SQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(db))
    await store(tracker_store, "sender-4f1c9", 40)
    await store(tracker_store, "recent", 1)
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text(f'tracker_store:\n  type: SQL\n  dialect: "sqlite"\n  db: "{db}"\n')
    env = {k: v for k, v in os.environ.items() if k not in ("TRACKER_DATABASE_URL", "CONVERSATION_RETENTION_DAYS")}
    env["REVIEW_DATABASE_URL"] = f"sqlite:///{tmp_path / 'review.db'}"
    result = subprocess.run(
        [sys.executable, "-m", "ops.purge", "--endpoints", str(endpoints)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "purged 1 conversations (3 events)" in result.stderr and "conversations 30.0 days" in result.stdout
    assert "sender-4f1c9" not in result.stdout + result.stderr, "no sender id is logged"
    assert await stored(tracker_store, "sender-4f1c9") == 0 and await stored(tracker_store, "recent") == 3


@pytest.mark.slow
async def test_the_periodic_job_purges_again_and_again(databases, tmp_path):
    tracker_store = databases["store"]
    await store(tracker_store, "old-1", 40)
    job = subprocess.Popen(
        [sys.executable, "-m", "ops.purge", "--every", "1", "--tracker-url", databases["tracker_url"],
         "--review-url", databases["review_url"]],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=(tmp_path / "purge.log").open("w"),
    )  # fmt: skip
    try:
        for sender in ("old-1", "old-2"):
            if sender == "old-2":
                await store(tracker_store, sender, 40)
            deadline = time.monotonic() + 60
            while await stored(tracker_store, sender) and time.monotonic() < deadline:
                assert job.poll() is None, (tmp_path / "purge.log").read_text()
                time.sleep(0.5)
            assert await stored(tracker_store, sender) == 0, (tmp_path / "purge.log").read_text()
    finally:
        job.terminate()
        job.wait(30)


def test_the_production_topology_runs_the_purge_job_on_its_database(tmp_path):
    topology = Topology(tmp_path, Services.from_env(db_name="legcramps_x"), replicas=1, actions=1, purge_every=3600)
    job = topology.servers["purge"]
    assert job.command[1:5] == ["-m", "ops.purge", "--every", "3600"]
    assert job.command.count(Services.from_env(db_name="legcramps_x").database_url) == 2
    assert "purge" not in Topology(tmp_path, Services.from_env(), replicas=1, actions=1).servers


def test_the_tracker_store_url_of_the_production_endpoints_file(monkeypatch):
    production = ROOT / "endpoints.production.yml"
    for name in re.findall(r"\$\{([A-Z_]+)\}", production.read_text()):
        monkeypatch.setenv(name, "x")
    for name, value in {"DB_HOST": "db.internal", "DB_PORT": "5433", "DB_NAME": "legcramps"}.items():
        monkeypatch.setenv(name, value)
    url = make_url(purge.tracker_url_from_endpoints(production))
    assert (url.host, url.port, url.database) == ("db.internal", 5433, "legcramps")
    assert url.drivername.startswith("postgresql")


@pytest.mark.slow
def test_the_periodic_job_survives_a_database_it_cannot_reach(tmp_path):
    """A failed run is logged by its kind and tried again at the next interval; the job keeps running."""
    log = tmp_path / "purge.log"
    job = subprocess.Popen(
        [sys.executable, "-m", "ops.purge", "--every", "1", "--tracker-url", "sqlite:////nonexistent/dir/x.db",
         "--review-url", f"sqlite:///{tmp_path / 'review.db'}"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log.open("w"),
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while log.read_text().count("purge failed (OperationalError)") < 2 and time.monotonic() < deadline:
            assert job.poll() is None, log.read_text()
            time.sleep(0.5)
        assert log.read_text().count("purge failed (OperationalError)") >= 2, log.read_text()
        assert job.poll() is None
    finally:
        job.terminate()
        job.wait(30)
