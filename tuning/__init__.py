"""What makes the Rasa server answer fast, measured with `make bench` (docs/benchmarks/README.md).

`apply()` is called once when the Rasa server starts (by `guardrails.nlg.ClinicNLG`, which every turn's
responses pass through). Each change removes work that does not serve the user and keeps behaviour
identical; each one's gain is recorded in docs/benchmarks/README.md.
"""

from tuning.rasa_server import apply

__all__ = ["apply"]
