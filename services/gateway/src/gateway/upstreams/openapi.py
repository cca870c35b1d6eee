"""One OpenAPI document for the whole public API: the gateway's own routes plus every service's
``/api/v1`` paths, with schema names kept apart when two services mean different things by one name."""

from __future__ import annotations

import copy
import logging
import re
from collections.abc import Mapping
from typing import Any

log = logging.getLogger(__name__)

_REF_PREFIX = "#/components/schemas/"
SECURITY_SCHEMES: dict[str, Any] = {
    "bearer": {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "Access token from /api/v1/auth/… (members and staff).",
    },
    "merchantKey": {
        "type": "apiKey",
        "in": "header",
        "name": "X-Api-Key",
        "description": "A merchant's API key (issued by merchant-svc).",
    },
}
PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "RFC 9457 problem details: every error of the gateway and of the services.",
    "type": "object",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "field": {"type": "string"},
                    "message": {"type": "string"},
                    "code": {"type": "string"},
                },
            },
        },
    },
    "additionalProperties": True,
}
_PROBLEM_RESPONSE: dict[str, Any] = {
    "description": "Problem details",
    "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
}
_METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})


def _prefix(service: str) -> str:
    return "".join(part.capitalize() for part in re.split(r"[^A-Za-z0-9]+", service) if part)


def _rewrite_refs(node: Any, renames: Mapping[str, str]) -> Any:
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str) and value.startswith(_REF_PREFIX):
                name = value[len(_REF_PREFIX) :]
                out[key] = _REF_PREFIX + renames.get(name, name)
            else:
                out[key] = _rewrite_refs(value, renames)
        return out
    if isinstance(node, list):
        return [_rewrite_refs(item, renames) for item in node]
    return node


def _document_problems(operation: dict[str, Any]) -> None:
    """Every service renders errors with the kit's problem handlers: say so, instead of FastAPI's
    ``HTTPValidationError`` for 422, and document problem details as the answer to any other status."""
    responses = operation.setdefault("responses", {})
    responses["422"] = copy.deepcopy(_PROBLEM_RESPONSE)
    responses.setdefault("default", copy.deepcopy(_PROBLEM_RESPONSE))


def _renames(source: str, theirs: Mapping[str, Any], merged: Mapping[str, Any]) -> dict[str, str]:
    """The service's schemas that must take a prefixed name: those whose name is taken by a different
    schema, and, until nothing changes, those that refer to one renamed (a ``Page_MessageRead_`` written
    alike by two services still pages two different ``MessageRead``)."""
    renames: dict[str, str] = {}
    while True:
        rewritten = _rewrite_refs(dict(theirs), renames)
        found = {
            name: f"{_prefix(source)}{name}"
            for name, schema in rewritten.items()
            if name in merged and merged[name] != schema
        }
        if found == renames:
            return renames
        renames = found


def merge(own: Mapping[str, Any], services: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """The gateway's document (``own``) extended with each service's public paths."""
    merged: dict[str, Any] = {
        "openapi": own.get("openapi", "3.1.0"),
        "info": {
            "title": "Cheyou API",
            "version": own.get("info", {}).get("version", "1.0.0"),
            "description": (
                "The public API of Cheyou (车友), served by the gateway. Members and staff send "
                "`Authorization: Bearer <access token>`; merchants send `X-Api-Key`. Mutations accept "
                "an `Idempotency-Key` header. Errors are RFC 9457 problem details."
            ),
        },
        "paths": {},
        "components": {
            "schemas": {"Problem": copy.deepcopy(PROBLEM_SCHEMA)},
            "securitySchemes": copy.deepcopy(SECURITY_SCHEMES),
        },
        "tags": [],
    }
    schemas: dict[str, Any] = merged["components"]["schemas"]
    paths: dict[str, Any] = merged["paths"]
    operation_ids: set[str] = set()
    for source, document in [("gateway", own), *services.items()]:
        renames = _renames(source, document.get("components", {}).get("schemas", {}), schemas)
        document = _rewrite_refs(copy.deepcopy(dict(document)), renames)
        for name, schema in document.get("components", {}).get("schemas", {}).items():
            schemas.setdefault(renames.get(name, name), schema)
        for template, item in document.get("paths", {}).items():
            if not template.startswith("/api/v1/"):
                continue
            if template in paths:
                log.error("%s repeats the path %s; keeping the first", source, template)
                continue
            for method, operation in item.items():
                if method not in _METHODS or not isinstance(operation, dict):
                    continue
                operation.setdefault("tags", [source])
                operation_id = operation.get("operationId")
                if operation_id in operation_ids:
                    operation["operationId"] = f"{source}_{operation_id}"
                if operation.get("operationId"):
                    operation_ids.add(operation["operationId"])
                if source != "gateway":
                    operation.setdefault("security", [{"bearer": []}, {"merchantKey": []}])
                _document_problems(operation)
            paths[template] = item
        for tag in document.get("tags", []):
            if tag not in merged["tags"]:
                merged["tags"].append(tag)
    if not merged["tags"]:
        del merged["tags"]
    return merged
