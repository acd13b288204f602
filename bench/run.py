"""`make bench`: ours against the peer (the same data trained with `rasa init`'s stock configuration),
in one run on one machine, interleaved so the ratios stay fair on a noisy machine.

    .venv/bin/python -m bench.run [--quick] [--retrain] [--cv-run-folds 5]

Phases (each prints progress): training (cold cache, then unchanged) -> start-up -> held-out NLU ->
real language (bench/real_language.py: real messages' intents and REST answers, warning signs in stories) ->
latency and throughput (sequential, 8 and 32 users; ours, peer and the bare-HTTP floor in alternating
rounds) -> memory -> cross-validation. Results: bench/results/ (results.json, results.md, PNGs).

A model whose inputs (config, domain, training data, Rasa version, our spaCy pipeline) are unchanged since
it was last trained here is not trained again: its model, training figures and cross-validation are reused
and the report says when they were measured. The peer's stock training takes about 10 minutes here, so
this keeps a rerun after a change to our configuration under 15 minutes; `--retrain` measures both again."""

from __future__ import annotations

import argparse
import hashlib
import importlib.metadata
import json
import os
import platform
import shutil
import subprocess
import sys
import time
import urllib.request
import uuid
from contextlib import ExitStack
from pathlib import Path
from typing import Any, Dict, List, Optional

from bench import report
from bench.memory import tree_memory_mb
from bench.real_language import evaluate as real_language
from bench.understanding import plot_confusion, predicted, read_examples, scores
from launch import settings
from launch.assistant import running_assistant
from launch.processes import free_port, wait_until_up

ROOT = Path(__file__).resolve().parent.parent
RASA = str(Path(sys.executable).with_name("rasa"))
WORK = settings.BENCH_WORK
RESULTS = settings.BENCH_RESULTS
HELDOUT = ROOT / "tests" / "nlu" / "heldout.yml"
RASA_TEMPLATE = Path(sys.executable).parent.parent / "lib" / "python3.10" / "site-packages" / "rasa"
RASA_VERSION = importlib.metadata.version("rasa")
PEER_ASSISTANT_ID = "stock-rasa-3-6-21-peer"
NAMES = ("ours", "peer")
TRAINED = WORK / "trained"
"""One folder per trained model, named by what it was trained from (`fingerprint`): the model, its training
figures and its cross-validation results. A later run whose inputs are unchanged reuses them."""
TRAINING_INPUTS = ("domain.yml", "data/nlu", "data/stories", "data/rules")
SPACY_PIPELINE = ROOT / "models" / "spacy_en_legcramps"

# Messages per load run; each run is split into ROUNDS alternating rounds of ours, peer and the floor.
FULL = {"warmup": 30, "sequential": 150, "users_8": 360, "users_32": 640, "rounds": 3, "cv_run_folds": 1}
QUICK = {"warmup": 10, "sequential": 30, "users_8": 64, "users_32": 128, "rounds": 2, "cv_run_folds": 1}
LOADS = {"sequential": 1, "users_8": 8, "users_32": 32}
QUIET_LOAD = 0.5
"""Below this 1-min load average at the start, the machine counts as quiet."""


def say(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


class Machine:
    """Load average samples taken at each phase: the machine is shared, so the numbers carry their context."""

    def __init__(self) -> None:
        self.samples: List[Dict[str, Any]] = []

    def sample(self, phase: str) -> None:
        self.samples.append({"phase": phase, "time": time.time(), "loadavg": list(os.getloadavg())})

    def describe(self) -> Dict[str, Any]:
        cpu = next(
            (
                line.split(":", 1)[1].strip()
                for line in Path("/proc/cpuinfo").read_text().splitlines()
                if "model name" in line
            ),
            platform.processor(),
        )
        mem_kb = int(Path("/proc/meminfo").read_text().split()[1])
        return {
            "cpu": cpu,
            "cores": os.cpu_count(),
            "memory_gb": round(mem_kb / 1024 / 1024, 1),
            "os": platform.platform(),
            "python": platform.python_version(),
            "loadavg_samples": self.samples,
        }


def machine_note(start_load: float) -> str:
    """What the load average before the bench's own work says about the machine."""
    if start_load < QUIET_LOAD:
        return f"1-min load average {start_load:.2f} when the bench started: no other jobs were running"
    return (
        f"1-min load average {start_load:.2f} when the bench started: other jobs shared the machine, "
        "so compare ratios, not absolute numbers"
    )


def run_with_heartbeat(command: List[str], log: Path, what: str, env: Optional[Dict[str, str]] = None) -> float:
    """Run a long command, its output to `log`, printing elapsed time every 20 s; its wall time in seconds."""
    start = time.monotonic()
    with log.open("w") as out:
        process = subprocess.Popen(
            command, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, env=env or os.environ.copy()
        )
        while process.poll() is None:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                say(f"  ... {what}: {time.monotonic() - start:.0f} s (log: {log.relative_to(ROOT)})")
    if process.returncode != 0:
        raise SystemExit(f"{what} failed ({process.returncode}); last lines of {log}:\n{log.read_text()[-3000:]}")
    return time.monotonic() - start


def peer_config(path: Path) -> Path:
    """The config `rasa init` writes (rasa's own template): language en, pipeline and policies left to defaults."""
    template = (RASA_TEMPLATE / "cli" / "initial_project" / "config.yml").read_text()
    path.write_text(template.replace("assistant_id: placeholder_default", f"assistant_id: {PEER_ASSISTANT_ID}"))
    return path


def fingerprint(config: Path) -> str:
    """A digest of everything a model is trained from: its config, the domain and training data, Rasa's
    version and, when the config uses it, our spaCy pipeline (built from the knowledge base)."""
    paths = [config] + [p for name in TRAINING_INPUTS for p in sorted((ROOT / name).rglob("*")) or [ROOT / name]]
    if str(SPACY_PIPELINE.relative_to(ROOT)) in config.read_text():
        paths += sorted(SPACY_PIPELINE.rglob("*"))
    digest = hashlib.sha256(RASA_VERSION.encode())
    for path in (p for p in paths if p.is_file()):
        digest.update(str(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def train(name: str, config: Path, cache: Path, out: Path) -> float:
    env = {**os.environ, "RASA_CACHE_DIRECTORY": str(cache)}
    command = [RASA, "train", "--config", str(config), "--domain", "domain.yml", "--data", "data"]
    command += ["--out", str(out), "--fixed-model-name", "model"]
    return run_with_heartbeat(command, WORK / f"train-{name}.log", f"training {name}", env)


def training_phase(
    configs: Dict[str, Path], folders: Dict[str, Path], retrain: bool, machine: Machine
) -> Dict[str, Dict[str, Any]]:
    """Train (cold cache, then nothing changed) each model whose inputs changed since it was last measured,
    or every model with `--retrain`; reuse the others with the training figures measured then."""
    out: Dict[str, Dict[str, Any]] = {}
    fresh = [n for n in NAMES if retrain or not (folders[n] / "training.json").exists()]
    for name in set(NAMES) - set(fresh):
        out[name] = {**json.loads((folders[name] / "training.json").read_text()), "reused": True}
        say(f"{name}: inputs unchanged since {out[name]['trained_utc']} UTC, reusing its model and training figures")
    for name in fresh:
        for old in TRAINED.glob(f"{name}-*"):
            shutil.rmtree(old)
        folders[name].mkdir(parents=True)
        out[name] = {"trained_utc": time.strftime("%Y-%m-%d %H:%M", time.gmtime()), "reused": False}
    for kind in ("cold", "unchanged"):
        for name in fresh:
            cache = WORK / f"cache-{name}"
            if kind == "cold":
                shutil.rmtree(cache, ignore_errors=True)
            machine.sample(f"train {name} {kind}")
            out[name][f"loadavg_train_{kind}"] = os.getloadavg()[0]
            say(f"training {name} ({'cold cache' if kind == 'cold' else 'nothing changed'})")
            out[name][f"train_{kind}_s"] = train(name, configs[name], cache, folders[name])
            say(f"  {name} {kind}: {out[name][f'train_{kind}_s']:.1f} s")
    for name in fresh:
        out[name]["model_mb"] = (folders[name] / "model.tar.gz").stat().st_size / 1e6
        (folders[name] / "training.json").write_text(json.dumps({k: v for k, v in out[name].items() if k != "reused"}))
    return out


def post_json(url: str, body: Dict[str, Any], timeout: float = 30, token: str = "") -> Any:
    headers = {"Content-Type": "application/json", **({"Authorization": f"Bearer {token}"} if token else {})}
    request = urllib.request.Request(url, json.dumps(body).encode(), headers)
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read())


def first_answer(rasa_url: str, token: str, deadline_s: float = 300) -> None:
    """Wait until the REST channel gives a reply with text."""
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        try:
            if any(
                r.get("text")
                for r in post_json(
                    f"{rasa_url}/webhooks/rest/webhook", {"sender": "boot", "message": "hi"}, token=token
                )
            ):
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"{rasa_url} gave no answer within {deadline_s} s")


def heldout_phase(servers: Dict[str, Dict[str, str]]) -> Dict[str, Any]:
    """Parse every held-out message over the HTTP API (`/model/parse`) of both running servers."""
    examples = read_examples(HELDOUT)
    out: Dict[str, Any] = {}
    for name in NAMES:
        say(f"held-out NLU: {len(examples)} messages through {name}'s /model/parse")
        results = [
            {**e, **predicted(post_json(f"{servers[name]['rasa']}/model/parse", {"text": e["text"]}))} for e in examples
        ]
        out[name] = scores(results)
        plot_confusion(results, f"{name}: intents on tests/nlu/heldout.yml", RESULTS / f"confusion_heldout_{name}.png")
    return out


def loadgen(url: str, users: int, messages: int, warmup: int, tag: str, token: str = "") -> Dict[str, Any]:
    out = WORK / f"load-{tag}.json"
    command = [sys.executable, "-m", "bench.loadgen", "--url", url, "--users", str(users)]
    command += ["--messages", str(messages), "--warmup", str(warmup), "--out", str(out)]
    subprocess.run(command, cwd=ROOT, check=True, env={**os.environ, "REST_TOKEN": token})
    return json.loads(out.read_text())


def load_phase(
    urls: Dict[str, str], tokens: Dict[str, str], plan: Dict[str, int], machine: Machine
) -> Dict[str, Dict[str, Any]]:
    """Every load, split into rounds; in each round ours, the peer and the floor take turns (order rotates)."""
    raw: Dict[str, Dict[str, List[Dict[str, Any]]]] = {t: {load: [] for load in LOADS} for t in urls}
    targets = list(urls)
    for load, users in LOADS.items():
        per_round = plan[load] // plan["rounds"]
        for i in range(plan["rounds"]):
            machine.sample(f"load {load} round {i + 1}")
            order = targets[i % len(targets) :] + targets[: i % len(targets)]
            for target in order:
                say(f"load {load} round {i + 1}/{plan['rounds']}: {target}")
                warmup = plan["warmup"] if (load == "sequential" and i == 0) else 0
                tag = f"{target}-{load}-{i}"
                raw[target][load].append(loadgen(urls[target], users, per_round, warmup, tag, tokens.get(target, "")))
    return {t: {load: report.merge_runs(runs) for load, runs in loads.items()} for t, loads in raw.items()}


def tree_peak_rss_mb(pid: int) -> float:
    """Peak resident memory (VmHWM) of a process and its children, summed, in MB."""
    return tree_memory_mb(pid, "VmHWM")


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    process.wait(timeout=10)


def start_floor(stack: ExitStack) -> str:
    port = free_port()
    log = WORK / "floor.log"
    out = stack.enter_context(log.open("w"))
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.floor", "--port", str(port)], cwd=ROOT, stdout=out, stderr=out
    )
    stack.callback(stop, process)
    wait_until_up(f"http://127.0.0.1:{port}/status", process, log)
    return f"http://127.0.0.1:{port}/webhooks/rest/webhook"


def cv_phase(
    configs: Dict[str, Path], folders: Dict[str, Path], run_folds: int, retrain: bool, machine: Machine
) -> Dict[str, Any]:
    """The first `run_folds` of 5 folds for each model; a model with unchanged inputs reuses its last result."""
    out: Dict[str, Any] = {}
    for name in NAMES if run_folds else ():
        result = folders[name] / f"cv-{run_folds}-folds.json"
        reused = result.exists() and not retrain
        if reused:
            say(f"cross-validation {name}: inputs unchanged, reusing {result.relative_to(ROOT)}")
        else:
            machine.sample(f"cv {name}")
            say(f"cross-validation {name}: {run_folds} of 5 folds (training NLU per fold)")
            command = [sys.executable, "-m", "bench.cv", "--config", str(configs[name]), "--data", "data/nlu"]
            command += ["--folds", "5", "--run-folds", str(run_folds), "--label", name, "--out", str(result)]
            env = {**os.environ, "RASA_CACHE_DIRECTORY": str(WORK / f"cache-cv-{name}")}
            run_with_heartbeat(command, WORK / f"cv-{name}.log", f"cross-validation {name}", env)
        cv = json.loads(result.read_text())
        out[name] = report.cv_scores(cv["fold_results"])
        out[name].update(
            {"folds": cv["folds"], "run_folds": cv["run_folds"], "seconds": sum(cv["seconds"]), "reused": reused}
        )
        pooled = [r for fold in cv["fold_results"] for r in fold]
        plot_confusion(pooled, f"{name}: intents, {run_folds} of 5 CV folds", RESULTS / f"confusion_cv_{name}.png")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run: fewer messages, one CV fold")
    parser.add_argument("--cv-run-folds", type=int, help="how many of the 5 CV folds to run (default 1; 5 = full CV)")
    parser.add_argument(
        "--retrain",
        action="store_true",
        help="train and cross-validate both models again even when their inputs are unchanged",
    )
    parser.add_argument(
        "--cv-only", action="store_true", help="only the cross-validation, added to the existing bench/results"
    )
    parser.add_argument(
        "--load-scale", type=float, default=1.0, help="multiply the messages of every load run (0.3 on a busy machine)"
    )
    args = parser.parse_args()
    plan = dict(QUICK if args.quick else FULL)
    for load in LOADS:
        plan[load] = max(plan["rounds"], round(plan[load] * args.load_scale))
    if args.cv_run_folds is not None:
        plan["cv_run_folds"] = args.cv_run_folds
    started = time.monotonic()
    machine = Machine()
    machine.sample("start")
    WORK.mkdir(parents=True, exist_ok=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    configs = {"ours": ROOT / "config.yml", "peer": peer_config(WORK / "peer-config.yml")}
    folders = {n: TRAINED / f"{n}-{fingerprint(configs[n])}" for n in NAMES}
    if args.cv_only:
        previous = json.loads((RESULTS / "results.json").read_text())
        previous["cross_validation"] = cv_phase(configs, folders, plan["cv_run_folds"], args.retrain, machine)
        previous["cv_run"] = {"command": f"make bench BENCH_ARGS='{' '.join(sys.argv[1:])}'", **machine.describe()}
        report.write(previous, RESULTS)
        say(f"cross-validation added to {RESULTS}/results.md")
        return

    figures = training_phase(configs, folders, args.retrain, machine)
    models = {n: folders[n] / "model.tar.gz" for n in NAMES}
    with ExitStack() as stack:
        servers: Dict[str, Dict[str, str]] = {}
        for name in NAMES:  # one at a time, so start-up times do not compete
            machine.sample(f"start {name}")
            say(f"starting {name}: action server + Rasa server, until the first answer")
            workdir = WORK / f"serve-{name}-{uuid.uuid4().hex[:6]}"
            workdir.mkdir()
            launched = time.monotonic()
            servers[name] = stack.enter_context(running_assistant(workdir, models[name]))
            first_answer(servers[name]["rasa"], servers[name]["token"])
            figures[name]["startup_s"] = time.monotonic() - launched
            say(f"  {name} answered {figures[name]['startup_s']:.1f} s after launch")
        machine.sample("held-out NLU")
        understanding = heldout_phase(servers)
        machine.sample("real language")
        real = {n: real_language(servers[n]["rasa"], servers[n]["token"], n) for n in NAMES}
        urls = {n: f"{servers[n]['rasa']}/webhooks/rest/webhook" for n in NAMES}
        urls["floor"] = start_floor(stack)
        latency = load_phase(urls, {n: servers[n]["token"] for n in NAMES}, plan, machine)
        for name in NAMES:
            figures[name]["rasa_peak_rss_mb"] = tree_peak_rss_mb(int(servers[name]["rasa_pid"]))
            figures[name]["actions_peak_rss_mb"] = tree_peak_rss_mb(int(servers[name]["actions_pid"]))
    cv = cv_phase(configs, folders, plan["cv_run_folds"], args.retrain, machine)
    machine.sample("end")

    results: Dict[str, Any] = {
        "command": " ".join(["make bench", *([f"BENCH_ARGS='{' '.join(sys.argv[1:])}'"] if sys.argv[1:] else [])]),
        "fingerprints": {n: folders[n].name for n in NAMES},
        "date_utc": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime()),
        "rasa_version": RASA_VERSION,
        "machine": machine.describe(),
        "shared_machine_note": machine_note(machine.samples[0]["loadavg"][0]),
        "plan": plan,
        "peer_config": configs["peer"].read_text(),
        "figures": figures,
        "heldout": understanding,
        "real_language": real,
        "cross_validation": cv,
        "latency": latency,
        "bench_seconds": time.monotonic() - started,
    }
    report.write(results, RESULTS)
    say(f"done in {results['bench_seconds'] / 60:.1f} min: {RESULTS.relative_to(ROOT)}/results.md")


if __name__ == "__main__":
    main()
