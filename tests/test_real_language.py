"""The real-language test sets stay real, complete and out of training.

tests/nlu/real.yml and tests/nlu/real_red_flags.yml hold messages copied verbatim from public sources
(tests/nlu/real_sources.md). They measure the assistant (`bench/real_language.py`, `make bench`); a text that
also appears in the training data would measure memory, not understanding."""

from __future__ import annotations

import re
from pathlib import Path
from typing import List

import pytest
import yaml

from bench.real_language import REAL, STORY_FILES, read_real, read_stories

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "tests" / "nlu" / "real_sources.md"
REAL_STORIES = STORY_FILES[1]
TRAINING = sorted((ROOT / "data" / "nlu").glob("*.yml"))
MIN_MESSAGES = 150
MIN_SOURCES = 20
ANNOTATION = re.compile(r"\[([^\]]+)\]\((?:\w+)\)|\[([^\]]+)\]\{[^}]*\}")


def normalise(text: str) -> str:
    """Lower case, letters and digits only, single spaces: what two copies of one message share."""
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split())


def training_texts() -> List[str]:
    texts: List[str] = []
    for path in TRAINING:
        for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu") or []:
            examples = block.get("examples") or ""
            lines = (
                [e["text"] if isinstance(e, dict) else e for e in examples]
                if isinstance(examples, list)
                else [line.strip()[2:] for line in examples.splitlines() if line.strip().startswith("- ")]
            )
            texts += [normalise(ANNOTATION.sub(lambda m: m.group(1) or m.group(2), t)) for t in lines]
    return texts


def source_ids() -> List[str]:
    return re.findall(r"^\|\s*(S\d+)\s*\|", SOURCES.read_text(encoding="utf-8"), re.M)


def test_the_real_set_is_large_and_from_many_sources():
    examples = read_real()
    assert len(examples) >= MIN_MESSAGES
    used = {e["source"] for e in examples}
    assert len(used) >= MIN_SOURCES
    assert used <= set(source_ids()), sorted(used - set(source_ids()))


def test_every_real_message_is_labelled(domain):
    intents = set(domain["intents"]) | {"other_language"}
    for example in read_real():
        assert example["intent"] in intents, example
        assert example["answers"], example["text"]


def test_every_real_story_has_a_source_and_known_flags(domain):
    stories = [s for s in read_stories() if s["file"] == REAL_STORIES.name]
    raw = yaml.safe_load(REAL_STORIES.read_text(encoding="utf-8"))["stories"]
    assert all(story.get("source") in source_ids() for story in raw)
    subjects = yaml.safe_load((ROOT / "data" / "knowledge" / "subjects.yml").read_text(encoding="utf-8"))
    flags = {s["key"] for s in subjects["subjects"] if s["kind"] == "red_flag"}
    for story in stories:
        assert set(story["flags"]) <= flags, story


@pytest.mark.parametrize("path", [REAL, *STORY_FILES], ids=lambda p: p.name)
def test_no_test_message_is_in_the_training_data(path):
    if not path.exists():
        pytest.fail(f"{path} is missing")
    texts = [e["text"] for e in read_real(path)] if path == REAL else [s["text"] for s in read_stories([path])]
    training = training_texts()
    exact = set(training)
    long_training = [t for t in training if len(t) >= 40]
    leaked = []
    for text in texts:
        norm = normalise(text)
        if norm in exact or any(t in norm or (len(norm) >= 40 and norm in t) for t in long_training):
            leaked.append(text)
    assert not leaked, leaked


def test_the_leak_check_finds_a_leak():
    training = training_texts()
    assert training, "no training data read"
    sample = next(t for t in training if len(t) >= 40)
    assert sample in set(training)
    assert normalise(sample.upper() + " !!") == sample
