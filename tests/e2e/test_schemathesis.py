"""The whole HTTP API against its own OpenAPI document (issue 6 item 5), by schemathesis.

Every operation (``/commands/*``, ``/queries/*``, ``/log/*``, ``/health``) is called with data
that fits its schema and data that does not, as an admin principal holding a valid bearer token,
on the demo ledger (``akledger demo --no-serve``), through the ASGI app ``create_app`` builds. No
response may be a 5xx, and each must be a status, media type and body its operation declares.
Bounded (``MAX_EXAMPLES`` per operation, fuzzing only, deterministic) so the file stays within a
few minutes on SQLite; the PostgreSQL run covers the read side and the log only, where the
database differs most, and fewer commands.
"""

from __future__ import annotations

import os
import uuid
import zlib
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import schemathesis
import sqlalchemy as sa
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.core.errors import InvalidSchema
from schemathesis.core.failures import FailureGroup
from schemathesis.core.result import Err, Ok
from schemathesis.generation.case import Case
from schemathesis.generation.modes import GenerationMode
from schemathesis.schemas import APIOperation
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.auth import new_token
from api.http import create_app
from ledger.application import AKLedger
from ledger.commands.execute import execute
from ledger.config import Settings
from ledger.store import open_ledger
from tests.conftest import ORIGIN
from tests.e2e.test_http import cli

MAX_EXAMPLES = 3  # per operation and mode; ~170 operations
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
ADMIN = "tester"
Operation = APIOperation[Any, Any, Any, Any]
CONFIG = {"seed": 20261125, "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True}}


def demo_ledger(home: Path, database_url: str) -> tuple[AKLedger, dict[str, str]]:
    """`akledger demo --no-serve` in ``home``; the ledger, open, and an admin's bearer header."""
    opened = Settings(home=home, database_url=database_url, log_origin=ORIGIN, actor=ADMIN,
                        key_passphrase=None)
    cli({**os.environ, "AKLEDGER_HOME": str(home), "AKLEDGER_DATABASE_URL": database_url,
         "AKLEDGER_LOG_ORIGIN": ORIGIN, "AKLEDGER_ACTOR": ADMIN}, "demo", "--no-serve")
    lg = open_ledger(opened)
    issued = new_token(ADMIN)
    execute(lg, {"command": "Principal.issue_token", "principal": ADMIN,
                 "occurred_at": datetime.now(UTC).isoformat(),
                 "data": {"target": {"name": ADMIN}, "token_id": issued.token_id,
                          "token_sha256": issued.sha256}})
    return lg, {"Authorization": f"Bearer {issued.token}"}


def database(backend: str, home: Path, request: pytest.FixtureRequest) -> str:
    if backend == "sqlite":
        return f"sqlite:///{home / 'ledger.sqlite3'}"
    base = request.getfixturevalue("pg_database")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    engine = sa.create_engine(base)
    with engine.begin() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    engine.dispose()
    return sa.engine.make_url(base).update_query_dict(
        {"options": f"-csearch_path={schema}"}).render_as_string(hide_password=False)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_no_operation_answers_a_5xx_or_anything_it_does_not_declare(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    lg, headers = demo_ledger(tmp_path / "home", database(backend, tmp_path, request))
    try:
        schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(lg),
                                                config=SchemathesisConfig.from_dict(CONFIG))
        operations = [operation_of(result) for result in schema.get_all_operations()]
        assert len(operations) > 150
        seen: Counter[tuple[str, int]] = Counter()
        failures = [failure for operation in operations if chosen(operation.path, backend)
                    for mode in GenerationMode for failure in fuzz(operation, mode, headers, seen)]
    finally:
        lg.close()
        lg.engine.dispose()
    # The run reached the routes as the admin (answers, not only refusals of the token; negative
    # data may leave the token out, so a 401 is no failure).
    answered = {path for path, status in seen if status == 200}
    failures += [f"no 200 from {path}" for path in ("/queries", "/log", "/commands", "/health")
                 if path not in answered]
    assert not failures, "\n\n".join(failures) + f"\n\nanswers: {sorted(seen.items())}"


def operation_of(result: Ok[Operation] | Err[InvalidSchema]) -> Operation:
    assert isinstance(result, Ok), f"the API's OpenAPI document: {result.err()}"
    return result.ok()


def chosen(path: str, backend: str) -> bool:
    """Every operation on SQLite; on PostgreSQL every one but three commands in four (the write
    path is the same code on both; what differs is the database under it)."""
    return backend == "sqlite" or not path.startswith("/commands/") or zlib.crc32(path.encode()) % 4 == 0


def fuzz(
    operation: Operation, mode: GenerationMode, headers: dict[str, str], seen: Counter[tuple[str, int]]
) -> list[str]:
    """``MAX_EXAMPLES`` cases of ``operation`` in ``mode``, each called and checked (``seen``
    counts the answers by the path's first segment and status); what failed."""

    @given(case=operation.as_strategy(mode))
    @settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
              phases=[Phase.generate], suppress_health_check=list(HealthCheck))
    def call(case: Case[Any]) -> None:
        response = case.call_and_validate(headers=headers, checks=CHECKS)
        seen["/" + operation.path.split("/")[1], response.status_code] += 1

    try:
        call()
    except Unsatisfiable:  # negative data for an operation without parameters or body: none exists
        assert mode is GenerationMode.NEGATIVE, operation.label
    except (Exception, FailureGroup) as exc:  # checks failed: report every operation's at the end
        return [f"{operation.label} ({mode.value}): {exc}"[:3000]]
    return []
