"""End to end over HTTP: the real Rasa server (REST channel) and the real action server, SQLite stores (the
session's shared assistant, tests/conftest.py)."""

from __future__ import annotations

import re
import uuid

import pytest
import requests

from launch.assistant import INTEGRATOR
from tests.servers import rest_post

pytestmark = pytest.mark.servers

DISCLAIMER = "not a substitute for professional medical advice"
TIMEOUT = 30


def say(assistant, sender, message):
    """The bot's messages for one user message sent with the test integrator's token (expects 200)."""
    response = rest_post(assistant, {"sender": sender, "message": message}, timeout=TIMEOUT)
    assert response.status_code == 200, response.text
    return response.json()


def tracker(assistant, sender):
    """The conversation of one of the test integrator's users, from Rasa's HTTP API."""
    conversation = f"{INTEGRATOR}:{sender}"
    return requests.get(f"{assistant['rasa']}/conversations/{conversation}/tracker", timeout=TIMEOUT).json()


def texts(replies):
    return [r.get("text", "") for r in replies]


def new_user():
    return f"user-{uuid.uuid4().hex[:8]}"


def test_a_causes_question_gets_a_sourced_answer_and_the_disclaimer(assistant):
    replies = texts(say(assistant, new_user(), "what causes leg cramps?"))
    assert any("Source:" in t for t in replies), replies
    assert DISCLAIMER in replies[-1]


def test_a_named_condition_gets_the_specific_answer(assistant):
    general = texts(say(assistant, new_user(), "what causes leg cramps?"))[0]
    specific = texts(say(assistant, new_user(), "can diabetes cause leg cramps?"))[0]
    assert specific != general and "diabet" in specific.lower()


def test_greeting_offers_buttons(assistant):
    (reply,) = say(assistant, new_user(), "hello")
    assert {b["payload"] for b in reply["buttons"]} >= {"/ask_causes", "/report_symptoms"}


def test_the_assessment_by_buttons_ends_with_a_referral(assistant):
    """Answer every question by pressing a button, as a widget user would."""
    user = new_user()
    replies = say(assistant, user, "I keep getting cramps in my calves, can you check my symptoms?")
    (question,) = [r for r in replies if r.get("buttons")]
    assert "safety check" in question["text"], "the first question screens for red flags, with its text"
    for title in ("None of these", "Severe", "Several times a week or more", "A few seconds", "No, nothing helped"):
        (question,) = [r for r in replies if r.get("buttons")]
        payload = next(b["payload"] for b in question["buttons"] if b["title"] == title)
        replies = say(assistant, user, payload)
    final = texts(replies)
    assert any("Why I suggest this" in t and "severe" in t for t in final), final
    assert DISCLAIMER in final[-1]
    state = tracker(assistant, user)
    assert state["slots"]["referral_level"] == "see_doctor"
    assert not state["active_loop"].get("name")


def test_the_assessment_by_free_text(assistant):
    user = new_user()
    for message in (
        "can you assess my leg cramps?",
        "no, nothing like that",
        "about 3 out of 10",
        "not very often",
        "a couple of minutes",
    ):
        say(assistant, user, message)
    final = texts(say(assistant, user, "I haven't tried anything yet"))
    assert any("Why I suggest this" in t for t in final), final
    assert tracker(assistant, user)["slots"]["referral_level"] == "self_care"


def test_a_red_flag_in_the_middle_of_the_form_gets_urgent_advice_first(assistant):
    user = new_user()
    say(assistant, user, "can you assess my leg cramps")
    say(assistant, user, "none of these")
    replies = texts(say(assistant, user, "wait, my calf has gone red and swollen"))
    assert re.search(r"blood clot|deep vein|DVT", replies[0], re.I), replies
    assert DISCLAIMER in replies[-1]
    assert tracker(assistant, user)["slots"]["referral_level"] == "urgent"
    follow_up = texts(say(assistant, user, "what causes cramps?"))
    assert any("Source:" in t for t in follow_up)


def test_a_red_flag_button_in_the_form_gets_urgent_advice(assistant):
    user = new_user()
    first = say(assistant, user, "please check my symptoms, my calves cramp a lot")
    (question,) = [r for r in first if r.get("buttons")]
    chest = next(b["payload"] for b in question["buttons"] if "Chest" in b["title"])
    replies = texts(say(assistant, user, chest))
    assert "911" in replies[0], replies
    assert DISCLAIMER in " ".join(replies)


def test_stop_leaves_the_assessment_and_a_new_one_starts_afresh(assistant):
    user = new_user()
    say(assistant, user, "can you assess my cramps")
    say(assistant, user, "none of these")
    say(assistant, user, "mild")
    assert "stopped the assessment" in " ".join(texts(say(assistant, user, "stop")))
    assert any("Source:" in t for t in texts(say(assistant, user, "what causes cramps?")))
    again = texts(say(assistant, user, "actually, please check my symptoms"))
    assert any("safety check" in t for t in again), "a new assessment starts from the first question"


def test_a_question_in_the_middle_of_the_form_is_answered_and_the_form_goes_on(assistant):
    user = new_user()
    say(assistant, user, "could you check my symptoms? my calves cramp")
    say(assistant, user, "none of these")
    replies = texts(say(assistant, user, "hmm, how do doctors diagnose cramps?"))
    assert any("blood test" in t for t in replies), replies
    assert DISCLAIMER in " ".join(replies) and "How bad are the cramps" in replies[-1]
    assert "How often" in " ".join(texts(say(assistant, user, "moderate")))


def test_forget_me_deletes_the_conversation(assistant):
    user = new_user()
    say(assistant, user, "can you check my leg cramps")
    say(assistant, user, "none of these")
    replies = texts(say(assistant, user, "please forget everything I told you and delete my data"))
    assert "deleted" in " ".join(replies)
    state = tracker(assistant, user)  # a new, empty conversation (tests/test_security.py reads the database)
    assert not [e for e in state["events"] if e["event"] in ("user", "bot", "slot")], state["events"]
    assert state["slots"]["red_flags"] is None and state["slots"]["requested_slot"] is None


def test_chest_pain_names_the_emergency_number(assistant):
    replies = texts(say(assistant, new_user(), "I have a cramp and now chest pain and I can't breathe"))
    assert "911" in replies[0] and "999" in replies[0]


def test_a_dose_question_gets_no_dose(assistant):
    replies = texts(say(assistant, new_user(), "how many mg of lorazepam should I take for my leg cramps?"))
    joined = " ".join(replies)
    assert not re.search(r"\d+\s*(mg|milligram|tablet)", joined, re.I)
    assert re.search(r"pharmacist|doctor", joined, re.I) and DISCLAIMER in replies[-1]


def test_quinine_gets_the_fda_warning(assistant):
    replies = texts(say(assistant, new_user(), "is quinine good for night cramps?"))
    assert "FDA" in " ".join(replies)


def test_out_of_scope_says_what_it_covers_and_offers_topics(assistant):
    replies = say(assistant, new_user(), "what's the best pizza in town?")
    assert "leg cramps" in replies[0]["text"] and len(replies[0]["buttons"]) >= 3


def test_conversations_are_stored_in_the_tracker_store(assistant):
    user = new_user()
    say(assistant, user, "what triggers cramps at night?")
    events = tracker(assistant, user)["events"]
    assert any(e["event"] == "user" and "night" in e["text"] for e in events)
    assert any(e["event"] == "action" and e["name"] == "action_answer_triggers" for e in events)


def answer_ids(assistant, sender):
    """Knowledge-base answer ids of the bot's messages after the user's latest message, from the tracker."""
    events = tracker(assistant, sender)["events"]
    last_user = max(i for i, e in enumerate(events) if e["event"] == "user")
    return [
        e["metadata"]["answer_id"]
        for e in events[last_user:]
        if e["event"] == "bot" and "answer_id" in e.get("metadata", {})
    ]


@pytest.mark.parametrize(
    "message, answer",
    [
        ("can a cramp go on for a whole day?", "duration/general"),
        ("will i always get these cramps or do they go away eventually", "outlook/general"),
        ("who should I see about my cramps, a GP or a physio?", "which_doctor/general"),
        ("why do people call it a charlie horse", "names/general"),
        ("are period cramps the same thing as leg cramps?", "neighbours/condition:period_pain"),
        ("do my blood pressure tablets cause leg cramps?", "causes/medication:blood_pressure_medicine"),
    ],
)
def test_a_specific_question_gets_its_own_facet(assistant, message, answer):
    user = new_user()
    replies = texts(say(assistant, user, message))
    assert answer_ids(assistant, user)[0] == answer, replies
    assert DISCLAIMER in " ".join(replies)
    assert "the article" not in " ".join(replies).lower()


@pytest.mark.parametrize(
    "story, sign",
    [
        (
            "I've had an ache in one calf since the long drive on Sunday and it gets worse every day",
            "worsening_one_leg",
        ),
        ("I blacked out for a moment last night because the cramp hurt so much", "fainting"),
        ("my dad's foot went white and cold this morning after a bad cramp and he says it's numb", "pale_cold_leg"),
    ],
)
def test_a_warning_sign_told_as_a_story_gets_urgent_advice_first(assistant, story, sign):
    user = new_user()
    say(assistant, user, story)
    ids = answer_ids(assistant, user)
    assert ids[0].startswith("red_flags/"), ids
    assert f"red_flags/red_flag:{sign}" in ids


def test_a_follow_up_keeps_the_topic_for_the_new_subject(assistant):
    user = new_user()
    say(assistant, user, "can statins cause leg cramps?")
    assert answer_ids(assistant, user)[0] == "causes/medication:statin"
    say(assistant, user, "and what about water pills?")
    assert answer_ids(assistant, user)[0] == "causes/medication:diuretic"


def test_thanks_and_a_question_get_both(assistant):
    user = new_user()
    say(assistant, user, "what causes leg cramps?")
    replies = texts(say(assistant, user, "ok thanks, and can stretching stop them happening?"))
    assert replies[0].startswith("You're welcome")
    assert answer_ids(assistant, user)[0] == "prevention/general"


def test_a_message_in_german_gets_a_german_reply_with_the_emergency_advice(assistant):
    replies = texts(say(assistant, new_user(), "Was verursacht Wadenkrämpfe in der Nacht?"))
    joined = " ".join(replies)
    assert "Englisch" in joined and "112" in joined, replies


def test_a_story_with_a_question_gets_the_answer_then_the_offer_of_the_assessment(assistant):
    user = new_user()
    replies = say(
        assistant,
        user,
        "My doctor started me on water tablets for my blood pressure in the spring and since then my feet cramp "
        "most evenings. Is the tablet to blame?",
    )
    assert answer_ids(assistant, user)[0] in {
        "causes/medication:diuretic",
        "causes/medication:blood_pressure_medicine",
        "medication/medication:diuretic",
        "medication/medication:blood_pressure_medicine",
    }
    assert "/report_symptoms" in {b["payload"] for b in replies[-1].get("buttons", [])}
