"""Readability and voice of the health text in domain.yml's responses (`python -m tools.check_responses`).

Every text response is measured (tools.readability) except the few listed in SKIPPED, each with its reason.
Placeholders such as {emergency_number} are read as a short number. Exits 1 naming each response over a limit,
and prints the figures either way."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Dict, Iterator, Tuple

import yaml

from tools import readability

ROOT = Path(__file__).resolve().parent.parent
SKIPPED: Dict[str, str] = {
    "utter_knowledge_answer": "a frame around a knowledge-base answer, which tools.check_knowledge measures",
    "utter_knowledge_answer_with_evidence": "a frame around a knowledge-base answer and note (tools.check_knowledge)",
}
SKIPPED_PREFIXES: Dict[str, str] = {
    "utter_other_language_": "written in another language; the Flesch-Kincaid grade is defined for English",
}


def response_texts(domain: dict) -> Iterator[Tuple[str, str]]:
    """(name, text) of every text variation of every response not in SKIPPED."""
    for name, variations in sorted((domain.get("responses") or {}).items()):
        if name in SKIPPED or name.startswith(tuple(SKIPPED_PREFIXES)):
            continue
        for i, variation in enumerate(variations or []):
            text = (variation or {}).get("text")
            if text:
                yield (name if len(variations) == 1 else f"{name}[{i}]"), str(text)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--domain", type=Path, default=ROOT / "domain.yml")
    args = parser.parse_args()
    with args.domain.open(encoding="utf-8") as f:
        domain = yaml.safe_load(f)
    measures, found = readability.problems(response_texts(domain))
    found += readability.overall_problems(measures, "domain responses")
    print(readability.figures(measures, "domain responses"))
    for problem in found:
        print(f"domain.yml: {problem}", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
