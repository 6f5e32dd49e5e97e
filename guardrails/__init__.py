"""Safety guardrails shared by the Rasa server and the action server.

Everything here is deterministic and independent of the intent classifier: the crisis screen,
personal-medical-question detection, the dose guard on output and PHI redaction.
"""
