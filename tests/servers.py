"""Start the real action server and Rasa server as subprocesses on free loopback ports."""

from __future__ import annotations

import os
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Dict, Iterator, Optional, Sequence

from channels import credentials
from tools.processes import free_port, wait_until_up

ROOT = Path(__file__).resolve().parent.parent
RASA = Path(sys.executable).with_name("rasa")
MODEL = ROOT / "models" / "current.tar.gz"

__all__ = ["ROOT", "MODEL", "free_port", "wait_until_up", "running_assistant"]


@contextmanager
def running_assistant(
    workdir: Path,
    model: Path = MODEL,
    extra_env: Optional[Dict[str, str]] = None,
    rasa_args: Sequence[str] = (),
) -> Iterator[Dict[str, str]]:
    """Both servers on their own ports, databases under `workdir`; yields their base URLs and process ids.

    `extra_env` adds environment variables, e.g. a platform's secrets, which switch its channel on;
    `rasa_args` adds options to `rasa run`."""
    action_port, rasa_port = free_port(), free_port()
    endpoints = workdir / "endpoints.yml"
    endpoints.write_text(
        f'action_endpoint:\n  url: "http://127.0.0.1:{action_port}/webhook"\n'
        f'tracker_store:\n  type: SQL\n  dialect: "sqlite"\n  db: "{workdir / "conversations.db"}"\n'
    )
    env = {
        **os.environ,
        "RASA_TELEMETRY_ENABLED": "false",
        "ACTION_SERVER_PORT": str(action_port),
        "KB_DATABASE_URL": f"sqlite:///{workdir / 'knowledge.db'}",
        "REVIEW_DATABASE_URL": f"sqlite:///{workdir / 'review.db'}",
        **(extra_env or {}),
    }
    credentials_file = workdir / "credentials.yml"
    credentials.write(credentials_file, env, ROOT / "credentials.yml")
    logs = {name: workdir / f"{name}.log" for name in ("actions", "rasa")}
    commands = {
        "actions": [sys.executable, "-m", "actions.server"],
        "rasa": [
            str(RASA),
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
    processes = {}
    try:
        for name, command in commands.items():
            with logs[name].open("w") as out:
                processes[name] = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        wait_until_up(f"http://127.0.0.1:{action_port}/health", processes["actions"], logs["actions"])
        wait_until_up(f"http://127.0.0.1:{rasa_port}/status", processes["rasa"], logs["rasa"])
        yield {
            "rasa": f"http://127.0.0.1:{rasa_port}",
            "actions": f"http://127.0.0.1:{action_port}",
            "workdir": str(workdir),
            "rasa_pid": str(processes["rasa"].pid),
            "actions_pid": str(processes["actions"].pid),
        }
    finally:
        for process in processes.values():
            process.terminate()
        for process in processes.values():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
