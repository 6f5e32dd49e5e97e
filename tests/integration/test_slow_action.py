"""A slow action server cannot hold a conversation past its lock: the call times out well before."""

import http.server
import threading
import time
import uuid

import pytest
import requests

from clinic_faq_dev.harness import RunningAssistant

pytestmark = pytest.mark.integration


class SlowActions(http.server.BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 (http.server's naming)
        time.sleep(8)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b'{"events": [], "responses": []}')

    def log_message(self, *args):
        pass


def test_a_slow_action_times_out_and_the_server_keeps_serving(tmp_path):
    assistant = RunningAssistant(tmp_path, extra_env={"ACTION_TIMEOUT_SECONDS": "2"})
    slow = http.server.ThreadingHTTPServer(("127.0.0.1", assistant.action_port), SlowActions)
    threading.Thread(target=slow.serve_forever, daemon=True).start()
    try:
        assistant.workdir.mkdir(parents=True, exist_ok=True)
        assistant.start_rasa()
        assistant.wait_ready()
        sender = f"slow-{uuid.uuid4().hex[:8]}"
        start = time.monotonic()
        reply = requests.post(assistant.webhook, json={"sender": sender, "message": "what are the side effects"},
                              timeout=60)
        elapsed = time.monotonic() - start
        # The answer (uttered by a rule) is kept; the action's part is lost and said so once, no more.
        texts = [m["text"] for m in reply.json()]
        assert reply.status_code == 200 and "dizz" in texts[0]
        assert sum("something went wrong" in t for t in texts) == 1, texts
        assert 2 <= elapsed < 6, f"the action call was not cut off at its timeout ({elapsed:.1f} s)"
        assert "action_safety_notes" in assistant.log_text()
        # The conversation is not left locked: the next message is served at once.
        start = time.monotonic()
        again = requests.post(assistant.webhook, json={"sender": sender, "message": "hi"}, timeout=60)
        assert again.status_code == 200 and time.monotonic() - start < 5
        assert [m["text"] for m in again.json()][0].startswith("Hello")
    finally:
        assistant.stop()
        slow.shutdown()
