"""Remove personal details from a message before it is stored for content review.

Caught: e-mail addresses; web addresses; any run of digits (phone numbers, dates, ages, house
numbers, ids, with their separators); names that follow a cue ("my name is X", "I'm X", "call me
X", "this is X", "Dr X", "Mrs X", "regards, X") found by spaCy Matcher rules; words with a capital
letter in the middle of a sentence that are not in the knowledge base's vocabulary or a short list
of common capitalised words (a heuristic for other names).
Not caught: names typed in lower case without a cue ("tell anna"), names that are also ordinary
words or knowledge-base terms, street and town names written in lower case, spelled-out numbers."""

from __future__ import annotations

import re
from functools import cache
from typing import Any, Dict, FrozenSet, Iterable, List, Tuple

import spacy
from spacy.language import Language
from spacy.matcher import Matcher

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
URL = re.compile(r"\b(?:https?://|www\.)\S+", re.I)
NUMBER = re.compile(r"\+?\d[\d\s().\-/:]*\d|\d")
EMAIL_MARK, URL_MARK, NUMBER_MARK, NAME_MARK = "[email]", "[link]", "[number]", "[name]"

NAME_CUES: List[List[Dict[str, Any]]] = [
    [{"LOWER": "my"}, {"LOWER": "name"}, {"LOWER": "is"}],
    [{"LOWER": "my"}, {"LOWER": "name"}, {"LOWER": "'s"}],
    [{"LOWER": "call"}, {"LOWER": "me"}],
    [{"LOWER": "this"}, {"LOWER": "is"}],
    [{"LOWER": "i"}, {"LOWER": {"IN": ["'m", "am"]}}],
    [{"LOWER": "im"}],
    [{"LOWER": {"IN": ["dr", "doctor", "mr", "mrs", "ms", "miss", "nurse", "dear"]}}, {"ORTH": ".", "OP": "?"}],
    [{"LOWER": {"IN": ["regards", "thanks", "cheers", "love", "from", "sincerely"]}}, {"ORTH": ","}],
]
CUED_WHATEVER_CASE = {"my name is", "my name 's", "call me"}
"""After these cues the next word is a name even in lower case; after the others only when capitalised."""

COMMON_CAPITALISED = frozenset(
    "i i'm i've i'd i'll ok okay hi hello hey thanks thank please yes no gp nhs a&e er uk us usa eu english "
    "monday tuesday wednesday thursday friday saturday sunday january february march april may june july "
    "august september october november december christmas easter covid".split()
)


@cache
def _nlp() -> Tuple[Language, Matcher]:
    nlp = spacy.blank("en")
    matcher = Matcher(nlp.vocab)
    for i, pattern in enumerate(NAME_CUES):
        matcher.add(f"cue{i}", [pattern])
    return nlp, matcher


def scrub(text: str, vocabulary: Iterable[str] = ()) -> str:
    """`text` with personal details replaced by [email], [link], [number] and [name]."""
    text = EMAIL.sub(EMAIL_MARK, text)
    text = URL.sub(URL_MARK, text)
    text = NUMBER.sub(NUMBER_MARK, text)
    known = frozenset(w for phrase in vocabulary for w in phrase.lower().split()) | COMMON_CAPITALISED
    nlp, matcher = _nlp()
    doc = nlp(text)
    names = _cued_names(doc, matcher) | _capitalised_names(doc, known)
    parts: List[str] = []
    for t in doc:
        if t.i not in names:
            parts.append(t.text_with_ws)
        elif t.i + 1 not in names:  # the last word of a name: one mark for the whole name
            parts.append(NAME_MARK + t.whitespace_)
    return "".join(parts).strip()


def _cued_names(doc, matcher: Matcher) -> FrozenSet[int]:
    found: List[int] = []
    for _, start, end in matcher(doc):
        cue = doc[start:end].text.lower()
        any_case = any(cue.startswith(c) for c in CUED_WHATEVER_CASE)
        for t in doc[end : end + 3]:
            if not t.is_alpha or t.is_stop and not t.is_title or not (t.is_title or any_case):
                break
            found.append(t.i)
    return frozenset(found)


def _capitalised_names(doc, known: FrozenSet[str]) -> FrozenSet[int]:
    """Capitalised words that do not start a sentence and are not ordinary vocabulary."""
    found = []
    for t in doc:
        starts_sentence = t.i == 0 or doc[t.i - 1].text in {".", "!", "?", ":", ";", "\n"}
        if t.is_alpha and t.text[0].isupper() and not starts_sentence and t.lower_ not in known and not t.is_upper:
            found.append(t.i)
    return frozenset(found)
