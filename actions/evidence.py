"""How strong the evidence behind an answer is: a small fixed vocabulary, and how old a review may get.

Each knowledge-base record names one level (`evidence:`) and, where it helps, a short note
(`evidence_note:`, shown to users, so plain words and no "the article"). Corrections of the original source
for editors go in `editor_note:`, which users never see. Users see the label in the answer's one-line footer.
`article_claim` keeps its key for a claim only the original source makes."""

from __future__ import annotations

import datetime as dt
from typing import Dict, Iterable, List

EVIDENCE_LEVELS: Dict[str, str] = {
    "established": "well established",
    "agreed": "agreed by major health services",
    "mixed": "mixed evidence",
    "limited": "limited evidence",
    "article_claim": "a claim health services do not confirm",
}
"""Level key (as written in data/knowledge/*.yml) -> the label users read."""


def evidence_label(level: str) -> str:
    return EVIDENCE_LEVELS[level]


def stale_reviews(records: Iterable, today: dt.date, max_age_days: int) -> List[str]:
    """A message naming each record (topic/subject) whose review is older than `max_age_days`."""
    oldest = today - dt.timedelta(days=max_age_days)
    return [
        f"{r.topic}/{':'.join(r.subject) if r.subject else 'general'}: reviewed {r.reviewed.isoformat()}, "
        f"more than {max_age_days} days before {today.isoformat()}; review it and update `reviewed`"
        for r in records
        if r.reviewed < oldest
    ]
