"""The load generator (dev/clinic_faq_dev/load.py) against a small fake REST server on loopback: the plans,
the classification of responses, resends with the same message_id, the closed loop's concurrency, both
modes' outputs and the check of what was stored."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections import Counter

import pytest
from aiohttp import web

from clinic_faq_dev import load
from clinic_faq_dev.load import Conversation


class FakeAssistant:
    """Answers by the message's text: "fail once" gets a JSON 503 on its first attempt, "empty"
    an empty list, "html" a 502 page, "slow" nothing before the client's timeout; anything else a reply."""

    def __init__(self) -> None:
        self.requests: list = []
        self.in_flight = 0
        self.most_in_flight = 0
        self.loop = asyncio.new_event_loop()
        self.runner = None
        self.port = 0

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.requests.append(body)
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            await asyncio.sleep(0.01)
            text = body["message"]
            key = (body["sender"], body.get("message_id"), text)
            if text == "fail once" and [(r["sender"], r.get("message_id"), r["message"])
                                        for r in self.requests].count(key) == 1:
                return web.json_response({"error": "busy"}, status=503)
            if text == "empty":
                return web.json_response([])
            if text == "html":
                return web.Response(text="<html>bad gateway</html>", status=502)
            if text == "slow":
                await asyncio.sleep(1)
            return web.json_response([{"recipient_id": body["sender"], "text": f"re: {text}"}])
        finally:
            self.in_flight -= 1

    def __enter__(self) -> FakeAssistant:
        started = threading.Event()

        async def start() -> None:
            app = web.Application()
            app.router.add_post(load.WEBHOOK_PATH, self.handle)
            self.runner = web.AppRunner(app)
            await self.runner.setup()
            site = web.TCPSite(self.runner, "127.0.0.1", 0)
            await site.start()
            self.port = site._server.sockets[0].getsockname()[1]
            started.set()

        self.thread = threading.Thread(target=lambda: (self.loop.run_until_complete(start()),
                                                       self.loop.run_forever()), daemon=True)
        self.thread.start()
        assert started.wait(10)
        return self

    def __exit__(self, *exc) -> None:
        asyncio.run_coroutine_threadsafe(self.runner.cleanup(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@pytest.fixture
def fake():
    with FakeAssistant() as server:
        yield server


def test_the_webhook_is_the_url_given_or_the_rest_path_on_a_base_url():
    assert load.webhook_url("http://127.0.0.1:8000") == "http://127.0.0.1:8000/webhooks/rest/webhook"
    assert load.webhook_url("http://127.0.0.1:8000/") == "http://127.0.0.1:8000/webhooks/rest/webhook"
    webhook = "http://127.0.0.1:5005/webhooks/rest/webhook"
    assert load.webhook_url(webhook) == webhook


@pytest.mark.parametrize("status, raw, outcome, kind", [
    (200, b'[{"text": "hi"}]', "reply", ""),
    (503, b'{"error": "busy"}', "error", "http 503"),
    (200, b"[]", "unclear: 200 []", "empty reply"),
    (502, b"<html>", "unclear: 502 b'<html>'", "http 502"),
    (500, b'{"detail": "x"}', "unclear: 500 {'detail': 'x'}", "http 500"),
])
def test_every_response_is_a_reply_a_clear_error_or_unclear(status, raw, outcome, kind):
    assert load.classify(status, raw) == (outcome, kind)


def test_the_bench_plan_is_fixed_even_and_starts_one_conversation_per_person():
    messages = [f"m{i}" for i in range(7)]
    plan = load.bench_plan(messages, 3, 23, lengths=[5], tag="t")
    assert plan == load.bench_plan(messages, 3, 23, lengths=[5], tag="t")
    shares = load.split_evenly(messages, 3, 23)
    assert [len(s) for s in shares] == [8, 8, 7]
    assert [m for s in shares for m in s] == [messages[i % 7] for i in range(23)]
    assert sum(len(c.texts) for c in plan) == 23 and all(len(c.texts) <= 5 for c in plan)
    assert [c.sender for c in plan[:3]] == ["t-p0-0", "t-p1-0", "t-p2-0"]
    assert [c.sender for c in plan] == ["t-p0-0", "t-p1-0", "t-p2-0", "t-p0-1", "t-p1-1", "t-p2-1"]
    assert plan[3].texts == tuple(shares[0][5:])


def test_the_production_plan_asks_distinct_questions_in_a_fixed_order():
    plan = load.production_plan(4, 3, prefix="x")
    assert [c.sender for c in plan] == ["x-00000", "x-00001", "x-00002", "x-00003"]
    assert all(len(set(c.texts)) == 3 and set(c.texts) <= set(load.QUESTIONS) for c in plan)
    assert load.production_plan(4, 3, prefix="x") == plan


def test_a_message_without_a_reply_is_sent_again_with_the_same_message_id(fake):
    conversations = [Conversation("a", ("hello", "fail once", "bye")), Conversation("b", ("empty",))]
    result = asyncio.run(load.drive(fake.url, conversations, 2, retries=2, message_ids=True, retry_pause=0.01))
    records = {(r["sender"], r["position"]): r for r in result["records"]}
    resent = records[("a", 1)]
    assert [a["outcome"] for a in resent["attempts"]] == ["error", "reply"] and resent["answered"]
    assert [a["error"] for a in resent["attempts"]] == ["busy", ""]
    assert [r["message_id"] for r in fake.requests if r["message"] == "fail once"] == ["a-1", "a-1"]
    assert len(records[("b", 0)]["attempts"]) == 3 and not records[("b", 0)]["answered"]  # 1 + 2 retries
    summary = load.summary(result)
    assert summary["messages"] == 4 and summary["answered"] == 3
    assert summary["requests"] == 7 and summary["replies"] == 3
    assert summary["clear_errors"] == 1 and summary["unclear"] == 3
    assert summary["errors"] == {"503 busy": 1} and summary["error_statuses"] == [200, 503]
    assert 0 < summary["reply_p50_ms"] <= summary["reply_p95_ms"]


def test_the_loop_is_closed_at_the_concurrency_asked_for(fake):
    conversations = load.bench_plan(["q"], 3, 30, lengths=[2], tag="c")
    result = asyncio.run(load.drive(fake.url, conversations, 3))
    assert fake.most_in_flight == 3
    assert len(result["records"]) == 30 and all(r["answered"] for r in result["records"])
    assert not any("message_id" in r for r in fake.requests)  # only resends need one
    # the messages of one conversation go one after another, in order
    for sender, count in Counter(r["sender"] for r in fake.requests).items():
        assert [r["position"] for r in result["records"] if r["sender"] == sender] == list(range(count))


def test_bench_counts_failures_by_kind_and_times_replies_only(fake):
    conversations = [Conversation("x", ("hello", "empty", "html", "slow", "fail once"))]
    result = asyncio.run(load.drive(fake.url, conversations, 1, request_timeout=0.5))
    out = load.bench_result(result, 1, 5)
    assert out["answered"] == 1 and len(out["latencies_ms"]) == 1
    assert out["errors"] == {"empty reply": 1, "http 502": 1, "timeout": 1, "http 503": 1}
    assert out["latency_ms"]["n"] == 1 and out["messages_per_s"] > 0
    assert set(out) == {"concurrency", "messages", "answered", "errors", "seconds", "messages_per_s", "latency_ms",
                        "latencies_ms"}


def test_bench_mode_from_the_command_line(fake, tmp_path, capsys):
    cases = tmp_path / "cases.yml"
    cases.write_text(json.dumps({"cases": [{"text": f"question {i}"} for i in range(5)]}))
    out = tmp_path / "bench.json"
    code = load.main(["bench", "--url", f"{fake.url}/webhooks/rest/webhook", "--concurrency", "2", "--messages", "9",
                      "--warmup", "4", "--turns", "3", "--cases", str(cases), "--tag", "cli", "--out", str(out)])
    assert code == 0
    printed = json.loads(capsys.readouterr().out)
    written = json.loads(out.read_text())
    assert printed == {k: v for k, v in written.items() if k != "latencies_ms"}
    assert written["answered"] == 9 and written["errors"] == {} and len(written["latencies_ms"]) == 9
    senders = Counter(r["sender"] for r in fake.requests)
    assert sum(n for s, n in senders.items() if s.startswith("cli-warm-")) == 4
    assert sum(n for s, n in senders.items() if not s.startswith("cli-warm-")) == 9


def test_production_mode_from_the_command_line(fake, tmp_path, capsys):
    out = tmp_path / "load.json"
    code = load.main(["production", "--url", fake.url, "--conversations", "6", "--messages", "3", "--concurrency",
                      "2", "--prefix", "prod", "--out", str(out)])
    assert code == 0
    written = json.loads(out.read_text())
    assert json.loads(capsys.readouterr().out) == written["summary"]
    assert written["summary"]["answered"] == 18 and written["summary"]["unclear"] == 0
    assert {r["message_id"] for r in fake.requests} == {f"prod-{n:05d}-{p}" for n in range(6) for p in range(3)}


def test_the_benchmark_loads_only_loopback_servers():
    with pytest.raises(SystemExit):
        load.parse_args(["bench", "--url", "http://example.org/webhooks/rest/webhook"])
    with pytest.raises(SystemExit):
        load.parse_args(["production", "--url", "http://127.0.0.1:8000", "--messages", "10", "--out", "x"])


def test_the_hard_time_limit_stops_the_run(fake, tmp_path):
    cases = tmp_path / "cases.yml"
    cases.write_text(json.dumps({"cases": [{"text": "slow"}]}))
    code = load.main(["bench", "--url", fake.url, "--messages", "3", "--warmup", "0", "--cases", str(cases),
                      "--timeout", "0.3"])
    assert code == 2


def stored_turn(text, at):
    return [{"event": "user", "text": text, "timestamp": at},
            {"event": "action", "name": "utter_answer", "timestamp": at + 0.1},
            {"event": "action", "name": "action_listen", "timestamp": at + 0.2}]


def test_the_stored_check_finds_lost_duplicated_reordered_and_broken():
    def record(sender, position, text, answered=True):
        return {"sender": sender, "position": position, "text": text, "answered": answered, "attempts": []}

    records = [record("ok", 0, "a"), record("ok", 1, "b"),
               record("lost", 0, "a"), record("lost", 1, "b"),
               record("twice", 0, "a"),
               record("swapped", 0, "a"), record("swapped", 1, "b"),
               record("broken", 0, "a"),
               record("unanswered", 0, "a", answered=False)]
    stored = {
        "ok": stored_turn("a", 1) + stored_turn("b", 2),
        "lost": stored_turn("a", 1),
        "twice": stored_turn("a", 1) + stored_turn("a", 2),
        "swapped": stored_turn("b", 1) + stored_turn("a", 2),
        "broken": stored_turn("a", 1)[:2],
    }
    check = load.check_stored(records, stored)
    assert check["conversations"] == 6
    assert check["lost"] == ["lost: 'b'"]
    assert check["duplicated"] == ["twice: 'a' x2"]
    assert [r.split(":")[0] for r in check["reordered"]] == ["swapped"]
    assert [b.split(":")[0] for b in check["broken_turns"]] == ["broken"]


def test_flood_mode_sends_at_a_fixed_rate_open_loop_from_a_chosen_address(fake):
    result = asyncio.run(load.flood(fake.url, rate=100, seconds=1.0, source="127.0.0.2", senders=3))
    assert 95 <= result["sent"] <= 101 and result["not_sent"] == 0
    assert result["statuses"] == {"200": result["sent"]}
    assert {r["sender"] for r in fake.requests} == {"flood-0", "flood-1", "flood-2"}
    assert len(fake.requests) == result["sent"]


def test_people_think_between_messages_and_start_staggered(fake):
    plan = [Conversation(f"p{n}", ("a", "b"), address=f"203.0.113.{n}") for n in range(3)]
    started = time.perf_counter()
    result = asyncio.run(load.drive(fake.url, plan, 3, think=0.2, stagger=0.1))
    seconds = time.perf_counter() - started
    assert all(r["answered"] for r in result["records"]) and len(result["records"]) == 6
    assert 0.3 <= seconds < 1.5  # the last person started 0.2 s late and paused 0.1 to 0.3 s
    assert [r["sender"] for r in fake.requests[:3]] == ["p0", "p1", "p2"]


def test_the_flood_only_loads_local_servers():
    with pytest.raises(SystemExit):
        load.parse_args(["flood", "--url", "http://192.0.2.1:5005"])
    with pytest.raises(SystemExit):
        load.parse_args(["flood", "--url", "http://127.0.0.1:5005", "--source", "192.0.2.7"])
    assert load.parse_args(["flood", "--url", "http://127.0.0.1:5005"]).rate == 200
