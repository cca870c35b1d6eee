"""Backward-compatibility check between two JSON Schemas of the *same* event type and version.

The rule: a version (``.v1``) is a contract that both old and new code read at the same time — old
consumers read events from new producers, new consumers read old events (retries, replays, the DLQ).
Within a version a change may only

* add an optional property (one with a default, so it is not in ``required``),
* make a required property optional,
* widen an enum (a new value) — deploy the consumers first: an old consumer sends an unknown value to
  its DLQ until it is upgraded,
* loosen a constraint (a smaller ``minimum``, a larger ``maxLength``, dropping a constraint),
* edit titles, descriptions and defaults.

Everything else breaks readers and needs a new type, ``cheyou.<domain>.<name>.v2``, published alongside
``.v1`` until every consumer has moved:

* removing or renaming a property,
* adding a required property, or making an optional property required,
* changing a property's type or format (including making it nullable, or integer → number),
* narrowing an enum or a const,
* tightening or adding a constraint, changing a pattern,
* forbidding additional properties.

It understands the subset of JSON Schema pydantic emits: ``type``, ``properties``, ``required``,
``items``, ``enum``, ``const``, ``format``, ``anyOf``/``oneOf``, ``$ref`` into ``$defs``,
``additionalProperties`` and the numeric/string/array constraints. A keyword it does not understand that
differs between the two schemas is reported as breaking, so it errs on the side of a new version.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

Schema = Mapping[str, Any]

# Keywords that document a schema but do not change which documents it accepts.
_ANNOTATIONS = frozenset({"title", "description", "default", "examples", "deprecated", "$defs", "$comment"})
_LOWER_BOUNDS = ("minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties")
_UPPER_BOUNDS = ("maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties")
_HANDLED = frozenset(
    {
        "type",
        "properties",
        "required",
        "items",
        "enum",
        "const",
        "format",
        "anyOf",
        "oneOf",
        "$ref",
        "additionalProperties",
        "pattern",
        "uniqueItems",
        *_LOWER_BOUNDS,
        *_UPPER_BOUNDS,
    }
)


@dataclass(frozen=True, slots=True)
class Incompatibility:
    path: str
    """Where in the document, e.g. ``$.entitlements[].quota``."""
    problem: str

    def __str__(self) -> str:
        return f"{self.path}: {self.problem}"


def check_compatible(old: Schema, new: Schema) -> list[Incompatibility]:
    """Every way ``new`` breaks readers or writers of ``old``; empty when the change is compatible."""
    return _Checker(old, new).compare(old, new, "$")


class _Checker:
    def __init__(self, old_root: Schema, new_root: Schema) -> None:
        self._old_defs: Mapping[str, Schema] = old_root.get("$defs", {})
        self._new_defs: Mapping[str, Schema] = new_root.get("$defs", {})

    def compare(self, old: Schema, new: Schema, path: str) -> list[Incompatibility]:
        old = _resolve(old, self._old_defs)
        new = _resolve(new, self._new_defs)
        old_branches = _branches(old, self._old_defs)
        new_branches = _branches(new, self._new_defs)
        if len(old_branches) > 1 or len(new_branches) > 1:
            return self._compare_unions(old_branches, new_branches, path)
        return self._compare_single(old, new, path)

    def _compare_unions(self, old: list[Schema], new: list[Schema], path: str) -> list[Incompatibility]:
        problems: list[Incompatibility] = []
        old_kinds = {_kind(b) for b in old}
        for kind in sorted({_kind(b) for b in new} - old_kinds):
            problems.append(Incompatibility(path, f"now also accepts {kind}: a changed type"))
        for branch in old:
            candidates = [b for b in new if _kind(b) == _kind(branch)]
            if not candidates:
                problems.append(Incompatibility(path, f"no longer accepts {_kind(branch)}: a changed type"))
                continue
            attempts: list[list[Incompatibility]] = [
                self._compare_single(branch, c, path) for c in candidates
            ]
            if all(attempts):
                closest: list[Incompatibility] = min(attempts, key=len)
                problems.extend(closest)
        return problems

    def _compare_single(self, old: Schema, new: Schema, path: str) -> list[Incompatibility]:
        problems: list[Incompatibility] = []
        if _kind(old) != _kind(new):
            return [Incompatibility(path, f"type changed from {_kind(old)} to {_kind(new)}")]
        if old.get("format") != new.get("format"):
            problems.append(
                Incompatibility(path, f"format changed from {old.get('format')} to {new.get('format')}")
            )
        problems += _compare_values(old, new, path)
        problems += _compare_bounds(old, new, path)
        if old.get("pattern") != new.get("pattern"):
            problems.append(Incompatibility(path, "pattern changed"))
        if new.get("uniqueItems") and not old.get("uniqueItems"):
            problems.append(Incompatibility(path, "items must now be unique"))
        if "properties" in old or "properties" in new:
            problems += self._compare_objects(old, new, path)
        if "items" in old and "items" in new:
            problems += self.compare(old["items"], new["items"], f"{path}[]")
        elif "items" in new:
            problems.append(Incompatibility(path, "array items are now constrained"))
        for keyword in sorted((set(old) | set(new)) - _HANDLED - _ANNOTATIONS):
            if old.get(keyword) != new.get(keyword):
                problems.append(
                    Incompatibility(path, f"changed keyword {keyword!r}, which this checker cannot judge")
                )
        return problems

    def _compare_objects(self, old: Schema, new: Schema, path: str) -> list[Incompatibility]:
        problems: list[Incompatibility] = []
        old_props: Mapping[str, Schema] = old.get("properties", {})
        new_props: Mapping[str, Schema] = new.get("properties", {})
        old_required = set(old.get("required", ()))
        new_required = set(new.get("required", ()))
        for name in old_props:
            if name not in new_props:
                problems.append(Incompatibility(f"{path}.{name}", "property removed (or renamed)"))
        for name in new_props:
            if name in new_required and name not in old_required:
                what = "new required property" if name not in old_props else "property became required"
                problems.append(Incompatibility(f"{path}.{name}", what))
        for name in old_props.keys() & new_props.keys():
            problems += self.compare(old_props[name], new_props[name], f"{path}.{name}")
        if new.get("additionalProperties") is False and old.get("additionalProperties") is not False:
            problems.append(Incompatibility(path, "additional properties are now forbidden"))
        return problems


def _resolve(schema: Schema, defs: Mapping[str, Schema]) -> Schema:
    seen: set[str] = set()
    while "$ref" in schema:
        ref = schema["$ref"]
        if not ref.startswith("#/$defs/") or ref in seen:
            raise ValueError(f"unsupported $ref {ref!r}")
        seen.add(ref)
        siblings = {k: v for k, v in schema.items() if k != "$ref"}
        schema = {**defs[ref.removeprefix("#/$defs/")], **siblings}
    return schema


def _branches(schema: Schema, defs: Mapping[str, Schema]) -> list[Schema]:
    union = schema.get("anyOf") or schema.get("oneOf")
    if not union:
        return [schema]
    return [branch for member in union for branch in _branches(_resolve(member, defs), defs)]


def _kind(schema: Schema) -> str:
    """The JSON type a (non-union) schema accepts; enums and consts count as the type of their values."""
    if "type" in schema:
        kind = schema["type"]
        return "|".join(sorted(kind)) if isinstance(kind, list) else str(kind)
    values = schema.get("enum") or ([schema["const"]] if "const" in schema else [])
    kinds = {_json_type(v) for v in values}
    return "|".join(sorted(kinds)) if kinds else "any"


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _allowed_values(schema: Schema) -> list[Any] | None:
    if "const" in schema:
        return [schema["const"]]
    if "enum" in schema:
        return list(schema["enum"])
    return None


def _compare_values(old: Schema, new: Schema, path: str) -> list[Incompatibility]:
    old_values, new_values = _allowed_values(old), _allowed_values(new)
    if new_values is None:
        return []
    if old_values is None:
        return [Incompatibility(path, f"now restricted to {new_values}")]
    removed = [v for v in old_values if v not in new_values]
    return [Incompatibility(path, f"enum narrowed: {removed} no longer allowed")] if removed else []


def _compare_bounds(old: Schema, new: Schema, path: str) -> list[Incompatibility]:
    problems: list[Incompatibility] = []
    for keyword in _LOWER_BOUNDS:
        if keyword in new and (keyword not in old or new[keyword] > old[keyword]):
            problems.append(Incompatibility(path, f"{keyword} tightened to {new[keyword]}"))
    for keyword in _UPPER_BOUNDS:
        if keyword in new and (keyword not in old or new[keyword] < old[keyword]):
            problems.append(Incompatibility(path, f"{keyword} tightened to {new[keyword]}"))
    return problems
