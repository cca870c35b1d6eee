"""Every model of merchant-svc, imported in one place so Alembic and the tests see the whole schema."""

from merchant_svc.db import Base
from merchant_svc.fulfilments import models as fulfilments_models

__all__ = ["Base", "fulfilments_models"]
