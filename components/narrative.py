"""Narrative: a story that asks nothing describes cramps; it is not a question.

Blog posts and forum stories tell what happened ("woke at 3am, my calf went rigid, stretched it out, sore
today") and ask nothing, but their words are the words of questions about causes, prevention or self-care,
so DIET often answers a question nobody asked. This component runs after DIET and MultiIntentGuard, before
FallbackClassifier and WarningSigns. When a message of two or more sentences asks nothing (QuestionFocus's
STORY_MARK: no "?", no sentence that reads as a question or a request for help) and the top intent is a
question (`ask_...`, a two-question label, `follow_up`), `report_symptoms` and that intent swap places and
confidences: the story gets the offer of the assessment, and WarningSigns then reads it for warning signs.
Other intents (a red flag, a neighbouring condition, form answers, yes/no, goodbye) are left as they are.
"""

from __future__ import annotations

from typing import List

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from components.base import UntrainedComponent, set_ranking
from components.question_focus import STORY_MARK, marker

STORY_INTENT = "report_symptoms"
QUESTION_PREFIXES = ("ask_", "follow_up")


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class Narrative(UntrainedComponent, IntentClassifier):
    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            intent = message.get(INTENT) or {}
            name = str(intent.get(INTENT_NAME_KEY) or "")
            text = message.get(TEXT) or ""
            if not name.startswith(QUESTION_PREFIXES) or text.startswith("/") or marker(text) != STORY_MARK:
                continue
            ranking = [dict(r) for r in message.get(INTENT_RANKING_KEY) or [intent]]
            story = next((r for r in ranking if r.get(INTENT_NAME_KEY) == STORY_INTENT), None)
            story_confidence = float(story[PREDICTED_CONFIDENCE_KEY]) if story else 0.0
            top = {INTENT_NAME_KEY: STORY_INTENT, PREDICTED_CONFIDENCE_KEY: float(intent[PREDICTED_CONFIDENCE_KEY])}
            rest = [r for r in ranking if r.get(INTENT_NAME_KEY) not in (STORY_INTENT, name)]
            swapped = {INTENT_NAME_KEY: name, PREDICTED_CONFIDENCE_KEY: story_confidence}
            ranking = [top, *sorted([swapped, *rest], key=lambda r: -float(r[PREDICTED_CONFIDENCE_KEY]))]
            set_ranking(message, ranking)
        return messages
