"""Check the knowledge base's YAML source: every record complete (source, evidence level, reviewed date)
and reviewed within KB_MAX_REVIEW_AGE_DAYS. `python -m tools.check_knowledge`; exits 1 naming each bad record."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import List

from actions import settings
from actions.evidence import stale_reviews
from actions.seed import SourceError, load_source


def problems(directory: Path, today: dt.date, max_age_days: int) -> List[str]:
    try:
        source = load_source(directory)
    except SourceError as error:
        return [str(error)]
    return stale_reviews(source.answers, today, max_age_days)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-age-days", type=int, default=settings.KB_MAX_REVIEW_AGE_DAYS)
    parser.add_argument("--today", type=dt.date.fromisoformat, default=dt.date.today())
    args = parser.parse_args()
    found = problems(settings.KNOWLEDGE_DIR, args.today, args.max_age_days)
    for problem in found:
        print(f"knowledge base: {problem}", file=sys.stderr)
    if found:
        return 1
    print(f"knowledge base: every record has a source, an evidence level and a review within {args.max_age_days} days")
    return 0


if __name__ == "__main__":
    sys.exit(main())
