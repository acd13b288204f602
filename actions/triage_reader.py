"""The red-flag reader: which warning signs a message tells, read sentence by sentence as a story.

People tell warning signs as stories ("an ache in one calf since the long drive on Sunday and it gets worse
every day") rather than naming them, and they mention signs that are absent ("no swelling"), someone else's
history ("my mum had a clot once") or a worry ("what if my leg swells?"). `RedFlagReader.read` returns the
warning signs that are present, most urgent first, and those mentioned only as not present.

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
"my son's foot went white" is still a present warning sign). Two more kinds are about neighbouring problems:
`other_subject` (a duration told of crying, hiccups or sleep, not of the cramp: "my baby screams for hours")
and `restless_legs` (tingling with the urge to move the legs). A kind's `unless` labels keep a mention present
in a sentence that mentions them too ("screaming for hours with a cramp"). A story about another person's
present symptoms counts: people ask for their mum, son or wife.

Everything clinical is data (actions.triage_rules reads data/knowledge/red_flags.yml and subjects.yml):
the signs, cues, combinations, decoys, termsets and words. This module holds only the mechanics."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from typing import Any, Dict, Iterator, List, Sequence, Tuple

from actions.triage_rules import DECOY, RedFlagRules

_OVER_TEN = r"^(1[1-9]|[2-9][0-9]|[1-9][0-9]{2,})$"


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
                    p for p in self._expanded(finding_phrases) if set(p.split()) & rules.finding_negation_words
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
                slots.append(
                    [[{"LOWER": {"REGEX": _OVER_TEN}}], [{"LOWER": {"IN": list(self.rules.numbers_over_ten)}}]]
                )
            elif slot == "num":
                slots.append([[{"LIKE_NUM": True}], [{"LOWER": {"IN": list(self.rules.numbers_any)}}]])
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
            context = tuple(
                kind.name
                for kind in self.rules.context
                if ent._.get(self.extensions[kind.name]) and not any(o.label_ in kind.unless for o in ent.sent.ents)
            )
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
    """Warning signs mentioned only as absent, hypothetical, history or of something else ("no swelling", "what if
    my leg swells?", "my baby cries for hours")."""


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
