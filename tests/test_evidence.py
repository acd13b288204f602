"""Evidence labels and freshness: the vocabulary, the answer footer, and the check `make validate` runs."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from actions.answers import Answers
from actions.db import session_factory
from actions.evidence import EVIDENCE_LEVELS, stale_reviews
from actions.repository import KnowledgeRepository
from actions.seed import SourceError, load_source, seed
from tools.check_knowledge import problems

ROOT = Path(__file__).resolve().parent.parent
SUBJECTS = "subjects:\n  - {kind: body_part, key: calf, label: calf, terms: [calf]}\n"
RECORD = "topic: overview\nanswers:\n  - subject: null\n    text: t\n{fields}"
GOOD_FIELDS = {"source": '"NHS Leg cramps"', "evidence": "established", "reviewed": "2026-11-24"}


def write_kb(directory: Path, **fields: str) -> Path:
    values = {**GOOD_FIELDS, **fields}
    lines = "".join(f"    {k}: {v}\n" for k, v in values.items() if v != "MISSING")
    (directory / "subjects.yml").write_text(SUBJECTS)
    (directory / "overview.yml").write_text(RECORD.format(fields=lines))
    return directory


def test_every_record_has_a_level_of_the_fixed_vocabulary():
    source = load_source()
    assert {a.evidence for a in source.answers} <= set(EVIDENCE_LEVELS)
    assert len({a.evidence for a in source.answers}) >= 4  # the levels are really used, not one label for all


def test_the_articles_unsupported_claim_is_labelled_as_such():
    source = load_source()
    squatting = [a for a in source.answers if a.subject == ("trigger", "reduced_squatting")]
    assert squatting and all(a.evidence == "article_claim" for a in squatting)
    assert EVIDENCE_LEVELS["article_claim"] == "a claim health services do not confirm"


def test_weak_levels_carry_a_note_saying_why():
    for a in load_source().answers:
        if a.evidence in ("mixed", "limited", "article_claim"):
            assert a.evidence_note, a.answer_id


def test_an_answer_shows_source_evidence_and_review_date_in_one_line(repository, dispatcher, domain):
    Answers(repository).say(dispatcher, "prevention")
    (message,) = dispatcher.messages
    template = domain["responses"][message["response"]][0]["text"]
    footer = template.split("\n")[-1].format(**message)
    assert footer == f"Source: {message['source']} | Evidence: mixed evidence | Reviewed: 2026-12-01"
    assert message["evidence_note"].startswith("Bedtime stretching")


@pytest.mark.parametrize("field", ["source", "reviewed", "evidence"])
def test_a_record_without_a_required_field_is_refused_by_name(tmp_path, field):
    found = problems(write_kb(tmp_path, **{field: "MISSING"}), dt.date(2026, 11, 25), 365)
    assert found == [f"overview.yml: record overview/general lacks {field}"]


def test_an_empty_source_is_refused(tmp_path):
    with pytest.raises(SourceError, match="overview/general lacks source"):
        load_source(write_kb(tmp_path, source='""'))


def test_an_unknown_evidence_level_is_refused(tmp_path):
    (found,) = problems(write_kb(tmp_path, evidence="strong"), dt.date(2026, 11, 25), 365)
    assert "overview/general: evidence 'strong' is not one of" in found


def test_a_review_older_than_the_limit_is_reported_by_record(tmp_path):
    kb = write_kb(tmp_path, reviewed="2025-11-24")
    assert problems(kb, dt.date(2026, 11, 24), 365) == []
    (found,) = problems(kb, dt.date(2026, 11, 25), 365)
    assert found.startswith("overview/general: reviewed 2025-11-24, more than 365 days before 2026-11-25")


def test_the_real_knowledge_base_is_fresh_today_and_stale_in_two_years():
    answers = load_source().answers
    assert stale_reviews(answers, dt.date(2026, 11, 25), 365) == []
    assert len(stale_reviews(answers, dt.date(2028, 11, 25), 365)) == len(answers)


@pytest.mark.slow
def test_the_validate_command_fails_with_a_clear_message_and_reads_the_age_setting(tmp_path):
    kb = write_kb(tmp_path, reviewed="2026-01-01")
    env = {**os.environ, "KB_SOURCE_DIR": str(kb)}
    command = [sys.executable, "-m", "tools.check_knowledge", "--today", "2026-11-25"]
    ok = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0, ok.stderr
    stale = subprocess.run(
        command, cwd=ROOT, env={**env, "KB_MAX_REVIEW_AGE_DAYS": "90"}, capture_output=True, text=True, timeout=120
    )
    assert stale.returncode == 1
    assert "overview/general: reviewed 2026-01-01, more than 90 days before 2026-11-25" in stale.stderr


def test_make_validate_runs_the_knowledge_check():
    recipe = (ROOT / "Makefile").read_text().split("\nvalidate:")[1].split("\n\n")[0]
    assert "tools.check_knowledge" in recipe


def test_a_knowledge_base_of_the_older_schema_is_rebuilt_by_the_next_seed(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    with sqlite3.connect(tmp_path / "old.db") as db:  # the schema before evidence levels: no evidence_note column
        db.execute(
            "CREATE TABLE answers (id INTEGER PRIMARY KEY, topic TEXT, subject_kind TEXT, subject_key TEXT,"
            " text TEXT, source TEXT, evidence TEXT, reviewed DATE)"
        )
    sessions = session_factory(url)
    seed(sessions)
    assert KnowledgeRepository(sessions).answer("prevention").evidence == "mixed"
