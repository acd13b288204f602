"""Property tests with random input: the health-answer actions over a real seeded SQLite knowledge base (this
file), and the REST endpoint over HTTP (tests/test_security.py, which has the running servers)."""

from __future__ import annotations

import asyncio
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import DISCLAIMER_RESPONSE
from tests.conftest import entity, make_tracker
from tests.test_actions import KNOWLEDGE_ACTIONS

DOSE = re.compile(r"\d+(\.\d+)?\s*(mg|milligram|mcg|microgram|g\b|ml\b|tablet|capsule|pill)", re.I)
ENTITY_KINDS = ("body_part", "condition", "trigger", "medication", "red_flag")
INTENTS = ("ask_causes", "ask_medication_safety", "ask_overview", "ask_treatment", "report_red_flag", "report_symptoms")
NASTY = st.sampled_from(
    [
        "'; DROP TABLE answers; --",
        '" OR 1=1 --',
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "{answer}{source}{emergency_number}",
        "%s%s%n",
        "\u202eRTL override\u202c",
        "שלום עליכם",
        "🦵💥🦵",
        "\x00\x01\x1b[31m",
        "x" * 5000,
    ]
)
TEXT = st.one_of(NASTY, st.text(max_size=300))
# no value is itself a dose (an echo of the user's own words would not be the assistant's advice)
VALUE = TEXT.filter(lambda value: not DOSE.search(value))


def message_values(dispatcher: CollectingDispatcher) -> str:
    return " ".join(str(value) for message in dispatcher.messages for value in message.values() if value)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    action=st.sampled_from(KNOWLEDGE_ACTIONS),
    text=VALUE,
    intent=st.sampled_from(INTENTS),
    entities=st.lists(st.tuples(st.sampled_from(ENTITY_KINDS), VALUE), max_size=4),
)
def test_health_answers_survive_random_entities_with_the_disclaimer_and_no_dose(
    repository, domain, action, text, intent, entities
):
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(text, intent, entities=[entity(kind, value) for kind, value in entities])
    events = asyncio.run(action(repository).run(dispatcher, tracker, domain))
    assert isinstance(events, list)
    assert dispatcher.messages[-1].get("response") == DISCLAIMER_RESPONSE
    assert not DOSE.search(message_values(dispatcher)), dispatcher.messages
