"""The projection of the insurer's core policy system (``core.policy.events``)."""
