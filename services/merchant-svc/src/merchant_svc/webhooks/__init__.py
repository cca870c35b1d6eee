"""Outbound webhooks (Standard Webhooks 1.0): endpoints, secrets, messages, deliveries and the attempt log."""
