"""Each route on each set, as one Markdown table: the figures `make evaluate-wild` left in reports/*.summary.json, a
set per row (docs/safety.md, "Measured figures").

    python -m clinic_faq_dev.figures [reports/]
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

from clinic_faq.paths import project_dir

# (column heading, summary key): what a reader of docs/safety.md compares against the targets
COLUMNS: Tuple[Tuple[str, str], ...] = (
    ("topic: exact", "answer_accuracy"),
    ("topic: referral alone", "referral_alone_on_answers"),
    ("topic: declined", "answers_declined"),
    ("personal: referred", "referral_recall"),
    ("other medicines: referred", "referral_recall_other_medicines"),
    ("crisis: 911/988", "emergency_recall"),
    ("urgent: 911 first", "urgent_emergency_first"),
    ("unrelated: declined", "unrelated_declined"),
    ("unrelated: 911/988", "unrelated_alarm_rate"),
    ("unrelated: referral", "unrelated_referral_rate"),
    ("chatter: 911/988", "chatter_alarm_rate"),
    ("chatter: declined or small talk", "chatter_ok"),
    ("small talk: its reply", "smalltalk_accuracy"),
    ("practical: the detail itself", "practical_answered"),
    ("practical: detail or a person", "practical_helped"),
    ("replies with a dose", "replies_with_dose"),
    ("Spanish answered in English", "spanish_cases_with_english_reply"),
)
OUTSIDE = "clinc150_val_en"


def cell(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{100 * value:.1f}%"
    return str(value)


def _order(name: str) -> Tuple[int, List[object]]:
    # the outside set first, then by name with its numbers as numbers (blind2_dev before blind10_dev), each dev half
    # beside its test half
    return (0 if name == OUTSIDE else 1, [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", name)])


def table(summaries: Dict[str, Dict[str, object]]) -> str:
    """One row per set (the outside set first), one column per figure; '-' where the set has no such case."""
    head = "| set | cases | " + " | ".join(title for title, _ in COLUMNS) + " |"
    rule = "|---|---:|" + "---:|" * len(COLUMNS)
    rows = [head, rule]
    for name in sorted(summaries, key=_order):
        summary = summaries[name]
        label = f"{name} (outside)" if name == OUTSIDE else name
        rows.append(f"| {label} | {summary.get('cases', '-')} | "
                    + " | ".join(cell(summary.get(key)) for _, key in COLUMNS) + " |")
    return "\n".join(rows)


def load(folder: Path) -> Dict[str, Dict[str, object]]:
    return {path.name[: -len(".summary.json")]: json.loads(path.read_text())
            for path in sorted(folder.glob("*.summary.json"))}


def main(argv: Optional[Sequence[str]] = None) -> int:
    args: List[str] = list(sys.argv[1:] if argv is None else argv)
    folder = Path(args[0]) if args else project_dir() / "reports"
    summaries = load(folder)
    if not summaries:
        print(f"No *.summary.json in {folder}: run `make evaluate-wild` first.", file=sys.stderr)
        return 1
    print(table(summaries))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
