"""The referral (triage) form: validation of each answer and the referral at its end."""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.answers import KNOWLEDGE_ERRORS, Answers, KnowledgeAction, apologise, disclaim, latest_intent
from actions.doctor_visit import carry_over_referral
from actions.repository import KnowledgeRepository
from actions.topics import QUESTION_TOPICS, kinds_for
from actions.triage import (
    NO_RED_FLAGS,
    RED_FLAG_LEVELS,
    decide,
    find_red_flags,
    parse_duration,
    parse_frequency,
    parse_no_red_flags,
    parse_severity,
    parse_treatment_helped,
)

FORM_SLOTS = ["red_flags", "severity", "frequency", "duration", "treatment_helped"]
REFERRAL_TOPIC = "when_to_see_doctor"
STORY_ANSWER_TOPICS = {"medication": "medication", "trigger": "triggers"}
"""What a story that starts the assessment is answered about first: the topic for each kind of subject it names."""
STORY_ANSWER_KINDS = list(STORY_ANSWER_TOPICS)
NIGHT = ("trigger", "night")
LINGERING = re.compile(r"\b(?:still|hours later|next day|day after|morning after|all day)\b", re.I)
SORE = re.compile(r"\b(?:sore|soreness|aches?|aching|achy|tender|tight|taut|stiff|bruised|limp(?:ing)?)\b", re.I)
"""A sentence with both tells of a muscle still sore after the cramp ("Hours later, my leg still aches"): the
duration answer says that is normal for up to a day (a cramp that will not ease is a warning sign, read first)."""
DURATION_TOPIC = "duration"


def still_sore(text: str) -> bool:
    return any(LINGERING.search(sentence) and SORE.search(sentence) for sentence in re.split(r"[.!?\n]+", text))


def clear_form_slots() -> List[EventType]:
    return [SlotSet(slot, None) for slot in FORM_SLOTS]


def end_assessment() -> List[EventType]:
    """Leave the form and forget its answers, so a new assessment starts from the first question."""
    return [ActiveLoop(None), SlotSet("requested_slot", None), *clear_form_slots()]


def is_recorded_answer(value: str) -> bool:
    """A red_flags slot value as the form stores it: known sign keys joined by commas, or NO_RED_FLAGS."""
    keys = value.split(",")
    return value == NO_RED_FLAGS or (bool(value) and all(key in RED_FLAG_LEVELS for key in keys))


class ValidateReferralForm(FormValidationAction):
    def __init__(self, repository: Optional[KnowledgeRepository] = None) -> None:
        self.kb = Answers(repository)

    def name(self) -> str:
        return "validate_referral_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        """Validate the answer, but first give urgent advice if it names a red flag the NLU did not catch."""
        try:
            # at activation, action_start_assessment has read the story already
            if latest_intent(tracker) != "report_red_flag" and tracker.active_loop.get("name"):
                flags = self.kb.warn_of_red_flags(dispatcher, tracker.latest_message.get("text") or "")
                if flags:
                    disclaim(dispatcher)
            return await super().run(dispatcher, tracker, domain)
        except KNOWLEDGE_ERRORS:
            apologise(dispatcher, self.name())
            disclaim(dispatcher)
            return []

    def checked(
        self, slot: str, value: Optional[str], dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> Dict[str, Any]:
        """Accept a parsed answer; otherwise answer the question the user asked instead, or say what is expected.

        Either way the form then asks for the slot again."""
        if value is None:
            topic = QUESTION_TOPICS.get(latest_intent(tracker))
            if topic:
                self.kb.say(dispatcher, topic, self.kb.mentioned(tracker, kinds_for(topic)))
                disclaim(dispatcher)
                dispatcher.utter_message(response="utter_back_to_assessment")
            else:
                dispatcher.utter_message(response=f"utter_wrong_{slot}")
        return {slot: value}

    def validate_red_flags(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        text = str(value or "")
        if is_recorded_answer(text):  # set by action_start_assessment from the story that started the assessment
            return {"red_flags": text}
        flags = find_red_flags(text)
        answer = ",".join(flags) if flags else NO_RED_FLAGS if parse_no_red_flags(text) else None
        return self.checked("red_flags", answer, dispatcher, tracker)

    def validate_severity(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        return self.checked("severity", parse_severity(str(value or "")), dispatcher, tracker)

    def validate_frequency(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        return self.checked("frequency", parse_frequency(str(value or "")), dispatcher, tracker)

    def validate_duration(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        return self.checked("duration", parse_duration(str(value or "")), dispatcher, tracker)

    def validate_treatment_helped(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        return self.checked("treatment_helped", parse_treatment_helped(str(value or "")), dispatcher, tracker)


class ActionAnswerReferral(KnowledgeAction):
    """After the form: the referral level and why. Asked directly: the general 'when to see a doctor'."""

    def name(self) -> str:
        return "action_answer_referral"

    async def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        answers = {slot: tracker.get_slot(slot) for slot in FORM_SLOTS}
        if any(value is None for value in answers.values()):
            self.kb.say(dispatcher, REFERRAL_TOPIC)
            return []
        flags = [] if answers["red_flags"] == NO_RED_FLAGS else answers["red_flags"].split(",")
        referral = decide(
            flags, answers["severity"], answers["frequency"], answers["duration"], answers["treatment_helped"]
        )
        self.kb.say(dispatcher, REFERRAL_TOPIC, [("level", referral.level)])
        dispatcher.utter_message(response="utter_referral_reasons", reasons="; ".join(referral.reasons))
        return [SlotSet("referral_level", referral.level), *carry_over_referral(answers), *clear_form_slots()]


class ActionStopAssessment(Action):
    """The user said stop (or goodbye) in the middle of the assessment."""

    def name(self) -> str:
        return "action_stop_assessment"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        dispatcher.utter_message(response="utter_assessment_stopped")
        return end_assessment()


class ActionStartAssessment(Action):
    """Before the first question: urgent advice for a warning sign told in the story that started the assessment;
    without one, the answer about what the story says brought the cramps on (a trigger or a medicine it names:
    "I did HIIT yesterday, I guess that was the reason") or, for a muscle still sore hours later, how long that
    lasts, so a story is answered before it is assessed.

    The warning signs it found answer the form's first question, so the assessment does not ask about them again,
    and the referral at its end takes them into account."""

    def __init__(self, repository: Optional[KnowledgeRepository] = None) -> None:
        self.kb = Answers(repository)

    def name(self) -> str:
        return "action_start_assessment"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        events: List[EventType] = []
        try:
            flags = self.kb.warn_of_red_flags(dispatcher, tracker.latest_message.get("text") or "")
        except KNOWLEDGE_ERRORS:
            apologise(dispatcher, self.name())
            flags = []
        if flags:
            disclaim(dispatcher)
            events.append(SlotSet("red_flags", ",".join(flags)))
        else:
            self.answer_what_was_told(dispatcher, tracker)
        dispatcher.utter_message(response="utter_start_assessment")
        return events

    def answer_what_was_told(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
        try:
            told = self.kb.mentioned(tracker, STORY_ANSWER_KINDS)
            told.sort(key=lambda subject: subject == NIGHT)  # "woke at night after a long run": the run first
            sore = still_sore(tracker.latest_message.get("text") or "")
            if told and not (told[0] == NIGHT and sore):  # soreness hours later before the night it came in
                self.kb.say(dispatcher, STORY_ANSWER_TOPICS[told[0][0]], told)
            elif sore:
                self.kb.say(dispatcher, DURATION_TOPIC)
            else:
                return
            disclaim(dispatcher)
        except KNOWLEDGE_ERRORS:
            apologise(dispatcher, self.name())
