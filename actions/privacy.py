"""forget_me: clear what the user told the assistant (every slot) and leave any assessment under way.

The stored conversation is deleted by the Rasa server's tracker store when it saves this turn
(stores/tracker_store.py), since actions cannot reach the tracker store. The review store holds nothing
that identifies the user (actions/review_store.py), so there is nothing else to delete."""

from __future__ import annotations

from typing import List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, AllSlotsReset, EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict


class ActionForgetMe(Action):
    def name(self) -> str:
        return "action_forget_me"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        dispatcher.utter_message(response="utter_forget_me_done")
        return [ActiveLoop(None), AllSlotsReset()]
