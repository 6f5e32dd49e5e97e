"""A change to the package's code changes the fingerprints Rasa's training cache reads (clinic_faq.rasa_ext.fingerprint):
without it, `rasa train` reused what the old code had trained."""

from pathlib import Path
from typing import Any

import pytest
from rasa.engine.training.fingerprinting import calculate_fingerprint_key

from clinic_faq.rasa_ext import fingerprint
from clinic_faq.rasa_ext.nlu.intent_classifier import LinearIntentClassifier
from clinic_faq.rasa_ext.nlu.language import LanguageDetector
from clinic_faq.rasa_ext.nlu.safety_screen import SafetyScreenComponent
from clinic_faq.rasa_ext.nlu.sentence_encoder import SentenceEncoderFeaturizer


def tree(root: Path) -> Path:
    (root / "core" / "patterns").mkdir(parents=True)
    (root / "core" / "detectors.py").write_text("C = 20\n", encoding="utf-8")
    (root / "core" / "patterns" / "crisis.yml").write_text("urgent: []\n", encoding="utf-8")
    return root


def test_the_fingerprint_follows_code_and_patterns_not_bytecode(tmp_path: Path) -> None:
    root = tree(tmp_path / "clinic_faq")
    first = fingerprint.code_fingerprint(root)
    assert fingerprint.code_fingerprint(root) == first
    (root / "core" / "__pycache__").mkdir()
    (root / "core" / "__pycache__" / "detectors.cpython-310.pyc").write_bytes(b"\x00\x01")
    assert fingerprint.code_fingerprint(root) == first
    (root / "core" / "detectors.py").write_text("C = 10\n", encoding="utf-8")
    second = fingerprint.code_fingerprint(root)
    assert second != first
    (root / "core" / "patterns" / "crisis.yml").write_text("urgent: [x]\n", encoding="utf-8")
    assert fingerprint.code_fingerprint(root) not in (first, second)


def test_the_installed_package_is_fingerprinted() -> None:
    assert (fingerprint.PACKAGE / "core" / "detectors.py").is_file()
    assert len(fingerprint.code_fingerprint()) == 16


@pytest.mark.parametrize("component", [LinearIntentClassifier, SafetyScreenComponent, SentenceEncoderFeaturizer,
                                       LanguageDetector])
def test_rasas_fingerprint_of_each_component_changes_with_the_code(component: Any, tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    root = tree(tmp_path / "clinic_faq")
    monkeypatch.setattr(fingerprint, "PACKAGE", root)
    config = component.get_default_config()
    before = calculate_fingerprint_key(component, config, {})
    assert calculate_fingerprint_key(component, config, {}) == before
    (root / "core" / "detectors.py").write_text("C = 10\n", encoding="utf-8")
    assert calculate_fingerprint_key(component, config, {}) != before
