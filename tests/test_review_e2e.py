"""End to end over HTTP (real Rasa server and action server): doctor-visit notes, feedback buttons, and the
content report built from a generated set of conversations. The session's shared assistant (tests/conftest.py)
serves them; its review store is shared too, so the checks compare before and after or set lower bounds."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from actions.review_store import ReviewStore
from tests.generated_conversations import generate
from tests.test_rest import new_user, say, tracker
from tools.content_report import build_report

pytestmark = pytest.mark.servers

DISCLAIMER = "not a substitute for professional medical advice"
ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "tests" / "output" / "content-report.html"


@pytest.fixture(scope="module")
def store(assistant) -> ReviewStore:
    return ReviewStore(f"sqlite:///{Path(assistant['workdir']) / 'review.db'}")


def texts(replies):
    return [r["text"] for r in replies if "text" in r]


def press(assistant, user, replies, title):
    (question,) = [r for r in replies if r.get("buttons")]
    return say(assistant, user, next(b["payload"] for b in question["buttons"] if b["title"] == title))


def test_notes_after_a_symptom_check_reuse_its_answers_and_end_in_a_downloadable_summary(assistant):
    user = new_user()
    replies = say(assistant, user, "I keep getting cramps in my calves, can you check my symptoms?")
    for title in ("None of these", "Moderate", "About once a week", "A few minutes", "Yes, it helped"):
        replies = press(assistant, user, replies, title)
    replies = say(assistant, user, "can you make notes for my doctor's appointment")
    asked = []
    answers = {
        "start": "around <b>March</b> & after a long run",
        "muscle": "mostly my left calf",
        "medicines": "lorazepam at night and atorvastatin",
        "alcohol": "/skip",
        "exercise": "running three times a week",
        "fluids": "about 1.5 litres",
    }
    for answer in answers.values():
        question = next(r for r in replies if r.get("buttons") and r["buttons"][0]["payload"] == "/skip")
        asked.append(question["text"])
        replies = say(assistant, user, answer)
        if answer.startswith("lorazepam"):  # recorded for the doctor, not commented on
            assert not re.search(r"\d+\s*mg|dose|prescription|sedative", " ".join(texts(replies)), re.I), replies
    assert not any("How often" in q or "tried" in q for q in asked), asked  # known from the symptom check
    summary = next(r for r in replies if "custom" in r)["custom"]
    text = summary["summary_text"]
    assert summary["filename"].endswith(".txt")
    # REST sends each block of the notes (title, list, disclaimer) as its own message
    assert all(block in texts(replies) for block in text.split("\n\n")), replies
    assert "- When the cramps started: around <b>March</b> & after a long run" in text
    assert "- How often they come: about once a week (from the symptom check)" in text
    assert "- What I have tried: something I tried helped (from the symptom check)" in text
    assert "- Medicines I take: lorazepam at night and atorvastatin" in text
    assert "- Alcohol: not answered" in text and text.rstrip().endswith(
        "If you are worried, talk to a doctor or pharmacist."
    )
    assert DISCLAIMER in text


def test_a_red_flag_while_answering_the_notes_gets_urgent_advice_first(assistant):
    user = new_user()
    say(assistant, user, "help me prepare for my GP appointment")
    replies = texts(say(assistant, user, "since last week, and now my calf is swollen, red and warm"))
    assert re.search(r"blood clot|DVT", replies[0]), replies
    assert DISCLAIMER in " ".join(replies)


def test_feedback_is_asked_once_per_topic_and_can_be_ignored(assistant, store):
    user = new_user()
    replies = say(assistant, user, "what causes leg cramps?")
    assert [r["text"] for r in replies if r.get("buttons")] == ["Was this answer helpful?"]
    footer = next(t for t in texts(replies) if t.startswith("Source:"))  # the source line is its own message
    assert re.fullmatch(r"Source: .*NHS.* \| Evidence: well established \| Reviewed: 2026-12-01", footer), footer
    assert DISCLAIMER in replies[-1]["text"]
    before = store.ratings().get("causes/general", {}).get("yes", 0)
    thanks = texts(press(assistant, user, replies, "Yes"))
    assert thanks and "Thank you" in thanks[0]
    assert store.ratings()["causes/general"]["yes"] == before + 1
    again = say(assistant, user, "can diabetes cause leg cramps?")
    assert not any(r.get("buttons") for r in again)  # causes already asked about
    replies = say(assistant, user, "how do I prevent cramps at night?")  # asked about a new topic ...
    ignored = texts(say(assistant, user, "what should I do during a cramp?"))  # ... and ignored
    assert "stretch" in ignored[0].lower() and DISCLAIMER in " ".join(ignored)


def test_a_message_that_gets_no_knowledge_answer_logs_none_and_asks_nothing(assistant, store):
    user = new_user()
    before = store.topic_counts()
    say(assistant, user, "hello")
    assert store.topic_counts() == before
    slots = tracker(assistant, user)["slots"]
    assert slots["feedback_topics"] is None and slots["feedback_answer"] is None


def test_generated_conversations_feed_the_content_report(assistant, store):
    conversations, details = generate()
    for conversation in conversations:
        user = new_user()
        for message in conversation.messages:
            say(assistant, user, message)
    unanswered = store.unanswered_texts()
    assert len(unanswered) >= len(conversations) * 3 // 4, unanswered
    stored = " ".join(text for _, text in unanswered)
    assert not [d for d in details if d in stored], stored
    html = build_report(store, __import__("datetime").datetime.now())
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(html, encoding="utf-8")
    assert not [d for d in details if d in html]
    ratings = store.ratings()
    assert sum(c["yes"] + c["no"] for c in ratings.values()) >= len(conversations) // 2
    topics = dict(store.topic_counts())
    assert topics["causes"] >= 6
    assert html.count("<li>") >= 4 and "toothache" in html and "migraine" in html
