"""Rasa's socket.io channel (the web chat widget's) with session persistence that works.

Rasa 3.6's `session_request` handler calls `sio.enter_room(...)` without `await`; since python-socketio 5.9
that is a coroutine, so the browser never joins the room of its session and receives no bot message at all
when `session_persistence` is on. This registers the same handler with the `await`.
"""

from __future__ import annotations

import uuid
from typing import Any, Awaitable, Callable, Dict, Optional

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketIOInput as RasaSocketIOInput
from sanic import Blueprint


class SocketIOInput(RasaSocketIOInput):
    """Endpoint: /socket.io (the widget's socketUrl is the Rasa server's address)."""

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        socketio_webhook = super().blueprint(on_new_message)
        sio = self.sio
        if sio is None:
            raise RuntimeError("Rasa's socket.io blueprint did not create its server")

        async def session_request(sid: str, data: Optional[Dict[str, Any]]) -> None:
            session_id = (data or {}).get("session_id") or uuid.uuid4().hex
            if self.session_persistence:
                await sio.enter_room(sid, session_id, namespace=self.namespace)
            await sio.emit("session_confirm", session_id, room=sid)

        sio.on("session_request", session_request, namespace=self.namespace)
        return socketio_webhook
