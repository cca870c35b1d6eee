"""Alembic environment of claims-svc: its own models plus the outbox/inbox tables."""

from cheyou_events.outbox import events_metadata
from cheyou_kit.migrations import run_env
from claims_svc.config import Settings
from claims_svc.models import Base

run_env([Base.metadata, events_metadata], Settings().migration_sqlalchemy_url)
