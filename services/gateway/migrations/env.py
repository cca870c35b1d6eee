"""Alembic environment of gateway: its own models plus the outbox/inbox tables."""

from cheyou_events.outbox import events_metadata
from cheyou_kit.migrations import run_env
from gateway.config import Settings
from gateway.models import Base

run_env([Base.metadata, events_metadata], Settings().migration_sqlalchemy_url)
