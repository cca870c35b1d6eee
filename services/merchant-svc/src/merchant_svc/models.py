"""Every model of merchant-svc, imported in one place so Alembic and the tests see the whole schema."""

from merchant_svc.accountability import models as accountability_models
from merchant_svc.coupons import models as coupons_models
from merchant_svc.db import Base
from merchant_svc.fulfilments import models as fulfilments_models
from merchant_svc.merchants import models as merchants_models
from merchant_svc.service_points import models as service_points_models
from merchant_svc.users import models as users_models
from merchant_svc.webhooks import models as webhooks_models

__all__ = [
    "Base",
    "accountability_models",
    "coupons_models",
    "fulfilments_models",
    "merchants_models",
    "service_points_models",
    "users_models",
    "webhooks_models",
]
