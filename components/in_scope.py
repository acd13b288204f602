"""InScope: a message about a leg cramp is not out of scope.

DIET learned `out_of_scope` from neighbouring conditions told at length (restless legs, stitches, period pain)
and sometimes gives it to a plain leg-cramp question ("I always get cramps in my lower leg when I run. How can
I avoid this?"), whose reply would then be "that's outside what I can help with". This component runs after
DIET and MultiIntentGuard, before Narrative: when the top intent is `out_of_scope`, the message names a cramp
of the leg (a cramp or spasm word and a leg word, or a charley horse) and names no neighbouring condition (the
subjects of the knowledge base's `neighbours` topic, by their terms), the best-ranked leg-cramp intent
(a question, a follow-up or a report) takes its place and confidence. Nothing is trained.
"""

from __future__ import annotations

import functools
import re
from typing import List

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from components.base import UntrainedComponent
from components.narrative import QUESTION_PREFIXES, swap

OUT_OF_SCOPE = "out_of_scope"
IN_SCOPE_PREFIXES = (*QUESTION_PREFIXES, "report_")
CRAMP = re.compile(r"\b(?:cramp\w*|crams?|spasm\w*)\b", re.I)
LEG = re.compile(
    r"\b(?:legs?|calf|calfs|calves|calve|thighs?|feet|foot|hamstrings?|quads?|shins?|toes?|ankles?)\b", re.I
)
CHARLEY_HORSE = re.compile(r"\bcharl(?:ey|ie)[ -]?horses?\b", re.I)


@functools.lru_cache(maxsize=1)
def neighbour_terms() -> re.Pattern[str]:
    """Every term of the neighbouring conditions in the knowledge base, as one pattern."""
    from actions.answers import NEIGHBOURS_TOPIC
    from actions.seed import load_source  # the knowledge base's YAML, read once, on first use

    source = load_source()
    keys = {a.subject for a in source.answers if a.topic == NEIGHBOURS_TOPIC and a.subject}
    terms = sorted({t for s in source.subjects if (s.kind, s.key) in keys for t in (s.key, *s.terms)}, key=len)
    return re.compile(r"\b(?:" + "|".join(re.escape(t.replace("_", " ")) for t in reversed(terms)) + r")\b", re.I)


def about_a_leg_cramp(text: str) -> bool:
    """True when `text` names a cramp of the leg and no neighbouring condition."""
    cramp = bool(CHARLEY_HORSE.search(text) or (CRAMP.search(text) and LEG.search(text)))
    return cramp and not neighbour_terms().search(text)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class InScope(UntrainedComponent, IntentClassifier):
    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            intent = message.get(INTENT) or {}
            text = message.get(TEXT) or ""
            if intent.get(INTENT_NAME_KEY) != OUT_OF_SCOPE or text.startswith("/") or not about_a_leg_cramp(text):
                continue
            ranking = [dict(r) for r in message.get(INTENT_RANKING_KEY) or [intent]]
            ranking[0] = dict(intent)
            best = next(
                (
                    str(r[INTENT_NAME_KEY])
                    for r in ranking[1:]
                    if str(r.get(INTENT_NAME_KEY) or "").startswith(IN_SCOPE_PREFIXES)
                ),
                None,
            )
            if best:
                swap(message, ranking, best)
        return messages
