"""A loopback fake of the messaging platforms' APIs (Telegram Bot API, Slack Web API, Facebook Graph API,
Twilio REST API) and of a callback receiver: it records every request and answers as the platform does.

The connectors are pointed at it by the *_API_URL settings of channels/settings.py.
"""

from __future__ import annotations

import asyncio
import json
import re
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Iterator, List, Optional

from aiohttp import web

from launch.processes import free_port

TELEGRAM_BOT = {"id": 5550001, "is_bot": True, "first_name": "Leg cramps", "username": "legcramps_test_bot"}
WAIT = 60
TELEGRAM_TOKEN = "5550001:TEST-telegram-token"
SLACK_SECRET = "slack-signing-secret-for-tests"
FACEBOOK_SECRET = "facebook-app-secret-for-tests"
TWILIO_SID = "AC" + "1" * 32
TWILIO_TOKEN = "twilio-auth-token-for-tests"
TWILIO_SMS = "+15550001111"
TWILIO_WHATSAPP = "whatsapp:+15550002222"


@dataclass
class Call:
    """One request the bot made to a platform."""

    method: str
    path: str
    headers: Dict[str, str]
    body: Dict[str, Any]


@dataclass
class FakePlatforms:
    url: str
    calls: List[Call] = field(default_factory=list)

    def matching(self, path_pattern: str) -> List[Call]:
        return [c for c in list(self.calls) if re.search(path_pattern, c.path)]

    def wait_for(self, path_pattern: str, predicate: Callable[[List[Call]], bool], timeout: float = WAIT) -> List[Call]:
        """The calls to matching paths, once `predicate` holds for them (fails after `timeout` seconds)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            calls = self.matching(path_pattern)
            if predicate(calls):
                return calls
            time.sleep(0.2)
        raise AssertionError(f"no calls to {path_pattern} satisfying the check; got {self.matching(path_pattern)}")


async def _body(request: web.Request) -> Dict[str, Any]:
    if request.content_type == "application/json":
        return await request.json()
    form = await request.post()  # urlencoded (Twilio) or multipart (aiogram)
    return {name: (value if isinstance(value, str) else "<file>") for name, value in form.items()}


def _answer(path: str, body: Dict[str, Any]) -> web.Response:
    """What the real platform answers (the parts the clients read)."""
    if path.startswith("/bot"):  # Telegram: /bot<token>/<method>
        method = path.rsplit("/", 1)[-1].lower()
        if method == "getme":
            return web.json_response({"ok": True, "result": TELEGRAM_BOT})
        if method == "sendmessage":
            chat = {"id": int(body.get("chat_id", 0)), "type": "private"}
            message = {"message_id": 1, "date": int(time.time()), "chat": chat, "text": body.get("text", "")}
            return web.json_response({"ok": True, "result": message})
        return web.json_response({"ok": True, "result": True})
    if path.startswith("/api/"):  # Slack Web API
        return web.json_response({"ok": True, "channel": body.get("channel"), "ts": f"{time.time():.6f}"})
    if re.match(r"^/v[\d.]+/", path):  # Facebook Graph API
        return web.json_response({"recipient_id": body.get("recipient", {}).get("id"), "message_id": "mid.1"})
    if path.endswith("/Messages.json"):  # Twilio
        account = path.split("/")[3]
        message = {"sid": "SM" + "0" * 32, "account_sid": account, "status": "queued"}
        message.update({"to": body.get("To"), "from": body.get("From"), "body": body.get("Body")})
        return web.json_response(message, status=201)
    return web.json_response({"ok": True})  # the callback receiver


@contextmanager
def fake_platforms() -> Iterator[FakePlatforms]:
    """The fake on a free loopback port, served from its own thread and event loop."""
    port = free_port()
    fake = FakePlatforms(url=f"http://127.0.0.1:{port}")
    loop = asyncio.new_event_loop()
    started = threading.Event()
    runner: Optional[web.AppRunner] = None

    async def record(request: web.Request) -> web.Response:
        body = await _body(request)
        fake.calls.append(Call(request.method, request.path, dict(request.headers), body))
        return _answer(request.path, body)

    async def start() -> None:
        nonlocal runner
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", record)
        runner = web.AppRunner(app)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        started.set()

    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    asyncio.run_coroutine_threadsafe(start(), loop)
    if not started.wait(10):
        raise RuntimeError("the fake platform API did not start")
    try:
        yield fake
    finally:
        if runner is not None:
            asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)


def text_of(call: Call) -> str:
    """The text a call sends to the user, on any of the platforms."""
    body = call.body
    message = body.get("message")
    if isinstance(message, dict):  # Facebook
        attachment = message.get("attachment", {}).get("payload", {})
        return message.get("text") or attachment.get("text", "")
    return str(body.get("text") or body.get("Body") or "")


def dumps(calls: List[Call]) -> str:
    return json.dumps([c.body for c in calls], indent=1)[:4000]


def platform_env(fake: FakePlatforms) -> dict:
    """The settings that switch every platform channel and the callback channel on, pointed at `fake`."""
    return {
        "TELEGRAM_API_URL": fake.url,
        "SLACK_API_URL": f"{fake.url}/api/",
        "FACEBOOK_GRAPH_URL": fake.url,
        "TWILIO_API_URL": fake.url,
        "CALLBACK_URL": f"{fake.url}/callback",
        "TELEGRAM_TOKEN": TELEGRAM_TOKEN,
        "TELEGRAM_BOT_USERNAME": TELEGRAM_BOT["username"],
        "TELEGRAM_WEBHOOK_URL": "https://bot.example.org/webhooks/telegram/webhook",
        "SLACK_TOKEN": "xoxb-test-token",
        "SLACK_SIGNING_SECRET": SLACK_SECRET,
        "FACEBOOK_VERIFY_TOKEN": "facebook-verify-token",
        "FACEBOOK_APP_SECRET": FACEBOOK_SECRET,
        "FACEBOOK_PAGE_ACCESS_TOKEN": "facebook-page-token",
        "TWILIO_ACCOUNT_SID": TWILIO_SID,
        "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
        "TWILIO_SMS_NUMBER": TWILIO_SMS,
        "TWILIO_WHATSAPP_NUMBER": TWILIO_WHATSAPP,
    }
