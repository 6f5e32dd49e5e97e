import pytest

from clinic_faq_dev.content import training_examples


@pytest.fixture(scope="session")
def detectors():
    """The learned detectors, trained once per test session on the project's own data (about 6 s)."""
    from clinic_faq.core.detectors import Detectors

    return Detectors.train(training_examples())
