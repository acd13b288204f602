"""After a knowledge-base answer: log which answer was given, and ask "Was this answer helpful?" at most
once per topic per conversation. The buttons' replies are stored by ActionSaveFeedback.

Nothing stored identifies the user: topic, answer id, rating and time only."""

from __future__ import annotations

import logging
from typing import List, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError

from actions.review_store import ReviewStore, topic_of

logger = logging.getLogger(__name__)

ASKED_SLOT = "feedback_topics"
PENDING_SLOT = "feedback_answer"
NO_FEEDBACK_TOPICS = {"red_flags"}
"""Urgent advice is not followed by a rating question."""
RATING_BY_INTENT = {"answer_helpful": "yes", "answer_not_helpful": "no"}


def answers_sent(dispatcher: CollectingDispatcher) -> List[str]:
    """Answer ids of the knowledge-base answers sent so far in this action run."""
    return [str(m["answer_id"]) for m in dispatcher.messages if m.get("answer_id")]


def after_answers(
    dispatcher: CollectingDispatcher, tracker: Tracker, store: Optional[ReviewStore] = None
) -> List[EventType]:
    """Log the answers sent in this run; ask for a rating of the last one unless its topic was asked before."""
    sent = answers_sent(dispatcher)
    if not sent:
        return []
    try:
        (store or ReviewStore()).answers_given(sent)
    except SQLAlchemyError:  # the review store is secondary: never let it stop an answer
        logger.exception("could not log the answers given")
    asked = list(tracker.get_slot(ASKED_SLOT) or [])
    topic = topic_of(sent[-1])
    if topic in asked or any(topic_of(a) in NO_FEEDBACK_TOPICS for a in sent):
        return []
    dispatcher.utter_message(response="utter_ask_feedback")
    return [SlotSet(ASKED_SLOT, [*asked, topic]), SlotSet(PENDING_SLOT, sent[-1])]


class ActionSaveFeedback(Action):
    """The user pressed Yes or No under "Was this answer helpful?" (or typed it)."""

    def __init__(self, store: Optional[ReviewStore] = None) -> None:
        self.store = store or ReviewStore()

    def name(self) -> str:
        return "action_save_feedback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        intent = (tracker.latest_message.get("intent") or {}).get("name") or ""
        answer_id = tracker.get_slot(PENDING_SLOT)
        rating = RATING_BY_INTENT.get(intent)
        if answer_id and rating:
            try:
                self.store.rate(str(answer_id), rating)
            except SQLAlchemyError:
                logger.exception("could not store a rating")
        dispatcher.utter_message(response="utter_feedback_thanks")
        return [SlotSet(PENDING_SLOT, None)]
