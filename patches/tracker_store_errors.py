"""A tracker store error fails the turn, instead of Rasa's answer from a fresh in-memory conversation.

Rasa 3.6.21's agent wraps every tracker store in `FailSafeTrackerStore` (`Agent._create_tracker_store`).
When the database fails (PostgreSQL restarting), its `retrieve` logs the error and returns None, so Rasa
answers the message as the first of a new conversation: the user's context is gone (an answer to the
referral form becomes "I'm not sure I understood"), and its `save` keeps that turn in memory only. If the
database is back before the turn is saved, Rasa's `SQLTrackerStore._additional_events` appends a slice of
the fresh conversation after the stored events. Its log line also quotes the database error, whose text holds
the statement's parameters (the user's message).

Here `on_tracker_store_error` and `on_tracker_store_retrieve_error`, which FailSafeTrackerStore calls in its
`except` clauses, raise the error again: the turn fails, the channels give the service-problem answer and
log only the error's kind, and nothing of that turn is stored, so the message the user sends again is stored
once (tests/test_faults.py, tests/test_failsafe.py)."""

from __future__ import annotations

from rasa.core.tracker_store import FailSafeTrackerStore

RASA_VERSION = "3.6.21"
"""The Rasa version whose `FailSafeTrackerStore` error callbacks this replaces (checked by patches.apply_all)."""

ORIGINAL = (FailSafeTrackerStore.on_tracker_store_error, FailSafeTrackerStore.on_tracker_store_retrieve_error)


def fail_the_turn(_: FailSafeTrackerStore, error: Exception) -> None:
    raise error


def apply() -> None:
    FailSafeTrackerStore.on_tracker_store_error = fail_the_turn
    FailSafeTrackerStore.on_tracker_store_retrieve_error = fail_the_turn
