"""Medication questions: safety information only, never a dose or advice to start, stop or share."""

from __future__ import annotations

from typing import List

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.answers import KnowledgeAction
from actions.topics import kinds_for


class ActionAnswerMedication(KnowledgeAction):
    def name(self) -> str:
        return "action_answer_medication"

    async def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        found = self.kb.say(dispatcher, "medication", self.kb.mentioned(tracker, kinds_for("medication")))
        if found.subject:  # the general rules (no doses, no sharing, ask a pharmacist) apply to every named medicine
            self.kb.say(dispatcher, "medication")
        return []
