"""The benchmark's report: results.json, a Markdown table with ratios and targets, latency plot."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

from bench.stats import fmt, markdown_table, mean_and_spread, merge, ratio, saturation_throughput
from bench.understanding import scores

merge_runs = merge
LOAD_LABELS = {"sequential": "sequential", "users_8": "8 users", "users_32": "32 users"}


def cv_scores(fold_results: Sequence[Sequence[Dict[str, Any]]]) -> Dict[str, Any]:
    """Pooled scores over the folds run, plus the mean and spread of the per-fold intent and entity F1."""
    pooled = scores([r for fold in fold_results for r in fold])
    per_fold = [scores(fold) for fold in fold_results]
    pooled["intent"].pop("errors")
    return {
        **pooled,
        "intent_f1_per_fold": mean_and_spread([f["intent"]["weighted_f1"] for f in per_fold]),
        "entity_f1_per_fold": mean_and_spread([f["entity"]["f1"] for f in per_fold]),
    }


def targets(r: Dict[str, Any]) -> List[Tuple[str, Optional[bool], str]]:
    """(target, met?, the figures behind it); None when a figure is missing."""
    ours_f1, peer_f1 = (r["heldout"][n]["intent"]["weighted_f1"] for n in ("ours", "peer"))
    lat = r["latency"]
    p95 = ratio(lat["ours"]["sequential"]["latency_ms"].get("p95"), lat["peer"]["sequential"]["latency_ms"].get("p95"))
    p50 = lat["ours"]["sequential"]["latency_ms"].get("p50")
    p50_ratio = ratio(p50, lat["peer"]["sequential"]["latency_ms"].get("p50"))
    tput = {n: saturation_throughput(lat[n]) for n in ("ours", "peer")}
    f = r["figures"]
    mem = ratio(*(f[n]["rasa_peak_rss_mb"] + f[n]["actions_peak_rss_mb"] for n in ("ours", "peer")))

    def check(value: Optional[float], ok: bool) -> Optional[bool]:
        return None if value is None else ok

    real = r.get("real_language") or {}
    real_rows: List[Tuple[str, Optional[bool], str]] = []
    if real:
        ours_real, peer_real = (real[n]["intent"]["weighted_f1"] for n in ("ours", "peer"))
        accuracy = real["ours"]["answers"]["accuracy"]
        stories = real["ours"]["stories"]
        real_rows = [
            ("real-language intent weighted F1 >= 0.90", ours_real >= 0.90, f"{ours_real:.3f}"),
            ("... and >= 0.15 above the peer's", ours_real - peer_real >= 0.15, f"{ours_real - peer_real:+.3f}"),
            ("real-language answer accuracy over REST >= 0.90", accuracy >= 0.90, f"{accuracy:.3f}"),
            (
                "warning-sign stories: urgent advice first in all",
                stories["urgent_first_rate"] == 1.0,
                f"{stories['urgent_first_rate']:.3f} of {stories['with_sign']}",
            ),
            (
                "false alarms on stories without a sign <= 5%",
                stories["false_alarm_rate"] <= 0.05,
                f"{stories['false_alarm_rate']:.3f} of {stories['without_sign']}",
            ),
            ("p50 sequential <= 0.8 x peer's", check(p50_ratio, (p50_ratio or 0) <= 0.8), f"{fmt(p50_ratio, 2)} x"),
            ("memory (Rasa + actions) <= 0.8 x peer's", check(mem, (mem or 0) <= 0.8), f"{fmt(mem, 2)} x"),
        ]
    return [
        ("held-out intent weighted F1 >= 0.95", ours_f1 >= 0.95, f"{ours_f1:.3f}"),
        ("... and >= 0.03 above the peer's", ours_f1 - peer_f1 >= 0.03, f"{ours_f1 - peer_f1:+.3f}"),
        ("p95 sequential <= 1.2 x peer's", check(p95, (p95 or 0) <= 1.2), f"{fmt(p95, 2)} x"),
        ("p50 sequential < 40 ms", check(p50, (p50 or 0) < 40), f"{fmt(p50)} ms"),
        (
            "throughput >= peer's (zero errors)",
            check(ratio(tput["ours"], tput["peer"]), (tput["ours"] or 0) >= (tput["peer"] or 0)),
            f"{fmt(ratio(tput['ours'], tput['peer']), 2)} x",
        ),
        ("memory (Rasa + actions) <= 1.1 x peer's", check(mem, (mem or 0) <= 1.1), f"{fmt(mem, 2)} x"),
        ("full training < 3 min", f["ours"]["train_cold_s"] < 180, f"{f['ours']['train_cold_s']:.0f} s"),
        ("unchanged retrain < 20 s", f["ours"]["train_unchanged_s"] < 20, f"{f['ours']['train_unchanged_s']:.1f} s"),
        *real_rows,
    ]


def markdown(r: Dict[str, Any]) -> str:
    rows: List[List[str]] = []

    def row(what: str, ours: Optional[float], peer: Optional[float], digits: int = 1, floor: Optional[float] = None):
        cells = [what, fmt(ours, digits), fmt(peer, digits), fmt(ratio(ours, peer), 2)]
        cells.append(f"{fmt(ratio(ours, floor), 1)} / {fmt(ratio(peer, floor), 1)}" if floor else "")
        rows.append(cells)

    h, cv, f, lat = r["heldout"], r["cross_validation"], r["figures"], r["latency"]
    row("held-out intent weighted F1", h["ours"]["intent"]["weighted_f1"], h["peer"]["intent"]["weighted_f1"], 3)
    row("held-out entity F1 (exact spans)", h["ours"]["entity"]["f1"], h["peer"]["entity"]["f1"], 3)
    real = r.get("real_language")
    if real:
        n = real["ours"]["intent"]["messages"]
        ours, peer = real["ours"], real["peer"]
        row(
            f"real-language intent weighted F1 ({n} messages)",
            ours["intent"]["weighted_f1"],
            peer["intent"]["weighted_f1"],
            3,
        )
        row("real-language answer accuracy over REST", ours["answers"]["accuracy"], peer["answers"]["accuracy"], 3)
        stories = real["ours"]["stories"]
        row(
            f"warning-sign stories with urgent advice first ({stories['with_sign']}, {stories['real_with_sign']} real)",
            ours["stories"]["urgent_first_rate"],
            peer["stories"]["urgent_first_rate"],
            3,
        )
        row(
            f"false alarms on stories without a sign ({stories['without_sign']})",
            ours["stories"]["false_alarm_rate"],
            peer["stories"]["false_alarm_rate"],
            3,
        )
    if cv:
        folds = f"{cv['ours']['run_folds']} of {cv['ours']['folds']} folds"
        row(
            f"CV intent weighted F1 ({folds})",
            cv["ours"]["intent"]["weighted_f1"],
            cv["peer"]["intent"]["weighted_f1"],
            3,
        )
        row(f"CV entity F1 ({folds})", cv["ours"]["entity"]["f1"], cv["peer"]["entity"]["f1"], 3)
    for load, label in LOAD_LABELS.items():
        for q in ("p50", "p95", "p99"):
            ours, peer, floor = (lat[t][load]["latency_ms"].get(q) for t in ("ours", "peer", "floor"))
            row(f"latency {label} {q} (ms)", ours, peer, 1, floor)
    for load, label in LOAD_LABELS.items():
        ours, peer, floor = (lat[t][load]["throughput_rps"] for t in ("ours", "peer", "floor"))
        row(f"throughput {label} (msg/s; floor {floor:.0f})", ours, peer, 1)
    row(
        "throughput at saturation, zero errors (msg/s)",
        saturation_throughput(lat["ours"]),
        saturation_throughput(lat["peer"]),
    )
    for load, label in LOAD_LABELS.items():
        ours, peer = (lat[t][load]["errors"] for t in ("ours", "peer"))
        rows.append([f"errors {label} (of {lat['ours'][load]['requests']} messages)", str(ours), str(peer), "", ""])
    row("peak RSS Rasa server (MB)", f["ours"]["rasa_peak_rss_mb"], f["peer"]["rasa_peak_rss_mb"], 0)
    row("peak RSS action server (MB)", f["ours"]["actions_peak_rss_mb"], f["peer"]["actions_peak_rss_mb"], 0)
    row("training, cold cache (s)", f["ours"]["train_cold_s"], f["peer"]["train_cold_s"], 0)
    row("training, nothing changed (s)", f["ours"]["train_unchanged_s"], f["peer"]["train_unchanged_s"], 1)
    row("model size (MB)", f["ours"]["model_mb"], f["peer"]["model_mb"], 1)
    row("start-up, launch to first answer (s)", f["ours"]["startup_s"], f["peer"]["startup_s"], 1)
    table = markdown_table(rows, ["figure", "ours", "peer", "ours/peer", "x floor (ours / peer)"])
    goal_rows = [[t, {True: "met", False: "**missed**", None: "n/a"}[ok], v] for t, ok, v in targets(r)]
    m = r["machine"]
    reused = [
        f"{n}'s model, training figures and cross-validation were measured on {f[n]['trained_utc']} UTC "
        f"(cold training at load {f[n].get('loadavg_train_cold', float('nan')):.1f}); its inputs are unchanged since"
        for n in ("ours", "peer")
        if f[n].get("reused")
    ]
    loads = ", ".join(f"{s['phase']}: {s['loadavg'][0]:.1f}" for s in m["loadavg_samples"])
    return "\n\n".join(
        [
            f"# Benchmark: ours vs stock Rasa {r['rasa_version']} on the same data",
            f"`{r['command']}` on {r['date_utc']} UTC, {r['bench_seconds'] / 60:.1f} min. Machine: {m['cpu']}, "
            f"{m['cores']} cores, {m['memory_gb']} GB, {m['os']}. **{r['shared_machine_note']}.**",
            table,
            *([". ".join(reused) + " (`--retrain` measures them again)."] if reused else []),
            *(
                [f"The cross-validation rows come from a later `{r['cv_run']['command']}` on the same machine."]
                if "cv_run" in r
                else []
            ),
            "## Targets (ours)",
            markdown_table(goal_rows, ["target", "result", "figure"]),
            f"Load average (1 min) at each phase: {loads}.",
            "Floor = the same load against a bare aiohttp endpoint (bench/floor.py); `x floor` is each latency "
            "divided by the floor's at the same load. Latencies exclude errors, which are counted in their own rows.",
        ]
    )


def plot_latency(r: Dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(13, 4))
    colors = {"ours": "tab:blue", "peer": "tab:orange", "floor": "tab:gray"}
    for ax, (load, label) in zip(axes, LOAD_LABELS.items(), strict=True):
        for i, target in enumerate(("ours", "peer", "floor")):
            values = [r["latency"][target][load]["latency_ms"].get(q, 0) for q in ("p50", "p95", "p99")]
            ax.bar([x + i * 0.27 for x in range(3)], values, 0.27, label=target, color=colors[target])
        ax.set_xticks([x + 0.27 for x in range(3)], ["p50", "p95", "p99"])
        ax.set_yscale("log")
        ax.set_title(label)
        ax.set_ylabel("ms (log)")
    axes[0].legend()
    fig.suptitle("REST latency with custom actions: ours, stock Rasa peer, bare-HTTP floor")
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    plt.close(fig)


def write(r: Dict[str, Any], out: Path) -> None:
    (out / "results.json").write_text(json.dumps(r, indent=1))
    (out / "results.md").write_text(markdown(r) + "\n")
    plot_latency(r, out / "latency.png")
