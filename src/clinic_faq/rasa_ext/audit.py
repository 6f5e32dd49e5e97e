"""Moved to `clinic_faq.ops.audit`. This module only runs it, for the Makefile's make audit-export until the Makefile
names `python -m clinic_faq.ops.audit`; delete it then."""

import sys

from clinic_faq.ops.audit import main

if __name__ == "__main__":
    sys.exit(main())
