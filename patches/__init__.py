"""Fixes of Rasa methods, applied from one place at start-up: `apply_all()`, which `launch.rasa_cli` calls
before it hands over to Rasa's command line (every Rasa server of this project starts through it).

Each patch module names the Rasa version it was written for (`RASA_VERSION`) and has an `apply()`; on
another Rasa version `apply_all()` stops with `WrongRasaVersion` before Rasa starts, so a Rasa upgrade
makes someone re-read each patched method instead of running a stale copy of it."""

from __future__ import annotations

from types import ModuleType
from typing import Tuple

from rasa.version import __version__ as RUNNING

from patches import action_results, tracker_store_errors

PATCHES: Tuple[ModuleType, ...] = (action_results, tracker_store_errors)
"""Every patch of a Rasa method in this project, in the order they are applied."""


class WrongRasaVersion(RuntimeError):
    """A patch was written for another Rasa version than the one installed."""


def check_version(patch: ModuleType, running: str = RUNNING) -> None:
    """Raise WrongRasaVersion unless `running` is the Rasa version `patch` was written for."""
    written_for = patch.RASA_VERSION
    if running != written_for:
        raise WrongRasaVersion(
            f"{patch.__name__} patches Rasa {written_for}, but Rasa {running} is installed: compare the patched "
            f"method with Rasa {running}'s, then update or remove the patch and its RASA_VERSION"
        )


def apply_all(running: str = RUNNING) -> None:
    """Check every patch's Rasa version, then apply them all (nothing is applied when one check fails)."""
    for patch in PATCHES:
        check_version(patch, running)
    for patch in PATCHES:
        patch.apply()
