"""`make bench-scale`: how the assistant scales on this machine: 1 Rasa process, 1 process with
SANIC_WORKERS=2, and 2 replicas, each behind nginx on the production profile (PostgreSQL, Redis,
RabbitMQ, 2 action servers), one configuration after the other.

    .venv/bin/python -m bench.scale [--quick] [--users 4 16 32] [--messages 240]

For each configuration: closed-loop loads of increasing concurrency (bench/loadgen.py, every error
counted); the saturation throughput is the best error-free run, with its p50/p95 latency; memory is
the peak resident set (VmHWM) of each Rasa server's process tree. Results: bench/results/scale.json
and scale.md, with the machine's load averages (the 2 cores may be shared)."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from typing import Any, Dict, List

from bench.run import RESULTS, WORK, Machine, first_answer, loadgen, say, tree_peak_rss_mb
from bench.stats import fmt, markdown_table, ratio
from launch.assistant import LIFTED_RATE_LIMITS
from launch.isolated_services import REST_TOKEN, isolated_services
from launch.topology import Topology

CONFIGS = {
    "1 process": {"replicas": 1, "sanic_workers": 1},
    "SANIC_WORKERS=2": {"replicas": 1, "sanic_workers": 2},
    "2 replicas": {"replicas": 2, "sanic_workers": 1},
}


def measure(name: str, shape: Dict[str, int], users: List[int], messages: int, machine: Machine) -> Dict[str, Any]:
    with isolated_services("bench") as services:
        workdir = WORK / f"scale-{name.replace(' ', '-').replace('=', '')}"
        machine.sample(f"start {name}")
        say(f"{name}: starting 2 action servers, {shape['replicas']} replica(s), nginx")
        started = time.monotonic()
        with Topology(
            workdir,
            services,
            replicas=shape["replicas"],
            actions=2,
            sanic_workers=shape["sanic_workers"],
            extra_env=LIFTED_RATE_LIMITS,  # one load generator plays every user from one address
        ) as topology:
            url = f"{topology.url}/webhooks/rest/webhook"
            first_answer(topology.url, REST_TOKEN)
            startup = time.monotonic() - started
            runs = {}
            for n in users:
                machine.sample(f"{name} {n} users")
                say(f"{name}: {n} users, {messages} messages")
                tag = f"scale-{name.replace(' ', '_')}-{n}"
                runs[n] = loadgen(url, n, messages, warmup=10 if n == users[0] else 0, tag=tag, token=REST_TOKEN)[
                    "summary"
                ]
            rss = {r: tree_peak_rss_mb(topology.servers[r].process.pid) for r in topology.rasa_names}  # type: ignore[union-attr]
    clean = {n: r for n, r in runs.items() if r["errors"] == 0 and r["ok"] > 0}
    best = max(clean, key=lambda n: clean[n]["throughput_rps"]) if clean else None
    return {
        "shape": shape,
        "startup_s": startup,
        "runs": runs,
        "saturation_users": best,
        "saturation_rps": clean[best]["throughput_rps"] if best else None,
        "p50_ms": clean[best]["latency_ms"]["p50"] if best else None,
        "p95_ms": clean[best]["latency_ms"]["p95"] if best else None,
        "errors": sum(r["errors"] for r in runs.values()),
        "requests": sum(r["requests"] for r in runs.values()),
        "peak_rss_mb_per_replica": rss,
    }


def markdown(results: Dict[str, Any]) -> str:
    base = results["configs"]["1 process"]["saturation_rps"]
    rows = []
    for name, r in results["configs"].items():
        rss = r["peak_rss_mb_per_replica"]
        rows.append(
            [
                name,
                fmt(r["saturation_rps"]),
                str(r["saturation_users"]),
                fmt(r["p50_ms"], 0),
                fmt(r["p95_ms"], 0),
                fmt(ratio(r["saturation_rps"], base), 2, "×"),
                f"{r['errors']}/{r['requests']}",
                " + ".join(f"{v:.0f}" for v in rss.values()),
            ]
        )
    header = ["", "msg/s at saturation", "users", "p50 ms", "p95 ms", "scaling", "errors", "peak RSS MB per replica"]
    loads = ", ".join(f"{s['phase']}: {s['loadavg'][0]:.2f}" for s in results["machine"]["loadavg_samples"])
    return "\n".join(
        [
            f"# Scaling ({results['date_utc']} UTC, `{results['command']}`)",
            "",
            markdown_table(rows, header),
            "",
            f"Machine: {results['machine']['cpu']}, {results['machine']['cores']} cores, "
            f"{results['machine']['memory_gb']} GB. 1-minute load averages: {loads}.",
            "",
        ]
    )


def main(argv: List[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run: 2 loads of 60 messages")
    parser.add_argument("--users", type=int, nargs="+", default=[4, 16, 32], help="concurrencies to run")
    parser.add_argument("--messages", type=int, default=240, help="messages per load run")
    args = parser.parse_args(argv)
    users, messages = ([4, 16], 60) if args.quick else (args.users, args.messages)
    WORK.mkdir(parents=True, exist_ok=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    machine = Machine()
    configs = {name: measure(name, shape, users, messages, machine) for name, shape in CONFIGS.items()}
    machine.sample("end")
    results = {
        "command": " ".join(
            ["make bench-scale", *([f"BENCH_ARGS='{' '.join(sys.argv[1:])}'"] if sys.argv[1:] else [])]
        ),
        "date_utc": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime()),
        "machine": machine.describe(),
        "users": users,
        "messages_per_run": messages,
        "configs": configs,
        "other_processes_note": "the 2 cores may be shared with other jobs; see the load averages",
    }
    (RESULTS / "scale.json").write_text(json.dumps(results, indent=2))
    (RESULTS / "scale.md").write_text(markdown(results))
    print((RESULTS / "scale.md").read_text())
    return 0


if __name__ == "__main__":
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    sys.exit(main())
