"""``akledger report NAME``: a report computed from the ledger as of a position, as HTML and JSON.

``sit-completion --phase ID`` (the SIT Completion Report evidence pack), ``sit-auditor-checklist
--phase ID`` (§19.4(a)-(f)), ``weekly --week-ending DATE`` (§16.1-16.3, anonymised unless
``--no-anonymise``), ``dmct-draft --entry ID`` (§20.34/§20.35). Each is written to ``--out DIR`` as
``NAME-SUBJECT.html`` and ``.json`` and states the signed checkpoint it was computed against: the
log is integrated first, so one covers the position.

Exit codes as ``akledger query``: 2 for an option that cannot be read or names nothing recorded as
of the position (the message names it), 1 for a projection that failed or is behind.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from api import log_service
from api.cli_query import CsvOpt, JsonOpt, OnOpt, PhaseOpt, PositionOpt, TimeOpt, answering, asked, caught_up
from api.report_render import write
from projections.as_of import resolve
from projections.reports.dmct import dmct_draft
from projections.reports.model import Report
from projections.reports.sit import auditor_checklist, sit_completion
from projections.reports.weekly import weekly


class ReportName(StrEnum):
    SIT_COMPLETION = "sit-completion"
    SIT_AUDITOR_CHECKLIST = "sit-auditor-checklist"
    WEEKLY = "weekly"
    DMCT_DRAFT = "dmct-draft"


def report(
    name: Annotated[ReportName, typer.Argument(help="Which report.")],
    out: Annotated[Path, typer.Option("--out", metavar="DIR", help="Write NAME-SUBJECT.html and .json here.")]
    = Path("reports"),
    phase: PhaseOpt = None,
    entry: Annotated[str | None, typer.Option(
        "--entry", metavar="ID", help="dmct-draft: the planned EPCL entry.")] = None,
    week_ending: Annotated[str | None, typer.Option(
        "--week-ending", metavar="DATE", help="weekly: the last day of the week (YYYY-MM-DD).")] = None,
    anonymise: Annotated[bool, typer.Option(
        "--anonymise/--no-anonymise", help="weekly: pseudonyms for Service Providers and DMCs (§16.1).")]
    = True,
    as_of_position: PositionOpt = None,
    as_of: TimeOpt = None,
    on: OnOpt = None,
    as_json: JsonOpt = False,
    as_csv: CsvOpt = False,
) -> None:
    """Compute a report as of a position and write it as HTML and JSON."""
    from api.cli import fail, handled
    from api.cli import out as console

    how = asked(as_of_position, as_of, as_json, as_csv, on)
    if how.shape.value != "table":
        fail(2, "--json, --csv: a report is written as both HTML and JSON to --out")
    lg = caught_up()
    with handled():
        log_service.integrate(lg)  # so a signed checkpoint covers the position
    built: Report
    with answering(how):
        at = resolve(lg.engine, how.at.position, how.at.time, how.at.day)
        if name in (ReportName.SIT_COMPLETION, ReportName.SIT_AUDITOR_CHECKLIST):
            if phase is None:
                fail(2, f"--phase: {name.value} is a report on one Test Phase "
                        "(see `akledger query thresholds`)")
            build = sit_completion if name is ReportName.SIT_COMPLETION else auditor_checklist
            built, stem = build(lg.engine, phase, at), f"{name.value}-{phase}"
        elif name is ReportName.DMCT_DRAFT:
            if entry is None:
                fail(2, "--entry: dmct-draft is a report on one planned EPCL entry "
                        "(see `akledger query dmct-status`)")
            built, stem = dmct_draft(lg, entry, at), f"dmct-draft-{entry}"
        else:
            if week_ending is None:
                fail(2, "--week-ending: weekly needs the last day of the week (YYYY-MM-DD)")
            try:
                ending = date.fromisoformat(week_ending)
            except ValueError:
                fail(2, f"--week-ending: {week_ending!r} is not a date (YYYY-MM-DD)")
            built, stem = weekly(lg.engine, ending, at, anonymise=anonymise), f"weekly-{ending.isoformat()}"
    html, data = write(built, out, stem)
    where = (f"checkpoint {built.checkpoint.size}" if built.checkpoint is not None
             else "no checkpoint covers it yet")
    console.print(f"{built.title}: as of position {built.as_of.position} ({where})\n  {html}\n  {data}",
                  highlight=False, soft_wrap=True)


__all__ = ["ReportName", "report"]
