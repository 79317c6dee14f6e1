"""Compliance findings on end-of-cycle and regression runs: recorded, then flagged, never refused.

Catalogue Appendix, append-time checks: "Fewer than two functional EoC runs before MOC/FOC SIT
exit" (§7.4(c)) and "MOC/FOC SIT end-of-cycle run on a device set that has not exited MT
end-of-cycle for the same DMC" (§5.6). Also flagged: a defect excluded from a run's pass rate that
was neither known at the run's start nor, for end of cycle, approved for exclusion by the TAG or
the SoS (Table 13.1 #2A, T14, R13; for regression #2B "excluding known defects", A24). Each check
is a pure function of recorded aggregates.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime

from ledger.cycle_run_values import END_OF_CYCLE_RELEASES, END_OF_CYCLE_RUNS, MT_KINDS, CycleRun
from ledger.cycle_runs import CycleRuns
from ledger.findings import Finding
from ledger.phases import TestPhase
from ledger.planned_test_values import TestKind
from ledger.rules.phase_kinds import PhaseKind
from ledger.testing_issue_values import ExclusionKind
from ledger.testing_issues import TestingIssue


def _known_at_start(run: CycleRun, reference: str, issue: TestingIssue | None) -> bool:
    """Listed as known when the run started and, where its issue is at hand, raised by then
    (TR33: the defects known at the start are a snapshot)."""
    if reference not in run.known_defects:
        return False
    return issue is None or datetime.fromisoformat(issue.raised_at) <= run.started_at


def unwarranted_exclusions(runs: CycleRuns, issues: Iterable[TestingIssue]) -> Iterator[Finding]:
    """Each defect an ended run excludes from its pass rate that was not known at the run's start
    and, for end of cycle, whose exclusion for that run (``TestingIssue`` exclusion of kind
    ``end_of_cycle``, scope the run's ``run_id``) the TAG has not agreed nor the SoS upheld
    (Table 13.1 #2A items 1-2, R13). Regression has no approval route: only known defects are
    excluded (#2B, A24). ``issues`` are the Testing Issues the exclusions name; a reference with
    no issue among them has no approval."""
    by_reference = {issue.reference: issue for issue in issues}
    end_of_cycle = runs.kind is TestKind.END_OF_CYCLE
    for run, results in runs.ended_runs:
        for reference in results.excluded_defects:
            issue = by_reference.get(reference)
            if _known_at_start(run, reference, issue):
                continue
            exclusion = None if issue is None else issue.exclusion(ExclusionKind.END_OF_CYCLE, run.run_id)
            if end_of_cycle and exclusion is not None and exclusion.excludes:
                continue
            ids = (runs.event_id(run.version), runs.event_id(results.version))
            if end_of_cycle:
                state = "no exclusion proposed" if exclusion is None else exclusion.status.value
                yield Finding("Table 13.1 #2A", f"{runs.label} run {run.run_number}: defect {reference} "
                              "excluded from the pass rate was not known at the run's start and its "
                              f"exclusion is not approved by the TAG or the SoS ({state})",
                              (*ids, *(exclusion.events if exclusion else ())))
            else:
                yield Finding("Table 13.1 #2B", f"{runs.label} run {run.run_number}: defect {reference} "
                              "excluded from the pass rate was not known at the run's start (A24)", ids)


def too_few_end_of_cycle_runs(phase: TestPhase, runs: Iterable[CycleRuns]) -> Iterator[Finding]:
    """Each exit proposal of a MOC/FOC SIT phase made before two of its end-of-cycle runs had
    ended (§7.4(c): "prior to exiting any SIT Test Phase undertake two functional end of cycle
    test runs"). ``runs``: the phase's run records; others are ignored."""
    if phase.kind is not PhaseKind.SIT or phase.capability not in END_OF_CYCLE_RELEASES:
        return
    ended = [
        (record.event_id(results.version), results.ended_at) for record in runs
        if record.phase_id == str(phase.id) and record.kind is TestKind.END_OF_CYCLE
        for _, results in record.ended_runs
    ]
    for version, proposed_at in zip(phase.exit_proposals, phase.exit_proposed_at, strict=True):
        before = [event_id for event_id, ended_at in ended if ended_at <= proposed_at]
        if len(before) >= END_OF_CYCLE_RUNS:
            continue
        yield Finding(
            clause="7.4(c)",
            what=f"{phase.label}: exit proposed at {proposed_at.isoformat()} when {len(before)} of "
                 f"the {END_OF_CYCLE_RUNS} functional end-of-cycle runs had ended",
            event_ids=(phase.event_id(version), *before),
        )


def device_sets_not_through_mt_end_of_cycle(
    sit_runs: CycleRuns, mt_runs: Iterable[CycleRuns]
) -> Iterator[Finding]:
    """Each device set a SIT end-of-cycle run started on that no Migration Test Phase end-of-cycle
    run had used and ended with before that start (§5.6; read: a device set has "exited end of
    cycle testing" for an MT phase once an MT end-of-cycle run on it has ended). Precondition:
    ``mt_runs`` are the MT phases' records for the same DMC as ``sit_runs``'s phase (the records
    do not name DMCs; the caller does). Other records are ignored."""
    if sit_runs.phase_kind is not PhaseKind.SIT or sit_runs.kind is not TestKind.END_OF_CYCLE:
        return
    mt_ended = [
        (results.ended_at, mt.device_sets) for record in mt_runs
        if record.phase_kind in MT_KINDS and record.kind is TestKind.END_OF_CYCLE
        for mt, results in record.ended_runs
    ]
    for run in sit_runs.runs.values():
        exited = {d for ended_at, sets in mt_ended if ended_at <= run.started_at for d in sets}
        missing = [d for d in run.device_sets if d not in exited]
        if missing:
            yield Finding("5.6", f"{sit_runs.label} run {run.run_number} started on device sets "
                          f"{', '.join(missing)}, not through MT end-of-cycle testing for the DMC",
                          (sit_runs.event_id(run.version),))


def cycle_run_findings(
    phase: TestPhase, runs: Iterable[CycleRuns], issues: Iterable[TestingIssue]
) -> Iterator[Finding]:
    """The findings of this module for ``phase`` that need no other phase's runs (the §5.6 check
    needs the MT phases', ``device_sets_not_through_mt_end_of_cycle``)."""
    own = [record for record in runs if record.phase_id == str(phase.id)]
    known = list(issues)
    for record in own:
        yield from unwarranted_exclusions(record, known)
    yield from too_few_end_of_cycle_runs(phase, own)
