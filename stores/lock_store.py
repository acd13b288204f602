"""A Redis lock store whose read-modify-write steps are atomic, for several Rasa replicas.

Rasa 3.6's `RedisLockStore` keeps one JSON `TicketLock` per conversation and changes it with a
plain GET, a change in Python and a SET (`LockStore.issue_ticket`, `update_lock`, `finish_serving`,
`cleanup`). Two replicas that take a message of the same conversation at the same moment both read
the same lock, both issue ticket N+1 and the later SET wins: both hold "the" lock and process the
conversation at once (interleaved or lost events), or one waits for a ticket that no longer exists
and fails with `LockError`. `cleanup` can also delete a lock between another replica's issue and
its acquire. tests/test_lock_store.py shows the duplicates against real Redis.

Here every such step runs in a Redis optimistic transaction (WATCH the key, read, MULTI/SET or DEL,
EXEC; retried when another client changed the key in between), so each change applies to the
latest lock. Configured in endpoints.production.yml as `type: stores.lock_store.AtomicRedisLockStore`
with the same settings as Rasa's `type: redis`."""

from __future__ import annotations

import json
import logging
from typing import Any, Callable, Optional, Tuple, TypeVar

import redis
from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

logger = logging.getLogger(__name__)

T = TypeVar("T")
Change = Optional[TicketLock]
"""What a change leaves: the lock to store, or None to delete it."""


class AtomicRedisLockStore(RedisLockStore):
    """Rasa's Redis lock store with atomic ticket issuing, updating and clean-up."""

    def __init__(self, endpoint_config: Optional[EndpointConfig] = None, **kwargs: Any) -> None:
        """Rasa creates a custom lock store as `Class(endpoint_config=...)`; tests pass keywords."""
        if endpoint_config is not None:
            kwargs = {"host": endpoint_config.url or "localhost", **endpoint_config.kwargs, **kwargs}
        super().__init__(**kwargs)

    def _atomically(self, conversation_id: str, change: Callable[[Optional[TicketLock]], Tuple[T, Change]]) -> T:
        """One transaction: `change` gets the conversation's current lock (None when there is none)
        and returns (its result, the lock to store, or None to delete the lock)."""
        key = self.key_prefix + conversation_id
        with self.red.pipeline() as pipe:
            while True:
                try:
                    pipe.watch(key)
                    raw = pipe.get(key)
                    lock = TicketLock.from_dict(json.loads(raw)) if raw else None
                    result, keep = change(lock)
                    pipe.multi()
                    if keep is None:
                        pipe.delete(key)
                    else:
                        pipe.set(key, keep.dumps())
                    pipe.execute()
                    return result
                except redis.WatchError:
                    continue  # another replica changed the lock in between: read it again

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        def issue(lock: Optional[TicketLock]) -> Tuple[int, Change]:
            lock = lock or self.create_lock(conversation_id)
            return lock.issue_ticket(lock_lifetime), lock

        try:
            return self._atomically(conversation_id, issue)
        except redis.RedisError as e:
            raise LockError(f"Error while acquiring lock. Error:\n{e}") from e

    def update_lock(self, conversation_id: str) -> None:
        def expire(lock: Optional[TicketLock]) -> Tuple[None, Change]:
            if lock is not None:
                lock.remove_expired_tickets()
            return None, lock

        self._atomically(conversation_id, expire)

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        def finish(lock: Optional[TicketLock]) -> Tuple[None, Change]:
            if lock is not None:
                lock.remove_ticket_for(ticket_number)
            return None, lock

        self._atomically(conversation_id, finish)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        """Remove the ticket, and the lock when nobody else holds a ticket: in one step, so a ticket
        issued meanwhile by another replica is never deleted with the lock.

        Rasa runs this after the turn, whose events are already saved. When Redis cannot be reached (being
        restarted) the error is logged and the turn still answered: failing it would give the user the
        service-problem answer for a message that was stored, and the message sent again would be stored
        twice. The ticket left behind expires with its lifetime, or went with the restarted Redis."""
        try:
            self._cleanup(conversation_id, ticket_number)
        except redis.RedisError as e:
            logger.warning("could not release a conversation lock (%s); its ticket expires", type(e).__name__)

    def _cleanup(self, conversation_id: str, ticket_number: int) -> None:

        def finish_and_maybe_delete(lock: Optional[TicketLock]) -> Tuple[None, Change]:
            if lock is not None:
                lock.remove_ticket_for(ticket_number)
                if not lock.is_someone_waiting():
                    lock = None
            return None, lock

        self._atomically(conversation_id, finish_and_maybe_delete)
