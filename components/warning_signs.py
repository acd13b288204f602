"""WarningSigns: a story that tells a warning sign is a red-flag report, whatever else it sounds like.

It runs after FallbackClassifier. When the intent is one whose reply does not read the message for warning
signs (a greeting, thanks, goodbye, a description of cramps, out of scope, not understood...) and the
warning-sign reader (`actions.triage`, the same data and method the action server uses: negation,
hypotheticals and history ruled out) finds a present sign, the intent becomes `report_red_flag` at confidence
1.0, so the urgent advice comes first. Questions keep their intent: their answers already give urgent advice
first. Form answers (`inform`) keep theirs: the form's validation gives the advice and goes on.
"""

from __future__ import annotations

from typing import List

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from components.base import UntrainedComponent, set_ranking

RED_FLAG_INTENT = "report_red_flag"
UNCHECKED_INTENTS = frozenset(
    {
        "greet",
        "goodbye",
        "thank",
        "affirm",
        "deny",
        "bot_challenge",
        "stop",
        "skip",
        "report_symptoms",
        "out_of_scope",
        "nlu_fallback",
        "answer_helpful",
        "answer_not_helpful",
    }
)
"""Intents whose replies would not give urgent advice by themselves."""


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class WarningSigns(UntrainedComponent, IntentClassifier):
    def process(self, messages: List[Message]) -> List[Message]:
        from actions.triage import find_red_flags  # the reader is built on first use, not at import

        for message in messages:
            intent = message.get(INTENT) or {}
            text = message.get(TEXT) or ""
            if intent.get(INTENT_NAME_KEY) not in UNCHECKED_INTENTS or text.startswith("/"):
                continue
            if find_red_flags(text):
                ranking = [
                    r for r in message.get(INTENT_RANKING_KEY) or [] if r.get(INTENT_NAME_KEY) != RED_FLAG_INTENT
                ]
                top = {INTENT_NAME_KEY: RED_FLAG_INTENT, PREDICTED_CONFIDENCE_KEY: 1.0}
                set_ranking(message, [top, *ranking])
        return messages
