"""Messages the assistant could not answer (fallback or out of scope), and the message, scrubbed of
personal details and without a sender id, kept for the content report.

Nothing reaches these replies without the warning-sign check: a message that names or tells a red flag
gets the urgent advice instead. A neighbouring condition that is not a leg cramp (period pain, restless
legs, chest spasms...) gets a short pointer from the knowledge base (topic `neighbours`). A message not
understood gets the two-stage fallback pattern: the most likely topics as buttons (from the NLU's intent
ranking), with the subjects it named carried in their payloads, and "something else"."""

from __future__ import annotations

import json
import logging
from typing import Any, Dict, List, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError

from actions.answers import KNOWLEDGE_ERRORS, NEIGHBOURS_TOPIC, Answers, apologise, disclaim, latest_intent
from actions.repository import KnowledgeRepository
from actions.review_store import ReviewStore
from actions.scrub import scrub

logger = logging.getLogger(__name__)

REPLY_BY_KIND = {"out_of_scope": "utter_out_of_scope", "fallback": "utter_default"}
MAX_CHOICES = 3
MIN_CHOICE_CONFIDENCE = 0.05
TOPIC_TITLE_PREFIX = "utter_topic_"
"""Button titles of the fallback's choices are domain responses `utter_topic_<intent>`."""
VOCABULARY_KINDS = ["body_part", "condition", "trigger", "medication", "red_flag"]
MAX_STORED_CHARS = 500


class ActionUnanswered(Action):
    def __init__(self, repository: Optional[KnowledgeRepository] = None, store: Optional[ReviewStore] = None) -> None:
        self.kb = Answers(repository)
        self.store = store or ReviewStore()

    def name(self) -> str:
        return "action_unanswered"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        kind = "out_of_scope" if latest_intent(tracker) == "out_of_scope" else "fallback"
        text = (tracker.latest_message.get("text") or "").strip()
        if self.answered_safely(dispatcher, tracker):
            disclaim(dispatcher)
        elif kind == "fallback" and (choices := likely_topics(tracker, domain, self.kb)):
            dispatcher.utter_message(response="utter_did_you_mean", buttons=choices)
        else:
            dispatcher.utter_message(response=REPLY_BY_KIND[kind])
        if text and not text.startswith("/"):
            try:
                self.store.unanswered(kind, scrub(text[:MAX_STORED_CHARS], self.vocabulary()))
            except SQLAlchemyError:
                logger.exception("could not store an unanswered message for review")
        return []

    def answered_safely(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
        """Urgent advice for a warning sign, or the pointer for a neighbouring condition; False if neither."""
        try:
            if self.kb.warn_of_red_flags(dispatcher, tracker.latest_message.get("text") or ""):
                return True
            neighbour = self.kb.neighbour(self.kb.mentioned(tracker, ["condition"]))  # out of scope or not understood
            if neighbour:
                self.kb.say(dispatcher, NEIGHBOURS_TOPIC, [neighbour])
                return True
        except KNOWLEDGE_ERRORS:
            apologise(dispatcher, self.name())
            return True
        return False

    def vocabulary(self) -> List[str]:
        """Words of the knowledge base, so that a capitalised drug or body part is not taken for a name."""
        try:
            return [term for kind in VOCABULARY_KINDS for term in self.kb.repository.terms(kind)]
        except KNOWLEDGE_ERRORS:
            return []


def likely_topics(tracker: Tracker, domain: DomainDict, kb: Answers) -> List[Dict[str, str]]:
    """Buttons for the (at most three) most likely topics of a message not understood, then "something else"."""
    responses = domain.get("responses") or {}
    ranking = tracker.latest_message.get("intent_ranking") or []
    intents = [
        str(r["name"])
        for r in ranking
        if r.get("name")
        and float(r.get("confidence") or 0) >= MIN_CHOICE_CONFIDENCE
        and f"{TOPIC_TITLE_PREFIX}{r['name']}" in responses
    ][:MAX_CHOICES]
    if not intents:
        return []
    try:
        subjects = kb.mentioned(tracker, VOCABULARY_KINDS[:-1])
    except KNOWLEDGE_ERRORS:
        subjects = []
    entities = json.dumps({kind: key for kind, key in reversed(subjects)}) if subjects else ""
    buttons = [{"title": _title(responses, f"{TOPIC_TITLE_PREFIX}{i}"), "payload": f"/{i}{entities}"} for i in intents]
    return [*buttons, {"title": _title(responses, "utter_none_of_these"), "payload": "/out_of_scope"}]


def _title(responses: Dict[str, Any], name: str) -> str:
    variations = responses.get(name) or [{}]
    return str(variations[0].get("text") or name)
