"""The web chat's socket.io channel with a real python-socketio client (AsyncClient, as the widget talks) against
the real servers (launch/assistant.py): rate limits per session and per address with the polite slow-down answer,
the message and packet size limits, and the service-problem answer when the action server is down or hangs.

Each test plays its visitors from its own client address (X-Forwarded-For, read as nginx's with
SANIC_PROXIES_COUNT=1, as in the production profile), so the per-address buckets of one test do not touch another's.
The client uses engine.io's long-polling transport (the widget's first one): python-engineio 4.15's websocket
client needs aiohttp 3.10 (`ClientWSTimeout`), and Rasa 3.6.21 pins aiohttp 3.9.5. The packet limit is the same
for both transports (engine.io checks a polling POST's Content-Length and a websocket frame's length).
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
import uuid
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

import pytest
import socketio
import yaml

from launch.assistant import ROOT, assistant_servers
from tests.test_failsafe import black_hole

pytestmark = pytest.mark.servers

DISCLAIMER = "not a substitute for professional medical advice"
EMERGENCY = "call 112 now"
RESPONSES = yaml.safe_load((ROOT / "domain.yml").read_text())["responses"]
SLOW_DOWN = RESPONSES["utter_slow_down"][0]["text"]
TOO_LONG = RESPONSES["utter_message_too_long"][0]["text"]
SESSION_BURST = 3
ADDRESS_BURST = 6
MAX_MESSAGE_CHARS = 300
MAX_PACKET_BYTES = 4096
REPLY_TIMEOUT = 8
WAIT = 90


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    env = {
        "SANIC_PROXIES_COUNT": "1",
        "SOCKETIO_SESSION_BURST": str(SESSION_BURST),
        "SOCKETIO_SESSION_RATE": "0.01",  # no token comes back during a test
        "SOCKETIO_ADDRESS_BURST": str(ADDRESS_BURST),
        "SOCKETIO_ADDRESS_RATE": "0.01",
        "SOCKETIO_MAX_MESSAGE_CHARS": str(MAX_MESSAGE_CHARS),
        "SOCKETIO_MAX_PACKET_BYTES": str(MAX_PACKET_BYTES),
        "SOCKETIO_REPLY_TIMEOUT": str(REPLY_TIMEOUT),
        "EMERGENCY_NUMBER": EMERGENCY,
    }
    with assistant_servers(tmp_path_factory.mktemp("socketio"), extra_env=env) as running:
        yield running


def new_address() -> str:
    return f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250 + 1}"


class Visitor:
    """One widget: a socket.io connection from `address`, with its own session (session_persistence is on)."""

    def __init__(self, servers: Any, address: str) -> None:
        self.url = servers.urls["rasa"]
        self.address = address
        self.session_id = uuid.uuid4().hex
        self.client = socketio.AsyncClient(reconnection=False)
        self.received: List[Dict[str, Any]] = []
        self.disconnected = asyncio.Event()
        self.client.on("bot_uttered", self.received.append)
        self.client.on("disconnect", self.disconnected.set)

    async def __aenter__(self) -> Visitor:
        confirmed: asyncio.Future = asyncio.get_running_loop().create_future()
        self.client.on("session_confirm", lambda session: confirmed.done() or confirmed.set_result(session))
        await self.client.connect(
            self.url, headers={"X-Forwarded-For": self.address}, transports=["polling"], wait_timeout=WAIT
        )
        await self.client.emit("session_request", {"session_id": self.session_id})
        assert await asyncio.wait_for(confirmed, WAIT) == self.session_id
        return self

    async def __aexit__(self, *_: Any) -> None:
        """Close the connection as a closed browser tab does, without waiting for the long-poll GET the server
        holds open: python-engineio's client waits for it to end, up to 30 s (the ping interval and a margin)."""
        if self.client.connected:
            await self.client.eio.disconnect(abort=True)

    async def send(self, text: str) -> None:
        await self.client.emit("user_uttered", {"message": text, "session_id": self.session_id})

    def texts(self) -> List[str]:
        return [m.get("text", "") for m in self.received]

    async def wait_for(self, done: Callable[[List[str]], bool], timeout: float = WAIT) -> List[str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if done(self.texts()):
                return self.texts()
            await asyncio.sleep(0.1)
        raise AssertionError(f"the widget did not get the expected messages; it got {self.texts()}")

    async def ask(self, text: str, timeout: float = WAIT) -> List[str]:
        """The messages the question gets, up to its last one (the disclaimer)."""
        start = len(self.received)
        await self.send(text)
        await self.wait_for(lambda texts: any(DISCLAIMER in t for t in texts[start:]), timeout)
        return self.texts()[start:]


def stored_user_messages(servers: Any, session_id: str) -> int:
    with sqlite3.connect(Path(servers.urls["workdir"]) / "conversations.db") as db:
        return db.execute(
            "SELECT count(*) FROM events WHERE sender_id = ? AND type_name = 'user'", (session_id,)
        ).fetchone()[0]


async def assert_stored(servers: Any, session_ids: List[str], expected: int) -> None:
    """The sessions' stored user messages reach `expected` (Rasa saves a turn after sending its answer) and
    stay there."""
    deadline = time.monotonic() + 30
    count = -1
    while time.monotonic() < deadline:
        count = sum(stored_user_messages(servers, s) for s in session_ids)
        if count >= expected:
            break
        await asyncio.sleep(0.3)
    await asyncio.sleep(1)
    assert sum(stored_user_messages(servers, s) for s in session_ids) == expected == count


def assert_normal_answer(replies: List[str]) -> None:
    assert any("Source:" in t for t in replies) and DISCLAIMER in replies[-1], replies


def assert_safe_answer(replies: List[str]) -> None:
    joined = " ".join(replies)
    assert "something is wrong on my side" in joined and EMERGENCY in joined, replies
    assert DISCLAIMER in replies[-1] and "Traceback" not in joined, replies


async def test_a_question_gets_its_answer_and_the_disclaimer(servers):
    async with Visitor(servers, new_address()) as visitor:
        assert_normal_answer(await visitor.ask("what causes leg cramps?"))


async def test_a_session_that_sends_too_fast_is_asked_to_slow_down_and_others_are_served(servers):
    address = new_address()
    async with Visitor(servers, address) as fast, Visitor(servers, address) as other:
        await asyncio.gather(*(fast.send("hello") for _ in range(SESSION_BURST + 2)))
        await fast.wait_for(lambda texts: texts.count(SLOW_DOWN) == 2)
        assert_normal_answer(await other.ask("what causes leg cramps?"))
        await assert_stored(servers, [fast.session_id], SESSION_BURST)  # refused messages are not processed
        assert fast.texts().count(SLOW_DOWN) == 2


async def test_an_address_that_sends_too_fast_is_asked_to_slow_down_and_other_addresses_are_served(servers):
    address = new_address()
    async with (
        Visitor(servers, address) as first,
        Visitor(servers, address) as second,
        Visitor(servers, address) as third,
    ):
        for visitor in (first, second, third):  # two each: within every session's burst, above the address's
            for _ in range(2):
                await visitor.send("hello")
        async with Visitor(servers, address) as fourth:
            await fourth.send("hello")
            await fourth.wait_for(lambda texts: SLOW_DOWN in texts)
        async with Visitor(servers, new_address()) as elsewhere:
            assert_normal_answer(await elsewhere.ask("what causes leg cramps?"))
        await assert_stored(servers, [v.session_id for v in (first, second, third)], ADDRESS_BURST)
        assert stored_user_messages(servers, fourth.session_id) == 0


async def test_a_message_above_the_limit_gets_the_too_long_answer_and_is_not_processed(servers):
    async with Visitor(servers, new_address()) as visitor:
        await visitor.send("my legs cramp " * (MAX_MESSAGE_CHARS // 10))
        await visitor.wait_for(lambda texts: TOO_LONG in texts)
        assert_normal_answer(await visitor.ask("what causes leg cramps?"))
        await assert_stored(servers, [visitor.session_id], 1)  # the question, not the long message


async def test_a_packet_above_the_limit_closes_the_connection_and_nothing_is_processed(servers):
    async with Visitor(servers, new_address()) as visitor:
        await visitor.send("x" * (MAX_PACKET_BYTES + 100))
        await asyncio.wait_for(visitor.disconnected.wait(), WAIT)
        await asyncio.sleep(1)
        assert not visitor.received and stored_user_messages(servers, visitor.session_id) == 0
    async with Visitor(servers, new_address()) as next_visitor:
        assert_normal_answer(await next_visitor.ask("what causes leg cramps?"))


@pytest.mark.parametrize("data", ["just a string", ["a", "list"], {"message": 42}, {"message": "hi"}, {}])
async def test_malformed_events_are_ignored_and_the_connection_still_answers(servers, data):
    async with Visitor(servers, new_address()) as visitor:
        await visitor.client.emit("user_uttered", data)  # {"message": "hi"}: no session_id
        assert_normal_answer(await visitor.ask("what causes leg cramps?"))
        assert not [t for t in visitor.texts() if "something is wrong" in t]


async def test_a_stopped_action_server_gets_the_service_problem_answer_then_answers_come_back(servers):
    async with Visitor(servers, new_address()) as visitor:
        assert_normal_answer(await visitor.ask("what causes leg cramps?"))
        servers.stop("actions")
        try:
            assert_safe_answer(await visitor.ask("how can I prevent cramps?"))
        finally:
            servers.start("actions")
        assert_normal_answer(await visitor.ask("how can I prevent cramps?"))


async def test_a_hanging_action_server_gets_the_service_problem_answer_within_the_timeout(servers):
    port = int(servers.urls["actions"].rsplit(":", 1)[1])
    servers.stop("actions")
    elapsed: Optional[float] = None
    try:
        with black_hole(port) as connections:
            async with Visitor(servers, new_address()) as visitor:
                start = time.monotonic()
                replies = await visitor.ask("what causes leg cramps?", timeout=REPLY_TIMEOUT + 30)
                elapsed = time.monotonic() - start
            assert connections, "Rasa called the hanging action server"
        assert_safe_answer(replies)
        assert elapsed < REPLY_TIMEOUT + 10, elapsed
    finally:
        servers.start("actions")
    async with Visitor(servers, new_address()) as visitor:
        assert_normal_answer(await visitor.ask("what causes leg cramps?"))
