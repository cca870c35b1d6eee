"""notify-svc's own projection of members (the audience of messages and campaigns), from ``member.events``."""
