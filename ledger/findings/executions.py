"""Compliance findings on planned tests and their executions: recorded, then flagged.

Catalogue Appendix, append-time checks: "SIT planned test marked de-scoped without SoS approval"
(§12.9(a)) and "Witnessed test with deviation from script or observer involvement" (§13.15).
Also flagged: a PIT (or other) test applied as de-scoped without the TAB's approval, and an SoS
de-scope decision recorded before the TAB's recommendation it should decide on (§12.9(a)).
Each check is a pure function of a recorded ``PlannedTest``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from ledger.findings import Finding
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


def execution_findings(tests: Iterable[PlannedTest]) -> Iterator[Finding]:
    """Every finding of this module over ``tests``."""
    for test in tests:
        yield from descope_applied_without_approval(test)
        yield from sos_decided_before_tab(test)
        yield from witnessing_breaches(test)
