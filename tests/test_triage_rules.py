"""The triage rules are data: an editor adds a warning sign or a phrase in data/knowledge with no code change,
and `make validate` (tools.check_knowledge) names each record that is wrong."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from actions import settings, triage
from actions.db import session_factory
from actions.repository import KnowledgeRepository
from actions.seed import load_source, seed
from actions.triage_answers import read_answer
from actions.triage_rules import AssessmentRules, RedFlagRules, RulesError, problems

ROOT = Path(__file__).resolve().parent.parent
TODAY = dt.date(2026, 12, 1)

NEW_SIGN = """  - key: hard_calf_lump
    level: see_doctor
    when: [[calf_lump]]
    sources: [{name: "NHS", url: "https://www.nhs.uk/conditions/leg-cramps/"}]
    reviewed: 2026-12-01
"""
NEW_CUE = "  calf_lump: [hard lump in * calf, lump in the back of * knee|calf]\n"
NEW_SUBJECT = """  - kind: red_flag
    key: hard_calf_lump
    label: a hard lump in the calf
    terms: [calf lump]
"""
NEW_ANSWER = """  - subject: {kind: red_flag, key: hard_calf_lump}
    text: >-
      A hard lump in the calf that does not go away should be checked by a GP. Please book an
      appointment soon. If the leg also gets swollen, red or warm, see a doctor today.
    sources:
      - {name: "NHS", url: "https://www.nhs.uk/conditions/leg-cramps/"}
    evidence: agreed
    reviewed: 2026-12-01
"""


@pytest.fixture
def knowledge(tmp_path: Path) -> Path:
    """A copy of data/knowledge to edit."""
    copy = tmp_path / "knowledge"
    shutil.copytree(settings.KNOWLEDGE_DIR, copy)
    return copy


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def add_sign(knowledge: Path) -> None:
    """What an editor writes for a new warning sign: its sign, cue and answer, and its subject."""
    red_flags = knowledge / "red_flags.yml"
    edit(red_flags, "\n# --- cues", NEW_SIGN.rstrip("\n") + "\n\n# --- cues")
    edit(red_flags, "\ncues:\n", "\ncues:\n" + NEW_CUE)
    red_flags.write_text(red_flags.read_text(encoding="utf-8") + NEW_ANSWER, encoding="utf-8")
    subjects = knowledge / "subjects.yml"
    edit(subjects, "  - kind: red_flag\n", NEW_SUBJECT + "  - kind: red_flag\n")


def test_the_real_rules_have_no_problems():
    assert problems(settings.KNOWLEDGE_DIR, TODAY, settings.KB_MAX_REVIEW_AGE_DAYS) == []


def clear_built_rules() -> None:
    """Forget the rules and reader built from data/knowledge (actions.triage builds them once per process)."""
    for built in (triage.red_flag_rules, triage.assessment_rules, triage.red_flag_reader):
        built.cache_clear()


def test_an_editor_adds_a_warning_sign_without_code(knowledge, tmp_path, monkeypatch, request):
    add_sign(knowledge)
    assert problems(knowledge, TODAY, 365) == []
    # the public reader, as the actions and the NLU component call it, from the edited data
    monkeypatch.setattr(settings, "KNOWLEDGE_DIR", knowledge)
    clear_built_rules()
    request.addfinalizer(clear_built_rules)  # later tests read the real data again
    assert triage.find_red_flags("There is a hard lump in my calf and it will not go") == ["hard_calf_lump"]
    assert triage.find_red_flags("no calf lump, just the usual cramp") == []
    assert triage.find_red_flags("what if I get a hard lump in my calf?") == []
    assert triage.RED_FLAG_LEVELS["hard_calf_lump"] == "see_doctor"
    assert triage.decide(["hard_calf_lump"], "mild", "occasional", "seconds", "helped").level == "see_doctor"
    # and its urgent advice reaches the knowledge base
    url = f"sqlite:///{tmp_path / 'knowledge.db'}"
    seed(session_factory(url), load_source(knowledge))
    answer = KnowledgeRepository(session_factory(url)).answer("red_flags", [("red_flag", "hard_calf_lump")])
    assert answer.text.startswith("A hard lump in the calf")


def test_an_editor_adds_a_phrase_to_an_answer_of_the_assessment(knowledge):
    assert read_answer("severity", "dreadful", AssessmentRules.load(knowledge)) is None
    edit(knowledge / "assessment.yml", "phrases: [severe, ", "phrases: [dreadful, severe, ")
    assert read_answer("severity", "it's dreadful", AssessmentRules.load(knowledge)) == "severe"


@pytest.mark.parametrize(
    "file, old, new, expected",
    [
        (
            "red_flags.yml",
            "  - key: fainting\n    level: see_doctor\n",
            "  - key: fainting\n",
            "sign fainting has no level",
        ),
        (
            "red_flags.yml",
            "  - key: fainting\n    level: see_doctor",
            "  - key: fainting\n    level: soon",
            "sign fainting: level 'soon'",
        ),
        (
            "red_flags.yml",
            "  - subject: {kind: red_flag, key: fainting}",
            "  - subject: {kind: red_flag, key: dvt_signs}",
            "sign fainting has no answer",
        ),
        ("red_flags.yml", "  toxin_story: [rusty, ", '  toxin_story: ["", ', "cue toxin_story: phrase '' is empty"),
        (
            "red_flags.yml",
            "  toxin_story: [rusty, ",
            "  toxin_story: [rusty *, ",
            "cue toxin_story: phrase 'rusty \\*'",
        ),
        ("red_flags.yml", 'negation_words: ["no", ', "negation_words: [no, ", "negation_words: phrase False"),
        ("red_flags.yml", "when: [[fainted]]", "when: [[no_such_cue]]", "sign fainting needs 'no_such_cue'"),
        (
            "red_flags.yml",
            "when: [[fainted]]\n    sources: [",
            "when: [[fainted]]\n    old_sources: [",
            "sign fainting has no sources",
        ),
        (
            "subjects.yml",
            "  - kind: red_flag\n    key: dvt_signs",
            "  - kind: body_part\n    key: dvt_signs",
            "sign dvt_signs has no red_flag subject",
        ),
        ("assessment.yml", "    - value: weekly\n", "    - value: sometimes\n", "frequency: value 'sometimes'"),
        (
            "assessment.yml",
            "value: long, level: urgent",
            "value: long, level: soon",
            "answer duration=long: level 'soon'",
        ),
        (
            "assessment.yml",
            "phrases: [minute, minutes, min, mins]",
            "phrases: [minute, '  ', min, mins]",
            "duration minutes: phrase '  '",
        ),
        ("assessment.yml", "no_red_flags:\n  sources:", "no_red_flags:\n  old_sources:", "no_red_flags has no sources"),
    ],
)
def test_a_broken_rule_is_named(knowledge, file, old, new, expected):
    edit(knowledge / file, old, new)
    found = problems(knowledge, TODAY, 365)
    assert any(re.search(expected, f) for f in found), found
    loader = AssessmentRules.load if file == "assessment.yml" else RedFlagRules.load
    with pytest.raises(RulesError):
        loader(knowledge)


def test_an_old_review_of_a_sign_is_named(knowledge):
    found = problems(knowledge, TODAY + dt.timedelta(days=400), 365)
    assert any(f.startswith("red_flags.yml: sign fainting: reviewed 2026-12-01") for f in found), found
    assert any(f.startswith("assessment.yml: referral: reviewed") for f in found), found


@pytest.mark.slow
def test_make_validate_fails_naming_the_record(knowledge):
    edit(knowledge / "red_flags.yml", "  - key: fainting\n    level: see_doctor", "  - key: fainting\n    level: soon")
    env = {**os.environ, "KB_SOURCE_DIR": str(knowledge)}
    run = subprocess.run(
        [sys.executable, "-m", "tools.check_knowledge"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert run.returncode == 1, run.stdout + run.stderr
    assert "red_flags.yml: sign fainting: level 'soon' is not one of" in run.stderr
