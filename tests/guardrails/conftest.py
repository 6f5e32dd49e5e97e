import glob
import re

import pytest
import yaml


def nlu_examples():
    """(intent, text) pairs of data/nlu, entity markup removed."""
    out = []
    for path in sorted(glob.glob("data/nlu/*.yml")):
        with open(path, encoding="utf-8") as f:
            data = yaml.safe_load(f) or {}
        for item in data.get("nlu") or []:
            if "intent" not in item:
                continue
            for line in item["examples"].splitlines():
                line = line.strip()
                if line.startswith("- "):
                    out.append((item["intent"], re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", line[2:])))
    return out


@pytest.fixture(scope="session")
def detectors():
    """The learned detectors, trained once per test session on the project's own data (about 6 s)."""
    from guardrails.detectors import Detectors

    return Detectors.train(nlu_examples())
