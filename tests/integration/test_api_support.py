"""What the HTTP command tests share (no tests of its own): a staffed ledger whose principals
hold bearer tokens, a client for it, and a count of what is stored.

Principals and tokens are made through the public command path (``bootstrap_admin``, then
``Principal.add`` and ``Principal.issue_token`` issued by the admin), as ``akledger principals
add`` and ``akledger principals token`` make them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from api.auth import IssuedToken, new_token
from api.http import create_app
from ledger.actors import Actor
from ledger.application import AKLedger
from ledger.commands.execute import Executed, bootstrap_admin, execute
from ledger.context import RecordingContext
from ledger.principals import PRINCIPAL_ROLES
from ledger.rules.roles import Role

EARLIER = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()


def who(role: Role) -> str:
    """The principal named after ``role`` (``dcc-service-provider``); the admin is ``admin``."""
    return "admin" if role is Role.ADMIN else role.value.replace("_", "-")


def as_admin(lg: AKLedger, command: str, data: dict[str, Any]) -> Executed:
    return execute(lg, {"command": command, "principal": "admin", "occurred_at": EARLIER, "data": data})


def issue_token(lg: AKLedger, name: str) -> IssuedToken:
    issued = new_token(name)
    as_admin(lg, "Principal.issue_token",
             {"target": {"name": name}, "token_id": issued.token_id, "token_sha256": issued.sha256})
    return issued


@dataclass
class Staff:
    """A ledger with an admin and one principal per role, each holding a token."""

    ledger: AKLedger
    tokens: dict[str, IssuedToken] = field(default_factory=dict)

    def client(self, lg: AKLedger | None = None) -> TestClient:
        """A client of an app for ``lg`` (by default the staff's ledger)."""
        return TestClient(create_app(lg or self.ledger), raise_server_exceptions=False)

    def bearer(self, role: Role) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who(role)].token}"}

    def stored(self) -> int:
        """How many events the ledger holds."""
        with self.ledger.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(self.ledger.events_table)).scalar_one())


def staff(lg: AKLedger, actor: Actor) -> Staff:
    bootstrap_admin(lg, "admin", "ledger operator", RecordingContext(actor, datetime.now(UTC)))
    for role in PRINCIPAL_ROLES:
        if role is not Role.ADMIN:
            as_admin(lg, "Principal.add", {"name": who(role), "role": role.value, "organisation": role.value})
    return Staff(lg, {who(role): issue_token(lg, who(role)) for role in PRINCIPAL_ROLES})


def note(text: str = "witnessed regression run 3") -> dict[str, Any]:
    """The body of a ``Note.record`` request."""
    return {"occurred_at": EARLIER, "data": {"text": text}}


def raise_issue(reference: str, raised_by: str = "dcc") -> dict[str, Any]:
    """The body of a ``TestingIssue.raise_issue`` request."""
    return {"occurred_at": EARLIER, "data": {
        "reference": reference, "summary": "alert not delivered", "phase_id": "SIT-IOC",
        "dmc_ids": ["DMC-1"], "epcl_entry_ids": [], "service_providers": ["S1SP"],
        "cause": "dcc_total_system", "environment": "test", "raised_by": raised_by,
        "security_impact": False,
    }}
