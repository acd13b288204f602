"""The domain's responses rendered by a channel itself, for answers it gives without the dialogue (faults, limits)."""

from __future__ import annotations

from typing import Any, Dict, List, Sequence

from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from sanic.request import Request

from actions.settings import EMERGENCY_NUMBER


async def render(request: Request, names: Sequence[str]) -> List[Dict[str, Any]]:
    """One message per response name, from the loaded model's domain (the emergency number filled in)."""
    return await render_from(request.app.ctx.agent.domain, names, "rest")


async def render_from(domain: Domain, names: Sequence[str], channel: str) -> List[Dict[str, Any]]:
    """One message per response name of `domain`, as for the output channel named `channel`."""
    generator = TemplatedNaturalLanguageGenerator(domain.responses)
    tracker = DialogueStateTracker("channel", domain.slots)
    messages = []
    for name in names:
        message = await generator.generate(name, tracker, channel, emergency_number=EMERGENCY_NUMBER)
        if message:
            messages.append({key: value for key, value in message.items() if value})
    return messages
