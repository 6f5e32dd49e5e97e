"""When the tracker store fails, the turn fails loudly: a clear error to the client, an error in the log,
and no message acknowledged as stored when it was not. PostgreSQL is really stopped and restarted."""

import uuid

import pytest
import requests

from clinic_faq_dev.harness import RunningAssistant
from clinic_faq_dev.postgres import (
    postgres_stopped,
    scratch_database,
    stored_user_texts,
    tracker_store,
    wait_for_postgres,
)

pytestmark = [pytest.mark.integration, pytest.mark.services]


@pytest.fixture
def database():
    with scratch_database("clinic_fail") as name:
        yield name
        wait_for_postgres()  # before it is dropped: the test may have left PostgreSQL restarting


def test_a_turn_that_cannot_be_stored_is_never_acknowledged(tmp_path, database):
    store = tracker_store(database)
    sender = f"fail-{uuid.uuid4().hex[:8]}"
    with RunningAssistant(tmp_path, tracker_store=store) as assistant:
        assert assistant.send(sender, "what are the side effects")
        with postgres_stopped():
            during = requests.post(assistant.webhook, json={"sender": sender, "message": "tell me more"}, timeout=60)
        assert during.status_code == 503, during.text
        assert "send it again" in during.json()["error"]
        after = requests.post(assistant.webhook, json={"sender": sender, "message": "how long is a session"}, timeout=60)
        assert after.status_code == 200 and "hours" in after.json()[0]["text"]
        logs = assistant.log_text()
    assert "could NOT be" in logs
    # Everything acknowledged is stored, in order; the refused message is not.
    assert stored_user_texts(database, sender) == ["what are the side effects", "how long is a session"]
