"""merchant-svc.

Alliance merchants, contracts, order dispatch, signed webhooks, merchant callbacks, coupons, service
records and accountability.
"""
