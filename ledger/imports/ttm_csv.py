"""The Test Traceability Matrix as CSV into requirements, test scenarios and planned tests
(``akledger import ttm``; §11.1, §12.7, Table 13.1 #7).

One row is one test scenario: the requirements it traces to, and optionally the planned test of
the phase that exercises it. A header row is required; columns may come in any order; a column
not listed here is refused by name. Cells are trimmed; lists are separated by ``;``.

========================  ========  ==========================================================
column                    required  meaning (command and field it feeds)
========================  ========  ==========================================================
scenario_ref              yes       the scenario's reference (TestScenario.identify scenario_ref)
scenario_title            no        its title
requirements              yes       the clauses it traces to, each with its Section letter
                                    (F, G, H, L, N or P): ``F2.3; H5.1(b)`` (Requirement.record
                                    section, clause_ref; each is recorded unless it is already)
requirement_title         no        the title of the requirement, when the row names one only
baseline_version          yes       the requirements baseline those clauses are of
test_ref                  no        the planned test exercising the scenario (PlannedTest.plan)
test_kind                 no        functional (default), end_of_cycle or regression
functional_group          for a     the heatmap's functional group (Table 13.1 #7)
                          functional test
dmc                       no        the DMC the test runs on
source_document_sha256    no        SHA-256 of the test specification; default: the CSV file's
test_scenarios            no        other scenarios the planned test traces to, already recorded
                                    (by an earlier row or import): ``SC-2; SC-7``
========================  ========  ==========================================================

Each row is one unit, recorded whole or not at all (``ledger.imports.units``): the requirements it
names that are not yet recorded, its scenario, its planned test. Something already recorded is
not recorded again, but must agree: a scenario recorded with other requirements, or a planned test
tracing to other scenarios, is refused (a scenario's requirements and a test's scenarios are fixed
when recorded: list them all on the row that records it). A refused row is reported with its row
number (the header is row 1, as a spreadsheet numbers them), the column and the reason; the other
rows are recorded.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from uuid import UUID

from ledger.application import AKLedger
from ledger.imports.units import Command, ImportInputError, UnitRefused, UnitReport, record_unit
from ledger.phases import TestPhase
from ledger.planned_tests import PlannedTest
from ledger.requirements import SECTIONS, Requirement
from ledger.test_scenarios import TestScenario

REQUIRED = ("scenario_ref", "requirements", "baseline_version")
OPTIONAL = ("scenario_title", "requirement_title", "test_ref", "test_kind", "functional_group", "dmc",
            "source_document_sha256", "test_scenarios")
COLUMNS = REQUIRED + OPTIONAL
_EXTRA = "(row)"  # not a column: marks a row with more cells than the header has columns

#: The column each command's data field comes from, to name it when the command is refused.
_COLUMN_OF: dict[str, dict[str, str]] = {
    "Requirement.record": {"section": "requirements", "clause_ref": "requirements",
                           "baseline_version": "baseline_version", "title": "requirement_title"},
    "TestScenario.identify": {"scenario_ref": "scenario_ref", "requirement_ids": "requirements",
                              "title": "scenario_title"},
    "PlannedTest.plan": {"test_ref": "test_ref", "kind": "test_kind", "functional_group": "functional_group",
                         "dmc": "dmc", "source_document_sha256": "source_document_sha256",
                         "scenario_ids": "test_scenarios", "phase_id": "--phase", "phase_kind": "--phase"},
}


@dataclass(frozen=True)
class TtmFile:
    """A TTM CSV read whole: its SHA-256 and its rows (row number, cells by column)."""

    path: Path
    sha256: str
    rows: tuple[tuple[int, dict[str, str]], ...]


@dataclass(frozen=True)
class RowRejection:
    """A row not recorded: its number, the column at fault, why, and the command refused."""

    row: int
    column: str
    reason: str
    command: str | None = None

    def as_json(self) -> dict[str, object]:
        return {"row": self.row, "column": self.column, "reason": self.reason, "command": self.command}


@dataclass
class TtmReport(UnitReport[RowRejection]):
    """A TTM import: rows read, rows recorded, rows already recorded, rows rejected."""

    file: str = ""

    def as_json(self) -> dict[str, object]:
        return {"file": self.file, "rows": self.read, **self.counts(),
                "rejected": [r.as_json() for r in self.rejected]}


# -- reading --------------------------------------------------------------------------------------
def read_file(path: Path) -> TtmFile:
    """Read ``path`` (UTF-8, a spreadsheet's byte-order mark allowed). Raises ``ImportInputError``
    naming the file: unreadable, no header, a required column missing, an unknown column."""
    where = f"FILE {path}"
    try:
        data = path.read_bytes()
        text = data.decode("utf-8-sig")
    except OSError as exc:
        raise ImportInputError(where, f"cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise ImportInputError(where, f"byte {exc.start} is not UTF-8") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        records = list(reader)
    except csv.Error as exc:
        raise ImportInputError(where, f"line {reader.line_num}: {exc}") from None
    if not records:
        raise ImportInputError(where, "empty: the header row is required")
    header = [c.strip() for c in records[0]]
    _check_header(where, header)
    rows = []
    for number, cells in enumerate(records[1:], start=2):
        if not any(c.strip() for c in cells):
            continue  # a blank row
        row = {name: (cells[i].strip() if i < len(cells) else "") for i, name in enumerate(header)}
        if len(cells) > len(header):
            row[_EXTRA] = str(len(cells))
        rows.append((number, row))
    return TtmFile(path, hashlib.sha256(data).hexdigest(), tuple(rows))


def _check_header(where: str, header: list[str]) -> None:
    if not set(header) & set(COLUMNS):
        raise ImportInputError(where, f"row 1 is not a header: a header row naming the columns is "
                               f"required (columns: {', '.join(COLUMNS)})")
    unknown = [c for c in header if c not in COLUMNS]
    if unknown:
        raise ImportInputError(where, f"row 1: unknown column {', '.join(map(repr, unknown))} "
                               f"(columns: {', '.join(COLUMNS)})")
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise ImportInputError(where, f"row 1: the header lacks {', '.join(map(repr, missing))} "
                               f"(a header row is required; columns: {', '.join(COLUMNS)})")
    repeated = sorted({c for c in header if header.count(c) > 1})
    if repeated:
        raise ImportInputError(where, f"row 1: column {', '.join(map(repr, repeated))} appears twice")


# -- recording ------------------------------------------------------------------------------------
class _Rejected(Exception):  # noqa: N818 (a row's refusal before any command runs)
    def __init__(self, column: str, reason: str) -> None:
        super().__init__(reason)
        self.column, self.reason = column, reason


@dataclass
class _Known:
    """What earlier rows of this import recorded (or, in a dry run, would have): scenarios with
    their requirements, planned tests with their scenarios, requirements."""

    requirements: set[UUID] = field(default_factory=set)
    scenarios: dict[UUID, frozenset[str]] = field(default_factory=dict)
    tests: dict[UUID, frozenset[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class _Row:
    number: int
    cells: dict[str, str]

    def get(self, column: str) -> str | None:
        return self.cells.get(column) or None


def import_ttm(
    lg: AKLedger, ttm: TtmFile, phase: TestPhase, principal: str, *, occurred_at: str,
    dry_run: bool = False, via: str | None = None, progress: Callable[[int], None] | None = None,
) -> TtmReport:
    """Record each row of ``ttm`` for ``phase`` as ``principal`` (see the module's text);
    ``progress`` is told how many rows are done."""
    report = TtmReport(dry_run=dry_run, file=str(ttm.path))
    known = _Known()
    for number, cells in ttm.rows:
        report.read += 1
        row = _Row(number, cells)
        try:
            commands, effect = _commands(lg, row, phase, principal, occurred_at, ttm.sha256, known)
            if commands:
                report.recorded.append(record_unit(lg, commands, via=via, dry_run=dry_run))
            else:
                report.unchanged += 1
            effect()
        except _Rejected as exc:
            report.rejected.append(RowRejection(number, exc.column, exc.reason))
        except UnitRefused as exc:
            column = _COLUMN_OF.get(exc.command or "", {}).get(exc.field.removeprefix("data."), exc.field)
            report.rejected.append(RowRejection(number, column, exc.reason, exc.command))
        if progress is not None:
            progress(report.read)
    return report


def _commands(
    lg: AKLedger, row: _Row, phase: TestPhase, principal: str, occurred_at: str, file_sha256: str,
    known: _Known,
) -> tuple[list[Command], Callable[[], None]]:
    """The row's commands, and what to remember once they are recorded."""
    if _EXTRA in row.cells:
        raise _Rejected(_EXTRA, f"{row.cells[_EXTRA]} cells, but the header has fewer columns")
    baseline = row.get("baseline_version")
    if baseline is None:
        raise _Rejected("baseline_version", "must be given")
    scenario_ref = row.get("scenario_ref")
    if scenario_ref is None:
        raise _Rejected("scenario_ref", "must be given")

    def command(name: str, data: dict[str, object]) -> Command:
        return {"command": name, "principal": principal, "occurred_at": occurred_at, "data": data}

    commands: list[Command] = []
    clauses = _clauses(row)
    if row.get("requirement_title") and len(clauses) != 1:
        raise _Rejected("requirement_title", f"names one title for {len(clauses)} requirements")
    requirement_ids = []
    for section, clause in clauses:
        rid = Requirement.create_id(section, clause, baseline)
        requirement_ids.append(str(rid))
        if rid not in known.requirements and rid not in lg.repository:
            commands.append(command("Requirement.record", {
                "section": section, "clause_ref": clause, "baseline_version": baseline,
                "title": row.get("requirement_title"),
            }))
    scenario_id = TestScenario.create_id(scenario_ref)
    recorded = _scenario_requirements(lg, known, scenario_id)
    if recorded is None:
        commands.append(command("TestScenario.identify", {
            "scenario_ref": scenario_ref, "requirement_ids": requirement_ids,
            "title": row.get("scenario_title"),
        }))
    elif recorded != frozenset(requirement_ids):
        raise _Rejected("requirements", f"test scenario {scenario_ref!r} is recorded already, tracing to "
                        f"{len(recorded)} requirement(s) other than these {len(requirement_ids)}")
    planned = _planned_test(lg, row, phase, known, scenario_id, file_sha256)
    if planned is not None:
        commands.append(command("PlannedTest.plan", planned.data))

    def remember() -> None:
        known.requirements.update(UUID(r) for r in requirement_ids)
        known.scenarios[scenario_id] = frozenset(requirement_ids)
        if planned is not None:
            known.tests[planned.test_id] = frozenset(planned.scenario_ids)

    return commands, remember


def _clauses(row: _Row) -> list[tuple[str, str]]:
    """The ``requirements`` cell as (section, clause_ref): ``F2.3`` is clause F2.3 of Section F."""
    cell = row.get("requirements") or ""
    found = [c.strip() for c in cell.split(";") if c.strip()]
    if not found:
        raise _Rejected("requirements", "names no requirement (11.1)")
    if len(set(found)) != len(found):
        raise _Rejected("requirements", "names a requirement twice")
    for clause in found:
        if clause[0] not in SECTIONS:
            raise _Rejected("requirements", f"{clause!r} does not start with its Section letter "
                            f"({', '.join(SECTIONS)})")
    return [(c[0], c) for c in found]


def _scenario_requirements(lg: AKLedger, known: _Known, scenario_id: UUID) -> frozenset[str] | None:
    if scenario_id in known.scenarios:
        return known.scenarios[scenario_id]
    if scenario_id not in lg.repository:
        return None
    found: object = lg.repository.get(scenario_id)
    assert isinstance(found, TestScenario)
    return frozenset(found.requirement_ids)


@dataclass(frozen=True)
class _Plan:
    test_id: UUID
    scenario_ids: list[str]
    data: dict[str, object]


def _planned_test(
    lg: AKLedger, row: _Row, phase: TestPhase, known: _Known, scenario_id: UUID, file_sha256: str
) -> _Plan | None:
    """The data of the row's ``PlannedTest.plan``, or None when the row plans no test, or plans
    one already planned with the row's scenarios."""
    test_ref = row.get("test_ref")
    if test_ref is None:
        for column in ("test_kind", "functional_group", "dmc", "source_document_sha256", "test_scenarios"):
            if row.get(column):
                raise _Rejected(column, "describes a planned test, but the row has no test_ref")
        return None
    scenario_ids = [str(scenario_id)]
    for ref in (s.strip() for s in (row.get("test_scenarios") or "").split(";")):
        other = TestScenario.create_id(ref) if ref else None
        if other is not None and _scenario_requirements(lg, known, other) is None:
            raise _Rejected("test_scenarios", f"test scenario {ref!r} is not recorded (by an earlier row "
                            "or import)")
        if other is not None:
            scenario_ids.append(str(other))
    test_id = PlannedTest.create_id(str(phase.id), test_ref)
    planned = _test_scenarios(lg, known, test_id)
    if planned is None:
        return _Plan(test_id, scenario_ids, {
            "phase_id": str(phase.id), "phase_kind": phase.kind.value, "test_ref": test_ref,
            "kind": row.get("test_kind") or "functional",
            "source_document_sha256": row.get("source_document_sha256") or file_sha256,
            "functional_group": row.get("functional_group"), "dmc": row.get("dmc"),
            "scenario_ids": scenario_ids,
        })
    if not set(scenario_ids) <= planned:
        raise _Rejected("test_ref", f"planned test {test_ref!r} is planned already, tracing to other "
                        "scenarios; its scenarios are fixed when planned (list them in test_scenarios "
                        "on the row that plans it)")
    return None


def _test_scenarios(lg: AKLedger, known: _Known, test_id: UUID) -> frozenset[str] | None:
    if test_id in known.tests:
        return known.tests[test_id]
    if test_id not in lg.repository:
        return None
    found: object = lg.repository.get(test_id)
    assert isinstance(found, PlannedTest)
    return frozenset(found.scenario_ids)


__all__ = [
    "COLUMNS", "OPTIONAL", "REQUIRED", "RowRejection", "TtmFile", "TtmReport", "import_ttm", "read_file",
]
