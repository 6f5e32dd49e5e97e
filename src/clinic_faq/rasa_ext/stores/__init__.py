"""Rasa's stores, as the project configures them in endpoints.yml: the tracker store that fails loudly (and
the trackers it builds), the atomic Redis lock store."""
