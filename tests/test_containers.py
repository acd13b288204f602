"""The container images for real: both are built from local base images (ops/containers.sh), started with
host networking against the machine's PostgreSQL, Redis and RabbitMQ (a database, key prefix and queue of
their own, removed afterwards), and a REST question is answered through them with the disclaimer.

Run by `make test-containers` (which first runs ops/containers.sh: Docker, dockerd, the base images, the
wheelhouse); `make test` leaves this module out (pyproject.toml `--ignore`) so it never runs twice.
"""

from __future__ import annotations

import functools
import os
import socket
import subprocess
import threading
import time
import urllib.request
import uuid
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Dict, Iterator, List

import pytest
import requests

from launch.isolated_services import AUTH, isolated_services

pytestmark = pytest.mark.containers

ROOT = Path(__file__).resolve().parent.parent
MODEL = ROOT / "models" / "current.tar.gz"
PYTHON_IMAGE = os.environ.get("PYTHON_IMAGE") or "local/python:3.10-bookworm"
CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
WHEELHOUSE = Path(os.environ.get("WHEELHOUSE") or CACHE / "legcramps" / "wheelhouse")  # ops/containers.sh fills it
WHEELHOUSE_PORT = int(os.environ.get("WHEELHOUSE_PORT") or 5099)
IMAGES = {"actions": "legcramps-actions", "rasa": "legcramps-rasa"}
DISCLAIMER = "not a substitute for professional medical advice"
BUILD_TIMEOUT = 900
START_TIMEOUT = 300


def docker(*args: str, timeout: float = 120, check: bool = True) -> subprocess.CompletedProcess:
    done = subprocess.run(["docker", *args], capture_output=True, text=True, timeout=timeout)
    if check:
        assert done.returncode == 0, f"docker {' '.join(args[:3])} failed:\n{(done.stdout + done.stderr)[-4000:]}"
    return done


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def served(directory: Path) -> Iterator[str]:
    """The wheelhouse as a find-links page on loopback, for `docker build --network host`."""
    handler = functools.partial(QuietHandler, directory=str(directory))
    try:  # a fixed address keeps the build argument, and so Docker's layer cache, the same from run to run
        server = ThreadingHTTPServer(("127.0.0.1", WHEELHOUSE_PORT), handler)
    except OSError:
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (the base class's name)
        pass


def build_all(wheelhouse: str) -> None:
    """Both images at once (the action server's builds while Rasa's installs); fails on either."""
    builds = {}
    for name, image in IMAGES.items():
        args = ["build", "--network", "host", "-f", f"deploy/Dockerfile.{name}", "-t", image]
        args += ["--build-arg", f"PYTHON_IMAGE={PYTHON_IMAGE}"]
        if wheelhouse:
            args += ["--build-arg", f"WHEELHOUSE={wheelhouse}"]
        builds[name] = subprocess.Popen(
            ["docker", *args, str(ROOT)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            env={**os.environ, "DOCKER_BUILDKIT": "0"},
        )  # fmt: skip
    for name, process in builds.items():
        output, _ = process.communicate(timeout=BUILD_TIMEOUT)
        assert process.returncode == 0, f"the {name} image did not build:\n{output[-6000:]}"


@pytest.fixture(scope="module")
def images() -> Dict[str, str]:
    assert docker("image", "inspect", PYTHON_IMAGE, check=False).returncode == 0, (
        f"{PYTHON_IMAGE} is missing: run ops/containers.sh (make test-containers does)"
    )
    assert MODEL.exists(), "models/current.tar.gz is missing: make train"
    if WHEELHOUSE.is_dir() and any(WHEELHOUSE.iterdir()):
        with served(WHEELHOUSE) as url:
            build_all(url)
    else:
        build_all("")
    return IMAGES


def run(name: str, image: str, env: Dict[str, str], tmp_path: Path, *extra: str) -> str:
    env_file = tmp_path / f"{name}.env"
    env_file.write_text("".join(f"{k}={v}\n" for k, v in env.items()), encoding="utf-8")
    env_file.chmod(0o600)
    container = f"legcramps-test-{name}-{uuid.uuid4().hex[:8]}"
    docker("run", "-d", "--name", container, "--network", "host", "--env-file", str(env_file), *extra, image)
    return container


def wait_for(url: str, containers: List[str], timeout: float = START_TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for container in containers:
            state = docker("inspect", "-f", "{{.State.Running}}", container).stdout.strip()
            assert state == "true", f"{container} stopped:\n{logs(container)}"
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except OSError:
            time.sleep(2)
    raise AssertionError(f"{url} did not answer in {timeout:.0f} s:\n" + "\n".join(logs(c) for c in containers))


def logs(container: str) -> str:
    done = docker("logs", "--tail", "60", container, check=False)
    return f"--- {container}\n{(done.stdout + done.stderr)[-5000:]}"


def packages(image: str) -> List[str]:
    listed = docker("run", "--rm", "--network", "none", "--entrypoint", "pip", image, "list", "--format=freeze")
    return [line.split("==")[0].lower() for line in listed.stdout.splitlines()]


def test_the_images_hold_run_time_packages_only(images):
    rasa, actions = packages(images["rasa"]), packages(images["actions"])
    assert {"rasa", "rasa-sdk", "spacy", "negspacy", "langid", "psycopg2-binary"} <= set(rasa)
    assert {"rasa-sdk", "spacy", "negspacy", "sqlalchemy", "psycopg2-binary"} <= set(actions)
    for dev in ("pytest", "playwright", "ruff", "mypy", "pre-commit", "uv", "spacy-lookups-data"):
        assert dev not in rasa and dev not in actions, f"{dev} (a development package) is in an image"
    assert "rasa" not in actions and "tensorflow" not in actions, "the action server image carries Rasa"


def test_a_rest_question_is_answered_through_both_containers(images, tmp_path):
    action_port, rasa_port = free_port(), free_port()
    with isolated_services("containers") as services:
        env = services.environment(f"http://127.0.0.1:{action_port}/webhook")
        containers: List[str] = []
        try:
            containers.append(
                run("actions", images["actions"], {**env, "ACTION_SERVER_PORT": str(action_port)}, tmp_path)
            )
            wait_for(f"http://127.0.0.1:{action_port}/health", containers)
            containers.append(
                run(
                    "rasa",
                    images["rasa"],
                    {**env, "RASA_PORT": str(rasa_port)},
                    tmp_path,
                    "-v",
                    f"{MODEL}:/app/models/current.tar.gz:ro",
                )  # fmt: skip
            )
            wait_for(f"http://127.0.0.1:{rasa_port}/", containers)
            answer = requests.post(
                f"http://127.0.0.1:{rasa_port}/webhooks/rest/webhook", headers=AUTH, timeout=120,
                json={"sender": "container-check", "message": "what causes leg cramps?"},
            )  # fmt: skip
            assert answer.status_code == 200, answer.text
            texts = " ".join(message.get("text", "") for message in answer.json())
            assert DISCLAIMER in texts, f"no disclaimer in {texts!r}\n" + "\n".join(logs(c) for c in containers)
        finally:
            for container in containers:
                docker("rm", "-f", container, check=False)


def test_the_compose_file_is_valid():
    done = subprocess.run(
        ["docker-compose", "--env-file", "deploy/env.example", "-f", "deploy/docker-compose.yml", "config", "-q"],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
