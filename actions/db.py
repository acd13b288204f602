"""SQLAlchemy tables of the knowledge base and the session factory (2.0 style).

Schema work happens only at start-up: `prepare_schema` (called by actions.seed, under `exclusive_seeding`)
creates the tables, and drops them first when their columns differ from the model's (an older schema: they
hold only what the seeder copies from data/knowledge, so the seed that follows rebuilds them). A session
factory never inspects nor changes the schema, so no request does."""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Iterator, List, Optional

from sqlalchemy import Column, Date, ForeignKey, Integer, String, Text, UniqueConstraint, create_engine, inspect, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Mapped, declarative_base, relationship, sessionmaker

from actions import settings

Base = declarative_base()


class Subject(Base):
    """A thing an answer can be about: a body part, condition, trigger, medication, red flag or referral level."""

    __tablename__ = "subjects"
    __table_args__ = (UniqueConstraint("kind", "key"),)

    id: Mapped[int] = Column(Integer, primary_key=True)
    kind: Mapped[str] = Column(String(32), nullable=False)
    key: Mapped[str] = Column(String(64), nullable=False)
    label: Mapped[str] = Column(String(128), nullable=False)
    terms: Mapped[List[Term]] = relationship("Term", back_populates="subject", cascade="all, delete-orphan")


class Term(Base):
    """A lower-case word or phrase people use for a subject."""

    __tablename__ = "terms"

    id: Mapped[int] = Column(Integer, primary_key=True)
    subject_id: Mapped[int] = Column(Integer, ForeignKey("subjects.id", ondelete="CASCADE"), nullable=False)
    text: Mapped[str] = Column(String(128), nullable=False, unique=True)
    subject: Mapped[Subject] = relationship("Subject", back_populates="terms")


class Answer(Base):
    """One answer of a topic, general (no subject) or about one subject."""

    __tablename__ = "answers"
    __table_args__ = (UniqueConstraint("topic", "subject_kind", "subject_key"),)

    id: Mapped[int] = Column(Integer, primary_key=True)
    topic: Mapped[str] = Column(String(64), nullable=False, index=True)
    subject_kind = Column(String(32), nullable=True)
    subject_key = Column(String(64), nullable=True)
    text: Mapped[str] = Column(Text, nullable=False)
    source: Mapped[str] = Column(String(512), nullable=False)
    evidence: Mapped[str] = Column(String(32), nullable=False)
    evidence_note = Column(Text, nullable=True)
    reviewed: Mapped[dt.date] = Column(Date, nullable=False, default=dt.date.today)


@cache
def engine_for(url: str) -> Engine:
    """One engine per URL and process; a SQLite file's folder is created on first use."""
    if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    return create_engine(url, future=True, pool_pre_ping=True)


SEED_LOCK_KEY = 74_6567_6372  # any constant; names the PostgreSQL advisory lock of the seeding


@contextmanager
def exclusive_seeding(url: Optional[str] = None) -> Iterator[None]:
    """Several action servers starting at once on one PostgreSQL database take turns to create the
    tables and seed (a session-level advisory lock); elsewhere (SQLite, one process) nothing to do."""
    engine = engine_for(url or settings.KB_DATABASE_URL)
    if engine.dialect.name != "postgresql":
        yield
        return
    with engine.connect() as connection:
        connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": SEED_LOCK_KEY})
        try:
            yield
        finally:
            connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": SEED_LOCK_KEY})


def session_factory(url: Optional[str] = None) -> sessionmaker:
    """Sessions bound to the knowledge-base database; use one per call (`with factory() as s:`).

    No schema work: the tables exist once the action server has started (actions.seed.start_up)."""
    return sessionmaker(engine_for(url or settings.KB_DATABASE_URL), future=True, expire_on_commit=False)


def prepare_schema(engine: Engine) -> None:
    """Create the knowledge tables; drop them first when their columns differ from the model's (start-up only)."""
    _drop_outdated_tables(engine)
    Base.metadata.create_all(engine)


def _drop_outdated_tables(engine: Engine) -> None:
    """Drop the knowledge tables when their columns differ from the model's (an older schema).

    They hold only what `seed` copies from data/knowledge, so the next seed rebuilds them."""
    inspector = inspect(engine)
    names = inspector.get_table_names()
    for table in Base.metadata.sorted_tables:
        if table.name in names and {c["name"] for c in inspector.get_columns(table.name)} != set(table.c.keys()):
            Base.metadata.drop_all(engine)
            return
