"""A callback request over three replicas behind nginx: the conversation's messages go to different replicas,
the replica that took the phone number is killed mid-form, and the request still reaches the clinic's store
(PostgreSQL, shared by the replicas and the action server), with the number kept out of the conversation."""

import re
import uuid

import pytest
import requests

from clinic_faq.stores.callbacks import CallbackStore
from clinic_faq_dev.harness import contains_phi
from clinic_faq_dev.postgres import PG

pytestmark = pytest.mark.integration


def test_a_callback_request_survives_the_replica_that_took_the_number_being_killed(cluster):
    sender = f"cb-replicas-{uuid.uuid4().hex[:8]}"

    def say(text):
        return " ".join(m.get("text", "") for m in cluster.send(sender, text))

    def say_after_the_kill(text):
        # nginx may still hold a kept-alive connection to the killed replica; a message sent over it is never
        # sent again elsewhere (a POST may have run), so the client gets nginx's clear JSON 503 and resends,
        # as the error tells it to. The resent message must carry the form on.
        try:
            return say(text)
        except requests.HTTPError as error:
            assert error.response.status_code == 503, error
            assert "send your message again" in error.response.json()["error"]
            return say(text)

    answered = len(cluster.upstreams())
    assert "Is that okay?" in say("can someone from the clinic call me back?")
    assert "What number" in say("yes")
    assert "good time" in say("it's (555) 010-0177")
    took_number = cluster.upstreams(at_least=answered + 3)[-1].split(", ")[-1]
    index = [f"127.0.0.1:{port}" for port in cluster.replica_ports].index(took_number)
    cluster.kill_replica(index)
    try:
        assert "first name" in say_after_the_kill("morning")
        assert "What is the call about?" in say("Imogen")
        done = say("an appointment")
        found = re.search(r"number (\d+)", done)
        assert found, done
        assert took_number not in cluster.upstreams(at_least=answered + 6)[-3:]  # the living replicas finished the form
        # A store opened anew (as after a restart) has the request, with the number given mid-form.
        store = CallbackStore(f"postgresql://{PG['user']}@{PG['host']}:{PG['port']}/{cluster.database}")
        [request] = [r for r in store.requests() if r.id == int(found.group(1))]
        assert (request.phone, request.name, request.best_time, request.channel) == ("+15550100177", "Imogen", "morning", "rest")
        stored = " ".join(str(e.get("text", "")) + str(e.get("value", "")) for e in cluster.events(sender))
        for secret in ("010-0177", "5550100177", "Imogen"):
            assert not contains_phi(stored, secret) and not contains_phi(cluster.log_text(), secret), secret
    finally:
        cluster.start_replica(index)
        cluster.wait_ready(timeout=300)
