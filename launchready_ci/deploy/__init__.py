"""Deploying safely: the guarded rollback after a failed smoke test."""
