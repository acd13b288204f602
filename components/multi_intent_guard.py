"""MultiIntentGuard: a two-question label (`ask_causes+ask_prevention`) only for a message that asks two things.

DIET's multi-intent labels are embedded from their parts, so a one-question message about prevention scores
high on `ask_self_care+ask_prevention` too, and long stories drift towards the two-question labels. This
component runs right after DIET. When the top intent joins two intents with "+" but the message has only one
question (fewer than two sentences that ask something, and no "... and how/what/why ..." joining a second
question to the first), the two-question label's confidence goes to whichever of its parts DIET ranks higher,
and the ranking is re-sorted without it. When a message does ask two things and DIET's top two are a
two-question label and one of its own parts, close together (`ask_causes+ask_prevention` 0.50,
`ask_prevention` 0.45), the part's confidence goes to the two-question label: both readings answer the same
question, and the two being close must not send the message to the fallback as ambiguous. Every other intent
is left as it is.
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
    """Two sentences that ask, or one question joined to another ("what causes them and how do I stop them";
    not "ok thanks, and can stretching stop them?", where what comes before the "and" asks nothing)."""
    questions = [sentence for _, _, sentence in sentences(text) if asks(sentence)]
    return len(questions) >= 2 or any(
        asks(sentence[: m.start()]) for sentence in questions for m in SECOND_QUESTION.finditer(sentence)
    )


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


CLOSE = 0.1
"""Confidences this close are a split between two readings (FallbackClassifier's ambiguity_threshold is 0.05)."""


def merged_ranking(ranking: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """For a message with two questions: when the top two are a two-question label and one of its parts, and
    DIET is split between them, the ranking with the part's confidence added to the label; otherwise the
    ranking as it is."""
    if len(ranking) < 2 or ranking[0][PREDICTED_CONFIDENCE_KEY] - ranking[1][PREDICTED_CONFIDENCE_KEY] >= CLOSE:
        return ranking
    top, runner_up = ranking[0], ranking[1]
    multi, part = (top, runner_up) if SPLIT in str(top.get(INTENT_NAME_KEY)) else (runner_up, top)
    if str(part.get(INTENT_NAME_KEY)) not in str(multi.get(INTENT_NAME_KEY)).split(SPLIT):
        return ranking  # not a two-question label and its part (a name without "+" splits into itself)
    total = float(multi[PREDICTED_CONFIDENCE_KEY]) + float(part[PREDICTED_CONFIDENCE_KEY])
    joined = {INTENT_NAME_KEY: multi[INTENT_NAME_KEY], PREDICTED_CONFIDENCE_KEY: total}
    return [joined, *(dict(r) for r in ranking[2:])]


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class MultiIntentGuard(UntrainedComponent, IntentClassifier):
    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            intent = message.get(INTENT) or {}
            text = message.get(TEXT) or ""
            if not intent or text.startswith("/"):
                continue
            ranking = [dict(r) for r in message.get(INTENT_RANKING_KEY) or [intent]]
            if asks_two_things(text):
                merged = merged_ranking(ranking)
                if merged != ranking:
                    set_ranking(message, merged)
            elif SPLIT in str(intent.get(INTENT_NAME_KEY) or ""):
                set_ranking(message, single_ranking(ranking, intent))
        return messages
