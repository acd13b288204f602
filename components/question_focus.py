"""QuestionFocus: in a message of several sentences, the question counts twice, and the message says
whether it asks anything.

People write long stories with the question at the end or in the middle ("My mum is 80 and ... Is the
tablet to blame?"), or tell a story and ask nothing. Bag-of-words features of the whole story are dominated
by its symptom words, which pull every story towards the same few intents. This component runs right after
the tokenizer:

- when a message has two or more sentences and some of them are questions, it appends copies of those
  sentences' tokens to the message's tokens (without any question, the last sentence's), so the featurizers
  and DIET weigh the question more than the story around it;
- it appends one marker token: QUESTION_MARK when a sentence asks something, STORY_MARK when a message of
  two or more sentences asks nothing (a narrative, which is `report_symptoms` or a neighbour's story).

A sentence asks something when it has a "?" or reads as a question or request without one ("Any
suggestions.", "I want to know how to stop them", "what can I do"). The text, the entities and one-sentence
messages without a question are left as they are. It runs the same way on the training data and on every
message.
"""

from __future__ import annotations

import copy
import re
from typing import List, Tuple

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from components.base import UntrainedComponent

SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?]+|\n|$)")
"""A sentence: text up to its closing punctuation or line break."""

QUESTION_START = re.compile(
    r"^\W*(?:(?:so|but|and|also|ok|okay|anyway|well|hi|hello|please|then|now)\W+)*"
    r"(?:what|whats|why|how|when|where|which|who|is|are|am|can|could|do|does|should|shall|will|would|"
    r"has|have|any|anyone|anybody|kindly|tell me|help)\b",
    re.I,
)
"""A sentence that opens like a question or a request."""

QUESTION_INSIDE = re.compile(
    r"\b(?:i wonder|wondering|i(?:'d| would) like to know|i want to know|i need to know|"
    r"any (?:advice|ideas?|suggestions?|tips|thoughts|help|remedies)|"
    r"(?:looking for|need|want) (?:some )?(?:advice|ideas|suggestions|tips|help)|"
    r"what (?:can|should|do|could) (?:i|we|he|she|they|you)|how (?:can|do|should|could) (?:i|we|he|she|they|you))\b",
    re.I,
)
"""A question or a request for help inside a sentence."""

QUESTION_MARK = "zzasks"
STORY_MARK = "zztells"
"""Marker tokens (not English words, so they never clash with the vocabulary)."""


def sentences(text: str) -> List[Tuple[int, int, str]]:
    """(start, end, text) of each non-empty sentence."""
    return [(m.start(), m.end(), m.group()) for m in SENTENCE.finditer(text) if m.group().strip(" \n.!?")]


def asks(sentence: str) -> bool:
    """True when a sentence asks a question or for help."""
    return "?" in sentence or bool(QUESTION_START.match(sentence) or QUESTION_INSIDE.search(sentence))


def focus_spans(text: str) -> List[Tuple[int, int]]:
    """The spans to weigh twice: the questions of a message of several sentences, else its last sentence."""
    found = sentences(text)
    if len(found) < 2:
        return []
    questions = [(start, end) for start, end, sentence in found if asks(sentence)]
    if questions and len(questions) < len(found):
        return questions
    if questions:
        return []  # every sentence is a question: nothing stands out
    start, end, _ = found[-1]
    return [(start, end)]


def marker(text: str) -> str:
    """QUESTION_MARK when the message asks something, STORY_MARK for a story that asks nothing, else ''."""
    found = sentences(text)
    if any(asks(sentence) for _, _, sentence in found):
        return QUESTION_MARK
    return STORY_MARK if len(found) >= 2 else ""


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
    """Append copies of the focus sentences' tokens and the marker token to the message's text tokens."""
    text = message.get(TEXT)
    tokens = message.get(TOKENS_NAMES[TEXT])
    if not text or not tokens:
        return
    spans = focus_spans(text)
    extra = [copy.copy(t) for t in tokens if any(start <= t.start < end for start, end in spans)]
    mark = marker(text)
    if mark:
        extra.append(Token(mark, len(text), len(text), lemma=mark))
    if extra:
        message.set(TOKENS_NAMES[TEXT], [*tokens, *extra])
