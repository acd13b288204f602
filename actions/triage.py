"""Pure triage logic for the referral form: read free-text answers, decide the referral level.

Levels follow the article's "When to Seek Medical Attention" (severe, not helped by treatment,
frequent) plus the safety layer of ../shared/reference/medical-safety.md (red flags first).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

NEGATIONS = {
    "no",
    "not",
    "without",
    "never",
    "nor",
    "neither",
    "isn't",
    "isnt",
    "aren't",
    "don't",
    "dont",
    "doesn't",
    "doesnt",
    "haven't",
    "havent",
    "hasn't",
    "hasnt",
    "didn't",
    "didnt",
    "none",
}

# Red flags ordered from most to least urgent, with the level each one needs.
RED_FLAG_LEVELS: Dict[str, str] = {
    "chest_symptoms": "emergency",
    "dvt_signs": "urgent",
    "persistent_cramp": "urgent",
    "toxin_or_wound": "urgent",
    "neuro_symptoms": "urgent",
}
NO_RED_FLAGS = "none"

_NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
    "a couple of": 2,
    "a few": 3,
}


def _words(text: str) -> str:
    return " " + re.sub(r"[^a-z0-9/']+", " ", text.lower()).strip() + " "


def _has(text: str, *phrases: str) -> bool:
    return any(f" {p} " in text for p in phrases)


def _score_out_of_ten(text: str) -> Optional[int]:
    match = re.search(r"\b(\d{1,2})\s*(?:/|out of|of)\s*10\b", text) or re.fullmatch(r"\s*(\d{1,2})\s*", text)
    if match and 0 <= int(match.group(1)) <= 10:
        return int(match.group(1))
    return None


def parse_severity(text: str) -> Optional[str]:
    score = _score_out_of_ten(text)
    if score is not None:
        return "mild" if score <= 3 else "moderate" if score <= 6 else "severe"
    t = _words(text)
    if _has(
        t,
        "severe",
        "very bad",
        "really bad",
        "terrible",
        "awful",
        "excruciating",
        "unbearable",
        "agony",
        "agonising",
        "agonizing",
        "worst",
        "extreme",
        "extremely painful",
        "horrible",
        "intense",
    ):
        return "severe"
    if _has(
        t,
        "mild",
        "slight",
        "light",
        "not bad",
        "not too bad",
        "not that bad",
        "minor",
        "bearable",
        "a little",
        "a bit",
        "manageable",
    ):
        return "mild"
    if _has(
        t,
        "moderate",
        "medium",
        "quite bad",
        "pretty bad",
        "fairly bad",
        "bad",
        "painful",
        "sore",
        "in between",
        "average",
    ):
        return "moderate"
    return None


def _count(text: str) -> Optional[int]:
    match = re.search(r"\b(\d+)\b", text)
    if match:
        return int(match.group(1))
    for word, value in sorted(_NUMBER_WORDS.items(), key=lambda kv: -len(kv[0])):
        if f" {word} " in text:
            return value
    return None


def parse_frequency(text: str) -> Optional[str]:
    t = _words(text)
    if _has(t, "not often", "not very often", "not that often", "not too often", "not so often"):
        return "occasional"
    if _has(
        t,
        "every night",
        "every day",
        "daily",
        "nightly",
        "most nights",
        "most days",
        "all the time",
        "constantly",
        "several times a week",
        "several times",
        "many times",
        "every other night",
        "every other day",
        "frequently",
        "often",
        "very often",
        "each night",
        "each day",
        "twice a day",
        "several times a night",
        "a few times a week",
        "times a week",
        "times per week",
        "night after night",
    ):
        times = _count(t)
        if _has(t, "times a week", "times per week") and times is not None and times < 2:
            return "weekly"
        return "frequent"
    if _has(
        t,
        "once a week",
        "weekly",
        "every week",
        "once per week",
        "twice a month",
        "a few times a month",
        "every few days",
        "now and again once a week",
    ):
        return "weekly"
    if _has(
        t,
        "rarely",
        "occasionally",
        "now and then",
        "now and again",
        "sometimes",
        "once a month",
        "monthly",
        "every few weeks",
        "every now and then",
        "first time",
        "only once",
        "once",
        "seldom",
        "hardly ever",
        "not often",
        "few times a year",
        "a few times a year",
        "once in a while",
    ):
        return "occasional"
    return None


def parse_duration(text: str) -> Optional[str]:
    t = _words(text)
    if _has(
        t,
        "hour",
        "hours",
        "all night",
        "all day",
        "won't go away",
        "wont go away",
        "doesn't stop",
        "won't stop",
        "won't ease",
        "doesn't ease",
        "more than ten minutes",
        "over ten minutes",
        "longer than ten minutes",
        "ages",
    ):
        return "long"
    if _has(t, "minute", "minutes", "min", "mins"):
        amount = _count(t)
        return "long" if amount is not None and amount > 10 else "minutes"
    if _has(
        t,
        "second",
        "seconds",
        "secs",
        "sec",
        "a moment",
        "moment",
        "brief",
        "briefly",
        "quick",
        "instant",
        "not long",
        "short",
    ):
        return "seconds"
    return None


def parse_treatment_helped(text: str) -> Optional[str]:
    t = _words(text)
    if _has(
        t,
        "haven't tried",
        "havent tried",
        "have not tried",
        "not tried",
        "never tried",
        "didn't try",
        "didnt try",
        "nothing yet",
        "not yet",
        "haven't done anything",
        "not tried anything",
        "no treatment",
    ):
        return "not_tried"
    if _has(
        t,
        "no",
        "nope",
        "not really",
        "didn't help",
        "didnt help",
        "doesn't help",
        "doesnt help",
        "nothing helps",
        "nothing helped",
        "nothing works",
        "nothing worked",
        "not helped",
        "hasn't helped",
        "hasnt helped",
        "no help",
        "no difference",
        "not at all",
        "worse",
        "useless",
    ):
        return "not_helped"
    if _has(
        t,
        "yes",
        "yeah",
        "yep",
        "helped",
        "helps",
        "it helped",
        "works",
        "worked",
        "better",
        "eases",
        "eased",
        "a bit",
        "a little",
        "somewhat",
        "sort of",
        "kind of",
    ):
        return "helped"
    return None


def parse_no_red_flags(text: str) -> bool:
    t = _words(text)
    return _has(
        t,
        "none",
        "none of these",
        "none of those",
        "no",
        "nope",
        "nothing",
        "neither",
        "nothing like that",
        "not really",
        "no warning signs",
        "i don't",
        "i dont",
    )


def find_terms(text: str, terms: Mapping[str, str]) -> List[str]:
    """Keys of the terms found in `text` as whole words and not negated just before ("no swelling")."""
    tokens = _words(text).split()
    found: List[str] = []
    for term, key in sorted(terms.items(), key=lambda kv: -len(kv[0])):
        wanted = _words(term).split()
        for i in range(len(tokens) - len(wanted) + 1):
            if tokens[i : i + len(wanted)] == wanted and not NEGATIONS & set(tokens[max(0, i - 3) : i]):
                if key not in found:
                    found.append(key)
                break
    return found


def most_urgent_first(flags: Sequence[str]) -> List[str]:
    return [f for f in RED_FLAG_LEVELS if f in flags]


@dataclass(frozen=True)
class Referral:
    level: str
    reasons: Tuple[str, ...]


def decide(red_flags: Sequence[str], severity: str, frequency: str, duration: str, treatment_helped: str) -> Referral:
    """The referral level for the form's answers, and the reasons in the user's terms."""
    flags = most_urgent_first(red_flags)
    if flags:
        level = RED_FLAG_LEVELS[flags[0]]
        return Referral(level, ("you mentioned a warning sign that needs a doctor quickly",))
    if duration == "long":
        return Referral("urgent", ("a cramp that lasts more than about ten minutes needs checking soon",))
    reasons = []
    if severity == "severe":
        reasons.append("the cramps are severe")
    if frequency == "frequent":
        reasons.append("they come several times a week or more")
    if treatment_helped == "not_helped":
        reasons.append("what you tried has not helped")
    if reasons:
        return Referral("see_doctor", tuple(reasons))
    return Referral("self_care", ("the cramps are not severe, not frequent and ease on their own or with care",))
