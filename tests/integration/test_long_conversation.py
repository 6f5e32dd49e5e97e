"""A long conversation keeps everything it should while each turn reads only what it needs.

The speed-ups that bound what a turn reads of its conversation (src/clinic_faq/rasa_ext/tuning.py:
`rule_policy_recent_states`, `tracker_incremental`, `tracker_cache`, `action_recent_events`) must not
change a single reply. The same 60-message conversation (questions,
"tell me more", unclear messages, personal details, a switch to Spanish) goes to our assistant as it
runs and to one with every speed-up off (`CLINIC_TUNING=none`, Rasa's own code), both restarted half-way
(so the kept conversations are dropped and read back from the database); every reply and every stored
event must be the same, and the end of the conversation still has its topic for "tell me more" and its
language.
"""

from __future__ import annotations

import uuid
from typing import Any, Dict, Iterator, List, Tuple

import pytest

from clinic_faq_dev.harness import RunningAssistant

pytestmark = pytest.mark.integration

# A simulated person sends the next message as soon as the answer arrives: the abuse limit of one
# conversation is not what is tested here.
ENV = {"RATE_LIMIT_CONVERSATION": "off"}
MORE = "tell me more"

OPENING = [
    "what are the side effects of ketamine", MORE, "/more_info",
    "how long does an infusion session take", MORE,
    "can ketamine help with nerve pain", MORE,
    "asdkj qwpoe zzxv", "qqq wer tyu",  # two unclear messages in a row: rephrase, then the care team
    "how does ketamine work for pain", "my number is 555-201-3344", MORE,  # the privacy warning keeps the topic
    "hello", "thanks!", "is this medical advice?",
    "how many sessions will i need", MORE, "who is a good candidate for ketamine",
]
ENDING = [
    "what are the side effects of ketamine",
    "my number is 555-201-3344",
    MORE,  # turn 57: the side effects' second part, two turns after the answer
    "cuales son los efectos secundarios de la ketamina",
    "/more_info",  # no words: the conversation's language decides (Spanish)
    "/more_info",  # there is no third part
]
FILLER = ["how long does the relief last", MORE, "what are the alternatives to ketamine", MORE,
          "does ketamine help with depression", "how is the infusion given", MORE, "can i drive home after",
          "what does it cost", "how do i book a consultation"]
TURNS = 60
RESTART_AFTER = 30


def script() -> List[str]:
    middle = TURNS - len(OPENING) - len(ENDING)
    return OPENING + [FILLER[i % len(FILLER)] for i in range(middle)] + ENDING


@pytest.fixture(scope="module")
def pair(tmp_path_factory) -> Iterator[Dict[str, RunningAssistant]]:
    """Ours as it runs, and the same with every speed-up off."""
    work = tmp_path_factory.mktemp("long")
    assistants = {"ours": RunningAssistant(work / "ours", extra_env=ENV),
                  "rasa": RunningAssistant(work / "rasa", extra_env={**ENV, "CLINIC_TUNING": "none"})}
    started: List[RunningAssistant] = []
    try:
        for assistant in assistants.values():
            assistant.__enter__()
            started.append(assistant)
        yield assistants
    finally:
        for assistant in started:
            assistant.stop()


def restart(assistant: RunningAssistant) -> None:
    assistant.stop("rasa")
    assistant.start_rasa()
    assistant.wait_ready()


def reply(messages: List[Dict[str, Any]]) -> List[Tuple[str, Any]]:
    return [(m.get("text", ""), m.get("buttons")) for m in messages]


def stored(events: List[Dict[str, Any]]) -> List[Tuple[Any, ...]]:
    """The stored events without their timestamps and ids."""
    out: List[Tuple[Any, ...]] = []
    for e in events:
        if e["event"] == "user":
            out.append(("user", e.get("text"), e["parse_data"]["intent"]["name"]))
        elif e["event"] == "bot":
            out.append(("bot", e.get("text"), (e.get("metadata") or {}).get("utter_action")))
        else:
            out.append((e["event"], e.get("name"), e.get("value")))
    return out


@pytest.fixture(scope="module")
def conversation(pair) -> Dict[str, Any]:
    sender = f"long-{uuid.uuid4().hex[:10]}"
    replies: Dict[str, List[List[Tuple[str, Any]]]] = {name: [] for name in pair}
    for position, text in enumerate(script()):
        if position == RESTART_AFTER:
            for assistant in pair.values():
                restart(assistant)
        for name, assistant in pair.items():
            replies[name].append(reply(assistant.send(sender, text)))
    return {"sender": sender, "replies": replies,
            "events": {name: assistant.events(sender) for name, assistant in pair.items()}}


def test_every_reply_is_the_one_rasas_own_code_gives(conversation):
    ours, rasas = conversation["replies"]["ours"], conversation["replies"]["rasa"]
    assert len(ours) == TURNS
    for position, (mine, theirs) in enumerate(zip(ours, rasas, strict=True)):
        assert mine == theirs, f"turn {position + 1}: {script()[position]!r}"


def test_every_stored_event_is_the_one_rasas_own_code_stores(conversation):
    assert stored(conversation["events"]["ours"]) == stored(conversation["events"]["rasa"])


def test_the_end_of_a_long_conversation_keeps_its_topic_and_its_language(conversation):
    replies = conversation["replies"]["ours"]
    first_more = replies[1]  # "tell me more" right after the side effects' answer, turn 2
    answer, warning, more, spanish, spanish_more, no_third = replies[-6:]
    assert answer[0][1] == [{"title": "Tell me more", "payload": "/more_info"}]
    assert "privacy" in warning[0][0].lower()
    assert more[0] == first_more[0]  # the topic outlived the privacy warning, 57 turns in
    assert "mareo" in spanish[0][0].lower()
    assert spanish_more[0][0] != more[0][0] and spanish_more[0][0] not in [t for t, _ in spanish]
    assert "información general" in " ".join(t for t, _ in spanish_more).lower()  # Spanish disclaimer
    assert no_third[0][0] != spanish_more[0][0]


def test_the_stored_slots_follow_the_conversation(conversation):
    events = conversation["events"]["ours"]
    topics = [e["value"] for e in events if e["event"] == "slot" and e.get("name") == "topic"]
    languages = [e["value"] for e in events if e["event"] == "slot" and e.get("name") == "language"]
    assert topics[-3:] == [None, "side_effects", None]
    assert languages[-1] == "es"
    assert sum(e["event"] == "user" for e in events) == TURNS
