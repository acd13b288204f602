"""Faults on the production profile: PostgreSQL restarted, Redis restarted, an action server killed, under load.

One topology (launch/topology.py: nginx, two Rasa replicas on endpoints.production.yml, two action servers)
on a PostgreSQL and a Redis of this module's own (tests/private_services.py), so stopping them touches no
other test; RabbitMQ is the machine's, with a queue of its own. Users talk through nginx (or, to put two
messages of one conversation on both replicas at once, to the replicas directly) while a service is stopped
and started again; then what each user sent and got is compared with the tracker store, event by event.
The tests run in file order; the last one leaves an action server dead."""

from __future__ import annotations

import json
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Callable, Dict, Iterator, List, Tuple

import pytest
import requests
import yaml

from launch.assistant import LIFTED_RATE_LIMITS, ROOT
from launch.isolated_services import AUTH, conversation_id, query
from launch.topology import Services, Topology
from tests.private_services import PrivatePostgres, PrivateRedis, private_services
from tests.test_topology import ASSESSMENT

pytestmark = [pytest.mark.servers, pytest.mark.services]

DISCLAIMER = "not a substitute for professional medical advice"
SERVICE_PROBLEM = yaml.safe_load((ROOT / "domain.yml").read_text())["responses"]["utter_service_problem"][0]["text"]
PROBLEM_START = SERVICE_PROBLEM.split("{")[0][:40]
REQUEST_TIMEOUT = 90
RETRY_PAUSE = 0.5  # seconds a user waits before sending a message again after the service-problem answer
USERS = 4
SCRIPTS = {
    "questions": ("hello", "what causes leg cramps?", "how can I prevent cramps?", "is quinine good for cramps?"),
    "assessment": ASSESSMENT,  # the referral form, answered in free text; ends with self-care advice
}
PAIRS = (  # two messages of one user at the same moment, one to each replica
    ("what causes leg cramps?", "is quinine good for cramps?"),
    ("how can I prevent cramps?", "can diabetes cause leg cramps?"),
)
Event = Tuple[str, str]  # ("user", text), ("action", name) or ("bot", text)


@dataclass
class Reply:
    message: str
    sent: float
    received: float
    status: int
    texts: List[str]

    @property
    def service_problem(self) -> bool:
        return any(t.startswith(PROBLEM_START) for t in self.texts)

    @property
    def normal(self) -> bool:
        return self.status == 200 and bool(self.texts) and not self.service_problem


def say(url: str, sender: str, message: str) -> Reply:
    sent = time.monotonic()
    try:
        response = requests.post(
            f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": message}, headers=AUTH,
            timeout=REQUEST_TIMEOUT,
        )  # fmt: skip
        status = response.status_code
        texts = [m.get("text", "") for m in response.json()] if status == 200 else [response.text[:200]]
    except requests.RequestException as error:
        status, texts = 0, [type(error).__name__]
    return Reply(message, sent, time.monotonic(), status, texts)


@dataclass
class Conversation:
    sender: str
    script: str
    replies: List[Reply] = field(default_factory=list)
    finished: bool = False


class Users:
    """USERS users who each go through a script after another through nginx, as new users, until stopped;
    a message that got the service-problem answer is sent again (after RETRY_PAUSE), as a person would."""

    def __init__(self, url: str, label: str) -> None:
        self.url, self.label = url, label
        self.conversations: List[Conversation] = []
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self._talk, args=(i,), daemon=True) for i in range(USERS)]

    def _talk(self, index: int) -> None:
        names = list(SCRIPTS)
        n = index
        while not self.stop.is_set():
            script = names[n % len(names)]
            conversation = Conversation(f"{self.label}-{uuid.uuid4().hex[:8]}", script)
            self.conversations.append(conversation)
            for message in SCRIPTS[script]:
                for _ in range(60):
                    reply = say(self.url, conversation.sender, message)
                    conversation.replies.append(reply)
                    if reply.normal:
                        break
                    time.sleep(RETRY_PAUSE)
                else:
                    return
            conversation.finished = True
            n += 1

    def __enter__(self) -> Users:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()  # each user finishes the conversation it is in
        for thread in self.threads:
            thread.join(240)

    @property
    def replies(self) -> List[Reply]:
        return [r for c in self.conversations for r in c.replies]


@pytest.fixture(scope="module")
def own_services() -> Iterator[Tuple[Services, PrivatePostgres, PrivateRedis]]:
    with private_services("faults") as running:
        yield running


@pytest.fixture(scope="module")
def topology(tmp_path_factory, own_services) -> Iterator[Topology]:
    services, _, _ = own_services
    with Topology(tmp_path_factory.mktemp("faults"), services, extra_env=dict(LIFTED_RATE_LIMITS)) as topology:
        yield topology


@pytest.fixture(scope="module")
def postgres(own_services) -> PrivatePostgres:
    return own_services[1]


@pytest.fixture(scope="module")
def redis_server(own_services) -> PrivateRedis:
    return own_services[2]


def stored_events(topology: Topology, sender: str) -> List[Event]:
    """The user messages, bot actions and bot messages of a conversation as PostgreSQL holds them."""
    rows = query(
        topology.services,
        "SELECT type_name, action_name, data FROM events WHERE sender_id = %s ORDER BY id",
        conversation_id(sender),
    )
    events: List[Event] = []
    for type_name, action_name, data in rows:
        if type_name in ("user", "bot"):
            events.append((type_name, json.loads(data).get("text") or ""))
        elif type_name == "action":
            events.append(("action", action_name))
    return events


def without_bot(events: List[Event]) -> List[Event]:
    return [e for e in events if e[0] != "bot"]


@pytest.fixture(scope="module")
def reference(topology) -> Dict[str, List[Event]]:
    """Each script's user messages and bot actions, told once to one replica with nothing failing."""
    out = {}
    for name, script in SCRIPTS.items():
        sender = f"reference-{name}-{uuid.uuid4().hex[:8]}"
        for message in script:
            assert say(topology.servers["rasa-1"].url, sender, message).normal
        out[name] = without_bot(stored_events(topology, sender))
        assert [m for kind, m in out[name] if kind == "user"] == list(script)
    return out


def outage(stop: Callable[[], None], start: Callable[[], None], down: float) -> Tuple[float, float, float]:
    """Stop a service, leave it down `down` seconds, start it; (down from, down until, back at)."""
    stop()
    down_from = time.monotonic()
    time.sleep(down)
    down_until = time.monotonic()
    start()
    return down_from, down_until, time.monotonic()


def describe(replies: List[Reply]) -> str:
    shown = [f"{r.message!r} -> {r.status} {r.texts[0][:60]!r}" for r in replies[:6]]
    return f"{len(replies)}: {shown}"


def test_a_postgresql_restart_gives_the_safe_answer_then_normal_ones_and_loses_no_conversation(
    topology, reference, postgres
):
    with Users(topology.url, "pg") as users:
        time.sleep(6)
        down_from, down_until, back_at = outage(postgres.stop, postgres.start, 5)
        time.sleep(8)
    replies = users.replies
    assert [r for r in replies if r.status != 200] == [], "every request got an answer (no 500, no 502)"
    during = [r for r in replies if r.sent >= down_from and r.received <= down_until]
    assert during, "users sent messages while PostgreSQL was down"
    wrong = [r for r in during if not (r.service_problem and DISCLAIMER in r.texts[-1])]
    assert not wrong, f"answers while PostgreSQL was down that are not the safe one: {describe(wrong)}"
    after = [r for r in replies if r.sent >= back_at]
    assert after and all(r.normal for r in after), describe([r for r in after if not r.normal])
    assert any(r.normal for r in replies if r.received < down_from), "normal answers before the restart"
    unfinished = [c.sender for c in users.conversations if not c.finished]
    assert not unfinished, unfinished
    differ = {
        c.sender: without_bot(stored_events(topology, c.sender))
        for c in users.conversations
        if without_bot(stored_events(topology, c.sender)) != reference[c.script]
    }
    assert not differ, f"conversations stored otherwise than told once without a fault: {differ}"
    # restarted while nobody talks: every connection the replicas keep in their pools is dead, and nothing
    # has found out yet; the first message afterwards gets its normal answer all the same
    postgres.stop()
    postgres.start()
    for name in topology.rasa_names:
        reply = say(topology.servers[name].url, f"quiet-{uuid.uuid4().hex[:8]}", "what causes leg cramps?")
        assert reply.normal, f"{name}'s first answer after a quiet restart: {describe([reply])}"


def turns(events: List[Event]) -> List[Tuple[str, List[str], List[str]]]:
    """(user message, the actions after it, the bot messages after it) for each user message."""
    out: List[Tuple[str, List[str], List[str]]] = []
    for kind, value in events:
        if kind == "user":
            out.append((value, [], []))
        elif out:
            _, actions, bot = out[-1]
            (actions if kind == "action" else bot).append(value)
    return out


def words(texts: List[str]) -> List[str]:
    """The words of some bot messages (the REST channel sends a message's blocks as messages of their own)."""
    return " ".join(texts).split()


def test_after_a_redis_restart_locks_recover_and_one_conversation_is_never_on_two_replicas_at_once(
    topology, redis_server
):
    replicas = [topology.servers[n].url for n in topology.rasa_names]
    stop = threading.Event()
    told: Dict[str, List[List[Reply]]] = {}

    def pairs(index: int) -> None:
        sender = f"redis-{index}-{uuid.uuid4().hex[:8]}"
        told[sender] = []
        with ThreadPoolExecutor(2) as pool:
            n = 0
            while not stop.is_set():
                barrier = threading.Barrier(2)

                def send(url: str, message: str, barrier: threading.Barrier = barrier) -> Reply:
                    barrier.wait()
                    return say(url, sender, message)

                pair = list(pool.map(send, replicas, PAIRS[n % len(PAIRS)]))
                told[sender].append(pair)
                if not all(r.normal for r in pair):
                    time.sleep(RETRY_PAUSE)
                n += 1

    threads = [threading.Thread(target=pairs, args=(i,), daemon=True) for i in range(USERS)]
    for thread in threads:
        thread.start()
    time.sleep(5)
    down_from, down_until, back_at = outage(redis_server.stop, redis_server.start, 3)
    time.sleep(8)
    stop.set()
    for thread in threads:
        thread.join(240)
    replies = [r for pairs_ in told.values() for pair in pairs_ for r in pair]
    assert [r for r in replies if r.status != 200] == [], "every request got an answer (no 500, no 502)"
    during = [r for r in replies if r.sent >= down_from and r.received <= down_until]
    assert during and all(r.service_problem for r in during), describe([r for r in during if not r.service_problem])
    after = [r for r in replies if r.sent >= back_at]
    assert after and all(r.normal for r in after), describe([r for r in after if not r.normal])
    for sender, pairs_ in told.items():
        stored = turns(stored_events(topology, sender))
        position = 0
        for pair in pairs_:
            answered = [r for r in pair if r.normal]
            these = stored[position : position + len(answered)]
            position += len(answered)
            assert sorted(t[0] for t in these) == sorted(r.message for r in answered), (
                f"{sender}: the messages answered ({[r.message for r in answered]}) are not the ones stored "
                f"({[t[0] for t in these]}); a message with the service-problem answer must not be stored"
            )
            for message, actions, bot in these:
                (reply,) = [r for r in answered if r.message == message]
                assert actions and actions[-1] == "action_listen" and actions.count("action_listen") == 1, (
                    f"{sender}: {message!r} was not processed alone: {actions}"
                )
                assert words(bot) == words(reply.texts), f"{sender}: {message!r} got {reply.texts}, stored {bot}"
        assert position == len(stored), f"{sender}: stored messages nobody was answered for: {stored[position:]}"


def test_a_killed_action_server_sends_its_calls_to_the_other(topology, reference):
    with Users(topology.url, "actions") as users:
        time.sleep(6)
        kill_from = time.monotonic()
        topology.kill("actions-1")
        killed_at = time.monotonic()
        time.sleep(12)
    replies = users.replies
    assert [r for r in replies if r.status != 200] == [], "every request got an answer (no 500, no 502)"
    problems = [r for r in replies if not r.normal]
    # a call the killed server was running is lost with it (nginx does not send a POST twice): that user's
    # message gets the service-problem answer once; every call after the kill goes to actions-2
    assert len(problems) <= USERS and all(r.sent < killed_at for r in problems), describe(problems)
    after = [r for r in replies if r.sent > killed_at]
    assert len(after) > USERS and all(r.normal for r in after), describe([r for r in after if not r.normal])

    # a turn can call the action server twice (a form's validation, then its result): when the kill lands
    # between the two, the reply holds the first part and Rasa goes on without the second's events, so a
    # conversation with a message in flight at the kill is not compared with the reference
    def through_the_kill(c: Conversation) -> bool:
        return any(r.sent <= killed_at and r.received >= kill_from for r in c.replies)

    clean = [c for c in users.conversations if c.finished and all(r.normal for r in c.replies)]
    clean = [c for c in clean if not through_the_kill(c)]
    assert any(c.replies[0].sent > killed_at for c in clean), "conversations begun after the kill finished"
    stored = {c.sender: without_bot(stored_events(topology, c.sender)) for c in clean}
    differ = {c.sender: stored[c.sender] for c in clean if stored[c.sender] != reference[c.script]}
    assert not differ, f"conversations stored otherwise than told once without a fault: {differ}"
