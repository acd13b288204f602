"""The shape of a turn around a health answer: what people wrap their questions in.

- A question that starts with thanks or a greeting ("ok thanks, and why at night?") gets a short
  acknowledgement first, then the answer: both parts are answered, in order.
- A question told inside a story about someone's cramps gets the answer, then the offer of the
  assessment (not the assessment instead of the answer).
- Each answer leaves its topic and subject in the slots `last_topic` and `last_subject`, so that a
  follow-up ("what about water pills?", "is that the same for children?") keeps its context.
"""

from __future__ import annotations

import re
from typing import List, Optional

from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.feedback import answers_sent
from actions.repository import SubjectRef
from actions.review_store import topic_of

LAST_TOPIC_SLOT = "last_topic"
LAST_SUBJECT_SLOT = "last_subject"
CONTEXT_FREE_TOPICS = {"red_flags"}
"""Urgent advice does not become the context of a follow-up: the question before it does."""

_THANKS = re.compile(
    r"^\W*(?:ok(?:ay)?|great|brilliant|cool|perfect|right)?[\s,!.]*(?:thanks|thank\s*you|thx|ty|cheers)\b", re.I
)
_GREETING = re.compile(r"^\W*(?:hi|hello|hey|hiya|good\s+(?:morning|afternoon|evening))\b", re.I)
_STORY_PEOPLE = re.compile(
    r"\b(?:i|i'm|im|i've|ive|me|my|mine|he|she|his|her|him|they|their|mum|mom|mother|dad|father|son|daughter|"
    r"wife|husband|partner|child|kid|grandma|grandad|grandpa|nan|patient)\b",
    re.I,
)
_STORY_EVENTS = re.compile(
    r"\b(?:get|gets|getting|got|had|have|has|having|been|keeps?|woke|wake|wakes|waking|started|since|every|most)\b",
    re.I,
)
STORY_MIN_WORDS = 18
"""Shorter messages are questions, not stories ("do I get cramps from statins?")."""


def acknowledgement(text: str) -> Optional[str]:
    """The response that acknowledges a pleasantry at the start of a longer question, if there is one."""
    if len(text.split()) < 3:
        return None
    if _THANKS.search(text):
        return "utter_acknowledge_thanks"
    if _GREETING.search(text):
        return "utter_acknowledge_greeting"
    return None


def is_story(text: str) -> bool:
    """A message that tells about someone's cramps (their own or a relative's), not only a question."""
    return (
        len(text.split()) >= STORY_MIN_WORDS
        and len(_STORY_PEOPLE.findall(text)) >= 2
        and _STORY_EVENTS.search(text) is not None
    )


def subject_of(answer_id: str) -> Optional[SubjectRef]:
    """("medication", "statin") from "causes/medication:statin"; None for a general answer."""
    _, _, subject = answer_id.partition("/")
    kind, _, key = subject.partition(":")
    return (kind, key) if key else None


def parse_subject(value: object) -> Optional[SubjectRef]:
    """The `last_subject` slot ("kind:key") as a subject reference."""
    kind, _, key = str(value or "").partition(":")
    return (kind, key) if kind and key else None


def context_events(dispatcher: CollectingDispatcher) -> List[EventType]:
    """Remember the topic and subject of the last answer sent in this run (urgent advice excepted)."""
    sent = [answer for answer in answers_sent(dispatcher) if topic_of(answer) not in CONTEXT_FREE_TOPICS]
    if not sent:
        return []
    topic = topic_of(sent[-1])
    subject = subject_of(sent[-1])
    return [SlotSet(LAST_TOPIC_SLOT, topic), SlotSet(LAST_SUBJECT_SLOT, ":".join(subject) if subject else None)]
