"""notify-svc's errors of modules outside a domain folder (its ``auth.py``), on the kit's status classes."""

from __future__ import annotations

from cheyou_kit.errors import NotFound


class MemberNotFound(NotFound):
    """A member's inbox or preferences asked for by someone else: a 404, so ids cannot be probed."""

    slug = "member-not-found"
