"""How a health answer's source line is shown on each platform.

A knowledge-base answer reaches a channel as its text, a blank line, then its source line (domain.yml,
`utter_knowledge_answer`): `Source: NHS (https://www.nhs.uk/...); Mayo Clinic | Evidence: ... | Reviewed: ...`.
Rasa's connectors send each part between blank lines as its own message, so the source line arrives alone;
the connectors here (channels/socketio.py, slack.py, facebook.py, twilio.py) keep it apart in any case.
A source is `Name (https://...)` or, for sources without a link, plain text. Each channel shows the links
in its own way: Markdown for the web widget, `<url|name>` for Slack, buttons for Messenger, a short URL line
for SMS and WhatsApp.
"""

from __future__ import annotations

import re
from typing import Callable, List, Tuple

SOURCE_PREFIX = "Source: "
LINKED = re.compile(r"(.+?)\s*\((https://[^\s;()|]+)\)")
"""One linked source: its name, then its https:// URL in brackets."""
MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#])")
Source = Tuple[str, str]
"""(name, url) of one source; url "" for a source without a link."""


def parts(text: str) -> List[str]:
    """The messages Rasa's connectors make of a text: the parts between blank lines."""
    return [part for part in (p.strip() for p in text.strip().split("\n\n")) if part] or [text]


def messages(text: str) -> List[str]:
    """The messages to send for a text: its parts between blank lines, with a source line always apart from the
    answer above it (an answer from a model trained before the blank line was added to the response)."""
    found: List[str] = []
    for part in parts(text):
        lines = part.split("\n")
        at = next((i for i, line in enumerate(lines) if i and is_source_line(line)), None)
        if at is None:
            found.append(part)
        else:
            found += ["\n".join(lines[:at]).strip(), "\n".join(lines[at:])]
    return found


def is_source_line(text: str) -> bool:
    return text.startswith(SOURCE_PREFIX)


def split_source_line(text: str) -> Tuple[List[Source], str]:
    """The sources of a source line, and what follows them (` | Evidence: ... | Reviewed: ...`)."""
    sources, bar, rest = text[len(SOURCE_PREFIX) :].partition(" | ")
    found: List[Source] = []
    for part in filter(None, (p.strip() for p in sources.split(";"))):
        linked = LINKED.fullmatch(part)
        found.append((linked.group(1).strip(), linked.group(2)) if linked else (part, ""))
    return found, bar + rest


def links(text: str) -> List[Source]:
    """The (name, url) of every linked source of a source line, in order."""
    return [source for source in split_source_line(text)[0] if source[1]] if is_source_line(text) else []


def rendered(text: str, link: Callable[[str, str], str], plain: Callable[[str], str] = lambda s: s) -> str:
    """A source line with each linked source as `link(name, url)` and every other piece of text as `plain(text)`."""
    sources, rest = split_source_line(text)
    shown = [link(name, url) if url else plain(name) for name, url in sources]
    return plain(SOURCE_PREFIX) + plain("; ").join(shown) + plain(rest)


def names_only(text: str) -> str:
    """The source line with each source shown by its name alone."""
    return rendered(text, lambda name, url: name) if is_source_line(text) else text


def markdown_escape(text: str) -> str:
    return MARKDOWN_SPECIAL.sub(lambda found: "\\" + found.group(1), text)


def markdown(text: str) -> str:
    """For the web widget (rasa-webchat renders Markdown, with HTML shown as text): `[name](url)`."""
    if not is_source_line(text):
        return text
    return rendered(text, lambda name, url: f"[{markdown_escape(name)}]({url})")


def slack_escape(text: str) -> str:
    """Slack reads `&`, `<` and `>` as its own markup: every text must escape them."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_mrkdwn(text: str) -> str:
    """For Slack: the text escaped, each linked source of a source line as `<url|name>`."""
    if not is_source_line(text):
        return slack_escape(text)
    return rendered(text, lambda name, url: f"<{url}|{slack_escape(name)}>", slack_escape)


def short_url(url: str) -> str:
    """`https://www.nhs.uk/conditions/leg-cramps/` as `nhs.uk/conditions/leg-cramps`: phones still link it."""
    return re.sub(r"^https://(www\.)?", "", url).rstrip("/")


def with_url_line(text: str) -> str:
    """For SMS and WhatsApp: the source line with names only, then one short URL per linked source."""
    return "\n".join([names_only(text), *(short_url(url) for _, url in links(text))])
