"""QuestionFocus: in a message of several sentences, the question counts twice.

People write long stories with the question at the end or in the middle ("My mum is 80 and ... Is the
tablet to blame?"). Bag-of-words features of the whole story are dominated by its symptom words, which
pull every story towards the same few intents. This component runs right after the tokenizer: when a
message has two or more sentences and some of them are questions (they end in "?"; without any, the last
sentence), it appends copies of those sentences' tokens to the message's tokens, so the featurizers and
DIET weigh the question more than the story around it. The text, the entities and one-sentence messages
are left as they are. It runs the same way on the training data and on every message.
"""

from __future__ import annotations

import copy
import re
from typing import List, Tuple

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.constants import TOKENS_NAMES
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from components.base import UntrainedComponent

SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?]+|\n|$)")
"""A sentence: text up to its closing punctuation or line break."""


def sentences(text: str) -> List[Tuple[int, int, str]]:
    """(start, end, text) of each non-empty sentence."""
    return [(m.start(), m.end(), m.group()) for m in SENTENCE.finditer(text) if m.group().strip(" \n.!?")]


def focus_spans(text: str) -> List[Tuple[int, int]]:
    """The spans to weigh twice: the questions of a message of several sentences, else its last sentence."""
    found = sentences(text)
    if len(found) < 2:
        return []
    questions = [(start, end) for start, end, sentence in found if "?" in sentence]
    if questions and len(questions) < len(found):
        return questions
    if questions:
        return []  # every sentence is a question: nothing stands out
    start, end, _ = found[-1]
    return [(start, end)]


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER], is_trainable=False)
class QuestionFocus(UntrainedComponent):
    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self.process(training_data.training_examples)
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            focus(message)
        return messages


def focus(message: Message) -> None:
    """Append copies of the focus sentences' tokens to the message's text tokens."""
    text = message.get(TEXT)
    tokens = message.get(TOKENS_NAMES[TEXT])
    if not text or not tokens:
        return
    spans = focus_spans(text)
    extra = [copy.copy(t) for t in tokens if any(start <= t.start < end for start, end in spans)]
    if extra:
        message.set(TOKENS_NAMES[TEXT], [*tokens, *extra])
