"""The clinical rules of triage, read from data/knowledge and checked: nothing clinical is written in code.

- red_flags.yml (with the red_flag subjects of subjects.yml): the warning signs with their levels, sources and
  review dates, the cues and combinations that make each sign, decoys, the ConText termsets and the reader's
  words (numbers, negations). `RedFlagRules.load` reads it for the reader (actions.triage_reader).
- assessment.yml: how the assessment's answers are read (severity, frequency, duration, treatment) and the
  referral they lead to, with their reasons. `AssessmentRules.load` reads it (actions.triage_answers).

`problems(directory, today, max_age_days)` lists every fault of both, each naming its file and record, for
`make validate` (tools/check_knowledge.py): a sign without a level, answer or subject, an unknown level or
value, an empty phrase, a record without sources or review date, a review too old. The loaders raise
RulesError on the same faults (except the age of a review), so a broken file never reaches a user."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Tuple

import yaml

RED_FLAGS_FILE = "red_flags.yml"
SUBJECTS_FILE = "subjects.yml"
ASSESSMENT_FILE = "assessment.yml"
RULE_FILES = (ASSESSMENT_FILE,)
"""Files of data/knowledge that hold rules only, no topic (the seeder skips them)."""

LEVEL_ORDER = ("emergency", "urgent", "see_doctor", "self_care")
"""Referral levels, most urgent first: the `referral_level` slot's values in domain.yml and the `level`
subjects of when_to_see_doctor.yml, so a new level needs responses too; the data may only use these."""
SIGN_LEVELS = LEVEL_ORDER[:-1]
ANSWER_VALUES: Dict[str, Tuple[str, ...]] = {
    "severity": ("mild", "moderate", "severe"),
    "frequency": ("occasional", "weekly", "frequent"),
    "duration": ("seconds", "minutes", "long"),
    "treatment_helped": ("not_tried", "not_helped", "helped"),
}
"""The values each answer of the assessment may take: the form's slots hold them and actions.doctor_visit
words them for the doctor's summary."""
DECOY = "decoy"
CONTEXT_KEYS = ("pseudo", "preceding", "following", "termination")


class RulesError(ValueError):
    """The triage rules in data/knowledge are inconsistent."""


# --- red_flags.yml ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sign:
    key: str
    level: str
    when: Tuple[Tuple[str, ...], ...]
    """Cue combinations: the sign is present when every label of one combination is (its own key always is)."""


@dataclass(frozen=True)
class ContextKind:
    """One ConText kind (negated, hypothetical, historical ...) as a negspacy termset."""

    name: str
    termset: Dict[str, List[str]]
    applies_to: Tuple[str, ...] = ()
    ignores: Tuple[str, ...] = ()
    unless: Tuple[str, ...] = ()
    """The kind does not apply to a mention in a sentence that also mentions one of these labels (the cramp)."""


@dataclass(frozen=True)
class RedFlagRules:
    signs: Tuple[Sign, ...]
    """Most urgent first."""
    phrases: Dict[str, Tuple[str, ...]]
    """Label (a sign's key for its subject terms, a cue's name, or DECOY) -> phrases in the phrase syntax."""
    context: Tuple[ContextKind, ...]
    negation_words: frozenset = field(default_factory=frozenset)
    """A subject term after one of these (up to three words before) is negated (actions.triage_answers.find_terms)."""
    finding_negation_words: frozenset = field(default_factory=frozenset)
    """A finding phrase containing one of these is not negated by it ("can't breathe")."""
    numbers_any: Tuple[str, ...] = ()
    numbers_over_ten: Tuple[str, ...] = ()

    @property
    def levels(self) -> Dict[str, str]:
        return {s.key: s.level for s in self.signs}

    @classmethod
    def load(cls, directory: Path) -> RedFlagRules:
        source, subjects = _read(directory / RED_FLAGS_FILE), _read(directory / SUBJECTS_FILE)
        found = red_flag_problems(source, subjects)
        if found:
            raise RulesError("; ".join(found))
        red_flag_subjects = [s for s in subjects["subjects"] if s["kind"] == "red_flag"]
        signs = tuple(
            Sign(s["key"], s["level"], tuple(tuple(combo) for combo in s.get("when") or ())) for s in source["signs"]
        )
        phrases: Dict[str, Tuple[str, ...]] = {name: tuple(items) for name, items in source["cues"].items()}
        phrases[DECOY] = tuple(source.get("decoys") or ())
        cue_phrases = {p.lower() for items in phrases.values() for p in items}
        for subject in red_flag_subjects:  # a term that is also a cue is read as the cue (it may need company)
            terms = [t.strip().lower() for t in subject.get("terms") or () if t.strip().lower() not in cue_phrases]
            phrases[subject["key"]] = tuple(terms + [subject["key"].replace("_", " ")])
        negations = frozenset(source["negation_words"])
        return cls(
            signs,
            phrases,
            tuple(_context_kind(name, raw) for name, raw in source["context"].items()),
            negations,
            negations | frozenset(source["more_negation_words"]),
            tuple(source["number_words"]["any"]),
            tuple(source["number_words"]["over_ten"]),
        )


def _context_kind(name: str, raw: Mapping[str, Any]) -> ContextKind:
    termset = {key: list(raw.get(key) or ()) for key in CONTEXT_KEYS}
    if raw.get("base"):
        from negspacy.termsets import termset as negspacy_termset

        base = negspacy_termset(raw["base"]).get_patterns()
        termset = {
            "pseudo": base["pseudo_negations"] + termset["pseudo"],
            "preceding": base["preceding_negations"] + termset["preceding"],
            "following": base["following_negations"] + termset["following"],
            "termination": base["termination"] + termset["termination"],
        }
    negex_termset = {
        "pseudo_negations": termset["pseudo"],
        "preceding_negations": termset["preceding"],
        "following_negations": termset["following"],
        "termination": termset["termination"],
    }
    return ContextKind(
        name,
        negex_termset,
        tuple(raw.get("applies_to") or ()),
        tuple(raw.get("ignores") or ()),
        tuple(raw.get("unless") or ()),
    )


def red_flag_problems(source: Any, subjects: Any) -> List[str]:
    """Every fault of red_flags.yml (with subjects.yml), each naming its record."""
    where = RED_FLAGS_FILE
    if not isinstance(source, dict):
        return [f"{where}: not a mapping"]
    found: List[str] = []
    red_flag_subjects = {
        s.get("key")
        for s in (subjects or {}).get("subjects") or ()
        if isinstance(s, dict) and s.get("kind") == "red_flag"
    }
    cues = source.get("cues")
    if not isinstance(cues, dict) or not cues:
        found.append(f"{where}: cues: a mapping of cue names to phrases is needed")
        cues = {}
    for name, items in cues.items():
        found += _phrase_problems(f"{where}: cue {name}", items)
    found += _phrase_problems(f"{where}: decoys", source.get("decoys") or [], allow_empty=True)
    signs = source.get("signs")
    if not isinstance(signs, list) or not signs:
        return found + [f"{where}: signs: a list of warning signs is needed"]
    keys = [s.get("key") if isinstance(s, dict) else None for s in signs]
    answered = {
        (a.get("subject") or {}).get("key")
        for a in source.get("answers") or ()
        if isinstance(a, dict) and isinstance(a.get("subject"), dict) and a["subject"].get("kind") == "red_flag"
    }
    labels = set(cues) | {k for k in keys if k}
    for index, sign in enumerate(signs):
        if not isinstance(sign, dict) or not sign.get("key"):
            found.append(f"{where}: sign {index + 1} has no key")
            continue
        name = f"{where}: sign {sign['key']}"
        if not sign.get("level"):
            found.append(f"{name} has no level")
        elif sign["level"] not in SIGN_LEVELS:
            found.append(f"{name}: level {sign['level']!r} is not one of {SIGN_LEVELS}")
        if sign["key"] not in answered:
            found.append(
                f"{name} has no answer (an `answers` record with subject {{kind: red_flag, key: {sign['key']}}})"
            )
        if sign["key"] not in red_flag_subjects:
            found.append(f"{name} has no red_flag subject in {SUBJECTS_FILE}")
        found += _review_problems(name, sign)
        when = sign.get("when") or []
        if not isinstance(when, list) or not all(isinstance(c, list) and c for c in when):
            found.append(f"{name}: when must be a list of non-empty lists of cue names")
            continue
        for label in (label for combo in when for label in combo):
            if label not in labels:
                found.append(f"{name} needs {label!r}, which is neither a cue nor a sign")
    if len(keys) != len(set(keys)):
        found.append(f"{where}: a sign is listed twice")
    for key in sorted(red_flag_subjects - set(keys), key=str):
        found.append(f"{SUBJECTS_FILE}: red_flag subject {key} has no sign in {where}")
    ranks = [LEVEL_ORDER.index(s["level"]) for s in signs if isinstance(s, dict) and s.get("level") in LEVEL_ORDER]
    if ranks != sorted(ranks):
        found.append(f"{where}: signs must be listed most urgent first")
    overlap = set(cues) & set(keys)
    if overlap:
        found.append(f"{where}: cue names {sorted(overlap)} are also sign keys")
    found += _context_problems(where, source.get("context"), labels)
    found += _word_problems(where, source)
    found += _review_problems(f"{where}: phrases_review", source.get("phrases_review"))
    return found


def _context_problems(where: str, context: Any, labels: set) -> List[str]:
    if not isinstance(context, dict) or "negated" not in context:
        return [f"{where}: context: a mapping of ConText kinds (at least `negated`) is needed"]
    found = []
    for name, raw in context.items():
        if not isinstance(raw, dict):
            found.append(f"{where}: context {name} must be a mapping")
            continue
        for key in CONTEXT_KEYS:
            found += _phrase_problems(f"{where}: context {name} {key}", raw.get(key) or [], allow_empty=True)
        for key in ("applies_to", "ignores", "unless"):
            for label in raw.get(key) or ():
                if label not in labels:
                    found.append(f"{where}: context {name} {key} names {label!r}, which is neither a cue nor a sign")
    return found


def _word_problems(where: str, source: Mapping[str, Any]) -> List[str]:
    numbers = source.get("number_words")
    found = []
    if not isinstance(numbers, dict):
        found.append(f"{where}: number_words needs `any` and `over_ten`")
    else:
        found += _phrase_problems(f"{where}: number_words any", numbers.get("any"))
        found += _phrase_problems(f"{where}: number_words over_ten", numbers.get("over_ten"))
    found += _phrase_problems(f"{where}: negation_words", source.get("negation_words"))
    found += _phrase_problems(f"{where}: more_negation_words", source.get("more_negation_words"), allow_empty=True)
    return found


# --- assessment.yml -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CountRule:
    """In an answer that matched its value: a number above or below `limit` gives `value` instead."""

    value: str
    above: Optional[int] = None
    below: Optional[int] = None
    within: Tuple[str, ...] = ()
    """Only when one of these phrases is in the answer too (none: always)."""

    def applies(self, number: int) -> bool:
        return (self.above is not None and number > self.above) or (self.below is not None and number < self.below)


@dataclass(frozen=True)
class AnswerValue:
    value: str
    phrases: Tuple[str, ...]
    count: Optional[CountRule] = None


@dataclass(frozen=True)
class ReferralAnswer:
    """A form answer that raises the referral to `level`, with the reason users read."""

    slot: str
    value: str
    level: str
    reason: str


@dataclass(frozen=True)
class AssessmentRules:
    values: Dict[str, Tuple[AnswerValue, ...]]
    """Per form answer (severity ...): its values in order, the first with a phrase in the answer wins."""
    scores: Tuple[Tuple[int, str], ...]
    """Severity scores out of ten: (up to, value), lowest first."""
    no_red_flags: Tuple[str, ...]
    number_words: Dict[str, int]
    sign_reasons: Dict[str, str]
    referral_answers: Tuple[ReferralAnswer, ...]
    self_care_reason: str

    @classmethod
    def load(cls, directory: Path) -> AssessmentRules:
        source = _read(directory / ASSESSMENT_FILE)
        found = assessment_problems(source)
        if found:
            raise RulesError("; ".join(found))
        values = {
            slot: tuple(
                AnswerValue(v["value"], tuple(v["phrases"]), _count_rule(v.get("count")))
                for v in source[slot]["values"]
            )
            for slot in ANSWER_VALUES
        }
        referral = source["referral"]
        return cls(
            values,
            tuple((s["up_to"], s["value"]) for s in source["severity"]["scores"]),
            tuple(source["no_red_flags"]["phrases"]),
            dict(source["number_words"]["words"]),
            dict(referral["warning_signs"]),
            tuple(ReferralAnswer(a["slot"], a["value"], a["level"], a["reason"]) for a in referral["answers"]),
            referral["self_care"],
        )


def _count_rule(raw: Optional[Mapping[str, Any]]) -> Optional[CountRule]:
    if not raw:
        return None
    return CountRule(raw["value"], raw.get("above"), raw.get("below"), tuple(raw.get("with") or ()))


def assessment_problems(source: Any) -> List[str]:
    """Every fault of assessment.yml, each naming its record."""
    where = ASSESSMENT_FILE
    if not isinstance(source, dict):
        return [f"{where}: not a mapping"]
    found: List[str] = []
    for slot, known in ANSWER_VALUES.items():
        record = source.get(slot)
        name = f"{where}: {slot}"
        if not isinstance(record, dict):
            found.append(f"{name}: missing")
            continue
        found += _review_problems(name, record)
        entries = record.get("values")
        if not isinstance(entries, list) or not entries:
            found.append(f"{name}: values must be a non-empty list")
            continue
        for entry in entries:
            value = entry.get("value") if isinstance(entry, dict) else None
            if value not in known:
                found.append(f"{name}: value {value!r} is not one of {known}")
                continue
            found += _phrase_problems(f"{name} {value}", entry.get("phrases"))
            count = entry.get("count")
            if count is not None:
                if not isinstance(count, dict) or count.get("value") not in known:
                    found.append(f"{name} {value}: count needs a value, one of {known}")
                elif not any(isinstance(count.get(k), int) for k in ("above", "below")):
                    found.append(f"{name} {value}: count needs a whole number `above` or `below`")
                else:
                    found += _phrase_problems(f"{name} {value} count with", count.get("with") or [], allow_empty=True)
    scores = (source.get("severity") or {}).get("scores") if isinstance(source.get("severity"), dict) else None
    if not isinstance(scores, list) or not scores:
        found.append(f"{where}: severity: scores must be a non-empty list of {{up_to, value}}")
    else:
        for score in scores:
            if not isinstance(score, dict) or not isinstance(score.get("up_to"), int):
                found.append(f"{where}: severity: score {score!r} needs a whole number up_to")
            elif score.get("value") not in ANSWER_VALUES["severity"]:
                found.append(f"{where}: severity: score value {score.get('value')!r} is unknown")
    for name in ("no_red_flags", "number_words", "referral"):
        if not isinstance(source.get(name), dict):
            found.append(f"{where}: {name}: missing")
    if found and any(f.endswith(": missing") for f in found):
        return found
    found += _review_problems(f"{where}: no_red_flags", source["no_red_flags"])
    found += _phrase_problems(f"{where}: no_red_flags", source["no_red_flags"].get("phrases"))
    found += _review_problems(f"{where}: number_words", source["number_words"])
    words = source["number_words"].get("words")
    if not isinstance(words, dict) or not words:
        found.append(f"{where}: number_words: words must map words to numbers")
    else:
        found += _phrase_problems(f"{where}: number_words", list(words))
        found += [
            f"{where}: number_words: {w!r} is not a whole number" for w, n in words.items() if not isinstance(n, int)
        ]
    found += _referral_problems(f"{where}: referral", source["referral"])
    return found


def _referral_problems(where: str, referral: Mapping[str, Any]) -> List[str]:
    found = _review_problems(where, referral)
    reasons = referral.get("warning_signs")
    if not isinstance(reasons, dict) or set(reasons) != set(SIGN_LEVELS):
        found.append(f"{where}: warning_signs needs a reason for each of {SIGN_LEVELS}")
    else:
        found += [
            f"{where}: warning_signs {level}: the reason is empty" for level, r in reasons.items() if not _text(r)
        ]
    for entry in referral.get("answers") or ():
        if not isinstance(entry, dict):
            found.append(f"{where}: answer {entry!r} must be a mapping")
            continue
        name = f"{where}: answer {entry.get('slot')}={entry.get('value')}"
        if entry.get("value") not in ANSWER_VALUES.get(str(entry.get("slot")), ()):
            found.append(f"{name}: not an answer the form takes ({ANSWER_VALUES})")
        if entry.get("level") not in SIGN_LEVELS:
            found.append(f"{name}: level {entry.get('level')!r} is not one of {SIGN_LEVELS}")
        if not _text(entry.get("reason")):
            found.append(f"{name}: the reason is empty")
    if not _text(referral.get("self_care")):
        found.append(f"{where}: self_care: the reason is empty")
    return found


# --- shared -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Review:
    record: str
    reviewed: dt.date


def reviews(directory: Path) -> List[Review]:
    """The review date of every rule record (signs, the reader's phrases, the assessment's records)."""
    found = []
    red_flags, assessment = _read(directory / RED_FLAGS_FILE), _read(directory / ASSESSMENT_FILE)
    for sign in red_flags.get("signs") or ():
        if isinstance(sign, dict) and isinstance(sign.get("reviewed"), dt.date):
            found.append(Review(f"{RED_FLAGS_FILE}: sign {sign.get('key')}", sign["reviewed"]))
    records = [(f"{RED_FLAGS_FILE}: phrases_review", red_flags.get("phrases_review"))]
    records += [(f"{ASSESSMENT_FILE}: {name}", record) for name, record in assessment.items()]
    for name, record in records:
        if isinstance(record, dict) and isinstance(record.get("reviewed"), dt.date):
            found.append(Review(name, record["reviewed"]))
    return found


def problems(directory: Path, today: dt.date, max_age_days: int) -> List[str]:
    """Every fault of the triage rules in `directory`, each naming its record; reviews older than max_age_days."""
    try:
        red_flags, subjects = _read(directory / RED_FLAGS_FILE), _read(directory / SUBJECTS_FILE)
        assessment = _read(directory / ASSESSMENT_FILE)
    except (OSError, yaml.YAMLError) as error:
        return [f"triage rules: {error}"]
    found = red_flag_problems(red_flags, subjects) + assessment_problems(assessment)
    oldest = today - dt.timedelta(days=max_age_days)
    found += [
        f"{r.record}: reviewed {r.reviewed.isoformat()}, more than {max_age_days} days before {today.isoformat()};"
        " review it and update `reviewed`"
        for r in reviews(directory)
        if r.reviewed < oldest
    ]
    return found


def _review_problems(name: str, record: Any) -> List[str]:
    if not isinstance(record, dict):
        return [f"{name}: missing (needs sources and reviewed)"]
    found = []
    sources = record.get("sources")
    if not isinstance(sources, list) or not sources:
        found.append(f"{name} has no sources")
    else:
        for entry in sources:
            ok = (
                isinstance(entry, dict)
                and _text(entry.get("name"))
                and str(entry.get("url") or "").startswith("https://")
            )
            if not ok:
                found.append(f"{name}: each source needs a name and an https:// url, got {entry!r}")
    if not isinstance(record.get("reviewed"), dt.date):
        found.append(f"{name} has no reviewed date (YYYY-MM-DD)")
    return found


def _phrase_problems(name: str, phrases: Any, allow_empty: bool = False) -> List[str]:
    if not isinstance(phrases, list) or (not phrases and not allow_empty):
        return [f"{name}: needs a list of phrases"]
    found = []
    for phrase in phrases:
        if not _text(phrase):
            found.append(f'{name}: phrase {phrase!r} is empty or not text (quote yes/no: "no")')
            continue
        slots = phrase.split()
        if slots[0] == "*" or slots[-1] == "*" or any(s.startswith("|") or s.endswith("|") or "||" in s for s in slots):
            found.append(f"{name}: phrase {phrase!r}: `*` may not be first or last, `|` needs a word on each side")
    return found


def _text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _read(path: Path) -> Any:
    with path.open(encoding="utf-8") as f:
        return yaml.safe_load(f)
