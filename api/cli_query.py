"""``akledger query``: the as-of reports of the read side (issue 5 item 5, issue 4 item 4).

``thresholds``, ``exit-criteria`` and ``ttm`` of a phase (``--phase ID``); ``heatmap`` (of a
phase, a DMC); ``work-off`` (of a phase), ``matters``, ``findings``; ``dmct-status`` (of a DMC),
``dmct-schedule`` (``--version N``), ``dmct-thresholds`` (``--entry ID``). Each answers as of
``--as-of-position N`` or ``--as-of TIME`` (ISO 8601 with an offset; neither: the latest), the
day-judged ones (work-off, matters, findings, dmct-status) on ``--on DATE``; drawn by default
(``api.query_views``), or ``--json`` (``fact_codec.as_json``) or ``--csv``.

Before answering, the ``facts`` projection is caught up when it is behind the ledger; when a
projector holds it, this waits for it (up to ``WAIT_FOR_PROJECTOR`` seconds, then answers as of
where it got to and says so on stderr). The reports, their filters and the reading of the as-of
arguments are ``api.query_service``'s, shared with ``GET /queries/...`` (``api.routes_queries``).

Exit codes as in ``api.cli``: 0 answered; 1 the projection failed or has not reached the position
asked for, or Appendix AK sets no exit criteria for the phase's kind; 2 bad input: an as-of,
``--on`` or format that cannot be read or contradicts another, a filter naming nothing recorded as
of the position (the one-line message names the option).
"""

from __future__ import annotations

import csv
import json
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console

from api import query_service as service
from api import query_views as views
from api.query_service import AsOfAsked, QueryInputError, UnknownFilterError
from ledger.application import AKLedger
from projections import dmct_queries, queries
from projections.as_of import AsOf, AsOfError
from projections.fact_codec import encode as as_json
from projections.fact_kinds import FactKind
from projections.queries import HeatmapRow, UnknownPhaseError
from projections.register_queries import MatterState
from projections.rules.verdicts import CriterionResult

query_app = typer.Typer(no_args_is_help=True,
                        help="As-of reports: thresholds, exit criteria, coverage, registers, DMCT.")

T = TypeVar("T")
WAIT_FOR_PROJECTOR = 10.0  # seconds to wait for a running projector to catch up
_POLL = 0.2


class Shape(StrEnum):
    TABLE = "table"
    JSON = "json"
    CSV = "csv"


@dataclass(frozen=True)
class Asked:
    """The as-of arguments, read (``at``), and the output's shape."""

    at: AsOfAsked
    shape: Shape


PositionOpt = Annotated[int | None, typer.Option(
    "--as-of-position", metavar="N", help="As of ledger position N (a notification id).")]
TimeOpt = Annotated[str | None, typer.Option(
    "--as-of", metavar="TIME", help="As of the last position recorded by TIME (ISO 8601 with an offset).")]
OnOpt = Annotated[str | None, typer.Option(
    "--on", metavar="DATE", help="Judge deadlines on DATE (default: the day of --as-of or of the position).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]
CsvOpt = Annotated[bool, typer.Option("--csv", help="Print CSV: a header line, then one line per row.")]
PhaseOpt = Annotated[str | None, typer.Option("--phase", metavar="ID", help="The Test Phase's id.")]
EvidenceOpt = Annotated[bool, typer.Option(
    "--require-evidence", help="A criterion whose Table 13.1 evidence is not recorded is NOT_EVIDENCED.")]
DmcOpt = Annotated[str | None, typer.Option("--dmc", metavar="ID", help="Only this DMC.")]


def asked(
    position: int | None, when: str | None, as_json: bool, as_csv: bool, on: str | None = None
) -> Asked:
    """Read the as-of options (``api.query_service.read_as_of``); a bad one exits 2 naming it."""
    from api.cli import fail

    try:
        at = service.read_as_of(position, when, on)
    except QueryInputError as exc:
        fail(2, f"{', '.join(map(service.option, exc.parameters))}: {exc.reason}")
    if as_json and as_csv:
        fail(2, "--json, --csv: choose one")
    return Asked(at, Shape.JSON if as_json else Shape.CSV if as_csv else Shape.TABLE)


# -- the facts projection, caught up -----------------------------------------------------------------


def caught_up() -> AKLedger:
    """The ledger, with the ``facts`` projection caught up to its head (or as far as a running
    projector got within ``WAIT_FOR_PROJECTOR``)."""
    from api.cli import handled, ledger

    lg = ledger()
    with handled():
        state = service.catch_up(lg)
        if not state.caught_up:  # another runner holds the projection: wait for it
            _wait_for_projector(lg, state.ledger_head)
    return lg


def _wait_for_projector(lg: AKLedger, target: int) -> None:
    from api.cli import err

    deadline = time.monotonic() + WAIT_FOR_PROJECTOR
    while (at := service.read_model(lg).position) < target:
        if time.monotonic() >= deadline:
            err.print(f"warning: the projector is at position {at} of {target}; answering as of there",
                      highlight=False, soft_wrap=True)
            return
        time.sleep(_POLL)


@contextmanager
def answering(how: Asked) -> Iterator[None]:
    """A query's errors as exit codes: what a filter or an as-of names that is not there, 2
    naming the option; any other ledger error, 1 (``api.cli.handled``)."""
    from api.cli import fail, handled

    with handled():
        try:
            yield
        except (UnknownPhaseError, dmct_queries.UnknownDmcError, dmct_queries.UnknownEntryError,
                dmct_queries.UnknownScheduleVersionError, UnknownFilterError, AsOfError) as exc:
            fail(2, f"{', '.join(map(service.option, service.parameter_of(exc, how.at)))}: {exc}")


def show(answer: Any, how: Asked, draw: Callable[[Console], None], cells: Callable[[], views.Cells]) -> None:
    if how.shape is Shape.JSON:
        sys.stdout.write(json.dumps(as_json(answer), indent=2, ensure_ascii=False) + "\n")
    elif how.shape is Shape.CSV:
        header, rows = cells()
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    else:
        console = Console()  # per command: sized to the terminal in use (COLUMNS)
        at: AsOf = answer.as_of
        console.print(views.where(at))
        draw(console)


def required_phase(lg: AKLedger, phase: str | None, how: Asked) -> str:
    """``--phase``, or exit 2 listing the phases planned as of the position."""
    from api.cli import fail

    if phase is not None:
        return phase
    with answering(how):
        at = queries.position_as_of(lg.engine, how.at.position, how.at.time)
        phases = queries.facts_at(lg.engine, FactKind.PHASE, at)
    listed = ", ".join(f"{p.phase_id} ({p.kind.value} {p.capability.value})" for p in phases) or "none"
    fail(2, f"--phase: name the Test Phase (planned as of position {at}: {listed})")


def of_phase(query: Callable[..., T], phase: str | None, how: Asked, *options: Any) -> T:
    """``query``'s answer (an ``api.query_service`` report) for ``--phase`` (required) as of the
    position asked for."""
    lg = caught_up()
    with answering(how):
        return query(lg, required_phase(lg, phase, how), how.at, *options)
    raise AssertionError  # unreachable: answering() exits


def answered(query: Callable[..., T], *options: Any, how: Asked) -> T:
    """``query``'s answer (an ``api.query_service`` report) with ``options``, as of ``how``."""
    lg = caught_up()
    with answering(how):
        return query(lg, *options, how.at)
    raise AssertionError  # unreachable: answering() exits


# -- the reports -------------------------------------------------------------------------------------


@query_app.command("thresholds")
def thresholds(phase: PhaseOpt = None, as_of_position: PositionOpt = None, as_of: TimeOpt = None,
               as_json_: JsonOpt = False, as_csv: CsvOpt = False) -> None:
    """The Testing Issue Threshold counts gating a phase (Tables 13.2, 13.3), each against its limit."""
    how = asked(as_of_position, as_of, as_json_, as_csv)
    answer = of_phase(service.thresholds, phase, how)
    show(answer, how, lambda c: views.show_counts(c, answer.counts, answer.verdict,
                                                  f"thresholds of {answer.phase_id}"),
         lambda: views.threshold_csv(answer.counts))


@query_app.command("exit-criteria")
def exit_criteria(phase: PhaseOpt = None, require_evidence: EvidenceOpt = False,
                  as_of_position: PositionOpt = None, as_of: TimeOpt = None, as_json_: JsonOpt = False,
                  as_csv: CsvOpt = False) -> None:
    """The Exit Criteria of a PIT or SIT phase (§12.9; Table 13.1), each with its verdict."""
    how = asked(as_of_position, as_of, as_json_, as_csv)
    answer = of_phase(service.exit_criteria, phase, how, require_evidence)
    show(answer, how, lambda c: views.show_exit(c, answer),
         lambda: views.cells_of(answer.evaluation.criteria, views.names_of(CriterionResult)))


@query_app.command("ttm")
def ttm(phase: PhaseOpt = None, as_of_position: PositionOpt = None, as_of: TimeOpt = None,
        as_json_: JsonOpt = False, as_csv: CsvOpt = False) -> None:
    """Requirement -> scenario -> planned test -> latest run for a phase (§11.1)."""
    how = asked(as_of_position, as_of, as_json_, as_csv)
    answer = of_phase(service.ttm, phase, how)
    show(answer, how, lambda c: views.show_ttm(c, answer), lambda: views.ttm_csv(answer))


@query_app.command("heatmap")
def heatmap(phase: PhaseOpt = None, dmc: DmcOpt = None, as_of_position: PositionOpt = None,
            as_of: TimeOpt = None, as_json_: JsonOpt = False, as_csv: CsvOpt = False) -> None:
    """Functional group x DMC: planned tests and where their latest results stand (Table 13.1 #7)."""
    how = asked(as_of_position, as_of, as_json_, as_csv)
    answer = answered(service.heatmap, phase, dmc, how=how)
    show(answer, how, lambda c: views.show_heatmap(c, answer),
         lambda: views.cells_of(answer.rows, views.names_of(HeatmapRow)))


@query_app.command("work-off")
def work_off(phase: PhaseOpt = None, as_of_position: PositionOpt = None, as_of: TimeOpt = None,
             on: OnOpt = None, as_json_: JsonOpt = False, as_csv: CsvOpt = False) -> None:
    """Work Off Plan items and their deadlines (§15.1-15.2): overdue in red, resolved late in yellow."""
    how = asked(as_of_position, as_of, as_json_, as_csv, on)
    answer = answered(service.work_off, phase, how=how)
    show(answer, how,
         lambda c: views.show_rows(c, "Work Off Plan items", answer.items, queries.WorkOffRow, _late),
         lambda: views.cells_of(answer.items, views.names_of(queries.WorkOffRow)))


def _late(row: queries.WorkOffRow) -> str:
    return "bold red" if row.overdue else "yellow" if row.resolved_late else ""


_MATTER_STYLES = {MatterState.LAPSED: "bold red", MatterState.OPEN: "yellow", MatterState.DETERMINED: "green",
                  MatterState.WITHDRAWN: "dim"}


@query_app.command("matters")
def matters(as_of_position: PositionOpt = None, as_of: TimeOpt = None, on: OnOpt = None,
            as_json_: JsonOpt = False, as_csv: CsvOpt = False) -> None:
    """Disputes and referrals: open, lapsed (referral window ended, in red), determined, withdrawn."""
    how = asked(as_of_position, as_of, as_json_, as_csv, on)
    answer = answered(service.matters, how=how)

    def draw(console: Console) -> None:
        views.show_rows(console, "Matters", answer.matters, queries.MatterRow,
                        lambda r: _MATTER_STYLES[r.state])
        console.print(f"{answer.open} open, {answer.lapsed} lapsed, {answer.determined} determined, "
                      f"{answer.withdrawn} withdrawn", highlight=False)

    show(answer, how, draw, lambda: views.cells_of(answer.matters, views.names_of(queries.MatterRow)))


@query_app.command("findings")
def findings(as_of_position: PositionOpt = None, as_of: TimeOpt = None, on: OnOpt = None,
             as_json_: JsonOpt = False, as_csv: CsvOpt = False) -> None:
    """Compliance findings: each names the clause breached and the events that show it."""
    how = asked(as_of_position, as_of, as_json_, as_csv, on)
    answer = answered(service.findings, how=how)

    def draw(console: Console) -> None:
        views.show_rows(console, f"{len(answer.findings)} findings", answer.findings, queries.FindingRow)
        console.print("not checked here: " + "; ".join(answer.not_checked), style="dim", highlight=False)

    show(answer, how, draw, lambda: views.cells_of(answer.findings, views.names_of(queries.FindingRow)))


# -- the DMCT Process ----------------------------------------------------------------------------------


@query_app.command("dmct-status")
def dmct_status(dmc: DmcOpt = None, as_of_position: PositionOpt = None, as_of: TimeOpt = None,
                on: OnOpt = None, as_json_: JsonOpt = False, as_csv: CsvOpt = False) -> None:
    """The DMCT Status List (§20.8): each DMC and planned EPCL entry, its status and clause basis,
    and the Supplier Parties' clocks open on the day (§20.12, §20.37)."""
    how = asked(as_of_position, as_of, as_json_, as_csv, on)
    answer = answered(service.dmct_status, dmc, how=how)
    show(answer, how, lambda c: views.show_dmct_status(c, answer), lambda: views.dmct_status_csv(answer))


@query_app.command("dmct-schedule")
def dmct_schedule(dmc: DmcOpt = None, version: Annotated[int | None, typer.Option(
                      "--version", metavar="N", help="This publication instead of the latest.")] = None,
                  as_of_position: PositionOpt = None, as_of: TimeOpt = None, as_json_: JsonOpt = False,
                  as_csv: CsvOpt = False) -> None:
    """The DMCT Schedule in force (§20.9-20.10) and its change log against the previous publication."""
    how = asked(as_of_position, as_of, as_json_, as_csv)
    answer = answered(service.dmct_schedule, dmc, version, how=how)
    show(answer, how, lambda c: views.show_dmct_schedule(c, answer), lambda: views.dmct_schedule_csv(answer))


@query_app.command("dmct-thresholds")
def dmct_thresholds(entry: Annotated[str | None, typer.Option(
                        "--entry", metavar="ID", help="The planned EPCL entry's id.")] = None,
                    as_of_position: PositionOpt = None, as_of: TimeOpt = None, as_json_: JsonOpt = False,
                    as_csv: CsvOpt = False) -> None:
    """Table 20.1 for a planned EPCL entry (§20.28): (a) the entry, (b) the aggregate across DMCT."""
    from api.cli import fail

    how = asked(as_of_position, as_of, as_json_, as_csv)
    if entry is None:
        fail(2, "--entry: name the planned EPCL entry (see `akledger query dmct-status`)")
    answer = answered(service.dmct_thresholds, entry, how=how)

    def draw(console: Console) -> None:
        views.show_counts(console, answer.counts, answer.verdict, f"Table 20.1 for {entry} ({answer.dmc_id})")
        if answer.uncounted_issue_ids:
            console.print(f"recorded on the entry but linked to it by no Testing Issue, so not counted: "
                          f"{', '.join(answer.uncounted_issue_ids)}", style="yellow", highlight=False)

    show(answer, how, draw, lambda: views.threshold_csv(answer.counts))


__all__ = ["query_app"]
