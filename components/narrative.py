"""Narrative: a story that asks nothing describes cramps; it is not a question.

Blog posts and forum stories tell what happened ("woke at 3am, my calf went rigid, stretched it out, sore
today") and ask nothing, but their words are the words of questions about causes, prevention or self-care,
so DIET often answers a question nobody asked. This component runs after DIET and MultiIntentGuard, before
FallbackClassifier and WarningSigns. When a message of two or more sentences asks nothing (QuestionFocus's
STORY_MARK: no "?", no sentence that reads as a question or a request for help) and the top intent is a
question (`ask_...`, a two-question label, `follow_up`), `report_symptoms` and that intent swap places and
confidences: the story gets the offer of the assessment, and WarningSigns then reads it for warning signs.
Other intents (a red flag, a neighbouring condition, form answers, yes/no, goodbye) are left as they are.

The converse too: a story of two or more sentences that asks a question ("... What else can he do to keep
the cramping down?") and is read as `report_symptoms` gets the best-ranked question intent instead (the two
swap places and confidences), so the person gets the answer, then the offer of the assessment. A request for
the assessment itself ("can you check my symptoms") stays `report_symptoms`.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from components.base import UntrainedComponent, set_ranking
from components.question_focus import QUESTION_MARK, STORY_MARK, asks, marker, sentences

STORY_INTENT = "report_symptoms"
QUESTION_PREFIXES = ("ask_", "follow_up")
ASSESSMENT_REQUEST = re.compile(r"\b(?:check|assess|triage|symptom checker|assessment|go through)\b", re.I)
"""A question that asks for the assessment itself: `report_symptoms` is its intent."""


def swap(message: Message, ranking: List[Dict[str, Any]], new: str) -> None:
    """`new` takes the top intent's place and confidence; the top intent takes `new`'s."""
    intent = ranking[0]
    old = str(intent[INTENT_NAME_KEY])
    found = next((r for r in ranking if r.get(INTENT_NAME_KEY) == new), None)
    top = {INTENT_NAME_KEY: new, PREDICTED_CONFIDENCE_KEY: float(intent[PREDICTED_CONFIDENCE_KEY])}
    swapped = {INTENT_NAME_KEY: old, PREDICTED_CONFIDENCE_KEY: float(found[PREDICTED_CONFIDENCE_KEY]) if found else 0.0}
    rest = [r for r in ranking if r.get(INTENT_NAME_KEY) not in (new, old)]
    set_ranking(message, [top, *sorted([swapped, *rest], key=lambda r: -float(r[PREDICTED_CONFIDENCE_KEY]))])


def asked_question(text: str, ranking: List[Dict[str, Any]]) -> Optional[str]:
    """For a story read as a description that asks a question: the best-ranked question intent, if any."""
    found = sentences(text)
    questions = [sentence for _, _, sentence in found if asks(sentence)]
    if len(found) < 2 or not questions or any(ASSESSMENT_REQUEST.search(q) for q in questions):
        return None
    names = [str(r.get(INTENT_NAME_KEY) or "") for r in ranking[1:]]
    return next((n for n in names if n.startswith(QUESTION_PREFIXES)), None)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class Narrative(UntrainedComponent, IntentClassifier):
    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            intent = message.get(INTENT) or {}
            name = str(intent.get(INTENT_NAME_KEY) or "")
            text = message.get(TEXT) or ""
            if not name or text.startswith("/"):
                continue
            ranking = [dict(r) for r in message.get(INTENT_RANKING_KEY) or [intent]]
            ranking[0] = dict(intent)
            mark = marker(text)
            if name.startswith(QUESTION_PREFIXES) and mark == STORY_MARK:
                swap(message, ranking, STORY_INTENT)
            elif name == STORY_INTENT and mark == QUESTION_MARK:
                question = asked_question(text, ranking)
                if question:
                    swap(message, ranking, question)
        return messages
