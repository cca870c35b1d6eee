"""privilege-svc.

The privilege catalogue and tier entitlements, service orders, the points ledger, the rewards mall
and activities.
"""
