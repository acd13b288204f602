"""Rasa's Telegram connector, with the Bot API host taken from settings (TELEGRAM_API_URL)."""

from __future__ import annotations

import asyncio
from typing import Optional

from aiogram.bot.api import TelegramAPIServer
from aiogram.utils.exceptions import TelegramAPIError
from rasa.core.channels.telegram import TelegramInput as RasaTelegramInput
from rasa.core.channels.telegram import TelegramOutput as RasaTelegramOutput
from rasa.shared.exceptions import RasaException

from channels import settings


class TelegramOutput(RasaTelegramOutput):
    def __init__(self, access_token: Optional[str]) -> None:
        server = TelegramAPIServer.from_base(settings.get(settings.TELEGRAM_API_URL))
        # skip RasaTelegramOutput.__init__, which only passes the token, to pass the server too
        super(RasaTelegramOutput, self).__init__(access_token, server=server)


class TelegramInput(RasaTelegramInput):
    """Webhook: /webhooks/telegram/webhook. Registers itself with Telegram (setWebhook) at start, as Rasa's does."""

    def get_output_channel(self) -> TelegramOutput:
        channel = TelegramOutput(self.access_token)
        try:
            asyncio.run(register_webhook(channel, self.webhook_url))
        except TelegramAPIError as error:
            raise RasaException(f"Failed to set the Telegram webhook: {error}") from error
        return channel


async def register_webhook(channel: TelegramOutput, webhook_url: Optional[str]) -> None:
    """setWebhook, then close the HTTP session: it belongs to this short-lived event loop (Rasa's connector
    keeps it, and every later message then fails with "Event loop is closed")."""
    try:
        await channel.set_webhook(url=webhook_url)
    finally:
        await channel.close()
