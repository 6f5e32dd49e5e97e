"""The action server's entry point, where Rasa users look for it: the custom actions live in
`clinic_faq.rasa_ext.actions` and are imported here so that `rasa run actions` finds them too.
`clinic-actions` (the project's launcher, with its access checks) is the way to start it."""

from clinic_faq.core.log_redaction import install_log_redaction
from clinic_faq.rasa_ext.actions.safety_notes import ActionSafetyNotes

# Plain `rasa run actions` logs trackers at debug level: redact before anything can be written.
install_log_redaction()

__all__ = ["ActionSafetyNotes"]
