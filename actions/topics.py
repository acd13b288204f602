"""Knowledge-base answers to the information topics: causes, triggers and the rest."""

from __future__ import annotations

from typing import Dict, List

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.answers import KnowledgeAction, latest_intent

SUBJECT_KINDS = ["condition", "trigger", "medication", "body_part"]
KINDS_BY_TOPIC: Dict[str, List[str]] = {
    "causes": ["condition", "medication", "trigger", "body_part"],
    "triggers": ["trigger", "condition", "body_part"],
    "medication": ["medication", "condition"],
}
"""Which subjects a topic's answer is about first ("water tablets ... at night": the tablets, for causes; "calves
... after swimming": the swimming); the other topics take SUBJECT_KINDS."""


def kinds_for(topic: str) -> List[str]:
    return KINDS_BY_TOPIC.get(topic, SUBJECT_KINDS)


TOPIC_BY_INTENT: Dict[str, str] = {
    "ask_overview": "overview",
    "ask_risk_groups": "risk_groups",
    "ask_diagnosis": "diagnosis",
    "ask_treatment": "treatment",
    "ask_self_care": "self_care",
    "ask_prevention": "prevention",
    "prepare_doctor_visit": "doctor_visit",
    "ask_duration": "duration",
    "ask_symptoms": "symptoms",
    "ask_outlook": "outlook",
    "ask_name": "names",
    "ask_which_doctor": "which_doctor",
    "ask_doctor_help": "doctor_help",
}
DEFAULT_TOPIC = "overview"

QUESTION_TOPICS: Dict[str, str] = {
    **TOPIC_BY_INTENT,
    "ask_causes": "causes",
    "ask_triggers": "triggers",
    "ask_when_to_see_doctor": "when_to_see_doctor",
    "ask_medication_safety": "medication",
}
"""Every question intent and the topic that answers it (used to answer questions asked mid-assessment)."""


class ActionAnswerCauses(KnowledgeAction):
    """Causes, about the condition, medicine or body part the user named, else in general."""

    def name(self) -> str:
        return "action_answer_causes"

    async def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        self.kb.say(dispatcher, "causes", self.kb.mentioned(tracker, kinds_for("causes")))
        return []


class ActionAnswerTriggers(KnowledgeAction):
    """Triggers, about the trigger the user named, else in general."""

    def name(self) -> str:
        return "action_answer_triggers"

    async def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        self.kb.say(dispatcher, "triggers", self.kb.mentioned(tracker, kinds_for("triggers")))
        return []


class ActionAnswerTopic(KnowledgeAction):
    """The other information topics, chosen by the latest intent."""

    def name(self) -> str:
        return "action_answer_topic"

    async def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        topic = TOPIC_BY_INTENT.get(latest_intent(tracker), DEFAULT_TOPIC)
        self.kb.say(dispatcher, topic, self.kb.mentioned(tracker, kinds_for(topic)))
        return []
