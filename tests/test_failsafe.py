"""Faults, over HTTP against the real servers (launch/assistant.py): the action server stopped or hanging, the tracker
store's and the knowledge base's SQLite files unreadable, the Rasa server killed with SIGKILL. The REST user
always gets a safe answer with the disclaimer (the service-problem message when the bot cannot answer), and
normal answers come back once the fault is gone."""

from __future__ import annotations

import shutil
import socket
import sqlite3
import threading
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest

from launch.assistant import INTEGRATOR, assistant_servers
from tests.servers import rest_post

pytestmark = pytest.mark.servers

DISCLAIMER = "not a substitute for professional medical advice"
REPLY_TIMEOUT = 8  # seconds the REST channel waits for the bot (REST_REPLY_TIMEOUT)
EMERGENCY = "call 112 now"


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    env = {"REST_REPLY_TIMEOUT": str(REPLY_TIMEOUT), "EMERGENCY_NUMBER": EMERGENCY}
    with assistant_servers(tmp_path_factory.mktemp("failsafe"), extra_env=env) as running:
        yield running


def new_user() -> str:
    return f"user-{uuid.uuid4().hex[:8]}"


def say(servers, sender, message):
    response = rest_post(servers.urls, {"sender": sender, "message": message}, timeout=120)
    assert response.status_code == 200, response.text
    return [m.get("text", "") for m in response.json()]


def assert_safe_answer(replies):
    joined = " ".join(replies)
    assert "something is wrong on my side" in joined and "doctor or pharmacist" in joined, replies
    assert EMERGENCY in joined and DISCLAIMER in replies[-1], replies
    assert "Traceback" not in joined and "Error" not in joined


def assert_normal_answer(replies):
    assert any("Source:" in t for t in replies) and DISCLAIMER in replies[-1], replies


@contextmanager
def unreadable(path: Path):
    """The SQLite file replaced by bytes that are not a database, then put back."""
    backup = path.with_suffix(".bak")
    shutil.copy(path, backup)
    path.write_bytes(b"this is not a database " * 100)
    try:
        yield
    finally:
        shutil.copy(backup, path)


@contextmanager
def black_hole(port: int):
    """A loopback server on `port` that accepts connections and never answers."""
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", port))
    listener.listen(16)
    accepted = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.5)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield accepted
    finally:
        stop.set()
        thread.join(5)
        for connection in accepted:
            connection.close()
        listener.close()


def test_a_stopped_action_server_gets_a_safe_answer_and_answers_come_back_after_a_restart(servers):
    user = new_user()
    assert_normal_answer(say(servers, user, "what causes leg cramps?"))
    servers.stop("actions")
    assert_safe_answer(say(servers, user, "how can I prevent cramps?"))
    servers.start("actions")
    assert_normal_answer(say(servers, user, "how can I prevent cramps?"))


def test_a_hanging_action_server_gets_a_safe_answer_within_the_timeout(servers):
    port = int(servers.urls["actions"].rsplit(":", 1)[1])
    servers.stop("actions")
    try:
        with black_hole(port) as connections:
            start = time.monotonic()
            replies = say(servers, new_user(), "what causes leg cramps?")
            elapsed = time.monotonic() - start
            assert connections, "Rasa called the hanging action server"
        assert_safe_answer(replies)
        assert elapsed < REPLY_TIMEOUT + 10, elapsed
    finally:
        servers.start("actions")
    assert_normal_answer(say(servers, new_user(), "what causes leg cramps?"))


def stored_events(servers, sender: str) -> int:
    with sqlite3.connect(Path(servers.urls["workdir"]) / "conversations.db") as db:
        return db.execute("SELECT count(*) FROM events WHERE sender_id = ?", (f"{INTEGRATOR}:{sender}",)).fetchone()[0]


def test_an_unreadable_tracker_store_gets_a_safe_answer_and_storing_resumes(servers):
    """The turn fails (patches/tracker_store_errors.py) instead of Rasa's FailSafeTrackerStore answering from a
    fresh in-memory conversation without the user's context."""
    user = new_user()
    assert_normal_answer(say(servers, user, "what causes leg cramps?"))
    before = stored_events(servers, user)
    with unreadable(Path(servers.urls["workdir"]) / "conversations.db"):
        assert_safe_answer(say(servers, user, "how can I prevent cramps?"))
    assert stored_events(servers, user) == before, "nothing was written while the database failed"
    assert_normal_answer(say(servers, user, "how can I prevent cramps?"))
    assert stored_events(servers, user) > before


def test_an_unreadable_knowledge_base_gets_the_safe_knowledge_answer(servers):
    with unreadable(Path(servers.urls["workdir"]) / "knowledge.db"):
        replies = say(servers, new_user(), "what causes leg cramps?")
    assert any("can't reach my health facts" in t and EMERGENCY in t for t in replies), replies
    assert DISCLAIMER in replies[-1]
    assert_normal_answer(say(servers, new_user(), "what causes leg cramps?"))


def test_after_a_sigkill_of_rasa_the_conversation_goes_on_where_it_was(servers):
    user = new_user()
    say(servers, user, "can you check my symptoms?")
    assert any("How bad" in t for t in say(servers, user, "none of these"))
    servers.stop("rasa", kill=True)
    servers.start("rasa")
    replies = say(servers, user, "moderate")
    assert any("How often" in t for t in replies), "the assessment goes on with its next question"
