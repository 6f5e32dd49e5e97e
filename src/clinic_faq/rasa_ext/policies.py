"""The project's dialogue policy: Rasa's RulePolicy, predicting from the latest states its rules can see.

Named in config.yml (`clinic_faq.rasa_ext.policies.RecentStatesRulePolicy`); Rasa trains and loads it as
it does its own RulePolicy (this class adds no training, no configuration and nothing to the model).

Rasa's RulePolicy turns the whole session into dialogue states (a replay of every event, then a state
per action) at each of its predictions, three per answer, each twice (text, then intent), while its
rules look at the last few states only: the 150th message of a conversation cost 2.8 times the first
because of it (docs/benchmarks/growth.md). Here each prediction is made by Rasa's own
`RulePolicy.predict_action_probabilities`, given a short tracker whose latest states are those of the
conversation (`recent_tracker`): same rules matched, same action, same confidence, same `hide_rule_turn`.
A conversation with an active loop, a revert, a slot reset or any other event outside the few whose
effect is "the latest one wins" gets the whole tracker, as do short conversations.

Measured gain (make bench, docs/benchmarks/tuning.md: `rule_policy_recent_states`). Proof that it
predicts as Rasa's own: tests/rasa_ext/test_history_bounds.py compares it with Rasa's RulePolicy, trained
from the project's rules, at every step of long simulated conversations. `CLINIC_TUNING` without
`rule_policy_recent_states` makes it behave exactly as RulePolicy (for make bench).
"""

from __future__ import annotations

import json
from typing import Any, Dict, Optional

from rasa.core.policies.policy import PolicyPrediction
from rasa.core.policies.rule_policy import RULES, RULES_FOR_LOOP_UNHAPPY_PATH, RulePolicy
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, DefinePrevUserUtteredFeaturization, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from clinic_faq.rasa_ext import tuning

# The events whose effect on what a state shows (the latest user message, the previous action, the slots)
# is "the latest one wins" (their exact classes). A conversation holding any other applied event where it
# matters (a loop, a slot reset, added entities, ...) is predicted from its whole tracker.
LAST_WINS = frozenset({ActionExecuted, UserUttered, BotUttered, SlotSet, DefinePrevUserUtteredFeaturization})


def longest_rule(policy: RulePolicy) -> int:
    """How many states the longest rule of a trained RulePolicy looks at (its lookup keys are JSON lists of
    states, as in the model's rule_policy.json)."""
    keys = list(policy.lookup.get(RULES, {})) + list(policy.lookup.get(RULES_FOR_LOOP_UNHAPPY_PATH, {}))
    return max((len(json.loads(key)) for key in keys), default=0)


def recent_tracker(tracker: DialogueStateTracker, states: int) -> Optional[DialogueStateTracker]:
    """A short tracker whose last `states` past states are those of `tracker`; None when `tracker` is not
    longer than that, has an active loop, or holds an applied event outside `LAST_WINS` where it matters.

    Rasa computes one state before each action (and one at the end) by replaying every event of the
    session. Here the replay starts just before the action of the oldest state needed, from a tracker
    given, in their original order, the latest event before that point of each kind a state shows:
    each slot's latest SlotSet, the latest user message, the latest action, the latest bot message. As
    each of those events replaces what the one before it set, that tracker is the one Rasa's replay
    has at that point; every later state is then computed by Rasa's own replay of the same events. The
    short tracker's first state (before that point) is incomplete, older than any rule can see. Both
    scans go back from the end and stop as soon as they have what they need."""
    if states < 2 or tracker.active_loop is not None:
        return None
    applied = tracker.applied_events()
    actions_needed = states - 1
    start = len(applied)
    while actions_needed:  # back to the action of the oldest state needed
        start -= 1
        if start < 1:
            return None  # not longer than `states`: nothing to gain
        event_type = type(applied[start])
        if event_type not in LAST_WINS:
            return None
        if event_type is ActionExecuted:
            actions_needed -= 1
    wanted_slots = {name for name, slot in tracker.slots.items() if slot.has_been_set}
    latest: Dict[Any, int] = {}  # event class, or ("slot", name) -> index of its latest event
    kinds = 0
    i = start
    while i > 0 and (kinds < 3 or wanted_slots):
        i -= 1
        event = applied[i]
        event_type = type(event)
        if event_type not in LAST_WINS:
            return None
        if event_type is SlotSet:
            if event.key in wanted_slots:
                wanted_slots.discard(event.key)
                latest[("slot", event.key)] = i
        elif event_type is not DefinePrevUserUtteredFeaturization and event_type not in latest:
            latest[event_type] = i
            kinds += 1
    short = tracker.init_copy()
    for index in sorted(latest.values()):
        short.update(applied[index])
    for event in applied[start:]:
        short.update(event)
    return short


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=True)
class RecentStatesRulePolicy(RulePolicy):  # type: ignore[misc]  # rasa has no type information
    """RulePolicy, predicting from a tracker bounded to the states its longest rule can see, plus one.

    At the i-th newest state a rule shorter than i is applicable whatever the state holds, so states
    older than the longest rule change no rule's match. The one more state keeps the key Rasa builds
    from the states when no rule matches (looked up among the rules "not in stories" for
    `hide_rule_turn`) longer than any rule, as it is for the whole conversation."""

    _states_needed: Optional[int] = None
    _bounded: Optional[bool] = None

    def states_needed(self) -> int:
        if self._states_needed is None:
            self._states_needed = longest_rule(self) + 1
        return self._states_needed

    def predict_action_probabilities(self, tracker: DialogueStateTracker, domain: Domain,
                                     rule_only_data: Optional[Dict[str, Any]] = None,
                                     **kwargs: Any) -> PolicyPrediction:
        if self._bounded is None:
            self._bounded = tuning.enabled("rule_policy_recent_states")
        if self._bounded:
            short = recent_tracker(tracker, self.states_needed())
            if short is not None:
                tracker = short
        prediction: PolicyPrediction = super().predict_action_probabilities(tracker, domain, rule_only_data, **kwargs)
        return prediction

