"""Every model of privilege-svc, imported in one place so Alembic and the tests see the whole schema."""

from privilege_svc.db import Base
from privilege_svc.members import models as members_models

__all__ = ["Base", "members_models"]
