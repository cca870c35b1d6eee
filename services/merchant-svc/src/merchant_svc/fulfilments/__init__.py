"""Fulfilments: the orders privilege-svc asks merchants to carry out (``privilege.order_requested``)."""
