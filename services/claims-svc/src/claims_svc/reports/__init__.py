"""Figures for ops: claims reported in a period by status, route, on-site reason and day or month."""
