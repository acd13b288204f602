"""deploy/: the compose file, its nginx configuration and the Helm values say what the topology does."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import yaml

from launch import nginx_conf
from launch.topology import NGINX

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"


def compose():
    return yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())


def test_compose_has_the_services_of_the_topology():
    services = compose()["services"]
    assert set(services) == {"postgres", "redis", "rabbitmq", "actions-1", "actions-2", "rasa-1", "rasa-2", "nginx"}
    for name in ("rasa-1", "rasa-2"):
        rasa = services[name]
        assert rasa["image"] == "legcramps-rasa" and rasa["build"]["dockerfile"] == "deploy/Dockerfile.rasa"
        env = rasa["environment"]
        assert env["DB_HOST"] == "postgres" and env["REDIS_HOST"] == "redis" and env["RABBITMQ_HOST"] == "rabbitmq"
        assert env["ACTION_ENDPOINT_URL"] == "http://nginx:5055/webhook"
        assert "../models/current.tar.gz:/app/models/current.tar.gz:ro" in " ".join(rasa["volumes"]), (
            "every replica serves the same model file"
        )
    for name in ("actions-1", "actions-2"):
        assert services[name]["build"]["dockerfile"] == "deploy/Dockerfile.actions"
        assert services[name]["environment"]["KB_DATABASE_URL"].startswith("postgresql://")


def test_compose_sets_every_variable_the_production_endpoints_use():
    endpoints = yaml.safe_load((ROOT / "endpoints.production.yml").read_text())
    used = set(re.findall(r"\$\{(\w+)\}", yaml.safe_dump(endpoints)))
    assert len(used) >= 15
    assert used <= set(compose()["services"]["rasa-1"]["environment"])


def test_compose_commits_no_secret():
    text = (DEPLOY / "docker-compose.yml").read_text()
    for variable in ("RASA_API_TOKEN", "DB_PASSWORD", "REDIS_PASSWORD", "RABBITMQ_PASSWORD"):
        assert re.search(rf"{variable}: \$\{{{variable}:\?", text) or f"${{{variable}}}" in text


def test_the_images_install_a_hashed_run_time_lock():
    actions = (DEPLOY / "Dockerfile.actions").read_text()
    assert "--require-hashes -r requirements/actions.lock" in actions
    assert 'CMD ["python", "-m", "actions.server"]' in actions
    rasa = (DEPLOY / "Dockerfile.rasa").read_text()
    assert "--require-hashes -r requirements/runtime.lock" in rasa and "dev.lock" not in rasa + actions
    command = rasa[rasa.index("CMD ") :]
    assert "launch.rasa_cli run --enable-api --auth-token" in command and "--model models/current.tar.gz" in command
    assert "endpoints.production.yml" in command


def test_the_locks_pin_every_package_with_hashes_and_agree():
    pins = {}
    for lock in ("runtime", "actions", "dev"):
        text = (ROOT / "requirements" / f"{lock}.lock").read_text()
        entries = re.findall(r"^([A-Za-z0-9][\w.-]*)==(\S+) \\\n((?:\s+--hash=sha256:\w+(?: \\)?\n)+)", text, re.M)
        pinned = re.findall(r"^[A-Za-z0-9][\w.-]*==", text, re.M)
        assert len(entries) == len(pinned), f"{lock}.lock: a pin without hashes"
        for name, version, _ in entries:
            assert pins.setdefault(name.lower(), version) == version, f"{name}: two versions in the locks"
    assert "pytest" in pins and "rasa" in pins
    runtime = (ROOT / "requirements" / "runtime.lock").read_text()
    dev = re.search(r"^(pytest|playwright|ruff|mypy|pre-commit)==", runtime, re.M)
    assert not dev, f"a development package in runtime.lock: {dev}"


def test_deploy_nginx_conf_is_the_generated_one():
    assert (DEPLOY / "nginx.conf").read_text() == nginx_conf.deploy_conf(), (
        "run: python -m launch.nginx_conf > deploy/nginx.conf"
    )


def test_deploy_nginx_conf_passes_nginx_t(tmp_path):
    """`nginx -t` on a copy whose upstream host names are this machine and whose ports are free."""
    assert Path(NGINX).exists(), "nginx is missing: make system-deps"
    text = (DEPLOY / "nginx.conf").read_text()
    text = re.sub(r"\b(rasa|actions)-\d:", "127.0.0.1:", text)
    text = text.replace("listen 80;", "listen 127.0.0.1:18080;").replace("listen 5055;", "listen 127.0.0.1:18081;")
    text = text.replace(
        "error_log /dev/stderr warn;", f"error_log {tmp_path}/error.log warn;\npid {tmp_path}/nginx.pid;"
    )
    conf = tmp_path / "nginx.conf"
    conf.write_text(text)
    result = subprocess.run([NGINX, "-t", "-c", str(conf), "-p", str(tmp_path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr


def test_nginx_routes_rest_round_robin_and_socketio_sticky_and_never_retries_a_sent_post():
    text = (DEPLOY / "nginx.conf").read_text()
    rasa = re.search(r"upstream rasa \{(.*?)\}", text, re.S).group(1)
    sticky = re.search(r"upstream rasa_sticky \{(.*?)\}", text, re.S).group(1)
    assert "hash" not in rasa and "ip_hash" not in rasa, "REST is round robin"
    assert "hash $remote_addr consistent" in sticky
    socketio = re.search(r"location /socket.io/ \{(.*?)\}", text, re.S).group(1)
    assert "proxy_set_header Upgrade $http_upgrade" in socketio and "proxy_http_version 1.1" in socketio
    retry = re.search(r"proxy_next_upstream (.*);", text).group(1)
    assert "non_idempotent" not in retry and "error" in retry


def test_helm_values_match_the_production_endpoints():
    values = yaml.safe_load((DEPLOY / "kubernetes" / "values.yml").read_text())
    endpoints = values["applicationSettings"]["endpoints"]
    production = yaml.safe_load((ROOT / "endpoints.production.yml").read_text())
    assert values["image"]["tag"] == "3.6.21" and values["replicaCount"] >= 2
    assert endpoints["trackerStore"]["dialect"] == production["tracker_store"]["dialect"] == "postgresql"
    assert endpoints["lockStore"]["type"] == production["lock_store"]["type"]
    broker = "stores.event_broker.ReliablePikaEventBroker"
    assert endpoints["eventBroker"]["type"] == production["event_broker"]["type"] == broker
    assert values["strategy"]["rollingUpdate"]["maxUnavailable"] == 0


def test_rasa_substitutes_every_variable_of_the_production_endpoints(monkeypatch):
    """Rasa replaces ${X} only in plain YAML scalars; a quoted placeholder would reach Rasa as it is."""
    from rasa.core.utils import AvailableEndpoints

    endpoints = yaml.safe_load((ROOT / "endpoints.production.yml").read_text())
    for name in re.findall(r"\$\{(\w+)\}", yaml.safe_dump(endpoints)):
        monkeypatch.setenv(name, "1" if name.endswith(("PORT", "_DB")) else f"value-of-{name.lower()}")
    read = AvailableEndpoints.read_endpoints(str(ROOT / "endpoints.production.yml"))
    configs = [read.action, read.tracker_store, read.lock_store, read.event_broker]
    assert all(configs)
    text = repr([(c.url, c.kwargs) for c in configs])
    assert "${" not in text and "value-of-db_host" in text and "value-of-rabbitmq_queue" in text
