"""The soak report as Markdown (``report.md`` beside ``report.json``)."""

from __future__ import annotations

import json
from typing import Any


def markdown(report: dict[str, Any]) -> str:
    lines = [
        f"# Soak report — seed {report['seed']}, {report['broker']}",
        "",
        f"- started {report['started_at']}, finished {report.get('finished_at', '—')}",
        f"- machine: {report['machine']['host']}, {report['machine']['cpus']} CPUs, load average before "
        f"{_load(report['machine'].get('load_before'))}, after {_load(report['machine'].get('load_after'))}",
        f"- platform start {report.get('platform_start_s')} s; faults {report.get('faults_s')} s; "
        f"load {report.get('load_s')} s; settle {json.dumps(report.get('settle'))}",
        f"- **{'PASSED' if report.get('passed') else 'FAILED'}**; redeliveries observed: "
        f"{report.get('redeliveries_observed')} ({json.dumps(report.get('redeliveries'))})",
        "",
        "## Invariants",
        "",
        "| invariant | result | counts | examples |",
        "|---|---|---|---|",
    ]
    for result in report.get("invariants", []):
        examples = "<br>".join(result["examples"][:3]).replace("|", "\\|")
        lines.append(
            f"| {result['name']} | {'pass' if result['passed'] else '**FAIL**'} | "
            f"{json.dumps(result['counts'], ensure_ascii=False)} | {examples} |"
        )
    workload = report.get("workload", {})
    lines += [
        "",
        "## Workload",
        "",
        f"- members {workload.get('members')} (journeys stopped by an error: "
        f"{workload.get('members_failed')})",
        f"- counts: {json.dumps(workload.get('counts'), ensure_ascii=False)}",
        "",
        "| write | acknowledged | refused | unknown |",
        "|---|---|---|---|",
    ]
    for kind, outcomes in (workload.get("ledger") or {}).items():
        lines.append(
            f"| {kind} | {outcomes.get('acknowledged', 0)} | {outcomes.get('refused', 0)} | "
            f"{outcomes.get('unknown', 0)} |"
        )
    if workload.get("errors"):
        lines += ["", "Errors the workload met:", ""] + [f"- {e}" for e in workload["errors"][:15]]
    lines += [
        "",
        f"## Faults ({len(report.get('faults', []))}: {json.dumps(report.get('fault_kinds'))})",
        "",
        "| # | at (s) | until (s) | kind | target | detail | error |",
        "|---|---|---|---|---|---|---|",
    ]
    for fault in report.get("faults", []):
        lines.append(
            f"| {fault['number']} | {fault['started_s']} | {fault['ended_s']} | {fault['kind']} | "
            f"{fault['target']} | "
            f"{json.dumps(fault['detail'])} | {fault['error'] or ''} |"
        )
    lines += ["", f"## DLQs: {json.dumps(report.get('dlq'))}", ""]
    if report.get("dlq_replay"):
        lines.append(f"Replayed with deploy/dlq_replay.py: {json.dumps(report['dlq_replay'])}")
    return "\n".join(lines) + "\n"


def _load(value: Any) -> str:
    return "/".join(f"{v:.1f}" for v in value) if value else "—"
