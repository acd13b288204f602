"""A PostgreSQL cluster and a Redis server of a test's own, on free loopback ports, that it can stop and start.

The machine's PostgreSQL and Redis serve every other test and helper, so the fault tests never stop those:
they run Debian's PostgreSQL 15 binaries on a data directory in a temporary directory (as the `postgres`
user: initdb and the server refuse to run as root) and `redis-server` without persistence, each on a free
port. `private_services` gives launch.topology's `Services` pointing at both (RabbitMQ stays the machine's
own, with a queue of the run's own, as launch/isolated_services.py's `isolated_services` does)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Optional, Tuple

from launch.isolated_services import DEFAULTS, INTEGRATOR, REST_TOKEN, delete_queue, require
from launch.processes import free_port, listening
from launch.topology import Services

PG_BIN = Path("/usr/lib/postgresql/15/bin")
PG_USER = "postgres"  # the system account the server runs as
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
START_TIMEOUT = 60


class PrivatePostgres:
    """A PostgreSQL 15 cluster in its own directory, with the project's role and one database."""

    def __init__(self, user: str, password: str, database: str) -> None:
        self.port = free_port()
        self.user, self.password, self.database = user, password, database
        self.base = Path(tempfile.mkdtemp(prefix="legcramps-pg-"))
        shutil.chown(self.base, PG_USER)
        self.data = self.base / "data"

    def _run(self, *command: str) -> str:
        """A PostgreSQL program as the postgres user; its output, or the failure with it."""
        done = subprocess.run(
            ["runuser", "-u", PG_USER, "--", *command], capture_output=True, text=True, cwd=self.base, timeout=120
        )
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def _psql(self, sql: str) -> None:
        self._run(str(PG_BIN / "psql"), "-h", str(self.base), "-p", str(self.port), "-U", PG_USER, "-d", "postgres",
                  "-v", "ON_ERROR_STOP=1", "-c", sql)  # fmt: skip

    def create(self) -> None:
        initdb = str(PG_BIN / "initdb")
        self._run(initdb, "-D", str(self.data), "-U", PG_USER, "--auth=trust", "-E", "UTF8", "--no-sync")
        self.start()
        self._psql(f"CREATE ROLE {self.user} LOGIN PASSWORD '{self.password}'")
        self._psql(f'CREATE DATABASE "{self.database}" OWNER {self.user}')

    def start(self) -> None:
        """Start the server and return when it accepts connections."""
        options = f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.base / "server.log"), "-o", options,
                  "-w", "-t", str(START_TIMEOUT), "start")  # fmt: skip

    def stop(self) -> None:
        """Stop as `systemctl restart` does (fast: open sessions are ended, their transactions rolled back)."""
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    @property
    def running(self) -> bool:
        return (self.data / "postmaster.pid").exists()

    def remove(self) -> None:
        if self.running:
            self.stop()
        shutil.rmtree(self.base, ignore_errors=True)


class PrivateRedis:
    """redis-server on its own port, nothing saved: a restart loses every key (every conversation lock)."""

    def __init__(self) -> None:
        self.port = free_port()
        self.base = Path(tempfile.mkdtemp(prefix="legcramps-redis-"))
        self.process: Optional[subprocess.Popen] = None

    def start(self) -> None:
        command = [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                   "--dir", str(self.base)]  # fmt: skip
        with (self.base / "server.log").open("a") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + START_TIMEOUT
        while not listening(self.port):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"redis-server did not start: {(self.base / 'server.log').read_text()[-2000:]}")
            time.sleep(0.05)

    def stop(self) -> None:
        """SIGTERM, as `systemctl stop` does; wait until it has exited."""
        if self.process is None:
            return
        os.kill(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)
        self.process = None

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.base, ignore_errors=True)


@contextmanager
def private_services(label: str) -> Iterator[Tuple[Services, PrivatePostgres, PrivateRedis]]:
    """`Services` on a PostgreSQL and a Redis of the caller's own (both running) and a queue of its own on the
    machine's RabbitMQ; the servers, their directories and the queue are removed afterwards."""
    require("RabbitMQ", DEFAULTS.rabbitmq_host, DEFAULTS.rabbitmq_port)
    tag = f"{label}{uuid.uuid4().hex[:8]}"
    postgres = PrivatePostgres(DEFAULTS.db_user, DEFAULTS.db_password, f"legcramps_test_{tag}")
    redis_server = PrivateRedis()
    services = Services.from_env(
        db_host="127.0.0.1", db_port=str(postgres.port), db_name=postgres.database,
        redis_host="127.0.0.1", redis_port=str(redis_server.port), redis_password="",
        redis_key_prefix=f"legcrampstest{tag}", rabbitmq_queue=f"legcramps_test_{tag}",
        api_token=uuid.uuid4().hex, rest_tokens=f"{INTEGRATOR}:{REST_TOKEN}", action_server_token=uuid.uuid4().hex,
    )  # fmt: skip
    try:
        postgres.create()
        redis_server.start()
        yield services, postgres, redis_server
    finally:
        delete_queue(services)
        redis_server.remove()
        postgres.remove()
