"""The benchmark's statistics and error accounting (bench/stats.py, bench/understanding.py): fast, no servers."""

from __future__ import annotations

import pytest

from bench.stats import Outcome, merge, percentile, ratio, saturation_throughput, summarise
from bench.understanding import entity_scores, predicted, read_examples


def test_percentile_interpolates_between_ranks_like_numpy():
    values = [10.0, 20.0, 30.0, 40.0]
    assert percentile(values, 0) == 10.0
    assert percentile(values, 100) == 40.0
    assert percentile(values, 50) == pytest.approx(25.0)
    assert percentile(values, 95) == pytest.approx(38.5)
    assert percentile([7.0], 99) == 7.0
    assert percentile(list(reversed(values)), 50) == pytest.approx(25.0)


def test_percentile_refuses_no_values_and_bad_quantiles():
    with pytest.raises(ValueError):
        percentile([], 50)
    with pytest.raises(ValueError):
        percentile([1.0], 101)


def test_errors_are_counted_by_kind_and_kept_out_of_latency():
    outcomes = [Outcome(0.010), Outcome(0.030, empty=True), Outcome(5.0, "timeout"), Outcome(0.002, "http 500")]
    s = summarise(outcomes, elapsed_s=2.0)
    assert (s.requests, s.ok, s.errors) == (4, 2, 2)
    assert s.error_kinds == {"timeout": 1, "http 500": 1}
    assert s.empty_replies == 1
    assert s.latency_ms["max"] == pytest.approx(30.0)  # the 5 s timeout is not a latency
    assert s.throughput_rps == pytest.approx(1.0)  # successful messages only


def test_a_run_of_only_errors_has_no_latency_and_no_throughput():
    s = summarise([Outcome(1.0, "ClientConnectorError")], elapsed_s=1.0)
    assert s.ok == 0 and s.errors == 1 and s.latency_ms == {} and s.throughput_rps == 0


def test_merging_runs_pools_every_outcome_and_adds_the_wall_times():
    def run(latencies, errors, elapsed, empty=0):
        out = {"latencies_ms": latencies, "errors": [{"latency_ms": 1.0, "error": e} for e in errors]}
        return {**out, "summary": {"elapsed_s": elapsed, "empty_replies": empty, "throughput_rps": 0.0}}

    merged = merge([run([10.0, 20.0], [], 1.0, empty=1), run([30.0], ["timeout"], 2.0)])
    assert (merged["requests"], merged["ok"], merged["errors"]) == (4, 3, 1)
    assert merged["error_kinds"] == {"timeout": 1}
    assert merged["empty_replies"] == 1
    assert merged["latency_ms"]["p50"] == pytest.approx(20.0)
    assert merged["throughput_rps"] == pytest.approx(1.0)


def test_saturation_throughput_ignores_runs_with_errors():
    runs = {"a": {"throughput_rps": 50.0, "errors": 1, "ok": 9}, "b": {"throughput_rps": 30.0, "errors": 0, "ok": 9}}
    assert saturation_throughput(runs) == 30.0
    assert saturation_throughput({"a": runs["a"]}) is None


def test_ratio_of_missing_figures_is_none():
    assert ratio(2.0, 4.0) == 0.5
    assert ratio(None, 4.0) is None and ratio(1.0, 0.0) is None


def test_a_fallback_prediction_gives_way_to_the_best_real_intent():
    parse = {
        "intent": {"name": "nlu_fallback", "confidence": 0.4},
        "intent_ranking": [{"name": "nlu_fallback"}, {"name": "ask_causes"}, {"name": "greet"}],
        "entities": [{"start": 0, "end": 4, "entity": "body_part", "value": "calf"}],
    }
    assert predicted(parse) == {"pred_intent": "ask_causes", "pred_entities": [[0, 4, "body_part"]]}


def test_annotations_become_spans_and_entity_f1_needs_exact_spans(tmp_path):
    nlu = tmp_path / "nlu.yml"
    nlu.write_text(
        "nlu:\n- intent: ask_causes\n  examples: |\n"
        "    - why does my [calf](body_part) cramp in [pregnancy](condition)?\n"
    )
    (example,) = read_examples(nlu)
    assert example["text"] == "why does my calf cramp in pregnancy?"
    assert example["entities"] == [[12, 16, "body_part"], [26, 35, "condition"]]
    scored = entity_scores([{**example, "pred_entities": [[12, 16, "body_part"], [26, 34, "condition"]]}])
    assert (scored["precision"], scored["recall"]) == (0.5, 0.5)
    assert scored["f1"] == pytest.approx(0.5)
