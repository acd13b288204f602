"""A generated, repeatable set of conversations for the content-review pipeline: questions the knowledge
base answers (some rated), and messages it cannot answer, many carrying personal details."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import List, Tuple

NAMES = ["Sarah", "Tom Baker", "Priya", "Jonas", "Maria Lopez", "Kwame"]
EMAILS = ["sarah.k@example.com", "tb1960@example.org", "priya+health@example.net"]
PHONES = ["07700 900123", "+44 20 7946 0958", "555-0142"]

UNANSWERED = {
    "migraine": [
        "I have a migraine, what should I take",
        "my migraine won't go away, what helps a migraine",
        "migraine again today, any tips for migraine",
    ],
    "toothache": [
        "my tooth is killing me, how do I get rid of toothache",
        "toothache all night, what can I do about toothache",
        "how do I stop a toothache",
    ],
    "weather": [
        "what's the weather like today",
        "will it rain tomorrow, what's the weather",
        "weather forecast for the weekend",
    ],
    "pizza": ["order me a pizza", "where can I get a pizza delivered", "order a large pizza please"],
}
WITH_DETAILS = [
    "Hi, my name is {name}. {message}",
    "{message}. You can email me at {email}",
    "{message}, call me on {phone}",
    "{message}",
]
QUESTIONS = [
    "what causes leg cramps?",
    "how can I prevent cramps at night?",
    "what should I do during a cramp?",
    "who gets leg cramps?",
    "what causes leg cramps?",
]
RATINGS = ["/answer_helpful", "/answer_helpful", "/answer_not_helpful", None]


@dataclass(frozen=True)
class Conversation:
    messages: Tuple[str, ...]


def generate(count: int = 16, seed: int = 7) -> Tuple[List[Conversation], List[str]]:
    """`count` conversations and every personal detail they contain."""
    rng = random.Random(seed)
    conversations = []
    for i in range(count):
        messages = [QUESTIONS[i % len(QUESTIONS)]]
        rating = RATINGS[i % len(RATINGS)]
        if rating:
            messages.append(rating)
        theme = sorted(UNANSWERED)[i % len(UNANSWERED)]
        template = WITH_DETAILS[i % len(WITH_DETAILS)]
        message = rng.choice(UNANSWERED[theme])
        messages.append(
            template.format(name=rng.choice(NAMES), email=rng.choice(EMAILS), phone=rng.choice(PHONES), message=message)
        )
        conversations.append(Conversation(tuple(messages)))
    details = NAMES + [n.split()[0] for n in NAMES] + EMAILS + PHONES + ["900123", "7946", "0142"]
    return conversations, details
