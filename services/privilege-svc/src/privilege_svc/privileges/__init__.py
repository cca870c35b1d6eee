"""The privilege catalogue and each tier's terms (versioned: every edit is a new version, audited)."""
