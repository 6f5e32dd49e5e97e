"""The benchmark's mixed-length load plan (clinic_faq_dev.load.bench_plan, used by bench/mixed.py)."""

from collections import Counter

import pytest

from clinic_faq_dev.bench.mixed import parse_lengths
from clinic_faq_dev.load import bench_plan

MESSAGES = [f"question {i}" for i in range(40)]


def test_each_person_holds_conversations_of_each_length():
    plan = bench_plan(MESSAGES, concurrency=50, total=50 * 56, lengths=[1, 5, 50], tag="t")
    assert sum(len(c.texts) for c in plan) == 50 * 56
    assert Counter(len(c.texts) for c in plan) == {1: 50, 5: 50, 50: 50}
    first_round = plan[:50]
    assert len({c.sender.split("-")[1] for c in first_round}) == 50  # one conversation per person
    assert Counter(len(c.texts) for c in first_round) == {1: 17, 5: 17, 50: 16}  # started at different points
    assert len({c.sender for c in plan}) == len(plan)


def test_the_plan_is_the_same_every_time_and_cut_at_the_total():
    a = bench_plan(MESSAGES, concurrency=3, total=20, lengths=[1, 5, 50], tag="t")
    assert a == bench_plan(MESSAGES, concurrency=3, total=20, lengths=[1, 5, 50], tag="t")
    assert sum(len(c.texts) for c in a) == 20
    assert [len(c.texts) for c in a if c.sender.startswith("t-p0-")] == [1, 5, 1]


@pytest.mark.parametrize("value", ["", "0,5", "a"])
def test_lengths_must_be_positive_numbers(value):
    with pytest.raises(ValueError):
        parse_lengths(value)
