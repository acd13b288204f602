"""patches/: the cached check of action server responses (patches/action_results.py) accepts and refuses
exactly what Rasa's own check does, with the same error message; `patches.apply_all()` (launch.rasa_cli, the
one place patches are applied) installs it, and refuses a Rasa version a patch was not written for; every
launcher starts Rasa through launch.rasa_cli."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.core.tracker_store import FailSafeTrackerStore
from rasa_sdk.events import ActiveLoop, BotUttered, FollowupAction, Restarted, SlotSet, UserUtteranceReverted

import patches
from channels import settings
from patches import action_results, tracker_store_errors

ROOT = Path(__file__).resolve().parent.parent

VALID = [
    {},
    {"events": [], "responses": []},
    {"events": [SlotSet("topic", "causes"), SlotSet("symptom_severity", None)], "responses": [{"text": "x"}]},
    {"events": [ActiveLoop("referral_form"), SlotSet("requested_slot", "red_flags"), ActiveLoop(None)]},
    {"events": [BotUttered("hello", {"buttons": []}), FollowupAction("action_listen")]},
    {"events": [UserUtteranceReverted(), Restarted()]},
    {"responses": [{"response": "utter_disclaimer"}, {"custom": {"summary_text": "notes"}}]},
]

INVALID = [
    {"events": [{"event": "no_such_event"}]},
    {"events": [{"event": "slot", "value": 1}]},  # a slot event without a name
    {"events": "not a list"},
    {"events": [{"event": "action", "name": 3}]},
    {"responses": ["text, not an object"]},
    {"events": [{"name": "topic", "value": "causes"}]},  # no event type
    [],
]

ACTION = RemoteAction("action_answer_causes", None)


def rasa_outcome(result):
    try:
        return action_results.ORIGINAL(ACTION, result)
    except ValidationError as e:
        return e.message


def our_outcome(result):
    try:
        return ACTION._validate_action_result(result)
    except ValidationError as e:
        return e.message


@pytest.fixture(autouse=True)
def patched():
    """Rasa's methods as start-up leaves them (patches.apply_all), and as Rasa has them afterwards."""
    patches.apply_all()
    yield
    RemoteAction._validate_action_result = action_results.ORIGINAL
    FailSafeTrackerStore.on_tracker_store_error, FailSafeTrackerStore.on_tracker_store_retrieve_error = (
        tracker_store_errors.ORIGINAL
    )


def test_start_up_makes_rasa_run_our_check():
    assert RemoteAction._validate_action_result is action_results.validate_action_result


@pytest.mark.slow
def test_importing_rasa_and_our_modules_patches_nothing():
    """No side effect at import: a Rasa process that loads our channels and stores still runs Rasa's check."""
    code = (
        "import channels.rest, channels.socketio, patches\n"
        "import stores.tracker_store, stores.lock_store, stores.event_broker\n"
        "from rasa.core.actions.action import RemoteAction\n"
        "from patches import action_results\n"
        "assert RemoteAction._validate_action_result is action_results.ORIGINAL\n"
        "from rasa.core.tracker_store import FailSafeTrackerStore as F\n"
        "from patches import tracker_store_errors as t\n"
        "assert (F.on_tracker_store_error, F.on_tracker_store_retrieve_error) == t.ORIGINAL\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, timeout=300)


def test_every_patch_names_the_rasa_version_it_was_written_for():
    assert patches.PATCHES and all(re.fullmatch(r"\d+\.\d+\.\d+", p.RASA_VERSION) for p in patches.PATCHES)
    assert action_results in patches.PATCHES


def test_another_rasa_version_is_refused_before_anything_is_patched():
    RemoteAction._validate_action_result = action_results.ORIGINAL
    with pytest.raises(patches.WrongRasaVersion) as refused:
        patches.apply_all(running="3.7.0")
    message = str(refused.value)
    assert "patches.action_results" in message and "3.6.21" in message and "3.7.0" in message
    assert RemoteAction._validate_action_result is action_results.ORIGINAL


@pytest.mark.slow
def test_the_launcher_stops_on_another_rasa_version_before_rasa_starts():
    """launch.rasa_cli, run as the launchers run it, with Rasa reporting another version."""
    code = (
        "import runpy, sys, rasa.version\n"
        "rasa.version.__version__ = '3.7.0'\n"
        "sys.argv = ['launch.rasa_cli', '--version']\n"
        "runpy.run_module('launch.rasa_cli', run_name='__main__')\n"
    )
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode != 0
    assert "WrongRasaVersion: patches.action_results patches Rasa 3.6.21, but Rasa 3.7.0 is installed" in run.stderr
    assert "Rasa Version" not in run.stdout  # Rasa's `--version` never ran


@pytest.mark.slow
def test_the_launcher_runs_rasa_on_the_version_the_patches_were_written_for():
    run = subprocess.run(
        [sys.executable, "-m", "launch.rasa_cli", "--version"], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert run.returncode == 0, run.stderr
    assert re.search(r"Rasa Version\s*:\s*3\.6\.21", run.stdout), run.stdout


DIRECT_RASA = re.compile(
    r"""(?:bin/|exec\s+|^[ \t]*)rasa\s+(?:run|shell)\b"""  # .venv/bin/rasa run, exec rasa run (shell, YAML)
    r"""|\$\(RASA\)\s+(?:run|shell)\b"""  # $(RASA) shell (Makefile)
    r"""|(?<!\*)\bRASA\)?\s*,\s*["'](?:run|shell)["']""",  # [RASA, "run", ...] or [str(RASA), "run"] (Python)
    re.MULTILINE,
)
"""Rasa's own `rasa run` or `rasa shell` started directly, which would run without the patches."""


def launchers():
    """Every file that could start a Rasa server: the Makefile, CI, launchers, tests, bench and deploy files."""
    files = [ROOT / "Makefile", ROOT / ".ci" / "run"]
    for folder in ("launch", "tests", "bench", "deploy", "ops"):
        files += [
            p
            for p in (ROOT / folder).rglob("*")
            if p.is_file() and (p.suffix in ("", ".py", ".sh", ".yml") or p.name.startswith("Dockerfile"))
        ]
    return sorted(str(p.relative_to(ROOT)) for p in files if p.exists() and p != Path(__file__).resolve())


def test_the_launcher_pattern_finds_direct_starts():
    for direct in ('.venv/bin/rasa run --model m', '      exec rasa run --enable-api', '\t$(RASA) shell --model m',
                   'command = [RASA, "run", "--enable-api"]', 'str(RASA),\n  "run",'):  # fmt: skip
        assert DIRECT_RASA.search(direct), direct
    for ours in ('.venv/bin/python -m launch.rasa_cli run', '*RASA, "run", "--enable-api"', '[RASA, "train"]',
                 'options to `rasa run`'):  # fmt: skip
        assert not DIRECT_RASA.search(ours), ours


@pytest.mark.parametrize("path", launchers())
def test_every_launcher_starts_rasa_through_the_patching_launcher(path):
    direct = DIRECT_RASA.findall((ROOT / path).read_text(encoding="utf-8", errors="replace"))
    assert not direct, f"{path} starts Rasa without launch.rasa_cli (patches/ would not be applied): {direct}"


@pytest.mark.parametrize("result", VALID)
def test_a_valid_response_passes_both_checks(result):
    assert our_outcome(result) is True
    assert rasa_outcome(result) is True


@pytest.mark.parametrize("result", INVALID)
def test_an_invalid_response_fails_both_checks_with_the_same_message(result):
    ours = our_outcome(result)
    assert isinstance(ours, str) and "Failed to validate Action server response" in ours
    assert ours == rasa_outcome(result)


def test_the_validator_is_built_once():
    assert action_results.response_validator() is action_results.response_validator()


def test_the_stock_check_can_be_chosen_to_measure_the_difference(monkeypatch):
    monkeypatch.setattr(settings, "ACTION_RESULT_CHECK", "stock")  # ACTION_RESULT_CHECK=stock at start-up
    patches.apply_all()
    assert RemoteAction._validate_action_result is action_results.ORIGINAL


def test_an_unknown_check_stops_the_rasa_server_at_start_up():
    run = subprocess.run(
        [sys.executable, "-c", "import channels.settings"], cwd=ROOT, env={**os.environ, "ACTION_RESULT_CHECK": "none"},
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert run.returncode != 0 and "ACTION_RESULT_CHECK must be 'cached' or 'stock', not 'none'" in run.stderr
