"""Invitations: lists imported by ops from CSV (a per-row report, re-runs create no duplicates) and the
personal invitation each consenting invitee gets (its link, opened, taken up or opted out)."""
