"""Rasa's pika event broker, with every event kept until RabbitMQ confirmed it: across dropped connections and
RabbitMQ restarts, and when Rasa stops.

endpoints.production.yml: `event_broker: {type: stores.event_broker.ReliablePikaEventBroker, ...}` (the options
of Rasa's `type: pika`). Rasa 3.6's broker publishes each event in its own task and its `close`, which Rasa runs
when it stops (a rolling restart, a deploy), waits for none of them, nor for the events it kept after a failed
publish (those wait for the next *reconnect* callback): 299 of 300 events published just before a stop were
lost (tests/test_event_broker.py). It also drops, without a word, an event published before its exchange is
declared, and counts as delivered a message RabbitMQ acknowledged without routing it to the queue (a node
shutting down). Here every event goes into one in-memory queue that a single sender task publishes in order, up to
BATCH at a time: an event leaves the queue only when RabbitMQ has confirmed it (publisher confirms, which
aio_pika's channel has on, and persistent messages on durable queues); a failed or unconfirmed publish is tried
again every `retry_delay` seconds until the connection is back, and `close` waits up to CLOSE_TIMEOUT for the
queue to empty. Delivery is at least once: an event RabbitMQ stored but whose confirm was lost with the
connection is published again. The queue lives in the Rasa process, so events not yet confirmed when that
process is killed (SIGKILL) are lost from the broker (they are in the tracker store).
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import uuid
from collections import deque
from typing import Any, Deque, Dict, Optional, Tuple

import aio_pika
from rasa.core.brokers.pika import PikaEventBroker

logger = logging.getLogger(__name__)

PUBLISH_TIMEOUT = 10.0
"""Seconds to wait for RabbitMQ's confirm of one event before it is tried again."""
BATCH = 100
"""Events published at once (in order on the channel), each waiting for its own confirm."""
RETRY_DELAY = 0.5
"""Seconds between two attempts while RabbitMQ cannot be reached."""
CLOSE_TIMEOUT = 10.0
"""Seconds `close` waits for the events still waiting to be confirmed."""


class ReliablePikaEventBroker(PikaEventBroker):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.pending: Deque[Tuple[Dict[str, Any], Optional[Dict[str, str]]]] = deque()
        """Events not yet confirmed by RabbitMQ, oldest first."""
        self._wake = asyncio.Event()
        self._sender: Optional[asyncio.Task] = None
        self.retry_delay = RETRY_DELAY
        self.publish_timeout = PUBLISH_TIMEOUT

    async def connect(self) -> None:
        """As Rasa's, with a channel on which a message RabbitMQ could not route to the queue raises instead of
        counting as confirmed: while a node shuts down its queues stop before its exchanges, and an unroutable
        message is acknowledged (without this, tests/test_broker_restart.py lost 62 and 102 events in two runs)."""
        self._connection = await self._connect()
        self._connection.reconnect_callbacks.add(self._publish_unpublished_messages)
        channel = await self._connection.channel(publisher_confirms=True, on_return_raises=True)
        self._exchange = await self._set_up_exchange(channel)

    def _message(self, event: Dict[str, Any], headers: Optional[Dict[str, str]]) -> aio_pika.Message:
        """Rasa's message with a message id: the client matches a returned message to its publish by it."""
        message = super()._message(event, headers)
        message.message_id = uuid.uuid4().hex
        return message

    def _publish_unpublished_messages(self, *_: Any, **__: Any) -> None:
        """Rasa's reconnect callback: the sender task already retries; wake it."""
        self._wake.set()

    def publish(self, event: Dict[str, Any], headers: Optional[Dict[str, str]] = None) -> None:
        self.pending.append((event, headers))
        self._wake.set()
        if self._sender is None or self._sender.done():
            self._sender = self._loop.create_task(self._send_pending())

    async def _send_pending(self) -> None:
        """Publish the pending events in order, up to BATCH at a time (each confirmed by RabbitMQ on its own);
        the confirmed ones at the head leave the queue, and from the first failure on, the batch is sent again."""
        failures = 0
        while self.pending:
            batch = list(itertools.islice(self.pending, BATCH))
            results = await asyncio.gather(*(self._publish_one(e, h) for e, h in batch), return_exceptions=True)
            confirmed = next((i for i, result in enumerate(results) if result is not None), len(results))
            for _ in range(confirmed):
                self.pending.popleft()
            if confirmed == len(results):
                if failures:
                    logger.info("event broker: publishing again after %d failed attempts", failures)
                    failures = 0
                continue
            failures += 1
            if failures == 1 or failures % 100 == 0:  # the event itself is never logged: it holds user text
                logger.warning(
                    "event broker: publishing failed (%s); %d events wait, trying again",
                    type(results[confirmed]).__name__, len(self.pending),
                )  # fmt: skip
            self._wake.clear()
            try:
                await asyncio.wait_for(self._wake.wait(), self.retry_delay)
            except asyncio.TimeoutError:
                pass

    async def _publish_one(self, event: Dict[str, Any], headers: Optional[Dict[str, str]]) -> None:
        """Publish one event and wait for RabbitMQ's confirm; raises when it is not confirmed."""
        if self._exchange is None or not self.is_ready():
            raise ConnectionError("RabbitMQ is not connected")
        await asyncio.wait_for(self._exchange.publish(self._message(event, headers), ""), self.publish_timeout)

    async def close(self) -> None:
        """Wait (up to CLOSE_TIMEOUT) for the pending events to be confirmed, then close the connection."""
        if self._sender is not None and not self._sender.done():
            try:
                await asyncio.wait_for(asyncio.shield(self._sender), CLOSE_TIMEOUT)
            except asyncio.TimeoutError:
                logger.error("event broker: closing with %d events not confirmed by RabbitMQ", len(self.pending))
        await super().close()
