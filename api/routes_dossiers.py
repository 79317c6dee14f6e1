"""``POST /dossiers``: export a matter's dossier over HTTP (issue 7), as ``akledger dossier export``.

The body names the matter and the redaction; the response is the zip (``application/zip``).
Bearer authentication as every write (``api.auth``); only the DCC exports a dossier (issue 7: "the
DCC exports a dossier from the ledger"; what goes to whom is its confidentiality call, §13.20),
any other role is refused with 403 naming ``principal``; 404 for an unknown matter, 422 naming the
field for a bad redact field, preset or position (``api.problems``). The zip is built in memory:
a dossier is one matter's history, kilobytes to a few megabytes.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel, ConfigDict, Field

from api.auth import Authenticated
from api.deps import get_ledger
from api.problems import RequestRefusedError, problem_response
from ledger.application import AKLedger
from ledger.dossier.export import ExportRequest, export_dossier
from ledger.rules.roles import Role

router = APIRouter(tags=["dossiers"])
Ledger = Annotated[AKLedger, Depends(get_ledger)]
MAX_POSITION = 2**62  # inside the database's BIGINT


class DossierRequest(BaseModel):
    """What to export: the matter (id or reference), what to withhold, as of which position."""

    model_config = ConfigDict(extra="forbid")

    matter_id: str = Field(min_length=1, max_length=200, description="The matter's UUID or its reference.")
    redact: list[str] = Field(default_factory=list, max_length=200,
                              description="Payload fields to withhold (only their commitments stay).")
    preset: Literal["panel", "public", "supplier"] | None = Field(
        default=None, description="panel (13.20); supplier: anonymised (13.5, 16.1, 20.43); public: both",
    )
    as_of_position: int | None = Field(default=None, ge=1, le=MAX_POSITION)


@router.post(
    "/dossiers",
    response_class=Response,
    responses={200: {"content": {"application/zip": {}}, "description": "The dossier (zip)."},
               401: problem_response("No valid bearer token."),
               403: problem_response("The principal is not the DCC's: only the DCC exports dossiers."),
               404: problem_response("No matter of that id or reference.")},
    summary="Export a matter's dossier: its history and what it touches, proved against one checkpoint",
)
def export(body: DossierRequest, lg: Ledger, principal: Authenticated) -> Response:
    if principal.role is not Role.DCC:
        raise RequestRefusedError(403, "Forbidden", "principal",
                                  f"{principal.name} is {principal.role.value}: only the DCC exports "
                                  "dossiers")
    exported = export_dossier(
        lg, ExportRequest(body.matter_id, tuple(body.redact), body.preset, body.as_of_position)
    )
    name = f"dossier-{exported.matter_id}.zip"
    return Response(
        exported.zip_bytes, media_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
