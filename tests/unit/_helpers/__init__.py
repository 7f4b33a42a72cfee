"""Helpers for the unit tests (run as scripts in subprocesses, so no package imports here)."""
