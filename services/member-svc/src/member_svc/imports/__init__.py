"""Invitation lists imported by ops from CSV: a per-row report, re-runs create no duplicates."""
