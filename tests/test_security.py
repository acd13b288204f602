"""The REST channel under attack, over HTTP against the real Rasa server and action server (launch/assistant.py):
authentication, sender binding, input checks, rate limits, forged payloads, forget-me deleting the stored
conversation, logs without message text, the action server's token and address, socket.io origins."""

from __future__ import annotations

import json
import sqlite3
import time
import uuid
from pathlib import Path

import jwt
import pytest
import requests
import socketio
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from channels.ratelimit import RateLimiter
from launch.assistant import INTEGRATOR, running_assistant
from tests.servers import rest_post
from tests.test_bad_input import TEXT

pytestmark = pytest.mark.servers

DISCLAIMER = "not a substitute for professional medical advice"
OTHER_TOKEN = "other-integrator-token-0123456789"
JWT_SECRET = "a-test-secret-for-hs256-signing-0123456789"
ALLOWED_ORIGIN = "https://clinic.example.org"
ENV = {
    "REST_TOKENS": "",  # replaced below with the test integrator's token and another integrator's
    "REST_JWT_SECRET": JWT_SECRET,
    "REST_SENDER_RATE": "0.2",
    "REST_SENDER_BURST": "8",
    "CORS_ORIGINS": ALLOWED_ORIGIN,
}


@pytest.fixture(scope="module")
def assistant(tmp_path_factory):
    token = f"test-integrator-token-{uuid.uuid4().hex}"
    env = {**ENV, "REST_TOKENS": f"{INTEGRATOR}:{token}, other:{OTHER_TOKEN}"}
    with running_assistant(tmp_path_factory.mktemp("security"), extra_env=env) as urls:
        assert urls["token"] != token
        urls["token"] = token
        yield urls


def new_user() -> str:
    return f"user-{uuid.uuid4().hex[:8]}"


def ask(assistant, sender, message, **kwargs):
    return rest_post(assistant, {"sender": sender, "message": message}, **kwargs)


def texts(response) -> list:
    return [m.get("text", "") for m in response.json()]


def stored_events(assistant, conversation: str) -> int:
    with sqlite3.connect(Path(assistant["workdir"]) / "conversations.db") as db:
        return db.execute("SELECT count(*) FROM events WHERE sender_id = ?", (conversation,)).fetchone()[0]


def signed(claims, secret=JWT_SECRET) -> str:
    return jwt.encode(claims, secret, algorithm="HS256")


# -- authentication --------------------------------------------------------------------------------------------


def test_a_request_without_a_token_is_refused_with_401(assistant):
    response = requests.post(
        f"{assistant['rasa']}/webhooks/rest/webhook", json={"sender": "x", "message": "hi"}, timeout=30
    )
    assert response.status_code == 401 and response.headers["WWW-Authenticate"].startswith("Bearer")
    assert "Authorization" in response.json()["error"]


@pytest.mark.parametrize(
    "token",
    [
        "wrong-token-wrong-token-wrong",
        signed({"sub": "acme", "exp": int(time.time()) + 600}, secret="another-secret-another-secret-12"),
        signed({"sub": "acme", "exp": int(time.time()) - 10}),
        signed({"sub": "acme"}),  # no exp
        signed({"sub": "a:b", "exp": int(time.time()) + 600}),  # not an integrator name
    ],
    ids=["unknown", "jwt-other-secret", "jwt-expired", "jwt-without-exp", "jwt-bad-sub"],
)
def test_bad_tokens_are_refused_with_401(assistant, token):
    response = ask(assistant, new_user(), "hi", token=token)
    assert response.status_code == 401, response.text
    assert token not in response.text


def test_a_valid_jwt_is_accepted_and_names_the_integrator(assistant):
    user = new_user()
    token = signed({"sub": "acme", "exp": int(time.time()) + 600})
    response = ask(assistant, user, "what causes leg cramps?", token=token)
    assert response.status_code == 200 and DISCLAIMER in texts(response)[-1]
    assert stored_events(assistant, f"acme:{user}") > 0 and stored_events(assistant, user) == 0


def test_integrators_cannot_see_or_change_each_others_users(assistant):
    """The same sender id under two tokens is two conversations; replies name the caller's own sender."""
    user = new_user()
    first = ask(assistant, user, "can you check my symptoms?")
    assert first.status_code == 200 and {m["recipient_id"] for m in first.json()} == {user}
    other = ask(assistant, user, "none of these", token=OTHER_TOKEN)
    assert other.status_code == 200
    assert not any("How bad" in t for t in texts(other)), "the other integrator's user is not in the assessment"
    mine = requests.get(f"{assistant['rasa']}/conversations/{INTEGRATOR}:{user}/tracker", timeout=30).json()
    assert mine["active_loop"].get("name") == "referral_form" and mine["slots"]["requested_slot"] == "red_flags"
    assert stored_events(assistant, f"other:{user}") > 0 and stored_events(assistant, user) == 0


# -- input checks ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body, status",
    [
        (b"not json", 400),
        (b"[1, 2]", 400),
        (b'"hello"', 400),
        (b"{}", 400),
        (b'{"sender": "x"}', 400),
        (b'{"message": "hi"}', 400),
        (b'{"sender": "x", "message": 42}', 400),
        (b'{"sender": "x", "message": ""}', 400),
        (b'{"sender": "x", "message": "   \\n\\t"}', 400),
        (b'{"sender": 7, "message": "hi"}', 400),
        (b'{"sender": "", "message": "hi"}', 400),
        (b'{"sender": "a\\nb", "message": "hi"}', 400),
        (json.dumps({"sender": "x" * 65, "message": "hi"}).encode(), 400),
        (b'{"sender": "x", "message": "hi", "metadata": [1]}', 400),
        (b'{"sender": "x", "message": "\\ud800"}', 400),
        (b'{"sender": "x", "message": "caf\xe9"}', 400),  # Latin-1, not UTF-8
        (json.dumps({"sender": "x", "message": "cramp " * 400}).encode(), 413),  # 2,400 characters
        (json.dumps({"sender": "x", "message": "hi", "metadata": {"pad": "x" * 9000}}).encode(), 413),
    ],
)
def test_malformed_requests_get_a_clear_json_error(assistant, body, status):
    response = rest_post(assistant, body)
    assert response.status_code == status, response.text
    assert response.json()["status"] == status and response.json()["error"]


@pytest.mark.parametrize("message", ["🦵💥 cramp?", "<script>alert(1)</script>", "'; DROP TABLE events; --", "שלום"])
def test_odd_but_valid_messages_get_an_answer(assistant, message):
    response = ask(assistant, new_user(), message)
    assert response.status_code == 200 and response.json() and all("text" in m for m in response.json())


def test_a_button_payload_of_the_domain_is_accepted(assistant):
    response = ask(assistant, new_user(), "/ask_causes")
    assert response.status_code == 200 and any("Source:" in t for t in texts(response))


@pytest.mark.parametrize(
    "payload",
    ['/ask_causes{"condition": "diabetes"}', '/report_symptoms{"red_flags": "none"}', "/forget_me", "/restart"],
)
def test_forged_intents_and_slots_are_refused(assistant, payload):
    user = new_user()
    response = ask(assistant, user, payload)
    assert response.status_code == 400 and "payload" in response.json()["error"]
    assert stored_events(assistant, f"{INTEGRATOR}:{user}") == 0


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=12,
)
SENDER = st.uuids().map(str)
BODY = st.one_of(
    st.builds(lambda sender, message: json.dumps({"sender": sender, "message": message}).encode(), SENDER, TEXT),
    st.builds(lambda sender, message: json.dumps({"sender": sender, "message": message}).encode(), JSON, JSON),
    st.builds(lambda value: json.dumps(value).encode(), JSON),
    st.binary(max_size=300),
    st.builds(lambda text: text.encode("utf-8", "surrogatepass"), st.text(max_size=300)),
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=BODY)
def test_random_requests_get_an_answer_or_a_clear_refusal(assistant, body):
    response = rest_post(assistant, body)
    assert response.status_code in (200, 400, 413, 429), response.text
    if response.status_code == 200:
        messages = response.json()
        assert isinstance(messages, list) and any(m.get("text") for m in messages), messages
    else:
        assert response.json()


def test_the_server_still_answers_a_normal_question_after_the_random_requests(assistant):
    for _ in range(10):
        response = ask(assistant, new_user(), "what causes leg cramps?")
        if response.status_code != 429:
            break
        time.sleep(int(response.headers["Retry-After"]))
    assert response.status_code == 200 and any("Source:" in t for t in texts(response))


# -- rate limits -----------------------------------------------------------------------------------------------


def test_a_sender_who_sends_too_fast_is_asked_to_slow_down_and_others_are_served(assistant):
    user = new_user()
    statuses = [ask(assistant, user, "hello") for _ in range(12)]
    limited = [r for r in statuses if r.status_code == 429]
    assert limited and all(r.status_code in (200, 429) for r in statuses)
    (slow_down,) = limited[0].json()
    assert "slow down" in slow_down["text"] and slow_down["recipient_id"] == user
    assert int(limited[0].headers["Retry-After"]) >= 1
    assert ask(assistant, new_user(), "hello").status_code == 200


def test_a_token_bucket_refills_and_forgets_the_oldest_keys():
    now = [0.0]
    limiter = RateLimiter(rate=1, burst=2, max_keys=3, clock=lambda: now[0])
    assert [limiter.allow("a") for _ in range(3)] == [True, True, False]
    now[0] += 1
    assert limiter.allow("a") and not limiter.allow("a")
    for key in "bcde":
        limiter.allow(key)
    assert len(limiter.buckets) == 3 and "a" not in limiter.buckets


# -- forget me -------------------------------------------------------------------------------------------------


def test_forget_me_deletes_the_stored_conversation_and_keeps_the_others(assistant):
    user, other = new_user(), new_user()
    ask(assistant, other, "what causes leg cramps?")
    ask(assistant, user, "can you check my symptoms?")
    ask(assistant, user, "none of these")
    assert stored_events(assistant, f"{INTEGRATOR}:{user}") > 0
    replies = texts(ask(assistant, user, "please forget everything I told you and delete my data"))
    assert any("deleted" in t for t in replies), replies
    assert stored_events(assistant, f"{INTEGRATOR}:{user}") == 0
    assert stored_events(assistant, f"{INTEGRATOR}:{other}") > 0
    again = ask(assistant, user, "what causes leg cramps?")
    assert again.status_code == 200 and any("Source:" in t for t in texts(again)), "a new conversation starts"


# -- logs ------------------------------------------------------------------------------------------------------


def test_no_message_text_or_entity_value_reaches_the_logs(assistant):
    marker = f"zebracramp{uuid.uuid4().hex[:10]}"
    user = new_user()
    for message in (f"my name is {marker}, what causes cramps?", f"can diabetes {marker} cause cramps?"):
        assert ask(assistant, user, message).status_code == 200
    ask(assistant, user, f'/ask_causes{{"condition": "{marker}"}}')
    ask(assistant, new_user(), f"{marker} " * 400)
    time.sleep(1)
    for log in ("actions.log", "rasa.log"):
        text = (Path(assistant["workdir"]) / log).read_text(errors="replace")
        assert text and marker not in text, f"{log} holds the message text"


# -- the action server -----------------------------------------------------------------------------------------


def listening_addresses(port: int) -> set:
    """The local addresses with a listening TCP socket on `port` (from /proc/net/tcp)."""
    found = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        local, state = line.split()[1], line.split()[3]
        address, hex_port = local.split(":")
        if state == "0A" and int(hex_port, 16) == port:
            found.add(".".join(str(int(address[i : i + 2], 16)) for i in (6, 4, 2, 0)))
    return found


def test_the_action_server_listens_on_loopback_only(assistant):
    port = int(assistant["actions"].rsplit(":", 1)[1])
    assert listening_addresses(port) == {"127.0.0.1"}


def test_the_action_server_refuses_calls_without_its_token(assistant):
    call = {"next_action": "action_forget_me", "sender_id": "x", "tracker": {"sender_id": "x"}, "domain": {}}
    refused = requests.post(f"{assistant['actions']}/webhook", json=call, timeout=30)
    assert refused.status_code == 401
    wrong = requests.post(f"{assistant['actions']}/webhook", params={"token": "nope"}, json=call, timeout=30)
    assert wrong.status_code == 401
    assert requests.get(f"{assistant['actions']}/actions", timeout=30).status_code == 401
    assert requests.get(f"{assistant['actions']}/health", timeout=30).status_code == 200
    allowed = requests.get(f"{assistant['actions']}/actions", params={"token": assistant["action_token"]}, timeout=30)
    assert allowed.status_code == 200 and {"name": "action_forget_me"} in allowed.json()


# -- socket.io origins -----------------------------------------------------------------------------------------


def connects(assistant, origin: str) -> bool:
    client = socketio.Client(reconnection=False)
    try:
        client.connect(assistant["rasa"], headers={"Origin": origin}, transports=["polling"], wait_timeout=30)
    except socketio.exceptions.ConnectionError:
        return False
    client.disconnect()
    return True


def test_socketio_accepts_only_the_configured_origins(assistant):
    assert connects(assistant, ALLOWED_ORIGIN)
    assert not connects(assistant, "https://evil.example.com")
