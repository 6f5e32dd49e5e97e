"""A backup taken while the server runs brings a conversation back: restored into a new server's store,
"tell me more" continues the topic the conversation had at the time of the backup."""

import uuid

import pytest

from clinic_faq.ops.backup import BackupError, backup, restore
from clinic_faq_dev.harness import RunningAssistant

pytestmark = pytest.mark.integration


def actions(events):
    return [e.get("name") for e in events if e["event"] == "action"]


def last_turn(events):
    start = max(i for i, e in enumerate(events) if e["event"] == "user")
    return events[start:]


def test_a_restored_store_continues_a_conversation_from_the_backup(tmp_path):
    sender = f"backup-{uuid.uuid4().hex[:8]}"
    with RunningAssistant(tmp_path / "first") as first:
        first.send(sender, "what are the side effects")
        assert "utter_answer_side_effects" in actions(first.events(sender))
        folder = backup({"tracker": first.db_path}, tmp_path / "backups")  # while the server runs
        # The conversation goes on after the backup: another topic, which the restored store must not know.
        first.send(sender, "how many sessions will I need")
        assert "utter_answer_number_of_sessions" in actions(last_turn(first.events(sender)))
        with pytest.raises(BackupError, match="Stop it first"):  # not while the server has the store open
            restore(folder, {"tracker": first.db_path})

    second_dir = tmp_path / "second"
    second_dir.mkdir()
    restored = restore(folder, {"tracker": second_dir / "tracker.db"})
    assert restored == {"tracker": second_dir / "tracker.db"}
    with RunningAssistant(second_dir) as second:
        assert [e.get("text") for e in second.events(sender) if e["event"] == "user"] == ["what are the side effects"]
        reply = second.send(sender, "tell me more")
        turn = actions(last_turn(second.events(sender)))
    assert "utter_more_side_effects" in turn, turn
    assert reply and "side effect" in " ".join(m.get("text", "") for m in reply).lower()
