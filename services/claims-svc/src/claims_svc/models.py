"""Every model of claims-svc, imported in one place so Alembic and the tests see the whole schema."""

from claims_svc.cover import models as cover_models
from claims_svc.db import Base

__all__ = ["Base", "cover_models"]
