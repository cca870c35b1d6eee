"""Kafka entry points of the owner's secretary: member policies and vehicles, the outside feeds."""

from __future__ import annotations

from datetime import UTC, datetime

from cheyou_events import Envelope, Subscriptions
from cheyou_events.catalogue.feeds import TrafficViolationRecorded, WeatherAlertIssued
from cheyou_events.catalogue.member import MemberPolicyChanged, MemberVehiclesChanged

from notify_svc.eventing import Context
from notify_svc.reminders import service

subscriptions = Subscriptions[Context]()


@subscriptions.on(MemberPolicyChanged)
async def on_policy_changed(ctx: Context, event: Envelope[MemberPolicyChanged]) -> None:
    await service.record_policy(ctx.session, event.data)


@subscriptions.on(MemberVehiclesChanged)
async def on_vehicles_changed(ctx: Context, event: Envelope[MemberVehiclesChanged]) -> None:
    await service.record_vehicles(ctx.session, event.data)


@subscriptions.on(TrafficViolationRecorded)
async def on_traffic_violation(ctx: Context, event: Envelope[TrafficViolationRecorded]) -> None:
    await service.record_violation(ctx.session, ctx.settings, event.data, datetime.now(UTC))


@subscriptions.on(WeatherAlertIssued)
async def on_weather_alert(ctx: Context, event: Envelope[WeatherAlertIssued]) -> None:
    await service.record_alert(ctx.session, event.data, datetime.now(UTC))
