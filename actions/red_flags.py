"""Red flags: urgent advice first, at any point of the conversation, also in the middle of the form."""

from __future__ import annotations

from typing import List

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.answers import RED_FLAGS_TOPIC, KnowledgeAction
from actions.referral import end_assessment
from actions.triage import RED_FLAG_LEVELS, find_terms, most_urgent_first

GENERAL_RED_FLAG_LEVEL = "urgent"


class ActionRedFlag(KnowledgeAction):
    handles_red_flags = True

    def name(self) -> str:
        return "action_red_flag"

    async def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        named = [key for _, key in self.kb.mentioned(tracker, ["red_flag"])]
        found = find_terms(tracker.latest_message.get("text") or "", self.kb.repository.terms("red_flag"))
        flags = most_urgent_first(named + found)
        for flag in flags:
            self.kb.say(dispatcher, RED_FLAGS_TOPIC, [("red_flag", flag)])
        if not flags:
            self.kb.say(dispatcher, RED_FLAGS_TOPIC)
        level = RED_FLAG_LEVELS[flags[0]] if flags else GENERAL_RED_FLAG_LEVEL
        # A warning sign decides the referral: an assessment under way ends here, the rest would only delay help.
        return [SlotSet("referral_level", level), *end_assessment()]
