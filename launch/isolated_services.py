"""Isolated services: a database, a Redis key prefix and a RabbitMQ queue of one's own on the real PostgreSQL,
Redis and RabbitMQ of the production profile, removed afterwards; for a run of the topology that must not touch
the project's data (the tests, bench/scale.py).

    with isolated_services("bench") as services:   # a launch.topology.Services naming them
        with Topology(workdir, services) as topology: ...

`make services` (ops/services.sh) starts or installs the services. One that does not answer is an error
with that advice (`require`); a test never skips for it. The REST channel of such a topology accepts one
integrator, INTEGRATOR, with REST_TOKEN (the header AUTH)."""

from __future__ import annotations

import asyncio
import socket
import uuid
from contextlib import contextmanager
from typing import Iterator

import aio_pika
import psycopg2
import redis

from launch.topology import Services

DEFAULTS = Services.from_env()
INTEGRATOR = "topology"
REST_TOKEN = uuid.uuid4().hex
AUTH = {"Authorization": f"Bearer {REST_TOKEN}"}
"""The REST channel's credentials of the topologies on isolated services."""


def conversation_id(sender: str) -> str:
    """The conversation the REST channel binds a sender to (docs/integrators.md)."""
    return f"{INTEGRATOR}:{sender}"


def require(name: str, host: str, port: str) -> None:
    try:
        socket.create_connection((host, int(port)), timeout=3).close()
    except OSError as e:
        raise AssertionError(f"{name} does not answer on {host}:{port} ({e}); run `make services`") from e


def redis_client(services: Services = DEFAULTS) -> redis.Redis:
    require("Redis", services.redis_host, services.redis_port)
    return redis.Redis(
        host=services.redis_host, port=int(services.redis_port), db=int(services.redis_db),
        password=services.redis_password or None,
    )  # fmt: skip


def delete_keys(client: redis.Redis, prefix: str) -> None:
    for key in client.scan_iter(f"{prefix}*"):
        client.delete(key)


def _admin(statement: str) -> None:
    """CREATE/DROP DATABASE, outside a transaction, on the project's database."""
    connection = psycopg2.connect(
        host=DEFAULTS.db_host, port=DEFAULTS.db_port, user=DEFAULTS.db_user, password=DEFAULTS.db_password,
        dbname=DEFAULTS.db_name,
    )  # fmt: skip
    connection.autocommit = True
    try:
        connection.cursor().execute(statement)
    finally:
        connection.close()


@contextmanager
def isolated_services(label: str) -> Iterator[Services]:
    """A fresh database, key prefix and queue on the real services; all removed afterwards."""
    for name, host, port in (
        ("PostgreSQL", DEFAULTS.db_host, DEFAULTS.db_port),
        ("Redis", DEFAULTS.redis_host, DEFAULTS.redis_port),
        ("RabbitMQ", DEFAULTS.rabbitmq_host, DEFAULTS.rabbitmq_port),
    ):
        require(name, host, port)
    tag = f"{label}{uuid.uuid4().hex[:8]}"
    services = Services.from_env(
        db_name=f"legcramps_test_{tag}",
        redis_key_prefix=f"legcrampstest{tag}",
        rabbitmq_queue=f"legcramps_test_{tag}",
        api_token=uuid.uuid4().hex,
        rest_tokens=f"{INTEGRATOR}:{REST_TOKEN}",
        action_server_token=uuid.uuid4().hex,
    )
    _admin(f'CREATE DATABASE "{services.db_name}"')
    try:
        yield services
    finally:
        _admin(f'DROP DATABASE IF EXISTS "{services.db_name}" WITH (FORCE)')
        delete_keys(redis_client(services), services.redis_key_prefix)
        delete_queue(services)


async def _on_queue(services: Services, delete: bool) -> int:
    url = (
        f"amqp://{services.rabbitmq_user}:{services.rabbitmq_password}"
        f"@{services.rabbitmq_host}:{services.rabbitmq_port}/"
    )
    connection = await aio_pika.connect(url, timeout=10)
    try:
        channel = await connection.channel()
        if delete:
            await channel.queue_delete(services.rabbitmq_queue)
            return 0
        queue = await channel.declare_queue(services.rabbitmq_queue, passive=True)
        return queue.declaration_result.message_count or 0
    finally:
        await connection.close()


def queue_length(services: Services) -> int:
    """Messages waiting in the run's RabbitMQ queue (Rasa's event broker publishes every event there)."""
    return asyncio.run(_on_queue(services, delete=False))


def delete_queue(services: Services) -> None:
    asyncio.run(_on_queue(services, delete=True))


def query(services: Services, sql: str, *args: object) -> list:
    """Rows of a query on the run's own database."""
    connection = psycopg2.connect(
        host=services.db_host, port=services.db_port, user=services.db_user, password=services.db_password,
        dbname=services.db_name,
    )  # fmt: skip
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql, args)
            return cursor.fetchall()
    finally:
        connection.close()
