"""How ``akledger query`` shows its answers: drawn where people would rather see than read.

Threshold counts as a bar per severity against its limit (red over it, yellow when BLOCKED); the
heatmap as a grid of functional group x DMC coloured by pass rate; the DMCT Status List coloured
by status family; the DMCT Schedule as a timeline of its entries with the change log below. The
rest are tables. ``cells_of`` and the ``*_csv`` functions give a header and rows for ``--csv``.
Presentation only: what the colours mean is the answer's (its verdicts, counts and statuses).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import fields
from datetime import date
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ledger.dmct.schedule_values import ScheduleEntry
from ledger.rules.dmct_statuses import DmctStatus
from ledger.rules.thresholds import COLUMNS
from projections.as_of import AsOf
from projections.dmct_queries import DmctScheduleAnswer, DmctStatusAnswer
from projections.fact_codec import encode
from projections.queries import ExitAnswer, HeatmapAnswer, HeatmapRow, TtmAnswer
from projections.rules.thresholds import SeverityCount, ThresholdCount
from projections.rules.verdicts import Verdict

VERDICT_STYLES = {Verdict.PASS: "green", Verdict.FAIL: "bold red", Verdict.BLOCKED: "yellow",
                  Verdict.NOT_APPLICABLE: "dim", Verdict.NOT_EVIDENCED: "magenta"}
_S = DmctStatus
#: The families the DMCT Status List is coloured by: (family, style, its statuses, catalogue 8.1).
STATUS_FAMILIES: tuple[tuple[str, str, frozenset[DmctStatus]], ...] = (
    ("submitted or assessed", "bright_blue", frozenset({_S("S00"), _S("S01"), _S("S03")})),
    ("excluded", "grey50", frozenset(_S(f"S{n:02}") for n in (2, 4, 5, 6, 8, 10, 20, 21, 22, 23))),
    ("not tested: equivalent or relied on", "steel_blue1", frozenset({_S("S07"), _S("S15")})),
    ("disputed or with the SoS", "magenta", frozenset(_S(f"S{n:02}") for n in (9, 11, 12, 13, 27))),
    ("scheduled or testing", "cyan", frozenset({_S("S14"), _S("S16"), _S("S17"), _S("S18")})),
    ("Testing Issue under resolution", "yellow", frozenset({_S("S19")})),
    ("report in progress", "orange1", frozenset(_S(f"S{n:02}") for n in (24, 25, 26, 30, 31))),
    ("final and successful, or published", "green", frozenset({_S("S28"), _S("S32")})),
    ("final and unsuccessful", "red", frozenset({_S("S29")})),
)
# Pass rate (passed / planned, %) from which a heatmap cell takes each colour, best first.
_PASS_RATE_STYLES = ((100, "black on green3"), (75, "black on chartreuse3"), (50, "black on yellow3"),
                     (25, "black on dark_orange"), (0, "white on red3"))
_UNTESTED_STYLE = "white on magenta"  # a DMC selected for the phase and no planned test on it
_BAR = 24  # cells of a threshold bar


def family_of(status: DmctStatus) -> tuple[str, str]:
    """The family and style of a status. Raises ``KeyError`` for a status in no family."""
    for family, style, statuses in STATUS_FAMILIES:
        if status in statuses:
            return family, style
    raise KeyError(status)


def where(at: AsOf) -> Text:
    reached = "no event yet" if at.reached_at is None else f"reached {at.reached_at:%Y-%m-%d %H:%M %Z}"
    return Text(f"as of position {at.position} ({reached}); judged on {at.judged_on}", style="dim")


def verdict(value: Verdict) -> Text:
    return Text(value.value.upper().replace("_", " "), style=VERDICT_STYLES[value])


# -- threshold bars ---------------------------------------------------------------------------------


def threshold_bar(count: int, limit: int, row_verdict: Verdict) -> Text:
    """Counted against the limit: the allowance (░) filled to the count (█), the limit (┃), and
    red beyond it; yellow while a pending determination could go either way (§14.5)."""
    scale = max(count, limit, 1)

    def cells(n: int) -> int:
        return 0 if n <= 0 else max(1, n * _BAR // scale)

    within = min(count, limit)
    fill = "yellow" if row_verdict is Verdict.BLOCKED else "red" if count > limit else "green"
    bar = Text("█" * cells(within), style=fill)
    bar.append("░" * max(0, cells(limit) - cells(within)), style="dim")
    bar.append("┃", style="bold")
    bar.append("█" * cells(count - limit), style="bold red")
    return bar


def count_table(count: ThresholdCount) -> Table:
    heading = next(c.heading for c in COLUMNS if c.scope is count.column)
    table = Table("sev", "counted against the limit", "n/limit", "verdict", "pending",
                  title=f"{count.unit}: Table {count.table.value} {heading}", title_justify="left",
                  caption=count.scope_note, caption_justify="left")
    for row in count.rows:
        table.add_row(str(row.severity), threshold_bar(row.count, row.limit, row.verdict),
                      Text(f"{row.count}/{row.limit}", style="red" if row.count > row.limit else ""),
                      verdict(row.verdict), _pending(row))
    table.add_row("", "", "", verdict(count.verdict), "", style="bold")
    return table


def _pending(row: SeverityCount) -> str:
    return ", ".join(f"{p.reference} (§{p.clause})" for p in row.pending)


def show_counts(console: Console, counts: Sequence[ThresholdCount], overall: Verdict, subject: str) -> None:
    for count in counts:
        console.print(count_table(count))
    if not counts:
        console.print("no count applies here (the MTAD or the TAD sets the thresholds)")
    console.print(Text.assemble(f"{subject}: ", verdict(overall)))


# -- exit criteria and TTM ---------------------------------------------------------------------------


def show_exit(console: Console, answer: ExitAnswer) -> None:
    table = Table("criterion", "title", "verdict", "detail", "missing evidence",
                  title=f"Exit Criteria of {answer.phase_kind.value.upper()} phase {answer.phase_id}")
    for c in answer.evaluation.criteria:
        table.add_row(c.criterion, c.title, verdict(c.verdict), c.detail, ", ".join(c.missing_evidence))
    console.print(table)
    show_counts(console, answer.evaluation.threshold_counts, answer.evaluation.verdict, "exit")


def show_ttm(console: Console, answer: TtmAnswer) -> None:
    version = answer.ttm_version or "no TTM published: traced from the planned tests"
    table = Table("requirement", "scenarios", "tests (latest run)", "covered",
                  title=f"TTM of {answer.phase_id}: {version}" + (" (assured)" if answer.assured else ""))
    for row in answer.rows:
        results = [(t.test_ref, t.latest_result.value if t.latest_result else None) for t in row.tests]
        tests = Text(", ").join(Text(f"{ref} {result or 'not run'}", style=_result_style(result))
                                for ref, result in results)
        table.add_row(row.requirement_key or row.requirement_id, ", ".join(row.scenario_refs), tests,
                      Text("yes", style="green") if row.covered else Text("NO", style="bold red"))
    console.print(table)
    console.print(f"uncovered requirements: {', '.join(answer.uncovered_requirements) or 'none'}; "
                  f"untraced tests: {', '.join(answer.untraced_tests) or 'none'}", highlight=False)


def _result_style(result: str | None) -> str:
    return {"pass": "green", "fail": "red"}.get(result or "", "dim")


# -- the heatmap ---------------------------------------------------------------------------------------


def heatmap_grid(answer: HeatmapAnswer) -> Table:
    """Functional group (rows) x DMC (columns); a cell: passed/planned and the share run."""
    groups = sorted({r.functional_group for r in answer.rows}, key=lambda g: g or "")
    dmcs = sorted({r.dmc for r in answer.rows}, key=lambda d: d or "")
    cells = {(r.functional_group, r.dmc): r for r in answer.rows}
    grid = Table("functional group", *(d or "(no DMC)" for d in dmcs), show_lines=True,
                 title=f"Heatmap of {answer.phase_id or 'every phase'}", title_justify="left")
    for group in groups:
        grid.add_row(group or "(no group)", *(_heat_cell(cells.get((group, d))) for d in dmcs))
    legend = Text("cell: passed/planned, run = executed/planned. Pass rate: ")
    for floor, style in _PASS_RATE_STYLES:
        legend.append(f" ≥{floor}% " if floor < 100 else " 100% ", style=style)
    legend.append(" ")
    legend.append(" selected, no test ", style=_UNTESTED_STYLE)
    grid.caption, grid.caption_justify = legend, "left"
    return grid


def _heat_cell(row: HeatmapRow | None) -> Text:
    if row is None:
        return Text("·", style="dim", justify="center")
    if row.planned == 0:
        return Text("no test" if not row.descoped else f"{row.descoped} descoped", style=_UNTESTED_STYLE,
                    justify="center")
    rate = row.passed * 100 // row.planned
    style = next(s for floor, s in _PASS_RATE_STYLES if rate >= floor)
    return Text(f"{row.passed}/{row.planned}\nrun {row.coverage_percent}%", style=style, justify="center")


def show_heatmap(console: Console, answer: HeatmapAnswer) -> None:
    console.print(heatmap_grid(answer))
    t = answer.total
    console.print(f"total: {t.passed} passed, {t.failed} failed, {t.not_run} not run of {t.planned} planned "
                  f"({t.coverage_percent if t.coverage_percent is not None else '-'}% run), "
                  f"{t.witnessed} witnessed, {t.descoped} descoped", highlight=False)


# -- the DMCT Status List and Schedule ------------------------------------------------------------------


def show_dmct_status(console: Console, answer: DmctStatusAnswer) -> None:
    table = Table(title=f"DMCT Status List: {answer.open_clocks} Supplier clock(s) open on "
                        f"{answer.clocks_at:%Y-%m-%d}", title_justify="left")
    table.add_column("DMC / entry", no_wrap=True)
    table.add_column("code", no_wrap=True)
    for heading in ("status", "since", "clause basis", "open clocks"):
        table.add_column(heading, overflow="fold")  # long status names fold: nothing is cut off
    for row in answer.rows:
        family, style = family_of(DmctStatus(row.code))
        who = row.dmc_id if row.entry_id is None else f"  └ {row.entry_id}"
        clocks = "\n".join(f"§{c.clause} {c.supplier}, until {c.deadline.due}" for c in row.clocks)
        table.add_row(Text(who, style="bold" if row.entry_id is None else ""), Text(row.code, style=style),
                      Text(row.name.replace("_", " "), style=style), f"{row.since:%Y-%m-%d}",
                      ", ".join(f"§{c}" for c in row.clauses), Text(clocks, style="bold yellow"))
    legend = Text()
    for family, style, _ in STATUS_FAMILIES:
        legend.append(f"■ {family}  ", style=style)
    table.caption, table.caption_justify = legend, "left"
    console.print(table)


def show_dmct_schedule(console: Console, answer: DmctScheduleAnswer) -> None:
    p = answer.publication
    if p is None:
        console.print("the DMCT Schedule has not been published as of this position")
        return
    console.print(f"DMCT Schedule v{p.schedule_version}, published {p.published_on} "
                  f"(earlier: {', '.join(map(str, answer.published_versions[:-1])) or 'none'}); "
                  f"{p.location or 'no DCC Website location recorded'}; SECAS copy: "
                  f"{'sent' if p.sent_to_secas else 'NOT sent'}; notified: "
                  f"{', '.join(r.value for r in p.recipients) or 'nobody'}"
                  + (f"; NOT notified: {', '.join(r.value for r in answer.missing_recipients)}"
                     if answer.missing_recipients else ""), highlight=False)
    changed = {c.entry_id: c for c in p.changes}
    lo = min((e.planned_start for e in p.entries), default=p.published_on)
    hi = max((e.planned_completion for e in p.entries), default=p.published_on)
    table = Table("entry", "DMC", "type", "release", "start", "completion", "pack",
                  f"{lo} … {hi}", "change", title_justify="left", title="Entries")
    for e in p.entries:
        change = changed.get(e.entry_id)
        style = "green" if change and change.after and not change.before else "yellow" if change else "cyan"
        table.add_row(e.entry_id, e.dmc, e.installation_type.value, e.capability_release.value.upper(),
                      str(e.planned_start), str(e.planned_completion),
                      e.pack_label,
                      _timeline(e.planned_start, e.planned_completion, lo, hi, style),
                      "" if change is None else ", ".join(change.kinds))
    console.print(table)
    log = Table("entry", "change", "why", "reference", "before", "after", title_justify="left",
                title=f"Change log against v{answer.previous_version or '-'}")
    for c in p.changes:
        log.add_row(c.entry_id, ", ".join(c.kinds), c.trigger.value, c.reference or "",
                    "" if c.before is None else f"{c.before.planned_start} … {c.before.planned_completion}",
                    "" if c.after is None else f"{c.after.planned_start} … {c.after.planned_completion}")
    console.print(log)


def _timeline(start: date, end: date, lo: date, hi: date, style: str, width: int = 30) -> Text:
    span = max((hi - lo).days, 1)
    first, last = (start - lo).days * width // span, (end - lo).days * width // span
    line = Text("·" * first, style="dim")
    line.append("█" * max(1, last - first), style=style)
    line.append("·" * max(0, width - max(last, first + 1)), style="dim")
    return line


# -- generic tables and CSV -----------------------------------------------------------------------------

Cells = tuple[list[str], list[list[str]]]  # a header and the rows under it


def show_rows(console: Console, title: str, rows: Sequence[Any], kind: type,
              style_of: Callable[[Any], str] | None = None) -> None:
    """A table of ``kind`` dataclass rows, each styled by ``style_of(row)``."""
    header, values = cells_of(rows, names_of(kind))
    table = Table(title=title, title_justify="left")
    for heading in header:
        table.add_column(heading, overflow="fold")
    for row, line in zip(rows, values, strict=True):
        table.add_row(*line, style=style_of(row) if style_of else "")
    console.print(table)


def names_of(kind: type) -> list[str]:
    return [f.name for f in fields(kind)]


def cells_of(rows: Sequence[Any], names: Sequence[str]) -> Cells:
    """The header ``names`` and each row's cells (a row: a dataclass or a dict with those keys)."""
    return list(names), [[cell(r[n] if isinstance(r, dict) else getattr(r, n)) for n in names] for r in rows]


def cell(value: Any) -> str:
    """One value as a CSV cell: lists joined by ``;``, objects as ``key=value`` pairs, None empty."""
    data = encode(value)
    if data is None:
        return ""
    if isinstance(data, list):
        return ";".join(cell(v) for v in data)
    if isinstance(data, dict):
        return " ".join(f"{k}={cell(v)}" for k, v in data.items() if v not in (None, [], ""))
    return str(data)


# -- CSV rows of the answers that nest ---------------------------------------------------------------


def threshold_csv(counts: Sequence[ThresholdCount]) -> Cells:
    rows = [{"unit": c.unit, "table": c.table, "column": c.column, "severity": r.severity, "limit": r.limit,
             "counted": r.count, "verdict": r.verdict, "count_verdict": c.verdict,
             "counted_issues": r.counted_ids, "pending_issues": [p.reference for p in r.pending]}
            for c in counts for r in c.rows]
    return cells_of(rows, ("unit", "table", "column", "severity", "limit", "counted", "verdict",
                           "count_verdict", "counted_issues", "pending_issues"))


def ttm_csv(answer: TtmAnswer) -> Cells:
    rows = [{"requirement_id": r.requirement_id, "requirement_key": r.requirement_key,
             "scenarios": r.scenario_refs, "covered": r.covered,
             "tests": [f"{t.test_ref}:{t.latest_result.value if t.latest_result else 'not_run'}"
                       for t in r.tests]} for r in answer.rows]
    return cells_of(rows, ("requirement_id", "requirement_key", "scenarios", "tests", "covered"))


def dmct_status_csv(answer: DmctStatusAnswer) -> Cells:
    rows = [{"level": r.level, "dmc_id": r.dmc_id, "entry_id": r.entry_id, "code": r.code, "name": r.name,
             "clauses": r.clauses, "since": r.since, "event_id": r.event_id,
             "open_clocks": [f"{c.clause} {c.supplier} until {c.deadline.due}" for c in r.clocks],
             "entry_ids": r.entry_ids, "planned_start": r.planned and r.planned.planned_start,
             "planned_completion": r.planned and r.planned.planned_completion} for r in answer.rows]
    return cells_of(rows, ("level", "dmc_id", "entry_id", "code", "name", "clauses", "since", "event_id",
                           "open_clocks", "entry_ids", "planned_start", "planned_completion"))


def dmct_schedule_csv(answer: DmctScheduleAnswer) -> Cells:
    """One row per entry of the publication, and one per entry it removed; each with its change."""
    names = ["schedule_version", *names_of(ScheduleEntry), "change", "trigger", "reference"]
    p = answer.publication
    if p is None:
        return cells_of([], names)
    changed = {c.entry_id: c for c in p.changes}
    removed = [c.before for c in p.changes if c.after is None and c.before is not None]
    rows = []
    for e in (*p.entries, *removed):
        change = changed.get(e.entry_id)
        fields_ = {n: getattr(e, n) for n in names_of(ScheduleEntry)}
        rows.append({"schedule_version": p.schedule_version, **fields_,
                     "change": change.kinds if change else (), "trigger": change and change.trigger,
                     "reference": change and change.reference})
    return cells_of(rows, names)

__all__ = [
    "STATUS_FAMILIES",
    "VERDICT_STYLES",
    "Cells",
    "cell",
    "cells_of",
    "count_table",
    "dmct_schedule_csv",
    "dmct_status_csv",
    "family_of",
    "heatmap_grid",
    "names_of",
    "show_counts",
    "show_dmct_schedule",
    "show_dmct_status",
    "show_exit",
    "show_heatmap",
    "show_rows",
    "show_ttm",
    "threshold_bar",
    "threshold_csv",
    "ttm_csv",
    "where",
]
