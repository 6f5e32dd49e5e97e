"""Near-duplicates between texts: a held-out message must not be trained on, not even reworded a little.

Two messages are near-duplicates when their sets of words overlap by `threshold` or more (Jaccard: shared
words over all words), after lowercasing, folding accents and dropping punctuation; messages of fewer than
`MIN_WORDS` words ("ok", "gracias") are what everybody writes and are left out. An exact copy scores 1.0;
"how long is a ketamine session" and "how long is one ketamine session" score 0.71.

Used by the tests that keep the evaluation sets and the staff stories out of the training data
(tests/test_content.py, tests/test_story_files.py), and by `python -m clinic_faq_dev.overlap` to check
new data before it is committed.
"""

from __future__ import annotations

import argparse
import re
import sys
import unicodedata
from collections import defaultdict
from pathlib import Path
from typing import Dict, FrozenSet, Iterable, List, Sequence, Set, Tuple

import yaml

MIN_WORDS = 4
THRESHOLD = 0.6
_WORD = re.compile(r"[a-z0-9]+")


def words(text: str) -> FrozenSet[str]:
    folded = unicodedata.normalize("NFKD", text.lower())
    plain = "".join(c for c in folded if not unicodedata.combining(c))
    return frozenset(_WORD.findall(plain))


def jaccard(a: FrozenSet[str], b: FrozenSet[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0


def near_duplicates(
    candidates: Sequence[str], references: Iterable[str], threshold: float = THRESHOLD
) -> List[Tuple[str, str, float]]:
    """(candidate, reference, similarity) for every candidate with a reference at `threshold` or above (the
    closest reference only)."""
    index: Dict[str, Set[int]] = defaultdict(set)
    refs: List[Tuple[str, FrozenSet[str]]] = []
    for text in references:
        bag = words(text)
        if len(bag) < MIN_WORDS:
            continue
        for word in bag:
            index[word].add(len(refs))
        refs.append((text, bag))
    found = []
    for text in candidates:
        bag = words(text)
        if len(bag) < MIN_WORDS:
            continue
        shared: Dict[int, int] = defaultdict(int)
        for word in bag:
            for i in index.get(word, ()):
                shared[i] += 1
        best, best_score = None, 0.0
        for i, count in shared.items():
            score = count / (len(bag) + len(refs[i][1]) - count)
            if score > best_score:
                best, best_score = i, score
        if best is not None and best_score >= threshold:
            found.append((text, refs[best][0], round(best_score, 3)))
    return found


def texts_of(path: Path) -> List[str]:
    """The messages of an evaluation set (`cases:`), a guardrails file, a Rasa NLU file or a staff story file."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    found: List[str] = []

    def walk(node: object, key: str = "") -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, str(k))
        elif isinstance(node, list):
            for item in node:
                walk(item, key)
        elif isinstance(node, str):
            if key == "examples":
                found.extend(line.strip()[2:] for line in node.splitlines() if line.strip().startswith("- "))
            elif key in ("text", "patient", "user", "urgent", "concern", "not_crisis") or key not in (
                "route", "topic", "lang", "kind", "level", "need", "match", "domain", "intent", "version",
                "test", "expect", "story", "rule", "action",
            ):
                found.append(node)

    walk(data)
    return found


def main(argv: Sequence[str] = ()) -> int:
    parser = argparse.ArgumentParser(description="Report near-duplicates of CANDIDATES in REFERENCES.")
    parser.add_argument("--candidates", nargs="+", type=Path, required=True)
    parser.add_argument("--references", nargs="+", type=Path, required=True)
    parser.add_argument("--threshold", type=float, default=THRESHOLD)
    args = parser.parse_args(list(argv) or None)
    references = [t for p in args.references for t in texts_of(p)]
    candidates = [t for p in args.candidates for t in texts_of(p)]
    found = near_duplicates(candidates, references, args.threshold)
    for candidate, reference, score in found:
        print(f"{score:.2f}  {candidate!r}  ~  {reference!r}")
    print(f"{len(found)} of {len(candidates)} candidates have a near-duplicate among {len(references)} references")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
