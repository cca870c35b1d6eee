"""Every model of member-svc, imported in one place so Alembic and the tests see the whole schema."""

from member_svc.db import Base
from member_svc.invitations import models as invitations_models
from member_svc.managers import models as managers_models
from member_svc.members import models as members_models
from member_svc.policies import models as policies_models
from member_svc.surveys import models as surveys_models
from member_svc.tiers import models as tiers_models
from member_svc.verification import models as verification_models

__all__ = [
    "Base",
    "invitations_models",
    "managers_models",
    "members_models",
    "policies_models",
    "surveys_models",
    "tiers_models",
    "verification_models",
]
