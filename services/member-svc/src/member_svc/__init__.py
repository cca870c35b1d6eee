"""member-svc.

Members and their real-name data, verification, the policy projection, tiers, customer managers,
visits and targets.
"""
