"""Custom actions, run by the rasa-sdk action server (the top-level `actions` package re-exports them)."""
