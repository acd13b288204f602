"""RabbitMQ restarted under load: every event Rasa stored in PostgreSQL is in the queue, event by event.

A RabbitMQ node of this test's own (its own port, node name and data directory under the test's tmp dir, so
the machine's RabbitMQ that other tests use is never touched), a PostgreSQL database of its own, and the real
Rasa and action servers (launch/assistant.py) with the production profile's tracker store and event broker
(stores.event_broker.ReliablePikaEventBroker). Four users talk over REST while the node is stopped and started
again; then the queue is read and compared with the `events` table."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import threading
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Dict, Iterator, List, Tuple

import aio_pika
import psycopg2
import pytest

from launch import isolated_services as services
from launch.assistant import MODEL, Servers
from launch.processes import free_port, listening
from tests.servers import rest_post

pytestmark = [pytest.mark.servers, pytest.mark.services]

# Debian's rabbitmq-server itself: /usr/sbin/rabbitmq-server is a wrapper that switches to the rabbitmq user,
# who cannot write the test's directories.
RABBITMQ_SERVER = "/usr/lib/rabbitmq/bin/rabbitmq-server"
USERS = 4
LOAD_SECONDS = 40


class OwnRabbitMQ:
    """rabbitmq-server on a free loopback port with its own node name and directories."""

    def __init__(self, base: Path) -> None:
        self.port = free_port()
        base.mkdir(parents=True, exist_ok=True)
        (base / "enabled_plugins").write_text("[].\n")
        self.log = base / "server.log"
        self.env = {
            **os.environ,
            "HOME": str(base),
            "RABBITMQ_NODENAME": f"legcrampstest{self.port}@localhost",
            "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
            "RABBITMQ_NODE_PORT": str(self.port),
            "RABBITMQ_DIST_PORT": str(free_port()),
            "RABBITMQ_MNESIA_BASE": str(base / "mnesia"),
            "RABBITMQ_LOG_BASE": str(base / "log"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(base / "enabled_plugins"),
            "RABBITMQ_CONFIG_FILE": str(base / "rabbitmq"),
        }
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        with self.log.open("a") as out:
            self.process = subprocess.Popen(
                [RABBITMQ_SERVER], env=self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        deadline = time.monotonic() + 90
        while not listening(self.port):
            assert self.process.poll() is None and time.monotonic() < deadline, self.log.read_text()[-3000:]
            time.sleep(0.3)

    def stop(self) -> None:
        if self.process is None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)  # the node shuts down as on `systemctl stop`
        try:
            self.process.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)
        self.process = None


@pytest.fixture
def rabbitmq(tmp_path) -> Iterator[OwnRabbitMQ]:
    node = OwnRabbitMQ(tmp_path / "rabbitmq")
    node.start()
    try:
        yield node
    finally:
        node.stop()


@pytest.fixture
def database() -> Iterator[str]:
    db = services.DEFAULTS
    services.require("PostgreSQL", db.db_host, db.db_port)
    name = f"legcramps_test_brokerrestart{uuid.uuid4().hex[:8]}"
    services._admin(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        services._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def production_endpoints(endpoints: Path, database: str, rabbitmq: OwnRabbitMQ, queue: str) -> None:
    """The test servers' endpoints file with the production profile's tracker store and event broker."""
    db = services.DEFAULTS
    action = endpoints.read_text().split("tracker_store:")[0]
    endpoints.write_text(
        action
        + "tracker_store:\n  type: stores.tracker_store.ForgetfulSQLTrackerStore\n  dialect: postgresql\n"
        + f"  url: {db.db_host}\n  port: {db.db_port}\n  username: {db.db_user}\n  password: {db.db_password}\n"
        + f"  db: {database}\n"
        + "event_broker:\n  type: stores.event_broker.ReliablePikaEventBroker\n  url: 127.0.0.1\n"
        + f"  port: {rabbitmq.port}\n  username: guest\n  password: guest\n  queues:\n    - {queue}\n"
    )


def stored_events(database: str) -> List[Tuple[str, str, float]]:
    db = services.DEFAULTS
    connection = psycopg2.connect(
        host=db.db_host, port=db.db_port, user=db.db_user, password=db.db_password, dbname=database
    )
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT sender_id, type_name, timestamp FROM events ORDER BY id")
            return [(s, t, round(ts, 6)) for s, t, ts in cursor.fetchall()]
    finally:
        connection.close()


async def queued_events(port: int, queue: str) -> List[Tuple[str, str, float]]:
    connection = await aio_pika.connect(f"amqp://guest:guest@127.0.0.1:{port}/", timeout=10)
    events = []
    try:
        channel = await connection.channel()
        queue_ = await channel.declare_queue(queue, durable=True, passive=True)
        while (message := await queue_.get(no_ack=True, fail=False)) is not None:
            event = json.loads(message.body)
            events.append((event["sender_id"], event["event"], round(event["timestamp"], 6)))
    finally:
        await connection.close()
    return events


def talk(urls: Dict[str, str], sender: str, stop: threading.Event, answered: List[int]) -> None:
    messages = ["hello", "what causes leg cramps?", "how can I prevent cramps?", "thanks"]
    n = 0
    while not stop.is_set():
        response = rest_post(urls, {"sender": sender, "message": messages[n % len(messages)]}, timeout=120)
        assert response.status_code == 200, response.text
        answered.append(1)
        n += 1


def test_rabbitmq_restarted_under_load_loses_no_event(tmp_path, rabbitmq, database):
    queue = f"legcramps_test_restart_{uuid.uuid4().hex[:8]}"
    servers = Servers(tmp_path, MODEL, {"REST_REPLY_TIMEOUT": "60"}, ())
    production_endpoints(tmp_path / "endpoints.yml", database, rabbitmq, queue)
    try:
        for name in ("actions", "rasa"):
            servers.start(name)
        stop, answered = threading.Event(), []
        users = [
            threading.Thread(target=talk, args=(servers.urls, f"restart-{i}", stop, answered), daemon=True)
            for i in range(USERS)
        ]
        for user in users:
            user.start()
        time.sleep(LOAD_SECONDS / 4)
        before_restart = len(answered)
        rabbitmq.stop()
        time.sleep(3)
        rabbitmq.start()
        time.sleep(LOAD_SECONDS * 3 / 4)
        stop.set()
        for user in users:
            user.join(180)
        assert before_restart > 0 and len(answered) > before_restart + USERS, "the users were served throughout"
        time.sleep(15)  # the broker's retries after the node came back (aio_pika reconnects every 5 s)
        servers.stop("rasa")  # close: the last events are confirmed
        stored = stored_events(database)
        queued = asyncio.run(queued_events(rabbitmq.port, queue))
    finally:
        for name in list(servers.processes):
            servers.stop(name)
    missing = Counter(stored) - Counter(queued)
    extra = set(queued) - set(stored)
    assert stored and not missing, f"{sum(missing.values())} of {len(stored)} stored events are not in the queue"
    assert not extra, f"{len(extra)} queued events are not in PostgreSQL"
