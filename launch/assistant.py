"""A local assistant: the real action server and Rasa server as subprocesses on free loopback ports, with SQLite
stores (knowledge base, review store, tracker store) under a work directory of their own.

The tests (tests/conftest.py, tests/test_*.py), the benchmarks (bench/) and the soak (tests/soak.py) start it:

    with running_assistant(workdir) as urls:  # urls["rasa"], urls["actions"], urls["token"], urls["workdir"]
        ...  # POST to f"{urls['rasa']}/webhooks/rest/webhook" with the header f"Bearer {urls['token']}"

Rasa starts through launch.rasa_cli (the Rasa patches applied); the REST channel accepts one integrator,
INTEGRATOR, with a token made for the run; the rate limits are lifted unless `extra_env` sets them."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Dict, Iterator, Optional, Sequence

from launch import credentials
from launch.processes import free_port, wait_until_up

ROOT = Path(__file__).resolve().parent.parent
RASA = [sys.executable, "-m", "launch.rasa_cli"]  # Rasa's command line with the Rasa patches applied
MODEL = ROOT / "models" / "current.tar.gz"
INTEGRATOR = "local"
"""The REST channel's one integrator; its users' conversations are `local:<sender>`."""
LIFTED_RATE_LIMITS = {
    "REST_SENDER_BURST": "1000",
    "REST_ADDRESS_RATE": "100000",
    "REST_ADDRESS_BURST": "100000",
    "SOCKETIO_SESSION_BURST": "1000",
    "SOCKETIO_ADDRESS_RATE": "100000",
    "SOCKETIO_ADDRESS_BURST": "100000",
}
"""Tests, the benchmark and the soak play many users from one address and press buttons faster than people do;
tests/test_security.py and tests/test_socketio.py set their own limits to test them."""


class Servers:
    """The action server and the Rasa server of one local assistant, each of which can be stopped and started again."""

    def __init__(self, workdir: Path, model: Path, extra_env: Optional[Dict[str, str]], rasa_args: Sequence[str]):
        action_port, rasa_port = free_port(), free_port()
        token = secrets.token_urlsafe(24)
        action_token = secrets.token_urlsafe(24)
        endpoints = workdir / "endpoints.yml"
        endpoints.write_text(
            f'action_endpoint:\n  url: "http://127.0.0.1:{action_port}/webhook"\n  token: "{action_token}"\n'
            f"tracker_store:\n  type: stores.tracker_store.ForgetfulSQLTrackerStore\n"
            f'  dialect: "sqlite"\n  db: "{workdir / "conversations.db"}"\n'
        )
        self.env = {
            **os.environ,
            "RASA_TELEMETRY_ENABLED": "false",
            "ACTION_SERVER_PORT": str(action_port),
            "ACTION_SERVER_TOKEN": action_token,
            "KB_DATABASE_URL": f"sqlite:///{workdir / 'knowledge.db'}",
            "REVIEW_DATABASE_URL": f"sqlite:///{workdir / 'review.db'}",
            "REST_TOKENS": f"{INTEGRATOR}:{token}",
            **LIFTED_RATE_LIMITS,
            **(extra_env or {}),
        }
        credentials_file = workdir / "credentials.yml"
        credentials.write(credentials_file, self.env, ROOT / "credentials.yml")
        self.logs = {name: workdir / f"{name}.log" for name in ("actions", "rasa")}
        self.health = {
            "actions": f"http://127.0.0.1:{action_port}/health",
            "rasa": f"http://127.0.0.1:{rasa_port}/status",
        }
        self.commands = {
            "actions": [sys.executable, "-m", "actions.server"],
            "rasa": [
                *RASA,
                "run",
                "--enable-api",
                "--model",
                str(model),
                "--endpoints",
                str(endpoints),
                "--credentials",
                str(credentials_file),
                "--port",
                str(rasa_port),
                "-i",
                "127.0.0.1",
                *rasa_args,
            ],
        }
        self.processes: Dict[str, subprocess.Popen] = {}
        self.urls = {
            "rasa": f"http://127.0.0.1:{rasa_port}",
            "actions": f"http://127.0.0.1:{action_port}",
            "workdir": str(workdir),
            "token": token,
            "action_token": action_token,
        }

    def start(self, name: str, wait: bool = True) -> None:
        """Start one server (appending to its log) and, with `wait`, wait until it answers."""
        with self.logs[name].open("a") as out:
            self.processes[name] = subprocess.Popen(
                self.commands[name], cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT
            )
        self.urls[f"{name}_pid"] = str(self.processes[name].pid)
        if wait:
            self.wait(name)

    def wait(self, name: str) -> None:
        wait_until_up(self.health[name], self.processes[name], self.logs[name])

    def stop(self, name: str, kill: bool = False) -> None:
        """Terminate one server (SIGKILL with `kill`) and wait until it has exited."""
        process = self.processes.pop(name, None)
        if process is None:
            return
        process.kill() if kill else process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def assistant_servers(
    workdir: Path,
    model: Path = MODEL,
    extra_env: Optional[Dict[str, str]] = None,
    rasa_args: Sequence[str] = (),
) -> Iterator[Servers]:
    """Both servers on their own ports, databases under `workdir`, for callers that stop and restart them."""
    servers = Servers(workdir, model, extra_env, rasa_args)
    try:
        for name in ("actions", "rasa"):
            servers.start(name, wait=False)
        for name in ("actions", "rasa"):
            servers.wait(name)
        yield servers
    finally:
        for name in list(servers.processes):
            servers.stop(name)


@contextmanager
def running_assistant(
    workdir: Path,
    model: Path = MODEL,
    extra_env: Optional[Dict[str, str]] = None,
    rasa_args: Sequence[str] = (),
) -> Iterator[Dict[str, str]]:
    """Both servers on their own ports, databases under `workdir`; yields their base URLs, process ids and
    the REST channel's bearer token (`token`, integrator INTEGRATOR).

    `extra_env` adds environment variables, e.g. a platform's secrets, which switch its channel on;
    `rasa_args` adds options to `rasa run`."""
    with assistant_servers(workdir, model, extra_env, rasa_args) as servers:
        yield servers.urls
