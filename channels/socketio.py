"""Rasa's socket.io channel (the web chat widget's): session persistence, custom payloads and origin checks.

Three faults of Rasa 3.6's channel are fixed here:
- its `session_request` handler calls `sio.enter_room(...)` without `await`; since python-socketio 5.9 that is
  a coroutine, so with `session_persistence` on the browser never joins its session's room and receives no
  bot message at all. The same handler is registered again, with the `await`.
- its output sends a custom payload as keyword arguments of `emit` (`emit(event, **json_message)`), which
  fails for any payload but `emit`'s own parameters. Here a custom payload is sent as `{"custom": {...}}`
  (the doctor-visit notes' `summary_text`, which the widget offers as a file to download).
- it accepts a socket.io connection from any web page; this one accepts only pages whose Origin is in
  CORS_ORIGINS (channels/settings.py), so another site cannot talk to the assistant through a visitor's
  browser. Clients that send no Origin (not browsers) are let in, as a browser always sends it.
Shown well in the widget: buttons that stay under their message, an answer's source line apart with its links.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any, Awaitable, Callable, Dict, List, Optional

from rasa.core.channels.channel import OutputChannel, UserMessage, decode_bearer_token
from rasa.core.channels.socketio import SocketIOInput as RasaSocketIOInput
from rasa.core.channels.socketio import SocketIOOutput as RasaSocketIOOutput
from sanic import Blueprint

from channels import display, settings

logger = logging.getLogger(__name__)


def allowed_origin(environ: Dict[str, Any]) -> bool:
    origin = environ.get("HTTP_ORIGIN")
    return origin is None or origin in settings.words(settings.CORS_ORIGINS)


class SocketIOOutput(RasaSocketIOOutput):
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


class SocketIOInput(RasaSocketIOInput):
    """Endpoint: /socket.io (the widget's socketUrl is the Rasa server's address)."""

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        async def answer_through_our_output(message: UserMessage) -> None:
            if self.sio is not None and isinstance(message.output_channel, RasaSocketIOOutput):
                message.output_channel = SocketIOOutput(self.sio, self.bot_message_evt)
            await on_new_message(message)

        socketio_webhook = super().blueprint(answer_through_our_output)
        sio = self.sio
        if sio is None:
            raise RuntimeError("Rasa's socket.io blueprint did not create its server")

        async def connect(sid: str, environ: Dict[str, Any], auth: Optional[Dict[str, Any]]) -> bool:
            if not allowed_origin(environ):
                logger.warning("refused a socket.io connection from an origin not in %s", settings.CORS_ORIGINS)
                return False
            if self.jwt_key:  # as Rasa's handler
                token = (auth or {}).get("token")
                return bool(token and decode_bearer_token(token, self.jwt_key, self.jwt_algorithm))
            return True

        async def session_request(sid: str, data: Optional[Dict[str, Any]]) -> None:
            session_id = (data or {}).get("session_id") or uuid.uuid4().hex
            if self.session_persistence:
                await sio.enter_room(sid, session_id, namespace=self.namespace)
            await sio.emit("session_confirm", session_id, room=sid)

        sio.on("connect", connect, namespace=self.namespace)
        sio.on("session_request", session_request, namespace=self.namespace)
        return socketio_webhook

    def get_output_channel(self) -> Optional[OutputChannel]:
        """The output used when Rasa's HTTP API sends to this channel (`output_channel=latest`)."""
        if super().get_output_channel() is None or self.sio is None:  # Rasa's warns when there is none
            return None
        return SocketIOOutput(self.sio, self.bot_message_evt)
