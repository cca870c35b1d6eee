"""gateway.

The only door: authentication for members, staff and merchants, routing with authorization, rate
limits, idempotency keys and the "Me" page.
"""
