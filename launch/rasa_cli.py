"""Rasa's command line with this project's Rasa patches applied: the one place they are applied.

    .venv/bin/python -m launch.rasa_cli run --model models/current.tar.gz ...    (instead of `rasa run ...`)

`patches.apply_all()` checks that the installed Rasa is the version each patch was written for (it stops
with an error naming the patch and both versions otherwise), applies them, then Rasa's own `main()` runs
with the same arguments. Start-up is here, not in a module Rasa happens to import (a channel, a store),
because this runs before Rasa loads anything, in every Rasa process whatever its endpoints and credentials
name, and a wrong version stops the server before it listens. launch/serve.sh, launch/topology.py,
launch/assistant.py (tests and bench) and the containers start Rasa this way; Sanic's workers are forked
from this process, so they inherit the patches."""

from __future__ import annotations

import sys

import patches


def main() -> None:
    patches.apply_all()
    from rasa.__main__ import main as rasa_main

    sys.argv[0] = "rasa"  # Rasa's usage and error messages name its own command
    rasa_main()


if __name__ == "__main__":
    main()
