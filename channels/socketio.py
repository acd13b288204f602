"""Rasa's socket.io channel (the web chat widget's) with session persistence that works.

Rasa 3.6's `session_request` handler calls `sio.enter_room(...)` without `await`; since python-socketio 5.9
that is a coroutine, so the browser never joins the room of its session and receives no bot message at all
when `session_persistence` is on. This registers the same handler with the `await`.

Rasa's server accepts a socket.io connection from any web page; this one accepts only pages whose Origin
is in CORS_ORIGINS (channels/settings.py), so another site cannot talk to the assistant through a
visitor's browser. Clients that send no Origin (not browsers) are let in, as a browser always sends it.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any, Awaitable, Callable, Dict, Optional

from rasa.core.channels.channel import UserMessage, decode_bearer_token
from rasa.core.channels.socketio import SocketIOInput as RasaSocketIOInput
from sanic import Blueprint

from channels import settings

logger = logging.getLogger(__name__)


def allowed_origin(environ: Dict[str, Any]) -> bool:
    origin = environ.get("HTTP_ORIGIN")
    return origin is None or origin in settings.words(settings.CORS_ORIGINS)


class SocketIOInput(RasaSocketIOInput):
    """Endpoint: /socket.io (the widget's socketUrl is the Rasa server's address)."""

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        socketio_webhook = super().blueprint(on_new_message)
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
