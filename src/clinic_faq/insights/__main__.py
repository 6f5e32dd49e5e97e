"""`python -m clinic_faq.insights`: write the insights report (`make insights`; docs/insights.md)."""

from __future__ import annotations

import sys

from clinic_faq.insights.cli import main

if __name__ == "__main__":
    sys.exit(main())
