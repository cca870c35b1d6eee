"""privilege-svc's projection of members and their tiers, fed by ``member.events``."""
