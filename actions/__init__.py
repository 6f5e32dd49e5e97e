"""Custom actions for the clinic assistant (run by the rasa-sdk action server)."""

from guardrails.log_redaction import install_log_redaction

# The action server logs trackers at debug level: redact before anything can be written.
install_log_redaction()
