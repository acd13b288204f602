"""Red flags: urgent advice first, at any point of the conversation, also in the middle of the form.

The signs come from the NLU's red_flag entities and from the red-flag reader (actions.triage.find_red_flags),
which reads the whole message as a story."""

from __future__ import annotations

from typing import List

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.answers import RED_FLAGS_TOPIC, KnowledgeAction
from actions.referral import end_assessment
from actions.triage import RED_FLAG_LEVELS, most_urgent_first, read_red_flags

GENERAL_RED_FLAG_LEVEL = "urgent"
UNSURE_CONFIDENCE = 0.6
"""Below this NLU confidence a red-flag report that names no sign the reader can find gets "when to worry"."""
WHEN_TO_WORRY_TOPIC = "when_to_see_doctor"


class ActionRedFlag(KnowledgeAction):
    handles_red_flags = True
    offers_assessment = False

    def name(self) -> str:
        return "action_red_flag"

    async def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        reading = read_red_flags(tracker.latest_message.get("text") or "")
        # An entity the reader saw only as absent, hypothetical or history ("what if my leg swells?") is no alarm.
        named = [key for _, key in self.kb.mentioned(tracker, ["red_flag"]) if key not in reading.not_present]
        flags = most_urgent_first(named + list(reading.present))
        unsure = float((tracker.latest_message.get("intent") or {}).get("confidence") or 0) < UNSURE_CONFIDENCE
        if not flags and (reading.not_present or unsure):
            # no sign the reader can see and the NLU was unsure (or the sign was only hypothetical): no alarm,
            # but when to worry, which names the warning signs
            self.kb.say(dispatcher, WHEN_TO_WORRY_TOPIC)
            return end_assessment()
        for flag in flags:
            self.kb.say(dispatcher, RED_FLAGS_TOPIC, [("red_flag", flag)])
        if not flags:
            self.kb.say(dispatcher, RED_FLAGS_TOPIC)
        level = RED_FLAG_LEVELS[flags[0]] if flags else GENERAL_RED_FLAG_LEVEL
        # A warning sign decides the referral: an assessment under way ends here, the rest would only delay help.
        return [SlotSet("referral_level", level), *end_assessment()]
