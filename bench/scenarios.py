"""The conversation mix the load generator replays: information topics, medication, a red flag, and the
referral form answered in free text. Every conversation gets a fresh sender id, so trackers start empty."""

from __future__ import annotations

from typing import List, Tuple

CONVERSATIONS: Tuple[Tuple[str, ...], ...] = (
    ("hi", "what causes leg cramps?", "can diabetes cause cramps?", "thanks", "bye"),
    (
        "I keep getting cramps in my calves, can you check my symptoms?",
        "no, none of those",
        "about 6 out of 10",
        "a few times a week",
        "a couple of minutes",
        "stretching helped",
        "thank you",
    ),
    ("how can I stop a cramp when it happens?", "how do I prevent cramps at night?", "is quinine safe for cramps?"),
    ("who gets leg cramps most?", "when should I see a doctor about cramps?", "how are cramps diagnosed?", "ok bye"),
    (
        "I'd like you to assess my leg cramps",
        "none of these",
        "severe",
        "every night",
        "how are cramps diagnosed?",
        "a couple of minutes",
        "nothing helped",
        "what should I tell the doctor?",
    ),
    ("hello", "can dehydration trigger cramps?", "my calf is swollen, red and warm", "thanks"),
    ("what are leg cramps?", "what treatments are there?", "are you a bot?", "goodbye"),
)


def message_count() -> int:
    return sum(len(c) for c in CONVERSATIONS)


def flattened() -> List[str]:
    return [m for c in CONVERSATIONS for m in c]
