"""What the people who run the assistant review: answers given, ratings, and messages left unanswered.

Its own database (settings.REVIEW_DATABASE_URL), apart from the knowledge base, which is rebuilt from
data/knowledge. Nothing here identifies a user: no sender id, no message text except unanswered
messages with personal details scrubbed (actions.scrub) before they are stored."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from functools import cache
from typing import Dict, List, Optional, Tuple

from sqlalchemy import Column, DateTime, Integer, String, Text, delete, func, select
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


@cache
def review_sessions(url: str) -> sessionmaker:
    engine = engine_for(url)
    ReviewBase.metadata.create_all(engine)
    return sessionmaker(engine, future=True, expire_on_commit=False)


def topic_of(answer_id: str) -> str:
    return answer_id.split("/", 1)[0]


class ReviewStore:
    """One session per call; the database is created on first use, never at import."""

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
        """Delete the unanswered messages stored before `older_than` (naive UTC); how many were deleted."""
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
