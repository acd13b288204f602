"""The reply to a message written in another language.

components/language.py (the last NLU component) sets the intent `other_language` and the entity
`language` (an ISO 639-1 code) when it is sure a message is not English; the rule in
data/rules/language.yml runs this action. It sends `utter_other_language_<code>` when the domain has
one (Spanish, French, German, Portuguese, Italian, Polish), else `utter_other_language` in English.
Each says, in that language, that for now the assistant understands only English, that chest pain,
breathlessness or a swollen, red or warm leg need the emergency number or urgent help, and that this
is general information, not a substitute for professional medical advice.

To answer a new language: add `utter_other_language_<code>` to domain.yml's responses (reviewed like
the other texts) and a test sentence to tests/test_language.py. No code changes."""

from __future__ import annotations

from typing import List, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import settings

LANGUAGE_ENTITY = "language"
RESPONSE_PREFIX = "utter_other_language"


def detected_language(tracker: Tracker) -> Optional[str]:
    """The code the language component put on the latest message, else the `language` slot."""
    for found in tracker.latest_message.get("entities") or []:
        if found.get("entity") == LANGUAGE_ENTITY and found.get("value"):
            return str(found["value"]).lower()
    slot = tracker.get_slot(LANGUAGE_ENTITY)
    return str(slot).lower() if slot else None


def response_for(code: Optional[str], domain: DomainDict) -> str:
    """`utter_other_language_<code>` if the domain has it, else the generic English reply."""
    if code and f"{RESPONSE_PREFIX}_{code}" in (domain.get("responses") or {}):
        return f"{RESPONSE_PREFIX}_{code}"
    return RESPONSE_PREFIX


class ActionAnswerOtherLanguage(Action):
    def name(self) -> str:
        return "action_answer_other_language"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        response = response_for(detected_language(tracker), domain)
        dispatcher.utter_message(response=response, emergency_number=settings.EMERGENCY_NUMBER)
        return []
