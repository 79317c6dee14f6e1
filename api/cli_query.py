"""``akledger query``: the as-of reports of the read side (issue 5 item 5, issue 4 item 4).

``thresholds``, ``exit-criteria`` and ``ttm`` of a phase (``--phase ID``); ``heatmap`` (of a
phase, a DMC); ``work-off`` (of a phase), ``matters``, ``findings``; ``dmct-status`` (of a DMC),
``dmct-schedule`` (``--version N``), ``dmct-thresholds`` (``--entry ID``). Each answers as of
``--as-of-position N`` or ``--as-of TIME`` (ISO 8601 with an offset; neither: the latest), the
day-judged ones (work-off, matters, findings, dmct-status) on ``--on DATE``; drawn by default
(``api.query_views``), or ``--json`` (``fact_codec.as_json``) or ``--csv``.

Before answering, the ``facts`` projection is caught up when it is behind the ledger; when a
projector holds it, this waits for it (up to ``WAIT_FOR_PROJECTOR`` seconds, then answers as of
where it got to and says so on stderr).

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
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console

from api import query_views as views
from ledger.application import AKLedger
from projections import dmct_queries, queries, tracking
from projections.as_of import AsOf, AsOfError, projected_position
from projections.errors import ProjectionLockedError
from projections.fact_codec import as_json
from projections.fact_kinds import FactKind
from projections.queries import HeatmapAnswer, HeatmapRow, UnknownPhaseError
from projections.register_queries import MatterState
from projections.registry import projection_named
from projections.rules.verdicts import CriterionResult
from projections.runner import run_once

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
    """The as-of arguments, read: a position or an aware time, the day to judge on, the output."""

    position: int | None
    time: datetime | None
    day: date | None
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
    """Read the as-of options; a bad one exits 2 naming it."""
    from api.cli import fail

    if position is not None and when is not None:
        fail(2, "--as-of-position, --as-of: give one or the other, not both")
    if position is not None and position < 0:
        fail(2, f"--as-of-position: {position} is not a ledger position (0 or more)")
    if as_json and as_csv:
        fail(2, "--json, --csv: choose one")
    moment = None
    if when is not None:
        try:
            moment = datetime.fromisoformat(when)
        except ValueError:
            fail(2, f"--as-of: {when!r} is not an ISO 8601 time (e.g. 2026-07-01T12:00:00+01:00)")
        if moment.tzinfo is None:
            fail(2, f"--as-of: {when} has no time zone (give an offset, e.g. +00:00)")
    day = None
    if on is not None:
        try:
            day = date.fromisoformat(on)
        except ValueError:
            fail(2, f"--on: {on!r} is not a date (YYYY-MM-DD)")
    return Asked(position, moment, day, Shape.JSON if as_json else Shape.CSV if as_csv else Shape.TABLE)


# -- the facts projection, caught up -----------------------------------------------------------------


def caught_up() -> AKLedger:
    """The ledger, with the ``facts`` projection caught up to its head (or as far as a running
    projector got within ``WAIT_FOR_PROJECTOR``)."""
    from api.cli import handled, ledger

    lg = ledger()
    with handled():
        at, head = _lag(lg)
        if head > at:
            try:
                run_once(lg, projection_named("facts", lg))
            except ProjectionLockedError:
                _wait_for_projector(lg)
    return lg


def _lag(lg: AKLedger) -> tuple[int, int]:
    """(where the facts projection is, the ledger's head)."""
    with lg.engine.connect() as conn:
        return projected_position(conn), tracking.head(conn)


def _wait_for_projector(lg: AKLedger) -> None:
    from api.cli import err

    _, target = _lag(lg)
    deadline = time.monotonic() + WAIT_FOR_PROJECTOR
    while (at := _lag(lg)[0]) < target:
        if time.monotonic() >= deadline:
            err.print(f"warning: the projector is at position {at} of {target}; answering as of there",
                      highlight=False, soft_wrap=True)
            return
        time.sleep(_POLL)


@contextmanager
def answering() -> Iterator[None]:
    """A query's errors as exit codes: what a filter or an as-of names that is not there, 2
    naming the option; any other ledger error, 1 (``api.cli.handled``)."""
    from api.cli import fail, handled

    with handled():
        try:
            yield
        except UnknownPhaseError as exc:
            fail(2, f"--phase: {exc}")
        except dmct_queries.UnknownDmcError as exc:
            fail(2, f"--dmc: {exc}")
        except dmct_queries.UnknownEntryError as exc:
            fail(2, f"--entry: {exc}")
        except dmct_queries.UnknownScheduleVersionError as exc:
            fail(2, f"--version: {exc}")
        except AsOfError as exc:
            fail(2, f"--as-of-position/--as-of: {exc}")


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
    with answering():
        at = queries.position_as_of(lg.engine, how.position, how.time)
        phases = queries.facts_at(lg.engine, FactKind.PHASE, at)
    listed = ", ".join(f"{p.phase_id} ({p.kind.value} {p.capability.value})" for p in phases) or "none"
    fail(2, f"--phase: name the Test Phase (planned as of position {at}: {listed})")


def of_phase(query: Callable[..., T], phase: str | None, how: Asked, **options: Any) -> T:
    """``query``'s answer for ``--phase`` (required) as of the position asked for."""
    lg = caught_up()
    with answering():
        return query(lg.engine, required_phase(lg, phase, how), as_of_position=how.position, as_of=how.time,
                     **options)
    raise AssertionError  # unreachable: answering() exits


def check_phase(lg: AKLedger, phase: str | None, at: AsOf) -> None:
    """Raises ``UnknownPhaseError`` when ``phase`` names no phase planned as of ``at``."""
    if phase is None:
        return
    if phase not in {p.phase_id for p in queries.facts_at(lg.engine, FactKind.PHASE, at.position)}:
        raise UnknownPhaseError(phase, at.position)


# -- the reports -------------------------------------------------------------------------------------


@query_app.command("thresholds")
def thresholds(phase: PhaseOpt = None, as_of_position: PositionOpt = None, as_of: TimeOpt = None,
               as_json_: JsonOpt = False, as_csv: CsvOpt = False) -> None:
    """The Testing Issue Threshold counts gating a phase (Tables 13.2, 13.3), each against its limit."""
    how = asked(as_of_position, as_of, as_json_, as_csv)
    answer = of_phase(queries.thresholds, phase, how)
    show(answer, how, lambda c: views.show_counts(c, answer.counts, answer.verdict,
                                                  f"thresholds of {answer.phase_id}"),
         lambda: views.threshold_csv(answer.counts))


@query_app.command("exit-criteria")
def exit_criteria(phase: PhaseOpt = None, require_evidence: EvidenceOpt = False,
                  as_of_position: PositionOpt = None, as_of: TimeOpt = None, as_json_: JsonOpt = False,
                  as_csv: CsvOpt = False) -> None:
    """The Exit Criteria of a PIT or SIT phase (§12.9; Table 13.1), each with its verdict."""
    how = asked(as_of_position, as_of, as_json_, as_csv)
    answer = of_phase(queries.exit_criteria, phase, how, require_evidence=require_evidence)
    show(answer, how, lambda c: views.show_exit(c, answer),
         lambda: views.cells_of(answer.evaluation.criteria, views.names_of(CriterionResult)))


@query_app.command("ttm")
def ttm(phase: PhaseOpt = None, as_of_position: PositionOpt = None, as_of: TimeOpt = None,
        as_json_: JsonOpt = False, as_csv: CsvOpt = False) -> None:
    """Requirement -> scenario -> planned test -> latest run for a phase (§11.1)."""
    how = asked(as_of_position, as_of, as_json_, as_csv)
    answer = of_phase(queries.ttm, phase, how)
    show(answer, how, lambda c: views.show_ttm(c, answer), lambda: views.ttm_csv(answer))


@query_app.command("heatmap")
def heatmap(phase: PhaseOpt = None, dmc: DmcOpt = None, as_of_position: PositionOpt = None,
            as_of: TimeOpt = None, as_json_: JsonOpt = False, as_csv: CsvOpt = False) -> None:
    """Functional group x DMC: planned tests and where their latest results stand (Table 13.1 #7)."""
    how = asked(as_of_position, as_of, as_json_, as_csv)
    lg = caught_up()
    with answering():
        answer = queries.heatmap(lg.engine, phase, as_of_position=how.position, as_of=how.time)
        check_phase(lg, phase, answer.as_of)
    if dmc is not None:
        answer = _of_dmc(answer, dmc)
    show(answer, how, lambda c: views.show_heatmap(c, answer),
         lambda: views.cells_of(answer.rows, views.names_of(HeatmapRow)))


def _of_dmc(answer: HeatmapAnswer, dmc: str) -> HeatmapAnswer:
    from api.cli import fail

    rows = tuple(r for r in answer.rows if r.dmc == dmc)
    if not rows:
        fail(2, f"--dmc: no planned test or DMC selection names {dmc!r} as of position "
                f"{answer.as_of.position}")
    counted = ("planned", "executed", "passed", "failed", "not_run", "witnessed", "descoped")
    sums = {f: sum(getattr(r, f) for r in rows) for f in counted}
    total = HeatmapRow(None, dmc, **sums, coverage_percent=sums["executed"] * 100 // sums["planned"]
                       if sums["planned"] else None)
    return replace(answer, rows=rows, total=total)


@query_app.command("work-off")
def work_off(phase: PhaseOpt = None, as_of_position: PositionOpt = None, as_of: TimeOpt = None,
             on: OnOpt = None, as_json_: JsonOpt = False, as_csv: CsvOpt = False) -> None:
    """Work Off Plan items and their deadlines (§15.1-15.2): overdue in red, resolved late in yellow."""
    how = asked(as_of_position, as_of, as_json_, as_csv, on)
    lg = caught_up()
    with answering():
        answer = queries.work_off(lg.engine, phase, as_of_position=how.position, as_of=how.time,
                                  judged_on=how.day)
        check_phase(lg, phase, answer.as_of)
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
    lg = caught_up()
    with answering():
        answer = queries.matters(lg.engine, as_of_position=how.position, as_of=how.time, judged_on=how.day)

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
    lg = caught_up()
    with answering():
        answer = queries.findings(lg.engine, as_of_position=how.position, as_of=how.time, judged_on=how.day,
                                  app=lg)

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
    lg = caught_up()
    with answering():
        answer = dmct_queries.dmct_status(lg.engine, dmc, as_of_position=how.position, as_of=how.time,
                                          judged_on=how.day)
    show(answer, how, lambda c: views.show_dmct_status(c, answer), lambda: views.dmct_status_csv(answer))


@query_app.command("dmct-schedule")
def dmct_schedule(dmc: DmcOpt = None, version: Annotated[int | None, typer.Option(
                      "--version", metavar="N", help="This publication instead of the latest.")] = None,
                  as_of_position: PositionOpt = None, as_of: TimeOpt = None, as_json_: JsonOpt = False,
                  as_csv: CsvOpt = False) -> None:
    """The DMCT Schedule in force (§20.9-20.10) and its change log against the previous publication."""
    how = asked(as_of_position, as_of, as_json_, as_csv)
    lg = caught_up()
    with answering():
        answer = dmct_queries.dmct_schedule(lg.engine, dmc=dmc, version=version, as_of_position=how.position,
                                            as_of=how.time)
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
    lg = caught_up()
    with answering():
        answer = dmct_queries.dmct_thresholds(lg.engine, entry, as_of_position=how.position, as_of=how.time)

    def draw(console: Console) -> None:
        views.show_counts(console, answer.counts, answer.verdict, f"Table 20.1 for {entry} ({answer.dmc_id})")
        if answer.uncounted_issue_ids:
            console.print(f"recorded on the entry but linked to it by no Testing Issue, so not counted: "
                          f"{', '.join(answer.uncounted_issue_ids)}", style="yellow", highlight=False)

    show(answer, how, draw, lambda: views.threshold_csv(answer.counts))


__all__ = ["query_app"]
