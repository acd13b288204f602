"""The turn around an answer: pleasantries, stories, follow-ups, two questions, the fallback and neighbours,
run as the action server runs them against a real seeded SQLite knowledge base."""

from __future__ import annotations

import json

import pytest

from actions.answers import DISCLAIMER_RESPONSE, OFFER_ASSESSMENT_RESPONSE
from actions.conversation import acknowledgement, is_story, parse_subject, subject_of
from actions.follow_up import ActionAnswerFollowUp, ActionAnswerParts
from actions.medication import ActionAnswerMedication
from actions.topics import ActionAnswerCauses, ActionAnswerTopic
from actions.unanswered import ActionUnanswered
from tests.conftest import entity, make_tracker, responses


def answer_ids(dispatcher):
    return [m["answer_id"] for m in dispatcher.messages if m.get("answer_id")]


def slot(events, name):
    values = [e["value"] for e in events if e.get("event") == "slot" and e.get("name") == name]
    return values[-1] if values else None


@pytest.mark.parametrize(
    "text, expected",
    [
        ("ok thanks, and can stretching stop them happening?", "utter_acknowledge_thanks"),
        ("Thanks! and why at night?", "utter_acknowledge_thanks"),
        ("thank you so much. what about water pills", "utter_acknowledge_thanks"),
        ("Hi there, what causes leg cramps?", "utter_acknowledge_greeting"),
        ("what causes leg cramps?", None),
        ("thanks", None),
        ("this is not what I meant, thanks for nothing?", None),
    ],
)
def test_a_pleasantry_before_a_question_is_acknowledged(text, expected):
    assert acknowledgement(text) == expected


@pytest.mark.parametrize(
    "text, story",
    [
        (
            "My doctor started me on a tablet for my blood pressure in the spring and since then my feet cramp "
            "most evenings. Is the tablet to blame?",
            True,
        ),
        ("my mum is 80 and keeps getting woken by cramps in her thighs, she has had them every night this week", True),
        ("do statins give you cramps?", False),
        ("What to do for leg cramps ?", False),
        ("what are the causes of leg cramps at night in older people who take water tablets and statins", False),
    ],
)
def test_stories_are_told_apart_from_questions(text, story):
    assert is_story(text) is story


def test_answer_ids_and_slots_round_trip():
    assert subject_of("causes/medication:statin") == ("medication", "statin")
    assert subject_of("causes/general") is None
    assert parse_subject("medication:statin") == ("medication", "statin")
    assert parse_subject(None) is None


async def test_thanks_and_a_question_get_both_in_order(repository, dispatcher, domain):
    tracker = make_tracker("ok thanks, and can stretching stop them happening?", "ask_prevention")
    await ActionAnswerTopic(repository).run(dispatcher, tracker, domain)
    sent = responses(dispatcher)
    assert sent[0] == "utter_acknowledge_thanks"
    assert answer_ids(dispatcher)[0] == "prevention/general"
    assert DISCLAIMER_RESPONSE in sent


async def test_a_story_with_a_question_gets_the_answer_then_the_offer(repository, dispatcher, domain):
    text = (
        "My doctor started me on a water tablet for my blood pressure in the spring and since then my feet cramp "
        "most evenings. Is the tablet to blame?"
    )
    tracker = make_tracker(text, "ask_causes", [entity("medication", "water tablet")])
    await ActionAnswerCauses(repository).run(dispatcher, tracker, domain)
    sent = responses(dispatcher)
    assert answer_ids(dispatcher)[0] == "causes/medication:diuretic"
    assert sent[-1] == OFFER_ASSESSMENT_RESPONSE
    assert sent.index(DISCLAIMER_RESPONSE) < sent.index(OFFER_ASSESSMENT_RESPONSE)


@pytest.mark.parametrize(
    "text, entities, expected",
    [
        (
            "why do my calves cramp after swimming?",
            [("body_part", "calves"), ("trigger", "swimming")],
            "triggers/trigger:exercise",  # causes has no answer about exercise: the triggers topic's
        ),
        (
            "why do my calves cramp at night?",
            [("body_part", "calves"), ("trigger", "at night")],
            "causes/trigger:night",
        ),
        (
            "why do my calves cramp on statins when I swim?",
            [("medication", "statins"), ("trigger", "swim")],
            "causes/medication:statin",
        ),
    ],
)
async def test_a_cause_question_about_a_trigger_gets_the_answer_about_that_trigger(
    repository, dispatcher, domain, text, entities, expected
):
    tracker = make_tracker(text, "ask_causes", [entity(kind, value) for kind, value in entities])
    await ActionAnswerCauses(repository).run(dispatcher, tracker, domain)
    assert answer_ids(dispatcher)[0] == expected


async def test_a_plain_question_gets_no_offer(repository, dispatcher, domain):
    await ActionAnswerCauses(repository).run(
        dispatcher, make_tracker("do statins give you cramps?", "ask_causes"), domain
    )
    assert OFFER_ASSESSMENT_RESPONSE not in responses(dispatcher)


async def test_an_answer_remembers_its_topic_and_subject(repository, dispatcher, domain):
    tracker = make_tracker("do statins give you cramps?", "ask_causes", [entity("medication", "statins")])
    events = await ActionAnswerCauses(repository).run(dispatcher, tracker, domain)
    assert slot(events, "last_topic") == "causes"
    assert slot(events, "last_subject") == "medication:statin"


async def test_a_follow_up_answers_the_previous_topic_for_the_new_subject(repository, dispatcher, domain):
    tracker = make_tracker(
        "and what about water pills?",
        "follow_up",
        [entity("medication", "water pills")],
        slots={"last_topic": "causes", "last_subject": "medication:statin"},
    )
    events = await ActionAnswerFollowUp(repository).run(dispatcher, tracker, domain)
    assert answer_ids(dispatcher)[0] == "causes/medication:diuretic"
    assert DISCLAIMER_RESPONSE in responses(dispatcher)
    assert slot(events, "last_subject") == "medication:diuretic"


async def test_a_follow_up_about_a_subject_the_topic_lacks_finds_the_topic_that_has_it(repository, dispatcher, domain):
    assert "self_care" not in repository.covering(("condition", "pregnancy"))
    tracker = make_tracker(
        "is that the same in pregnancy?",
        "follow_up",
        [entity("condition", "pregnancy")],
        slots={"last_topic": "self_care", "last_subject": None},
    )
    await ActionAnswerFollowUp(repository).run(dispatcher, tracker, domain)
    topic, _, subject = answer_ids(dispatcher)[0].partition("/")
    assert subject == "condition:pregnancy"
    assert topic in repository.covering(("condition", "pregnancy"))


async def test_why_after_an_answer_gives_the_causes_of_its_subject(repository, dispatcher, domain):
    tracker = make_tracker(
        "why?", "follow_up", slots={"last_topic": "risk_groups", "last_subject": "condition:pregnancy"}
    )
    await ActionAnswerFollowUp(repository).run(dispatcher, tracker, domain)
    assert answer_ids(dispatcher)[0] == "causes/condition:pregnancy"


async def test_a_follow_up_naming_nothing_new_asks_rather_than_repeating(repository, dispatcher, domain):
    await ActionAnswerFollowUp(repository).run(dispatcher, make_tracker("and at night?", "follow_up"), domain)
    assert responses(dispatcher)[0] == "utter_follow_up_unclear"
    assert not answer_ids(dispatcher)


async def test_a_follow_up_naming_nothing_after_a_subject_answer_gives_the_general_one(repository, dispatcher, domain):
    tracker = make_tracker(
        "and in general?", "follow_up", slots={"last_topic": "causes", "last_subject": "medication:statin"}
    )
    await ActionAnswerFollowUp(repository).run(dispatcher, tracker, domain)
    assert answer_ids(dispatcher) == ["causes/general"]


async def test_blood_pressure_tablets_are_a_medicine_that_can_cause_cramps(repository, dispatcher, domain):
    tracker = make_tracker(
        "and what about blood pressure tablets?",
        "follow_up",
        [entity("medication", "blood pressure tablets")],
        slots={"last_topic": "causes", "last_subject": "medication:statin"},
    )
    await ActionAnswerFollowUp(repository).run(dispatcher, tracker, domain)
    assert answer_ids(dispatcher)[0] == "causes/medication:blood_pressure_medicine"


async def test_two_questions_get_two_answers_in_order(repository, dispatcher, domain):
    tracker = make_tracker("what causes them and how do I stop them coming back?", "ask_causes+ask_prevention")
    await ActionAnswerParts(repository).run(dispatcher, tracker, domain)
    assert answer_ids(dispatcher)[:2] == ["causes/general", "prevention/general"]
    assert responses(dispatcher).count(DISCLAIMER_RESPONSE) == 1


async def test_each_part_of_two_questions_is_about_the_subject_its_topic_puts_first(repository, dispatcher, domain):
    tracker = make_tracker(
        "he's on water tablets and gets calf cramps at night. could it be the tablets and what can he do?",
        "ask_causes+ask_self_care",
        [entity("medication", "water tablets"), entity("trigger", "at night")],
    )
    await ActionAnswerParts(repository).run(dispatcher, tracker, domain)
    assert answer_ids(dispatcher)[:2] == ["causes/medication:diuretic", "self_care/general"]


def ranked(*pairs):
    return [{"name": name, "confidence": confidence} for name, confidence in pairs]


async def test_the_fallback_offers_the_likely_topics_as_buttons(repository, dispatcher, domain):
    tracker = make_tracker("statins n legs??", "nlu_fallback", [entity("medication", "statins")])
    tracker.latest_message["intent_ranking"] = ranked(
        ("nlu_fallback", 0.4),
        ("ask_causes", 0.35),
        ("ask_medication_safety", 0.3),
        ("greet", 0.2),
        ("ask_triggers", 0.1),
    )
    await ActionUnanswered(repository).run(dispatcher, tracker, domain)
    [message] = dispatcher.messages
    assert message["response"] == "utter_did_you_mean"
    payloads = [b["payload"] for b in message["buttons"]]
    assert payloads[:3] == [
        "/ask_causes" + json.dumps({"medication": "statin"}),
        "/ask_medication_safety" + json.dumps({"medication": "statin"}),
        "/ask_triggers" + json.dumps({"medication": "statin"}),
    ]
    assert payloads[-1] == "/out_of_scope"
    titles = [b["title"] for b in message["buttons"]]
    assert titles[0] == domain["responses"]["utter_topic_ask_causes"][0]["text"]


async def test_the_fallback_checks_for_warning_signs_first(repository, dispatcher, domain):
    tracker = make_tracker("hmm my calf is swollen and red and hot", "nlu_fallback")
    tracker.latest_message["intent_ranking"] = ranked(("nlu_fallback", 0.4), ("ask_causes", 0.3))
    await ActionUnanswered(repository).run(dispatcher, tracker, domain)
    ids = answer_ids(dispatcher)
    assert ids and ids[0].startswith("red_flags/")
    assert responses(dispatcher)[-1] == DISCLAIMER_RESPONSE
    assert "utter_did_you_mean" not in responses(dispatcher)


async def test_a_neighbouring_condition_gets_a_pointer_not_a_leg_cramp_answer(repository, dispatcher, domain):
    tracker = make_tracker("are period cramps the same thing?", "out_of_scope", [entity("condition", "period cramps")])
    await ActionUnanswered(repository).run(dispatcher, tracker, domain)
    assert answer_ids(dispatcher) == ["neighbours/condition:period_pain"]
    assert responses(dispatcher)[-1] == DISCLAIMER_RESPONSE


async def test_a_question_about_a_neighbour_gets_its_pointer_not_a_leg_cramp_topic(repository, dispatcher, domain):
    tracker = make_tracker(
        "how do I stop period cramps coming back?", "ask_prevention", [entity("condition", "period cramps")]
    )
    await ActionAnswerTopic(repository).run(dispatcher, tracker, domain)
    assert answer_ids(dispatcher) == ["neighbours/condition:period_pain"]


async def test_a_topic_that_covers_the_neighbour_answers_it_itself(repository, dispatcher, domain):
    tracker = make_tracker("what causes restless legs?", "ask_causes", [entity("condition", "restless legs")])
    await ActionAnswerCauses(repository).run(dispatcher, tracker, domain)
    assert answer_ids(dispatcher) == ["causes/condition:restless_legs_syndrome"]


async def test_a_medicine_question_about_a_neighbour_gets_its_pointer_then_the_medicine_rules(
    repository, dispatcher, domain
):
    """Magnesium for night cramps is not the question; restless legs is not a cramp."""
    tracker = make_tracker(
        "is magnesium good for restless legs?",
        "ask_medication_safety",
        [entity("medication", "magnesium"), entity("condition", "restless legs")],
    )
    await ActionAnswerMedication(repository).run(dispatcher, tracker, domain)
    assert answer_ids(dispatcher) == ["neighbours/condition:restless_legs_syndrome", "medication/general"]


async def test_a_message_not_understood_that_names_a_neighbour_gets_its_pointer(repository, dispatcher, domain):
    tracker = make_tracker(
        "she wakes up with leg cramps, could they really be growing pains?",
        "nlu_fallback",
        [entity("condition", "growing pains")],
    )
    tracker.latest_message["intent_ranking"] = ranked(("nlu_fallback", 0.25), ("ask_symptoms", 0.2))
    await ActionUnanswered(repository).run(dispatcher, tracker, domain)
    assert answer_ids(dispatcher) == ["neighbours/condition:growing_pains"]
    assert "utter_did_you_mean" not in responses(dispatcher)


async def test_plain_out_of_scope_gets_the_usual_reply(repository, dispatcher, domain):
    await ActionUnanswered(repository).run(dispatcher, make_tracker("what's the weather", "out_of_scope"), domain)
    assert responses(dispatcher) == ["utter_out_of_scope"]


def test_every_fallback_choice_has_a_rule_and_a_title(domain):
    titles = {name for name in domain["responses"] if name.startswith("utter_topic_")}
    intents = set(domain["intents"])
    assert {t.removeprefix("utter_topic_") for t in titles} <= intents


def test_every_multi_intent_has_known_parts(domain):
    from actions.topics import QUESTION_TOPICS

    multi = [i for i in domain["intents"] if "+" in i]
    assert multi
    for intent in multi:
        assert all(part in QUESTION_TOPICS for part in intent.split("+")), intent


async def test_a_warning_sign_in_the_story_that_starts_the_assessment_comes_first(repository, dispatcher, domain):
    from actions.referral import ActionStartAssessment

    text = "my mum is 83, her left calf has been swollen and hot since her knee operation and the cramps are worse"
    events = await ActionStartAssessment(repository).run(dispatcher, make_tracker(text, "report_symptoms"), domain)
    sent = responses(dispatcher)
    assert answer_ids(dispatcher)[0].startswith("red_flags/")
    assert sent[-2:] == [DISCLAIMER_RESPONSE, "utter_start_assessment"]
    assert slot(events, "red_flags")


async def test_a_story_without_a_warning_sign_or_a_cause_starts_the_assessment_at_once(repository, dispatcher, domain):
    from actions.referral import ActionStartAssessment

    text = "my dad gets cramps in his calves, no swelling or redness, they go after a minute"
    events = await ActionStartAssessment(repository).run(dispatcher, make_tracker(text, "report_symptoms"), domain)
    assert responses(dispatcher) == ["utter_start_assessment"]
    assert events == []


@pytest.mark.parametrize(
    "text, entities, expected",
    [
        (
            "I went for a long run yesterday and last night my calf cramped so badly it woke me",
            [{"entity": "trigger", "value": "night"}, {"entity": "trigger", "value": "long run"}],
            "triggers/trigger:exercise",  # the run, not the night it happened in
        ),
        (
            "it woke me at 3am. Hours later, my calf still aches and I'm limping a bit",
            [{"entity": "trigger", "value": "night"}],
            "duration/general",  # the soreness, not the night it happened in
        ),
        (
            "I started atorvastatin in the spring and my legs have cramped at night ever since",
            [{"entity": "trigger", "value": "night"}, {"entity": "medication", "value": "atorvastatin"}],
            "medication/medication:statin",
        ),
    ],
)
async def test_a_story_that_names_a_cause_or_soreness_is_answered_before_the_assessment(
    repository, dispatcher, domain, text, entities, expected
):
    from actions.referral import ActionStartAssessment

    tracker = make_tracker(text, "report_symptoms", entities=entities)
    events = await ActionStartAssessment(repository).run(dispatcher, tracker, domain)
    assert answer_ids(dispatcher) == [expected]
    assert responses(dispatcher)[-2:] == [DISCLAIMER_RESPONSE, "utter_start_assessment"]
    assert events == []


async def test_the_form_accepts_the_warning_signs_recorded_at_its_start(repository, dispatcher, domain):
    from actions.referral import ValidateReferralForm

    form = ValidateReferralForm(repository)
    tracker = make_tracker("my calf is swollen", "report_symptoms")
    result = form.validate_red_flags("dvt_signs,worsening_one_leg", dispatcher, tracker, domain)
    assert result == {"red_flags": "dvt_signs,worsening_one_leg"}
    assert dispatcher.messages == []
