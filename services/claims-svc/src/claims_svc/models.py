"""Every model of claims-svc, imported in one place so Alembic and the tests see the whole schema."""

from claims_svc.appointments import models as appointments_models
from claims_svc.claims import models as claims_models
from claims_svc.contacts import models as contacts_models
from claims_svc.cover import models as cover_models
from claims_svc.db import Base
from claims_svc.documents import models as documents_models
from claims_svc.liability import models as liability_models
from claims_svc.surveys import models as surveys_models

__all__ = [
    "Base",
    "appointments_models",
    "claims_models",
    "contacts_models",
    "cover_models",
    "documents_models",
    "liability_models",
    "surveys_models",
]
