"""Start the action server: seed the knowledge base (idempotent), then serve the actions.

It listens on ACTION_SERVER_HOST (127.0.0.1 by default) with no CORS (no browser calls it), and when
ACTION_SERVER_TOKEN is set it answers only requests carrying it as `?token=` (what Rasa sends for the
`token` of its action endpoint); /health stays open for monitoring."""

from __future__ import annotations

import hmac
import logging
from typing import Optional

from rasa_sdk import endpoint, utils
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy.engine import make_url

from actions import settings
from actions.seed import start_up
from actions.triage import assessment_rules, red_flag_reader

logger = logging.getLogger(__name__)
OPEN_PATHS = ("/health",)


def require_token(app: Sanic, token: str) -> None:
    @app.on_request
    async def check_token(request: Request) -> Optional[HTTPResponse]:
        if request.path in OPEN_PATHS:
            return None
        if hmac.compare_digest(request.args.get("token", "").encode("utf-8"), token.encode("utf-8")):
            return None
        logger.warning("refused a request to %s without the action server token", request.path)
        return response.json({"error": "missing or wrong token"}, status=401)


def _without_password(url: str) -> str:
    return repr(make_url(url))  # SQLAlchemy masks the password: postgresql://user:***@host/db


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    # the only schema work: under the seeding lock, before serving (several action servers may start at once)
    print(f"seeding the knowledge base at {_without_password(settings.KB_DATABASE_URL)}: {start_up()}", flush=True)
    red_flag_reader()  # builds the warning-sign reader (about 3 s) before the first message, not during it
    assessment_rules()  # a broken data/knowledge/assessment.yml stops the start, not a user's assessment
    app = endpoint.create_app("actions", cors_origins=None)
    if settings.ACTION_SERVER_TOKEN:
        require_token(app, settings.ACTION_SERVER_TOKEN)
    else:
        logger.warning("ACTION_SERVER_TOKEN is not set: the action server answers anyone who can reach it")
    logger.info("action server on http://%s:%s", settings.ACTION_SERVER_HOST, settings.ACTION_SERVER_PORT)
    app.run(
        settings.ACTION_SERVER_HOST,
        settings.ACTION_SERVER_PORT,
        workers=utils.number_of_sanic_workers(),
        access_log=False,
    )


if __name__ == "__main__":
    main()
