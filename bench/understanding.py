"""Understanding scores from predictions: intent weighted F1 (as `rasa test nlu` computes it: a
FallbackClassifier prediction is undone), entity F1 on exact spans, and the confusion matrix as PNG.

A labelled example is {"text", "intent", "entities": [[start, end, kind], ...]}; a prediction adds
"pred_intent" and "pred_entities" in the same form."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Dict, Iterable, List, Sequence

import yaml

FALLBACK_INTENT = "nlu_fallback"
ANNOTATION = re.compile(r"\[([^\]]+)\]\((\w+)\)")

Example = Dict[str, Any]


def read_examples(nlu_file: Path) -> List[Example]:
    """The labelled messages of a Rasa NLU YAML file written with `[words](entity)` annotations."""
    examples: List[Example] = []
    for block in yaml.safe_load(nlu_file.read_text(encoding="utf-8"))["nlu"]:
        if "intent" not in block:
            continue
        for line in block.get("examples", "").splitlines():
            raw = line.strip()
            if not raw.startswith("- "):
                continue
            examples.append({"intent": block["intent"], **_strip_annotations(raw[2:])})
    return examples


def _strip_annotations(raw: str) -> Dict[str, Any]:
    text, entities, last = "", [], 0
    for m in ANNOTATION.finditer(raw):
        text += raw[last : m.start()]
        entities.append([len(text), len(text) + len(m.group(1)), m.group(2)])
        text += m.group(1)
        last = m.end()
    return {"text": text + raw[last:], "entities": entities}


def predicted(parse: Dict[str, Any]) -> Dict[str, Any]:
    """Intent and entity spans of a Rasa parse result; a fallback prediction gives way to the best real intent."""
    intent = (parse.get("intent") or {}).get("name")
    if intent == FALLBACK_INTENT:
        ranked = [r["name"] for r in parse.get("intent_ranking") or [] if r.get("name") != FALLBACK_INTENT]
        intent = ranked[0] if ranked else FALLBACK_INTENT
    entities = [[e["start"], e["end"], e["entity"]] for e in parse.get("entities") or [] if "start" in e]
    return {"pred_intent": intent, "pred_entities": entities}


def intent_scores(results: Sequence[Example]) -> Dict[str, Any]:
    from sklearn.metrics import accuracy_score, f1_score

    gold = [r["intent"] for r in results]
    pred = [r["pred_intent"] for r in results]
    return {
        "messages": len(results),
        "weighted_f1": float(f1_score(gold, pred, average="weighted", zero_division=0)),
        "macro_f1": float(f1_score(gold, pred, average="macro", zero_division=0)),
        "accuracy": float(accuracy_score(gold, pred)),
        "errors": [
            {"text": r["text"], "intent": r["intent"], "predicted": r["pred_intent"]}
            for r in results
            if r["intent"] != r["pred_intent"]
        ],
    }


def entity_scores(results: Iterable[Example]) -> Dict[str, Any]:
    """Micro precision/recall/F1 over entity spans; a prediction counts only with the same start, end and kind."""
    true_pos = n_gold = n_pred = 0
    for r in results:
        gold = {tuple(e) for e in r["entities"]}
        pred = {tuple(e) for e in r["pred_entities"]}
        true_pos += len(gold & pred)
        n_gold += len(gold)
        n_pred += len(pred)
    precision = true_pos / n_pred if n_pred else 0.0
    recall = true_pos / n_gold if n_gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"gold": n_gold, "predicted": n_pred, "precision": precision, "recall": recall, "f1": f1}


def scores(results: Sequence[Example]) -> Dict[str, Any]:
    return {"intent": intent_scores(results), "entity": entity_scores(results)}


def plot_confusion(results: Sequence[Example], title: str, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.metrics import ConfusionMatrixDisplay

    labels = sorted({r["intent"] for r in results} | {r["pred_intent"] for r in results})
    fig, ax = plt.subplots(figsize=(12, 11))
    ConfusionMatrixDisplay.from_predictions(
        [r["intent"] for r in results],
        [r["pred_intent"] for r in results],
        labels=labels,
        xticks_rotation="vertical",
        ax=ax,
        colorbar=False,
        cmap="Blues",
    )
    ax.set_title(title)
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    plt.close(fig)
