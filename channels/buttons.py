"""Buttons where a platform has none (SMS) or too few: numbered text choices, and answers by number.

The choice a number stands for is read back from the conversation itself (the buttons of the bot's
messages since the user's last message, in the tracker store), so it survives restarts and works
with several Rasa instances.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional

from rasa.shared.core.events import BotUttered, UserUttered
from sanic.request import Request

logger = logging.getLogger(__name__)

PROMPT = "Reply with the number of your choice:"


def numbered_choices(text: str, buttons: List[Dict[str, Any]]) -> str:
    """'text', then one line per button: '1. title'."""
    lines = [f"{number}. {button['title']}" for number, button in enumerate(buttons, start=1)]
    return "\n".join([text, PROMPT, *lines])


def pending_buttons(events: List[Any]) -> List[Dict[str, Any]]:
    """The buttons of the last bot message with buttons since the user's last message (none if answered)."""
    for event in reversed(events):
        if isinstance(event, UserUttered):
            return []
        if isinstance(event, BotUttered) and event.data.get("buttons"):
            return list(event.data["buttons"])
    return []


async def resolve_number(request: Request, sender_id: str, text: Optional[str]) -> Optional[str]:
    """The payload of the button the user chose by number, or the text unchanged."""
    if not text or not text.strip().isdigit():
        return text
    agent = getattr(request.app.ctx, "agent", None)
    if agent is None or agent.tracker_store is None:
        return text
    tracker = await agent.tracker_store.retrieve(sender_id)
    buttons = pending_buttons(list(tracker.events)) if tracker else []
    number = int(text.strip())
    if 1 <= number <= len(buttons):
        logger.debug("choice %s of %s for %s", number, len(buttons), sender_id)
        return buttons[number - 1]["payload"]
    return text
