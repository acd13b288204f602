"""MultiIntentGuard: a two-question label (`ask_causes+ask_prevention`) only for a message that asks two things.

DIET's multi-intent labels are embedded from their parts, so a one-question message about prevention scores
high on `ask_self_care+ask_prevention` too, and long stories drift towards the two-question labels. This
component runs right after DIET. When the top intent joins two intents with "+" but the message has only one
question (fewer than two sentences that ask something, and no "... and how/what/why ..." joining a second
question to the first), the two-question label's confidence goes to whichever of its parts DIET ranks higher,
and the ranking is re-sorted without it. Messages with two questions, and every other intent, are left as
they are.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from components.base import UntrainedComponent, set_ranking
from components.question_focus import asks, sentences

SPLIT = "+"
SECOND_QUESTION = re.compile(
    r"(?:\band\b|\balso\b|\bor\b|\bplus\b|,|;)\s+(?:if so,?\s+|then\s+)?"
    r"(?:how|what|whats|why|when|where|which|is|are|can|could|should|do|does|will|would|any)\b",
    re.I,
)
"""A second question joined to the first inside one sentence ("what causes them and how do I stop them")."""


def asks_two_things(text: str) -> bool:
    questions = [sentence for _, _, sentence in sentences(text) if asks(sentence)]
    return len(questions) >= 2 or any(SECOND_QUESTION.search(sentence) for sentence in questions)


def single_ranking(ranking: List[Dict[str, Any]], multi: Dict[str, Any]) -> List[Dict[str, Any]]:
    """The ranking without the two-question label, its confidence added to its higher-ranked part."""
    parts = str(multi[INTENT_NAME_KEY]).split(SPLIT)
    rest = [dict(r) for r in ranking if r.get(INTENT_NAME_KEY) != multi[INTENT_NAME_KEY]]
    part = next((r for r in rest if r.get(INTENT_NAME_KEY) in parts), None)
    if part is None:
        part = {INTENT_NAME_KEY: parts[0], PREDICTED_CONFIDENCE_KEY: 0.0}
        rest.append(part)
    part[PREDICTED_CONFIDENCE_KEY] = float(part[PREDICTED_CONFIDENCE_KEY]) + float(multi[PREDICTED_CONFIDENCE_KEY])
    return sorted(rest, key=lambda r: -float(r[PREDICTED_CONFIDENCE_KEY]))


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class MultiIntentGuard(UntrainedComponent, IntentClassifier):
    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            intent = message.get(INTENT) or {}
            text = message.get(TEXT) or ""
            if SPLIT not in str(intent.get(INTENT_NAME_KEY) or "") or text.startswith("/") or asks_two_things(text):
                continue
            ranking = single_ranking(message.get(INTENT_RANKING_KEY) or [intent], intent)
            set_ranking(message, ranking)
        return messages
