"""What OpenAPI says about each command route (``api.routes_commands``): its request body, who
may issue it, an example. Derived from the catalogue (``ledger.commands.catalogue``) and the
permission table, so the documentation cannot drift from what the routes accept."""

from __future__ import annotations

import copy
import json
from typing import Any

from pydantic import ValidationError

from ledger.commands.catalogue import CommandSpec
from ledger.demo import demo_commands

WAIT = (
    "`checkpoint`: also wait (a few seconds at most) for a signed checkpoint covering the appended "
    "events and return it with each event's inclusion proof; 202 without them if the wait runs out."
)
IF_MATCH = (
    'The version of the command\'s target this change is meant for, as an entity tag `"<version>"` '
    "(the `ETag` of the response that last changed it): 409 if it is at another version, or changes "
    "concurrently. Only for commands that change an existing aggregate."
)
IDEMPOTENCY_KEY = (
    "Makes retries safe: a retry with the same key and request returns the stored response "
    "(`Idempotent-Replayed: true`) and appends nothing; the same key with another request is 422. "
    "Only successful responses are stored. Keys are per principal; 1-255 visible ASCII characters."
)
_PROBLEM = {"description": "RFC 9457 problem naming the field at fault",
            "content": {"application/problem+json": {"schema": {"type": "object"}}}}
RESPONSES: dict[int | str, dict[str, Any]] = {
    202: {"description": "Recorded, but no checkpoint covered it within the wait (`?wait=checkpoint`)"},
    400: {**_PROBLEM, "description": "The body is not a JSON object (or nested too deeply)"},
    401: {**_PROBLEM, "description": "No valid bearer token (`WWW-Authenticate: Bearer`)"},
    403: {**_PROBLEM, "description": "The principal's role may not issue the command, or it is disabled"},
    404: {**_PROBLEM, "description": "`data.target` names no recorded aggregate"},
    409: {**_PROBLEM, "description": "The target's state forbids the command (`status`); `If-Match` fails"},
    413: {**_PROBLEM, "description": "The body is larger than 1 MiB"},
    415: {**_PROBLEM, "description": "The body is not `application/json`"},
    422: {**_PROBLEM, "description": "A field does not fit the command's schema or rules"},
}
_SAMPLE_TIME = "2026-01-05T09:00:00+00:00"


def listing(spec: CommandSpec) -> dict[str, Any]:
    """``GET /commands``: one command."""
    row = spec.permission
    return {
        "command": spec.name, "route": f"/commands/{spec.name}", "aggregate": spec.aggregate.__name__,
        "creates": spec.creates, "summary": spec.summary,
        "roles": sorted(r.value for r in row.roles),
        "on_behalf_of": sorted(r.value for r in row.on_behalf_of),
        "clauses": list(row.clauses), "note": row.note or None,
    }


def description(spec: CommandSpec) -> str:
    row = spec.permission
    who = ", ".join(f"`{r.value}`" for r in sorted(row.roles, key=lambda r: r.value))
    lines = [spec.summary, "", f"**Who may issue it:** {who}."]
    if row.on_behalf_of:
        bodies = ", ".join(f"`{r.value}`" for r in sorted(row.on_behalf_of, key=lambda r: r.value))
        lines.append(f"The DCC may record it on behalf of {bodies}, with `on_behalf_of` and the "
                     "`evidence_sha256` of the body's minutes or letter.")
    if row.clauses:
        lines.append(f"**Clauses:** {', '.join(row.clauses)}.")
    if row.note:
        lines.append(f"_{row.note}_")
    target = (f"Records a new `{spec.aggregate.__name__}`." if spec.creates else
              f"Changes the `{spec.aggregate.__name__}` that `data.target` names; `If-Match` applies.")
    lines += ["", target, "The command is recorded as the bearer token's principal: a `principal` in "
              "the body is ignored."]
    return "\n".join(lines)


def request_body(spec: CommandSpec, example: dict[str, Any] | None) -> dict[str, Any]:
    """The ``requestBody`` of the route: the envelope without ``command`` and ``principal``."""
    schema = inline(spec.envelope.model_json_schema())
    for name in ("command", "principal"):
        schema["properties"].pop(name, None)
    schema["required"] = [r for r in schema.get("required", []) if r not in {"command", "principal"}]
    schema["title"] = f"{spec.name} request"
    sample = _documentable(spec, example) or {"occurred_at": _SAMPLE_TIME,
                                               "data": sample_of(schema["properties"]["data"])}
    return {"requestBody": {"required": True, "content": {
        "application/json": {"schema": schema, "example": sample}}}}


def demo_examples() -> dict[str, dict[str, Any]]:
    """The first line of the demo history (``ledger.demo``) for each command it uses."""
    found: dict[str, dict[str, Any]] = {}
    for line in demo_commands("admin"):
        body = {k: v for k, v in line.items() if k not in {"command", "principal"}}
        found.setdefault(line["command"], body)
    return found


def _documentable(spec: CommandSpec, example: dict[str, Any] | None) -> dict[str, Any] | None:
    """``example`` as OpenAPI can show it (FastAPI drops every ``null`` from the document), if it
    still fits the command: a target named by a key with ``null`` members is named by its id."""
    if example is None:
        return None
    target = example["data"].get("target")
    if isinstance(target, dict) and None in target.values():
        by_id = {"id": str(spec.aggregate.create_id(**target))}
        example = {**example, "data": {**example["data"], "target": by_id}}
    shown: dict[str, Any] = _without_nulls(example)
    line = {**shown, "command": spec.name, "principal": "x"}
    try:
        spec.envelope.model_validate_json(json.dumps(line), strict=True)
    except ValidationError:
        return None
    return shown


def _without_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(v) for v in value]
    return value


def inline(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` with every ``#/$defs/...`` reference replaced by its definition: OpenAPI
    resolves ``#`` against its own document, where a model's ``$defs`` are not."""
    definitions = schema.get("$defs", {})

    def resolve(node: Any) -> Any:
        if isinstance(node, list):
            return [resolve(item) for item in node]
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        found = {k: resolve(v) for k, v in node.items() if k not in {"$ref", "$defs"}}
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            return {**resolve(copy.deepcopy(definitions[ref.removeprefix("#/$defs/")])), **found}
        return found

    resolved: dict[str, Any] = resolve(schema)
    return resolved


def sample_of(schema: dict[str, Any]) -> Any:
    """A value that fits ``schema`` in shape (required members only), for documentation."""
    for key in ("const", "default"):
        if schema.get(key) is not None:
            return schema[key]
    if "enum" in schema:
        return schema["enum"][0]
    branches = schema.get("anyOf") or schema.get("oneOf")
    if branches:
        return sample_of(next((b for b in branches if b.get("type") != "null"), branches[0]))
    kind = schema.get("type")
    if kind == "object":
        properties = schema.get("properties", {})
        return {name: sample_of(properties[name]) for name in schema.get("required", [])}
    if kind == "array":
        return [sample_of(schema.get("items", {}))] if schema.get("minItems", 0) else []
    if kind == "integer":
        return max(int(schema.get("minimum", 1)), 1)
    if kind == "boolean":
        return False
    if kind == "string":
        return _sample_text(schema)
    return None


def _sample_text(schema: dict[str, Any]) -> str:
    formats = {"date-time": _SAMPLE_TIME, "date": _SAMPLE_TIME[:10],
               "uuid": "00000000-0000-4000-8000-000000000000"}
    if schema.get("format") in formats:
        return formats[schema["format"]]
    if schema.get("pattern") == "^[0-9a-f]{64}$":
        return "0" * 64
    return str(schema.get("title", "text")).lower().replace(" ", "-")
