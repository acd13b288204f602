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


def focus_text(text: str) -> str:
    spans = focus_spans(text)
    return " ".join(text[start:end].strip() for start, end in spans) if spans else text


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class SentenceEmbedding(UntrainedComponent):
    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {"scale": 1.0}

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self.process(training_data.training_examples)
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        with_text = [m for m in messages if m.get(TEXT)]
        if not with_text:
            return messages
        texts = [str(m.get(TEXT)) for m in with_text]
        focus = [focus_text(t) for t in texts]
        unique = sorted(set(texts) | set(focus))  # most messages are their own focus: embedded once
        vectors = dict(zip(unique, minilm.shared().encode(unique) * float(self.component_config["scale"]), strict=True))
        for message, text, question in zip(with_text, texts, focus, strict=True):
            feature = np.concatenate([vectors[text], vectors[question]])[None, :]
            message.add_features(Features(feature, FEATURE_TYPE_SENTENCE, TEXT, self.__class__.__name__))
        return messages
