"""Usage statistics per privilege and tier for a period, computed from the orders themselves."""
