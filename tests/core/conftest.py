import hashlib
import os
import pickle
from pathlib import Path

import pytest
from filelock import FileLock

from clinic_faq_dev.content import training_examples

CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "ketamine-clinic-faq" / "test-detectors"


def _detectors_key() -> str:
    """What the trained detectors depend on: the NLU and guardrail data and the code that trains and encodes."""
    import clinic_faq.core.asking as asking
    import clinic_faq.core.detectors as module
    import clinic_faq.core.encoder as encoder
    import clinic_faq.core.normalize as normalize
    import clinic_faq.core.social as social

    digest = hashlib.sha256(module.data_fingerprint().encode())
    for intent, text in training_examples():
        digest.update(f"{intent}\t{text}\n".encode())
    for source in (module, encoder, normalize, asking, social):
        digest.update(Path(str(source.__file__)).read_bytes())
    return digest.hexdigest()[:20]


@pytest.fixture(scope="session")
def detectors():
    """The learned detectors as the model trains them: the project's own data, with the pre-trained
    sentence encoder (about 40 s on 2 cores; kept in the user's cache under a hash of the data and the
    code, so only a change trains them again)."""
    from clinic_faq.core.detectors import Detectors
    from clinic_faq.core.encoder import get_encoder

    path = CACHE / f"{_detectors_key()}.pkl"
    CACHE.mkdir(parents=True, exist_ok=True)
    # One worker trains, the other waits for its file (make test runs two).
    with FileLock(str(CACHE / "train.lock")):
        if path.exists():
            with open(path, "rb") as f:
                return pickle.load(f)
        trained = Detectors.train(training_examples(), embed=get_encoder().encode)
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        with open(partial, "wb") as f:
            pickle.dump(trained, f)
        partial.replace(path)
        for old in sorted(CACHE.glob("*.pkl"), key=lambda p: p.stat().st_mtime)[:-3]:  # keep the last three
            old.unlink(missing_ok=True)
        return trained


@pytest.fixture(scope="session")
def encode():
    from clinic_faq.core.encoder import get_encoder

    return get_encoder().encode_one
