"""Moved to `clinic_faq.ops.backup`. This module only runs it, for the Makefile's make backup and make restore until the Makefile
names `python -m clinic_faq.ops.backup`; delete it then."""

import sys

from clinic_faq.ops.backup import main

if __name__ == "__main__":
    sys.exit(main())
