"""Fingerprints of the seed texts, so a checkout without them can still tell an answer that copies them.

The answers were written from seed articles that are not part of this repository (../shared/seeds/*.txt
beside the checkout). No answer may repeat a sentence of theirs; "a sentence" is taken as any run of
8 words (a shingle) after `normalized` (lower case, only a-z, 0-9 and spaces). The repository keeps one
fingerprint per shingle, the first 16 hex digits of its SHA-256, sorted, in evaluation/seed_shingles.txt:
enough to recognise a copied run, not to read the seeds back. tests/test_content.py hashes every 8-word
run of every response in domain.yml (English and Spanish) against it, and, when the seeds are beside the
checkout, checks the file is up to date.

    python -m clinic_faq_dev.seed_fingerprints --seeds ../shared/seeds            (regenerate the file)
    python -m clinic_faq_dev.seed_fingerprints --seeds ../shared/seeds --check    (exit 1 if it is stale)
"""

from __future__ import annotations

import argparse
import hashlib
import re
import sys
from pathlib import Path
from typing import Any, Dict, Iterable, List, Set, Tuple

from clinic_faq.paths import project_dir

PROJECT = project_dir()
SEEDS = PROJECT.parent / "shared" / "seeds"
FINGERPRINTS = PROJECT / "evaluation" / "seed_shingles.txt"
SHINGLE = 8  # words
DIGITS = 16  # hex digits of SHA-256 kept per shingle

HEADER = f"""\
# Fingerprints of the seed texts (../shared/seeds/*.txt, not in this repository): one line per distinct
# {SHINGLE}-word shingle of their normalized words (lower case; only a-z, 0-9 and spaces kept, as
# clinic_faq_dev.seed_fingerprints.normalized does), the first {DIGITS} hex digits of the shingle's SHA-256, sorted.
# tests/test_content.py fails if a response in domain.yml contains one of these shingles.
# Generated: do not edit. Regenerate when the seeds change, from the project directory:
#     python -m clinic_faq_dev.seed_fingerprints --seeds ../shared/seeds
"""


def normalized(text: str) -> str:
    return re.sub(r"[^a-z0-9 ]", "", text.lower()).strip()


def words(text: str) -> List[str]:
    """The words of `text` as `normalized` leaves them; any whitespace, a line break too, separates two words."""
    return normalized(" ".join(text.split())).split()


def shingles(text: str, size: int = SHINGLE) -> Set[str]:
    """Every run of `size` consecutive words of `text` (none when it has fewer words)."""
    w = words(text)
    return {" ".join(w[i : i + size]) for i in range(len(w) - size + 1)}


def digest(shingle: str) -> str:
    return hashlib.sha256(shingle.encode("utf-8")).hexdigest()[:DIGITS]


def fingerprints(texts: Iterable[str]) -> List[str]:
    """The sorted, distinct digests of every shingle of every text (each text shingled on its own)."""
    return sorted({digest(s) for text in texts for s in shingles(text)})


def seed_texts(seeds: Path) -> List[str]:
    paths = sorted(Path(seeds).glob("*.txt"))
    return [p.read_text(encoding="utf-8") for p in paths]


def render(digests: List[str]) -> str:
    return HEADER + "".join(f"{d}\n" for d in digests)


def read(path: Path = FINGERPRINTS) -> Set[str]:
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return {line.strip() for line in lines if line.strip() and not line.startswith("#")}


def response_texts(domain: Dict[str, Any]) -> List[Tuple[str, str]]:
    """(response name, text) of every variation of every response (English and Spanish)."""
    return [(name, variation["text"]) for name, variations in domain.get("responses", {}).items()
            for variation in variations if variation.get("text")]


def copied(texts: Iterable[Tuple[str, str]], known: Set[str]) -> List[str]:
    """"<name>: <shingle>" for every shingle of the (name, text) pairs whose digest is in `known`."""
    return [f"{name}: {s!r}" for name, text in texts for s in sorted(shingles(text)) if digest(s) in known]


def main(argv: List[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=Path, default=SEEDS, help="the directory of seed texts (*.txt)")
    parser.add_argument("--out", type=Path, default=FINGERPRINTS)
    parser.add_argument("--check", action="store_true", help="do not write: exit 1 if --out is not up to date")
    args = parser.parse_args(argv)
    texts = seed_texts(args.seeds)
    if not texts:
        parser.error(f"no seed texts (*.txt) in {args.seeds}")
    text = render(fingerprints(texts))
    if args.check:
        current = args.out.read_text(encoding="utf-8") if args.out.exists() else ""
        if current != text:
            print(f"{args.out} is not up to date with {args.seeds}: regenerate it (see its header)", file=sys.stderr)
            return 1
        print(f"{args.out} is up to date ({len(texts)} seed texts)")
        return 0
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(f"Wrote {args.out}: {text.count(chr(10)) - HEADER.count(chr(10))} shingles of {len(texts)} seed texts")
    return 0


if __name__ == "__main__":
    sys.exit(main())
