"""The package's own code in the fingerprints of its Rasa components.

Rasa caches what each component of the training graph produced (`.rasa/cache`) and reuses it when the component's
fingerprint (its class, configuration and inputs) is unchanged. The code of a component is not in that fingerprint:
after a change to how the detectors or the intent classifier learn, `rasa train` would reuse what the old code had
trained. Each component of this package returns `code_fingerprint()` from `fingerprint_addon` (a supported extension
point of Rasa's fingerprinting), so a change to the package's code or patterns retrains them, as a change to their
data does (scripts/train.sh names the model after the same code).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Optional

PACKAGE = Path(__file__).resolve().parents[1]  # src/clinic_faq
_SUFFIXES = (".py", ".yml", ".yaml", ".txt", ".json")


def code_fingerprint(root: Optional[Path] = None) -> str:
    """A hash of the package's source files (code and the patterns beside it): read anew on each call (a few
    milliseconds; Rasa asks once per component and training)."""
    digest = hashlib.sha256()
    base = (root or PACKAGE).resolve()
    for path in sorted(p for p in base.rglob("*") if p.is_file() and p.suffix in _SUFFIXES and "__pycache__" not in p.parts):
        digest.update(str(path.relative_to(base)).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]
