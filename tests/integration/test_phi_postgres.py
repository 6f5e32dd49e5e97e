"""PHI is not stored in a PostgreSQL tracker store either: real server, real PostgreSQL (127.0.0.1:5432)."""

import uuid

import pytest

from clinic_faq_dev.harness import RunningAssistant, contains_phi
from clinic_faq_dev.postgres import connect, scratch_database, tracker_store

pytestmark = [pytest.mark.integration, pytest.mark.services]

MESSAGES = {
    "call me at (555) 201-8841 about booking": "(555) 201-8841",
    "Dana Whitfield, DOB 03/14/1962, what are the side effects": "Dana Whitfield",
    "my mrn is 00482913 and my email is dana.w@example.com": "dana.w@example.com",
    "ssn 123-45-6789, does insurance cover it": "123-45-6789",
}


@pytest.fixture(scope="module")
def database():
    with scratch_database("clinic_phi") as name:
        yield name


def test_no_phi_reaches_postgresql(tmp_path, database):
    with RunningAssistant(tmp_path, tracker_store=tracker_store(database), debug_logs=True) as assistant:
        sender = f"pg-{uuid.uuid4().hex[:8]}"
        for text in MESSAGES:
            assert assistant.send(sender, text)
        logs = assistant.log_text()
    with connect(database) as db:
        rows = db.cursor()
        rows.execute("SELECT sender_id, type_name, intent_name, action_name, data FROM events")
        stored = "\x00".join(str(value) for row in rows.fetchall() for value in row)
    assert "[PHONE]" in stored and "[NAME]" in stored  # the conversation really is in PostgreSQL
    for secret in MESSAGES.values():
        assert not contains_phi(stored, secret), secret
        assert not contains_phi(logs, secret), secret
