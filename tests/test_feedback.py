"""Feedback after knowledge-base answers: asked once per topic, stored without message text or sender id."""

from __future__ import annotations

from rasa_sdk.events import SlotSet
from sqlalchemy import inspect

from actions.db import engine_for
from actions.feedback import ActionSaveFeedback
from actions.red_flags import ActionRedFlag
from actions.review_store import ReviewStore
from actions.topics import ActionAnswerCauses, ActionAnswerTopic
from tests.conftest import entity, make_tracker, responses


async def test_an_answer_asks_for_feedback_before_the_disclaimer_and_logs_the_answer(repository, dispatcher, domain):
    events = await ActionAnswerCauses(repository).run(dispatcher, make_tracker("why cramps?", "ask_causes"), domain)
    assert responses(dispatcher) == ["utter_knowledge_answer", "utter_ask_feedback", "utter_disclaimer"]
    feedback = [e for e in events if e["name"].startswith("feedback_")]
    assert feedback == [SlotSet("feedback_topics", ["causes"]), SlotSet("feedback_answer", "causes/general")]
    assert ReviewStore().topic_counts() == [("causes", 1)]
    assert {b["payload"] for b in domain["responses"]["utter_ask_feedback"][0]["buttons"]} == {
        "/answer_helpful",
        "/answer_not_helpful",
    }


async def test_a_topic_already_asked_about_is_not_asked_again(repository, dispatcher, domain):
    tracker = make_tracker(
        "and diabetes?", "ask_causes", [entity("condition", "diabetes")], slots={"feedback_topics": ["causes"]}
    )
    events = await ActionAnswerCauses(repository).run(dispatcher, tracker, domain)
    assert "utter_ask_feedback" not in responses(dispatcher)
    assert not [e for e in events if e["name"].startswith("feedback_")]
    assert ReviewStore().topic_counts() == [("causes", 1)]  # still logged as asked


async def test_another_topic_is_asked_about(repository, dispatcher, domain):
    tracker = make_tracker("how to prevent?", "ask_prevention", slots={"feedback_topics": ["causes"]})
    events = await ActionAnswerTopic(repository).run(dispatcher, tracker, domain)
    assert SlotSet("feedback_topics", ["causes", "prevention"]) in events


async def test_urgent_advice_is_not_followed_by_a_rating_question(repository, dispatcher, domain):
    tracker = make_tracker("my calf is swollen and red", "report_red_flag", [entity("red_flag", "dvt_signs")])
    await ActionRedFlag(repository).run(dispatcher, tracker, domain)
    assert "utter_ask_feedback" not in responses(dispatcher)
    dispatcher.messages.clear()
    tracker = make_tracker("why do my swollen red calves cramp?", "ask_causes")
    await ActionAnswerCauses(repository).run(dispatcher, tracker, domain)
    assert "utter_ask_feedback" not in responses(dispatcher)


async def test_a_rating_is_stored_with_topic_answer_and_time_only(dispatcher, domain, review_url):
    tracker = make_tracker(
        "/answer_not_helpful", "answer_not_helpful", slots={"feedback_answer": "causes/condition:diabetes"}
    )
    events = await ActionSaveFeedback().run(dispatcher, tracker, domain)
    assert events == [SlotSet("feedback_answer", None)] and responses(dispatcher) == ["utter_feedback_thanks"]
    assert ReviewStore().ratings() == {"causes/condition:diabetes": {"no": 1}}
    columns = {c["name"] for c in inspect(engine_for(review_url)).get_columns("answer_ratings")}
    assert columns == {"id", "topic", "answer_id", "rating", "created_at"}


async def test_a_rating_with_no_pending_question_stores_nothing(dispatcher, domain):
    await ActionSaveFeedback().run(dispatcher, make_tracker("this answer was helpful", "answer_helpful"), domain)
    assert responses(dispatcher) == ["utter_feedback_thanks"] and ReviewStore().ratings() == {}


def test_no_review_table_has_a_sender_or_message_column_except_scrubbed_unanswered(review_url):
    ReviewStore().answers_given(["overview/general"])
    tables = {
        t: {c["name"] for c in inspect(engine_for(review_url)).get_columns(t)}
        for t in inspect(engine_for(review_url)).get_table_names()
    }
    assert set(tables) == {"answers_given", "answer_ratings", "unanswered_messages"}
    assert not any("sender" in c or "user" in c for columns in tables.values() for c in columns)
    assert [t for t, columns in tables.items() if "text" in columns] == ["unanswered_messages"]
