"""Where a message's time goes. The bench's conversation mix is sent one message at a time over REST: after
two warm-up rounds, ROUNDS rounds are timed (nothing else attached), then py-spy samples the Rasa server and
the action server while the messages go on, and the hottest functions are written out.

    .venv/bin/python -m bench.profile [--model models/current.tar.gz] [--seconds 25]
    ACTION_RESULT_CHECK=stock make profile     # the same with Rasa's own check of action server responses

Prints the sequential p50/p95; writes bench/results/profile-{rasa,actions}.txt (inclusive and own share
of the samples per function)."""

from __future__ import annotations

import argparse
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Dict, List, Tuple

import requests

from bench.run import RESULTS, WORK, say
from bench.scenarios import CONVERSATIONS
from bench.stats import percentile
from launch.assistant import MODEL, running_assistant

PY_SPY = str(Path(sys.executable).with_name("py-spy"))
TOP = 60
ROUNDS = 3


def frame_name(frame: str) -> str:
    """'handle_message (rasa/core/processor.py:169)' -> 'handle_message (processor.py)'."""
    function, _, where = frame.partition(" (")
    return f"{function} ({where.split(':')[0].rsplit('/', 1)[-1]})" if where else function


def shares(raw: Path) -> Tuple[int, Counter, Counter]:
    """Samples, and per function the samples it is on the stack of (inclusive) and on top of (own)."""
    inclusive: Counter = Counter()
    own: Counter = Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        n = int(count)
        total += n
        frames = [frame_name(f) for f in stack.split(";")]
        for name in set(frames):
            inclusive[name] += n
        own[frames[-1]] += n
    return total, inclusive, own


def write_table(raw: Path, out: Path, title: str) -> None:
    total, inclusive, own = shares(raw)
    lines = [f"# {title}: {total} samples", "", "inclusive  function"]
    lines += [f"{100 * n / total:8.1f} %  {name}" for name, n in inclusive.most_common(TOP)]
    lines += ["", "own        function"]
    lines += [f"{100 * n / total:8.1f} %  {name}" for name, n in own.most_common(TOP // 2)]
    out.write_text("\n".join(lines) + "\n")


def talk(url: str, token: str, stop: threading.Event, latencies: List[float], rounds: int = 0) -> None:
    """Replay the conversation mix, one message at a time, `rounds` times or until `stop` is set."""
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    done = 0
    while not stop.is_set() and (rounds == 0 or done < rounds):
        done += 1
        for conversation in CONVERSATIONS:
            sender = uuid.uuid4().hex
            for text in conversation:
                started = time.perf_counter()
                response = session.post(url, json={"sender": sender, "message": text}, timeout=30)
                response.raise_for_status()
                latencies.append((time.perf_counter() - started) * 1000)


def record(pid: str, seconds: int, raw: Path) -> subprocess.Popen:
    command = [PY_SPY, "record", "--pid", pid, "--duration", str(seconds), "--rate", "200", "--nonblocking"]
    command += ["--format", "raw", "--output", str(raw)]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=MODEL)
    parser.add_argument("--seconds", type=int, default=25)
    args = parser.parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    workdir = WORK / f"profile-{uuid.uuid4().hex[:6]}"
    workdir.mkdir(parents=True)
    with running_assistant(workdir, args.model) as urls:
        url = f"{urls['rasa']}/webhooks/rest/webhook"
        say("warming up: the conversation mix twice")
        stop = threading.Event()
        talk(url, urls["token"], stop, [], rounds=2)
        timed: List[float] = []
        talk(url, urls["token"], stop, timed, rounds=ROUNDS)
        p50, p95 = percentile(timed, 50), percentile(timed, 95)
        say(f"sequential, {len(timed)} messages ({ROUNDS} rounds of the mix): p50 {p50:.1f} ms, p95 {p95:.1f} ms")
        latencies: List[float] = []
        talker = threading.Thread(target=talk, args=(url, urls["token"], stop, latencies), daemon=True)
        talker.start()
        say(f"sampling both servers for {args.seconds} s with py-spy while messages are sent one at a time")
        raws: Dict[str, Path] = {name: workdir / f"profile-{name}.raw" for name in ("rasa", "actions")}
        spies = [record(urls[f"{name}_pid"], args.seconds, raws[name]) for name in raws]
        for spy in spies:
            spy.wait()
        stop.set()
        talker.join(timeout=60)
    for name, raw in raws.items():
        write_table(raw, RESULTS / f"profile-{name}.txt", f"{name} server, sequential REST messages")
    say(f"{len(latencies)} more messages while py-spy sampled (it slows the servers a little)")
    say(f"tables: {RESULTS / 'profile-rasa.txt'}, {RESULTS / 'profile-actions.txt'}")


if __name__ == "__main__":
    main()
