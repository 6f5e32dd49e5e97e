"""The abuse limits over three replicas behind nginx (the default limits of clinic.yml): nginx's limit_req
refuses a burst first, and what passes it is limited by the assistant with buckets shared in Redis, so a
client gets the same allowance however nginx spreads its messages over the replicas."""

import asyncio
import math
import time
import uuid

import aiohttp
import pytest
import requests

from clinic_faq.core.rate_limit import RateLimits

pytestmark = pytest.mark.integration
DEFAULTS = RateLimits()


async def _burst(url, count, source):
    """`count` messages at once, each to a new conversation, from the local address `source`."""
    connector = aiohttp.TCPConnector(limit=count, local_addr=(source, 0))
    async with aiohttp.ClientSession(connector=connector) as session:

        async def one(n):
            body = {"sender": f"burst-{uuid.uuid4().hex[:8]}-{n}", "message": "how long is a session"}
            async with session.post(url, json=body, timeout=aiohttp.ClientTimeout(total=120)) as response:
                return response.status, response.headers.get("Retry-After"), await response.json(content_type=None)

        return await asyncio.gather(*(one(n) for n in range(count)))


def test_nginx_refuses_a_burst_first_and_the_replicas_share_the_address_limit(cluster):
    started = time.monotonic()
    results = asyncio.run(_burst(cluster.webhook, 150, "127.0.0.2"))
    elapsed = time.monotonic() - started
    by_nginx = [r for r in results if r[0] == 429 and "Too many requests" in r[2]["error"]]
    by_assistant = [r for r in results if r[0] == 429 and "Too many messages" in r[2]["error"]]
    answered = [r for r in results if r[0] == 200]
    assert len(by_nginx) + len(by_assistant) + len(answered) == 150, {r[0] for r in results}
    print(f"nginx refused {len(by_nginx)}, the assistant refused {len(by_assistant)}, answered {len(answered)}")
    # nginx: 50 at once (burst), a few more at 10 a second; the rest refused before reaching Rasa.
    assert 80 <= len(by_nginx) <= 100, len(by_nginx)
    assert all(retry == "1" for _, retry, _ in by_nginx)
    # The assistant: 6 at once from one address (clinic.yml), counted together on all three replicas; on a
    # slow machine the burst lasts a few seconds and the bucket refills meanwhile (one every 5 s), but
    # three replicas each counting alone would answer three times as many.
    rule = DEFAULTS.client_address
    allowed = rule.capacity + math.ceil(rule.rate * elapsed)
    assert rule.capacity <= len(answered) <= allowed + 1, (len(answered), f"{elapsed:.1f} s")
    assert len(answered) < 3 * rule.capacity  # not each replica counting alone
    assert all(int(retry) >= 1 and body["retry_after"] == int(retry) for _, retry, body in by_assistant)


def test_a_conversations_limit_holds_across_replicas(cluster):
    """35 messages of one conversation, one after another, round robin over the replicas: about 30 are
    answered (30 at once, then one every 2 s), not 3 x 30."""
    sender = f"chatty-{uuid.uuid4().hex[:8]}"
    statuses = []
    before = len(cluster.upstreams())
    for n in range(35):
        response = requests.post(cluster.webhook, json={"sender": sender, "message": f"question number {n}"}, timeout=120)
        statuses.append(response.status_code)
    answered = statuses.count(200)
    print(f"one conversation, 35 messages in a row: {answered} answered")
    assert set(statuses) == {200, 429}
    assert DEFAULTS.conversation.capacity <= answered <= DEFAULTS.conversation.capacity + 4, statuses
    assert statuses[: DEFAULTS.conversation.capacity] == [200] * DEFAULTS.conversation.capacity
    served_by = {u.split(", ")[-1] for u in cluster.upstreams(at_least=before + 35)[-35:]}
    assert len(served_by) == 3  # spread over every replica
