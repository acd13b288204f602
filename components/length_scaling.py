"""LengthScaling: a long story weighs no more in the sentence features than a one-line question.

The count featurizers give a message's sentence features as raw counts, so a story of 60 words has count
vectors several times the length of those of a one-line question, and DIET (without a transformer layer it
classifies from the sentence features alone) sees long messages as a different kind of input from the short
ones it mostly trained on. This component runs after the featurizers and rescales each sparse sentence
feature of the message text made by a count featurizer:

- sublinear counts, as text classifiers do with TF-IDF's `sublinear_tf`: each count c becomes 1 + ln(c);
- a message of more than `max_words` words is scaled by sqrt(max_words / words), so that its vector is about
  as long as that of a message of `max_words` words (distinct n-grams grow with the square root of the
  length). Messages up to `max_words` words keep their length, and so DIET's confidence on short questions.

Tried first: dividing every vector by its Euclidean length (TF-IDF's `norm="l2"`). It shrank every input, and
DIET's confidences fell below the fallback threshold on 51 of the 226 real messages (9 before).
Sequence features and the regex features (already 0 or 1) are left as they are. It runs the same way on the
training data and on every message.
"""

from __future__ import annotations

import math
import re
from typing import Any, Dict, List

import numpy as np
import scipy.sparse
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from components.base import UntrainedComponent

SCALED_ORIGIN = "CountVectorsFeaturizer"
"""Features whose origin (the graph node that made them, e.g. `run_CountVectorsFeaturizer5`) names this
are scaled: the count featurizers'."""
WORD = re.compile(r"\w+")


def scaled(matrix: scipy.sparse.spmatrix, factor: float = 1.0) -> scipy.sparse.coo_matrix:
    """1 + ln(count) for every non-zero count, times `factor`."""
    rows = scipy.sparse.csr_matrix(matrix, dtype=np.float64, copy=True)
    rows.data = factor * (1.0 + np.log(np.maximum(rows.data, 1.0)))
    return rows.tocoo()


def length_factor(text: str, max_words: int) -> float:
    words = len(WORD.findall(text))
    return math.sqrt(max_words / words) if words > max_words else 1.0


def is_count_sentence_feature(feature: Features) -> bool:
    origins = feature.origin if isinstance(feature.origin, list) else [feature.origin]
    return (
        feature.is_sparse()
        and feature.type == FEATURE_TYPE_SENTENCE
        and feature.attribute == TEXT
        and any(SCALED_ORIGIN in str(origin) for origin in origins)
    )


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class LengthScaling(UntrainedComponent):
    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {"max_words": 12}  # about a one-line question

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self.process(training_data.training_examples)
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            factor = length_factor(message.get(TEXT) or "", int(self.component_config["max_words"]))
            message.features = [
                Features(scaled(f.features, factor), f.type, f.attribute, f.origin)
                if is_count_sentence_feature(f)
                else f
                for f in message.features
            ]
        return messages
