"""The assessment's pure logic: reading each answer of the referral form and deciding the referral.

The phrases, numbers, levels and reasons are data (data/knowledge/assessment.yml, read by
actions.triage_rules.AssessmentRules); here are only the matching and the order of the decision. Levels
follow "When to Seek Medical Attention" (severe, not helped by treatment, frequent) plus the safety layer of
../shared/reference/medical-safety.md (red flags first)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import AbstractSet, Dict, List, Mapping, Optional, Sequence, Tuple

from actions.triage_rules import LEVEL_ORDER, AssessmentRules


def words(text: str) -> str:
    """The text lower-cased, with everything but letters, digits, "/" and "'" as single spaces, space-padded."""
    return " " + re.sub(r"[^a-z0-9/']+", " ", text.lower()).strip() + " "


def has(text: str, phrases: Sequence[str]) -> bool:
    """Whether one of the phrases is in `text` (as `words` gives it) as whole words."""
    return any(f" {p} " in text for p in phrases)


def count(text: str, number_words: Mapping[str, int]) -> Optional[int]:
    """The first number in digits, else the longest number word found."""
    match = re.search(r"\b(\d+)\b", text)
    if match:
        return int(match.group(1))
    for word, value in sorted(number_words.items(), key=lambda kv: -len(kv[0])):
        if f" {word} " in text:
            return value
    return None


def read_answer(slot: str, text: str, rules: AssessmentRules) -> Optional[str]:
    """The value of one form answer (severity, frequency, duration, treatment_helped), or None if unclear."""
    if slot == "severity":
        score = _score_out_of_ten(text)
        if score is not None:
            return next(value for up_to, value in rules.scores if score <= up_to)
    t = words(text)
    for entry in rules.values[slot]:
        if has(t, entry.phrases):
            rule = entry.count
            if rule is not None and (not rule.within or has(t, rule.within)):
                number = count(t, rules.number_words)
                if number is not None and rule.applies(number):
                    return rule.value
            return entry.value
    return None


def _score_out_of_ten(text: str) -> Optional[int]:
    match = re.search(r"\b(\d{1,2})\s*(?:/|out of|of)\s*10\b", text) or re.fullmatch(r"\s*(\d{1,2})\s*", text)
    if match and 0 <= int(match.group(1)) <= 10:
        return int(match.group(1))
    return None


def says_no_red_flags(text: str, rules: AssessmentRules) -> bool:
    return has(words(text), rules.no_red_flags)


def find_terms(text: str, terms: Mapping[str, str], negations: AbstractSet[str]) -> List[str]:
    """Keys of the terms found in `text` as whole words and not negated just before ("no swelling")."""
    tokens = words(text).split()
    found: List[str] = []
    for term, key in sorted(terms.items(), key=lambda kv: -len(kv[0])):
        wanted = words(term).split()
        for i in range(len(tokens) - len(wanted) + 1):
            if tokens[i : i + len(wanted)] == wanted and not negations & set(tokens[max(0, i - 3) : i]):
                if key not in found:
                    found.append(key)
                break
    return found


@dataclass(frozen=True)
class Referral:
    level: str
    reasons: Tuple[str, ...]


def decide(sign_level: Optional[str], answers: Dict[str, str], rules: AssessmentRules) -> Referral:
    """The referral for the most urgent warning sign's level (None: no sign) and the form's answers.

    The most urgent level of the sign and the answers wins (see assessment.yml, `referral`). Its reason: the
    sign's when the sign has that level, else every answer's at that level; nothing: self care."""
    matched = [a for a in rules.referral_answers if answers.get(a.slot) == a.value]
    levels = [level for level in [sign_level, *(a.level for a in matched)] if level is not None]
    if not levels:
        return Referral("self_care", (rules.self_care_reason,))
    top = min(levels, key=LEVEL_ORDER.index)
    if sign_level == top:
        return Referral(top, (rules.sign_reasons[top],))
    return Referral(top, tuple(a.reason for a in matched if a.level == top))
