"""Tracker and lock stores that fail loudly and lock correctly (production mode: docs/deployment.md)."""
