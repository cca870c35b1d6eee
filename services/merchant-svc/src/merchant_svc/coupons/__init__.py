"""Coupons: merchant offers issued to members in batches and redeemed once at the merchant."""
