"""Messages the assistant could not answer (fallback or out of scope): the usual reply, and the message,
scrubbed of personal details and without a sender id, kept for the content report."""

from __future__ import annotations

import logging
from typing import List, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError

from actions.answers import KNOWLEDGE_ERRORS, Answers, latest_intent
from actions.repository import KnowledgeRepository
from actions.review_store import ReviewStore
from actions.scrub import scrub

logger = logging.getLogger(__name__)

REPLY_BY_KIND = {"out_of_scope": "utter_out_of_scope", "fallback": "utter_default"}
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
        dispatcher.utter_message(response=REPLY_BY_KIND[kind])
        text = (tracker.latest_message.get("text") or "").strip()
        if text and not text.startswith("/"):
            try:
                self.store.unanswered(kind, scrub(text[:MAX_STORED_CHARS], self.vocabulary()))
            except SQLAlchemyError:
                logger.exception("could not store an unanswered message for review")
        return []

    def vocabulary(self) -> List[str]:
        """Words of the knowledge base, so that a capitalised drug or body part is not taken for a name."""
        try:
            return [term for kind in VOCABULARY_KINDS for term in self.kb.repository.terms(kind)]
        except KNOWLEDGE_ERRORS:
            return []
