"""Learned screens over the whole message: the domain gate, the crisis detector and the intent model.

All are linear models (logistic regression) over one representation of the message:

- the pre-trained multilingual sentence vector (clinic_faq.core.encoder: Universal Sentence Encoder v3),
  which carries what the project's few thousand examples cannot: how people say things it never saw,
  in English and Spanish alike;
- beside it, TF-IDF features of character n-grams (2-5, inside word boundaries, so typos, run-on words
  and Spanish share features) and word uni- and bigrams of the normalized text
  (clinic_faq.core.normalize), which keep the exact words that matter (drug names, "ketamine").

The sentence vector is computed once per message (in the Rasa server by the pipeline's
`SentenceEncoderFeaturizer`) and handed in; the models are pure scikit-learn: no Rasa, no network.

- `DomainGate`: is this message for the clinic assistant at all? Trained on every NLU example the
  assistant handles (all intents but `out_of_scope`) against the out-of-domain set in
  `data/guardrails/out_of_domain.yml` (42 unrelated domains) plus the `out_of_scope` examples. Its
  decision does not rest on the intent classifier's softmax, which always picks one of its intents.
- `Detectors.clinic_practical` (a `DomainGate` of its own): is a practical question the clinic's front desk's, or
  another office's or a general assistant's? Trained on the practical intents' examples and the front desk's
  questions (`data/guardrails/in_domain.yml`) against the out-of-domain ones; asked where the gate doubts a practical
  question (clinic_faq.core.decision, `practical_clinic`).
- `CrisisDetector`: urgent danger, concern, or none, trained on `data/guardrails/crisis.yml` and
  `crisis_outside.yml` (written apart from the project) plus the `emergency` examples (urgent) and every
  other example (none). It is OR-ed with the phrase rules of
  src/clinic_faq/core/screen.py and tuned for recall.

Why this representation: measured in docs/nlu-pipeline.md (`make compare-representations`), on data the
project did not write.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Collection, Dict, Iterable, List, Optional, Sequence, Tuple

import numpy as np
import numpy.typing as npt
import yaml
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from clinic_faq.core import language, linear
from clinic_faq.core.asking import is_long, request_of_long
from clinic_faq.core.contract import PRACTICAL_INTENTS
from clinic_faq.core.normalize import normalize
from clinic_faq.core.social import long_clauses, sentences, strip_social
from clinic_faq.paths import project_file

FloatArray = npt.NDArray[np.float64]
IndexArray = npt.NDArray[np.int64]
# One vectorizer's part of the fast path: (analyzer, vocabulary, idf, offset of its first column).
_FastPart = Tuple[Callable[[str], List[str]], Dict[str, int], npt.NDArray[np.float32], int]


def default_data_dir() -> Path:
    """`data/guardrails/` in the project directory: the detectors' own training data."""
    return project_file("data", "guardrails")
URGENT, CONCERN, NONE = "urgent", "concern", "none"


# Sentence vectors of a list of texts, one row each (clinic_faq.core.encoder.SentenceEncoder.encode).
Embed = Callable[[Sequence[str]], npt.NDArray[np.float32]]


# A sentence of fewer words is not scored on its own ("I'm dying here", "im over it"): too short to tell.
PART_MIN_WORDS = 5

# A long message's sentences are read alone only when the long messages' detector sees at least this much of a crisis
# in the whole (urgent or concern). Below it, a sentence with a word of death in calm grief ("we buried my grandpa
# today") or a carer's week made the short messages' detector alarm; every long crisis of the development halves
# scores 0.11 or more as a whole (docs/nlu-pipeline.md, "A third reading for long messages").
LONG_PARTS_GATE = 0.1


class Featurizer:
    """Character and word n-gram TF-IDF of the normalized text, and the sentence vector beside them.

    With `dense_weight` > 0 the featurizer is fitted with sentence vectors and every call must pass them
    (the columns after the n-grams hold `dense_weight` times the vector). `transform` is scikit-learn's
    (for batches); `transform_one` computes the same row for one message with plain dictionaries, about
    20 times faster than scikit-learn's per-call overhead (tests/core/test_detectors.py checks that both
    agree).
    """

    def __init__(self, dense_weight: float = 0.0, word_min_df: int = 1) -> None:
        self.chars = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True, max_features=150_000, dtype=np.float32
        )
        self.words = TfidfVectorizer(
            analyzer="word", ngram_range=(1, 2), min_df=word_min_df, sublinear_tf=True, token_pattern=r"(?u)\b\w+\b",
            dtype=np.float32,
        )
        self.dense_weight = dense_weight
        self.dense_dims = 0
        self._fast: Optional[List[_FastPart]] = None

    @staticmethod
    def _prepare(texts: Iterable[str]) -> List[str]:
        return [normalize(t if isinstance(t, str) else "") for t in texts]

    def _with_dense(self, x: sparse.csr_matrix, dense: Optional[npt.NDArray[Any]]) -> sparse.csr_matrix:
        if not self.dense_weight:
            return x
        if dense is None or dense.shape != (x.shape[0], self.dense_dims):
            raise ValueError(f"this featurizer needs a {self.dense_dims}-dimensional sentence vector per text")
        return sparse.hstack([x, sparse.csr_matrix(np.asarray(dense, dtype=np.float32) * self.dense_weight)]).tocsr()

    def fit_transform(self, texts: Sequence[str], dense: Optional[npt.NDArray[Any]] = None) -> sparse.csr_matrix:
        prepared = self._prepare(texts)
        x = sparse.hstack([self.chars.fit_transform(prepared), self.words.fit_transform(prepared)]).tocsr()
        self.dense_dims = int(dense.shape[1]) if self.dense_weight and dense is not None else 0
        self._fast = None
        return self._with_dense(x, dense)

    def transform(self, texts: Sequence[str], dense: Optional[npt.NDArray[Any]] = None) -> sparse.csr_matrix:
        prepared = self._prepare(texts)
        x = sparse.hstack([self.chars.transform(prepared), self.words.transform(prepared)]).tocsr()
        return self._with_dense(x, dense)

    @property
    def sparse_width(self) -> int:
        return len(self.chars.vocabulary_) + len(self.words.vocabulary_)

    @property
    def dense_from(self) -> Optional[int]:
        """The first column of the sentence vector in this featurizer's rows (None: n-grams alone), for
        clinic_faq.core.linear.fit."""
        return self.sparse_width if self.dense_weight and self.dense_dims else None

    def _fast_parts(self) -> List[_FastPart]:
        if self._fast is None:
            parts: List[_FastPart] = []
            offset = 0
            for vectorizer in (self.chars, self.words):
                vocabulary = vectorizer.vocabulary_
                parts.append((vectorizer.build_analyzer(), vocabulary, vectorizer.idf_, offset))
                offset += len(vocabulary)
            self._fast = parts
        return self._fast

    def transform_one(self, text: str, dense: Optional[npt.NDArray[Any]] = None) -> Tuple[IndexArray, FloatArray]:
        """(column indices, values) of one message's feature vector."""
        prepared = normalize(text if isinstance(text, str) else "")
        indices: List[IndexArray] = []
        values: List[FloatArray] = []
        for analyzer, vocabulary, idf, offset in self._fast_parts():
            counts: Dict[int, int] = {}
            for gram in analyzer(prepared):
                column = vocabulary.get(gram)
                if column is not None:
                    counts[column] = counts.get(column, 0) + 1
            if not counts:
                continue
            columns = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
            tf = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
            weights = (1.0 + np.log(tf)) * idf[columns]
            weights /= np.sqrt((weights * weights).sum())
            indices.append(columns + offset)
            values.append(weights)
        if self.dense_weight:
            if dense is None or np.shape(dense) != (self.dense_dims,):
                raise ValueError(f"this featurizer needs a {self.dense_dims}-dimensional sentence vector")
            indices.append(np.arange(self.dense_dims, dtype=np.int64) + self.sparse_width)
            values.append(np.asarray(dense, dtype=np.float64) * self.dense_weight)
        if not indices:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        return np.concatenate(indices), np.concatenate(values)

    def __getstate__(self) -> Dict[str, Any]:
        state = dict(self.__dict__)
        state["_fast"] = None  # analyzers are closures: rebuilt after loading
        return state

    def __setstate__(self, state: Dict[str, Any]) -> None:
        self.__dict__.update({"dense_weight": 0.0, "dense_dims": 0, **state})


def _probabilities(model: LogisticRegression, indices: IndexArray, values: FloatArray) -> FloatArray:
    """predict_proba of a fitted logistic regression for one sparse row given as (indices, values)."""
    scores = model.coef_[:, indices] @ values + model.intercept_
    if len(model.classes_) == 2:
        p = 1.0 / (1.0 + np.exp(-scores[0]))
        return np.array([1.0 - p, p])
    scores = scores - scores.max()
    e = np.exp(scores)
    probabilities: FloatArray = e / e.sum()
    return probabilities


class DomainGate:
    """P(the message is for this assistant)."""

    def __init__(self, featurizer: Featurizer, c: float = 5.0) -> None:
        self.featurizer = featurizer
        self.model = LogisticRegression(C=c, max_iter=3000, class_weight="balanced")

    def fit(self, x: sparse.csr_matrix, in_domain: npt.NDArray[Any]) -> DomainGate:
        linear.fit(self.model, x, in_domain.astype(int), dense_from=self.featurizer.dense_from)
        return self

    def probability(self, texts: Sequence[str], dense: Optional[npt.NDArray[Any]] = None) -> FloatArray:
        p: FloatArray = self.model.predict_proba(self.featurizer.transform(texts, dense))[:, 1]
        return p


class CrisisDetector:
    """P(urgent), P(concern) for a message; the level is decided by two thresholds."""

    def __init__(self, featurizer: Featurizer, c: float = 5.0) -> None:
        self.featurizer = featurizer
        self.model = LogisticRegression(C=c, max_iter=3000, class_weight="balanced")

    def fit(self, x: sparse.csr_matrix, labels: Sequence[str], start: Optional[CrisisDetector] = None,
            weights: Optional[Sequence[float]] = None) -> CrisisDetector:
        """`start`: a detector fitted on the same features whose weights the fit starts from (fewer iterations);
        `weights`: how much each example counts (all 1 when None)."""
        if start is not None:
            self.model.set_params(warm_start=True)
            self.model.coef_ = start.model.coef_.copy()
            self.model.intercept_ = start.model.intercept_.copy()
        linear.fit(self.model, x, np.asarray(labels), dense_from=self.featurizer.dense_from,
                   sample_weight=None if weights is None else np.asarray(weights, dtype=float))
        return self

    def probabilities(
        self, texts: Sequence[str], dense: Optional[npt.NDArray[Any]] = None
    ) -> Tuple[FloatArray, FloatArray]:
        p: FloatArray = self.model.predict_proba(self.featurizer.transform(texts, dense))
        classes = list(self.model.classes_)
        return p[:, classes.index(URGENT)], p[:, classes.index(CONCERN)]


# ---------------------------------------------------------------------------------------------- data
def _lists_by_name(path: Path, key: str) -> Dict[str, List[str]]:
    """The mapping of names to lists of texts under `key` in a YAML file."""
    with open(path, encoding="utf-8") as f:
        data = yaml.safe_load(f) or {}
    return {str(k): [str(t) for t in v or []] for k, v in (data.get(key) or {}).items()}


def load_out_of_domain(data_dir: Optional[Path] = None) -> Dict[str, List[str]]:
    """The out-of-domain examples by domain."""
    return _lists_by_name((data_dir or default_data_dir()) / "out_of_domain.yml", "domains")


def load_in_domain(data_dir: Optional[Path] = None) -> Dict[str, List[str]]:
    """The clinic's questions taught to the domain gate only (`in_domain.yml`, by intent): an empty mapping when
    the file is absent."""
    path = (data_dir or default_data_dir()) / "in_domain.yml"
    return _lists_by_name(path, "intents") if path.exists() else {}


_CRISIS_LISTS = ("urgent", "concern", "not_crisis")


def _crisis_lists(paths: Sequence[Path]) -> Dict[str, List[str]]:
    """The three lists of crisis examples (urgent, concern, not_crisis) of the files, in order."""
    found: Dict[str, List[str]] = {key: [] for key in _CRISIS_LISTS}
    for path in paths:
        with open(path, encoding="utf-8") as f:
            data = yaml.safe_load(f) or {}
        for key, texts in found.items():
            texts.extend(str(t) for t in data.get(key) or [])
    return found


def load_crisis(data_dir: Optional[Path] = None) -> Dict[str, List[str]]:
    """The crisis detector's examples: urgent, concern and not_crisis, from `crisis.yml` and every `crisis_*.yml`
    beside it (the same three lists; `crisis_outside.yml` holds the ones written apart from the project)."""
    folder = data_dir or default_data_dir()
    return _crisis_lists([folder / "crisis.yml"] + sorted(folder.glob("crisis_*.yml")))


def load_long_crisis(data_dir: Optional[Path] = None) -> Dict[str, List[str]]:
    """The long messages' crisis examples (`long_crisis.yml` and every `long_crisis_*.yml` beside it: the same three
    lists as crisis.yml), read only by the detector of long messages (`Detectors.crisis_of_long`)."""
    folder = data_dir or default_data_dir()
    path = folder / "long_crisis.yml"
    return _crisis_lists(([path] if path.exists() else []) + sorted(folder.glob("long_crisis_*.yml")))


def data_fingerprint(data_dir: Optional[Path] = None) -> str:
    """A hash of the detectors' own training files (Rasa's cache does not see them otherwise)."""
    digest = hashlib.sha256()
    for path in sorted((data_dir or default_data_dir()).glob("*.yml")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


# Intents whose examples are the in-domain side of the gate and "none" for the crisis detector, and the
# intents whose examples teach the crisis detector.
OUT_OF_SCOPE_INTENT = "out_of_scope"
URGENT_INTENTS = ("emergency",)
CONCERN_INTENTS = ("crisis_concern",)
# How much the sentence vector weighs beside the n-grams (both have unit length): chosen on the outside
# development data (docs/nlu-pipeline.md).
DENSE_WEIGHT = 1.0


def _vectors(texts: Sequence[str], embed: Optional[Embed]) -> Optional[npt.NDArray[np.float32]]:
    return None if embed is None else np.asarray(embed(list(texts)), dtype=np.float32)


def _crisis_scores(detector: CrisisDetector, indices: IndexArray, values: FloatArray) -> Tuple[float, float]:
    p = _probabilities(detector.model, indices, values)
    classes = list(detector.model.classes_)
    return float(p[classes.index(URGENT)]), float(p[classes.index(CONCERN)])


def several_parts(text: str, split: Optional[List[str]] = None) -> bool:
    """More than one sentence, or clauses between commas: what `Detectors.crisis_of_parts` reads. `split`: the
    message's sentences when the caller has them already."""
    return len(sentences(text) if split is None else split) > 1 or len([c for c in text.split(",") if c.strip()]) > 1


# Pairs of messages of several parts the crisis detector's second reading learns from (mixed_pairs): chosen on the
# development halves (docs/nlu-pipeline.md).
MIXED_PAIRS = 300
# How much each long example counts beside a short one in the detector of long messages: the long examples are a
# tenth of what it learns from, and counted once, calm posts of grief and caring ("we buried my grandpa today") kept
# their crisis scores. Offline, against 1: dev halves 4 fixed, 0 broken; test halves 1 fixed, 0 broken; 6 measured
# the same (docs/nlu-pipeline.md, "More examples written apart").
LONG_WEIGHT = 3.0
# How a danger and an ordinary question are put together in one message.
_JOINERS = (". ", ", ", "! ", " - also ", "... ", "\n", " ")


def mixed_pairs(danger: Sequence[Tuple[str, str]], benign: Sequence[str], ordinary: Sequence[str], n: int,
                seed: int = 7) -> List[Tuple[str, str]]:
    """`n` pairs of messages that differ only in their danger: a danger example joined to an ordinary question, with
    the danger's label, and an example that only looks dark joined to the same question in the same way, labelled
    none. People put a danger beside an ordinary question ("hey what time is my infusion friday? also ..."); taught
    on single sentences, the detector reads such a message by its ordinary half. In pairs, the ordinary question's
    words are in both classes alike, so only the danger can tell them apart. Each side is paired within its language
    (clinic_faq.core.language)."""
    def lang(text: str) -> str:
        return "es" if "es" in (language.detect(text).language, language.hint(text)) else "en"

    rng = random.Random(seed)
    by_lang: Dict[str, Dict[str, List[Any]]] = {}
    for kind, items in (("danger", list(danger)), ("benign", [(t, NONE) for t in benign]),
                        ("ordinary", [(t, NONE) for t in ordinary])):
        for text, label in items:
            by_lang.setdefault(lang(text), {}).setdefault(kind, []).append((text, label))
    pools = [(code, kinds) for code, kinds in sorted(by_lang.items()) if len(kinds) == 3]
    if not pools:
        return []
    weights = [len(kinds["danger"]) for _, kinds in pools]
    out: List[Tuple[str, str]] = []
    for _ in range(n):
        _, kinds = rng.choices(pools, weights)[0]
        (text, label), (benign_text, _), (question, _) = (rng.choice(kinds[k]) for k in ("danger", "benign", "ordinary"))
        joiner, first = rng.choice(_JOINERS), rng.random() < 0.5
        for part, part_label in ((text, label), (benign_text, NONE)):
            part = part.strip().rstrip(".")
            out.append(((part + joiner + question) if first else (question + joiner + part), part_label))
    return out


@dataclass
class Detectors:
    featurizer: Featurizer
    gate: DomainGate
    crisis: CrisisDetector
    # Also trained on pairs of messages of several parts (mixed_pairs): read only on a message of more than one
    # sentence or clause, beside `crisis` (the higher score counts).
    crisis_of_parts: Optional[CrisisDetector] = None
    # Also trained on long messages (data/guardrails/long_crisis.yml: forum posts, long emails): read instead of the
    # other two on a long message (clinic_faq.core.asking.is_long). Taught on short messages only, the detector read a
    # long, heavy post (calm grief, a carer's venting, good news) as danger; the long examples are kept out of the
    # short messages' detector, whose crises they blurred (docs/nlu-pipeline.md).
    crisis_of_long: Optional[CrisisDetector] = None
    # Is a practical question the clinic's, or another office's or a general assistant's ("what time do you open on
    # saturdays" against "what timezone is hanoi in", "book a nail appointment")? The gate learns the clinic's whole
    # field against everything else, and its in-domain side is mostly medical: on the front desk's terse questions it
    # is unsure either way (0.2-0.6). This model learns only that boundary: the practical intents' examples and the
    # front desk's questions (in_domain.yml) against the out-of-domain examples, in the same feature space.
    clinic_practical: Optional[DomainGate] = None

    @classmethod
    def train(
        cls, examples: Sequence[Tuple[str, str]], data_dir: Optional[Path] = None, embed: Optional[Embed] = None,
        not_for_crisis: Collection[str] = (), mixed: int = MIXED_PAIRS, long: bool = True,
    ) -> Detectors:
        """`examples`: (intent, text) pairs of the NLU training data; `embed`: the sentence encoder (None:
        n-grams alone, as the unit tests of the rules' neighbours use); `not_for_crisis`: texts of examples that
        teach the gate but not the crisis detector (an intent marked `crisis_detector: not_trained` in the NLU
        data: symptoms told in everyday words would teach it that a low mood after a session is ordinary); `long`:
        also train the detector of long messages (`crisis_of_long`) when long_crisis.yml has examples."""
        skip = set(not_for_crisis)
        out_of_domain = [t for texts in load_out_of_domain(data_dir).values() for t in texts]
        out_of_domain += [t for intent, t in examples if intent == OUT_OF_SCOPE_INTENT]
        crisis = load_crisis(data_dir)
        # The front desk's terse questions (data/guardrails/in_domain.yml) teach the gate, and the crisis detector
        # that they are no crisis, but not the intent classifier: taught them, it read everyday talk of traffic and
        # buses as practical questions (docs/nlu-pipeline.md).
        gate_only = [t for texts in load_in_domain(data_dir).values() for t in texts]
        in_domain = [t for intent, t in examples if intent != OUT_OF_SCOPE_INTENT] + gate_only
        urgent = crisis["urgent"] + [t for intent, t in examples if intent in URGENT_INTENTS]
        concern = crisis["concern"] + [t for intent, t in examples if intent in CONCERN_INTENTS]
        not_crisis = crisis["not_crisis"] + gate_only + [
            t for intent, t in examples if intent not in URGENT_INTENTS + CONCERN_INTENTS and t not in skip
        ]

        # One feature space for both models: every text once, with its gate and crisis labels.
        rows: Dict[str, Tuple[Optional[int], Optional[str]]] = {}
        for text in out_of_domain:
            rows.setdefault(text, (0, None if text in skip else NONE))
        for text in not_crisis:
            rows[text] = (rows.get(text, (None, NONE))[0], NONE)
        for text in in_domain:
            rows[text] = (1, rows.get(text, (1, None if text in skip else NONE))[1])
        for text in concern:
            rows[text] = (1, CONCERN)
        for text in urgent:
            rows[text] = (1, URGENT)
        pairs: Dict[str, str] = {}
        if mixed:
            ordinary = [t for intent, t in examples
                        if intent not in URGENT_INTENTS + CONCERN_INTENTS + (OUT_OF_SCOPE_INTENT,) and t not in skip]
            danger = [(t, URGENT) for t in urgent] + [(t, CONCERN) for t in concern]
            pairs = {text: label for text, label in mixed_pairs(danger, crisis["not_crisis"], ordinary, mixed)
                     if text not in rows}
        texts = list(rows) + list(pairs)
        featurizer = Featurizer(dense_weight=DENSE_WEIGHT if embed else 0.0)
        x = featurizer.fit_transform(texts, _vectors(texts, embed))
        gate_rows = np.array([t in rows and rows[t][0] is not None for t in texts])
        gate = DomainGate(featurizer).fit(x[gate_rows], np.array([rows[t][0] for t in np.array(texts)[gate_rows]]))
        labels = [rows[t][1] if t in rows else pairs[t] for t in texts]
        crisis_labels = [(i, label) for i, label in enumerate(labels[: len(rows)]) if label is not None]
        detector = CrisisDetector(featurizer).fit(x[[i for i, _ in crisis_labels]], [label for _, label in crisis_labels])
        single = list(crisis_labels)  # the examples as written, without the pairs
        of_parts = None
        if pairs:
            crisis_labels += [(i, str(labels[i])) for i in range(len(rows), len(texts))]
            of_parts = CrisisDetector(featurizer).fit(x[[i for i, _ in crisis_labels]], [label for _, label in crisis_labels],
                                                      start=detector)
        of_long = None
        long_examples = load_long_crisis(data_dir) if long else {}
        long_rows = [(t, label) for label, key in ((URGENT, "urgent"), (CONCERN, "concern"), (NONE, "not_crisis"))
                     for t in long_examples.get(key, []) if t not in rows]
        if long_rows:
            # The long examples are read in the feature space the other models were fitted in (not fitted into it),
            # so that the gate and the short messages' detectors stay as they are.
            long_texts = [t for t, _ in long_rows]
            x_long = featurizer.transform(long_texts, _vectors(long_texts, embed))
            of_long = CrisisDetector(featurizer).fit(
                sparse.vstack([x[[i for i, _ in single]], x_long]).tocsr(),
                [str(label) for _, label in single] + [label for _, label in long_rows],
                start=detector, weights=[1.0] * len(single) + [LONG_WEIGHT] * len(long_rows))
        practical = set(gate_only) | {t for intent, t in examples if intent in PRACTICAL_INTENTS}
        boundary = [i for i, t in enumerate(texts) if t in rows and (t in practical or rows[t][0] == 0)]
        clinic_practical = DomainGate(featurizer).fit(
            x[boundary], np.array([int(texts[i] in practical) for i in boundary]))
        return cls(featurizer=featurizer, gate=gate, crisis=detector, crisis_of_parts=of_parts, crisis_of_long=of_long,
                   clinic_practical=clinic_practical)

    def score(self, text: str, dense: Optional[npt.NDArray[Any]] = None,
              of_parts: bool = False, long: bool = False) -> Tuple[float, float, float]:
        """(P(in domain), P(urgent), P(concern)) for one message and its sentence vector; with `of_parts` (a
        message of several parts) the higher of `crisis` and `crisis_of_parts`; with `long` (a long message),
        `crisis_of_long` alone when there is one."""
        indices, values = self.featurizer.transform_one(text, dense)
        p_in = float(_probabilities(self.gate.model, indices, values)[1])
        if long and self.crisis_of_long is not None:
            return (p_in, *_crisis_scores(self.crisis_of_long, indices, values))
        urgent, concern = _crisis_scores(self.crisis, indices, values)
        if of_parts and self.crisis_of_parts is not None:
            parts_urgent, parts_concern = _crisis_scores(self.crisis_of_parts, indices, values)
            urgent, concern = max(urgent, parts_urgent), max(concern, parts_concern)
        return p_in, urgent, concern

    def practical(self, text: str, dense: Optional[npt.NDArray[Any]] = None) -> Optional[float]:
        """P(a practical question is the clinic's: `clinic_practical`); None from a model trained without it."""
        if self.clinic_practical is None:
            return None
        indices, values = self.featurizer.transform_one(text, dense)
        return float(_probabilities(self.clinic_practical.model, indices, values)[1])

    def score_message(
        self,
        text: str,
        dense: Optional[npt.NDArray[Any]] = None,
        embed: Optional[Embed] = None,
        evidence: Optional[Callable[[str], bool]] = None,
    ) -> Tuple[float, float, float]:
        """`score`, with the crisis scores of parts of the message too, the higher of each:
        - the message without the social clauses around it (clinic_faq.core.social.strip_social): "buenas noches,
          ojalá no despertar mañana" scored concern 0.07 whole and 0.27 without the greeting (danger 0.12 and 0.50);
        - with `evidence` (SafetyScreen.has_evidence), each of its sentences, and of its long clauses between commas,
          that holds a word of danger or distress (clinic_faq.core.social.sentences, long_clauses): a danger told
          beside an ordinary question ("prefiero estar muerta que pasar otro año así. ¿cuál es la dirección?":
          concern 0.00 whole) is read as said. A part without such a word is not scored alone: short fragments look
          like anything.
        A long message's parts are read only when the long reading of the whole reaches `LONG_PARTS_GATE`.
        `embed` encodes the shorter texts when the detectors read sentence vectors; without it the message's own
        scores are kept."""
        split = sentences(text)
        long = is_long(text, split) and self.crisis_of_long is not None
        p_in, urgent, concern = self.score(text, dense, of_parts=several_parts(text, split), long=long)
        if long and max(urgent, concern) < LONG_PARTS_GATE:
            return p_in, urgent, concern
        parts: List[str] = []
        core = strip_social(text)
        if core != text:
            parts.append(core)
        if evidence is not None:
            candidates = dict.fromkeys(split + long_clauses(text, split))
            parts.extend(p for p in candidates
                         if p != text and p not in parts and len(p.split()) >= PART_MIN_WORDS and evidence(p))
        if not parts or (self.uses_sentence_vectors and embed is None):
            return p_in, urgent, concern
        part_dense: Any = [None] * len(parts)
        if self.uses_sentence_vectors and embed is not None:
            part_dense = np.asarray(embed(parts), dtype=np.float32)
        for part, vector in zip(parts, part_dense, strict=True):
            # a part is a short text: the short messages' detectors read it
            _, part_urgent, part_concern = self.score(part, vector)
            urgent, concern = max(urgent, part_urgent), max(concern, part_concern)
        return p_in, urgent, concern

    def asked_in_domain(self, text: str, embed: Optional[Embed] = None) -> Optional[float]:
        """P(in domain) of what a long message asks (asking.request_of_long), read without the story around it: "My wife
        was diagnosed with ovarian cancer in the spring ... How and when should I prune climbing roses?" scored 0.49
        whole and 0.01 asked. None for a message that is not long or asks nothing, and when the gate reads sentence
        vectors and `embed` is missing."""
        asked = request_of_long(text)
        if asked is None or (self.uses_sentence_vectors and embed is None):
            return None
        dense = np.asarray(embed([asked]), dtype=np.float32)[0] if self.uses_sentence_vectors and embed else None
        indices, values = self.featurizer.transform_one(asked, dense)
        return float(_probabilities(self.gate.model, indices, values)[1])

    @property
    def uses_sentence_vectors(self) -> bool:
        return bool(self.featurizer.dense_weight)


class IntentModel:
    """The intent classifier: logistic regression over the same features, one class per intent.

    Chosen over DIET by measurement (docs/nlu-pipeline.md): more accurate on every held-out set, and it
    trains in seconds instead of minutes.
    """

    def __init__(self, c: float = 20.0, dense_weight: float = DENSE_WEIGHT) -> None:
        # Words and word pairs seen in one example only are left out (a third of the features), and the fit stops
        # at a looser tolerance: the fit takes about half the time, and the decisions on the development halves are
        # as before (10 fixed, 11 broken of 6,158 expectations; docs/nlu-pipeline.md).
        self.featurizer = Featurizer(dense_weight=dense_weight, word_min_df=2)
        self.model = LogisticRegression(C=c, max_iter=3000, tol=1e-2)

    def fit(self, examples: Sequence[Tuple[str, str]], embed: Optional[Embed] = None) -> IntentModel:
        texts = [t for _, t in examples]
        if embed is None:
            self.featurizer.dense_weight = 0.0
        x = self.featurizer.fit_transform(texts, _vectors(texts, embed))
        linear.fit(self.model, x, [i for i, _ in examples], dense_from=self.featurizer.dense_from)
        return self

    @property
    def uses_sentence_vectors(self) -> bool:
        return bool(self.featurizer.dense_weight)

    def rank(self, text: str, dense: Optional[npt.NDArray[Any]] = None) -> List[Tuple[str, float]]:
        """Every intent with its probability, most likely first."""
        indices, values = self.featurizer.transform_one(text, dense)
        p = _probabilities(self.model, indices, values)
        order = np.argsort(-p)
        return [(str(self.model.classes_[i]), float(p[i])) for i in order]
