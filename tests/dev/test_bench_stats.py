"""The benchmark's arithmetic and report (no timing here: speed goals live in `make bench`; its load plan is
tested with the load generator, tests/dev/test_load.py)."""

import argparse

import pytest
import yaml

from clinic_faq_dev.bench import compare
from clinic_faq_dev.bench.stats import flatten, latency_summary, meets, percentile, rate, ratio
from clinic_faq_dev.bench.stock import PROJECT, intent_responses, stock_domain


def test_percentile_interpolates_between_ranks_like_numpy():
    values = [10, 1, 4, 3, 2, 9, 8, 7, 6, 5]  # 1..10, unordered
    assert percentile(values, 0.0) == 1
    assert percentile(values, 1.0) == 10
    assert percentile(values, 0.5) == pytest.approx(5.5)
    assert percentile(values, 0.95) == pytest.approx(9.55)
    assert percentile(values, 0.99) == pytest.approx(9.91)
    assert percentile([42.0], 0.99) == 42.0
    with pytest.raises(ValueError):
        percentile([], 0.5)
    with pytest.raises(ValueError):
        percentile([1, 2], 1.5)


def test_latency_summary_and_rate():
    summary = latency_summary(list(range(1, 101)))
    assert summary == {"p50": 50.5, "p95": 95.05, "p99": 99.01, "mean": 50.5, "n": 100}
    assert rate(500, 10.0) == 50.0
    assert rate(5, 0) == 0.0


def test_ratio_and_targets():
    assert ratio(55.0, 50.0) == 1.1
    assert ratio(1.0, 3.0) == 0.33
    assert ratio(None, 3.0) is None and ratio(3.0, 0) is None
    assert meets(1.1, "<=", 1.1) and not meets(1.11, "<=", 1.1)
    assert meets(50.0, ">=", 50.0) and not meets(49.9, ">=", 50.0)
    assert meets(None, "<=", 1.0) is None
    assert flatten({"turn": {"c10": {"p95": 3}}, "x": True, "name": "a"}) == {"turn.c10.p95": 3}


def fake_results(ours_c10_p95, ours_c50_rate, ours_growth=1.1):
    def side(p95, throughput, startup, rss, training, growth):
        return {
            "nlu_ms": {"p50": 5.0, "p95": 8.0, "p99": 9.0},
            "turn": {f"c{c}": {"p50": 10.0 * c, "p95": p95 if c == 10 else 20.0 * c, "p99": 30.0 * c}
                     for c in (1, 10, 50)},
            "throughput": {"c1": 30.0, "c10": 40.0, "c50": throughput},
            "training_s": training, "model_mb": 20.0, "startup_s": startup,
            "rss_mb": {"rasa": rss, "actions": 100.0},
            "training_measured": "2026-01-01 00:00 UTC",
            "growth": {"long_last_p50_ms": 20.0 * growth, "fresh_p50_ms": 20.0, "ratio": growth},
        }

    return {"ours": side(ours_c10_p95, ours_c50_rate, 10.0, 880.0, 100.0, ours_growth),
            "stock": side(200.0, 34.0, 20.0, 900.0, 500.0, 3.0)}


def test_ratio_table_and_targets_from_results():
    report = compare.build_report(fake_results(210.0, 52.0), [1, 10, 50], [0.1, 0.2, 0.3], compare.machine())
    rows = {row["path"]: row for row in report["figures"]}
    assert rows["turn.c10.p95"]["ours"] == 210.0 and rows["turn.c10.p95"]["ratio"] == 1.05
    assert rows["throughput.c50"]["ratio"] == 1.53
    assert rows["growth.ratio"]["ours"] == 1.1 and rows["growth.ratio"]["stock"] == 3.0
    assert rows["rss_mb.rasa"]["ratio"] == 0.98
    targets = {row["target"]: row for row in report["targets"]}
    assert all(row["met"] for row in report["targets"]), targets
    assert targets["throughput at 50 conversations (msg/s)"]["value"] == 52.0
    missed = compare.build_report(fake_results(230.0, 45.0, 1.4), [1, 10, 50], None, compare.machine())
    assert {row["target"] for row in missed["targets"] if not row["met"]} == {
        "turn p95 at 10 conversations", "throughput at 50 conversations", "throughput at 50 conversations (msg/s)",
        "turns 141-150 against a fresh conversation's first turn"}
    text = compare.markdown(report)
    assert "| turn p95, 10 conversations (ms) | 210 | 200 | 1.05 |" in text


def test_main_writes_the_json_markdown_and_plot(tmp_path):
    code = compare.main(["--out", str(tmp_path)], measure_fn=lambda args, work: fake_results(210.0, 52.0))
    assert code == 0
    assert (tmp_path / "latency.png").stat().st_size > 1000
    assert "targets" in (tmp_path / "comparison.json").read_text()
    assert (tmp_path / "comparison.md").read_text().startswith("# Ours vs stock Rasa")
    assert compare.main(["--out", str(tmp_path)], measure_fn=lambda a, w: fake_results(230.0, 52.0)) == 1


def test_the_stock_assistant_answers_every_intent_of_ours_with_a_response_of_ours():
    domain = yaml.safe_load((PROJECT / "domain.yml").read_text())
    mapping = intent_responses()
    assert set(mapping) == set(domain["intents"]) | {"nlu_fallback"}
    assert all(response in domain["responses"] for response in mapping.values())
    assert mapping["more_info"] == "utter_ask_which_topic"
    stock = stock_domain()
    assert "slots" not in stock and "actions" not in stock
    assert not any("{clinic_phone}" in v["text"] for variations in stock["responses"].values() for v in variations)


def test_compare_parses_levels():
    args = argparse.Namespace(levels=[1, 10, 50])
    assert [label for label, _, _ in compare.rows({}, args.levels)][3] == "turn p50, 1 conversation"
