"""Content review: scrubbing personal details, grouping unanswered messages, the HTML report."""

from __future__ import annotations

import datetime as dt

import pytest

from actions.review_store import ReviewStore
from actions.scrub import scrub
from actions.unanswered import ActionUnanswered
from tests.conftest import make_tracker, responses
from tools.content_report import build_report, cluster_messages

CAUGHT = {
    "my name is john smith, email john.smith@example.com": "my name is [name], email [email]",
    "Hi, I am Sarah and I was born on 12/03/1980": "Hi, I am [name] and I was born on [number]",
    "call me on +44 20 7946 0958 please": "call me on [number] please",
    "ask Dr. Patel about it": "ask Dr. [name] about it",
    "Thanks, Anna": "Thanks, [name]",
    "This is Mary Jane Watson speaking": "This is [name] speaking",
    "see www.example.com/page?id=7 for my notes": "see [link] for my notes",
    "I'm 45 and my NHS number is 943 476 5919": "I'm [number] and my NHS number is [number]",
    "is the weather nice in Leeds today": "is the weather nice in [name] today",
}
NOT_CAUGHT = {
    "tell anna i said hi": "tell anna i said hi",  # lower-case name without a cue
    "i live on baker street": "i live on baker street",  # lower-case place
    "I am forty-five years old": "I am forty-five years old",  # spelled-out number
}
KEPT = {
    "I take Lipitor and Baclofen for my Calf": "I take Lipitor and Baclofen for my Calf",  # knowledge-base words
    "i am tired of cramps": "i am tired of cramps",
    "What about Monday in the UK?": "What about Monday in the UK?",
}
VOCABULARY = ["lipitor", "baclofen", "calf muscle"]


@pytest.mark.parametrize("text, expected", sorted({**CAUGHT, **NOT_CAUGHT, **KEPT}.items()))
def test_scrub(text, expected):
    assert scrub(text, VOCABULARY) == expected


def test_clusters_group_messages_by_wording_biggest_first():
    messages = [("out_of_scope", t) for t in ["what's the weather today", "weather tomorrow?", "rain and weather"]]
    messages += [
        ("fallback", t) for t in ["toothache again", "my toothache hurts", "toothache at night", "bad toothache"]
    ]
    messages += [("out_of_scope", "order a pizza"), ("out_of_scope", "pizza delivery please")]
    clusters = cluster_messages(messages)
    assert [c.count for c in clusters] == [4, 3, 2]
    assert clusters[0].label.startswith("toothache") and clusters[0].kinds == "fallback"
    assert "weather" in clusters[1].label and "pizza" in clusters[2].label


def test_clusters_of_few_or_empty_messages():
    assert cluster_messages([]) == []
    (only,) = cluster_messages([("fallback", "[name] [number]"), ("fallback", "?")])
    assert only.count == 2


def test_report_shows_topics_ratings_and_clusters_and_escapes_user_text(review_url):
    store = ReviewStore()
    store.answers_given(["causes/general", "causes/condition:diabetes", "prevention/general"])
    for rating in ["yes", "no", "no"]:
        store.rate("causes/general", rating)
    store.unanswered("fallback", "<script>alert(1)</script> toothache")
    html = build_report(store, dt.datetime(2026, 11, 25, 10, 0))
    assert '<td>causes</td><td class="n">2</td>' in html
    assert '<td>causes/general</td><td class="n">1</td><td class="n">2</td>' in html and "33%" in html
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; toothache" in html


async def test_an_unanswered_message_is_stored_scrubbed_without_sender(repository, dispatcher, domain):
    tracker = make_tracker("what's the weather in Leeds? mail me at a@b.co", "out_of_scope")
    await ActionUnanswered(repository).run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_out_of_scope"]
    tracker = make_tracker("flibble wibble 12", "nlu_fallback")
    await ActionUnanswered(repository).run(dispatcher, tracker, domain)
    assert responses(dispatcher)[-1] == "utter_default"
    assert ReviewStore().unanswered_texts() == [
        ("out_of_scope", "what's the weather in [name]? mail me at [email]"),
        ("fallback", "flibble wibble [number]"),
    ]


async def test_button_payloads_are_not_stored(repository, dispatcher, domain):
    await ActionUnanswered(repository).run(dispatcher, make_tracker("/nonsense", "nlu_fallback"), domain)
    assert ReviewStore().unanswered_texts() == []
