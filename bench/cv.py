"""Stratified k-fold cross-validation of one NLU configuration, in its own process (it imports Rasa).

    python -m bench.cv --config config.yml --data data/nlu --folds 5 --run-folds 5 --out cv.json

The folds are the same for every configuration (fixed shuffle seed), so ours and the peer see the same
splits. `--run-folds k` trains and tests only the first k of the `--folds` splits: each of those is a full
fold (80 % train / 20 % test for 5 folds, full epochs), there are just fewer of them to average."""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, List

SEED = 42


async def evaluate(model: str, test: Any) -> List[Dict[str, Any]]:
    from rasa.core.agent import Agent
    from rasa.core.channels import UserMessage

    from bench.understanding import predicted

    processor = Agent.load(model).processor
    out = []
    for message in test.intent_examples:
        parse = await processor.parse_message(UserMessage(text=message.get("text")))
        gold = [[e["start"], e["end"], e["entity"]] for e in message.get("entities") or []]
        out.append({"text": message.get("text"), "intent": message.get("intent"), "entities": gold, **predicted(parse)})
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", required=True)
    parser.add_argument("--data", required=True)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--run-folds", type=int, default=5)
    parser.add_argument("--label", default="")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()

    from rasa.model_training import train_nlu
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLWriter
    from rasa.shared.nlu.training_data.loading import load_data
    from rasa.shared.nlu.training_data.training_data import TrainingData
    from sklearn.model_selection import StratifiedKFold

    data = load_data(args.data)
    examples = data.intent_examples
    labels = [m.get("intent") for m in examples]
    folds = list(StratifiedKFold(n_splits=args.folds, shuffle=True, random_state=SEED).split(examples, labels))
    results: List[Dict[str, Any]] = []
    fold_results: List[List[Dict[str, Any]]] = []
    seconds: List[float] = []
    for i, (train_index, test_index) in enumerate(folds[: args.run_folds]):
        start = time.monotonic()

        def subset(index: Any) -> TrainingData:
            return TrainingData(
                training_examples=[examples[j] for j in index],
                entity_synonyms=data.entity_synonyms,
                regex_features=data.regex_features,
                lookup_tables=data.lookup_tables,
            )

        with tempfile.TemporaryDirectory() as tmp:
            train_file = Path(tmp) / "train.yml"
            RasaYAMLWriter().dump(train_file, subset(train_index))
            model = train_nlu(args.config, str(train_file), tmp, fixed_model_name=f"fold{i}")
            if model is None:
                raise SystemExit(f"training fold {i} with {args.config} failed")
            fold = asyncio.run(evaluate(model, subset(test_index)))
        fold_results.append(fold)
        results += fold
        seconds.append(time.monotonic() - start)
        print(f"   cv {args.label} fold {i + 1}/{args.run_folds} of {args.folds}: {seconds[-1]:.0f} s", flush=True)
    args.out.write_text(
        json.dumps({"folds": args.folds, "run_folds": args.run_folds, "seconds": seconds, "fold_results": fold_results})
    )


if __name__ == "__main__":
    main()
