"""The chat widget in a real browser (Debian's Chromium driven by Playwright) against the real Rasa server
(socket.io channel) and action server: a phone-sized screen, the keyboard, buttons, a reload, and text that
must never become HTML. Screenshots go to tests/output/.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from urllib.parse import urlparse

import pytest
import requests
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.servers import ROOT, free_port, running_assistant
from tools.webchat_server import WEBCHAT, server

DISCLAIMER = "not a substitute for professional medical advice"
OUTPUT = ROOT / "tests" / "output"
PHONE = {"width": 390, "height": 844}
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WAIT = 60_000  # ms; the machine is shared


@pytest.fixture(scope="module")
def page_port():
    return free_port()


@pytest.fixture(scope="module")
def assistant(tmp_path_factory, page_port):
    # the page's origin may call Rasa (socket.io polls over cross-origin HTTP before it upgrades)
    cors = ["--cors", f"http://127.0.0.1:{page_port}"]
    origins = {"CORS_ORIGINS": f"http://127.0.0.1:{page_port}"}  # and its socket.io connections
    with running_assistant(tmp_path_factory.mktemp("webchat"), rasa_args=cors, extra_env=origins) as urls:
        yield urls


@pytest.fixture(scope="module")
def page_url(assistant, page_port):
    assert (WEBCHAT / "vendor" / "rasa-webchat.js").exists(), "run `make webchat` (make test does)"
    httpd = server(page_port, assistant["rasa"])
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    thread.join(10)


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def phone(browser: Browser):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    yield context.new_page()
    context.close()


def bot_texts(page: Page):
    return page.locator(".rw-response .rw-message-text")


def user_texts(page: Page):
    return page.locator(".rw-client .rw-message-text")


def open_with_keyboard(page: Page) -> None:
    """Tab to the chat bubble and press Enter, as a keyboard user does."""
    expect(page.locator(".rw-launcher")).to_be_visible(timeout=WAIT)  # shown once connected to Rasa
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('rw-launcher')"):
            break
    else:
        raise AssertionError("the chat bubble cannot be reached with Tab")
    assert page.get_attribute(".rw-launcher", "aria-label") == "Open the leg cramp chat"
    page.keyboard.press("Enter")
    expect(page.locator(".rw-new-message")).to_be_visible(timeout=WAIT)


def reload_and_open(page: Page) -> None:
    """Reload the page and make sure the chat is open. rasa-webchat restores an open chat by itself, but only
    once it has rendered: wait for it (or for the bubble) before deciding whether to click the bubble."""
    page.reload()
    page.wait_for_selector(".rw-conversation-container, .rw-launcher", timeout=WAIT)
    if page.locator(".rw-conversation-container").count() == 0:
        page.click(".rw-launcher")
    expect(page.locator(".rw-new-message")).to_be_visible(timeout=WAIT)


def ask(page: Page, text: str) -> None:
    box = page.locator(".rw-new-message")
    box.focus()
    page.keyboard.type(text)
    page.keyboard.press("Enter")
    expect(user_texts(page).filter(has_text=text).last).to_be_visible(timeout=WAIT)


def session_id(page: Page) -> str:
    return json.loads(page.evaluate("localStorage.getItem('chat_session')"))["session_id"]


def tracker_texts(assistant, sender: str):
    events = requests.get(f"{assistant['rasa']}/conversations/{sender}/tracker", timeout=30).json()["events"]
    return [e.get("text") for e in events if e["event"] == "user"]


def test_a_conversation_on_a_phone_with_buttons_keyboard_and_a_reload(assistant, page_url, phone: Page):
    hosts = set()
    phone.on("request", lambda request: hosts.add(urlparse(request.url).hostname))
    phone.on("websocket", lambda socket: hosts.add(urlparse(socket.url).hostname))
    phone.goto(page_url)
    expect(phone.locator("#disclaimer")).to_contain_text(DISCLAIMER)

    open_with_keyboard(phone)
    expect(phone.locator(".rw-header")).to_contain_text(DISCLAIMER)
    expect(bot_texts(phone).filter(has_text="I answer questions about leg cramps")).to_be_visible(timeout=WAIT)

    ask(phone, "what causes leg cramps?")
    expect(bot_texts(phone).filter(has_text="Source:").first).to_be_visible(timeout=WAIT)
    expect(bot_texts(phone).filter(has_text=DISCLAIMER).last).to_be_visible(timeout=WAIT)
    OUTPUT.mkdir(parents=True, exist_ok=True)
    phone.screenshot(path=str(OUTPUT / "webchat-answer.png"))

    ask(phone, "can you check my symptoms?")
    phone.locator(".rw-reply", has_text="None of these").click(timeout=WAIT)
    expect(user_texts(phone).filter(has_text="None of these")).to_be_visible(timeout=WAIT)
    expect(bot_texts(phone).filter(has_text="How bad are the cramps")).to_be_visible(timeout=WAIT)

    # keyboard only: back from the message box to the last reply button ("Severe"), then Enter
    phone.locator(".rw-new-message").focus()
    phone.keyboard.press("Shift+Tab")
    focused = phone.evaluate("[document.activeElement.textContent, document.activeElement.getAttribute('role')]")
    assert focused == ["Severe", "button"], focused
    phone.keyboard.press("Enter")
    expect(bot_texts(phone).filter(has_text="How often")).to_be_visible(timeout=WAIT)
    phone.screenshot(path=str(OUTPUT / "webchat-conversation.png"))

    sender = session_id(phone)
    reload_and_open(phone)
    expect(user_texts(phone).filter(has_text="what causes leg cramps?")).to_be_visible(timeout=WAIT)
    expect(bot_texts(phone).filter(has_text="How often")).to_be_visible(timeout=WAIT)
    phone.locator(".rw-reply", has_text="Now and then").click(timeout=WAIT)
    expect(bot_texts(phone).filter(has_text="How long")).to_be_visible(timeout=WAIT)
    phone.screenshot(path=str(OUTPUT / "webchat-after-reload.png"))

    assert session_id(phone) == sender, "the reload kept the session"
    said = tracker_texts(assistant, sender)
    expected = ["what causes leg cramps?", "can you check my symptoms?", "none of these", "severe", "now and then"]
    assert said[1:] == expected, said
    assert hosts == {"127.0.0.1"}, f"the page loaded something from elsewhere: {hosts}"


MARKUP = ['<img src=x onerror="window.__xss=1">', "<script>window.__xss=2</script><b>bold</b>"]


def test_markup_in_messages_and_entities_is_shown_as_text_and_never_runs(assistant, page_url, phone: Page):
    dialogs = []
    phone.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    phone.goto(page_url)
    open_with_keyboard(phone)
    expect(bot_texts(phone).first).to_be_visible(timeout=WAIT)
    for text in MARKUP:
        answers = bot_texts(phone).count()
        ask(phone, text)
        assert user_texts(phone).filter(has_text=text).last.text_content() == text
        expect(bot_texts(phone)).not_to_have_count(answers, timeout=WAIT)

    # an entity value holding markup, through the bot's own answer path (Rasa's HTTP API, out through socket.io)
    answers = bot_texts(phone).count()
    response = requests.post(
        f"{assistant['rasa']}/conversations/{session_id(phone)}/trigger_intent",
        params={"output_channel": "latest"},
        json={"name": "ask_causes", "entities": {"condition": '<img src=y onerror="window.__xss=3">'}},
        timeout=60,
    )
    assert response.status_code == 200, response.text
    expect(bot_texts(phone)).not_to_have_count(answers, timeout=WAIT)

    messages = phone.locator(".rw-messages-container")
    assert messages.locator("img[src=x], img[src=y], script, b").count() == 0
    assert phone.evaluate("window.__xss") is None and not dialogs
    OUTPUT.mkdir(parents=True, exist_ok=True)
    phone.screenshot(path=str(OUTPUT / "webchat-markup-as-text.png"))


def test_the_page_server_does_not_serve_node_modules(page_url):
    assert requests.get(f"{page_url}vendor/rasa-webchat.js", timeout=10).status_code == 200
    for path in ("node_modules/rasa-webchat/package.json", "package.json", "vendor/../node_modules/redux/package.json"):
        assert requests.get(page_url + path, timeout=10).status_code == 404, path


def test_the_embed_snippet_in_the_readme_names_the_files_served(page_url):
    readme = (ROOT / "README.md").read_text()
    assert '<script src="https://YOUR-WEBSITE/chat/legcramps-chat.js"' in readme
    for name in ("legcramps-chat.js", "legcramps-chat.css", "vendor/rasa-webchat.js"):
        assert requests.get(page_url + name, timeout=10).status_code == 200, name
    assert 'base + "vendor/rasa-webchat.js"' in Path(WEBCHAT / "legcramps-chat.js").read_text()


VISIT_QUESTIONS = [
    "How often do the cramps come?",
    "Which muscle or part of the body cramps",
    "Which medicines do you take",
    "How much alcohol do you usually drink?",
    "What is your usual exercise or activity routine?",
    "Roughly how much do you drink each day",
    "What have you tried for the cramps so far",
]


def test_doctor_visit_notes_can_be_downloaded_as_a_text_file(assistant, page_url, phone: Page):
    phone.goto(page_url)
    open_with_keyboard(phone)
    expect(bot_texts(phone).first).to_be_visible(timeout=WAIT)
    ask(phone, "make me a summary for my doctor")
    expect(bot_texts(phone).filter(has_text="When did the cramps start?")).to_be_visible(timeout=WAIT)
    ask(phone, "<b>last spring</b>, after a long run")
    for question in VISIT_QUESTIONS:
        expect(bot_texts(phone).filter(has_text=question)).to_be_visible(timeout=WAIT)
        phone.locator(".rw-reply", has_text="Skip").last.click(timeout=WAIT)
    download_button = phone.locator(".lc-download")
    expect(download_button).to_be_visible(timeout=WAIT)
    expect(bot_texts(phone).filter(has_text="<b>last spring</b>, after a long run")).to_be_visible(timeout=WAIT)
    assert phone.locator(".rw-messages-container b").count() == 0
    OUTPUT.mkdir(parents=True, exist_ok=True)
    phone.screenshot(path=str(OUTPUT / "webchat-doctor-notes.png"))

    with phone.expect_download(timeout=WAIT) as download:
        download_button.click()
    assert download.value.suggested_filename == "leg-cramps-doctor-notes.txt"
    notes = Path(download.value.path()).read_text(encoding="utf-8")
    assert "<b>last spring</b>, after a long run" in notes, notes
    assert DISCLAIMER in notes, notes

    reload_and_open(phone)
    expect(phone.locator(".lc-download")).to_be_visible(timeout=WAIT)
    download_button.focus()
    with phone.expect_download(timeout=WAIT) as again:
        phone.keyboard.press("Enter")
    assert Path(again.value.path()).read_text(encoding="utf-8") == notes
