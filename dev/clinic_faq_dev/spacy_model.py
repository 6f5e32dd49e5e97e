"""Builds the project's spaCy pipeline on disk, for Rasa's SpacyNLP component.

No pretrained spaCy pipeline can be downloaded here, so this is blank English with the lookup
lemmatizer from `spacy-lookups-data`: `python -m clinic_faq_dev.spacy_model build/spacy/en_clinic`.
"""

from __future__ import annotations

import sys
from pathlib import Path

from clinic_faq.core.screen import build_pipeline


def build(path: Path) -> Path:
    nlp = build_pipeline()
    nlp.meta.update({"name": "clinic", "version": "1.0.0", "description": "blank en + lookup lemmatizer"})
    path.parent.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(path)
    return path


if __name__ == "__main__":
    print(build(Path(sys.argv[1] if len(sys.argv) > 1 else "build/spacy/en_clinic")))
