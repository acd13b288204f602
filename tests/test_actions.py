"""Every custom action, run as the action server runs it, against a real seeded SQLite knowledge base."""

from __future__ import annotations

import inspect

import pytest
from rasa_sdk.events import ActiveLoop, AllSlotsReset, SlotSet
from rasa_sdk.executor import ActionExecutor

import actions.follow_up
import actions.medication
import actions.red_flags
import actions.referral
import actions.topics
from actions import settings
from actions.answers import DISCLAIMER_RESPONSE, KnowledgeAction
from actions.db import session_factory
from actions.medication import ActionAnswerMedication
from actions.privacy import ActionForgetMe
from actions.red_flags import ActionRedFlag
from actions.referral import FORM_SLOTS, ActionAnswerReferral, ActionStopAssessment, ValidateReferralForm
from actions.repository import KnowledgeRepository
from actions.topics import TOPIC_BY_INTENT, ActionAnswerCauses, ActionAnswerTopic, ActionAnswerTriggers
from tests.conftest import entity, make_tracker, responses

KNOWLEDGE_ACTIONS = sorted(
    {
        cls
        for module in (actions.topics, actions.medication, actions.red_flags, actions.referral, actions.follow_up)
        for _, cls in inspect.getmembers(module, inspect.isclass)
        if issubclass(cls, KnowledgeAction) and not inspect.isabstract(cls)
    },
    key=lambda cls: cls.__name__,
)


def kb_text(repository, topic, subjects=()):
    """The answer text as users see it: the emergency number filled in."""
    return repository.answer(topic, subjects).text.replace("{emergency_number}", settings.EMERGENCY_NUMBER)


def form_answer(text, intent, slot, slots=None):
    """A tracker where the user has just answered the form's question for `slot` with `text`."""
    return make_tracker(
        text, intent, slots=slots, active_loop="referral_form", requested_slot=slot, latest_slot_events={slot: text}
    )


def answers_of(dispatcher):
    """(answer text, source) of every knowledge-base answer sent."""
    return [(m["answer"], m["source"]) for m in dispatcher.messages if "answer" in m]


def test_registered_actions_match_the_domain(domain):
    executor = ActionExecutor()
    executor.register_package("actions")
    assert set(executor.actions) == set(domain["actions"])
    assert len(KNOWLEDGE_ACTIONS) == 8


@pytest.mark.parametrize("action_class", KNOWLEDGE_ACTIONS, ids=lambda c: c.__name__)
async def test_every_health_answer_ends_with_the_disclaimer(action_class, repository, dispatcher, domain):
    context = {"last_topic": "causes", "last_subject": "medication:statin"}  # a follow-up follows an answer
    tracker = make_tracker("tell me", "ask_overview", slots=context)
    events = await action_class(repository).run(dispatcher, tracker, domain)
    assert responses(dispatcher)[-1] == DISCLAIMER_RESPONSE
    assert answers_of(dispatcher), "a health answer was sent before the disclaimer"
    assert isinstance(events, list)


@pytest.mark.parametrize("action_class", KNOWLEDGE_ACTIONS, ids=lambda c: c.__name__)
async def test_an_unreachable_knowledge_base_gives_a_safe_answer(action_class, kb_url, dispatcher, domain):
    empty = KnowledgeRepository(session_factory(kb_url))  # never seeded
    context = {"last_topic": "causes", "last_subject": "medication:statin"}  # a follow-up follows an answer
    await action_class(empty).run(dispatcher, make_tracker("what causes cramps", "ask_causes", slots=context), domain)
    assert responses(dispatcher) == ["utter_knowledge_unavailable", DISCLAIMER_RESPONSE]
    assert "emergency" not in dispatcher.messages[0] or dispatcher.messages[0]["emergency_number"]


def test_the_disclaimer_text_lives_in_the_domain(domain):
    (disclaimer,) = domain["responses"][DISCLAIMER_RESPONSE]
    assert "not a substitute for professional medical advice" in disclaimer["text"]


async def test_causes_about_a_named_condition(repository, dispatcher, domain):
    tracker = make_tracker("can being pregnant cause cramps", "ask_causes", [entity("condition", "pregnancy")])
    await ActionAnswerCauses(repository).run(dispatcher, tracker, domain)
    expected = repository.answer("causes", [("condition", "pregnancy")])
    assert answers_of(dispatcher) == [(expected.text, expected.source)]


async def test_causes_in_general_when_nothing_is_named(repository, dispatcher, domain):
    await ActionAnswerCauses(repository).run(dispatcher, make_tracker("what causes cramps", "ask_causes"), domain)
    assert answers_of(dispatcher)[0][0] == kb_text(repository, "causes")


async def test_an_entity_value_that_is_a_term_is_normalised(repository, dispatcher, domain):
    tracker = make_tracker("do cramps come from being dehydrated", "ask_triggers", [entity("trigger", "dehydrated")])
    await ActionAnswerTriggers(repository).run(dispatcher, tracker, domain)
    assert answers_of(dispatcher)[0][0] == kb_text(repository, "triggers", [("trigger", "dehydration")])


@pytest.mark.parametrize("intent, topic", sorted(TOPIC_BY_INTENT.items()))
async def test_generic_topic_answers(intent, topic, repository, dispatcher, domain):
    await ActionAnswerTopic(repository).run(dispatcher, make_tracker("?", intent), domain)
    assert answers_of(dispatcher)[0][0] == kb_text(repository, topic)


@pytest.mark.parametrize(
    "term, key", [("quinine", "quinine"), ("tonic water", "tonic_water"), ("lorazepam", "benzodiazepine")]
)
async def test_medication_answers_name_no_dose(term, key, repository, dispatcher, domain):
    tracker = make_tracker(f"how much {term} should I take", "ask_medication_safety", [entity("medication", term)])
    await ActionAnswerMedication(repository).run(dispatcher, tracker, domain)
    sent = answers_of(dispatcher)
    assert sent[0][0] == kb_text(repository, "medication", [("medication", key)])
    assert sent[1][0] == kb_text(repository, "medication")  # the general rules follow every named medicine
    if key in ("quinine", "tonic_water"):
        assert "FDA" in " ".join(t + s for t, s in sent)


async def test_red_flag_outside_the_form(repository, dispatcher, domain):
    tracker = make_tracker("my calf is swollen and red", "report_red_flag", [entity("red_flag", "dvt_signs")])
    events = await ActionRedFlag(repository).run(dispatcher, tracker, domain)
    assert answers_of(dispatcher)[0][0] == kb_text(repository, "red_flags", [("red_flag", "dvt_signs")])
    assert events[0] == SlotSet("referral_level", "urgent")


async def test_chest_pain_comes_first_and_names_the_emergency_number(repository, dispatcher, domain):
    tracker = make_tracker("my leg is swollen and now I have chest pain", "report_red_flag")
    await ActionRedFlag(repository).run(dispatcher, tracker, domain)
    first = answers_of(dispatcher)[0][0]
    assert first == kb_text(repository, "red_flags", [("red_flag", "chest_symptoms")])
    assert "911" in first and "{emergency_number}" not in first


async def test_red_flag_in_the_middle_of_the_form_ends_it(repository, dispatcher, domain):
    tracker = make_tracker(
        "I also can't feel my foot, it's numb",
        "report_red_flag",
        slots={"red_flags": "none"},
        active_loop="referral_form",
        requested_slot="severity",
    )
    events = await ActionRedFlag(repository).run(dispatcher, tracker, domain)
    assert answers_of(dispatcher)[0][0] == kb_text(repository, "red_flags", [("red_flag", "neuro_symptoms")])
    assert ActiveLoop(None) in events and SlotSet("requested_slot", None) in events
    assert all(SlotSet(slot, None) in events for slot in FORM_SLOTS)


async def test_other_answers_warn_of_a_red_flag_first(repository, dispatcher, domain):
    tracker = make_tracker("what causes cramps? my calf is swollen", "ask_causes")
    await ActionAnswerCauses(repository).run(dispatcher, tracker, domain)
    sent = answers_of(dispatcher)
    assert sent[0][0] == kb_text(repository, "red_flags", [("red_flag", "dvt_signs")])
    assert sent[1][0] == kb_text(repository, "causes")


async def test_a_negated_red_flag_is_not_a_red_flag(repository, dispatcher, domain):
    tracker = make_tracker("what causes cramps? there is no swelling", "ask_causes")
    await ActionAnswerCauses(repository).run(dispatcher, tracker, domain)
    assert [a for a, _ in answers_of(dispatcher)] == [kb_text(repository, "causes")]


@pytest.mark.parametrize(
    "slot, text, value",
    [
        ("red_flags", "none of these", "none"),
        ("severity", "8 out of 10", "severe"),
        ("frequency", "every night", "frequent"),
        ("duration", "a few seconds", "seconds"),
        ("treatment_helped", "nothing helped", "not_helped"),
    ],
)
async def test_form_validation_normalises_answers(slot, text, value, repository, dispatcher, domain):
    tracker = form_answer(text, "inform", slot)
    events = await ValidateReferralForm(repository).run(dispatcher, tracker, domain)
    assert SlotSet(slot, value) in events
    assert dispatcher.messages == []


@pytest.mark.parametrize("slot", FORM_SLOTS)
async def test_form_validation_reasks_on_nonsense(slot, repository, dispatcher, domain):
    tracker = form_answer("asdf qwerty", "inform", slot)
    events = await ValidateReferralForm(repository).run(dispatcher, tracker, domain)
    assert SlotSet(slot, None) in events
    assert responses(dispatcher) == [f"utter_wrong_{slot}"]


async def test_form_validation_warns_of_a_red_flag_the_nlu_missed(repository, dispatcher, domain):
    text = "pretty bad, and the calf is swollen"
    tracker = form_answer(text, "inform", "severity", slots={"red_flags": "none"})
    events = await ValidateReferralForm(repository).run(dispatcher, tracker, domain)
    assert answers_of(dispatcher)[0][0] == kb_text(repository, "red_flags", [("red_flag", "dvt_signs")])
    assert responses(dispatcher)[1] == DISCLAIMER_RESPONSE
    assert SlotSet("severity", "moderate") in events


@pytest.mark.parametrize(
    "answers, level",
    [
        (
            {
                "red_flags": "none",
                "severity": "severe",
                "frequency": "frequent",
                "duration": "seconds",
                "treatment_helped": "not_helped",
            },
            "see_doctor",
        ),
        (
            {
                "red_flags": "none",
                "severity": "mild",
                "frequency": "occasional",
                "duration": "seconds",
                "treatment_helped": "helped",
            },
            "self_care",
        ),
        (
            {
                "red_flags": "dvt_signs",
                "severity": "mild",
                "frequency": "occasional",
                "duration": "seconds",
                "treatment_helped": "helped",
            },
            "urgent",
        ),
        (
            {
                "red_flags": "none",
                "severity": "mild",
                "frequency": "occasional",
                "duration": "long",
                "treatment_helped": "helped",
            },
            "urgent",
        ),
    ],
)
async def test_referral_after_the_form(answers, level, repository, dispatcher, domain):
    events = await ActionAnswerReferral(repository).run(
        dispatcher, make_tracker("yes", "inform", slots=answers), domain
    )
    assert answers_of(dispatcher)[0][0] == kb_text(repository, "when_to_see_doctor", [("level", level)])
    assert responses(dispatcher)[1:] == ["utter_referral_reasons", "utter_ask_feedback", DISCLAIMER_RESPONSE]
    assert SlotSet("referral_level", level) in events
    assert all(SlotSet(slot, None) in events for slot in FORM_SLOTS)


async def test_referral_asked_directly_gives_the_general_answer(repository, dispatcher, domain):
    await ActionAnswerReferral(repository).run(
        dispatcher, make_tracker("when to see a GP", "ask_when_to_see_doctor"), domain
    )
    assert answers_of(dispatcher)[0][0] == kb_text(repository, "when_to_see_doctor")


async def test_forget_me_resets_the_conversation(dispatcher, domain):
    events = await ActionForgetMe().run(dispatcher, make_tracker("delete my data", "forget_me"), domain)
    assert events == [ActiveLoop(None), AllSlotsReset()]
    assert responses(dispatcher) == ["utter_forget_me_done"]


def test_every_response_an_action_uses_is_in_the_domain(domain):
    used = {
        "utter_knowledge_answer",
        "utter_knowledge_answer_with_evidence",
        "utter_knowledge_unavailable",
        "utter_referral_reasons",
        "utter_forget_me_done",
        DISCLAIMER_RESPONSE,
    }
    used |= {f"utter_wrong_{slot}" for slot in FORM_SLOTS} | {f"utter_ask_{slot}" for slot in FORM_SLOTS}
    assert used <= set(domain["responses"])


async def test_stop_leaves_the_form_and_forgets_its_answers(dispatcher, domain):
    tracker = make_tracker(
        "stop",
        "stop",
        slots={"red_flags": "none", "severity": "mild"},
        active_loop="referral_form",
        requested_slot="frequency",
    )
    events = await ActionStopAssessment().run(dispatcher, tracker, domain)
    assert events[:2] == [ActiveLoop(None), SlotSet("requested_slot", None)]
    assert all(SlotSet(slot, None) in events for slot in FORM_SLOTS)
    assert responses(dispatcher) == ["utter_assessment_stopped"]


async def test_a_question_in_the_middle_of_the_form_is_answered_then_the_form_goes_on(repository, dispatcher, domain):
    text = "wait, what actually causes these cramps?"
    tracker = form_answer(text, "ask_causes", "severity", slots={"red_flags": "none"})
    events = await ValidateReferralForm(repository).run(dispatcher, tracker, domain)
    assert SlotSet("severity", None) in events
    assert answers_of(dispatcher)[0][0] == kb_text(repository, "causes")
    assert responses(dispatcher)[1:] == [DISCLAIMER_RESPONSE, "utter_back_to_assessment"]
