"""End-of-cycle runs and regression runs of one Test Phase (catalogue 3.3 P21; T14, R13).

End of cycle: "for MOC and FOC, prior to exiting any SIT Test Phase undertake two functional end of
cycle test runs" (§7.4(c)); Migration Test Phases have end-of-cycle testing too (§5.6). At its
start a run records the defects (Testing Issue references) known then: its pass rate may exclude
them (Table 13.1 #2A item 1, TR33), while a defect new since the start is excluded only with the
TAG's approval, or the SoS's on the DCC's referral (#2A item 2, R13). Those decisions are recorded
on the ``TestingIssue`` (``propose_exclusion`` and the rest, kind ``end_of_cycle``, scope the run's
``run_id``); a run only names the defects it excludes, and ``ledger.findings.cycle_runs`` checks
them against both.

Regression: for IOC on the stage exit versions of the software (Table 13.1 #2B item 1; §7.4(b));
for MOC and FOC per the Depth and Breadth of Regression Testing document of the SIT and MT phases
(§7.4(d), §7.6-7.7), whose version and SHA-256 a run in those phases names. Each regression run
records its environment and codebase (§7.6) and the defects known at its start ("100% pass rate
excluding known defects", #2B; A24: known = logged before the run started).

One aggregate holds the runs of one kind for one phase, so that the order of runs is checked where
they are recorded. Structural rules (``InvalidCycleRunEventError`` naming the field; nothing is
written): the phase id is a UUID; end of cycle only in SIT or MT phases of MOC or FOC, with run
numbers 1 and 2; run numbers are consecutive from 1, never reused, and a run starts only after
the one before it ended (in the record and in ``occurred_at``); a run ends once, not before it
started; counts are whole numbers, executed at most planned and passed at most executed; the D&B
Regression reference is given exactly where §7.6-7.7 apply; references are listed once each.
Compliance (fewer than two ended runs before a MOC/FOC SIT exit proposal; an exclusion neither
known at the start nor approved; a SIT end-of-cycle device set that has not been through MT end of
cycle, §5.6) is flagged by ``ledger.findings.cycle_runs``.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from ledger.context import citing
from ledger.cycle_run_values import (
    END_OF_CYCLE_RELEASES,
    END_OF_CYCLE_RUNS,
    MT_KINDS,
    CycleRun,
    RunResults,
    cycle_run_id,
    default_clauses,
    dnb_regression_applies,
    fail,
    require_count,
    require_refs,
    require_sha256,
    require_text,
    require_uuid,
)
from ledger.planned_test_values import TestKind
from ledger.rules.phase_kinds import OperatingCapability, PhaseKind


class CycleRuns(Aggregate):
    """The end-of-cycle (or the regression) runs of one Test Phase; id from the phase and kind."""

    @classmethod
    def create_id(cls, phase_id: str, kind: str, **_: object) -> UUID:
        return uuid5(NAMESPACE_URL, f"akledger:cycle-runs:{phase_id}:{kind}")

    @classmethod
    def open(
        cls, phase_id: str, phase_kind: PhaseKind | str, capability: OperatingCapability | str,
        kind: TestKind | str, **context: Any,
    ) -> CycleRuns:
        """Open the record of ``phase_id``'s runs of ``kind`` (end_of_cycle or regression).
        Raises ``InvalidCycleRunEventError``: phase_id, phase_kind, capability (end of cycle:
        MOC or FOC only), kind (functional, or end of cycle outside SIT and MT)."""
        whose = f"{kind} runs of phase {phase_id!r}"
        phase = require_uuid("phase_id", phase_id, whose)
        try:
            of_kind = PhaseKind(phase_kind)
        except ValueError:
            raise fail("phase_kind", f"{whose}: {phase_kind!r} is not a Test Phase") from None
        try:
            release = OperatingCapability(capability)
        except ValueError:
            raise fail("capability", f"{whose}: {capability!r} is not IOC, MOC or FOC") from None
        try:
            run_kind = TestKind(kind)
        except ValueError:
            run_kind = TestKind.FUNCTIONAL
        if run_kind is TestKind.FUNCTIONAL:
            raise fail("kind", f"{whose}: runs are end_of_cycle or regression (Table 13.1 #2A, #2B)")
        if run_kind is TestKind.END_OF_CYCLE:
            if of_kind is not PhaseKind.SIT and of_kind not in MT_KINDS:
                raise fail("kind", f"{whose}: end-of-cycle runs are of SIT (§7.4(c)) and MT (§5.6) "
                           f"phases, not {of_kind.value}")
            if release not in END_OF_CYCLE_RELEASES:
                raise fail("capability", f"{whose}: end-of-cycle runs are for MOC and FOC (§7.4(c), "
                           "§5.6; Table 13.1 #2A is not applied to IOC, A18)")
        return cls(
            phase_id=phase, phase_kind=of_kind.value, capability=release.value, kind=run_kind.value,
            **citing(context, *default_clauses(run_kind, of_kind, release)),
        )

    # -- commands -------------------------------------------------------------------------------
    def start_end_of_cycle_run(
        self, run_number: int, known_defects: list[str], *, environment: str | None = None,
        codebase_version: str | None = None, device_sets: list[str] | None = None, **context: Any,
    ) -> None:
        """Run ``run_number`` (1 or 2) starts, ``known_defects`` (Testing Issue references) known
        at its start (Table 13.1 #2A item 1), on ``device_sets`` (§5.6). Raises
        ``InvalidCycleRunEventError``: kind (a regression record), run_number (not 1 or 2,
        reused, or the run before it has not ended), occurred_at (before that run ended),
        known_defects, environment, codebase_version, device_sets."""
        self._require_kind(TestKind.END_OF_CYCLE)
        if isinstance(run_number, bool) or run_number not in range(1, END_OF_CYCLE_RUNS + 1):
            raise fail("run_number", f"{self.label}: {run_number!r} is not run 1 or 2 (§7.4(c))")
        self._require_next(run_number, context)
        whose = f"{self.label} run {run_number}"
        for field, value in (("environment", environment), ("codebase_version", codebase_version)):
            if value is not None:
                require_text(field, value, whose)
        self._end_of_cycle_run_started(
            run_number=run_number, known_defects=require_refs("known_defects", known_defects, whose),
            environment=environment, codebase_version=codebase_version,
            device_sets=require_refs("device_sets", device_sets, whose),
            **citing(context, *self._clauses),
        )

    def start_regression_run(
        self, run_number: int, known_defects: list[str], *, environment: str, codebase_version: str,
        dnb_regression_version: str | None = None, dnb_regression_sha256: str | None = None,
        **context: Any,
    ) -> None:
        """Regression run ``run_number`` starts in ``environment`` on ``codebase_version`` (§7.6;
        for IOC the stage exit version of the software, #2B item 1), ``known_defects`` known at
        its start (A24). MOC/FOC SIT and MT runs name the D&B Regression version and SHA-256
        (§7.4(d), §7.6-7.7); other runs name none. Raises ``InvalidCycleRunEventError``: kind,
        run_number, occurred_at, known_defects, environment, codebase_version,
        dnb_regression_version, dnb_regression_sha256."""
        self._require_kind(TestKind.REGRESSION)
        if isinstance(run_number, bool) or not isinstance(run_number, int) or run_number < 1:
            raise fail("run_number", f"{self.label}: {run_number!r} is not a positive whole number")
        self._require_next(run_number, context)
        whose = f"{self.label} run {run_number}"
        require_text("environment", environment, whose)
        require_text("codebase_version", codebase_version, whose)
        if dnb_regression_applies(self.phase_kind, self.capability):
            require_text("dnb_regression_version", dnb_regression_version, f"{whose} (§7.4(d), §7.6)")
            require_text("dnb_regression_sha256", dnb_regression_sha256, f"{whose} (§7.4(d), §7.6)")
            require_sha256("dnb_regression_sha256", dnb_regression_sha256, whose)
        else:
            given = "dnb_regression_version" if dnb_regression_version is not None else (
                "dnb_regression_sha256" if dnb_regression_sha256 is not None else None)
            if given is not None:
                raise fail(given, f"{whose}: a Depth and Breadth of Regression Testing document is "
                           "for MOC/FOC SIT and MT phases only (§7.6-7.7)")
        self._regression_run_started(
            run_number=run_number, known_defects=require_refs("known_defects", known_defects, whose),
            environment=environment, codebase_version=codebase_version,
            dnb_regression_version=dnb_regression_version, dnb_regression_sha256=dnb_regression_sha256,
            **citing(context, *self._clauses),
        )

    def end_run(
        self, run_number: int, *, planned_tests: int, executed: int, passed: int,
        excluded_defects: list[str] | None = None, execution_ids: list[str] | None = None,
        results_sha256: str | None = None, **context: Any,
    ) -> None:
        """Run ``run_number`` ends: of ``planned_tests`` planned tests of its kind, ``executed``
        were executed and ``passed`` passed; the pass rate excludes ``excluded_defects`` (Testing
        Issue references; Table 13.1 #2A, #2B). ``execution_ids`` may list its planned test
        executions (``"{planned test id}:{version}"``). Raises ``InvalidCycleRunEventError``:
        run_number (not started, or ended already), occurred_at (before its start),
        planned_tests, executed (above planned), passed (above executed), excluded_defects,
        execution_ids, results_sha256."""
        run = self.runs.get(run_number)
        if run is None or run.results is not None:
            state = "has no run" if run is None else "has already ended run"
            raise fail("run_number", f"{self.label} {state} {run_number!r}")
        whose = f"{self.label} run {run_number}"
        if datetime.fromisoformat(context["occurred_at"]) < run.started_at:
            raise fail("occurred_at", f"{whose}: ends before it started ({run.started_at.isoformat()})")
        planned = require_count("planned_tests", planned_tests, whose)
        if require_count("executed", executed, whose) > planned:
            raise fail("executed", f"{whose}: {executed} executed of {planned} planned tests")
        if require_count("passed", passed, whose) > executed:
            raise fail("passed", f"{whose}: {passed} passed of {executed} executed")
        require_sha256("results_sha256", results_sha256, whose)
        self._run_ended(
            run_number=run_number, planned_tests=planned, executed=executed, passed=passed,
            excluded_defects=require_refs("excluded_defects", excluded_defects, whose),
            execution_ids=require_refs("execution_ids", execution_ids, whose),
            results_sha256=results_sha256, **citing(context, *self._clauses),
        )

    # -- checks ---------------------------------------------------------------------------------
    def _require_kind(self, kind: TestKind) -> None:
        if self.kind is not kind:
            raise fail("kind", f"{self.label} records {self.kind.value} runs, not {kind.value} runs")

    def _require_next(self, run_number: int, context: dict[str, Any]) -> None:
        """Runs are numbered 1, 2, ... and each starts after the one before it ended."""
        if run_number in self.runs:
            raise fail("run_number", f"{self.label} already has run {run_number}")
        if run_number != len(self.runs) + 1:
            raise fail("run_number", f"{self.label}: run {run_number} is not the next run "
                       f"({len(self.runs) + 1})")
        previous = self.runs.get(run_number - 1)
        if previous is None:
            return
        if previous.results is None:
            raise fail("run_number", f"{self.label}: run {run_number} cannot start before run "
                       f"{previous.run_number} has ended")
        if datetime.fromisoformat(context["occurred_at"]) < previous.results.ended_at:
            raise fail("occurred_at", f"{self.label}: run {run_number} would start before run "
                       f"{previous.run_number} ended ({previous.results.ended_at.isoformat()})")

    @property
    def _clauses(self) -> tuple[str, ...]:
        return default_clauses(self.kind, self.phase_kind, self.capability)

    # -- events (apply only: no validation here, so old events always replay) -------------------
    @event("CycleRunsOpened")
    def __init__(
        self, phase_id: str, phase_kind: str, capability: str, kind: str, occurred_at: str,
        actor: dict[str, str], clauses: list[str], on_behalf_of: str | None, evidence_sha256: str | None,
    ) -> None:
        self.phase_id, self.phase_kind = phase_id, PhaseKind(phase_kind)
        self.capability, self.kind = OperatingCapability(capability), TestKind(kind)
        self.runs: dict[int, CycleRun] = {}

    @event("EndOfCycleRunStarted")
    def _end_of_cycle_run_started(
        self, run_number: int, known_defects: list[str], environment: str | None,
        codebase_version: str | None, device_sets: list[str], occurred_at: str, actor: dict[str, str],
        clauses: list[str], on_behalf_of: str | None, evidence_sha256: str | None,
    ) -> None:
        self.runs[run_number] = CycleRun(
            run_number, self.run_id(run_number), tuple(known_defects), environment, codebase_version,
            datetime.fromisoformat(occurred_at), self.version + 1, device_sets=tuple(device_sets),
        )

    @event("RegressionRunStarted")
    def _regression_run_started(
        self, run_number: int, known_defects: list[str], environment: str, codebase_version: str,
        dnb_regression_version: str | None, dnb_regression_sha256: str | None, occurred_at: str,
        actor: dict[str, str], clauses: list[str], on_behalf_of: str | None, evidence_sha256: str | None,
    ) -> None:
        self.runs[run_number] = CycleRun(
            run_number, self.run_id(run_number), tuple(known_defects), environment, codebase_version,
            datetime.fromisoformat(occurred_at), self.version + 1,
            dnb_regression_version=dnb_regression_version, dnb_regression_sha256=dnb_regression_sha256,
        )

    @event("CycleRunEnded")
    def _run_ended(
        self, run_number: int, planned_tests: int, executed: int, passed: int,
        excluded_defects: list[str], execution_ids: list[str], results_sha256: str | None,
        occurred_at: str, actor: dict[str, str], clauses: list[str], on_behalf_of: str | None,
        evidence_sha256: str | None,
    ) -> None:
        results = RunResults(
            planned_tests, executed, passed, tuple(excluded_defects), tuple(execution_ids),
            results_sha256, datetime.fromisoformat(occurred_at), self.version + 1,
        )
        self.runs[run_number] = replace(self.runs[run_number], results=results)

    # -- queries --------------------------------------------------------------------------------
    @property
    def label(self) -> str:
        """The record in words, for messages: ``end_of_cycle runs <id> (phase <phase id>)``."""
        return f"{self.kind.value} runs {self.id} (phase {self.phase_id})"

    @property
    def ended_runs(self) -> list[tuple[CycleRun, RunResults]]:
        """The runs that have ended, each with its results, in run order."""
        return [(run, run.results) for run in self.runs.values() if run.results is not None]

    def run_id(self, run_number: int) -> str:
        """Run ``run_number``'s id: the scope of a Testing Issue's ``end_of_cycle`` exclusion."""
        return cycle_run_id(self.phase_id, self.kind, run_number)

    def event_id(self, version: int) -> str:
        """The id of this record's event ``version``, as the API reports it."""
        return f"{self.id}:{version}"


CycleRunsOpened = CycleRuns.CycleRunsOpened  # type: ignore[attr-defined]
EndOfCycleRunStarted = CycleRuns.EndOfCycleRunStarted  # type: ignore[attr-defined]
RegressionRunStarted = CycleRuns.RegressionRunStarted  # type: ignore[attr-defined]
CycleRunEnded = CycleRuns.CycleRunEnded  # type: ignore[attr-defined]
