"""JSON Schemas of the catalogue, exported to ``libs/events/schemas/<type>.json`` and checked in."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cheyou_events.compatibility import Incompatibility, check_compatible
from cheyou_events.event import Catalogue, Event, catalogue

SCHEMA_DIR = Path(__file__).resolve().parents[2] / "schemas"
"""``libs/events/schemas`` in a source checkout (the package is installed editable)."""

EXPORT_COMMAND = "python -m cheyou_events export-schemas"


def schema_of(model: type[Event]) -> dict[str, Any]:
    """The model's JSON Schema plus the topic and key, which are part of the contract too."""
    schema = model.model_json_schema()
    schema["x-cheyou-type"] = model.event_type
    schema["x-cheyou-topic"] = model.topic
    schema["x-cheyou-key"] = model.key_field
    return schema


def render(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def schema_path(directory: Path, event_type: str) -> Path:
    return directory / f"{event_type}.json"


@dataclass(frozen=True)
class BreakingChange(Exception):
    event_type: str
    problems: list[Incompatibility]

    def __str__(self) -> str:
        listed = "\n".join(f"  - {p}" for p in self.problems)
        return (
            f"{self.event_type} changed incompatibly with its checked-in schema:\n{listed}\n"
            f"A breaking change needs a new version: add a new class with event_type "
            f"'{self.event_type.rsplit('.', 1)[0]}.v{_next_version(self.event_type)}' and keep this one."
        )


def _next_version(event_type: str) -> int:
    return int(event_type.rsplit(".v", 1)[1]) + 1


def breaking_changes(directory: Path, events: Catalogue = catalogue) -> list[BreakingChange]:
    """Every catalogue model whose current schema breaks the checked-in schema of its type."""
    changes = []
    for model in events:
        path = schema_path(directory, model.event_type)
        if path.exists():
            problems = check_compatible(json.loads(path.read_text()), schema_of(model))
            if problems:
                changes.append(BreakingChange(model.event_type, problems))
    return changes


def stale_schemas(directory: Path, events: Catalogue = catalogue) -> list[str]:
    """Types whose checked-in file is missing or differs from the model (fix: run the export)."""
    return [
        model.event_type
        for model in events
        if not (path := schema_path(directory, model.event_type)).exists()
        or path.read_text() != render(schema_of(model))
    ]


def orphan_schemas(directory: Path, events: Catalogue = catalogue) -> list[str]:
    """Checked-in schemas without a model: an event type was deleted, which breaks its consumers."""
    return sorted(p.name.removesuffix(".json") for p in directory.glob("*.json") if p.stem not in events)


def export_schemas(directory: Path = SCHEMA_DIR, events: Catalogue = catalogue) -> list[Path]:
    """Write every schema; refuse (raise ``BreakingChange``) to overwrite one with an incompatible one."""
    directory.mkdir(parents=True, exist_ok=True)
    changes = breaking_changes(directory, events)
    if changes:
        raise changes[0]
    written = []
    for model in events:
        path = schema_path(directory, model.event_type)
        text = render(schema_of(model))
        if not path.exists() or path.read_text() != text:
            path.write_text(text)
            written.append(path)
    return written
