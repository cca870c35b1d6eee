"""Merchant staff sign in with their phone and an SMS code; their sessions end when merchant-svc says
the user is disabled or the merchant suspended."""
