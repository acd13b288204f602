"""What the people who run the assistant review: answers given, ratings, and messages left unanswered.

Its own database (settings.REVIEW_DATABASE_URL), apart from the knowledge base, which is rebuilt from
data/knowledge. Nothing here identifies a user: no sender id, no message text except unanswered
messages with personal details scrubbed (actions.scrub) before they are stored.

Schema: `prepare_schema` creates the tables at start-up only (actions.seed.start_up, under the seeding lock);
a request never inspects nor changes it. Unlike the knowledge base this data must survive, so a table whose
columns differ from the model is never dropped: start-up stops with SchemaMismatch and says which. No
Alembic yet: these tables have not changed since they were created, so a migration chain would hold only
the creation. The first change of a column brings Alembic, with today's tables as its baseline revision
(`alembic stamp` on existing databases) run by prepare_schema in place of create_all."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from functools import cache
from typing import Dict, List, Optional, Tuple

from sqlalchemy import Column, DateTime, Integer, String, Text, delete, func, inspect, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Mapped, declarative_base, sessionmaker

from actions import settings
from actions.db import engine_for

ReviewBase = declarative_base()

RATINGS = ("yes", "no")
UNANSWERED_KINDS = ("fallback", "out_of_scope")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


class AnswerGiven(ReviewBase):
    """One knowledge-base answer sent to someone (which answer, when)."""

    __tablename__ = "answers_given"

    id: Mapped[int] = Column(Integer, primary_key=True)
    topic: Mapped[str] = Column(String(64), nullable=False, index=True)
    answer_id: Mapped[str] = Column(String(160), nullable=False)
    created_at: Mapped[dt.datetime] = Column(DateTime, nullable=False, default=_now)


class Rating(ReviewBase):
    """A user's answer to "Was this answer helpful?"."""

    __tablename__ = "answer_ratings"

    id: Mapped[int] = Column(Integer, primary_key=True)
    topic: Mapped[str] = Column(String(64), nullable=False, index=True)
    answer_id: Mapped[str] = Column(String(160), nullable=False)
    rating: Mapped[str] = Column(String(8), nullable=False)
    created_at: Mapped[dt.datetime] = Column(DateTime, nullable=False, default=_now)


class Unanswered(ReviewBase):
    """A message that ended in the fallback or out of scope, scrubbed of personal details."""

    __tablename__ = "unanswered_messages"

    id: Mapped[int] = Column(Integer, primary_key=True)
    kind: Mapped[str] = Column(String(16), nullable=False)
    text: Mapped[str] = Column(Text, nullable=False)
    created_at: Mapped[dt.datetime] = Column(DateTime, nullable=False, default=_now)


class SchemaMismatch(RuntimeError):
    """A review table in the database has other columns than the model: its data must not be dropped."""


@cache
def review_sessions(url: str) -> sessionmaker:
    """Sessions on the review store; no schema work (prepare_schema did it at start-up)."""
    return sessionmaker(engine_for(url), future=True, expire_on_commit=False)


def prepare_schema(url: str) -> None:
    """Create the review tables that are missing; refuse a table whose columns differ (start-up only)."""
    engine: Engine = engine_for(url)
    inspector = inspect(engine)
    existing = set(inspector.get_table_names())
    for table in ReviewBase.metadata.sorted_tables:
        if table.name in existing:
            columns = {c["name"] for c in inspector.get_columns(table.name)}
            if columns != set(table.c.keys()):
                raise SchemaMismatch(
                    f"review store table {table.name} has columns {sorted(columns)}, the model"
                    f" {sorted(table.c.keys())}: migrate it (its data must survive), do not drop it"
                )
    ReviewBase.metadata.create_all(engine)


def topic_of(answer_id: str) -> str:
    return answer_id.split("/", 1)[0]


class ReviewStore:
    """One session per call; the tables are created at start-up (prepare_schema), never by a request."""

    def __init__(self, url: Optional[str] = None) -> None:
        self._url = url

    @property
    def sessions(self) -> sessionmaker:
        return review_sessions(self._url or settings.REVIEW_DATABASE_URL)

    def answers_given(self, answer_ids: List[str]) -> None:
        with self.sessions.begin() as session:
            session.add_all(AnswerGiven(topic=topic_of(a), answer_id=a) for a in answer_ids)

    def rate(self, answer_id: str, rating: str) -> None:
        if rating not in RATINGS:
            raise ValueError(f"rating must be one of {RATINGS}, not {rating!r}")
        with self.sessions.begin() as session:
            session.add(Rating(topic=topic_of(answer_id), answer_id=answer_id, rating=rating))

    def unanswered(self, kind: str, text: str) -> None:
        if kind not in UNANSWERED_KINDS:
            raise ValueError(f"kind must be one of {UNANSWERED_KINDS}, not {kind!r}")
        with self.sessions.begin() as session:
            session.add(Unanswered(kind=kind, text=text))

    def purge_unanswered(self, older_than: dt.datetime) -> int:
        """Delete the unanswered messages stored before `older_than` (naive UTC); how many were deleted.

        A store whose tables were never created (no action server started on it) holds nothing: 0."""
        if not inspect(self.sessions.kw["bind"]).has_table(Unanswered.__tablename__):  # a job, not a request
            return 0
        with self.sessions.begin() as session:
            result = session.execute(delete(Unanswered).where(Unanswered.created_at < older_than))
        return result.rowcount

    # --- reading, for the content report ---------------------------------------------------
    def topic_counts(self) -> List[Tuple[str, int]]:
        """Topics by how often they were answered, most first."""
        with self.sessions() as session:
            rows = session.execute(
                select(AnswerGiven.topic, func.count()).group_by(AnswerGiven.topic).order_by(func.count().desc())
            ).all()
        return [(topic, count) for topic, count in rows]

    def ratings(self) -> Dict[str, Counter]:
        """Per answer id: how many yes and no ratings."""
        with self.sessions() as session:
            rows = session.execute(
                select(Rating.answer_id, Rating.rating, func.count()).group_by(Rating.answer_id, Rating.rating)
            ).all()
        result: Dict[str, Counter] = {}
        for answer_id, rating, count in rows:
            result.setdefault(answer_id, Counter())[rating] += count
        return result

    def unanswered_texts(self) -> List[Tuple[str, str]]:
        """(kind, scrubbed text) of every unanswered message, oldest first."""
        with self.sessions() as session:
            rows = session.execute(select(Unanswered.kind, Unanswered.text).order_by(Unanswered.id)).all()
        return [(kind, text) for kind, text in rows]
