"""Messaging platforms and the callback channel end to end: each platform's real webhook payload, signed as
the platform signs it, posted to the running Rasa server; the replies captured by a loopback fake of the
platform's API (tests/fake_platforms.py). The session's shared assistant (tests/conftest.py, every channel
switched on) serves the module.
The same answer on every platform keeps its source links, its feedback buttons (numbered on SMS) and one
disclaimer (channels/display.py shows the source line each platform's way).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import time
import uuid
from typing import Optional
from urllib.parse import urlencode

import pytest
import requests
import yaml
from twilio.request_validator import RequestValidator

from channels import display
from channels.facebook import link_buttons
from launch.assistant import ROOT
from launch.credentials import effective
from tests.fake_platforms import (
    FACEBOOK_SECRET,
    SLACK_SECRET,
    TELEGRAM_BOT,
    TELEGRAM_TOKEN,
    TWILIO_SID,
    TWILIO_SMS,
    TWILIO_TOKEN,
    TWILIO_WHATSAPP,
    FakePlatforms,
    dumps,
    text_of,
)
from tests.linked_sources import QUESTION

pytestmark = pytest.mark.servers

DISCLAIMER = "not a substitute for professional medical advice"
TIMEOUT = 60


@pytest.fixture(scope="module")
def rasa(assistant):
    return assistant["rasa"]


def user_id() -> str:
    return uuid.uuid4().hex[:10]


def replies_to(fake: FakePlatforms, path: str, recipient: str, key, done=lambda texts: False):
    """The texts sent to `recipient`, once the disclaimer or `done` says the answer is complete."""

    def complete(calls):
        texts = [text_of(c) for c in calls if key(c) == recipient]
        return any(DISCLAIMER in t for t in texts) or done(texts)

    return [text_of(c) for c in fake.wait_for(path, complete) if key(c) == recipient]


# -- credentials: unset secrets switch a channel off -----------------------------------------------------------


def test_a_channel_is_on_only_when_all_its_variables_are_set():
    template = yaml.safe_load((ROOT / "credentials.yml").read_text())
    channels, disabled = effective(template, {"SLACK_TOKEN": "x"})
    assert set(channels) == {"channels.rest.AuthenticatedRestInput", "channels.socketio.SocketIOInput"}
    assert disabled["channels.slack.SlackInput"] == ["SLACK_SIGNING_SECRET"]
    channels, _ = effective(template, {"SLACK_TOKEN": "x", "SLACK_SIGNING_SECRET": "y"})
    assert channels["channels.slack.SlackInput"]["slack_token"] == "${SLACK_TOKEN}", "secrets are never written"


# -- Telegram ----------------------------------------------------------------------------------------------------


def telegram_update(chat_id: int, text: str) -> dict:
    user = {"id": chat_id, "is_bot": False, "first_name": "Sam", "language_code": "en"}
    message = {
        "message_id": int(time.time()),
        "from": user,
        "chat": {"id": chat_id, "first_name": "Sam", "type": "private"},
        "date": int(time.time()),
        "text": text,
    }
    return {"update_id": int(time.time() * 1000) % 10**9, "message": message}


def telegram_button(chat_id: int, data: str) -> dict:
    user = {"id": chat_id, "is_bot": False, "first_name": "Sam"}
    chat = {"id": chat_id, "type": "private"}
    message = {"message_id": 2, "from": TELEGRAM_BOT, "chat": chat, "date": int(time.time()), "text": "Hello!"}
    query = {"id": "4382", "from": user, "message": message, "chat_instance": "-1", "data": data}
    return {"update_id": int(time.time() * 1000) % 10**9 + 1, "callback_query": query}


def telegram_secret(fake: FakePlatforms) -> str:
    """The secret_token the channel registered with setWebhook (Telegram sends it back with every update)."""
    return fake.matching(rf"/bot{TELEGRAM_TOKEN}/setWebhook")[0].body["secret_token"]


def telegram_post(rasa: str, fake: FakePlatforms, update: dict, secret: Optional[str] = None, **headers: str):
    """POST an update as Telegram does: with the registered secret in X-Telegram-Bot-Api-Secret-Token."""
    headers = {"X-Telegram-Bot-Api-Secret-Token": telegram_secret(fake) if secret is None else secret, **headers}
    return requests.post(f"{rasa}/webhooks/telegram/webhook", json=update, headers=headers, timeout=TIMEOUT)


def test_telegram_registers_its_webhook_at_start_with_a_secret_token(rasa, fake):
    assert requests.get(f"{rasa}/webhooks/telegram/", timeout=TIMEOUT).json() == {"status": "ok"}
    calls = fake.matching(rf"/bot{TELEGRAM_TOKEN}/setWebhook")
    assert calls and calls[0].body["url"] == "https://bot.example.org/webhooks/telegram/webhook"
    secret = calls[0].body["secret_token"]
    assert re.fullmatch(r"[A-Za-z0-9_-]{32,256}", secret), "the Bot API's secret_token format, and long"
    assert TELEGRAM_TOKEN not in secret


def forged_secrets(secret: str) -> dict:
    """Headers an attacker might send: none, an empty or wrong secret, the right one with its last character changed."""
    almost = secret[:-1] + ("0" if secret[-1] != "0" else "1")
    return {"missing": None, "empty": "", "wrong": "wrong-secret-" + "x" * 40, "almost": almost}


@pytest.mark.parametrize("forgery", ["missing", "empty", "wrong", "almost"])
def test_telegram_refuses_an_update_without_the_secret_token_and_processes_nothing(rasa, fake, forgery):
    chat = 700000 + int(time.time() * 1000) % 10**5
    secret = forged_secrets(telegram_secret(fake))[forgery]
    headers = {} if secret is None else {"X-Telegram-Bot-Api-Secret-Token": secret}
    for update in (telegram_update(chat, "hello"), telegram_button(chat, "/ask_causes")):
        response = requests.post(f"{rasa}/webhooks/telegram/webhook", json=update, headers=headers, timeout=TIMEOUT)
        assert response.status_code == 403
    again = requests.post(f"{rasa}/webhooks/telegram/set_webhook", headers=headers, timeout=TIMEOUT)
    assert again.status_code == 403, "re-registering the webhook (Rasa's route: without the secret) is refused too"
    time.sleep(1)
    assert not [c for c in fake.matching(rf"/bot{TELEGRAM_TOKEN}/sendMessage") if c.body.get("chat_id") == str(chat)]
    tracker = requests.get(f"{rasa}/conversations/{chat}/tracker", timeout=TIMEOUT).json()
    assert not [e for e in tracker["events"] if e["event"] == "user"], "nothing was stored"


def test_telegram_set_webhook_with_the_secret_registers_again_with_the_secret(rasa, fake):
    before = len(fake.matching(rf"/bot{TELEGRAM_TOKEN}/setWebhook"))
    headers = {"X-Telegram-Bot-Api-Secret-Token": telegram_secret(fake)}
    response = requests.post(f"{rasa}/webhooks/telegram/set_webhook", headers=headers, timeout=TIMEOUT)
    assert response.status_code == 200
    calls = fake.matching(rf"/bot{TELEGRAM_TOKEN}/setWebhook")
    assert len(calls) == before + 1 and calls[-1].body["secret_token"] == telegram_secret(fake)


def test_telegram_answers_through_the_bot_api_with_inline_buttons(rasa, fake):
    chat = int(time.time()) % 10**6
    sent = f"/bot{TELEGRAM_TOKEN}/sendMessage"
    response = telegram_post(rasa, fake, telegram_update(chat, "hello"))
    assert response.status_code == 200
    calls = fake.wait_for(sent, lambda cs: any(c.body.get("chat_id") == str(chat) for c in cs))
    (greeting,) = [c for c in calls if c.body.get("chat_id") == str(chat)]
    keyboard = json.loads(greeting.body["reply_markup"])["inline_keyboard"]
    assert "/ask_causes" in [b["callback_data"] for row in keyboard for b in row]

    response = telegram_post(rasa, fake, telegram_button(chat, "/ask_causes"))
    assert response.status_code == 200
    texts = replies_to(fake, sent, str(chat), lambda c: c.body.get("chat_id"))
    assert any("Source:" in t for t in texts), texts


# -- Slack -------------------------------------------------------------------------------------------------------


def slack_post(rasa: str, body: bytes, content_type: str, secret: str = SLACK_SECRET, age: int = 0):
    timestamp = str(int(time.time()) - age)
    digest = hmac.new(secret.encode(), f"v0:{timestamp}:".encode() + body, hashlib.sha256).hexdigest()
    headers = {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": f"v0={digest}",
    }
    return requests.post(f"{rasa}/webhooks/slack/webhook", data=body, headers=headers, timeout=TIMEOUT)


def slack_event(user: str, channel: str, text: str) -> bytes:
    event = {
        "type": "message",
        "channel": channel,
        "user": user,
        "text": text,
        "ts": f"{time.time():.6f}",
        "event_ts": f"{time.time():.6f}",
        "channel_type": "im",
    }
    callback = {
        "token": "verification-token",
        "team_id": "T0001",
        "api_app_id": "A0001",
        "event": event,
        "type": "event_callback",
        "event_id": f"Ev{user}",
        "event_time": int(time.time()),
        "authorizations": [{"team_id": "T0001", "user_id": "UBOT0001", "is_bot": True}],
    }
    return json.dumps(callback).encode()


def slack_button(user: str, channel: str, value: str) -> bytes:
    payload = {
        "type": "block_actions",
        "user": {"id": user, "username": "sam", "team_id": "T0001"},
        "api_app_id": "A0001",
        "container": {"type": "message", "message_ts": "1.000001", "channel_id": channel},
        "channel": {"id": channel, "name": "directmessage"},
        "message": {"type": "message", "ts": "1.000001", "text": "Hello!"},
        "actions": [
            {"type": "button", "block_id": "b1", "action_id": "a1", "value": value, "action_ts": f"{time.time()}"}
        ],
    }
    return urlencode({"payload": json.dumps(payload)}).encode()


def test_slack_answers_a_signed_event_with_buttons_and_a_button_click(rasa, fake):
    user, channel = f"U{user_id()}", f"D{user_id()}"
    assert slack_post(rasa, slack_event(user, channel, "hello"), "application/json").status_code == 200
    calls = fake.wait_for("/api/chat.postMessage", lambda cs: any(c.body.get("channel") == channel for c in cs))
    (greeting,) = [c for c in calls if c.body.get("channel") == channel]
    values = [e["value"] for block in greeting.body["blocks"] if block["type"] == "actions" for e in block["elements"]]
    assert "/ask_causes" in values
    assert greeting.headers["Authorization"] == "Bearer xoxb-test-token"

    click = slack_button(user, channel, "/ask_causes")
    assert slack_post(rasa, click, "application/x-www-form-urlencoded").status_code == 200
    texts = replies_to(fake, "/api/chat.postMessage", channel, lambda c: c.body.get("channel"))
    assert any("Source:" in t for t in texts), texts


def test_slack_shows_every_warning_sign_button(rasa, fake, domain):
    user, channel = f"U{user_id()}", f"D{user_id()}"
    slack_post(rasa, slack_event(user, channel, "can you check my leg cramps?"), "application/json")
    calls = fake.wait_for(
        "/api/chat.postMessage", lambda cs: any(c.body.get("channel") == channel and c.body.get("blocks") for c in cs)
    )
    (question,) = [c for c in calls if c.body.get("channel") == channel and c.body.get("blocks")]
    titles = [e["text"]["text"] for b in question.body["blocks"] if b["type"] == "actions" for e in b["elements"]]
    expected = [b["title"] for b in domain["responses"]["utter_ask_red_flags"][0]["buttons"]]
    assert titles == expected and "None of these" in titles


@pytest.mark.parametrize("secret, age", [("wrong-secret", 0), (SLACK_SECRET, 600)])
def test_slack_refuses_a_bad_or_old_signature(rasa, fake, secret, age):
    channel = f"D{user_id()}"
    response = slack_post(rasa, slack_event("U1", channel, "hello"), "application/json", secret=secret, age=age)
    assert response.status_code == 400
    time.sleep(1)
    assert not [c for c in fake.matching("/api/chat.postMessage") if c.body.get("channel") == channel]


# -- Facebook Messenger ------------------------------------------------------------------------------------------


def messenger_event(psid: str, text: str) -> bytes:
    now = int(time.time() * 1000)
    messaging = {
        "sender": {"id": psid},
        "recipient": {"id": "PAGE0001"},
        "timestamp": now,
        "message": {"mid": f"m_{psid}_{now}", "text": text},
    }
    return json.dumps({"object": "page", "entry": [{"id": "PAGE0001", "time": now, "messaging": [messaging]}]}).encode()


def facebook_post(rasa: str, body: bytes, secret: str = FACEBOOK_SECRET, header: str = "X-Hub-Signature-256"):
    algorithm = "sha256" if header.endswith("256") else "sha1"
    signature = hmac.new(secret.encode(), body, getattr(hashlib, algorithm)).hexdigest()
    headers = {"Content-Type": "application/json", header: f"{algorithm}={signature}"}
    return requests.post(f"{rasa}/webhooks/facebook/webhook", data=body, headers=headers, timeout=TIMEOUT)


def facebook_recipient(call) -> str:
    return call.body.get("recipient", {}).get("id", "")


def test_facebook_verifies_the_webhook_subscription(rasa):
    params = {"hub.mode": "subscribe", "hub.verify_token": "facebook-verify-token", "hub.challenge": "1158201444"}
    assert requests.get(f"{rasa}/webhooks/facebook/webhook", params=params, timeout=TIMEOUT).text == "1158201444"
    params["hub.verify_token"] = "wrong"
    assert requests.get(f"{rasa}/webhooks/facebook/webhook", params=params, timeout=TIMEOUT).status_code == 403


def test_facebook_numbered_quick_replies_and_an_answer_by_number(rasa, fake):
    psid = user_id()
    assert facebook_post(rasa, messenger_event(psid, "hello")).status_code == 200
    calls = fake.wait_for(
        r"/me/messages", lambda cs: any(facebook_recipient(c) == psid and "message" in c.body for c in cs)
    )
    (greeting,) = [c for c in calls if facebook_recipient(c) == psid and "message" in c.body]
    quick = greeting.body["message"]["quick_replies"]
    assert [q["title"] for q in quick] == ["1", "2", "3", "4"] and quick[1]["payload"] == "/ask_causes"
    assert "2. What causes them?" in greeting.body["message"]["text"]

    assert facebook_post(rasa, messenger_event(psid, "2"), header="X-Hub-Signature").status_code == 200
    texts = replies_to(fake, r"/me/messages", psid, facebook_recipient)
    assert any("Source:" in t for t in texts), dumps(fake.matching(r"/me/messages"))


def test_facebook_refuses_a_bad_signature(rasa, fake):
    psid = user_id()
    assert facebook_post(rasa, messenger_event(psid, "hello"), secret="wrong").status_code == 403
    unsigned = requests.post(f"{rasa}/webhooks/facebook/webhook", data=messenger_event(psid, "hello"), timeout=TIMEOUT)
    assert unsigned.status_code == 403
    time.sleep(1)
    assert not [c for c in fake.matching(r"/me/messages") if facebook_recipient(c) == psid]


# -- Twilio: SMS and WhatsApp ------------------------------------------------------------------------------------


def twilio_form(sender: str, to: str, body: str) -> dict:
    return {
        "ToCountry": "US",
        "ToState": "CA",
        "SmsMessageSid": "SM" + uuid.uuid4().hex,
        "NumMedia": "0",
        "ToCity": "",
        "FromZip": "",
        "SmsSid": "SM" + uuid.uuid4().hex,
        "FromState": "CA",
        "SmsStatus": "received",
        "FromCity": "",
        "Body": body,
        "FromCountry": "US",
        "To": to,
        "ToZip": "",
        "NumSegments": "1",
        "MessageSid": "SM" + uuid.uuid4().hex,
        "AccountSid": TWILIO_SID,
        "From": sender,
        "ApiVersion": "2010-04-01",
    }


def twilio_post(rasa: str, channel: str, form: dict, token: str = TWILIO_TOKEN):
    url = f"{rasa}/webhooks/{channel}/webhook"
    signature = RequestValidator(token).compute_signature(url, form)
    return requests.post(url, data=form, headers={"X-Twilio-Signature": signature}, timeout=TIMEOUT)


def twilio_to(call) -> str:
    return call.body.get("To", "")


MESSAGES = rf"/2010-04-01/Accounts/{TWILIO_SID}/Messages.json"


def test_sms_buttons_become_numbered_choices_and_a_number_answers(rasa, fake):
    phone = f"+1555{int(time.time() * 1000) % 10**7:07d}"
    assert twilio_post(rasa, "twilio", twilio_form(phone, TWILIO_SMS, "hello")).status_code == 204
    (greeting,) = fake.wait_for(MESSAGES, lambda cs: any(twilio_to(c) == phone for c in cs))
    assert greeting.body["From"] == TWILIO_SMS
    assert "Reply with the number" in greeting.body["Body"] and "2. What causes them?" in greeting.body["Body"]

    assert twilio_post(rasa, "twilio", twilio_form(phone, TWILIO_SMS, " 2 ")).status_code == 204
    texts = replies_to(fake, MESSAGES, phone, twilio_to)
    assert any("Source:" in t for t in texts), texts


def test_a_number_with_no_pending_choice_is_read_as_text(rasa, fake):
    phone = f"+1666{int(time.time() * 1000) % 10**7:07d}"
    assert twilio_post(rasa, "twilio", twilio_form(phone, TWILIO_SMS, "7")).status_code == 204
    calls = fake.wait_for(MESSAGES, lambda cs: any(twilio_to(c) == phone for c in cs))
    texts = [text_of(c) for c in calls if twilio_to(c) == phone]
    assert texts and not any("Source:" in t for t in texts), texts


def test_whatsapp_through_twilio_answers_from_the_whatsapp_number(rasa, fake):
    phone = f"whatsapp:+1777{int(time.time() * 1000) % 10**7:07d}"
    form = twilio_form(phone, TWILIO_WHATSAPP, "what causes leg cramps?")
    assert twilio_post(rasa, "twilio_whatsapp", form).status_code == 204
    texts = replies_to(fake, MESSAGES, phone, twilio_to)
    assert any("Source:" in t for t in texts), texts
    assert {c.body["From"] for c in fake.matching(MESSAGES) if twilio_to(c) == phone} == {TWILIO_WHATSAPP}


def test_twilio_refuses_a_bad_or_missing_signature(rasa, fake):
    phone = f"+1888{int(time.time() * 1000) % 10**7:07d}"
    assert twilio_post(rasa, "twilio", twilio_form(phone, TWILIO_SMS, "hi"), token="wrong").status_code == 403
    unsigned = requests.post(
        f"{rasa}/webhooks/twilio/webhook", data=twilio_form(phone, TWILIO_SMS, "hi"), timeout=TIMEOUT
    )
    assert unsigned.status_code == 403
    time.sleep(1)
    assert not [c for c in fake.matching(MESSAGES) if twilio_to(c) == phone]


# -- callback ----------------------------------------------------------------------------------------------------


def test_the_callback_channel_refuses_requests_without_the_token(rasa):
    body = {"sender": user_id(), "message": "hello"}
    assert requests.post(f"{rasa}/webhooks/callback/webhook", json=body, timeout=TIMEOUT).status_code == 401


def test_the_callback_channel_posts_each_reply_to_the_callback_url(assistant, rasa, fake):
    sender = user_id()
    response = requests.post(
        f"{rasa}/webhooks/callback/webhook",
        json={"sender": sender, "message": "what causes leg cramps?"},
        headers={"Authorization": f"Bearer {assistant['token']}"},
        timeout=TIMEOUT,
    )
    assert response.status_code == 200 and response.text == "success"
    texts = replies_to(fake, "^/callback$", sender, lambda c: c.body.get("recipient_id"))
    assert any("Source:" in t for t in texts) and DISCLAIMER in texts[-1], texts


# -- the same answer on every platform: source links, feedback buttons, one disclaimer -----------------------------

FEEDBACK = "Was this answer helpful?"
FEEDBACK_PAYLOADS = ["/answer_helpful", "/answer_not_helpful"]
LINE = (
    "Source: NHS (https://www.nhs.uk/conditions/leg-cramps/); Merck Manual; "
    "NICE CKS (https://cks.nice.org.uk/topics/leg-cramps/) | Evidence: well established | Reviewed: 2026-12-01"
)


def one_disclaimer(texts) -> None:
    assert sum(DISCLAIMER in t for t in texts) == 1, texts


def test_a_source_line_is_kept_apart_from_the_answer_above_it():
    assert display.messages("An answer.\nNote on the evidence: n.\n\n" + LINE + "\n\nMore.") == [
        "An answer.\nNote on the evidence: n.",
        LINE,
        "More.",
    ]
    assert display.messages("An answer.\n" + LINE) == ["An answer.", LINE], "the response before the blank line"
    assert display.messages("One line.\nAnother, with Source: in it.") == ["One line.\nAnother, with Source: in it."]


def test_each_platform_shows_the_links_its_own_way_and_plain_sources_as_they_are():
    assert display.markdown(LINE).startswith(
        "Source: [NHS](https://www.nhs.uk/conditions/leg-cramps/); Merck Manual; "
        "[NICE CKS](https://cks.nice.org.uk/topics/leg-cramps/) | Evidence: well established"
    )
    assert display.slack_mrkdwn(LINE).startswith(
        "Source: <https://www.nhs.uk/conditions/leg-cramps/|NHS>; Merck Manual; "
        "<https://cks.nice.org.uk/topics/leg-cramps/|NICE CKS> |"
    )
    assert display.with_url_line(LINE).splitlines() == [
        "Source: NHS; Merck Manual; NICE CKS | Evidence: well established | Reviewed: 2026-12-01",
        "nhs.uk/conditions/leg-cramps",
        "cks.nice.org.uk/topics/leg-cramps",
    ]
    plain = "Source: NHS Leg cramps; Mayo Clinic | Evidence: well established | Reviewed: 2026-11-24"
    assert display.markdown(plain) == plain and display.with_url_line(plain) == plain
    assert display.slack_mrkdwn(plain) == plain and link_buttons(plain) is None
    assert (
        display.markdown("An answer with a (https://example.org) in it")
        == "An answer with a (https://example.org) in it"
    )


def test_markup_is_escaped_for_slack_and_markdown_names_cannot_break_a_link():
    assert display.slack_mrkdwn("a <b> & <!channel>") == "a &lt;b&gt; &amp; &lt;!channel&gt;"
    assert display.slack_mrkdwn("Source: A&B <x> (https://a.org/p)") == "Source: <https://a.org/p|A&amp;B &lt;x&gt;>"
    assert display.markdown("Source: A_[b] (https://a.org/p)") == r"Source: [A\_\[b\]](https://a.org/p)"
    assert display.links("Source: javascript (javascript:alert(1)); x (http://a.org)") == [], "https:// links only"


def test_messenger_links_are_buttons_within_messengers_limits():
    template = link_buttons(LINE)
    assert template is not None
    payload = template["attachment"]["payload"]
    assert payload["text"].startswith("Source: NHS; Merck Manual; NICE CKS |")
    assert [(b["type"], b["title"], b["url"]) for b in payload["buttons"]] == [
        ("web_url", "NHS", "https://www.nhs.uk/conditions/leg-cramps/"),
        ("web_url", "NICE CKS", "https://cks.nice.org.uk/topics/leg-cramps/"),
    ]
    four = "Source: " + "; ".join(f"S{n} (https://s{n}.org/)" for n in range(4))
    assert link_buttons(four) is None, "more than three links: the URLs stay in the text, which Messenger links"
    long_name = link_buttons("Source: A much longer organisation name (https://a.org/)")
    assert long_name and len(long_name["attachment"]["payload"]["buttons"][0]["title"]) == 20


def telegram_headers(fake: FakePlatforms) -> dict:
    """The secret token header, when the channel registered its webhook with one."""
    calls = fake.matching(rf"/bot{TELEGRAM_TOKEN}/setWebhook")
    secret = calls[0].body.get("secret_token") if calls else None
    return {"X-Telegram-Bot-Api-Secret-Token": secret} if secret else {}


def test_telegram_an_answer_keeps_its_links_feedback_buttons_and_one_disclaimer(rasa, fake, linked):
    chat = 800000 + int(time.time() * 1000) % 10**5
    sent = f"/bot{TELEGRAM_TOKEN}/sendMessage"
    update = telegram_update(chat, QUESTION)
    response = requests.post(
        f"{rasa}/webhooks/telegram/webhook", json=update, headers=telegram_headers(fake), timeout=TIMEOUT
    )
    assert response.status_code == 200
    texts = replies_to(fake, sent, str(chat), lambda c: c.body.get("chat_id"))
    source = next(t for t in texts if "Source: " in t)
    for name, url in linked[1]:
        assert f"{name} ({url})" in source, source  # Telegram shows a URL in a text as a link
    calls = [c for c in fake.matching(sent) if c.body.get("chat_id") == str(chat)]
    (question,) = [c for c in calls if text_of(c) == FEEDBACK]
    keyboard = json.loads(question.body["reply_markup"])["inline_keyboard"]
    assert [b["callback_data"] for row in keyboard for b in row] == FEEDBACK_PAYLOADS
    one_disclaimer(texts)


def test_slack_an_answer_keeps_its_links_feedback_buttons_and_one_disclaimer(rasa, fake, linked):
    user, channel = f"U{user_id()}", f"D{user_id()}"
    assert slack_post(rasa, slack_event(user, channel, QUESTION), "application/json").status_code == 200
    texts = replies_to(fake, "/api/chat.postMessage", channel, lambda c: c.body.get("channel"))
    calls = [c for c in fake.matching("/api/chat.postMessage") if c.body.get("channel") == channel]
    (source,) = [c for c in calls if (c.body.get("blocks") or [{}])[0].get("type") == "context"]
    line = source.body["blocks"][0]["elements"][0]
    assert line["type"] == "mrkdwn" and line["text"].startswith("Source: "), line
    for name, url in linked[1]:
        assert f"<{url}|{name}>" in line["text"], line
    assert source.body["unfurl_links"] is False
    answer = calls[calls.index(source) - 1].body["text"]
    assert len(answer) > 100 and "Source:" not in answer, answer
    (question,) = [c for c in calls if text_of(c) == FEEDBACK]
    values = [e["value"] for b in question.body["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert values == FEEDBACK_PAYLOADS
    one_disclaimer(texts)


def test_messenger_an_answer_keeps_its_links_feedback_buttons_and_one_disclaimer(rasa, fake, linked):
    psid = user_id()
    assert facebook_post(rasa, messenger_event(psid, QUESTION)).status_code == 200
    texts = replies_to(fake, r"/me/messages", psid, facebook_recipient)
    calls = [c for c in fake.matching(r"/me/messages") if facebook_recipient(c) == psid and "message" in c.body]
    templates = [c.body["message"]["attachment"]["payload"] for c in calls if "attachment" in c.body["message"]]
    (source,) = [t for t in templates if t["text"].startswith("Source: ")]
    if len(linked[1]) <= 3:
        assert [(b["type"], b["url"]) for b in source["buttons"]] == [("web_url", url) for _, url in linked[1]]
    (question,) = [t for t in templates if t["text"] == FEEDBACK]
    assert [(b["type"], b["payload"]) for b in question["buttons"]] == [("postback", p) for p in FEEDBACK_PAYLOADS]
    one_disclaimer(texts)


@pytest.mark.parametrize("channel, number", [("twilio", TWILIO_SMS), ("twilio_whatsapp", TWILIO_WHATSAPP)])
def test_sms_and_whatsapp_an_answer_keeps_a_short_url_line_numbered_choices_and_one_disclaimer(
    rasa, fake, linked, channel, number
):
    prefix = "whatsapp:" if channel == "twilio_whatsapp" else ""
    phone = f"{prefix}+1999{int(time.time() * 1000) % 10**7:07d}"
    assert twilio_post(rasa, channel, twilio_form(phone, number, QUESTION)).status_code == 204
    texts = replies_to(fake, MESSAGES, phone, twilio_to)
    (source,) = [t for t in texts if t.startswith("Source: ")]
    lines = source.splitlines()
    assert "https://" not in lines[0] and all(name in lines[0] for name, _ in linked[1]), source
    assert lines[1:] == [display.short_url(url) for _, url in linked[1]], source
    question = next(t for t in texts if t.startswith(FEEDBACK))
    assert question.splitlines()[-2:] == ["1. Yes", "2. No"], question
    one_disclaimer(texts)

    before = len([c for c in fake.matching(MESSAGES) if twilio_to(c) == phone])
    assert twilio_post(rasa, channel, twilio_form(phone, number, "1")).status_code == 204
    calls = fake.wait_for(MESSAGES, lambda cs: len([c for c in cs if twilio_to(c) == phone]) > before)
    assert "Thank you" in text_of([c for c in calls if twilio_to(c) == phone][before])
