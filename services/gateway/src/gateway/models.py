"""Every model of gateway, imported in one place so Alembic and the tests see the whole schema."""

from gateway.accounts import models as accounts_models
from gateway.db import Base
from gateway.staff import models as staff_models

__all__ = ["Base", "accounts_models", "staff_models"]
