"""Kafka entry points of the owner's secretary: member policies and vehicles, the outside feeds."""

from __future__ import annotations

from datetime import UTC, datetime

from cheyou_events.catalogue.feeds import TrafficViolationRecorded, WeatherAlertIssued
from cheyou_events.catalogue.member import MemberPolicyChanged, MemberVehiclesChanged
from cheyou_events.envelope import Envelope
from sqlalchemy.ext.asyncio import AsyncSession

from notify_svc.reminders import service


async def on_policy_changed(session: AsyncSession, event: Envelope[MemberPolicyChanged]) -> None:
    await service.record_policy(session, event.data)


async def on_vehicles_changed(session: AsyncSession, event: Envelope[MemberVehiclesChanged]) -> None:
    await service.record_vehicles(session, event.data)


async def on_traffic_violation(session: AsyncSession, event: Envelope[TrafficViolationRecorded]) -> None:
    await service.record_violation(session, event.data, datetime.now(UTC))


async def on_weather_alert(session: AsyncSession, event: Envelope[WeatherAlertIssued]) -> None:
    await service.record_alert(session, event.data, datetime.now(UTC))
