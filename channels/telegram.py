"""Rasa's Telegram connector, with the Bot API host taken from settings (TELEGRAM_API_URL) and authenticated updates.

Rasa's connector accepts any POST to its webhook as an update from Telegram, so whoever learns the URL can talk
as any Telegram user. This one registers its webhook with a `secret_token` (Bot API setWebhook; aiogram 2.15
predates the parameter, so the request is made directly) and answers 403, before anything is parsed or stored,
to every webhook request whose `X-Telegram-Bot-Api-Secret-Token` header does not carry it. `/set_webhook`
(Rasa's route to register again) needs the header too, and registers with the secret.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import re
from typing import Any, Awaitable, Callable, Optional

from aiogram.bot import api
from aiogram.bot.api import TelegramAPIServer
from aiogram.utils.exceptions import TelegramAPIError
from rasa.core.channels.channel import UserMessage
from rasa.core.channels.telegram import TelegramInput as RasaTelegramInput
from rasa.core.channels.telegram import TelegramOutput as RasaTelegramOutput
from rasa.shared.exceptions import RasaException
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels import settings

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# What the Bot API accepts as secret_token: 1 to 256 characters A-Z, a-z, 0-9, _ and -.
SECRET_FORMAT = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
MIN_SECRET_LENGTH = 32


class TelegramOutput(RasaTelegramOutput):
    def __init__(self, access_token: Optional[str]) -> None:
        server = TelegramAPIServer.from_base(settings.TELEGRAM_API_URL)
        # skip RasaTelegramOutput.__init__, which only passes the token, to pass the server too
        super(RasaTelegramOutput, self).__init__(access_token, server=server)


class TelegramInput(RasaTelegramInput):
    """Webhook: /webhooks/telegram/webhook. Registers itself with Telegram (setWebhook) at start, as Rasa's does,
    with the secret token (`webhook_secret`) Telegram then sends with every update."""

    def get_output_channel(self) -> TelegramOutput:
        channel = TelegramOutput(self.access_token)
        try:
            asyncio.run(register_webhook(channel, self.webhook_url, webhook_secret(self.access_token)))
        except TelegramAPIError as error:
            raise RasaException(f"Failed to set the Telegram webhook: {error}") from error
        return channel

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        telegram_webhook = super().blueprint(on_new_message)
        secret = webhook_secret(self.access_token)

        @telegram_webhook.middleware("request")
        async def authenticate(request: Request) -> Optional[HTTPResponse]:
            """Runs before the blueprint's routes: a refused request never reaches Rasa's handler."""
            if request.path.rstrip("/").endswith("/telegram"):  # the health check
                return None
            if not hmac.compare_digest(request.headers.get(SECRET_HEADER, "").encode(), secret.encode()):
                logger.warning("Telegram: refused a webhook request without the secret token (403)")
                return response.text("forbidden", status=403)
            if request.path.rstrip("/").endswith("/set_webhook"):  # Rasa's would register without the secret
                channel = TelegramOutput(self.access_token)
                await register_webhook(channel, self.webhook_url, secret)
                return response.text("Webhook setup successful")
            return None

        return telegram_webhook


def webhook_secret(access_token: Optional[str]) -> str:
    """TELEGRAM_WEBHOOK_SECRET when set, otherwise derived from the bot token (HMAC-SHA256): unpredictable to
    anyone without the token, and the same in every replica, which all register the webhook at start (a
    random value per process would make the replicas refuse each other's registrations)."""
    configured = settings.TELEGRAM_WEBHOOK_SECRET
    if configured is not None:
        if not SECRET_FORMAT.match(configured) or len(configured) < MIN_SECRET_LENGTH:
            raise RasaException(
                f"TELEGRAM_WEBHOOK_SECRET must be {MIN_SECRET_LENGTH} to 256 characters A-Z, a-z, 0-9, _, -"
            )
        return configured
    if not access_token:
        raise RasaException("the Telegram channel needs its access token")
    return hmac.new(access_token.encode(), b"legcramps telegram webhook secret", hashlib.sha256).hexdigest()


async def register_webhook(channel: TelegramOutput, webhook_url: Optional[str], secret: str) -> None:
    """setWebhook with the secret token, then close the HTTP session: it belongs to this short-lived event loop
    (Rasa's connector keeps it, and every later message then fails with "Event loop is closed")."""
    try:
        await channel.request(api.Methods.SET_WEBHOOK, {"url": webhook_url, "secret_token": secret})
    finally:
        await channel.close()
