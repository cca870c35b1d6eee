"""Event notices: the member's notices of other services' facts (an order accepted, a claim settled, points
credited or expiring, a tier change ahead, a verification outcome) — which fact becomes which message, in
which words. Queuing and sending them is ``delivery``'s."""
