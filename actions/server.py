"""Start the action server: seed the knowledge base (idempotent), then serve the actions."""

from __future__ import annotations

import logging

from rasa_sdk import endpoint
from sqlalchemy.engine import make_url

from actions import settings
from actions.db import exclusive_seeding
from actions.review_store import review_sessions
from actions.seed import seed


def _without_password(url: str) -> str:
    return repr(make_url(url))  # SQLAlchemy masks the password: postgresql://user:***@host/db


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    with exclusive_seeding():  # several action servers may start at once on one database
        print(f"seeding the knowledge base at {_without_password(settings.KB_DATABASE_URL)}: {seed()}", flush=True)
        review_sessions(settings.REVIEW_DATABASE_URL)  # creates the review tables
    endpoint.run("actions", port=settings.ACTION_SERVER_PORT)


if __name__ == "__main__":
    main()
