"""`make content-report`: an HTML report for content editors from the review store.

Most asked topics, ratings per answer, and the unanswered messages (already scrubbed) grouped into
clusters with scikit-learn (TF-IDF + k-means, k chosen by silhouette score) so an editor sees what
to add next. `python -m tools.content_report [--out FILE]`."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import List, Sequence, Tuple

import numpy as np
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sklearn.cluster import KMeans
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer
from sklearn.metrics import silhouette_score

from actions import settings
from actions.review_store import ReviewStore, prepare_schema

TEMPLATES = Path(__file__).resolve().parent / "templates"
MAX_CLUSTERS = 10
EXAMPLES_PER_CLUSTER = 5
SEED = 0
IGNORED_WORDS = sorted(
    ENGLISH_STOP_WORDS | {"email", "link", "number", "name", "hi", "hello", "hey", "please", "thanks"}
)
"""Stop words, the scrubber's marks and greetings: they say nothing about what was asked."""


@dataclass(frozen=True)
class Cluster:
    label: str
    count: int
    kinds: str
    examples: Tuple[str, ...]


@dataclass(frozen=True)
class AnswerRating:
    answer_id: str
    yes: int
    no: int

    @property
    def helpful_percent(self) -> int:
        return round(100 * self.yes / (self.yes + self.no))


def cluster_messages(messages: Sequence[Tuple[str, str]]) -> List[Cluster]:
    """Group (kind, text) messages by wording; biggest group first, each labelled by its top words."""
    if not messages:
        return []
    texts = [text for _, text in messages]
    vectorizer = TfidfVectorizer(stop_words=IGNORED_WORDS, token_pattern=r"(?u)\b[a-zA-Z][a-zA-Z]+\b")
    try:
        matrix = vectorizer.fit_transform(texts)
    except ValueError:  # nothing but stop words and marks
        return [_cluster(messages, list(range(len(messages))), "(no distinctive words)")]
    labels = _best_labels(matrix)
    words = np.array(vectorizer.get_feature_names_out())
    clusters = []
    for label in sorted(set(labels)):
        members = [i for i, lab in enumerate(labels) if lab == label]
        centre = np.asarray(matrix[members].mean(axis=0)).ravel()
        top = [str(words[i]) for i in centre.argsort()[::-1][:3] if centre[i] > 0]
        clusters.append(_cluster(messages, members, ", ".join(top) or "(no distinctive words)"))
    return sorted(clusters, key=lambda c: (-c.count, c.label))


def _best_labels(matrix) -> List[int]:
    n = matrix.shape[0]
    distinct = len({tuple(row) for row in matrix.toarray().round(6)})
    if n < 3 or distinct < 3:
        return [0] * n
    best, best_score = [0] * n, -1.0
    for k in range(2, min(MAX_CLUSTERS, distinct - 1) + 1):
        labels = KMeans(n_clusters=k, n_init=10, random_state=SEED).fit_predict(matrix)
        score = silhouette_score(matrix, labels, random_state=SEED)
        if score > best_score:
            best, best_score = list(labels), score
    return best


def _cluster(messages: Sequence[Tuple[str, str]], members: List[int], label: str) -> Cluster:
    kinds = sorted({messages[i][0] for i in members})
    examples = tuple(dict.fromkeys(messages[i][1] for i in members))[:EXAMPLES_PER_CLUSTER]
    return Cluster(label, len(members), ", ".join(kinds), examples)


def build_report(store: ReviewStore, now: dt.datetime) -> str:
    ratings = sorted(
        (AnswerRating(a, c["yes"], c["no"]) for a, c in store.ratings().items()),
        key=lambda r: (r.helpful_percent, -(r.yes + r.no), r.answer_id),
    )
    unanswered = store.unanswered_texts()
    topics = store.topic_counts()
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))
    return env.get_template("content_report.html").render(
        generated=now.strftime("%Y-%m-%d %H:%M UTC"),
        topics=topics,
        most=max((c for _, c in topics), default=1),
        ratings=ratings,
        unanswered_total=len(unanswered),
        clusters=cluster_messages(unanswered),
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=settings.CONTENT_REPORT)
    parser.add_argument("--database", default=settings.REVIEW_DATABASE_URL, help="SQLAlchemy URL of the review store")
    args = parser.parse_args()
    print(f">> reading {args.database} and clustering the unanswered messages", flush=True)
    prepare_schema(args.database)  # this tool's start-up: a store no server has used yet gives an empty report
    html = build_report(ReviewStore(args.database), dt.datetime.now(dt.timezone.utc))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(html, encoding="utf-8")
    print(f"content report -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
