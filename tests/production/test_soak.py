"""A short soak of three replicas behind nginx on PostgreSQL and Redis (`make soak` runs it for half an
hour): REST, website and SMS conversations with bad input among them, sampled every 7.5 seconds."""

import pytest

from clinic_faq_dev.soak import replicas_setup, soak, soak_messages
from tests.soak_checks import check_short_soak

pytestmark = pytest.mark.integration


def test_a_short_soak_of_three_replicas_has_no_error_and_is_sampled(cluster):
    run = soak(replicas_setup(cluster), minutes=0.5, interval=7.5, warmup_minutes=0.125,
               people={"rest": 3, "website": 2, "sms": 2}, think=2.0, bad_share=0.2, messages=soak_messages())
    check_short_soak(run, roles={"rasa", "actions", "nginx"})
    assert all(s["redis_bytes"] > 0 for s in run["samples"])
