"""The chat widget in a real browser (Debian's Chromium driven by Playwright) against the real Rasa server
(socket.io channel) and action server: a phone-sized screen, the keyboard, buttons, a reload, and text that
must never become HTML; an answer's source links, feedback buttons and disclaimer; the doctor-visit notes as a
list; and the page checked with axe-core (webchat/node_modules, pinned in webchat/package.json) for WCAG 2.1
A and AA. Screenshots go to tests/output/; the answer's is copied to docs/images/ for the README. The session's
shared assistant (tests/conftest.py) allows the page's origin.
"""

from __future__ import annotations

import json
import re
import shutil
import threading
from pathlib import Path
from urllib.parse import urlparse

import pytest
import requests
from playwright.sync_api import Browser, Page, expect, sync_playwright

from launch.assistant import ROOT
from launch.webchat_server import WEBCHAT, server
from tests.linked_sources import QUESTION

pytestmark = pytest.mark.servers

DISCLAIMER = "not a substitute for professional medical advice"
OUTPUT = ROOT / "tests" / "output"
README_IMAGE = ROOT / "docs" / "images" / "webchat-answer.png"
AXE = WEBCHAT / "node_modules" / "axe-core" / "axe.min.js"
WCAG21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
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
def page_url(assistant, page_port):
    assert (WEBCHAT / "vendor" / "rasa-webchat.js").exists(), "run `make webchat` (make test does)"
    httpd = server(page_port, assistant["rasa"], message_delay=0)  # no pause before each bot message
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


def no_typing_indicator(page: Page) -> None:
    """The widget shows its typing dots while a bot message waits to be shown: none may be left."""
    expect(page.locator(".rw-typing-indication")).to_have_count(0, timeout=WAIT)


def axe_violations(page: Page) -> list:
    """The page's WCAG 2.1 A and AA violations found by axe-core, injected from webchat/node_modules."""
    assert AXE.exists(), "run `make webchat` (npm ci installs axe-core)"
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG21_AA)
    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
    ]


def font_px(locator) -> float:
    return locator.evaluate("el => parseFloat(getComputedStyle(el).fontSize)")


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
    phone.screenshot(path=str(OUTPUT / "webchat-first-answer.png"))

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
    "How active are you in a normal week?",
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
    no_typing_indicator(phone)  # the notes' custom payload (which rasa-webchat does not show) ended the turn

    # a clean list, one item a question, and the disclaimer its own line after it, not inside the last item
    notes = phone.locator(".rw-response ul").last
    items = notes.locator("li")
    expect(items).to_have_count(len(VISIT_QUESTIONS) + 1)
    expect(items.first).to_have_text("When the cramps started: <b>last spring</b>, after a long run")
    assert DISCLAIMER not in notes.inner_text()
    after = phone.locator(".rw-message").filter(has=notes).locator("xpath=following-sibling::div[1]")
    expect(after).to_have_class(re.compile(r"\blc-disclaimer\b"))
    expect(after).to_contain_text(DISCLAIMER)
    OUTPUT.mkdir(parents=True, exist_ok=True)
    phone.screenshot(path=str(OUTPUT / "webchat-doctor-notes.png"))
    assert axe_violations(phone) == [], "the chat open on the notes"

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


def feedback(page: Page):
    """The Yes and No of the latest "Was this answer helpful?", as a screen reader finds them."""
    return page.get_by_role("group", name="Reply: Was this answer helpful?")


def test_an_answer_shows_its_source_links_the_feedback_buttons_and_one_disclaimer(assistant, page_url, linked, phone):
    phone.goto(page_url)
    expect(phone.locator(".rw-launcher")).to_be_visible(timeout=WAIT)
    assert axe_violations(phone) == [], "the page with the chat closed"
    open_with_keyboard(phone)
    expect(bot_texts(phone).first).to_be_visible(timeout=WAIT)
    ask(phone, QUESTION)

    disclaimer = phone.locator(".lc-disclaimer")
    expect(disclaimer).to_have_count(1, timeout=WAIT)
    expect(disclaimer).to_contain_text(DISCLAIMER)
    expect(feedback(phone).get_by_role("button", name="Yes")).to_be_visible(timeout=WAIT)
    expect(feedback(phone).get_by_role("button", name="No")).to_be_visible()
    no_typing_indicator(phone)
    assert bot_texts(phone).filter(has_text=DISCLAIMER).count() == 1, "one disclaimer in the turn"

    # the source line: a message of its own under the answer, in smaller type, each source a link
    source = phone.locator(".rw-message.lc-source")
    expect(source).to_have_count(1)
    expect(source).to_contain_text("Source: ")
    answer = source.locator("xpath=preceding-sibling::div[1]")
    assert "Source:" not in answer.inner_text() and len(answer.inner_text()) > 100, answer.inner_text()
    assert font_px(source.locator(".rw-response")) < font_px(answer.locator(".rw-response"))
    for name, url in linked[1]:
        link = source.get_by_role("link", name=f"{name} (opens in a new tab)")
        expect(link).to_have_attribute("href", url)
        assert link.get_attribute("target") == "_blank" and link.get_attribute("rel") == "noopener noreferrer"

    OUTPUT.mkdir(parents=True, exist_ok=True)
    phone.screenshot(path=str(OUTPUT / "webchat-answer.png"))
    README_IMAGE.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(OUTPUT / "webchat-answer.png", README_IMAGE)
    assert axe_violations(phone) == [], "the chat open on an answer"

    # keyboard: from the message box back to No, then Yes (the disclaimer after them has nothing to focus)
    phone.locator(".rw-new-message").focus()
    phone.keyboard.press("Shift+Tab")
    assert phone.evaluate("document.activeElement.textContent") == "No"
    phone.keyboard.press("Shift+Tab")
    assert phone.evaluate("[document.activeElement.textContent, document.activeElement.getAttribute('role')]") == [
        "Yes",
        "button",
    ]
    phone.keyboard.press("Enter")
    expect(bot_texts(phone).filter(has_text="Thank you for telling me")).to_be_visible(timeout=WAIT)
    expect(feedback(phone)).to_have_count(0)  # answered: the buttons are gone, not left to press again
    assert tracker_texts(assistant, session_id(phone))[-1] == "/answer_helpful"

    # the mouse, on the next topic's question; and still one disclaimer a turn
    ask(phone, "how can I prevent leg cramps?")
    expect(phone.locator(".lc-disclaimer")).to_have_count(2, timeout=WAIT)
    feedback(phone).get_by_role("button", name="No").click(timeout=WAIT)
    expect(bot_texts(phone).filter(has_text="Thank you for telling me")).to_have_count(2, timeout=WAIT)
    assert tracker_texts(assistant, session_id(phone))[-1] == "/answer_not_helpful"
    no_typing_indicator(phone)
    phone.screenshot(path=str(OUTPUT / "webchat-feedback.png"))
    assert axe_violations(phone) == [], "after the feedback"


def test_the_widget_pauses_before_a_bot_message_only_when_configured(page_url):
    config = requests.get(f"{page_url}config.js", timeout=10).text
    assert '"messageDelay": 0' in config, config
    script = (WEBCHAT / "legcramps-chat.js").read_text()
    assert "customMessageDelay" in script and "data-message-delay" in script
