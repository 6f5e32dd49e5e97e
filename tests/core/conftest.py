import pytest

from clinic_faq_dev.content import training_examples


@pytest.fixture(scope="session")
def detectors():
    """The learned detectors as the model trains them: the project's own data, with the pre-trained
    sentence encoder (about 30 s on 2 cores)."""
    from clinic_faq.core.detectors import Detectors
    from clinic_faq.core.encoder import get_encoder

    return Detectors.train(training_examples(), embed=get_encoder().encode)


@pytest.fixture(scope="session")
def encode():
    from clinic_faq.core.encoder import get_encoder

    return get_encoder().encode_one
