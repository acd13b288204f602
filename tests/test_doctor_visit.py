"""The doctor-visit notes: the form's validator, reuse of the symptom check, the summary, stopping."""

from __future__ import annotations

import datetime as dt

import pytest
from rasa_sdk.events import ActiveLoop, SlotSet

from actions.doctor_visit import (
    FROM_CHECK,
    SKIPPED,
    SUMMARY_FILENAME,
    VISIT_QUESTIONS,
    ActionDoctorVisitSummary,
    ActionStopDoctorVisit,
    ValidateDoctorVisitForm,
    summary_text,
)
from actions.referral import ActionAnswerReferral
from tests.conftest import make_tracker, responses

DISCLAIMER = "not a substitute for professional medical advice"


def visit_answer(text, intent, slot, slots=None):
    """A tracker where the user has just answered the notes' question for `slot` with `text`."""
    return make_tracker(
        text, intent, slots=slots, active_loop="doctor_visit_form", requested_slot=slot, latest_slot_events={slot: text}
    )


def test_every_question_has_a_skippable_prompt(domain):
    assert list(VISIT_QUESTIONS) == domain["forms"]["doctor_visit_form"]["required_slots"]
    for slot in VISIT_QUESTIONS:
        (prompt,) = domain["responses"][f"utter_ask_{slot}"]
        assert [b["payload"] for b in prompt["buttons"]] == ["/skip"]


async def test_an_answer_is_kept_as_written(repository, dispatcher, domain):
    text = "since   March, after <b>starting</b> a new job & {odd} 0[1] chars\x07"
    events = await ValidateDoctorVisitForm(repository).run(
        dispatcher, visit_answer(text, "inform", "visit_started"), domain
    )
    assert SlotSet("visit_started", "since March, after <b>starting</b> a new job & {odd} 0[1] chars") in events
    assert dispatcher.messages == []


@pytest.mark.parametrize("text, intent", [("/skip", "skip"), ("skip", "stop"), ("Pass.", "nlu_fallback")])
async def test_skip_marks_the_question_skipped(repository, dispatcher, domain, text, intent):
    events = await ValidateDoctorVisitForm(repository).run(
        dispatcher, visit_answer(text, intent, "visit_alcohol"), domain
    )
    assert SlotSet("visit_alcohol", SKIPPED) in events


async def test_medicines_are_recorded_never_commented_on(repository, dispatcher, domain):
    text = "lorazepam 2mg at night and some quinine tablets?"
    tracker = visit_answer(text, "ask_medication_safety", "visit_medicines")
    events = await ValidateDoctorVisitForm(repository).run(dispatcher, tracker, domain)
    assert SlotSet("visit_medicines", text) in events
    assert dispatcher.messages == []  # no answer, no warning, no dose talk: only recorded for the doctor


async def test_a_red_flag_in_an_answer_gets_urgent_advice_first(repository, dispatcher, domain):
    text = "my calf, it is swollen and red since yesterday"
    tracker = visit_answer(text, "inform", "visit_muscle")
    events = await ValidateDoctorVisitForm(repository).run(dispatcher, tracker, domain)
    assert responses(dispatcher)[:2] == ["utter_knowledge_answer", "utter_disclaimer"]
    assert dispatcher.messages[0]["answer_id"] == "red_flags/red_flag:dvt_signs"
    assert SlotSet("visit_muscle", text) in events


async def test_a_question_is_answered_and_the_question_asked_again(repository, dispatcher, domain):
    tracker = visit_answer("wait, what causes these cramps?", "ask_causes", "visit_exercise")
    events = await ValidateDoctorVisitForm(repository).run(dispatcher, tracker, domain)
    assert SlotSet("visit_exercise", None) in events
    assert responses(dispatcher) == ["utter_knowledge_answer", "utter_disclaimer", "utter_back_to_doctor_visit"]


async def test_an_empty_answer_is_asked_again(repository, dispatcher, domain):
    events = await ValidateDoctorVisitForm(repository).run(
        dispatcher, visit_answer("  \x00 ", "inform", "visit_fluids"), domain
    )
    assert SlotSet("visit_fluids", None) in events and responses(dispatcher) == ["utter_wrong_visit_answer"]


async def test_a_finished_symptom_check_fills_the_notes_it_can(repository, dispatcher, domain):
    slots = {
        "red_flags": "none",
        "severity": "severe",
        "frequency": "frequent",
        "duration": "minutes",
        "treatment_helped": "not_helped",
    }
    events = await ActionAnswerReferral(repository).run(
        dispatcher, make_tracker("nothing", "inform", slots=slots), domain
    )
    assert SlotSet("visit_frequency", "several times a week or more" + FROM_CHECK) in events
    assert SlotSet("visit_duration", "a few minutes" + FROM_CHECK) in events
    assert SlotSet("visit_severity", "severe" + FROM_CHECK) in events
    assert SlotSet("visit_tried", "nothing I tried helped" + FROM_CHECK) in events


def test_the_summary_lists_every_question_marks_skips_and_ends_with_the_disclaimer():
    slots = {slot: f"answer {i}" for i, slot in enumerate(VISIT_QUESTIONS)}
    slots.update(visit_alcohol=SKIPPED, visit_duration="a few minutes" + FROM_CHECK)
    text = summary_text(slots, "DISCLAIMER TEXT", dt.date(2026, 11, 25))
    lines = text.splitlines()
    assert lines[0] == "Leg cramps: notes for my doctor (2026-11-25)"
    assert "- Alcohol: not answered" in lines
    assert "- How long a cramp lasts: a few minutes (from the symptom check)" in lines
    assert "- Medicines I take: answer 3" in lines
    assert not any(line.startswith("- How bad") for line in lines)  # unknown extras are left out
    assert lines[-1] == "DISCLAIMER TEXT" and len([x for x in lines if x.startswith("- ")]) == 9


async def test_the_summary_message_carries_the_text_for_a_download_and_clears_the_notes(dispatcher, domain):
    slots = {slot: "x" for slot in VISIT_QUESTIONS}
    events = await ActionDoctorVisitSummary().run(dispatcher, make_tracker("x", "inform", slots=slots), domain)
    ready, summary = dispatcher.messages
    assert ready["response"] == "utter_doctor_visit_summary_ready"
    assert summary["custom"] == {"summary_text": summary["text"], "filename": SUMMARY_FILENAME}
    assert DISCLAIMER in summary["text"]
    assert all(SlotSet(slot, None) in events for slot in VISIT_QUESTIONS)


async def test_stop_leaves_the_notes_and_clears_them(dispatcher, domain):
    tracker = make_tracker("stop", "stop", slots={"visit_started": "May"}, active_loop="doctor_visit_form")
    events = await ActionStopDoctorVisit().run(dispatcher, tracker, domain)
    assert (
        events[:2] == [ActiveLoop(None), SlotSet("requested_slot", None)] and SlotSet("visit_started", None) in events
    )
    assert responses(dispatcher) == ["utter_doctor_visit_stopped"]
