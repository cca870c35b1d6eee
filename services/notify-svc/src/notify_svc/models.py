"""Every model of notify-svc, imported in one place so Alembic and the tests see the whole schema."""

from notify_svc.audience import models as audience_models
from notify_svc.db import Base

__all__ = ["Base", "audience_models"]
