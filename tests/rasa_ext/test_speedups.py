"""The Rasa server's speed-ups change nothing but speed: same validation, same errors, same classes."""

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import Event
from rasa.shared.utils.common import all_subclasses

from clinic_faq.rasa_ext import speedups as rasa_server

VALID = {
    "events": [{"event": "slot", "name": "topic", "value": None, "timestamp": None}],
    "responses": [{"response": "utter_disclaimer"}],
}
INVALID = [
    {"events": [{"event": "slot", "name": 3}], "responses": []},
    {"events": "not a list"},
    {"events": [], "responses": ["not an object"]},
    {"events": [{"no_event_key": 1}]},
]


def test_the_action_result_is_validated_exactly_as_rasa_does():
    action = RemoteAction("action_safety_notes", None)
    assert rasa_server.validate_action_result(action, VALID) is True
    assert rasa_server._original_validate_action_result(action, VALID) is True
    for result in INVALID:
        with pytest.raises(ValidationError) as ours:
            rasa_server.validate_action_result(action, result)
        with pytest.raises(ValidationError) as rasas:
            rasa_server._original_validate_action_result(action, result)
        assert ours.value.message == rasas.value.message
        assert list(ours.value.path) == list(rasas.value.path)


def test_event_classes_resolve_exactly_as_rasa_does():
    rasa_server._apply_event_class_table()
    rasa_server._undo_event_class_table()
    for cls in all_subclasses(Event):
        assert rasa_server.resolve_by_type(cls.type_name) is rasa_server._original_resolve_by_type(cls.type_name)
    assert rasa_server.resolve_by_type("no such event", default=Event) is Event
    assert rasa_server.resolve_by_type("topic") is None
    with pytest.raises(ValueError, match="Unknown event name"):
        rasa_server.resolve_by_type("no such event")


def test_the_changes_are_selected_by_the_environment():
    assert rasa_server.selected("") == list(rasa_server.CHANGES)
    assert rasa_server.selected("all") == list(rasa_server.CHANGES)
    assert rasa_server.selected("none") == []
    assert rasa_server.selected("event_class_table") == ["event_class_table"]
    with pytest.raises(ValueError, match="unknown change"):
        rasa_server.selected("faster_please")
