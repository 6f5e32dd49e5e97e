import pytest

from evaluation.content import training_examples


@pytest.fixture(scope="session")
def detectors():
    """The learned detectors, trained once per test session on the project's own data (about 6 s)."""
    from guardrails.detectors import Detectors

    return Detectors.train(training_examples())
