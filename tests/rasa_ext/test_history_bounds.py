"""The speed-ups that bound what a turn reads of its conversation change nothing the conversation sees.

`RecentStatesRulePolicy` (clinic_faq.rasa_ext.policies), given the rules Rasa's RulePolicy learns here from
data/rules and domain.yml, predicts exactly as Rasa's own does at every step of long simulated
conversations (built as the Rasa server builds them: the user message, its language slot, the
featurization event, each predicted action, the bot's messages, the `topic` slot set by
action_safety_notes; with unclear messages, reverted turns and new sessions). `IncrementalTracker`
(clinic_faq.rasa_ext.stores.incremental_tracker): `applied_events()` and `copy()` give what Rasa's own give
at every step. `action_recent_events` (clinic_faq.rasa_ext.patches): the action server gets the same slots,
latest message and current turn, and action_safety_notes answers exactly as with the whole conversation.
"""

from __future__ import annotations

import asyncio
import random
import tempfile
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import pytest
from rasa.core.actions.action import RemoteAction
from rasa.core.policies.rule_policy import RulePolicy
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActionReverted,
    AllSlotsReset,
    BotUttered,
    DefinePrevUserUtteredFeaturization,
    Event,
    SessionStarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.generator import TrainingDataGenerator
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity
from rasa.shared.importers.importer import TrainingDataImporter
from rasa.utils.endpoints import EndpointConfig
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from clinic_faq.core.contract import SAFETY_KEY, SafetyVerdict
from clinic_faq.rasa_ext import patches
from clinic_faq.rasa_ext.actions.safety_notes import ActionSafetyNotes
from clinic_faq.rasa_ext.policies import RecentStatesRulePolicy, recent_tracker
from clinic_faq.rasa_ext.stores.incremental_tracker import IncrementalTracker

PROJECT = Path(__file__).resolve().parents[2]
LISTEN = "action_listen"


def train_rule_policy() -> Dict[str, Any]:
    """Rasa's RulePolicy, trained as config.yml configures the project's, the project's policy with the same
    rules, and the domain."""
    importer = TrainingDataImporter.load_from_config(str(PROJECT / "config.yml"), str(PROJECT / "domain.yml"),
                                                     [str(PROJECT / "data")])
    domain = importer.get_domain()
    trackers = TrainingDataGenerator(importer.get_stories(), domain, augmentation_factor=0,
                                     use_story_concatenation=False).generate()
    policy_config = next(p for p in importer.get_config()["policies"] if p["name"].endswith("RulePolicy"))
    config = {**RulePolicy.get_default_config(), **{k: v for k, v in policy_config.items() if k != "name"}}
    with tempfile.TemporaryDirectory() as tmp:
        storage, context = LocalModelStorage(Path(tmp)), ExecutionContext(GraphSchema({}), "test")
        rasas = RulePolicy.create(dict(config), storage, Resource("rule_policy"), context)
        rasas.train(trackers, domain)
        ours = RecentStatesRulePolicy(dict(config), storage, Resource("rule_policy"), context,
                                      featurizer=rasas.featurizer, lookup=rasas.lookup)
    return {"rasas": rasas, "policy": ours, "domain": domain}


@pytest.fixture(scope="module")
def trained() -> Dict[str, Any]:
    return train_rule_policy()


def intents(domain: Domain) -> List[str]:
    out = [i for i in domain.intents if not i.startswith(("restart", "session_start", "back", "out_of_scope"))]
    # "tell me more" and unclear messages often, as people write them
    return out + ["more_info"] * 12 + ["nlu_fallback"] * 6 + ["out_of_scope"]


def user_turn(intent: str, rng: random.Random) -> List[Event]:
    language = rng.choice(["en", "en", "en", "es"])
    entity = {"entity": "language", "value": language, "start": 0, "end": 5, "extractor": "LanguageDetector"}
    parse = {"intent": {"name": intent, "confidence": 0.9}, "entities": [entity], "text": f"text of {intent}"}
    return [UserUttered(f"text of {intent}", parse["intent"], [entity], parse_data=parse),
            SlotSet("language", language)]


def topic_after(said: List[str]) -> Optional[str]:
    """What action_safety_notes sets: the topic of an answer, none after a "more" part or anything else."""
    answers = [name for name in said if name.startswith("utter_answer_")]
    return answers[-1][len("utter_answer_"):] if answers else None


def tracker_fields(tracker: DialogueStateTracker) -> Dict[str, Any]:
    """Everything a tracker holds, for comparing two of them (events by identity, as a replay shares them)."""
    return {
        "events": [id(e) for e in tracker.events],
        "slots": {name: (type(slot), slot.value, slot.has_been_set) for name, slot in tracker.slots.items()},
        "paused": tracker.is_paused(), "followup_action": tracker.followup_action,
        "latest_action": tracker.latest_action, "latest_message": tracker.latest_message,
        "latest_bot_utterance": tracker.latest_bot_utterance, "active_loop": tracker.active_loop,
        "sender_id": tracker.sender_id, "sender_source": tracker.sender_source, "model_id": tracker.model_id,
        "is_rule_tracker": tracker.is_rule_tracker, "max_event_history": tracker._max_event_history,
        "state": tracker.current_state(EventVerbosity.ALL),
    }


def check_tracker_methods(tracker: IncrementalTracker) -> None:
    """`applied_events` (incremental) and `copy` (a short replay) give what Rasa's own give."""
    rasas_applied = DialogueStateTracker.applied_events(tracker)
    ours_applied = tracker.applied_events()
    assert [id(e) for e in ours_applied] == [id(e) for e in rasas_applied]
    ours_applied.append(None)  # the caller's own list: the kept one is unchanged
    assert [id(e) for e in tracker.applied_events()] == [id(e) for e in rasas_applied]
    assert tracker_fields(tracker.copy()) == tracker_fields(DialogueStateTracker.copy(tracker))


def same_prediction(ours: Any, rasas: Any) -> bool:
    """Everything but the policy's name (which names the class)."""
    return ours.policy_name == "RecentStatesRulePolicy" and rasas.policy_name == "RulePolicy" and \
        {k: v for k, v in vars(ours).items() if k != "policy_name"} == \
        {k: v for k, v in vars(rasas).items() if k != "policy_name"}


class Comparison:
    """Drives a conversation with Rasa's own RulePolicy and checks the project's at every prediction."""

    def __init__(self, trained: Dict[str, Any]) -> None:
        self.rasas, self.policy, self.domain = trained["rasas"], trained["policy"], trained["domain"]
        self.predictions = 0
        self.bounded = 0

    def predict(self, tracker: DialogueStateTracker) -> str:
        rasas = self.rasas.predict_action_probabilities(tracker, self.domain)
        ours = self.policy.predict_action_probabilities(tracker, self.domain)
        assert same_prediction(ours, rasas)
        needed = self.policy.states_needed()
        short = recent_tracker(tracker, needed)
        if short is not None:  # the short tracker's latest states are the conversation's
            full_states = self.rasas._prediction_states(tracker, self.domain)
            assert self.rasas._prediction_states(short, self.domain)[-needed:] == full_states[-needed:]
        bounded = short is not None
        self.predictions += 1
        self.bounded += bounded
        best = max(range(len(rasas.probabilities)), key=lambda i: rasas.probabilities[i])
        return self.domain.action_names_or_texts[best]

    def turn(self, tracker: DialogueStateTracker, intent: str, rng: random.Random) -> None:
        for event in user_turn(intent, rng):
            tracker.update(event)
        said: List[str] = []
        for step in range(6):
            check_tracker_methods(tracker)
            action = self.predict(tracker)
            if step == 0:
                tracker.update(DefinePrevUserUtteredFeaturization(False))
            if action == LISTEN:
                tracker.update(ActionExecuted(LISTEN))
                return
            tracker.update(ActionExecuted(action))
            if action == "action_default_fallback":
                tracker.update(BotUttered("fallback", metadata={"utter_action": "utter_default"}))
                tracker.update(UserUtteranceReverted())
                check_tracker_methods(tracker)
                return
            if action.startswith("utter_"):
                said.append(action)
                tracker.update(BotUttered(action, metadata={"utter_action": action}))
            if action == "action_safety_notes":
                tracker.update(SlotSet("topic", topic_after(said)))
        raise AssertionError(f"no action_listen after {intent}: {said}")


def new_tracker(domain: Domain, sender: str) -> IncrementalTracker:
    return IncrementalTracker.from_events(
        sender, [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted(LISTEN)], domain.slots)


@pytest.mark.parametrize("seed", range(4))
def test_rule_predictions_over_recent_states_are_rasas_own(trained, seed):
    domain = trained["domain"]
    rng = random.Random(seed)
    comparison = Comparison(trained)
    tracker = new_tracker(domain, f"long-{seed}")
    choices = intents(domain)
    for n in range(70):
        if seed == 3 and n == 40:  # a new session in the same tracker (the store keeps the older one)
            for event in (ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted(LISTEN)):
                tracker.update(event)
        comparison.turn(tracker, rng.choice(choices), rng)
    assert comparison.bounded > comparison.predictions / 2  # most predictions used the short history


def test_tell_me_more_reaches_back_to_the_topic_however_long_ago(trained):
    """The topic answered many turns ago, followed by replies that keep it (none here reset it without
    action_safety_notes), still decides what "tell me more" gives: the slot is in every state."""
    domain = trained["domain"]
    comparison = Comparison(trained)
    rng = random.Random(1)
    tracker = new_tracker(domain, "more")
    for _ in range(10):
        comparison.turn(tracker, "greet", rng)
    comparison.turn(tracker, "ask_side_effects", rng)
    for _ in range(8):
        comparison.turn(tracker, "share_personal_info", rng)  # utter_phi_warning alone: topic kept
    comparison.turn(tracker, "more_info", rng)
    bot = [e.text for e in tracker.events if isinstance(e, BotUttered)]
    assert "utter_more_side_effects" in bot[-3:]
    assert comparison.bounded > 0


@pytest.mark.parametrize("unusual", [AllSlotsReset(), ActionReverted()])
def test_a_conversation_with_other_events_gets_rasas_own_computation(trained, unusual):
    policy, domain = trained["policy"], trained["domain"]
    comparison = Comparison(trained)
    rng = random.Random(2)
    tracker = new_tracker(domain, "unusual")
    for _ in range(12):
        comparison.turn(tracker, "ask_side_effects", rng)
    tracker.update(unusual)
    tracker.update(ActionExecuted(LISTEN))
    needed = policy.states_needed()
    if isinstance(unusual, AllSlotsReset):
        assert recent_tracker(tracker, needed) is None
    for _ in range(3):
        comparison.turn(tracker, "more_info", rng)


def test_the_rules_look_back_a_few_states(trained):
    # the longest rule: a second unclear message in a row (data/rules/safety.yml), 5 states
    assert trained["policy"].states_needed() == 6


def test_a_short_conversation_is_left_alone(trained):
    domain = trained["domain"]
    tracker = new_tracker(domain, "short")
    for event in user_turn("greet", random.Random(0)):
        tracker.update(event)
    assert recent_tracker(tracker, 6) is None


# --- action_recent_events ------------------------------------------------------------------------------


def answer_turn(tracker: DialogueStateTracker, domain: Domain, intent: str, response: str,
                verdict: SafetyVerdict) -> None:
    """A user message and the reply a rule gives it, as the Rasa server has them when it calls
    action_safety_notes (the reply's metadata as ClinicNLG passes it on)."""
    parse = {"intent": {"name": intent, "confidence": 0.9}, "entities": [], "text": f"text of {intent}",
             SAFETY_KEY: verdict.to_dict()}
    tracker.update(ActionExecuted(LISTEN))
    tracker.update(UserUttered(parse["text"], parse["intent"], [], parse_data=parse))
    tracker.update(DefinePrevUserUtteredFeaturization(False))
    tracker.update(ActionExecuted(response))
    meta = domain.responses[response][0].get("metadata") or {}
    tracker.update(BotUttered("...", metadata={"utter_action": response, "metadata": meta}))


def run_action(payload: Dict[str, Any]) -> Tuple[List[Dict[str, Any]], List[Dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionSafetyNotes().run(dispatcher, Tracker.from_dict(payload["tracker"]), {}))
    return dispatcher.messages, events


@pytest.mark.parametrize("verdict", [SafetyVerdict(), SafetyVerdict(referral_reasons=["medicine:own"], phi=["PHONE"]),
                                     SafetyVerdict(crisis="informational")])
def test_the_action_server_gets_the_latest_turns_and_answers_the_same(trained, verdict):
    domain = trained["domain"]
    tracker = new_tracker(domain, "long-action")
    tracker.update(SlotSet("language", "es"))
    for _ in range(60):
        answer_turn(tracker, domain, "ask_side_effects", "utter_answer_side_effects", SafetyVerdict())
        tracker.update(ActionExecuted("action_safety_notes"))
        tracker.update(SlotSet("topic", "side_effects"))
    answer_turn(tracker, domain, "ask_onset", "utter_answer_onset", verdict)
    action = RemoteAction("action_safety_notes", EndpointConfig("http://localhost:5055/webhook",
                                                                enable_selective_domain=True))
    rasas = patches._original_action_call_format(action, tracker, domain)
    ours = patches.action_call_format(action, tracker, domain)
    assert "domain" not in ours and "domain" not in rasas
    assert {k: v for k, v in ours.items() if k != "tracker"} == {k: v for k, v in rasas.items() if k != "tracker"}
    assert {k: v for k, v in ours["tracker"].items() if k != "events"} == \
        {k: v for k, v in rasas["tracker"].items() if k != "events"}
    assert ours["tracker"]["slots"]["language"] == "es" and ours["tracker"]["slots"]["topic"] == "side_effects"
    events = ours["tracker"]["events"]
    assert events == rasas["tracker"]["events"][-len(events):]
    assert len(events) <= 16 < len(rasas["tracker"]["events"])
    assert [e["event"] for e in events].count("user") == patches.ACTION_TURNS
    assert run_action(ours) == run_action(rasas)


def test_a_conversation_shorter_than_the_turns_kept_is_sent_whole(trained):
    domain = trained["domain"]
    tracker = new_tracker(domain, "short-action")
    answer_turn(tracker, domain, "ask_onset", "utter_answer_onset", SafetyVerdict())
    assert patches.recent_events(tracker) == list(tracker.events)


# --- IncrementalTracker ---------------------------------------------------------------------------------


def test_a_long_plain_conversation_is_continued_and_copied_without_a_replay(trained, monkeypatch):
    domain = trained["domain"]
    tracker = new_tracker(domain, "plain")
    for _ in range(30):
        answer_turn(tracker, domain, "ask_side_effects", "utter_answer_side_effects", SafetyVerdict())
        tracker.update(ActionExecuted("action_safety_notes"))
        tracker.update(SlotSet("topic", "side_effects"))
        tracker.applied_events()
    full = DialogueStateTracker.applied_events(tracker)

    def no_replay(*args: Any) -> None:
        raise AssertionError("replayed")

    monkeypatch.setattr(DialogueStateTracker, "applied_events", no_replay)
    monkeypatch.setattr(DialogueStateTracker, "copy", no_replay)
    monkeypatch.setattr(DialogueStateTracker, "replay_events", no_replay)
    answer_turn(tracker, domain, "ask_onset", "utter_answer_onset", SafetyVerdict())
    assert tracker.applied_events() == full + list(tracker.events)[-5:]  # the new turn's five events
    copied = tracker.copy()
    assert copied.get_slot("topic") == "side_effects" and copied.latest_action_name == "utter_answer_onset"
    copied.update(SlotSet("topic", "onset"))  # a copy of its own
    assert tracker.get_slot("topic") == "side_effects" and len(copied.events) == len(tracker.events) + 1


@pytest.mark.parametrize("event", [UserUtteranceReverted(), ActionReverted(), SessionStarted()])
def test_after_a_revert_or_a_new_session_rasas_own_walk_is_used(trained, event):
    domain = trained["domain"]
    tracker = new_tracker(domain, "revert")
    for _ in range(3):
        answer_turn(tracker, domain, "ask_side_effects", "utter_answer_side_effects", SafetyVerdict())
        check_tracker_methods(tracker)
    tracker.update(event)
    check_tracker_methods(tracker)
    answer_turn(tracker, domain, "ask_onset", "utter_answer_onset", SafetyVerdict())
    check_tracker_methods(tracker)
