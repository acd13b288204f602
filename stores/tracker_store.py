"""Rasa's SQL tracker store, which deletes a user's conversation when they ask the assistant to forget them.

endpoints.yml: `tracker_store: {type: stores.tracker_store.ForgetfulSQLTrackerStore, dialect: ..., db: ...}`
(the same options as Rasa's `type: SQL`). When the turn being saved ran `action_forget_me`, every stored
event of that conversation is deleted instead of saved; the next message starts a new conversation.

Rasa's engine has no `pool_pre_ping`: after a database restart every pooled connection is dead and its next
use fails a user's message. Ours checks a connection before using it (tests/test_faults.py). What a failing
database gives the user is patches/tracker_store_errors.py's: the service-problem answer, nothing stored.
"""

from __future__ import annotations

import logging
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import delete

logger = logging.getLogger(__name__)

FORGET_ME_ACTION = "action_forget_me"


def asked_to_forget(tracker: DialogueStateTracker) -> bool:
    """True when action_forget_me ran since the user's latest message."""
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            return False
        if isinstance(event, ActionExecuted) and event.action_name == FORGET_ME_ACTION:
            return True
    return False


class ForgetfulSQLTrackerStore(SQLTrackerStore):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        stock: sa.engine.Engine = self.engine  # type: ignore[has-type]
        stock.dispose()
        self.engine = sa.create_engine(stock.url, pool_pre_ping=True, **create_engine_kwargs(stock.url))
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)

    async def save(self, tracker: DialogueStateTracker) -> None:
        if not asked_to_forget(tracker):
            await super().save(tracker)
            return
        with self.session_scope() as session:
            deleted = session.execute(delete(self.SQLEvent).where(self.SQLEvent.sender_id == tracker.sender_id))
            session.commit()
        logger.info("deleted a conversation on the user's request (%s events)", deleted.rowcount)
