"""`make content-review`: which curated answers are unsigned, or due for review within 30 days.

Reads the answers in domain.yml and the sign-offs in force (content/signoffs.yml and the clinic store,
CLINIC_STORE_URL or var/clinic.db). Exits 1 if any medical answer is unsigned, so it can guard a release.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from typing import List, Optional

from clinic_faq.core.signoff import DUE_SOON_DAYS, load_domain_answers
from clinic_faq.paths import project_file
from clinic_faq.stores.signoffs import live_register


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--today", type=date.fromisoformat, default=None, help="check as of this day (YYYY-MM-DD)")
    args = parser.parse_args(argv)
    today = args.today or date.today()
    register = live_register().get()
    states = [register.state(a, today) for a in load_domain_answers(project_file("domain.yml"))]
    unsigned = [s for s in states if not s.signed]
    due = [s for s in states if s.due_soon]
    for s in unsigned:
        print(f"UNSIGNED  {s.answer.key:48} {s.status}{' (medical)' if s.answer.medical else ''}")
    for s in due:
        assert s.signoff is not None
        print(f"DUE       {s.answer.key:48} review by {s.signoff.review_by.isoformat()} (signed by {s.signoff.signer})")
    medical_unsigned = sum(1 for s in unsigned if s.answer.medical)
    print(f"{len(states)} answer texts: {len(states) - len(unsigned)} signed, {len(unsigned)} unsigned "
          f"({medical_unsigned} medical), {len(due)} due within {DUE_SOON_DAYS} days.")
    return 1 if medical_unsigned else 0


if __name__ == "__main__":
    sys.exit(main())
