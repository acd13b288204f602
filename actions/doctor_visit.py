"""Notes for a doctor's appointment: a form asking, one at a time and skippably, what a doctor is likely
to ask about leg cramps, then a plain-text summary the user can copy (and the web widget can save).

Answers are kept as the user wrote them (control characters removed, length capped); medicines are
recorded for the doctor and never commented on. A red flag named in an answer gets urgent advice first."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Dict, List, Optional

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.answers import KNOWLEDGE_ERRORS, Answers, apologise, disclaim, latest_intent
from actions.repository import KnowledgeRepository
from actions.topics import QUESTION_TOPICS, kinds_for

VISIT_QUESTIONS: Dict[str, str] = {
    "visit_started": "When the cramps started",
    "visit_frequency": "How often they come",
    "visit_muscle": "Which muscle or body part",
    "visit_medicines": "Medicines I take",
    "visit_alcohol": "Alcohol",
    "visit_exercise": "Exercise routine",
    "visit_fluids": "Fluids I drink each day",
    "visit_tried": "What I have tried",
}
"""The form's slots, in the order asked, with their labels in the summary."""
VISIT_EXTRAS: Dict[str, str] = {"visit_severity": "How bad they are", "visit_duration": "How long a cramp lasts"}
"""Not asked here: known only from an earlier symptom check, shown when known."""
SUMMARY_ORDER = ["visit_started", "visit_frequency", "visit_duration", "visit_severity", *list(VISIT_QUESTIONS)[2:]]
SKIPPED = "(skipped)"
NOT_ASKED_HERE = {"prepare_doctor_visit", "ask_medication_safety", "inform"}
"""Intents whose text is always taken as an answer, never as a question to answer."""
MAX_ANSWER_CHARS = 500
SUMMARY_FILENAME = "leg-cramps-doctor-notes.txt"
FROM_CHECK = " (from the symptom check)"

FROM_REFERRAL: Dict[str, Dict[str, str]] = {
    "frequency": {
        "occasional": "now and then",
        "weekly": "about once a week",
        "frequent": "several times a week or more",
    },
    "duration": {"seconds": "a few seconds", "minutes": "a few minutes", "long": "more than ten minutes"},
    "severity": {"mild": "mild", "moderate": "moderate", "severe": "severe"},
    "treatment_helped": {
        "helped": "something I tried helped",
        "not_helped": "nothing I tried helped",
        "not_tried": "I haven't tried anything yet",
    },
}
REFERRAL_TO_VISIT = {
    "frequency": "visit_frequency",
    "duration": "visit_duration",
    "severity": "visit_severity",
    "treatment_helped": "visit_tried",
}
SKIP_WORDS = {"skip", "/skip", "pass", "next", "skip it", "skip this"}
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u200b-\u200f\u2028\u2029]")


def carry_over_referral(answers: Dict[str, Any]) -> List[EventType]:
    """SlotSets that give the doctor-visit notes the answers of a completed symptom check."""
    events: List[EventType] = []
    for slot, value in answers.items():
        text = FROM_REFERRAL.get(slot, {}).get(str(value))
        if text and slot in REFERRAL_TO_VISIT:
            events.append(SlotSet(REFERRAL_TO_VISIT[slot], text + FROM_CHECK))
    return events


def as_written(value: Any) -> Optional[str]:
    """The user's answer kept as written: no control characters, whitespace collapsed, length capped."""
    text = " ".join(CONTROL.sub(" ", str(value or "")).split())
    if not text:
        return None
    return text if len(text) <= MAX_ANSWER_CHARS else text[: MAX_ANSWER_CHARS - 1] + "…"


def summary_text(slots: Dict[str, Any], disclaimer: str, today: dt.date) -> str:
    """The notes as plain text: a title, a list with one line per question (skips marked), the disclaimer, each
    apart by a blank line (the chat channels send each as its own message, so the disclaimer is never read as
    part of the list's last item)."""
    labels = {**VISIT_QUESTIONS, **VISIT_EXTRAS}
    items = []
    for slot in SUMMARY_ORDER:
        value = slots.get(slot)
        if value is None and slot in VISIT_EXTRAS:
            continue
        items.append(f"- {labels[slot]}: {value if value not in (None, SKIPPED) else 'not answered'}")
    return "\n\n".join([f"Leg cramps: notes for my doctor ({today.isoformat()})", "\n".join(items), disclaimer])


def clear_visit_slots() -> List[EventType]:
    return [SlotSet(slot, None) for slot in [*VISIT_QUESTIONS, *VISIT_EXTRAS]]


class ValidateDoctorVisitForm(FormValidationAction):
    def __init__(self, repository: Optional[KnowledgeRepository] = None) -> None:
        self.kb = Answers(repository)

    def name(self) -> str:
        return "validate_doctor_visit_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        """Urgent advice first when an answer names a red flag the NLU did not catch, then take the answer."""
        if tracker.get_slot("requested_slot") and latest_intent(tracker) != "report_red_flag":
            try:
                if self.kb.warn_of_red_flags(dispatcher, tracker.latest_message.get("text") or ""):
                    disclaim(dispatcher)
            except KNOWLEDGE_ERRORS:
                apologise(dispatcher, self.name())
        return await super().run(dispatcher, tracker, domain)

    async def get_validation_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        return [
            SlotSet(slot, self.checked(slot, value, dispatcher, tracker))
            for slot, value in tracker.slots_to_validate().items()
            if slot in VISIT_QUESTIONS
        ]

    def checked(self, slot: str, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker) -> Optional[str]:
        """The answer as written, SKIPPED, or None (asked again) after answering a question the user asked."""
        intent = latest_intent(tracker)
        text = as_written(value)
        if intent == "skip" or (text or "").lower().strip(" .!") in SKIP_WORDS:
            return SKIPPED
        asked_now = tracker.get_slot("requested_slot") == slot
        topic = QUESTION_TOPICS.get(intent)
        if asked_now and topic and intent not in NOT_ASKED_HERE and (text or "").endswith("?"):
            try:
                self.kb.say(dispatcher, topic, self.kb.mentioned(tracker, kinds_for(topic)))
            except KNOWLEDGE_ERRORS:
                apologise(dispatcher, self.name())
            disclaim(dispatcher)
            dispatcher.utter_message(response="utter_back_to_doctor_visit")
            return None
        if text is None:
            dispatcher.utter_message(response="utter_wrong_visit_answer")
        return text


class ActionDoctorVisitSummary(Action):
    """The notes as a copyable text message; a custom payload lets the web widget offer them as a file."""

    def name(self) -> str:
        return "action_doctor_visit_summary"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        disclaimer = domain["responses"]["utter_disclaimer"][0]["text"]
        slots = {slot: tracker.get_slot(slot) for slot in [*VISIT_QUESTIONS, *VISIT_EXTRAS]}
        summary = summary_text(slots, disclaimer, dt.date.today())
        dispatcher.utter_message(response="utter_doctor_visit_summary_ready")
        dispatcher.utter_message(text=summary, json_message={"summary_text": summary, "filename": SUMMARY_FILENAME})
        return clear_visit_slots()


class ActionStopDoctorVisit(Action):
    """The user said stop (or goodbye) in the middle of the notes."""

    def name(self) -> str:
        return "action_stop_doctor_visit"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        dispatcher.utter_message(response="utter_doctor_visit_stopped")
        return [ActiveLoop(None), SlotSet("requested_slot", None), *clear_visit_slots()]
