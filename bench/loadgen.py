"""The load generator, run in its own process: closed-loop virtual users over the REST channel.

    python -m bench.loadgen --url http://127.0.0.1:5005/webhooks/rest/webhook --users 8 --messages 400 --out run.json

The REST channel's bearer token is read from the environment (REST_TOKEN), so it is not on the command line.

Each user replays conversations of `bench.scenarios` with a fresh sender id per conversation, one message
after the other. Every request is recorded: latency, or the error (HTTP status, timeout, connection error,
bad JSON). Nothing is dropped; the JSON holds the raw outcomes and their summary."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
import uuid
from pathlib import Path
from typing import List, Optional

import aiohttp

from bench.scenarios import CONVERSATIONS
from bench.stats import Outcome, summarise
from launch import settings

TIMEOUT_S = 30.0


async def send(session: aiohttp.ClientSession, url: str, sender: str, text: str) -> Outcome:
    start = time.perf_counter()
    try:
        async with session.post(url, json={"sender": sender, "message": text}) as response:
            body = await response.read()
            latency = time.perf_counter() - start
            if response.status != 200:
                return Outcome(latency, f"http {response.status}")
            replies = json.loads(body)
            if not isinstance(replies, list):
                return Outcome(latency, "not a list")
            return Outcome(latency, empty=not replies)
    except asyncio.TimeoutError:
        return Outcome(time.perf_counter() - start, "timeout")
    except (aiohttp.ClientError, OSError) as e:
        return Outcome(time.perf_counter() - start, type(e).__name__)
    except ValueError:
        return Outcome(time.perf_counter() - start, "bad json")


class Budget:
    """How many messages remain to be sent; shared by the users of one run."""

    def __init__(self, messages: int) -> None:
        self.left = messages

    def take(self) -> bool:
        if self.left <= 0:
            return False
        self.left -= 1
        return True


async def user(index: int, session: aiohttp.ClientSession, url: str, budget: Budget, out: List[Outcome]) -> None:
    round_ = 0
    while True:
        conversation = CONVERSATIONS[(index + round_) % len(CONVERSATIONS)]
        sender = f"bench-{index}-{round_}-{uuid.uuid4().hex[:8]}"
        for text in conversation:
            if not budget.take():
                return
            out.append(await send(session, url, sender, text))
        round_ += 1


async def run(url: str, users: int, messages: int, warmup: int, token: Optional[str] = None) -> dict:
    """`messages` messages from `users` users; the bearer token is `token`, else REST_TOKEN (launch/settings.py)."""
    connector = aiohttp.TCPConnector(limit=0)
    timeout = aiohttp.ClientTimeout(total=TIMEOUT_S)
    token = token or settings.REST_TOKEN
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with aiohttp.ClientSession(connector=connector, timeout=timeout, headers=headers) as session:
        warm: List[Outcome] = []
        if warmup:
            await user(0, session, url, Budget(warmup), warm)
        outcomes: List[Outcome] = []
        budget = Budget(messages)
        start = time.perf_counter()
        await asyncio.gather(*(user(i, session, url, budget, outcomes) for i in range(users)))
        elapsed = time.perf_counter() - start
    return {
        "url": url,
        "users": users,
        "warmup": summarise(warm, 1.0).as_dict() if warm else None,
        "summary": summarise(outcomes, elapsed).as_dict(),
        "latencies_ms": [round(o.latency_s * 1000, 3) for o in outcomes if o.error is None],
        "errors": [{"latency_ms": round(o.latency_s * 1000, 3), "error": o.error} for o in outcomes if o.error],
    }


def main(argv: List[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="the REST webhook URL")
    parser.add_argument("--users", type=int, default=1, help="concurrent virtual users")
    parser.add_argument("--messages", type=int, required=True, help="messages to send in the measured run")
    parser.add_argument("--warmup", type=int, default=0, help="messages sent first, one at a time, not measured")
    parser.add_argument("--out", type=Path, required=True, help="JSON file for the outcomes")
    args = parser.parse_args(argv)
    result = asyncio.run(run(args.url, args.users, args.messages, args.warmup))
    args.out.write_text(json.dumps(result))
    s = result["summary"]
    print(
        f"   {args.users:>2} users: {s['ok']}/{s['requests']} ok, {s['errors']} errors {s['error_kinds'] or ''}, "
        f"p50 {s['latency_ms'].get('p50', float('nan')):.1f} ms, {s['throughput_rps']:.1f} msg/s",
        flush=True,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
