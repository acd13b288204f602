"""Read access to the knowledge base. Actions use only this class, never the tables."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Dict, Iterable, List, Optional, Tuple

from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from actions.db import Answer, Subject, Term, session_factory

SubjectRef = Tuple[str, str]
"""(kind, key), for example ("condition", "pregnancy")."""


@dataclass(frozen=True)
class KnowledgeAnswer:
    topic: str
    subject: Optional[SubjectRef]
    text: str
    source: str
    evidence: str
    """A level of actions.evidence.EVIDENCE_LEVELS."""
    reviewed: dt.date
    evidence_note: Optional[str] = None
    """Shown to users under the answer."""
    editor_note: Optional[str] = None
    """For editors only (corrections of the original source and the like): loaded from the YAML source, never
    stored in the database nor shown to users."""

    @property
    def links(self) -> Tuple[Tuple[str, str], ...]:
        """The source as (name, url) pairs: `source` is `Name (https://...); Name (https://...)`; a part
        without a link gives (name, "")."""
        pairs = []
        for part in filter(None, (p.strip() for p in self.source.split(";"))):
            found = _LINKED.fullmatch(part)
            pairs.append((found.group(1).strip(), found.group(2)) if found else (part, ""))
        return tuple(pairs)

    @property
    def answer_id(self) -> str:
        """Stable id of the answer across reseeds: `topic/kind:key`, or `topic/general`."""
        return f"{self.topic}/{':'.join(self.subject) if self.subject else 'general'}"


_LINKED = re.compile(r"(.+?)\s*\((https?://[^\s()]+)\)")


class AnswerNotFound(LookupError):
    """The knowledge base has no general answer for a topic: it was not seeded."""


class KnowledgeRepository:
    """Reads answers per call. Terms are read once per repository and kind: the action server seeds the
    knowledge base before it serves and keeps one repository per action, so a message never waits for
    the same term query twice (restart the action server after changing the knowledge base)."""

    def __init__(self, sessions: Optional[sessionmaker] = None) -> None:
        self._sessions = sessions or session_factory()
        self._terms: Dict[str, Dict[str, str]] = {}

    def answer(self, topic: str, subjects: Iterable[SubjectRef] = ()) -> KnowledgeAnswer:
        """The answer about the first of `subjects` the topic covers, else the topic's general answer."""
        wanted = list(subjects)
        with self._sessions() as session:
            rows = session.execute(select(Answer).where(Answer.topic == topic)).scalars().all()
        by_subject = {(r.subject_kind, r.subject_key): r for r in rows}
        for ref in [*wanted, (None, None)]:
            row = by_subject.get(ref)
            if row is not None:
                return _to_answer(row)
        raise AnswerNotFound(f"no answer for topic {topic!r}; is the knowledge base seeded?")

    def terms(self, kind: str) -> Dict[str, str]:
        """Every term (and key) of the subjects of one kind, mapped to the subject's key (a copy to edit freely)."""
        if kind not in self._terms:
            self._terms[kind] = self._read_terms(kind)
        return dict(self._terms[kind])

    def _read_terms(self, kind: str) -> Dict[str, str]:
        with self._sessions() as session:
            rows = session.execute(
                select(Subject.key, Term.text).outerjoin(Subject.terms).where(Subject.kind == kind)
            ).all()
        names = {key: key for key, _ in rows}
        names.update((text, key) for key, text in rows if text is not None)
        return names

    def labels(self, kind: str) -> Dict[str, str]:
        """Human labels of the subjects of one kind, by key."""
        with self._sessions() as session:
            rows = session.execute(select(Subject.key, Subject.label).where(Subject.kind == kind)).all()
        return dict(rows)

    def covering(self, subject: SubjectRef) -> List[str]:
        """The topics that have an answer about `subject`, in alphabetical order."""
        kind, key = subject
        with self._sessions() as session:
            rows = session.execute(
                select(Answer.topic).where(Answer.subject_kind == kind, Answer.subject_key == key)
            ).scalars()
            return sorted(set(rows))

    def topics(self) -> List[str]:
        with self._sessions() as session:
            return sorted(session.execute(select(Answer.topic).distinct()).scalars().all())


def _to_answer(row: Answer) -> KnowledgeAnswer:
    subject = (row.subject_kind, row.subject_key) if row.subject_kind and row.subject_key else None
    return KnowledgeAnswer(row.topic, subject, row.text, row.source, row.evidence, row.reviewed, row.evidence_note)
