"""The shared answer path. Every health answer goes through KnowledgeAction.run, which ends it with
the disclaimer (its text lives only in the domain, response `utter_disclaimer`) and gives urgent
advice first whenever the user's message names a red flag."""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError

from actions import settings
from actions.conversation import acknowledgement, context_events, is_story
from actions.evidence import evidence_label
from actions.feedback import after_answers
from actions.repository import AnswerNotFound, KnowledgeAnswer, KnowledgeRepository, SubjectRef
from actions.triage import find_red_flags

logger = logging.getLogger(__name__)

DISCLAIMER_RESPONSE = "utter_disclaimer"
OFFER_ASSESSMENT_RESPONSE = "utter_offer_assessment"
RED_FLAGS_TOPIC = "red_flags"
NEIGHBOURS_TOPIC = "neighbours"
"""Neighbouring conditions that are not leg cramps (period pain, growing pains, restless legs...): short pointers."""
KNOWLEDGE_ERRORS = (SQLAlchemyError, AnswerNotFound)
SISTER_TOPICS = {"causes": "triggers"}
"""A question on the first topic about a trigger it has no answer for gets the second topic's answer about it:
"why do my calves cramp after swimming?" asks what brings cramps on, not about calves in general."""


class Answers:
    """Knowledge-base answers sent to a dispatcher; the repository is created on first use."""

    def __init__(self, repository: Optional[KnowledgeRepository] = None) -> None:
        self._repository = repository

    @property
    def repository(self) -> KnowledgeRepository:
        if self._repository is None:  # no database work at import
            self._repository = KnowledgeRepository()
        return self._repository

    def say(self, dispatcher: CollectingDispatcher, topic: str, subjects: Iterable[SubjectRef] = ()) -> KnowledgeAnswer:
        """Send the answer on `topic` about the first subject it covers (else its general answer) with its source.
        A neighbouring condition the topic has no answer about gets its pointer instead: the leg-cramp answer
        ("how do I stop period cramps" -> preventing leg cramps) would answer a question nobody asked."""
        wanted = list(subjects)
        neighbour = self.neighbour(wanted, topic)
        found = self.repository.answer(*((NEIGHBOURS_TOPIC, [neighbour]) if neighbour else self.sister(topic, wanted)))
        values: Dict[str, Any] = {
            "answer": found.text.replace("{emergency_number}", settings.EMERGENCY_NUMBER),
            "source": found.source,
            "evidence": evidence_label(found.evidence),
            "reviewed": found.reviewed.isoformat(),
            "answer_id": found.answer_id,
        }
        if found.evidence_note:
            dispatcher.utter_message(
                response="utter_knowledge_answer_with_evidence", evidence_note=found.evidence_note, **values
            )
        else:
            dispatcher.utter_message(response="utter_knowledge_answer", **values)
        return found

    def sister(self, topic: str, subjects: List[SubjectRef]) -> Tuple[str, List[SubjectRef]]:
        """(topic, subjects), or the sister topic and the trigger when a trigger named before any subject `topic`
        has an answer about is one only the sister topic answers (SISTER_TOPICS)."""
        sister = SISTER_TOPICS.get(topic)
        for subject in subjects if sister else []:
            covering = self.repository.covering(subject)
            if topic in covering:
                break
            if subject[0] == "trigger" and sister in covering:
                return str(sister), [subject]
        return topic, subjects

    def neighbour(self, subjects: Sequence[SubjectRef], topic: Optional[str] = None) -> Optional[SubjectRef]:
        """The first of `subjects` that is a neighbouring condition (one the `neighbours` topic has a pointer
        for) and, when `topic` is given, that `topic` has no answer about; None if there is none."""
        if topic in (NEIGHBOURS_TOPIC, RED_FLAGS_TOPIC):
            return None
        for subject in subjects:
            if subject[0] == "condition":
                covering = self.repository.covering(subject)
                if NEIGHBOURS_TOPIC in covering and topic not in covering:
                    return subject
        return None

    def mentioned(self, tracker: Tracker, kinds: Sequence[str]) -> List[SubjectRef]:
        """Subjects named in the latest message, as knowledge-base keys, in the order of `kinds`."""
        entities = tracker.latest_message.get("entities") or []
        found: List[SubjectRef] = []
        for kind in kinds:
            values = [str(e.get("value", "")).lower() for e in entities if e.get("entity") == kind]
            if not values:
                continue
            names = self.repository.terms(kind)
            for key in (names.get(v) for v in values):
                if key and (kind, key) not in found:
                    found.append((kind, key))
        return found

    def warn_of_red_flags(self, dispatcher: CollectingDispatcher, text: str) -> List[str]:
        """Urgent advice for every warning sign present in `text` (read as a story: not negated, hypothetical or
        history; actions.triage), most urgent first."""
        flags = find_red_flags(text)
        for flag in flags:
            self.say(dispatcher, RED_FLAGS_TOPIC, [("red_flag", flag)])
        return flags


def latest_intent(tracker: Tracker) -> str:
    return (tracker.latest_message.get("intent") or {}).get("name") or ""


def disclaim(dispatcher: CollectingDispatcher) -> None:
    dispatcher.utter_message(response=DISCLAIMER_RESPONSE)


def apologise(dispatcher: CollectingDispatcher, where: str) -> None:
    """The safe answer when the knowledge base cannot be read."""
    logger.exception("knowledge base unavailable in %s", where)
    dispatcher.utter_message(response="utter_knowledge_unavailable", emergency_number=settings.EMERGENCY_NUMBER)


class KnowledgeAction(Action, ABC):
    """Base of every action that gives health information; never registered itself.

    To add an answer: subclass, set `name`, implement `answer` (send knowledge-base answers with
    `self.kb.say(dispatcher, topic, subjects)`), list the action in domain.yml and add a rule for its intent.
    `run` does the rest: urgent advice first, the acknowledgement of a greeting or thanks, the context for
    follow-ups, the feedback question, the disclaimer and, after a story, the offer of the assessment."""

    handles_red_flags = False
    """True for the action that answers red flags itself; every other answer checks for them first."""

    offers_assessment = True
    """True for answers to questions: a question told inside a story is followed by the offer of the assessment."""

    def __init__(self, repository: Optional[KnowledgeRepository] = None) -> None:
        self.kb = Answers(repository)

    @abstractmethod
    def name(self) -> str: ...

    @abstractmethod
    async def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        """Send the answer's messages and return the events to apply."""

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        text = tracker.latest_message.get("text") or ""
        flags: List[str] = []
        try:
            if not self.handles_red_flags:
                flags = self.kb.warn_of_red_flags(dispatcher, text)
            greeting = acknowledgement(text)
            if greeting and not flags:
                dispatcher.utter_message(response=greeting)
            events = await self.answer(dispatcher, tracker, domain)
        except KNOWLEDGE_ERRORS:
            apologise(dispatcher, self.name())
            events = []
        events += context_events(dispatcher)
        offer = self.offers_assessment and not flags and not tracker.active_loop and is_story(text)
        events += after_answers(dispatcher, tracker)
        disclaim(dispatcher)
        if offer:
            dispatcher.utter_message(response=OFFER_ASSESSMENT_RESPONSE)
        return events
