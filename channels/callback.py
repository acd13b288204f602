"""Rasa's callback channel (replies are POSTed to CALLBACK_URL) with the REST channel's authentication,
input checks, rate limits and sender binding (channels/rest.py): POST /webhooks/callback/webhook."""

from __future__ import annotations

from typing import Any, Awaitable, Callable, Dict, Optional

from rasa.core.channels.callback import CallbackOutput
from rasa.core.channels.channel import UserMessage
from rasa.utils.endpoints import EndpointConfig
from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.rest import AuthenticatedRestInput


class BoundCallbackOutput(CallbackOutput):
    """Posts each reply with the caller's own sender id as recipient_id (not `<integrator>:<sender>`)."""

    async def _persist_message(self, message: Dict[str, Any]) -> None:
        recipient = str(message.get("recipient_id", ""))
        await super()._persist_message({**message, "recipient_id": recipient.split(":", 1)[-1]})


class AuthenticatedCallbackInput(AuthenticatedRestInput):
    @classmethod
    def name(cls) -> str:
        return "callback"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> AuthenticatedCallbackInput:
        return cls(EndpointConfig.from_dict(credentials or {}))

    def __init__(self, endpoint: EndpointConfig) -> None:
        super().__init__()
        self.callback_endpoint = endpoint

    def get_output_channel(self) -> BoundCallbackOutput:
        return BoundCallbackOutput(self.callback_endpoint)

    async def respond(
        self, request: Request, on_new_message: Callable[[UserMessage], Awaitable[Any]], message: UserMessage
    ) -> HTTPResponse:
        output = self.get_output_channel()
        await on_new_message(
            UserMessage(message.text, output, message.sender_id, input_channel=self.name(), metadata=message.metadata)
        )
        return response.text("success")
