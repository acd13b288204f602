"""Rasa's Slack connector, with the Web API base URL taken from settings (SLACK_API_URL), text escaped as Slack
requires, and an answer's source line as a small context line with its links as `<url|name>`.

Requests are checked by Rasa's connector: the v0 HMAC-SHA256 of the body with the app's signing secret
(X-Slack-Signature), no older than five minutes (X-Slack-Request-Timestamp); others get 400.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from rasa.core.channels.channel import OutputChannel
from rasa.core.channels.slack import SlackBot as RasaSlackBot
from rasa.core.channels.slack import SlackInput as RasaSlackInput
from slack_sdk.web.async_client import AsyncWebClient

from channels import display, settings

BUTTONS_PER_ROW = 5


class SlackBot(RasaSlackBot):
    def __init__(
        self,
        token: str,
        slack_channel: Optional[str] = None,
        thread_id: Optional[str] = None,
        proxy: Optional[str] = None,
    ) -> None:
        super().__init__(token, slack_channel, thread_id, proxy)
        self.client = AsyncWebClient(token, proxy=proxy, base_url=settings.SLACK_API_URL)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        recipient = self.slack_channel or recipient_id
        for part in display.messages(text):
            mrkdwn = display.slack_mrkdwn(part)
            if display.is_source_line(part):
                context = {"type": "context", "elements": [{"type": "mrkdwn", "text": mrkdwn}]}
                await self._post_message(
                    channel=recipient, text=mrkdwn, blocks=[context], unfurl_links=False, unfurl_media=False
                )
            else:
                await self._post_message(channel=recipient, as_user=True, text=mrkdwn, type="mrkdwn")

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: List[Dict[str, Any]], **kwargs: Any
    ) -> None:
        """Buttons in rows of five: Rasa's connector drops every button of a message with more than five."""
        rows = [buttons[start : start + BUTTONS_PER_ROW] for start in range(0, len(buttons), BUTTONS_PER_ROW)]
        blocks: List[Dict[str, Any]] = [{"type": "section", "text": {"type": "plain_text", "text": text}}]
        blocks += [
            {
                "type": "actions",
                "elements": [
                    {"type": "button", "text": {"type": "plain_text", "text": b["title"]}, "value": b["payload"]}
                    for b in row
                ],
            }
            for row in rows
        ]
        fallback = display.slack_escape(text)  # the notification's text is mrkdwn
        await self._post_message(channel=self.slack_channel or recipient_id, text=fallback, blocks=blocks)


class SlackInput(RasaSlackInput):
    """Webhook (Event Subscriptions and Interactivity request URL): /webhooks/slack/webhook."""

    def get_output_channel(self, channel: Optional[str] = None, thread_id: Optional[str] = None) -> OutputChannel:
        return SlackBot(self.slack_token, channel or self.slack_channel, thread_id, self.proxy)
