"""The floor: a bare aiohttp server answering the REST webhook with a fixed reply, no NLU, no actions.

python -m bench.floor --port 8123"""

from __future__ import annotations

import argparse

from aiohttp import web

REPLY = [{"recipient_id": "bench", "text": "ok"}]


async def webhook(request: web.Request) -> web.Response:
    body = await request.json()
    return web.json_response([{**REPLY[0], "recipient_id": body.get("sender", "bench")}])


async def status(_: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    app = web.Application()
    app.add_routes([web.post("/webhooks/rest/webhook", webhook), web.get("/status", status)])
    web.run_app(app, host="127.0.0.1", port=args.port, print=None, access_log=None)


if __name__ == "__main__":
    main()
