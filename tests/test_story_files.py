"""Mistakes in a staff story file are explained, not crashed on."""

import pytest

from clinic_faq_dev.stories import StoryFileError, load_stories


@pytest.mark.parametrize(
    "body, message",
    [
        ("stories:\n- story: x\n  steps:\n  - action: utter_greet\n", "must start with a user message"),
        ("stories:\n- story: x\n  metadata: {contans: [a]}\n  steps:\n  - user: hi\n", "unknown check"),
        ("stories:\n- story: x\n  metadata: {matching: ['(']}\n  steps:\n  - user: hi\n", "invalid pattern"),
        ("stories: [", "not valid YAML"),
    ],
)
def test_mistakes_in_a_story_file_are_explained(tmp_path, body, message):
    path = tmp_path / "bad.yml"
    path.write_text(body)
    with pytest.raises(StoryFileError, match=message):
        load_stories([path])
