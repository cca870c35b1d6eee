"""Policy cover: which policy covers which customer when, projected from ``core.policy.events``."""
