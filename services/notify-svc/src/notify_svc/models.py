"""Every model of notify-svc, imported in one place so Alembic and the tests see the whole schema."""

from notify_svc.audience import models as audience_models
from notify_svc.campaigns import models as campaign_models
from notify_svc.db import Base
from notify_svc.delivery import models as delivery_models
from notify_svc.feeds import models as feed_models
from notify_svc.inbox import models as inbox_models
from notify_svc.outreach import models as outreach_models
from notify_svc.preferences import models as preference_models
from notify_svc.publishing import models as publishing_models
from notify_svc.reminders import models as reminder_models
from notify_svc.templates import models as template_models

__all__ = [
    "Base",
    "audience_models",
    "campaign_models",
    "delivery_models",
    "feed_models",
    "inbox_models",
    "outreach_models",
    "preference_models",
    "publishing_models",
    "reminder_models",
    "template_models",
]
