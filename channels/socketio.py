"""Rasa's socket.io channel (the web chat widget's): session persistence, custom payloads and origin checks.

Four faults of Rasa 3.6's channel are fixed here:
- its `session_request` handler calls `sio.enter_room(...)` without `await`; since python-socketio 5.9 that is
  a coroutine, so with `session_persistence` on the browser never joins its session's room and receives no
  bot message at all. The same handler is registered again, with the `await`.
- its output sends a custom payload as keyword arguments of `emit` (`emit(event, **json_message)`), which
  fails for any payload but `emit`'s own parameters. Here a custom payload is sent as `{"custom": {...}}`
  (the doctor-visit notes' `summary_text`, which the widget offers as a file to download).
- it accepts a socket.io connection from any web page; this one accepts only pages whose Origin is in
  CORS_ORIGINS (channels/settings.py), so another site cannot talk to the assistant through a visitor's
  browser. Clients that send no Origin (not browsers) are let in, as a browser always sends it.
- its message handler has no limits and no fail-safe: a failing action or database gives a silent widget.
  Here, as in the REST channel (channels/rest.py): token buckets per session and per client address (the
  address nginx forwards, with SANIC_PROXIES_COUNT) answer `utter_slow_down` and drop the message; a message
  longer than SOCKETIO_MAX_MESSAGE_CHARS gets `utter_message_too_long` and is dropped; a socket.io packet
  larger than SOCKETIO_MAX_PACKET_BYTES closes the connection (engine.io's own limit); and when the bot fails,
  sends nothing or takes longer than SOCKETIO_REPLY_TIMEOUT, the visitor gets `utter_service_problem` and the
  disclaimer. Refused messages reach neither the dialogue nor the tracker store. No message text is logged.
Shown well in the widget: buttons that stay under their message, an answer's source line apart with its links.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from typing import Any, Awaitable, Callable, Dict, List, Optional, Sequence, Tuple

from rasa.core.channels.channel import OutputChannel, UserMessage, decode_bearer_token
from rasa.core.channels.socketio import SocketIOInput as RasaSocketIOInput
from rasa.core.channels.socketio import SocketIOOutput as RasaSocketIOOutput
from sanic import Blueprint
from socketio import AsyncServer

from channels import display, responses, settings
from channels.ratelimit import RateLimiter

logger = logging.getLogger(__name__)


def allowed_origin(environ: Dict[str, Any]) -> bool:
    origin = environ.get("HTTP_ORIGIN")
    return origin is None or origin in settings.CORS_ORIGINS


SERVICE_PROBLEM = ("utter_service_problem", "utter_disclaimer")
SLOW_DOWN = ("utter_slow_down",)
TOO_LONG = ("utter_message_too_long",)


class SocketIOOutput(RasaSocketIOOutput):
    def __init__(self, sio: AsyncServer, bot_message_evt: str) -> None:
        super().__init__(sio, bot_message_evt)
        self.sent = 0
        """How many messages went out through this output (the fail-safe answers when the bot sent none)."""

    async def _send_message(self, socket_id: str, response: Any) -> None:
        await super()._send_message(socket_id, response)
        self.sent += 1

    async def send_custom_json(self, recipient_id: str, json_message: Dict[str, Any], **kwargs: Any) -> None:
        await self._send_message(recipient_id, {"custom": json_message})

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        """As Rasa's, with an answer's source line as its own message, its links in Markdown (channels/display)."""
        for part in display.messages(text):
            await self._send_message(recipient_id, {"text": display.markdown(part)})

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: List[Dict[str, Any]], **kwargs: Any
    ) -> None:
        """Buttons as rasa-webchat's `buttons`, which it shows under their message, not as `quick_replies` (Rasa's),
        which it shows only under the conversation's last message: the disclaimer that follows the feedback question
        hid its Yes and No. The widget hides buttons once the user has replied (webchat/legcramps-chat.js)."""
        *before, last = display.messages(text)
        for part in before:
            await self._send_message(recipient_id, {"text": display.markdown(part)})
        shown = [{"title": b["title"], "payload": b["payload"]} for b in buttons]
        await self._send_message(recipient_id, {"text": display.markdown(last), "buttons": shown})


def limiter(rate: float, burst: float) -> RateLimiter:
    return RateLimiter(rate, burst, settings.RATE_LIMIT_KEYS)


def valid_text(value: Any, max_chars: Optional[int] = None) -> bool:
    """A string with more than white space, of at most `max_chars` characters, that encodes as UTF-8."""
    if not isinstance(value, str) or not value.strip() or (max_chars is not None and len(value) > max_chars):
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates
        return False
    return True


def valid_session_id(value: Any) -> bool:
    return valid_text(value, settings.SOCKETIO_MAX_SESSION_CHARS) and value.isprintable()


class SocketIOInput(RasaSocketIOInput):
    """Endpoint: /socket.io (the widget's socketUrl is the Rasa server's address)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.per_session = limiter(settings.SOCKETIO_SESSION_RATE, settings.SOCKETIO_SESSION_BURST)
        self.per_address = limiter(settings.SOCKETIO_ADDRESS_RATE, settings.SOCKETIO_ADDRESS_BURST)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        socketio_webhook = super().blueprint(on_new_message)  # its message handler is replaced below
        sio = self.sio
        if sio is None:
            raise RuntimeError("Rasa's socket.io blueprint did not create its server")

        async def connect(sid: str, environ: Dict[str, Any], auth: Optional[Dict[str, Any]]) -> bool:
            if not allowed_origin(environ):
                logger.warning("refused a socket.io connection from an origin not in CORS_ORIGINS")
                return False
            if self.jwt_key:  # as Rasa's handler
                token = (auth or {}).get("token")
                return bool(token and decode_bearer_token(token, self.jwt_key, self.jwt_algorithm))
            return True

        async def session_request(sid: str, data: Optional[Dict[str, Any]]) -> None:
            session_id = (data or {}).get("session_id") if isinstance(data, dict) else None
            if not valid_session_id(session_id):  # none, or one no message could use
                session_id = uuid.uuid4().hex
            if self.session_persistence:
                await sio.enter_room(sid, session_id, namespace=self.namespace)
            await sio.emit("session_confirm", session_id, room=sid)

        async def handle_message(sid: str, data: Any) -> None:
            await self.handle_message(sio, sid, data, on_new_message)

        sio.eio.max_http_buffer_size = settings.SOCKETIO_MAX_PACKET_BYTES
        sio.on("connect", connect, namespace=self.namespace)
        sio.on("session_request", session_request, namespace=self.namespace)
        sio.on(self.user_message_evt, handle_message, namespace=self.namespace)
        return socketio_webhook

    async def handle_message(
        self, sio: AsyncServer, sid: str, data: Any, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> None:
        """One user message: checked, limited, answered by the bot, or by the fail-safe when the bot cannot."""
        parsed = self.parse(sid, data)
        if parsed is None:
            return
        sender, text, metadata = parsed
        environ = sio.get_environ(sid, namespace=self.namespace) or {}
        request = environ.get("sanic.request")
        domain = request.app.ctx.agent.domain if request is not None else None
        address = (request.remote_addr or request.ip) if request is not None else sid
        if not self.per_address.allow(address) or not self.per_session.allow(sender):
            await self.send_responses(sio, domain, SLOW_DOWN, sid)
            return
        if len(text) > settings.SOCKETIO_MAX_MESSAGE_CHARS:
            await self.send_responses(sio, domain, TOO_LONG, sid)
            return
        output = SocketIOOutput(sio, self.bot_message_evt)
        message = UserMessage(text, output, sender, input_channel=self.name(), metadata=metadata)
        timeout = settings.SOCKETIO_REPLY_TIMEOUT
        try:
            await asyncio.wait_for(on_new_message(message), timeout)
        except asyncio.TimeoutError:
            logger.error("socket.io: no answer within %ss; sent the service-problem answer", timeout)
        except Exception as failure:  # the tracker store, the model or the lock store failed
            # only the type: database errors quote the statement's parameters, which hold the message
            logger.error("socket.io: answering failed (%s); sent the service-problem answer", type(failure).__name__)
        else:
            if output.sent:
                return
            logger.error("socket.io: the bot sent no message; sent the service-problem answer")
        await self.send_responses(sio, domain, SERVICE_PROBLEM, sender)

    def parse(self, sid: str, data: Any) -> Optional[Tuple[str, str, Dict[str, Any]]]:
        """(sender, text, metadata) of a user_uttered event, or None (logged) for one that cannot be a message."""
        if not isinstance(data, dict):
            logger.warning("socket.io: ignored a message that is not an object")
            return None
        session_id, text = data.get("session_id"), data.get("message")
        if self.session_persistence and not valid_session_id(session_id):
            logger.warning("socket.io: ignored a message without a valid session_id")
            return None
        if not valid_text(text):
            logger.warning("socket.io: ignored a message without text")
            return None
        sender = str(session_id) if self.session_persistence else sid
        metadata = data.get(self.metadata_key) or {}
        if isinstance(metadata, str):
            try:
                metadata = json.loads(metadata)
            except ValueError:
                metadata = {}
        return sender, str(text), metadata if isinstance(metadata, dict) else {}

    async def send_responses(self, sio: AsyncServer, domain: Any, names: Sequence[str], recipient: str) -> None:
        """The domain's responses, sent by the channel itself (to a socket id or a session's room)."""
        if domain is None:
            return
        output = SocketIOOutput(sio, self.bot_message_evt)
        for message in await responses.render_from(domain, names, self.name()):
            await output.send_response(recipient, message)

    def get_output_channel(self) -> Optional[OutputChannel]:
        """The output used when Rasa's HTTP API sends to this channel (`output_channel=latest`)."""
        if super().get_output_channel() is None or self.sio is None:  # Rasa's warns when there is none
            return None
        return SocketIOOutput(self.sio, self.bot_message_evt)
