"""SentenceEmbedding: dense sentence features from a pretrained sentence-embedding model (all-MiniLM-L6-v2).

The count featurizers know only the words of the training data; real messages use other words for the same
question ("what sets them off" for triggers). A sentence embedding trained on a billion sentence pairs puts
such paraphrases close together, and DIET learns from it beside the sparse features. Two embeddings make the
message's dense sentence feature (768 numbers):

- the whole message;
- its focus: in a story of several sentences, the question sentences (components/question_focus.py), else
  the whole message again, so a long story with the question at the end is read for its question.

The model runs on numpy (components/minilm.py); nothing is trained here.
"""

from __future__ import annotations

import functools
from typing import Any, Dict, List

import numpy as np
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from components import minilm
from components.base import UntrainedComponent
from components.question_focus import focus_spans

SHORT = 60
"""Texts up to this many characters are kept in a cache of the process: the same short replies ("yes", "no",
"thanks", a button's title) come again and again, and their embedding costs about 8 ms each time."""


@functools.lru_cache(maxsize=4096)
def short_embedding(text: str) -> np.ndarray:
    vector = minilm.shared().encode([text])[0]
    vector.setflags(write=False)  # shared by every caller
    return vector


def embeddings(texts: List[str], cached: bool) -> Dict[str, np.ndarray]:
    """Each distinct text's embedding; those not taken from the cache in one batch."""
    unique = sorted(set(texts))
    long = [t for t in unique if len(t) > SHORT or not cached]
    found = dict(zip(long, minilm.shared().encode(long), strict=True)) if long else {}
    return {t: found[t] if t in found else short_embedding(t) for t in unique}


def focus_text(text: str) -> str:
    spans = focus_spans(text)
    return " ".join(text[start:end].strip() for start, end in spans) if spans else text


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class SentenceEmbedding(UntrainedComponent):
    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {"scale": 1.0}

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self.featurize(training_data.training_examples, cached=False)  # one batch: faster, and no cache to fill
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        return self.featurize(messages, cached=True)

    def featurize(self, messages: List[Message], cached: bool) -> List[Message]:
        with_text = [m for m in messages if m.get(TEXT)]
        if not with_text:
            return messages
        texts = [str(m.get(TEXT)) for m in with_text]
        focus = [focus_text(t) for t in texts]
        vectors = embeddings(texts + focus, cached)  # most messages are their own focus: embedded once
        scale = float(self.component_config["scale"])
        for message, text, question in zip(with_text, texts, focus, strict=True):
            feature = scale * np.concatenate([vectors[text], vectors[question]])[None, :]
            message.add_features(Features(feature, FEATURE_TYPE_SENTENCE, TEXT, self.__class__.__name__))
        return messages
