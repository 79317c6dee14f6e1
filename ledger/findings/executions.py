"""Compliance findings on planned tests and their executions: recorded, then flagged.

Catalogue Appendix, append-time checks: "SIT planned test marked de-scoped without SoS approval"
(§12.9(a)) and "Witnessed test with deviation from script or observer involvement" (§13.15).
Also flagged: a PIT (or other) test applied as de-scoped without the TAB's approval, and an SoS
de-scope decision recorded before the TAB's recommendation it should decide on (§12.9(a)).
Each check is a pure function of a recorded ``PlannedTest``, except
``executions_after_exit_proposed``, which also reads the test's ``TestPhase``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from ledger.findings import Finding
from ledger.phases import TestPhase
from ledger.planned_tests import PlannedTest
from ledger.rules.phase_kinds import PhaseKind


def descope_applied_without_approval(test: PlannedTest) -> Iterator[Finding]:
    """Each ``DescopeApplied`` while the proposal it belongs to was not approved by the body
    whose approval de-scopes (§12.9(a): the SoS for SIT, the TAB otherwise)."""
    sit = test.phase_kind is PhaseKind.SIT
    body, act = ("SoS", "sos_decided") if sit else ("TAB", "tab_decided")
    for applied in (a for a in test.descope_acts if a.act == "applied"):
        approvals = [
            a for a in test.acts_of(act, applied.proposal)
            if a.approved and a.version < applied.version
        ]
        if not approvals:
            yield Finding(
                clause="12.9(a)",
                what=f"{test.label} used as de-scoped without {body} approval of proposal "
                     f"{applied.proposal or 'none'}",
                event_ids=(test.event_id(applied.version),),
            )


def sos_decided_before_tab(test: PlannedTest) -> Iterator[Finding]:
    """An SoS de-scope decision with no TAB recommendation before it on the same proposal: the
    DCC refers "the TAB's recommendation" (§12.9(a)); the decision stands (A45), flagged."""
    for decision in (a for a in test.descope_acts if a.act == "sos_decided"):
        tab = [a for a in test.acts_of("tab_decided", decision.proposal) if a.version < decision.version]
        if not tab:
            yield Finding(
                clause="12.9(a)",
                what=f"{test.label}: SoS decided de-scope proposal {decision.proposal} before any "
                     "TAB recommendation",
                event_ids=(test.event_id(decision.version),),
            )


def witnessing_breaches(test: PlannedTest) -> Iterator[Finding]:
    """Witnessing with a deviation from the test script (§13.15(a)), or an observer involved in
    the execution, by their own account or by being named among those who executed it
    (§13.15(b))."""
    if not test.witnessings:
        return
    runs = {e.run_number: e for e in test.executions}
    for seen in test.witnessings:
        run = runs[seen.run_number]
        ids = (test.event_id(run.version), test.event_id(seen.version))
        if seen.deviation_from_script:
            yield Finding("13.15(a)", f"{test.label} run {seen.run_number}: {seen.observer} "
                          "noted a deviation from the test script", ids)
        if seen.observer_involved or seen.observer in run.executed_by:
            yield Finding("13.15(b)", f"{test.label} run {seen.run_number}: observer "
                          f"{seen.observer} was involved in the execution", ids)


def executions_after_exit_proposed(phase: TestPhase, tests: Iterable[PlannedTest]) -> Iterator[Finding]:
    """Each run of a planned test of ``phase`` executed (``executed_at``) after the phase's exit
    was proposed, with no direction to continue (§13.19) between that proposal and the run.

    Why §9.4(b): proposing exit is the DCC considering that the phase should complete, on a
    report of the tests run, passed, failed and not run (§9.4(b); for SIT the evidence put to the
    Panel, §13.18). A run after it is not in that evidence. Nothing returns an exit-proposed
    phase to "entered" (``ledger.rules.phase_transitions``): testing resumes only when the phase
    is directed to continue ("continuing", §13.19), after which the DCC proposes exit again. The
    latest proposal before the run is the one it is measured against. Tests of other phases in
    ``tests`` are ignored."""
    proposals = list(zip(phase.exit_proposals, phase.exit_proposed_at, strict=True))
    continued = [d.occurred_at for d in phase.determinations if not d.completed]
    for test in (t for t in tests if t.phase_id == str(phase.id)):
        for run in test.executions:
            before = [p for p in proposals if p[1] < run.executed_at]
            if not before:
                continue
            version, proposed_at = max(before, key=lambda p: p[1])
            if any(proposed_at <= at <= run.executed_at for at in continued):
                continue
            yield Finding(
                clause="9.4(b)",
                what=f"{test.label} run {run.run_number} was executed at {run.executed_at.isoformat()}, "
                     f"after the exit of {phase.label} was proposed at {proposed_at.isoformat()} "
                     "and with no direction to continue since (§13.19)",
                event_ids=(phase.event_id(version), test.event_id(run.version)),
            )


def execution_findings(tests: Iterable[PlannedTest]) -> Iterator[Finding]:
    """Every finding of this module over ``tests``."""
    for test in tests:
        yield from descope_applied_without_approval(test)
        yield from sos_decided_before_tab(test)
        yield from witnessing_breaches(test)
