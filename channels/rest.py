"""Rasa's REST channel for integrators, with authentication, input checks, rate limits and a safe answer on faults.

POST /webhooks/rest/webhook with `Authorization: Bearer <token>` and {"sender", "message", "metadata"};
the answer is Rasa's list of bot messages. The conversation id is `<integrator>:<sender>`, so integrators
never see each other's users; the messages name the caller's own sender as recipient_id.

Status codes: 200 the bot's messages; 400 a malformed request (the JSON body says what is wrong);
401 no or a bad token; 413 a body or message above the limits; 429 too many messages (the body is a bot
message asking to slow down). When the bot cannot answer (action server or database down, no answer within
REST_REPLY_TIMEOUT seconds) the answer is utter_service_problem and the disclaimer, with status 200.
No message text is logged at any level by this module.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any, Awaitable, Callable, Dict, List, Optional, Set, Tuple

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from rasa.shared.core.domain import Domain
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels import responses, settings
from channels.auth import Authenticator, Unauthorized
from channels.ratelimit import RateLimiter

logger = logging.getLogger(__name__)

PAYLOAD_PREFIX = "/"
SERVICE_PROBLEM = ("utter_service_problem", "utter_disclaimer")
SLOW_DOWN = ("utter_slow_down",)


class RequestError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def parse(body: bytes) -> Tuple[str, str, Optional[Dict[str, Any]]]:
    """(sender, message, metadata) of a request body, or RequestError with the status and what is wrong."""
    if len(body) > settings.REST_MAX_BODY_BYTES:
        raise RequestError(413, f"the body is larger than {settings.REST_MAX_BODY_BYTES} bytes")
    try:
        request = json.loads(body.decode("utf-8"))
    except UnicodeDecodeError as error:
        raise RequestError(400, "the body is not valid UTF-8") from error
    except ValueError as error:
        raise RequestError(400, "the body is not JSON") from error
    if not isinstance(request, dict):
        raise RequestError(400, 'the body must be a JSON object: {"sender": ..., "message": ...}')
    sender, message, metadata = request.get("sender"), request.get("message"), request.get("metadata")
    max_sender = settings.REST_MAX_SENDER_CHARS
    if not (isinstance(sender, str) and 0 < len(sender) <= max_sender and sender.isprintable() and sender.strip()):
        raise RequestError(400, f"sender must be a string of 1 to {max_sender} printable characters")
    if not isinstance(message, str) or not message.strip():
        raise RequestError(400, "message must be a non-empty string")
    if len(message) > settings.REST_MAX_MESSAGE_CHARS:
        raise RequestError(413, f"message is longer than {settings.REST_MAX_MESSAGE_CHARS} characters")
    if metadata is not None and not isinstance(metadata, dict):
        raise RequestError(400, "metadata must be a JSON object")
    try:
        (sender + message).encode("utf-8")
    except UnicodeEncodeError as error:  # lone surrogates written as \ud800 escapes
        raise RequestError(400, "sender and message must be valid Unicode text") from error
    return sender, message, metadata


def button_payloads(domain: Domain) -> Set[str]:
    """Every `/intent...` payload of a button in the domain's responses."""
    return {
        str(button.get("payload", "")).strip()
        for variations in domain.responses.values()
        for variation in variations
        for button in variation.get("buttons") or []
        if str(button.get("payload", "")).strip().startswith(PAYLOAD_PREFIX)
    }


def check_payload(message: str, domain: Domain) -> None:
    """Payload syntax (`/intent{"slot": "value"}`) sets intents and slots directly, bypassing understanding,
    so a message in that syntax passes only when it is one of the domain's button payloads."""
    if message.strip().startswith(PAYLOAD_PREFIX) and message.strip() not in button_payloads(domain):
        raise RequestError(400, "a message starting with '/' must be one of the bot's button payloads")


def error(status: int, message: str, headers: Optional[Dict[str, str]] = None) -> HTTPResponse:
    return response.json({"status": status, "error": message}, status=status, headers=headers)


class AuthenticatedRestInput(RestInput):
    """Webhook: /webhooks/rest/webhook (the name stays "rest", so the URL integrators use is unchanged)."""

    @classmethod
    def name(cls) -> str:
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> AuthenticatedRestInput:
        return cls()

    def __init__(self) -> None:
        self.auth = Authenticator.from_settings()
        keys = settings.RATE_LIMIT_KEYS
        self.per_sender = RateLimiter(settings.REST_SENDER_RATE, settings.REST_SENDER_BURST, keys)
        self.per_address = RateLimiter(settings.REST_ADDRESS_RATE, settings.REST_ADDRESS_BURST, keys)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        rest = Blueprint(f"authenticated_{self.name()}", __name__)

        @rest.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @rest.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            try:
                integrator = self.auth.integrator(request.headers.get("Authorization"))
            except Unauthorized as refused:
                return error(401, str(refused), {"WWW-Authenticate": 'Bearer realm="rest"'})
            try:
                sender, message, metadata = parse(request.body)
            except RequestError as bad:
                return error(bad.status, str(bad))
            conversation = f"{integrator}:{sender}"
            limiter, key = self.limiter_refusing(request, conversation)
            if limiter is not None:
                slow_down = await responses.render(request, SLOW_DOWN)
                headers = {"Retry-After": str(limiter.retry_after(key))}
                return response.json(addressed(slow_down, sender), status=429, headers=headers)
            try:
                check_payload(message, request.app.ctx.agent.domain)
            except RequestError as bad:
                return error(bad.status, str(bad))
            return await self.respond(
                request, on_new_message, UserMessage(message, None, conversation, metadata=metadata)
            )

        return rest

    async def respond(
        self, request: Request, on_new_message: Callable[[UserMessage], Awaitable[Any]], message: UserMessage
    ) -> HTTPResponse:
        """The bot's messages for an accepted request (the service-problem answer when it has none)."""
        sender = message.sender_id.split(":", 1)[1]
        messages = await self.answer(on_new_message, message.text or "", message.sender_id, message.metadata)
        if messages is None:
            messages = await responses.render(request, SERVICE_PROBLEM)
        return response.json(addressed(messages, sender))

    def limiter_refusing(self, request: Request, conversation: str) -> Tuple[Optional[RateLimiter], str]:
        """The rate limiter that refuses this request and its key, or (None, "")."""
        address = request.remote_addr or request.ip
        if not self.per_address.allow(address):
            return self.per_address, address
        if not self.per_sender.allow(conversation):
            return self.per_sender, conversation
        return None, ""

    async def answer(
        self,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        message: str,
        conversation: str,
        metadata: Optional[Dict[str, Any]],
    ) -> Optional[List[Dict[str, Any]]]:
        """The bot's messages, or None when it failed, gave no answer or took longer than REST_REPLY_TIMEOUT."""
        collector = CollectingOutputChannel()
        user_message = UserMessage(message, collector, conversation, input_channel=self.name(), metadata=metadata)
        try:
            await asyncio.wait_for(on_new_message(user_message), settings.REST_REPLY_TIMEOUT)
        except asyncio.TimeoutError:
            logger.error("REST: no answer within %ss; sent the service-problem answer", settings.REST_REPLY_TIMEOUT)
            return None
        except Exception as failure:  # the tracker store, the model or the lock store failed
            # only the type: database errors quote the statement's parameters, which hold the message
            logger.error("REST: answering failed (%s); sent the service-problem answer", type(failure).__name__)
            return None
        if not collector.messages:  # a custom action failed (Rasa logs it and goes on without its events)
            logger.error("REST: the bot sent no message; sent the service-problem answer")
            return None
        return collector.messages


def addressed(messages: List[Dict[str, Any]], sender: str) -> List[Dict[str, Any]]:
    """The messages with the caller's own sender id as recipient_id (not the integrator-bound conversation id)."""
    return [{**message, "recipient_id": sender} for message in messages]
