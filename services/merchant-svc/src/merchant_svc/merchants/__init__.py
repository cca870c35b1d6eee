"""Merchants: alliance partners, their contracts (services, regions, prices, SLA) and API keys."""
