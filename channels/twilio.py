"""Rasa's Twilio connector for SMS and WhatsApp, with the request signature checked (X-Twilio-Signature,
which Rasa's connector ignores), the API host from settings (TWILIO_API_URL), buttons as numbered
choices that the user can answer by number, an answer's source line with its links as short URLs on their own
lines (channels/display.py), and the API calls off the event loop.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Awaitable, Callable, Dict, List, Optional
from urllib.parse import parse_qsl

from rasa.core.channels.channel import OutputChannel, UserMessage
from rasa.core.channels.twilio import TwilioInput as RasaTwilioInput
from rasa.core.channels.twilio import TwilioOutput as RasaTwilioOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response
from twilio.request_validator import RequestValidator

from channels import buttons as choices
from channels import display, settings

logger = logging.getLogger(__name__)

API_TIMEOUT = 10
TWILIO_API = "https://api.twilio.com"


class HttpClient(TwilioHttpClient):
    """Twilio's HTTP client, calling TWILIO_API_URL instead of api.twilio.com when it is set."""

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Response:
        if url.startswith(TWILIO_API):
            url = settings.TWILIO_API_URL + url[len(TWILIO_API) :]
        return super().request(method, url, *args, **kwargs)


class TwilioOutput(RasaTwilioOutput):
    def __init__(self, account_sid: Optional[str], auth_token: Optional[str], twilio_number: Optional[str]) -> None:
        super().__init__(account_sid, auth_token, twilio_number)
        self.http_client = HttpClient(timeout=API_TIMEOUT)

    async def _send_message(self, message_data: Dict[str, Any]) -> Any:
        try:
            return await asyncio.to_thread(self.messages.create, **message_data)
        except TwilioRestException as error:
            logger.error("Twilio refused a message: %s", error.msg)
            return None

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        for part in display.messages(text):
            body = display.with_url_line(part) if display.is_source_line(part) else part
            await self._send_message({"to": recipient_id, "from_": self.twilio_number, "body": body})

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: List[Dict[str, Any]], **kwargs: Any
    ) -> None:
        """One message: the text and the numbered choices (SMS has no buttons)."""
        body = choices.numbered_choices(text, buttons)
        await self._send_message({"to": recipient_id, "from_": self.twilio_number, "body": body})


class TwilioInput(RasaTwilioInput):
    """SMS. Webhook (the number's "A message comes in" URL, HTTP POST): /webhooks/twilio/webhook."""

    def signed_url(self, request: Request) -> str:
        public = settings.RASA_PUBLIC_URL
        if not public:
            return request.url
        query = f"?{request.query_string}" if request.query_string else ""
        return public.rstrip("/") + request.path + query

    def valid_signature(self, request: Request, form: Dict[str, str]) -> bool:
        signature = request.headers.get("X-Twilio-Signature", "")
        return bool(signature) and RequestValidator(self.auth_token or "").validate(
            self.signed_url(request), form, signature
        )

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        twilio_webhook = Blueprint(f"{self.name()}_webhook", __name__)

        @twilio_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @twilio_webhook.route("/webhook", methods=["POST"])
        async def message(request: Request) -> HTTPResponse:
            # Twilio signs every parameter, empty ones too (which request.form leaves out)
            form = dict(parse_qsl(request.body.decode("utf-8", "replace"), keep_blank_values=True))
            if not self.valid_signature(request, form):
                logger.warning("Refused a Twilio request with a missing or wrong X-Twilio-Signature.")
                return response.text("invalid signature", status=403)
            sender = form.get("From")
            text = form.get("Body")
            if not sender or text is None:
                return response.text("a message needs From and Body", status=400)
            text = await choices.resolve_number(request, sender, text.replace("¡", "@"))
            await on_new_message(
                UserMessage(
                    text,
                    self.get_output_channel(),
                    sender,
                    input_channel=self.name(),
                    metadata=self.get_metadata(request),
                )
            )
            return response.text("", status=204)

        return twilio_webhook

    def get_output_channel(self) -> OutputChannel:
        return TwilioOutput(self.account_sid, self.auth_token, self.twilio_number)


class TwilioWhatsAppInput(TwilioInput):
    """WhatsApp through Twilio (twilio_number "whatsapp:+1..."). Webhook: /webhooks/twilio_whatsapp/webhook."""

    @classmethod
    def name(cls) -> str:
        return "twilio_whatsapp"
