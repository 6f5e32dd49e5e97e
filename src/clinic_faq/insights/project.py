"""What the report reads from the project itself: the answer topics and the training examples."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional, Tuple

import yaml

from clinic_faq.paths import project_file


def topic_intents(domain: Optional[Path] = None) -> Tuple[Tuple[str, str], ...]:
    """(topic, intent) for each topic the assistant answers: the `topic` slot's values in domain.yml, each
    with its intent (`ask_<topic>`, or the topic's own name: `book_consultation`); empty if unreadable."""
    path = domain or project_file("domain.yml")
    try:
        with open(path, encoding="utf-8") as f:
            content = yaml.safe_load(f) or {}
        values = (content.get("slots") or {}).get("topic", {}).get("values") or []
        intents = {str(i) for i in content.get("intents") or [] if isinstance(i, str)}
    except (OSError, yaml.YAMLError, AttributeError):
        return ()
    pairs = []
    for topic in map(str, values):
        intent = f"ask_{topic}" if f"ask_{topic}" in intents else topic if topic in intents else None
        if intent:
            pairs.append((topic, intent))
    return tuple(pairs)


def training_examples(nlu_dir: Optional[Path] = None) -> List[str]:
    """Every training example in data/nlu/ (English and Spanish), without entity markup."""
    root = nlu_dir or project_file("data", "nlu")
    texts: List[str] = []
    for path in sorted(root.rglob("*.yml")) if root.is_dir() else []:
        try:
            with open(path, encoding="utf-8") as f:
                blocks = (yaml.safe_load(f) or {}).get("nlu") or []
        except (OSError, yaml.YAMLError):
            continue
        for block in blocks:
            for line in str(block.get("examples") or "").splitlines():
                line = line.strip()
                if line.startswith("- "):
                    texts.append(line[2:])
    return texts
