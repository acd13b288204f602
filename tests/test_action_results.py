"""patches/action_results.py: the cached check of action server responses accepts and refuses exactly what
Rasa's own check does, with the same error message, and is what Rasa's RemoteAction runs once our
channels are loaded."""

from __future__ import annotations

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa_sdk.events import ActiveLoop, BotUttered, FollowupAction, Restarted, SlotSet, UserUtteranceReverted

import channels.rest  # noqa: F401  (loading the REST channel, as Rasa does, installs the check)
from patches import action_results

VALID = [
    {},
    {"events": [], "responses": []},
    {"events": [SlotSet("topic", "causes"), SlotSet("symptom_severity", None)], "responses": [{"text": "x"}]},
    {"events": [ActiveLoop("referral_form"), SlotSet("requested_slot", "red_flags"), ActiveLoop(None)]},
    {"events": [BotUttered("hello", {"buttons": []}), FollowupAction("action_listen")]},
    {"events": [UserUtteranceReverted(), Restarted()]},
    {"responses": [{"response": "utter_disclaimer"}, {"custom": {"summary_text": "notes"}}]},
]

INVALID = [
    {"events": [{"event": "no_such_event"}]},
    {"events": [{"event": "slot", "value": 1}]},  # a slot event without a name
    {"events": "not a list"},
    {"events": [{"event": "action", "name": 3}]},
    {"responses": ["text, not an object"]},
    {"events": [{"name": "topic", "value": "causes"}]},  # no event type
    [],
]

ACTION = RemoteAction("action_answer_causes", None)


def rasa_outcome(result):
    try:
        return action_results.ORIGINAL(ACTION, result)
    except ValidationError as e:
        return e.message


def our_outcome(result):
    try:
        return ACTION._validate_action_result(result)
    except ValidationError as e:
        return e.message


def test_rasa_runs_our_check_once_the_channels_are_loaded():
    assert RemoteAction._validate_action_result is action_results.validate_action_result


@pytest.mark.parametrize("result", VALID)
def test_a_valid_response_passes_both_checks(result):
    assert our_outcome(result) is True
    assert rasa_outcome(result) is True


@pytest.mark.parametrize("result", INVALID)
def test_an_invalid_response_fails_both_checks_with_the_same_message(result):
    ours = our_outcome(result)
    assert isinstance(ours, str) and "Failed to validate Action server response" in ours
    assert ours == rasa_outcome(result)


def test_the_validator_is_built_once():
    assert action_results.response_validator() is action_results.response_validator()


def test_the_stock_check_can_be_chosen_to_measure_the_difference(monkeypatch):
    monkeypatch.setenv("ACTION_RESULT_CHECK", "stock")
    action_results.apply()
    try:
        assert RemoteAction._validate_action_result is action_results.ORIGINAL
    finally:
        monkeypatch.delenv("ACTION_RESULT_CHECK")
        action_results.apply()
    assert RemoteAction._validate_action_result is action_results.validate_action_result


def test_an_unknown_check_is_refused(monkeypatch):
    monkeypatch.setenv("ACTION_RESULT_CHECK", "none")
    with pytest.raises(ValueError, match="ACTION_RESULT_CHECK"):
        action_results.apply()
    assert RemoteAction._validate_action_result is action_results.validate_action_result
