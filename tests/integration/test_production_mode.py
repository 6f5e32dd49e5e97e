"""Production mode as configured in endpoints.production.yml, against the real PostgreSQL and Redis."""

import json
import uuid

import pytest
import redis
import requests

from clinic_faq_dev.harness import RunningAssistant
from clinic_faq_dev.postgres import PG, connect, scratch_database

pytestmark = [pytest.mark.integration, pytest.mark.services]


@pytest.fixture
def database():
    with scratch_database("clinic_prod", create=False) as name:  # the server creates it (login_db)
        yield name


def test_a_conversation_in_production_mode(tmp_path, database):
    env = {"DB_HOST": PG["host"], "DB_PORT": str(PG["port"]), "DB_NAME": database, "DB_USER": PG["user"],
           "DB_PASSWORD": "", "REDIS_HOST": "127.0.0.1", "REDIS_PORT": "6379",
           "ACTION_SERVER_TOKEN": uuid.uuid4().hex, "RASA_API_TOKEN": "api-secret"}
    sender = f"prod-{uuid.uuid4().hex[:8]}"
    with RunningAssistant(tmp_path, endpoints_file="endpoints.production.yml", extra_env=env) as assistant:
        env["ACTION_SERVER_URL"] = "unused: RunningAssistant points the server at its own action server"
        first = assistant.send(sender, "what are the side effects")
        more = assistant.send(sender, "tell me more")
        last = assistant.send(sender, "how long is a session")
        # RASA_API_TOKEN is set, so Rasa's HTTP API is on, and only with the token.
        tracker = f"{assistant.url}/conversations/{sender}/tracker"
        assert requests.get(tracker, timeout=10).status_code == 401
        assert requests.get(tracker, params={"token": "wrong"}, timeout=10).status_code == 401
        assert requests.get(tracker, params={"token": "api-secret"}, timeout=10).json()["sender_id"] == sender
    assert "dizz" in first[0]["text"] and more and "hours" in last[0]["text"]
    with connect(database) as db:
        cursor = db.cursor()
        cursor.execute("SELECT data FROM events WHERE sender_id = %s AND type_name = 'user' ORDER BY id", (sender,))
        texts = [json.loads(row[0])["text"] for row in cursor.fetchall()]
    assert texts == ["what are the side effects", "tell me more", "how long is a session"]
    # Tickets for this conversation were issued by the atomic lock store in Redis.
    assert int(redis.Redis(host="127.0.0.1", port=6379, db=1).get(f"clinic:lock:{sender}:next")) == 3
