"""The trained model: end-to-end test stories and intent quality on messages kept out of training."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import spacy
import yaml

ROOT = Path(__file__).resolve().parent.parent
RASA = str(Path(sys.executable).with_name("rasa"))
MODEL = str(ROOT / "models" / "current.tar.gz")
RESULTS = ROOT / "results"
MIN_WEIGHTED_F1 = 0.93
MIN_STORIES = 40


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([RASA, *args], cwd=ROOT, capture_output=True, text=True, timeout=900)


def test_there_are_enough_test_conversations():
    stories = [s for f in (ROOT / "tests" / "stories").glob("*.yml") for s in yaml.safe_load(f.read_text())["stories"]]
    assert len(stories) >= MIN_STORIES


@pytest.mark.slow
def test_end_to_end_stories_predict_every_action():
    out = RESULTS / "stories"
    done = run(
        "test",
        "core",
        "--model",
        MODEL,
        "--stories",
        "tests/stories",
        "--out",
        str(out),
        "--fail-on-prediction-errors",
        "--no-plot",
    )
    failed = (out / "failed_test_stories.yml").read_text() if (out / "failed_test_stories.yml").exists() else ""
    assert done.returncode == 0, f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}\n{failed[:5000]}"


@pytest.fixture(scope="module")
def heldout_results() -> Path:
    """`rasa test nlu` on the held-out file, once; its reports' folder."""
    out = RESULTS / "nlu"
    done = run("test", "nlu", "--model", MODEL, "--nlu", "tests/nlu/heldout.yml", "--out", str(out), "--no-plot")
    assert done.returncode == 0, done.stderr[-3000:]
    return out


@pytest.mark.slow
def test_heldout_messages_reach_the_intent_f1_target(heldout_results):
    report = json.loads((heldout_results / "intent_report.json").read_text())
    f1 = report["weighted avg"]["f1-score"]
    worst = sorted(
        (v["f1-score"], k)
        for k, v in report.items()
        if isinstance(v, dict) and "support" in v and k not in ("weighted avg", "macro avg", "micro avg")
    )[:5]
    print(f"held-out intent weighted F1 = {f1:.3f}; weakest intents: {worst}")
    assert f1 >= MIN_WEIGHTED_F1, f"weighted F1 {f1:.3f} < {MIN_WEIGHTED_F1}; weakest: {worst}"


def annotated_entities(nlu_file: Path):
    """(message text, [(span, kind)]) for each example of a Rasa NLU file, annotations removed."""
    for block in yaml.safe_load(nlu_file.read_text())["nlu"]:
        for line in block.get("examples", "").splitlines():
            raw = line.strip()[2:]
            spans = [(m.group(1), m.group(2)) for m in ANNOTATION.finditer(raw)]
            yield ANNOTATION.sub(lambda m: m.group(1), raw), spans


ANNOTATION = re.compile(r"\[([^\]]+)\]\((\w+)\)")


@pytest.mark.parametrize("kind", ["body_part", "condition", "medication", "red_flag"])
def test_heldout_entities_are_found(kind):
    """Rasa's NLU test skips SpacyEntityExtractor, so score its pipeline (the EntityRuler) directly."""
    nlp = spacy.load(ROOT / "models" / "spacy_en_legcramps")
    wanted = found = 0
    for text, spans in annotated_entities(ROOT / "tests" / "nlu" / "heldout.yml"):
        ents = [e.text for e in nlp(text.lower()).ents if e.label_ == kind]
        for span, label in spans:
            if label == kind:  # found when an entity of the kind overlaps the annotated words
                wanted += 1
                found += any(span.lower() in e or e in span.lower() for e in ents)
    assert wanted >= 5 and found / wanted >= 0.85, f"{kind}: found {found} of {wanted}"
