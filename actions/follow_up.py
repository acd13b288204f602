"""Follow-ups and two questions in one message.

- A follow-up ("what about water pills?", "is that the same for children?", "why?") answers the topic
  of the previous answer (slot `last_topic`) for the subject it names. When that topic says nothing
  about the new subject, the answer comes from the topic that does, in the order of FOLLOW_UP_TOPICS,
  rather than the previous topic's general paragraph again.
- A multi-intent such as `ask_causes+ask_prevention` (DIET's multi-intent labels) answers each part
  in the order asked.
"""

from __future__ import annotations

import re
from typing import List

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.answers import KnowledgeAction, latest_intent
from actions.conversation import LAST_SUBJECT_SLOT, LAST_TOPIC_SLOT, parse_subject
from actions.topics import DEFAULT_TOPIC, QUESTION_TOPICS, SUBJECT_KINDS, kinds_for

MULTI_INTENT_SEPARATOR = "+"
FOLLOW_UP_TOPICS = [
    "causes",
    "risk_groups",
    "triggers",
    "medication",
    "neighbours",
    "overview",
    "self_care",
    "prevention",
    "treatment",
]
"""Where a follow-up's subject is looked up when the previous topic has nothing about it."""
_WHY = re.compile(r"^\W*(?:but\s+|and\s+)?(?:why|how come|what causes (?:it|that|them))\b", re.I)


class ActionAnswerFollowUp(KnowledgeAction):
    """The previous answer's topic, for the subject the follow-up names."""

    def name(self) -> str:
        return "action_answer_follow_up"

    async def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        previous = tracker.get_slot(LAST_TOPIC_SLOT) or DEFAULT_TOPIC
        named = self.kb.mentioned(tracker, SUBJECT_KINDS)
        if not named:
            last = parse_subject(tracker.get_slot(LAST_SUBJECT_SLOT))
            if _WHY.search(tracker.latest_message.get("text") or ""):
                self.kb.say(dispatcher, "causes" if previous != "causes" else previous, [last] if last else [])
            elif last:  # "and in general?" after an answer about one subject: the topic's general answer
                self.kb.say(dispatcher, previous)
            else:  # nothing new to answer about: repeating the last answer would not help
                dispatcher.utter_message(response="utter_follow_up_unclear")
            return []
        subject = named[0]
        covering = self.kb.repository.covering(subject)
        if previous in covering:
            topic = previous
        else:
            topic = next((t for t in FOLLOW_UP_TOPICS if t in covering), previous)
        self.kb.say(dispatcher, topic, [subject])
        return []


class ActionAnswerParts(KnowledgeAction):
    """Each question of a multi-intent message, in order."""

    def name(self) -> str:
        return "action_answer_parts"

    async def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        parts = latest_intent(tracker).split(MULTI_INTENT_SEPARATOR)
        topics = [QUESTION_TOPICS[part] for part in parts if part in QUESTION_TOPICS]
        for topic in topics or [DEFAULT_TOPIC]:
            self.kb.say(dispatcher, topic, self.kb.mentioned(tracker, kinds_for(topic)))
        return []
