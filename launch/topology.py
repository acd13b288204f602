"""The production topology on one machine: action servers, Rasa replicas and nginx in front of them.

    .venv/bin/python -m launch.topology --replicas 2 --actions 2 --port 8000     (launch/serve_production.sh)

Every Rasa replica runs Rasa's `run` command (through launch.rasa_cli, which applies patches/) on
endpoints.production.yml (PostgreSQL tracker store, Redis lock store, RabbitMQ event broker) and serves the
same model file; the action servers share the knowledge
base in PostgreSQL. nginx (launch/nginx_conf.py) balances both. With `--purge-every` (PURGE_INTERVAL_SECONDS,
default 3600 s) a job process runs the retention purge (ops/purge.py) on the same database. The services
themselves come from ops/services.sh. Used by the production launcher, tests/test_topology.py and bench/scale.py."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional

from launch import credentials, nginx_conf, settings
from launch.processes import free_port, listening, stop_group, wait_until_up

ROOT = Path(__file__).resolve().parent.parent
RASA = [sys.executable, "-m", "launch.rasa_cli"]
"""Rasa's command line, with the Rasa patches applied (launch/rasa_cli.py)."""
MODEL = ROOT / "models" / "current.tar.gz"
ENDPOINTS = ROOT / "endpoints.production.yml"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"  # Debian's, from `make system-deps`


@dataclass(frozen=True)
class Services:
    """Where PostgreSQL, Redis and RabbitMQ are, which database, key prefix and queue to use, and the secrets
    the topology hands to its processes. The defaults are launch/settings.py's (the environment's, or the
    loopback services `make services` provides)."""

    db_host: str = settings.DB_HOST
    db_port: str = settings.DB_PORT
    db_user: str = settings.DB_USER
    db_password: str = settings.DB_PASSWORD
    db_name: str = settings.DB_NAME
    redis_host: str = settings.REDIS_HOST
    redis_port: str = settings.REDIS_PORT
    redis_password: str = settings.REDIS_PASSWORD
    redis_db: str = settings.REDIS_DB
    redis_key_prefix: str = settings.REDIS_KEY_PREFIX
    rabbitmq_host: str = settings.RABBITMQ_HOST
    rabbitmq_port: str = settings.RABBITMQ_PORT
    rabbitmq_user: str = settings.RABBITMQ_USER
    rabbitmq_password: str = settings.RABBITMQ_PASSWORD
    rabbitmq_queue: str = settings.RABBITMQ_QUEUE
    rest_tokens: str = settings.REST_TOKENS
    """REST_TOKENS: the integrators' `name:token` pairs of the REST channel."""
    action_server_token: str = settings.ACTION_SERVER_TOKEN
    """ACTION_SERVER_TOKEN: the secret Rasa sends to the action servers."""
    api_token: str = settings.RASA_API_TOKEN
    """RASA_API_TOKEN: the token of Rasa's HTTP API."""

    @classmethod
    def from_env(cls, **overrides: str) -> Services:
        """The settings' values, with some replaced (tests: their own database, key prefix and queue)."""
        return cls(**overrides)

    @property
    def database_url(self) -> str:
        """SQLAlchemy URL of the project's PostgreSQL database (knowledge base and review store)."""
        return f"postgresql://{self.db_user}:{self.db_password}@{self.db_host}:{self.db_port}/{self.db_name}"

    def environment(self, action_endpoint_url: str) -> Dict[str, str]:
        """The variables endpoints.production.yml and the action server read."""
        env = {f.upper(): getattr(self, f) for f in self.__dataclass_fields__ if f != "api_token"}
        env.update(
            ACTION_ENDPOINT_URL=action_endpoint_url,
            KB_DATABASE_URL=self.database_url,
            REVIEW_DATABASE_URL=self.database_url,
            RASA_API_TOKEN=self.api_token,
        )
        return env


@dataclass
class Server:
    name: str
    port: int
    command: List[str]
    env: Dict[str, str]
    log: Path
    health: str
    process: Optional[subprocess.Popen] = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> None:
        with self.log.open("a") as out:
            self.process = subprocess.Popen(
                self.command, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )

    def wait(self) -> None:
        assert self.process is not None, f"{self.name} was not started"
        if not self.health:  # a job, not a server: it only has to be running
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited at start; see {self.log}")
            return
        wait_until_up(self.url + self.health, self.process, self.log)

    def stop(self, hard: bool = False) -> None:
        if self.process is not None:
            stop_group(self.process, hard=hard)

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None


@dataclass
class Topology:
    """`replicas` Rasa servers (each with `sanic_workers` workers) and `actions` action servers,
    nginx in front of both; logs and generated files under `workdir`."""

    workdir: Path
    services: Services = field(default_factory=Services.from_env)
    replicas: int = 2
    actions: int = 2
    sanic_workers: int = 1
    model: Path = MODEL
    extra_env: Dict[str, str] = field(default_factory=dict)
    """More variables for every process, e.g. TICKET_LOCK_LIFETIME (seconds a dead replica's ticket blocks)."""
    port: int = 0
    """nginx's port for the replicas (0: a free one); the action servers' balancer gets a free port."""
    purge_every: float = 0
    """Seconds between two runs of the retention purge (ops/purge.py) in its own process; 0: no purge job."""
    servers: Dict[str, Server] = field(default_factory=dict)
    drained: List[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.port = self.port or free_port()
        self.actions_port = free_port()
        action_names = [f"actions-{i + 1}" for i in range(self.actions)]
        env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", **self.extra_env}
        for name in action_names:
            port = free_port()
            self.servers[name] = Server(
                name, port, [sys.executable, "-m", "actions.server"],
                {**env, **self.services.environment(""), "ACTION_SERVER_PORT": str(port)},
                self.workdir / f"{name}.log", "/health",
            )  # fmt: skip
        for i in range(self.replicas):
            name = f"rasa-{i + 1}"
            rasa_env = {**env, **self.services.environment(f"http://127.0.0.1:{self.actions_port}/webhook")}
            rasa_env["SANIC_WORKERS"] = str(self.sanic_workers)
            rasa_env["SANIC_PROXIES_COUNT"] = "1"  # the client address (rate limits) from nginx's X-Forwarded-For
            self.servers[name] = Server(name, free_port(), [], rasa_env, self.workdir / f"{name}.log", "/")
            self.set_model(name, self.model)
        if self.purge_every:
            url = self.services.database_url  # the tracker store and the review store share the database
            command = [sys.executable, "-m", "ops.purge", "--every", str(self.purge_every)]
            command += ["--tracker-url", url, "--review-url", url]
            self.servers["purge"] = Server("purge", 0, command, env, self.workdir / "purge.log", "")
        credentials.write(self.workdir / "credentials.yml", env, ROOT / "credentials.yml")

    @property
    def rasa_names(self) -> List[str]:
        return [n for n in self.servers if n.startswith("rasa-")]

    @property
    def url(self) -> str:
        """The entry point: nginx."""
        return f"http://127.0.0.1:{self.port}"

    def set_model(self, name: str, model: Path) -> None:
        """The model a replica loads at its next start."""
        server = self.servers[name]
        server.command = [
            *RASA, "run", "--enable-api", "--auth-token", self.services.api_token,
            "--model", str(model), "--endpoints", str(ENDPOINTS),
            "--credentials", str(self.workdir / "credentials.yml"),
            "-i", "127.0.0.1", "--port", str(server.port),
        ]  # fmt: skip

    # nginx ------------------------------------------------------------------------------------

    def _write_nginx_conf(self) -> Path:
        runtime = self.workdir / "nginx"
        runtime.mkdir(exist_ok=True)
        conf = runtime / "nginx.conf"
        conf.write_text(
            nginx_conf.render(
                [self.servers[n].address for n in self.rasa_names],
                [s.address for n, s in self.servers.items() if n.startswith("actions-")],
                listen=f"127.0.0.1:{self.port}",
                actions_listen=f"127.0.0.1:{self.actions_port}",
                runtime_dir=runtime,
                down=[self.servers[n].address for n in self.drained],
            )
        )
        return conf

    def _nginx_command(self, *extra: str) -> List[str]:
        return [NGINX, "-c", str(self.workdir / "nginx" / "nginx.conf"), "-p", str(self.workdir / "nginx"), *extra]

    def start_nginx(self) -> None:
        self._write_nginx_conf()
        check = subprocess.run(self._nginx_command("-t"), capture_output=True, text=True)
        if check.returncode != 0:
            raise RuntimeError(f"nginx -t failed:\n{check.stderr}")
        self.servers["nginx"] = Server("nginx", self.port, self._nginx_command(), {}, self.workdir / "nginx.log", "/")
        self.servers["nginx"].start()
        deadline = time.monotonic() + 30
        while not listening(self.port):
            if time.monotonic() > deadline or not self.servers["nginx"].running:
                raise RuntimeError(f"nginx did not start: {(self.workdir / 'nginx' / 'error.log').read_text()}")
            time.sleep(0.2)

    def reload_nginx(self) -> None:
        """Re-render the configuration (drained replicas marked down) and make nginx use it."""
        self._write_nginx_conf()
        process = self.servers["nginx"].process
        assert process is not None
        os.kill(process.pid, signal.SIGHUP)
        time.sleep(1)  # nginx starts new workers; old ones finish their requests

    # life cycle -------------------------------------------------------------------------------

    def start(self) -> Topology:
        """Every action server and replica at once (the action servers take turns to seed), then nginx;
        returns when all answer."""
        names = [n for n in self.servers if n != "nginx"]
        for name in names:
            self.servers[name].start()
        for name in names:
            self.servers[name].wait()
        self.start_nginx()
        return self

    def stop(self) -> None:
        """Stop every process (nginx first, so no request reaches a stopping replica)."""
        for server in reversed(list(self.servers.values())):
            server.stop()

    def kill(self, name: str) -> None:
        """SIGKILL a server and its children, as a crash would."""
        self.servers[name].stop(hard=True)

    def restart(self, name: str, model: Optional[Path] = None) -> None:
        """Restart one replica without dropping requests: drain it in nginx, stop it gracefully,
        start it (on `model` if given), wait until it answers, put it back."""
        self.drained.append(name)
        self.reload_nginx()
        self.servers[name].stop()
        if model is not None:
            self.set_model(name, model)
        self.servers[name].start()
        self.servers[name].wait()
        self.drained.remove(name)
        self.reload_nginx()

    def rolling_restart(self, model: Optional[Path] = None) -> None:
        for name in self.rasa_names:
            self.restart(name, model)

    def status(self, name: str) -> Dict[str, str]:
        url = f"{self.servers[name].url}/status?token={self.services.api_token}"
        with urllib.request.urlopen(url, timeout=10) as response:
            return json.loads(response.read())

    def __enter__(self) -> Topology:
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc: object) -> None:
        self.stop()


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicas", type=int, default=2, help="Rasa replicas (default 2)")
    parser.add_argument("--actions", type=int, default=2, help="action servers (default 2)")
    parser.add_argument("--sanic-workers", type=int, default=1, help="Sanic workers per replica")
    parser.add_argument("--port", type=int, default=8000, help="nginx's port for REST and socket.io (default 8000)")
    parser.add_argument("--model", type=Path, default=MODEL)
    parser.add_argument("--workdir", type=Path, default=ROOT / "var" / "production")
    parser.add_argument(
        "--purge-every", type=float, default=settings.PURGE_INTERVAL_SECONDS,
        help="seconds between retention purges (PURGE_INTERVAL_SECONDS, default 3600; 0: none)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    services = Services.from_env()
    if not services.api_token:
        parser.error("set RASA_API_TOKEN (the token of Rasa's HTTP API)")
    if not services.rest_tokens:
        parser.error("set REST_TOKENS (integrator:token pairs of the REST channel; docs/integrators.md)")
    if not services.action_server_token:
        parser.error("set ACTION_SERVER_TOKEN (the secret between Rasa and the action servers)")
    topology = Topology(
        args.workdir, services, args.replicas, args.actions, args.sanic_workers, args.model, port=args.port,
        purge_every=args.purge_every,
    )  # fmt: skip
    with topology:
        print(f"up: nginx on {topology.url} (REST: {topology.url}/webhooks/rest/webhook); logs in {args.workdir}")
        for name, server in topology.servers.items():
            print(f"  {name:<10} {server.url if server.health else 'job'}  (log {server.log})")
        try:
            while all(s.running for s in topology.servers.values()):
                time.sleep(1)
        except KeyboardInterrupt:
            return 0
        print("a process exited; stopping the others", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
