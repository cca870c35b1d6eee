from __future__ import annotations

from datetime import UTC, datetime

from cheyou_kit.db import SessionDep
from fastapi import APIRouter, Request

from notify_svc.auth import OpsDep
from notify_svc.config import SettingsDep
from notify_svc.reminders import jobs, service
from notify_svc.reminders.errors import AlertNotFound
from notify_svc.reminders.schemas import (
    InspectionRuleRead,
    InspectionRules,
    InspectionRulesPut,
    JobResultRead,
    JobRun,
    VehicleKind,
    WeatherAlertRead,
)

router = APIRouter(prefix="/reminders", tags=["reminders"])


@router.get("/inspection-rules", response_model=InspectionRules)
async def list_inspection_rules(session: SessionDep, _: OpsDep) -> InspectionRules:
    """The annual-inspection rules by vehicle kind and age."""
    rules = await service.list_rules(session)
    return InspectionRules(items=[InspectionRuleRead.model_validate(r) for r in rules])


@router.put("/inspection-rules/{kind}", response_model=InspectionRules)
async def put_inspection_rules(
    kind: VehicleKind, data: InspectionRulesPut, session: SessionDep, principal: OpsDep
) -> InspectionRules:
    """Replace one vehicle kind's rules (ages from 0 without gaps)."""
    rules = await service.replace_rules(
        session, kind, [r.model_dump() for r in data.rules], principal.subject, datetime.now(UTC)
    )
    return InspectionRules(items=[InspectionRuleRead.model_validate(r) for r in rules])


@router.post("/runs", response_model=JobResultRead)
async def run_job(data: JobRun, request: Request, settings: SettingsDep, _: OpsDep) -> JobResultRead:
    """Run a reminder job now (safe to repeat: nothing already queued is queued again)."""
    result = await jobs.run(request.app.state.session_factory, data.job, settings, data.on)
    return JobResultRead.model_validate(result.as_dict())


@router.get("/weather-alerts/{alert_id}", response_model=WeatherAlertRead)
async def get_weather_alert(alert_id: str, session: SessionDep, _: OpsDep) -> WeatherAlertRead:
    """How far an alert's fan-out to its region has come."""
    alert = await service.get_alert(session, alert_id)
    if alert is None:
        raise AlertNotFound(f"weather alert {alert_id} is not known")
    return WeatherAlertRead.model_validate(alert)
