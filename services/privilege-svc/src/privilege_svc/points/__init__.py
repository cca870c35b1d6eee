"""Points (积分): an account per member, an append-only ledger, lots with expiry, earning rules as data."""
