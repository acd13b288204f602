"""The scoring rules of bench/real_language.py, on tracker events as Rasa stores them."""

from __future__ import annotations

from bench.real_language import answered, credited, reply_labels


def test_reply_labels_read_answer_ids_forms_and_languages_after_the_last_user_message():
    tracker = {
        "events": [
            {"event": "user", "text": "old"},
            {"event": "bot", "metadata": {"answer_id": "causes/general"}},
            {"event": "user", "text": "new"},
            {"event": "bot", "metadata": {"answer_id": "red_flags/red_flag:dvt_signs"}},
            {"event": "bot", "metadata": {"utter_action": "utter_disclaimer"}},
            {"event": "bot", "metadata": {"utter_action": "utter_start_assessment"}},
            {"event": "active_loop", "name": "referral_form"},
            {"event": "bot", "metadata": {"utter_action": "utter_other_language_de"}},
        ]
    }
    assert reply_labels(tracker) == [
        "red_flags/red_flag:dvt_signs",
        "form:referral_form",
        "form:referral_form",
        "utter_other_language_de",
    ]


def test_an_answer_counts_when_acceptable_or_about_a_named_subject_of_an_acceptable_topic():
    assert answered(["causes/medication:statin"], ["causes/medication:statin"])
    assert answered(["prevention/general"], ["prevention/trigger:exercise"])
    assert not answered(["causes/medication:statin"], ["causes/general"])
    assert not answered(["prevention/general"], ["self_care/general"])
    assert not answered(["out_of_scope"], [])


def test_a_two_question_prediction_counts_for_either_question():
    assert credited("ask_causes", {"pred_intent": "ask_causes+ask_prevention"})["pred_intent"] == "ask_causes"
    assert credited("ask_triggers", {"pred_intent": "ask_causes+ask_prevention"})["pred_intent"] != "ask_triggers"
    assert credited("ask_causes", {"pred_intent": "ask_overview"})["pred_intent"] == "ask_overview"
