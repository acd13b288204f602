"""Check the knowledge base's YAML source: every record complete (source, evidence level, reviewed date),
reviewed within KB_MAX_REVIEW_AGE_DAYS, the triage rules sound (actions.triage_rules.problems: every warning
sign with a known level, an answer, a subject, sources and a review; no empty phrase; assessment.yml's
values, levels and reasons known), and readable (tools.readability: Flesch-Kincaid grade 8 or below,
at most 80 words for an answer and its evidence note together, no "the article").
`python -m tools.check_knowledge`; exits 1 naming each bad record, and prints the readability figures."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import List, Sequence, Tuple

from actions import settings, triage_rules
from actions.evidence import stale_reviews
from actions.seed import SourceError, load_source
from tools import readability


def problems(directory: Path, today: dt.date, max_age_days: int) -> List[str]:
    found, _ = check(directory, today, max_age_days)
    return found


def check(directory: Path, today: dt.date, max_age_days: int) -> Tuple[List[str], List[str]]:
    """(problems, figure lines) of the knowledge base in `directory`."""
    try:
        source = load_source(directory)
    except SourceError as error:
        return [str(error)], []
    found = stale_reviews(source.answers, today, max_age_days)
    if any((directory / name).exists() for name in (triage_rules.RED_FLAGS_FILE, triage_rules.ASSESSMENT_FILE)):
        found += triage_rules.problems(directory, today, max_age_days)  # a partial knowledge base may have none
    texts = [(a.answer_id, a.text) for a in source.answers]
    notes = [(f"{a.answer_id} (evidence note)", a.evidence_note) for a in source.answers if a.evidence_note]
    answer_measures, answer_problems = readability.problems(texts)
    note_measures, note_problems = readability.problems(notes)
    found += answer_problems + note_problems
    found += _too_long_together(source.answers)
    everything: Sequence[readability.Measure] = [*answer_measures, *note_measures]
    found += readability.overall_problems(everything, "knowledge base")
    figures = [
        readability.figures(answer_measures, "answers"),
        readability.figures(note_measures, "evidence notes"),
        readability.figures(everything, "answers and notes"),
    ]
    return found, figures


def _too_long_together(answers) -> List[str]:
    """An answer and its evidence note are one message: together at most readability.MAX_WORDS words."""
    found = []
    for a in answers:
        if not a.evidence_note:
            continue
        words = readability.measure(a.answer_id, a.text).words + readability.measure("", a.evidence_note).words
        if words > readability.MAX_WORDS:
            found.append(
                f"{a.answer_id}: answer and evidence note are {words} words, more than {readability.MAX_WORDS}"
            )
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-age-days", type=int, default=settings.KB_MAX_REVIEW_AGE_DAYS)
    parser.add_argument("--today", type=dt.date.fromisoformat, default=dt.date.today())
    args = parser.parse_args()
    found, figures = check(settings.KNOWLEDGE_DIR, args.today, args.max_age_days)
    for line in figures:
        print(f"knowledge base: {line}")
    for problem in found:
        print(f"knowledge base: {problem}", file=sys.stderr)
    if found:
        return 1
    print(
        f"knowledge base: every record has a source, an evidence level and a review within {args.max_age_days} days,"
        f" and reads at grade {readability.MAX_GRADE:g} or below; the triage rules are sound"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
