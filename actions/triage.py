"""Triage: the red-flag reader (warning signs told in free text) and the referral form's answers and decision.

This is the one module the actions and components/warning_signs.py import; it reads the rules from
data/knowledge on first use (never at import) and keeps one reader per process. The work is in:
- actions.triage_rules: the clinical rules as data (red_flags.yml, assessment.yml, subjects.yml), checked;
- actions.triage_reader: the reader (spaCy + negspacy NegEx/ConText), which finds the signs in a story;
- actions.triage_answers: reading the form's answers and deciding the referral.
An editor adds a warning sign, a phrase or a reason in data/knowledge, with no change here."""

from __future__ import annotations

from functools import cache
from typing import Iterator, List, Mapping, Optional, Sequence

from actions import settings
from actions.triage_answers import Referral, read_answer, says_no_red_flags
from actions.triage_answers import decide as _decide
from actions.triage_answers import find_terms as _find_terms
from actions.triage_reader import RedFlagReader, RedFlagReading
from actions.triage_rules import LEVEL_ORDER, AssessmentRules, RedFlagRules, RulesError

__all__ = [
    "LEVEL_ORDER",
    "NO_RED_FLAGS",
    "RED_FLAG_LEVELS",
    "RedFlagReader",
    "RedFlagReading",
    "RedFlagRules",
    "Referral",
    "RulesError",
    "assessment_rules",
    "decide",
    "find_red_flags",
    "find_terms",
    "most_urgent_first",
    "parse_duration",
    "parse_frequency",
    "parse_no_red_flags",
    "parse_severity",
    "parse_treatment_helped",
    "read_red_flags",
    "red_flag_reader",
    "red_flag_rules",
]

NO_RED_FLAGS = "none"
"""The red_flags slot's value when the user has none of the warning signs."""


# Built on first use and kept for the process (functools.cache). Two threads may both build one on first use;
# the results are equal and pure, so that costs a moment, not correctness.
@cache
def red_flag_rules() -> RedFlagRules:
    """The red-flag rules from data/knowledge, read on first use."""
    return RedFlagRules.load(settings.KNOWLEDGE_DIR)


@cache
def assessment_rules() -> AssessmentRules:
    """The assessment's rules from data/knowledge, read on first use."""
    return AssessmentRules.load(settings.KNOWLEDGE_DIR)


@cache
def red_flag_reader() -> RedFlagReader:
    """The reader, built once on first use (a blank spaCy pipeline: well under a second)."""
    return RedFlagReader(red_flag_rules())


def read_red_flags(text: str) -> RedFlagReading:
    """The warning signs present in a message, and those mentioned only as absent, hypothetical or history."""
    return red_flag_reader().read(text) if text.strip() else RedFlagReading((), ())


def find_red_flags(text: str) -> List[str]:
    """The warning signs present in a message (not negated, hypothetical or history), most urgent first."""
    return red_flag_reader().flags(text) if text.strip() else []


class _Levels(Mapping[str, str]):
    """RED_FLAG_LEVELS: sign key -> referral level, most urgent first, read from the data on first use."""

    def __getitem__(self, key: str) -> str:
        return red_flag_rules().levels[key]

    def __iter__(self) -> Iterator[str]:
        return iter(red_flag_rules().levels)

    def __len__(self) -> int:
        return len(red_flag_rules().levels)


RED_FLAG_LEVELS: Mapping[str, str] = _Levels()


def most_urgent_first(flags: Sequence[str]) -> List[str]:
    """The known warning signs among `flags`, most urgent first."""
    return [f for f in RED_FLAG_LEVELS if f in flags]


def find_terms(text: str, terms: Mapping[str, str]) -> List[str]:
    """Keys of the terms found in `text` as whole words and not negated just before ("no swelling")."""
    return _find_terms(text, terms, red_flag_rules().negation_words)


def parse_severity(text: str) -> Optional[str]:
    return read_answer("severity", text, assessment_rules())


def parse_frequency(text: str) -> Optional[str]:
    return read_answer("frequency", text, assessment_rules())


def parse_duration(text: str) -> Optional[str]:
    return read_answer("duration", text, assessment_rules())


def parse_treatment_helped(text: str) -> Optional[str]:
    return read_answer("treatment_helped", text, assessment_rules())


def parse_no_red_flags(text: str) -> bool:
    return says_no_red_flags(text, assessment_rules())


def decide(red_flags: Sequence[str], severity: str, frequency: str, duration: str, treatment_helped: str) -> Referral:
    """The referral level for the form's answers, and the reasons in the user's terms (see assessment.yml)."""
    flags = most_urgent_first(red_flags)
    answers = {"severity": severity, "frequency": frequency, "duration": duration, "treatment_helped": treatment_helped}
    return _decide(RED_FLAG_LEVELS[flags[0]] if flags else None, answers, assessment_rules())
