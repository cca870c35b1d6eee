"""Every model of member-svc, imported in one place so Alembic and the tests see the whole schema."""

from member_svc.db import Base
from member_svc.policies import models as policies_models

__all__ = ["Base", "policies_models"]
