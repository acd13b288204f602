"""Storage limitation: delete conversations and unanswered messages older than their retention periods.

    .venv/bin/python -m ops.purge                  (`make purge`: once)
    .venv/bin/python -m ops.purge --every 3600     (the production topology's periodic job: launch/topology.py)

- Conversations: every event of a conversation (Rasa's SQL tracker store, table `events`) whose latest event is
  older than CONVERSATION_RETENTION_DAYS (default 30). A conversation with one recent event is kept whole.
  Only events older than the limit are deleted, so a message arriving during the purge is never lost.
- Unanswered messages of the review store (actions/review_store.py) older than UNANSWERED_RETENTION_DAYS
  (default 90). Answers given and ratings are anonymous counts with no text and are kept.

"off" as a period keeps that kind of data. The tracker store's URL is TRACKER_DATABASE_URL or, unset, built from
the endpoints file's `tracker_store` (`--endpoints`, default endpoints.yml, with its ${VARIABLES}); the review
store's is REVIEW_DATABASE_URL. Only counts are printed and logged, never a sender id or a text.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import List, Optional

from sqlalchemy import bindparam, create_engine, inspect, text

from actions import settings
from actions.review_store import ReviewStore
from launch import settings as ops_settings

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent
BATCH = 500
"""Conversations deleted per transaction: a large purge never holds the table for long."""

STALE_SENDERS = text(
    "SELECT sender_id FROM events GROUP BY sender_id HAVING max(timestamp) < :cutoff ORDER BY sender_id LIMIT :batch"
)
DELETE_OLD_EVENTS = text("DELETE FROM events WHERE sender_id IN :senders AND timestamp < :cutoff").bindparams(
    bindparam("senders", expanding=True)
)


@dataclass
class Purged:
    conversations: int = 0
    events: int = 0
    unanswered: int = 0

    def __str__(self) -> str:
        return (
            f"purged {self.conversations} conversations ({self.events} events) and "
            f"{self.unanswered} unanswered messages"
        )


def days(value: str) -> Optional[float]:
    """A retention period in days, or None for "off"."""
    if value.strip().lower() in ("off", "none", ""):
        return None
    number = float(value)
    if number <= 0:
        raise ValueError(f"a retention period must be a positive number of days or 'off', not {value!r}")
    return number


def tracker_url_from_endpoints(endpoints: Path) -> str:
    """The SQLAlchemy URL of the endpoints file's SQL tracker store (Rasa substitutes its ${VARIABLES})."""
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.utils.endpoints import read_endpoint_config

    config = read_endpoint_config(str(endpoints), "tracker_store")
    if config is None:
        raise SystemExit(f"{endpoints} has no tracker_store: set TRACKER_DATABASE_URL")
    options = config.kwargs
    url = SQLTrackerStore.get_db_url(
        options.get("dialect", "sqlite"), config.url, options.get("port"), options.get("db", "rasa.db"),
        options.get("username"), options.get("password"),
    )  # fmt: skip
    return str(url) if not isinstance(url, str) else url


def purge_conversations(tracker_url: str, older_than_days: float, now: Optional[float] = None) -> Purged:
    """Delete the conversations whose latest event is older than `older_than_days` (Rasa's `events` table)."""
    cutoff = (time.time() if now is None else now) - older_than_days * 86400
    purged = Purged()
    engine = create_engine(tracker_url, future=True)
    try:
        if not inspect(engine).has_table("events"):  # no conversation was ever stored
            return purged
        while True:
            with engine.begin() as connection:
                senders: List[str] = list(
                    connection.execute(STALE_SENDERS, {"cutoff": cutoff, "batch": BATCH}).scalars()
                )
                if not senders:
                    return purged
                result = connection.execute(DELETE_OLD_EVENTS, {"senders": senders, "cutoff": cutoff})
            purged.conversations += len(senders)
            purged.events += result.rowcount
    finally:
        engine.dispose()


def purge_unanswered(review_url: str, older_than_days: float, now: Optional[dt.datetime] = None) -> int:
    current = now or dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    return ReviewStore(review_url).purge_unanswered(current - dt.timedelta(days=older_than_days))


def purge(
    tracker_url: str,
    review_url: str,
    conversation_days: Optional[float],
    unanswered_days: Optional[float],
) -> Purged:
    purged = Purged()
    if conversation_days is not None:
        purged = purge_conversations(tracker_url, conversation_days)
    if unanswered_days is not None:
        purged.unanswered = purge_unanswered(review_url, unanswered_days)
    return purged


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoints", type=Path, default=ROOT / "endpoints.yml")
    parser.add_argument("--tracker-url", default=ops_settings.TRACKER_DATABASE_URL)
    parser.add_argument("--review-url", default=settings.REVIEW_DATABASE_URL)
    parser.add_argument("--conversation-days", type=days, default=days(ops_settings.CONVERSATION_RETENTION_DAYS))
    parser.add_argument("--unanswered-days", type=days, default=days(ops_settings.UNANSWERED_RETENTION_DAYS))
    parser.add_argument("--every", type=float, default=0, help="seconds between purges; 0 (default): once")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s - %(message)s")
    tracker_url = args.tracker_url or tracker_url_from_endpoints(args.endpoints)
    print(
        f">> retention: conversations {args.conversation_days or 'off'} days after their latest event, "
        f"unanswered messages {args.unanswered_days or 'off'} days",
        flush=True,
    )
    while True:
        try:
            logger.info("%s", purge(tracker_url, args.review_url, args.conversation_days, args.unanswered_days))
        except Exception as failure:  # a database down: the periodic job tries again next time
            if not args.every:
                raise
            # only the type: database errors quote their statement's parameters
            logger.error("purge failed (%s); trying again in %ss", type(failure).__name__, args.every)
        if not args.every:
            return 0
        time.sleep(args.every)


if __name__ == "__main__":
    sys.exit(main())
