"""Load the knowledge base's YAML source (data/knowledge/) and sync it into the database.

Seeding is idempotent: records are matched on their natural keys, changed ones are updated,
new ones added and ones no longer in the source removed. Run it with `python -m actions.seed`.

All schema work of the action server is here, at start-up: `start_up` takes the seeding lock
(actions.db.exclusive_seeding), creates or rebuilds the knowledge tables (actions.db.prepare_schema), seeds
them and creates the review store's tables (actions.review_store.prepare_schema). Requests never touch the
schema (tests/test_schema.py).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import yaml
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from actions import review_store, settings
from actions.db import Answer, Subject, Term, exclusive_seeding, prepare_schema, session_factory
from actions.evidence import EVIDENCE_LEVELS
from actions.repository import KnowledgeAnswer, SubjectRef
from actions.triage_rules import RULE_FILES

logger = logging.getLogger(__name__)

SUBJECTS_FILE = "subjects.yml"
REQUIRED_FIELDS = ("text", "source", "evidence", "reviewed")
"""`source` is met by either a `sources:` list of {name, url} (the form every record uses) or a `source:` string."""


class SourceError(ValueError):
    """The YAML source of the knowledge base is inconsistent."""


@dataclass(frozen=True)
class SubjectSource:
    kind: str
    key: str
    label: str
    terms: Tuple[str, ...]


@dataclass(frozen=True)
class KnowledgeSource:
    subjects: Tuple[SubjectSource, ...]
    answers: Tuple[KnowledgeAnswer, ...]


def load_source(directory: Path = settings.KNOWLEDGE_DIR) -> KnowledgeSource:
    """Parse and check every YAML file of the knowledge base."""
    raw_subjects = _read_yaml(directory / SUBJECTS_FILE)["subjects"]
    subjects = tuple(
        SubjectSource(s["kind"], s["key"], s["label"], tuple(t.strip().lower() for t in s.get("terms") or ()))
        for s in raw_subjects
    )
    answers: List[KnowledgeAnswer] = []
    for path in sorted(directory.glob("*.yml")):
        if path.name == SUBJECTS_FILE or path.name in RULE_FILES:  # rules only, no topic (actions.triage_rules)
            continue
        content = _read_yaml(path)
        for record in content["answers"]:
            subject = record.get("subject")
            where = f"{path.name}: record {content.get('topic')}/{_subject_name(subject)}"
            if record.get("sources") not in (None, "", []):
                record = {**record, "source": _source_line(record["sources"], where)}
            missing = sorted({k for k in REQUIRED_FIELDS if record.get(k) in (None, "")} | {"subject"} - record.keys())
            if missing:
                raise SourceError(f"{where} lacks {', '.join(missing)}")
            if record["evidence"] not in EVIDENCE_LEVELS:
                raise SourceError(f"{where}: evidence {record['evidence']!r} is not one of {sorted(EVIDENCE_LEVELS)}")
            answers.append(
                KnowledgeAnswer(
                    topic=content["topic"],
                    subject=(subject["kind"], subject["key"]) if subject else None,
                    text=" ".join(str(record["text"]).split()),
                    source=str(record["source"]).strip(),
                    evidence=record["evidence"],
                    evidence_note=" ".join(str(record["evidence_note"]).split())
                    if record.get("evidence_note")
                    else None,
                    reviewed=_as_date(record["reviewed"]),
                    editor_note=" ".join(str(record["editor_note"]).split()) if record.get("editor_note") else None,
                )
            )
    source = KnowledgeSource(subjects, tuple(answers))
    _check(source)
    return source


def _source_line(sources: object, where: str) -> str:
    """`sources: [{name, url}, ...]` as the one display string `Name (url); Name (url)` (KnowledgeAnswer.links
    reads it back)."""
    if not isinstance(sources, list):
        raise SourceError(f"{where}: sources must be a list of {{name, url}}")
    parts = []
    for entry in sources:
        name = str((entry or {}).get("name") or "").strip() if isinstance(entry, dict) else ""
        url = str((entry or {}).get("url") or "").strip() if isinstance(entry, dict) else ""
        if not name or any(c in name for c in ";()") or not url.startswith("https://") or any(c in url for c in " ;()"):
            raise SourceError(
                f"{where}: each source needs a name (no ';' or brackets) and an https:// url, got {entry!r}"
            )
        parts.append(f"{name} ({url})")
    return "; ".join(parts)


def _subject_name(subject: object) -> str:
    """`kind:key` of a record's subject, `general` for none (used in error messages)."""
    if isinstance(subject, dict):
        return f"{subject.get('kind')}:{subject.get('key')}"
    return "general"


def _read_yaml(path: Path) -> dict:
    with path.open(encoding="utf-8") as f:
        return yaml.safe_load(f)


def _as_date(value: object) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _check(source: KnowledgeSource) -> None:
    known = {(s.kind, s.key) for s in source.subjects}
    if len(known) != len(source.subjects):
        raise SourceError("a subject is listed twice")
    owner: Dict[str, SubjectRef] = {}
    for s in source.subjects:
        for term in s.terms:
            if term in owner and owner[term] != (s.kind, s.key):
                raise SourceError(f"term {term!r} belongs to {owner[term]} and {(s.kind, s.key)}")
            owner[term] = (s.kind, s.key)
    seen = set()
    for a in source.answers:
        if a.subject is not None and a.subject not in known:
            raise SourceError(f"topic {a.topic!r} refers to unknown subject {a.subject}")
        if (a.topic, a.subject) in seen:
            raise SourceError(f"topic {a.topic!r} has two answers for {a.subject or 'general'}")
        seen.add((a.topic, a.subject))
    general = {a.topic for a in source.answers if a.subject is None}
    topics = {a.topic for a in source.answers}
    if topics - general:
        raise SourceError(f"topics without a general answer: {sorted(topics - general)}")


def seed(sessions: Optional[sessionmaker] = None, source: Optional[KnowledgeSource] = None) -> Dict[str, int]:
    """Make the database hold exactly the source (its tables created or rebuilt first); return how many rows
    were added, updated, removed. Start-up work: call it through `start_up`, which holds the seeding lock."""
    source = source or load_source()
    sessions = sessions or session_factory()
    prepare_schema(sessions.kw["bind"])
    counts = {"added": 0, "updated": 0, "removed": 0}
    with sessions.begin() as session:
        _sync_subjects(session, source.subjects, counts)
        _sync_answers(session, source.answers, counts)
    logger.info("knowledge base seeded: %s", counts)
    return counts


def _sync_subjects(session, subjects, counts: Dict[str, int]) -> None:
    existing = {(s.kind, s.key): s for s in session.execute(select(Subject)).scalars()}
    wanted = {(s.kind, s.key): s for s in subjects}
    for ref in existing.keys() - wanted.keys():
        session.delete(existing[ref])
        counts["removed"] += 1
    changed = []
    for ref, src in wanted.items():
        row = existing.get(ref)
        if row is None:
            row = Subject(kind=src.kind, key=src.key, label=src.label)
            session.add(row)
            counts["added"] += 1
        elif row.label != src.label or sorted(t.text for t in row.terms) != sorted(src.terms):
            row.label = src.label
            row.terms.clear()
            counts["updated"] += 1
        else:
            continue
        changed.append((row, src))
    session.flush()  # old terms are gone before new ones arrive, so a term can move between subjects
    for row, src in changed:
        row.terms.extend(Term(text=t) for t in src.terms)
    session.flush()


def _sync_answers(session, answers, counts: Dict[str, int]) -> None:
    existing = {
        (a.topic, (a.subject_kind, a.subject_key) if a.subject_kind else None): a
        for a in session.execute(select(Answer)).scalars()
    }
    wanted = {(a.topic, a.subject): a for a in answers}
    for ref in existing.keys() - wanted.keys():
        session.delete(existing[ref])
        counts["removed"] += 1
    for ref, src in wanted.items():
        fields = {
            "text": src.text,
            "source": src.source,
            "evidence": src.evidence,
            "evidence_note": src.evidence_note,
            "reviewed": src.reviewed,
        }
        row = existing.get(ref)
        if row is None:
            kind, key = src.subject or (None, None)
            session.add(Answer(topic=src.topic, subject_kind=kind, subject_key=key, **fields))
            counts["added"] += 1
        elif any(getattr(row, name) != value for name, value in fields.items()):
            for name, value in fields.items():
                setattr(row, name, value)
            counts["updated"] += 1


def start_up(kb_url: Optional[str] = None, review_url: Optional[str] = None) -> Dict[str, int]:
    """The start-up work on the databases, under the seeding lock: several action servers may start at once on
    one database and take turns. The knowledge base's schema and rows, then the review store's schema."""
    kb_url = kb_url or settings.KB_DATABASE_URL
    with exclusive_seeding(kb_url):
        counts = seed(session_factory(kb_url))
        review_store.prepare_schema(review_url or settings.REVIEW_DATABASE_URL)
    return counts


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    result = start_up()
    print(f"knowledge base at {settings.KB_DATABASE_URL}: {result}")
