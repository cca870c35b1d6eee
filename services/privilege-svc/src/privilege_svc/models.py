"""Every model of privilege-svc, imported in one place so Alembic and the tests see the whole schema."""

from privilege_svc.activities import models as activities_models
from privilege_svc.db import Base
from privilege_svc.entitlements import models as entitlements_models
from privilege_svc.games import models as games_models
from privilege_svc.interest_groups import models as interest_groups_models
from privilege_svc.member_projection import models as member_projection_models
from privilege_svc.orders import models as orders_models
from privilege_svc.payments import models as payments_models
from privilege_svc.points import models as points_models
from privilege_svc.privileges import models as privileges_models
from privilege_svc.rewards import models as rewards_models

__all__ = [
    "Base",
    "activities_models",
    "entitlements_models",
    "games_models",
    "interest_groups_models",
    "member_projection_models",
    "orders_models",
    "payments_models",
    "points_models",
    "privileges_models",
    "rewards_models",
]
