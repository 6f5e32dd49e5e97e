import rasa.core.actions.action

from stores.runtime import apply_action_timeout


def test_the_action_timeout_is_set_and_stays_below_the_lock_lifetime(monkeypatch):
    monkeypatch.setattr(rasa.core.actions.action, "DEFAULT_REQUEST_TIMEOUT", 300)
    monkeypatch.setenv("ACTION_TIMEOUT_SECONDS", "7")
    assert apply_action_timeout() == 7 and rasa.core.actions.action.DEFAULT_REQUEST_TIMEOUT == 7
    monkeypatch.setenv("ACTION_TIMEOUT_SECONDS", "90")
    monkeypatch.setenv("TICKET_LOCK_LIFETIME", "60")
    assert apply_action_timeout() == 30
    monkeypatch.delenv("ACTION_TIMEOUT_SECONDS")
    assert apply_action_timeout() == 20
