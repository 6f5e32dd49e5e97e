"""What a short soak run (clinic_faq_dev.soak) must show, on any setup."""

from typing import Any, Dict, Set


def check_short_soak(run: Dict[str, Any], roles: Set[str]) -> None:
    summary, samples = run["summary"], run["samples"]
    assert summary["errors"] == 0, summary["error_examples"]
    # Every channel answered normal messages, and bad input reached each of them.
    for channel in ("rest", "website", "sms"):
        assert summary["outcomes"].get(f"{channel} normal", {}).get("answer", 0) >= 3, summary["outcomes"]
        assert any(k.startswith(f"{channel} bad:") for k in summary["outcomes"]), summary["outcomes"]
    assert any("refused" in outcome for outcome in summary["outcomes"].values())
    # Four samples (one every quarter of the run), each with the servers' memory and open files, the stores' size and the latency.
    assert len(samples) == 4
    for sample in samples:
        assert set(sample["processes"]) == roles
        assert sample["processes"]["rasa"]["rss_mb"] > 100 and sample["processes"]["rasa"]["open_files"] > 0
        assert sample["load"]["messages"] > 0 and sample["load"]["p95_ms"] > 0
    assert samples[-1]["store_bytes"] > samples[0]["store_bytes"] > 0
    assert summary["memory_growth_pct"] is not None and summary["p95_drift"] is not None
