"""Start the action server: seed the knowledge base (idempotent), then serve the actions."""

from __future__ import annotations

import logging

from rasa_sdk import endpoint

from actions import settings
from actions.seed import seed


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    print(f"seeding the knowledge base at {settings.KB_DATABASE_URL}: {seed()}", flush=True)
    endpoint.run("actions", port=settings.ACTION_SERVER_PORT)


if __name__ == "__main__":
    main()
