"""Triage: the red-flag reader (warning signs told in free text) and the referral form's pure logic.

The red-flag reader
-------------------
People tell warning signs as stories ("an ache in one calf since the long drive on Sunday and it gets worse
every day") rather than naming them, and they mention signs that are absent ("no swelling"), someone else's
history ("my mum had a clot once") or a worry ("what if my leg swells?"). `find_red_flags` reads the whole
message sentence by sentence and returns the warning signs that are present, most urgent first.

What we chose and why: negspacy 1.0.4 (NegEx on spaCy 3.4, which Rasa 3.6 already brings) on a blank English
pipeline, `spacy.blank("en")` + sentencizer + an EntityRuler, so nothing is downloaded and the pipeline
is built from our data in well under a second, once, on the first message (no work at import).
NegEx is the standard, published method for negated findings in clinical text and negspacy is its
maintained spaCy component; it scopes a trigger to its sentence and stops at termination words, which a
word list with a fixed window cannot do. ConText (the successor of NegEx) adds the other kinds of
"not a present finding": hypothetical and historical, and someone else's. negspacy's component is
configurable (termset, entity labels, extension name), so we run one NegEx pipe per ConText kind, each with
its own termset from the data: `negated` (negspacy's English termset, extended for chat), `hypothetical`
("what if", "signs of", "in case"), `historical` ("years ago", "runs in the family", "once") and
`past_diagnosis` ("my mum had a clot": a named diagnosis after "had" is history, a symptom is not, so
"my son's foot went white" is still a present warning sign). A story about another person's present
symptoms counts: people ask for their mum, son or wife.

Everything clinical is data in data/knowledge (reviewed with the knowledge base): the red_flag subjects'
terms in subjects.yml (a term alone is its sign), and in red_flags.yml the signs with their levels (most
urgent first), the story cues and which combinations of cues make each sign (a worsening pain plus one leg
or a long journey; a walk plus rest that eases it), decoys ("dark yellow" pee, "warm bath") and the
context termsets. RED_FLAG_LEVELS is read from there on first use.

The referral form
-----------------
Levels follow "When to Seek Medical Attention" (severe, not helped by treatment, frequent) plus the safety
layer of ../shared/reference/medical-safety.md (red flags first).
"""

from __future__ import annotations

import itertools
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterator, List, Mapping, Optional, Sequence, Tuple

import yaml

from actions import settings

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
    """The referral level for the form's answers, and the reasons in the user's terms.

    The most urgent of: the warning signs' levels, a cramp over ten minutes (urgent), and severe, frequent or
    unhelped cramps (see a doctor)."""
    flags = most_urgent_first(red_flags)
    candidates: List[Tuple[str, str]] = []
    if flags:
        level = RED_FLAG_LEVELS[flags[0]]
        candidates.append((level, FLAG_REASONS[level]))
    if duration == "long":
        candidates.append(("urgent", "a cramp that lasts more than about ten minutes needs checking soon"))
    if candidates:
        level, reason = min(candidates, key=lambda c: LEVEL_ORDER.index(c[0]))
        return Referral(level, (reason,))
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


FLAG_REASONS = {
    "emergency": "you told me about a sign that needs help right now",
    "urgent": "you told me about a warning sign that needs a doctor today",
    "see_doctor": "you told me about a sign that a GP should check",
}


# --- the red-flag reader ------------------------------------------------------------------------------------

RED_FLAGS_FILE = "red_flags.yml"
SUBJECTS_FILE = "subjects.yml"
LEVEL_ORDER = ("emergency", "urgent", "see_doctor", "self_care")
"""Referral levels, most urgent first."""
DECOY = "decoy"
_NUMBER_WORDS_OVER_TEN = (
    "eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty thirty forty"
    " fifty sixty ninety".split()
)
_NUMBER_WORDS_ANY = "one two three four five six seven eight nine ten a few couple several".split()
_OVER_TEN = r"^(1[1-9]|[2-9][0-9]|[1-9][0-9]{2,})$"


class RulesError(ValueError):
    """The red-flag rules in data/knowledge are inconsistent."""


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


@dataclass(frozen=True)
class RedFlagRules:
    signs: Tuple[Sign, ...]
    """Most urgent first."""
    phrases: Dict[str, Tuple[str, ...]]
    """Label (a sign's key for its subject terms, a cue's name, or DECOY) -> phrases in the phrase syntax."""
    context: Tuple[ContextKind, ...]

    @property
    def levels(self) -> Dict[str, str]:
        return {s.key: s.level for s in self.signs}

    @classmethod
    def load(cls, directory: Path) -> RedFlagRules:
        with (directory / RED_FLAGS_FILE).open(encoding="utf-8") as f:
            source = yaml.safe_load(f)
        with (directory / SUBJECTS_FILE).open(encoding="utf-8") as f:
            subjects = [s for s in yaml.safe_load(f)["subjects"] if s["kind"] == "red_flag"]
        signs = tuple(
            Sign(s["key"], s["level"], tuple(tuple(combo) for combo in s.get("when") or ())) for s in source["signs"]
        )
        phrases: Dict[str, Tuple[str, ...]] = {name: tuple(items) for name, items in source["cues"].items()}
        phrases[DECOY] = tuple(source.get("decoys") or ())
        cue_phrases = {p.lower() for items in phrases.values() for p in items}
        for subject in subjects:  # a term that is also a cue is read as the cue (it may need company)
            terms = [t.strip().lower() for t in subject.get("terms") or () if t.strip().lower() not in cue_phrases]
            phrases[subject["key"]] = tuple(terms + [subject["key"].replace("_", " ")])
        context = tuple(_context_kind(name, raw) for name, raw in source["context"].items())
        rules = cls(signs, phrases, context)
        rules.check({s["key"] for s in subjects})
        return rules

    def check(self, subject_keys: set) -> None:
        keys = [s.key for s in self.signs]
        if set(keys) != subject_keys or len(keys) != len(set(keys)):
            raise RulesError(f"signs {sorted(keys)} and red_flag subjects {sorted(subject_keys)} differ")
        for sign in self.signs:
            if sign.level not in LEVEL_ORDER:
                raise RulesError(f"sign {sign.key}: level {sign.level!r} is not one of {LEVEL_ORDER}")
            for label in (label for combo in sign.when for label in combo):
                if label not in self.phrases:
                    raise RulesError(f"sign {sign.key} needs {label!r}, which is neither a cue nor a sign")
        ranks = [LEVEL_ORDER.index(s.level) for s in self.signs]
        if ranks != sorted(ranks):
            raise RulesError("signs must be listed most urgent first")
        overlap = set(keys) & (set(self.phrases) - set(keys))
        if overlap:
            raise RulesError(f"cue names {sorted(overlap)} are also sign keys")


def _context_kind(name: str, raw: Mapping[str, Any]) -> ContextKind:
    termset = {key: list(raw.get(key) or ()) for key in ("pseudo", "preceding", "following", "termination")}
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
    return ContextKind(name, negex_termset, tuple(raw.get("applies_to") or ()), tuple(raw.get("ignores") or ()))


@dataclass(frozen=True)
class Mention:
    """A phrase the reader found: its label (a sign's key or a cue), words, sentence and context kinds."""

    label: str
    text: str
    sentence: int
    context: Tuple[str, ...] = field(default=())
    """The ConText kinds that apply ("negated", "hypothetical" ...); none means the finding is present."""

    @property
    def present(self) -> bool:
        return not self.context


def normalise(text: str) -> str:
    """Straight quotes, a space after punctuation glued to the next word, digits apart from units ("20mins")."""
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    text = re.sub(r"([!?.,;:)])(?=[A-Za-z])", r"\1 ", text)
    return re.sub(r"(\d)([A-Za-z])", r"\1 \2", text)


class RedFlagReader:
    """Reads a message sentence by sentence and says which warning signs are present (see the module docstring)."""

    def __init__(self, rules: RedFlagRules) -> None:
        spacy = _import_spacy_without_tensorflow()
        from negspacy.negation import Negex  # noqa: F401  (registers the "negex" factory)

        self.rules = rules
        self.nlp = spacy.blank("en")
        self.nlp.add_pipe("sentencizer")
        ruler = self.nlp.add_pipe("entity_ruler", config={"overwrite_ents": True, "phrase_matcher_attr": "LOWER"})
        patterns: List[Dict[str, Any]] = []
        for label, phrases in rules.phrases.items():
            for phrase in phrases:
                if any(mark in phrase for mark in ("*", "|", "NUM")):
                    patterns += [{"label": label, "pattern": tokens} for tokens in self._token_patterns(phrase)]
                else:  # a plain phrase goes to the ruler's fast phrase matcher
                    patterns.append({"label": label, "pattern": phrase.lower()})
        ruler.add_patterns(patterns)
        labels = sorted(set(rules.phrases) - {DECOY})
        finding_phrases = [p for label in labels for p in rules.phrases[label] if "*" not in p and "NUM" not in p]
        self.extensions: Dict[str, str] = {}
        for kind in rules.context:
            termset = {k: list(v) for k, v in kind.termset.items()}
            if kind.name == "negated":  # a negation word inside a finding ("can't breathe") is part of it
                termset["pseudo_negations"] += [
                    p for p in self._expanded(finding_phrases) if set(p.split()) & _NEGATION_WORDS
                ]
            ent_types = list(kind.applies_to) or [label for label in labels if label not in kind.ignores]
            extension = f"red_flag_{kind.name}"
            self.nlp.add_pipe(
                "negex",
                name=f"context_{kind.name}",
                config={"neg_termset": termset, "ent_types": ent_types, "extension_name": extension},
            )
            self.extensions[kind.name] = extension

    def _expanded(self, phrases: Sequence[str]) -> Iterator[str]:
        for phrase in phrases:
            for words in itertools.product(*(slot.split("|") for slot in phrase.split())):
                yield " ".join(words)

    def _token_patterns(self, phrase: str) -> List[List[Dict[str, Any]]]:
        """Token patterns of one phrase in the phrase syntax of red_flags.yml."""
        slots: List[List[List[Dict[str, Any]]]] = []  # per slot: its alternatives, each a token list
        for slot in phrase.lower().split():
            if slot == "*":
                slots.append([[{"OP": "?"}]])
            elif slot == "num>10":
                slots.append([[{"LOWER": {"REGEX": _OVER_TEN}}], [{"LOWER": {"IN": _NUMBER_WORDS_OVER_TEN}}]])
            elif slot == "num":
                slots.append([[{"LIKE_NUM": True}], [{"LOWER": {"IN": _NUMBER_WORDS_ANY}}]])
            else:
                alternatives = [[{"LOWER": t.lower_} for t in self.nlp.make_doc(word)] for word in slot.split("|")]
                if all(len(a) == 1 for a in alternatives):
                    alternatives = [[{"LOWER": {"IN": [a[0]["LOWER"] for a in alternatives]}}]]
                slots.append(alternatives)
        return [[token for part in choice for token in part] for choice in itertools.product(*slots)]

    def mentions(self, text: str) -> List[Mention]:
        doc = self.nlp(normalise(text))
        starts = [sent.start for sent in doc.sents]
        found = []
        for ent in doc.ents:
            if ent.label_ == DECOY:
                continue
            context = tuple(kind for kind, ext in self.extensions.items() if ent._.get(ext))
            sentence = sum(1 for s in starts if s <= ent.start) - 1
            found.append(Mention(ent.label_, ent.text, sentence, context))
        return found

    def _signs(self, labels: set) -> List[str]:
        return [
            sign.key
            for sign in self.rules.signs
            if sign.key in labels or any(all(label in labels for label in combo) for combo in sign.when if combo)
        ]

    def read(self, text: str) -> RedFlagReading:
        mentions = self.mentions(text)
        present = self._signs({m.label for m in mentions if m.present})
        anyhow = self._signs({m.label for m in mentions})
        return RedFlagReading(tuple(present), tuple(k for k in anyhow if k not in present))

    def flags(self, text: str) -> List[str]:
        """The keys of the warning signs present in `text`, most urgent first."""
        return list(self.read(text).present)


@dataclass(frozen=True)
class RedFlagReading:
    present: Tuple[str, ...]
    """Warning signs present, most urgent first."""
    not_present: Tuple[str, ...]
    """Warning signs mentioned only as absent, hypothetical or history ("no swelling", "what if my leg swells?")."""


THINC_WITHOUT_TENSORFLOW = "8.1."
"""thinc 8.1 (spaCy 3.4's) imports TensorFlow whenever it is installed, as it is with Rasa, to offer TF layers.
The reader needs none: in the action server that import cost ~370 MB and ~6 s on the first message
(measured: 481 MB and 9.7 s with it, 113 MB and 3.2 s without)."""


def _import_spacy_without_tensorflow() -> Any:
    """Import spaCy; with thinc 8.1 and TensorFlow not yet imported, keep thinc from importing it.

    Only thinc's own `has_tensorflow` flag sees TensorFlow as missing; the module is importable again
    afterwards (Rasa's components import TensorFlow themselves and never use thinc's TF layers). With another
    thinc version, or TensorFlow already imported, spaCy is imported as it is."""
    import importlib.metadata
    import sys

    if "spacy" in sys.modules or "tensorflow" in sys.modules or "thinc" in sys.modules:
        import spacy

        return spacy
    if not importlib.metadata.version("thinc").startswith(THINC_WITHOUT_TENSORFLOW):
        import spacy

        return spacy
    sys.modules["tensorflow"] = None  # type: ignore[assignment]  # makes `import tensorflow` raise ImportError
    try:
        import spacy
    finally:
        del sys.modules["tensorflow"]
    return spacy


_NEGATION_WORDS = NEGATIONS | {"can't", "cant", "cannot", "couldn't", "couldnt", "won't", "wont", "nothing"}
_READER: Optional[RedFlagReader] = None
_RULES: Optional[RedFlagRules] = None
_LOCK = threading.Lock()


def red_flag_rules() -> RedFlagRules:
    """The rules from data/knowledge, read on first use."""
    global _RULES
    if _RULES is None:
        with _LOCK:
            if _RULES is None:
                _RULES = RedFlagRules.load(settings.KNOWLEDGE_DIR)
    return _RULES


def red_flag_reader() -> RedFlagReader:
    """The reader, built once on first use (a blank spaCy pipeline: well under a second)."""
    global _READER
    if _READER is None:
        rules = red_flag_rules()
        with _LOCK:
            if _READER is None:
                _READER = RedFlagReader(rules)
    return _READER


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
