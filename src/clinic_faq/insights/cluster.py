"""The unanswered messages, grouped by similarity: what people ask that the assistant does not answer yet.

1. Every text is redacted again (`clinic_faq.core.phi`: the channels did it before storage; this is a
   second net) and normalized (case, spaces, end punctuation), so the same question written twice is
   one *distinct message* with a count and the set of conversations that wrote it.
2. The distinct messages' content words (common words such as "can", "the", "de", greetings and
   "please" left out; plurals and -ing lightly stemmed) become TF-IDF vectors of character (3-5, within
   words) and word (1-2) n-grams: spelling slips and word order matter little. The inverse document frequencies are learned over the messages together with
   the assistant's training examples (data/nlu/), so the words every question about the therapy shares
   ("ketamine", "infusion", "clinic") weigh little and what is new weighs most. Up to `SMALL` distinct
   messages are grouped by average-linkage agglomerative clustering on cosine distance, cut at `threshold`
   (no number of groups to choose). Beyond that, the `SMALL` most frequent are grouped so, every other
   message joins the group it is on average closest to if that is within the threshold (the same rule as
   average linkage), and what is left is grouped the same way, most frequent first, until none is left:
   the large groups are exact, and memory stays bounded at any size.
3. Groups are ranked by their number of messages, largest first.

Privacy: a distinct message is shown as an example (and used for the NLU block, the story and the key
words) only when at least `min_conversations` different conversations wrote it, unless the clinic has
turned `show_single_conversation_messages` on. The others are counted, never shown.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence, Set, Tuple

import numpy as np
import numpy.typing as npt

from clinic_faq.core.phi import PLACEHOLDER_RE, redact
from clinic_faq.insights.aggregate import Settings, Unanswered

Vectors = npt.NDArray[np.float64]
Labels = npt.NDArray[np.int64]
# The cosine distance (average linkage) below which messages are one group. Chosen on the benchmark's
# 87,000 unanswered messages (docs/benchmarks/insights.md): 0.75 keeps the 25 largest groups 97% pure
# (0.8: 95%, 0.85: 91%) while one question's phrasings still meet.
DEFAULT_THRESHOLD = 0.75
SMALL = 2000  # distinct messages grouped at once by agglomerative clustering (memory grows with its square)
CHUNK = 2048
MAX_EXAMPLES = 5
MAX_FEATURES = 50_000
_PUNCT_END = re.compile(r"^[\s\"'“”‘’.,;:!?¿¡()-]+|[\s\"'“”‘’.,;:!?¿¡()-]+$")
_SPACES = re.compile(r"\s+")
_PLACEHOLDER_LOWER = re.compile(PLACEHOLDER_RE.pattern, re.IGNORECASE)
# Words too common to describe a group (with scikit-learn's English list).
SPANISH_STOP_WORDS = frozenset(
    "a al algo como con cual cuando de del el ella en es esta este esto la las le lo los me mi mis muy no o "
    "para pero por que qué se si sí su sus te tengo tiene un una uno y ya yo hay puedo puede usted ustedes "
    "hola gracias cómo cuánto cuanto donde dónde".split()
)
# Who a question is for: part of it, but not what it is about (left out of the key words only).
PEOPLE_WORDS = frozenset(
    "mom mum mother dad father husband wife son daughter sister brother friend mamá mama papá papa esposo "
    "esposa hijo hija hermano hermana".split()
)
# Greetings and politeness around a question, in either language: they say nothing about what is asked.
FILLER_WORDS = frozenset(
    "hi hii hello helo hey heya yo good morning afternoon evening please pls plz thanks thank thx ty "
    "quick question um uh ok okay asap sorry hola buenos buenas dias días tardes noches favor porfa "
    "disculpe oiga pregunta".split()
)


def normalize(text: str) -> str:
    """One form for the same question however it was typed: lower case, single spaces, no end punctuation
    (the redaction placeholders keep their capitals: [NAME], [PHONE])."""
    text = unicodedata.normalize("NFC", text).replace("’", "'").lower()
    text = _PUNCT_END.sub("", _SPACES.sub(" ", text))
    return _PLACEHOLDER_LOWER.sub(lambda m: m.group(0).upper(), text)


@dataclass
class Example:
    text: str
    messages: int
    conversations: int
    language: str = "en"  # the language most of its messages were answered in


@dataclass
class Cluster:
    number: int  # 1 = the largest
    messages: int
    conversations: int
    reasons: Dict[str, int]
    languages: Dict[str, int]
    closest_topic: Optional[str]
    closest_topic_share: float  # of the group's messages whose closest topic it is
    closest_intent: Optional[str] = None  # the intent of that topic
    examples: List[Example] = field(default_factory=list)  # shown: each written in enough conversations
    hidden: int = 0  # distinct messages not shown (too few conversations wrote them)
    distinct: int = 0  # distinct messages in all
    keywords: List[str] = field(default_factory=list)  # from the shown examples only
    first: float = 0.0
    last: float = 0.0

    @property
    def language(self) -> str:
        return max(self.languages, key=lambda k: self.languages[k]) if self.languages else "en"

    @property
    def label(self) -> str:
        return " ".join(self.keywords[:3]) if self.keywords else f"group {self.number}"


@dataclass
class _Distinct:
    text: str
    members: List[int] = field(default_factory=list)  # indices into the unanswered messages
    conversations: Set[str] = field(default_factory=set)


def find_clusters(
    items: Sequence[Unanswered], settings: Settings, threshold: float = DEFAULT_THRESHOLD,
    max_examples: int = MAX_EXAMPLES, background: Sequence[str] = (),
) -> Tuple[List[Cluster], List[int]]:
    """The groups, largest first, and each item's group number (its position in `items`, 0 for an empty
    text). `background`: texts that only weigh the words (the training examples), never grouped."""
    distinct: Dict[str, _Distinct] = {}
    for i, item in enumerate(items):
        key = normalize(redact(item.text).text)
        entry = distinct.get(key)
        if entry is None:
            entry = distinct[key] = _Distinct(key)
        entry.members.append(i)
        entry.conversations.add(item.conversation)
    entries = [e for e in distinct.values() if e.text]
    labels = group([e.text for e in entries], np.array([len(e.members) for e in entries], dtype=float), threshold,
                   background)
    grouped: Dict[int, List[_Distinct]] = {}
    for entry, label in zip(entries, labels, strict=True):
        grouped.setdefault(int(label), []).append(entry)
    groups = list(grouped.values())
    clusters = [_describe(members, items, settings, max_examples) for members in groups]
    order = sorted(range(len(clusters)), key=lambda c: (-clusters[c].messages, -clusters[c].conversations,
                                                        clusters[c].first))
    numbers = [0] * len(items)
    ranked = []
    for number, c in enumerate(order, start=1):
        cluster = clusters[c]
        cluster.number = number
        ranked.append(cluster)
        for entry in groups[c]:
            for i in entry.members:
                numbers[i] = number
    return ranked, numbers


def _describe(members: List[_Distinct], items: Sequence[Unanswered], settings: Settings, max_examples: int) -> Cluster:
    indices = [i for entry in members for i in entry.members]
    reasons = Counter(items[i].reason for i in indices)
    languages = Counter(items[i].language for i in indices)
    topics = Counter(items[i].closest_topic for i in indices if items[i].closest_topic)
    topic, topic_count = topics.most_common(1)[0] if topics else (None, 0)
    conversations: Set[str] = set().union(*(entry.conversations for entry in members))
    allowed = settings.show_single_conversation_messages
    shown = [e for e in members if allowed or len(e.conversations) >= settings.min_conversations]
    shown.sort(key=lambda e: (-len(e.conversations), -len(e.members), e.text))
    timestamps = [items[i].timestamp for i in indices]
    return Cluster(
        number=0, messages=len(indices), conversations=len(conversations), reasons=dict(reasons.most_common()),
        languages=dict(languages.most_common()), closest_topic=topic, closest_intent=settings.intent_of_topic(topic),
        closest_topic_share=topic_count / len(indices) if indices else 0.0,
        examples=[Example(e.text, len(e.members), len(e.conversations),
                          Counter(items[i].language for i in e.members).most_common(1)[0][0]) for e in shown[:max_examples]],
        hidden=len(members) - len(shown), distinct=len(members),
        keywords=keywords([e.text for e in shown], [len(e.members) for e in shown]),
        first=min(timestamps), last=max(timestamps),
    )


def keywords(texts: Sequence[str], weights: Sequence[int], n: int = 4) -> List[str]:
    """The words that say what a group is about, most frequent first (shown examples only)."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    counts: Counter[str] = Counter()
    for text, weight in zip(texts, weights, strict=True):
        for word in set(re.findall(r"[^\W\d_]{3,}", _PLACEHOLDER_LOWER.sub(" ", text))):
            if word not in ENGLISH_STOP_WORDS and word not in SPANISH_STOP_WORDS and word not in FILLER_WORDS \
                    and word not in PEOPLE_WORDS:
                counts[word] += weight
    return [word for word, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:n]]


def content_words(text: str) -> str:
    """The words that carry the question (placeholders and common words left out); the text itself if none."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    words = [stem(w) for w in re.findall(r"\w+", _PLACEHOLDER_LOWER.sub(" ", text.lower()))
             if w not in ENGLISH_STOP_WORDS and w not in SPANISH_STOP_WORDS and w not in FILLER_WORDS]
    return " ".join(words) or text.lower()


def stem(word: str) -> str:
    """A light stem, so "parking" meets "park" and "wheelchairs" "wheelchair" (English and Spanish plurals)."""
    if len(word) > 5 and word.endswith("ing"):
        return word[:-3]
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("ches", "shes", "sses", "xes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def vectors(texts: Sequence[str], background: Sequence[str] = ()) -> Any:
    """Unit-length TF-IDF vectors (a sparse matrix) of the texts' content-word character and word n-grams."""
    from scipy.sparse import hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.preprocessing import normalize as unit

    content = [content_words(t) for t in texts]
    corpus = content + [content_words(t) for t in background]
    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, max_features=MAX_FEATURES,
                            dtype=np.float32).fit(corpus)
    words = TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True, token_pattern=r"(?u)\b\w+\b",
                            max_features=MAX_FEATURES, dtype=np.float32).fit(corpus)
    return unit(hstack([chars.transform(content), words.transform(content)]).tocsr())


def group(texts: Sequence[str], weights: Vectors, threshold: float = DEFAULT_THRESHOLD,
          background: Sequence[str] = ()) -> Labels:
    """A group label for each text (labels are arbitrary integers)."""
    from scipy.sparse import csr_matrix, vstack

    n = len(texts)
    if n <= 1:
        return np.zeros(n, dtype=np.int64)
    x = vectors(texts, background)
    labels = np.full(n, -1, dtype=np.int64)
    remaining = np.argsort(-np.asarray(weights), kind="stable")  # the most frequent messages first
    centres: List[Any] = []
    while len(remaining):
        seeds, rest = remaining[:SMALL], remaining[SMALL:]
        found = _agglomerate(x[seeds], threshold)
        count = int(found.max()) + 1
        first = sum(c.shape[0] for c in centres)
        labels[seeds] = found + first
        sizes = np.bincount(found, minlength=count).astype(np.float32)
        # Each new group's mean vector: a message's mean cosine similarity to the group's members is its
        # dot product with it, the quantity average linkage compares with the threshold.
        mean = csr_matrix((1.0 / sizes[found], (found, np.arange(len(seeds)))), shape=(count, len(seeds)))
        centres.append(mean @ x[seeds])
        if not len(rest):
            break
        every = vstack(centres).T.tocsc()
        left = []
        for start in range(0, len(rest), CHUNK):
            chunk = rest[start:start + CHUNK]
            similarity = (x[chunk] @ every).toarray()
            best = similarity.argmax(axis=1)
            joins = 1.0 - similarity[np.arange(len(chunk)), best] <= threshold
            labels[chunk[joins]] = best[joins]
            left.append(chunk[~joins])
        remaining = np.concatenate(left)
    return labels


def _agglomerate(x: Any, threshold: float) -> Labels:
    """Average-linkage groups of unit vectors (rows of a sparse matrix), cut at a cosine distance."""
    from sklearn.cluster import AgglomerativeClustering

    if x.shape[0] == 1:
        return np.zeros(1, dtype=np.int64)
    distances = np.clip(1.0 - (x @ x.T).toarray(), 0.0, 2.0)
    model = AgglomerativeClustering(n_clusters=None, distance_threshold=threshold, affinity="precomputed",
                                    linkage="average")
    labels: Labels = model.fit_predict(distances).astype(np.int64)
    return labels
