"""docs/staff-testing.md, the guide for clinic staff: it names no intent, action or slot (staff write in their
own words), its table of words is the one the runner reads, and its commands are real. Its examples are run
against the assistant by tests/integration/test_staff_guide.py."""

import re
import subprocess
from pathlib import Path

import yaml

from clinic_faq.rasa_ext.channels.staff_views.why import WORDS

PROJECT = Path(__file__).resolve().parent.parent
GUIDE = PROJECT / "docs" / "staff-testing.md"


def fenced(text):
    """(info string, body) of every fenced block, in order."""
    return re.findall(r"^```(\w*)\n(.*?)^```", text, re.S | re.M)


def test_the_guide_names_no_intent_action_or_slot():
    text = GUIDE.read_text(encoding="utf-8")
    with open(PROJECT / "domain.yml", encoding="utf-8") as f:
        domain = yaml.safe_load(f)
    names = [i if isinstance(i, str) else next(iter(i)) for i in domain["intents"]]
    names += list(domain["responses"]) + list(domain.get("actions") or []) + list(domain.get("slots") or {})
    names += ["nlu_fallback", "action_listen", "action_safety_notes"]
    # Names that are also plain English ("emergency", "greet", "topic", "language") are not Rasa's words in
    # the guide; a name with an underscore is.
    for name in {n for n in names if "_" in n}:
        assert not re.search(rf"\b{re.escape(name)}\b", text), name
    for word in ("intent", "slot_was_set", "utter_", "action_", "slot"):
        assert word not in text.lower(), word
    assert not re.search(r"^\s*-?\s*topic\s*:", text, re.M)  # no slot written as a key


def test_the_guide_table_of_words_is_the_one_the_runner_reads():
    text = GUIDE.read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| `([^`]+)` \| (.+?) \|$", text, re.M))
    assert rows == WORDS


def test_the_guide_commands_are_real_make_targets():
    text = GUIDE.read_text(encoding="utf-8")
    commands = [line.strip() for info, body in fenced(text) if info == "bash" for line in body.splitlines()
                if line.strip().startswith("make ")]
    assert commands == ["make test-stories", "make test-stories FILE=evaluation/stories/my-tests.yml"]
    for command in commands:
        done = subprocess.run(["make", "-n", *command.split()[1:]], cwd=PROJECT, capture_output=True, text=True,
                              timeout=60)
        assert done.returncode == 0, done.stderr
        wanted = command.partition("FILE=")[2] or "evaluation/stories"
        assert f"--stories {wanted} " in done.stdout


def test_the_guide_image_is_there():
    for image in re.findall(r"!\[[^]]*\]\(([^)]+)\)", GUIDE.read_text(encoding="utf-8")):
        assert (GUIDE.parent / image).is_file(), image
