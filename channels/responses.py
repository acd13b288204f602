"""The domain's responses rendered by a channel itself, for answers it gives without the dialogue (faults, limits)."""

from __future__ import annotations

from typing import Any, Dict, List, Sequence

from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.trackers import DialogueStateTracker
from sanic.request import Request

from actions.settings import EMERGENCY_NUMBER


async def render(request: Request, names: Sequence[str]) -> List[Dict[str, Any]]:
    """One message per response name, from the loaded model's domain (the emergency number filled in)."""
    domain = request.app.ctx.agent.domain
    generator = TemplatedNaturalLanguageGenerator(domain.responses)
    tracker = DialogueStateTracker("channel", domain.slots)
    messages = []
    for name in names:
        message = await generator.generate(name, tracker, "rest", emergency_number=EMERGENCY_NUMBER)
        if message:
            messages.append({key: value for key, value in message.items() if value})
    return messages
