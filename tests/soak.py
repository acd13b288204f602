"""Soak: sustained load on the real servers for a bounded time, then a burst of thousands of new senders.

    make soak                      # SOAK_SECONDS=120 SOAK_USERS=4 SOAK_SENDERS=2000 SOAK_MAX_GROWTH_MB=150

1. Start the action server and the Rasa server (launch/assistant.py), warm up, note each one's resident memory.
2. For SOAK_SECONDS, SOAK_USERS virtual users replay the benchmark's conversations (bench.loadgen), a new
   sender per conversation; progress and memory are printed after each round.
3. SOAK_SENDERS one-message conversations, each from a new sender id, eight at a time.
4. Memory again. Fails (exit 1) on any error or non-200 answer, or when either server's resident memory
   grew by more than SOAK_MAX_GROWTH_MB since the warm-up.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Dict, List

import aiohttp

from bench import loadgen
from bench.memory import tree_memory_mb
from bench.stats import Outcome
from launch.assistant import running_assistant

SECONDS = float(os.environ.get("SOAK_SECONDS", "120"))
USERS = int(os.environ.get("SOAK_USERS", "4"))
SENDERS = int(os.environ.get("SOAK_SENDERS", "2000"))
MAX_GROWTH_MB = float(os.environ.get("SOAK_MAX_GROWTH_MB", "150"))
ROUND_MESSAGES = 100
SENDER_CONCURRENCY = 8


def memory(urls: Dict[str, str]) -> Dict[str, float]:
    return {name: tree_memory_mb(int(urls[f"{name}_pid"])) for name in ("rasa", "actions")}


def show(what: str, urls: Dict[str, str]) -> None:
    mb = memory(urls)
    print(f"   {what}: Rasa {mb['rasa']:.0f} MB, action server {mb['actions']:.0f} MB resident", flush=True)


async def new_senders(url: str, token: str, count: int) -> List[Outcome]:
    """`count` one-message conversations, each from a new sender id."""
    left = list(range(count))
    outcomes: List[Outcome] = []
    headers = {"Authorization": f"Bearer {token}"}
    timeout = aiohttp.ClientTimeout(total=loadgen.TIMEOUT_S)
    async with aiohttp.ClientSession(headers=headers, timeout=timeout) as session:

        async def worker() -> None:
            while left:
                left.pop()
                outcomes.append(await loadgen.send(session, url, f"soak-{uuid.uuid4().hex}", "hello"))

        await asyncio.gather(*(worker() for _ in range(SENDER_CONCURRENCY)))
    return outcomes


def main() -> int:
    failures: List[str] = []
    with tempfile.TemporaryDirectory(prefix="soak-") as workdir:
        print(f">> soak: starting both servers in {workdir}", flush=True)
        with running_assistant(Path(workdir)) as urls:
            url = f"{urls['rasa']}/webhooks/rest/webhook"
            warm = asyncio.run(loadgen.run(url, 1, 20, 0, token=urls["token"]))
            if warm["errors"]:  # nothing works: say why now, not after the whole soak
                print(f">> soak FAILED at the warm-up: {warm['errors'][0]['error']}", flush=True)
                return 1
            start = memory(urls)
            show("after warm-up", urls)
            print(f">> {SECONDS:.0f} s of load: {USERS} users, rounds of {ROUND_MESSAGES} messages", flush=True)
            began, sent = time.monotonic(), 0
            while time.monotonic() - began < SECONDS:
                result = asyncio.run(loadgen.run(url, USERS, ROUND_MESSAGES, 0, token=urls["token"]))
                summary = result["summary"]
                sent += summary["requests"]
                failures += [f"load: {e['error']}" for e in result["errors"]]
                failures += ["load: an empty answer"] * summary["empty_replies"]
                print(
                    f"   {time.monotonic() - began:5.0f} s: {sent} messages, {len(failures)} errors, "
                    f"p50 {summary['latency_ms'].get('p50', float('nan')):.0f} ms, "
                    f"{summary['throughput_rps']:.1f} msg/s",
                    flush=True,
                )
                show("memory", urls)
            print(f">> {SENDERS} new senders, {SENDER_CONCURRENCY} at a time", flush=True)
            burst_began = time.monotonic()
            outcomes = asyncio.run(new_senders(url, urls["token"], SENDERS))
            failures += [f"new senders: {o.error}" for o in outcomes if o.error or o.empty]
            print(f"   {len(outcomes)} answered in {time.monotonic() - burst_began:.0f} s", flush=True)
            end = memory(urls)
            show("at the end", urls)
    for name in ("rasa", "actions"):
        growth = end[name] - start[name]
        print(
            f">> {name}: {start[name]:.0f} -> {end[name]:.0f} MB resident ({growth:+.0f} MB, bound {MAX_GROWTH_MB:.0f})"
        )
        if growth > MAX_GROWTH_MB:
            failures.append(f"{name} grew by {growth:.0f} MB")
    if failures:
        print(f">> soak FAILED: {len(failures)} problems, e.g. {sorted(set(failures))[:10]}", flush=True)
        return 1
    print(f">> soak passed: {sent + len(outcomes)} messages, no errors", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
