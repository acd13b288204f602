"""Rasa's Facebook Messenger connector with the Graph API host from settings (FACEBOOK_GRAPH_URL),
the current request signature (X-Hub-Signature-256; the older X-Hub-Signature is still accepted),
a 403 for a bad signature, buttons that survive Messenger's limits, and an answer's source line with its links
as link buttons (a button template) or, past Messenger's limits, as URLs in the text, which Messenger links.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from typing import Any, Awaitable, Callable, Dict, List, Optional

from fbmessenger import MessengerClient
from fbmessenger.elements import Text as FBText
from rasa.core.channels.channel import OutputChannel, UserMessage
from rasa.core.channels.facebook import FacebookInput as RasaFacebookInput
from rasa.core.channels.facebook import Messenger as RasaMessenger
from rasa.core.channels.facebook import MessengerBot as RasaMessengerBot
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels import buttons as choices
from channels import display, settings

logger = logging.getLogger(__name__)

# Messenger's button template takes at most 3 buttons with titles of at most 20 characters.
MAX_TEMPLATE_BUTTONS = 3
MAX_TITLE = 20
MAX_TEMPLATE_TEXT = 640
SIGNATURE_HEADERS = (("X-Hub-Signature-256", "sha256"), ("X-Hub-Signature", "sha1"))


def client(page_access_token: str) -> MessengerClient:
    messenger_client = MessengerClient(page_access_token)
    messenger_client.graph_url = settings.facebook_graph_url(messenger_client.api_version)
    return messenger_client


def valid_signature(app_secret: str, body: bytes, headers: Any) -> bool:
    """True when an X-Hub-Signature(-256) header is the HMAC of the body with the app secret."""
    for header, algorithm in SIGNATURE_HEADERS:
        signature = headers.get(header)
        if signature:
            expected = hmac.new(app_secret.encode("utf-8"), body, getattr(hashlib, algorithm)).hexdigest()
            return hmac.compare_digest(signature, f"{algorithm}={expected}")
    return False


def link_buttons(source_line: str) -> Optional[Dict[str, Any]]:
    """A button template: the source line with names only, one link button per linked source; None past the limits."""
    found = display.links(source_line)
    text = display.names_only(source_line)
    if not found or len(found) > MAX_TEMPLATE_BUTTONS or len(text) > MAX_TEMPLATE_TEXT:
        return None
    buttons = [
        {"type": "web_url", "url": url, "title": name if len(name) <= MAX_TITLE else name[: MAX_TITLE - 1] + "…"}
        for name, url in found
    ]
    return {
        "attachment": {"type": "template", "payload": {"template_type": "button", "text": text, "buttons": buttons}}
    }


class MessengerBot(RasaMessengerBot):
    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        for part in display.messages(text):
            template = link_buttons(part) if display.is_source_line(part) else None
            if template:
                self.messenger_client.send(template, recipient_id, "RESPONSE")
            else:
                self.send(recipient_id, FBText(text=part))

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: List[Dict[str, Any]], **kwargs: Any
    ) -> None:
        """A button template when Messenger allows one; otherwise numbered choices with quick replies."""
        if len(buttons) <= MAX_TEMPLATE_BUTTONS and all(len(b["title"]) <= MAX_TITLE for b in buttons):
            await super().send_text_with_buttons(recipient_id, text, buttons, **kwargs)
            return
        numbers = [{"title": str(n), "payload": b["payload"]} for n, b in enumerate(buttons, start=1)]
        await self.send_quick_replies(recipient_id, choices.numbered_choices(text, buttons), numbers)


class Messenger(RasaMessenger):
    def __init__(self, page_access_token: str, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> None:
        super().__init__(page_access_token, on_new_message)
        self.client = client(page_access_token)
        self.request: Optional[Request] = None

    async def _handle_user_message(self, text: str, sender_id: str, metadata: Optional[Dict[str, Any]]) -> None:
        if self.request is not None:
            text = await choices.resolve_number(self.request, sender_id, text) or text
        out_channel = MessengerBot(self.client)
        await out_channel.send_action(sender_id, sender_action="mark_seen")
        await out_channel.send_action(sender_id, sender_action="typing_on")
        try:
            await self.on_new_message(
                UserMessage(text, out_channel, sender_id, input_channel=self.name(), metadata=metadata)
            )
        except Exception:  # as Rasa's connector: Messenger would resend the update after an error status
            logger.exception("Exception when trying to handle webhook for facebook message.")
        finally:
            await out_channel.send_action(sender_id, sender_action="typing_off")


class FacebookInput(RasaFacebookInput):
    """Webhook (callback URL and verify token of the Messenger app): /webhooks/facebook/webhook."""

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        fb_webhook = Blueprint("fb_webhook", __name__)

        @fb_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @fb_webhook.route("/webhook", methods=["GET"])
        async def token_verification(request: Request) -> HTTPResponse:
            if request.args.get("hub.verify_token") == self.fb_verify:
                return response.text(request.args.get("hub.challenge"))
            logger.warning("Invalid Facebook verify token; check the webhook settings of the Facebook app.")
            return response.text("failure, invalid token", status=403)

        @fb_webhook.route("/webhook", methods=["POST"])
        async def webhook(request: Request) -> HTTPResponse:
            if not valid_signature(self.fb_secret, request.body, request.headers):
                logger.warning("Refused a Facebook request with a missing or wrong signature.")
                return response.text("invalid signature", status=403)
            messenger = Messenger(self.fb_access_token, on_new_message)
            messenger.request = request
            await messenger.handle(request.json, self.get_metadata(request))
            return response.text("success")

        return fb_webhook

    def get_output_channel(self) -> OutputChannel:
        return MessengerBot(client(self.fb_access_token))
