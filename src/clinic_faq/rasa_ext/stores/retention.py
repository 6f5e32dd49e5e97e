"""Moved to `clinic_faq.ops.retention`. This module only runs it, for the Makefile's make purge until the Makefile
names `python -m clinic_faq.ops.retention`; delete it then."""

import sys

from clinic_faq.ops.retention import main

if __name__ == "__main__":
    sys.exit(main())
