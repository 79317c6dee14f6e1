"""Threshold counts (projections.rules.thresholds) hand-computed from the seed text: Table 13.2
(§13.22), Table 13.3 (§13.23-13.24), Table 20.1 (§20.28) and the counting rules §13.21-13.29,
§14.4-14.5. Each test's docstring names the clause it checks."""

from __future__ import annotations

from dataclasses import replace

import pytest

from ledger.rules.phase_kinds import PhaseKind
from ledger.rules.thresholds import ThresholdContext, ThresholdScope
from ledger.testing_issue_values import (
    CountingBasis,
    CountingStatus,
    ExclusionStatus,
    InterfaceTestingSet,
    IssueCause,
)
from projections.rules.errors import RulesEngineError
from projections.rules.extant import CountBasis
from projections.rules.facts import CountingFact, InterfaceSetFact, IssueFact
from projections.rules.thresholds import COLLECTIVE, UNATTRIBUTED, ThresholdCount, threshold_counts
from projections.rules.verdicts import Verdict
from tests.unit.test_rules_engine_facts import (
    FOC,
    IOC,
    MOC,
    PIT,
    SCT,
    SIT,
    UTS,
    disputed,
    excluded,
    issue,
    issues,
    phase,
)

C, V = ThresholdContext, Verdict
IOC_SIT = phase("ioc-sit", SIT, IOC)
MOC_1 = phase("moc-1", SIT, MOC, epcl_entry="E1")
MOC_2 = phase("moc-2", SIT, MOC, epcl_entry="E2")
MOC_3 = phase("moc-3", SIT, MOC, epcl_entry="E3")
PHASES = [IOC_SIT, MOC_1, MOC_2, MOC_3]


def by_unit(counts: list[ThresholdCount]) -> dict[str, ThresholdCount]:
    return {c.unit: c for c in counts}


def sit_ioc(facts: list[IssueFact]) -> dict[str, ThresholdCount]:
    return by_unit(threshold_counts(C.SIT_IOC, "ioc-sit", facts, phases=PHASES))


def moc(facts: list[IssueFact], scope: str = "moc-1") -> dict[ThresholdScope, ThresholdCount]:
    return {c.column: c for c in threshold_counts(C.SIT_MOC_FOC, scope, facts, phases=PHASES)}


# -- Table 13.2: per DCC Service Provider --------------------------------------------------------------


def test_sixteenth_severity_3_issue_fails_only_its_own_provider() -> None:
    """§13.22, Table 13.2 SIT (IOC only): severity 3 limit 15 per DCC Service Provider; a count
    passes at or below the limit (§12.9(c)). SP-A with 16 fails; SP-B at exactly 15 passes."""
    facts = [*issues("A", 16, 3, "ioc-sit", providers=["SP-A"]),
             *issues("B", 15, 3, "ioc-sit", providers=["SP-B"])]
    counts = sit_ioc(facts)
    assert set(counts) == {"SP-A", "SP-B"}
    a, b = counts["SP-A"].row(3), counts["SP-B"].row(3)
    assert (a.count, a.limit, a.verdict) == (16, 15, V.FAIL)
    assert (b.count, b.limit, b.verdict) == (15, 15, V.PASS)
    assert counts["SP-A"].verdict is V.FAIL
    assert counts["SP-B"].verdict is V.PASS
    assert a.counted_ids == tuple(f"A-{i:03d}" for i in range(16))
    assert {"Table 13.2", "13.22", "12.9(c)"} <= set(counts["SP-A"].clauses)


def test_limits_per_severity_follow_table_13_2() -> None:
    """Table 13.2 SIT (IOC only) column: 0, 0, 15, 30, 60; UTS column 0, 0, 5, 10, 20."""
    sit = sit_ioc([issue("I-1", 5, "ioc-sit")])["SP-A"]
    assert [r.limit for r in sit.rows] == [0, 0, 15, 30, 60]
    uts = threshold_counts(C.SMETS1_INTERFACE_TESTING_IOC, "uts", [issue("I-1", 3, "uts", kind=UTS)],
                           phases=[phase("uts", UTS)])
    assert [r.limit for r in uts[0].rows] == [0, 0, 5, 10, 20]


def test_issue_attributed_to_two_providers_counts_against_each() -> None:
    """§13.22 per DCC Service Provider; A9: an issue counts against each attributed provider."""
    counts = sit_ioc([issue("I-1", 2, "ioc-sit", providers=["SP-A", "SP-B"])])
    assert counts["SP-A"].row(2).counted_ids == counts["SP-B"].row(2).counted_ids == ("I-1",)
    assert counts["SP-A"].verdict is counts["SP-B"].verdict is V.FAIL  # severity 2 limit 0


def test_unattributed_issues_are_counted_apart_and_flagged() -> None:
    """A9, T5 (§13.22): an unattributed issue is reported in its own count; under a limit of 0 it
    fails whichever provider it belongs to, otherwise its attribution is not evidenced."""
    counts = sit_ioc([issue("I-3", 3, "ioc-sit", providers=[])])
    loose = counts[UNATTRIBUTED]
    assert loose.row(3).counted_ids == ("I-3",)
    assert loose.verdict is V.NOT_EVIDENCED
    assert "A9" in loose.scope_note
    assert sit_ioc([issue("I-1", 1, "ioc-sit", providers=[])])[UNATTRIBUTED].verdict is V.FAIL


def test_only_open_dcc_caused_issues_count() -> None:
    """§13.21 (extant = "remain open"); §13.22, A8: only issues arising from the DCC or the
    Modified DCC Total System count; others are listed as excluded with the clause."""
    facts = [issue("I-1", 1, "ioc-sit", is_open=False),
             issue("I-2", 1, "ioc-sit", cause=IssueCause.OTHER),
             issue("I-3", 3, "ioc-sit", cause=IssueCause.MODIFIED_DCC_TOTAL_SYSTEM)]
    count = sit_ioc(facts)["SP-A"]
    assert count.row(1).counted == ()
    assert [(x.reference, x.clause) for x in count.row(1).excluded] == [("I-2", "13.22")]
    assert count.row(3).counted_ids == ("I-3",)
    assert count.verdict is V.PASS


def test_issue_without_severity_leaves_the_count_not_evidenced() -> None:
    """§13.22: severities are determined under H14.39(a); an extant issue with none yet cannot be
    placed against a limit."""
    count = sit_ioc([issue("I-1", None, "ioc-sit")])["SP-A"]
    assert [u.reference for u in count.unclassified] == ["I-1"]
    assert count.verdict is V.NOT_EVIDENCED


# -- §13.21 carry-forward, Table 13.3 (a) and (b), §13.24 --------------------------------------------


def test_moc_phase_within_its_own_limit_but_over_the_aggregate() -> None:
    """§13.23(a)/(b), Table 13.3: severity 3 limits 15 for the phase and 30 aggregate (A10: open
    issues of every MOC SIT Test Phase). 10 + 12 + 9 = 31 > 30 while the phase has 10 <= 15."""
    facts = (issues("P1", 10, 3, "moc-1", capability=MOC) + issues("P2", 12, 3, "moc-2", capability=MOC)
             + issues("P3", 9, 3, "moc-3", capability=MOC))
    counts = moc(facts)
    own, total = counts[ThresholdScope.SIT_MOC_FOC_PHASE], counts[ThresholdScope.SIT_MOC_FOC_AGGREGATE]
    assert own.unit == total.unit == COLLECTIVE
    assert (own.row(3).count, own.row(3).limit, own.verdict) == (10, 15, V.PASS)
    assert (total.row(3).count, total.row(3).limit, total.verdict) == (31, 30, V.FAIL)
    assert "13.23(b)" in total.clauses
    assert "13.23(a)" in own.clauses
    bases = {c.basis for c in total.row(3).counted}
    assert bases == {CountBasis.RAISED_IN_PHASE, CountBasis.OTHER_SIT_PHASE}


def test_open_ioc_issue_is_carried_forward_into_moc_sit() -> None:
    """§13.21: extant issues include those "raised in any equivalent Test Phase for IOC or MOC"
    that remain open (T2: earlier releases). 15 own severity 3 + 1 open IOC SIT issue = 16 > 15;
    a closed IOC issue is not carried; the basis is recorded (A35)."""
    facts = [*issues("M", 15, 3, "moc-1", capability=MOC), issue("IOC-1", 3, "ioc-sit", capability=IOC),
             issue("IOC-2", 3, "ioc-sit", is_open=False)]
    own = moc(facts)[ThresholdScope.SIT_MOC_FOC_PHASE]
    assert own.row(3).count == 16
    assert own.verdict is V.FAIL
    carried = [c for c in own.row(3).counted if c.reference == "IOC-1"]
    assert [(c.basis, c.clause) for c in carried] == [(CountBasis.EARLIER_RELEASE, "13.21")]
    assert "IOC-2" not in own.row(3).counted_ids


def test_carry_forward_runs_only_from_earlier_releases() -> None:
    """§13.21 "for IOC or MOC": FOC SIT takes open IOC and MOC SIT issues; MOC SIT takes no FOC
    issue; a sibling MOC phase's issue comes in only when it affects the entry (§13.24)."""
    foc = phase("foc-1", SIT, FOC, epcl_entry="E9")
    facts = [issue("IOC-1", 3, "ioc-sit"), issue("MOC-2", 3, "moc-2", capability=MOC),
             issue("FOC-1", 3, "foc-1", capability=FOC),
             issue("MOC-3", 3, "moc-3", capability=MOC, epcl_entry_ids=("E1",))]
    foc_counts = threshold_counts(C.SIT_MOC_FOC, "foc-1", facts, phases=[*PHASES, foc])
    assert set(foc_counts[0].row(3).counted_ids) == {"IOC-1", "MOC-2", "MOC-3", "FOC-1"}
    own = moc(facts)[ThresholdScope.SIT_MOC_FOC_PHASE]
    assert {(c.reference, c.basis) for c in own.row(3).counted} == {
        ("IOC-1", CountBasis.EARLIER_RELEASE), ("MOC-3", CountBasis.AFFECTS_EPCL_ENTRY)}


def test_pit_carry_forward_stays_with_the_phases_provider() -> None:
    """§13.21 with Table 13.2 PIT per DCC Service Provider: an open IOC PIT issue of SP-A is
    extant in SP-A's MOC PIT phase, not in SP-B's."""
    phases = [phase("pit-a", PIT, MOC, service_provider="SP-A"),
              phase("pit-b", PIT, MOC, service_provider="SP-B")]
    old = issue("IOC-PIT-1", 3, "ioc-pit-a", kind=PIT, capability=IOC, providers=["SP-A"])
    a = threshold_counts(C.PIT, "pit-a", [old], phases=phases)
    b = threshold_counts(C.PIT, "pit-b", [old], phases=phases)
    assert [(c.unit, c.row(3).counted_ids) for c in a] == [("SP-A", ("IOC-PIT-1",))]
    assert [(c.unit, c.row(3).counted_ids, c.verdict) for c in b] == [("SP-B", (), V.PASS)]


# -- §14.4-14.5 severity disputes ---------------------------------------------------------------------


def test_pending_dispute_counts_at_dcc_severity_and_blocks_when_it_could_change_the_outcome() -> None:
    """§14.4: the DCC's severity stays in the evaluation until TAG determines; §14.5: no decision
    while the dispute could affect whether the criterion is met. 15 severity 3 + one severity 4
    disputed as 3: counted at 4 (15/15 passes), but TAG determining 3 would make 16 > 15."""
    base = issues("A", 15, 3, "ioc-sit")
    contested = disputed(issue("D-1", 4, "ioc-sit"), 3, "ioc-sit")
    count = sit_ioc([*base, contested])["SP-A"]
    assert count.row(4).counted_ids == ("D-1",)
    assert count.row(3).count == 15
    assert count.verdict is V.BLOCKED
    assert count.row(3).verdict is V.BLOCKED
    assert count.row(4).verdict is V.PASS
    pending = [p for p in count.row(4).pending if p.reference == "D-1"]
    assert pending
    assert pending[0].blocking
    assert pending[0].could_change_outcome
    assert pending[0].clause == "14.5"
    assert {"14.4", "14.5"} <= set(count.clauses)
    # TAG determines: final (§14.2) and in force from now (§14.4).
    upheld = replace(contested, severity=3, dispute=None)
    assert sit_ioc([*base, upheld])["SP-A"].verdict is V.FAIL
    rejected = replace(contested, severity=4, dispute=None)
    assert sit_ioc([*base, rejected])["SP-A"].verdict is V.PASS


def test_dispute_that_cannot_change_the_outcome_does_not_block() -> None:
    """§14.5 applies only where the dispute "could affect" the outcome: 1 severity 4 issue
    disputed as 5 under limits of 30 and 60 is noted, not blocking; and a dispute on SP-B's issue
    does not block SP-A's count (§13.22 per provider)."""
    facts = [disputed(issue("D-1", 4, "ioc-sit"), 5, "ioc-sit"),
             disputed(issue("D-2", 4, "ioc-sit", providers=["SP-B"]), 1, "ioc-sit")]
    counts = sit_ioc(facts)
    assert counts["SP-A"].verdict is V.PASS
    assert not any(p.could_change_outcome for r in counts["SP-A"].rows for p in r.pending)
    assert counts["SP-B"].verdict is V.BLOCKED


def test_dispute_on_a_count_that_fails_anyway_is_not_blocking() -> None:
    """§14.5: 2 severity 1 issues fail (limit 0) whatever TAG decides on a third's severity."""
    facts = [issue("S1-1", 1, "ioc-sit"), issue("S1-2", 1, "ioc-sit"),
             disputed(issue("D-1", 3, "ioc-sit"), 4, "ioc-sit")]
    assert sit_ioc(facts)["SP-A"].verdict is V.FAIL


# -- §13.25-13.26 exclusions ----------------------------------------------------------------------


@pytest.mark.parametrize(("status", "verdict", "clause"), [
    (ExclusionStatus.PROPOSED, V.FAIL, "13.25"),
    (ExclusionStatus.TAG_REFUSED, V.FAIL, "13.26"),
    (ExclusionStatus.REFERRED_TO_SOS, V.FAIL, "13.26"),
    (ExclusionStatus.SOS_REFUSED, V.FAIL, None),
    (ExclusionStatus.TAG_AGREED, V.PASS, "13.25"),
    (ExclusionStatus.SOS_UPHELD, V.PASS, "13.26"),
])
def test_exclusion_applies_only_once_tag_agrees_or_the_sos_upholds(
    status: ExclusionStatus, verdict: Verdict, clause: str | None
) -> None:
    """§13.25: excluded "only if the TAG agrees"; §13.26: not supported, it is counted; on the
    DCC's referral the SoS's decision is final. 16 severity 3 in a MOC SIT phase, one proposed."""
    facts = issues("M", 15, 3, "moc-1", capability=MOC)
    facts.append(excluded(issue("X-1", 3, "moc-1", capability=MOC), "moc-1", status))
    own = moc(facts)[ThresholdScope.SIT_MOC_FOC_PHASE]
    assert own.verdict is verdict
    row = own.row(3)
    if verdict is V.PASS:
        assert [(x.reference, x.clause) for x in row.excluded] == [("X-1", clause)]
        assert "X-1" not in row.counted_ids
    else:
        assert "X-1" in row.counted_ids
        assert row.excluded == ()
        notes = [p for p in row.pending if p.reference == "X-1"]
        assert [p.clause for p in notes] == ([clause] if clause else [])
        assert all(p.counted and not p.blocking and p.could_change_outcome for p in notes)


def test_refused_by_tag_then_upheld_by_the_sos() -> None:
    """§13.26: TAG refuses -> counted (the phase fails); the DCC refers within 5 WD and the SoS
    upholds the exclusion (final and binding) -> excluded (the phase passes)."""
    facts = issues("M", 15, 3, "moc-1", capability=MOC)
    raised = issue("X-1", 3, "moc-1", capability=MOC)
    refused = excluded(raised, "moc-1", ExclusionStatus.TAG_REFUSED)
    assert moc([*facts, refused])[ThresholdScope.SIT_MOC_FOC_PHASE].verdict is V.FAIL
    upheld = replace(refused, exclusions=(replace(refused.exclusions[0], status=ExclusionStatus.SOS_UPHELD),))
    after = moc([*facts, upheld])[ThresholdScope.SIT_MOC_FOC_PHASE]
    assert after.verdict is V.PASS
    assert after.row(3).excluded[0].clause == "13.26"


def test_exclusion_for_another_phase_does_not_apply() -> None:
    """§13.25: the exclusion is from "the Testing Issue Threshold for that Test Phase"."""
    facts = [excluded(issue("S1", 1, "moc-1", capability=MOC), "moc-2", ExclusionStatus.TAG_AGREED)]
    assert moc(facts)[ThresholdScope.SIT_MOC_FOC_PHASE].verdict is V.FAIL


# -- §13.27 SCT issues, §13.28-13.29 SMETS1 Interface Testing ------------------------------------------


def test_sct_issues_count_for_sit_only_as_tag_decides() -> None:
    """§13.27: the DCC discusses with TAG whether SCT issues count for the SIT Test Phase;
    §13.29: the SoS determines a referred disagreement. Undiscussed: listed, not counted."""
    def sct(ref: str, **kw: object) -> IssueFact:
        return issue(ref, 1, "sct-ioc", kind=SCT, **kw)  # type: ignore[arg-type]

    def decided(counted: bool, status: CountingStatus = CountingStatus.TAG_DETERMINED) -> tuple[CountingFact]:
        return (CountingFact(CountingBasis.SCT_ISSUE_IN_SIT, "ioc-sit", status, counted),)

    facts = [sct("SCT-1"), sct("SCT-2", counting=decided(True)), sct("SCT-3", counting=decided(False)),
             sct("SCT-4", counting=decided(False, CountingStatus.SOS_DETERMINED))]
    row = sit_ioc(facts)["SP-A"].row(1)
    assert [(c.reference, c.basis) for c in row.counted] == [("SCT-2", CountBasis.SCT_COUNTED)]
    assert {(x.reference, x.clause) for x in row.excluded} == {("SCT-3", "13.27"), ("SCT-4", "13.29")}
    assert [(p.reference, p.clause, p.counted) for p in row.pending] == [("SCT-1", "13.27", False)]


def test_interface_testing_counts_what_tag_determines_at_the_confirmed_severity() -> None:
    """§13.28: candidates presented in sets (a)-(c); TAG confirms severities (d) and determines
    which count (e). Undetermined candidates that could change the outcome block the count."""
    uts = phase("uts", UTS)

    def candidate(ref: str, severity: int, *decision: CountingFact) -> IssueFact:
        shown = InterfaceSetFact("uts", InterfaceTestingSet.A, severity, f"{ref}:p")
        return issue(ref, severity, "ioc-sit", interface_sets=(shown,), counting=decision)

    def tag(counted: bool, confirmed: int) -> CountingFact:
        return CountingFact(CountingBasis.INTERFACE_TESTING, "uts", CountingStatus.TAG_DETERMINED, counted,
                            confirmed)

    five = [candidate(f"C-{i}", 3, tag(True, 3)) for i in range(5)]
    count = threshold_counts(C.SMETS1_INTERFACE_TESTING_IOC, "uts", five, phases=[uts])[0]
    assert (count.row(3).count, count.row(3).limit, count.verdict) == (5, 5, V.PASS)
    undetermined = [*five, candidate("C-new", 3)]
    blocked = threshold_counts(C.SMETS1_INTERFACE_TESTING_IOC, "uts", undetermined, phases=[uts])[0]
    assert blocked.verdict is V.BLOCKED
    assert "13.28(e)" in blocked.clauses
    regraded = [*five, candidate("C-new", 3, tag(True, 4))]  # TAG confirms severity 4 (d)
    after = threshold_counts(C.SMETS1_INTERFACE_TESTING_IOC, "uts", regraded, phases=[uts])[0]
    assert after.row(4).counted_ids == ("C-new",)
    assert after.verdict is V.PASS
    dropped = [*five, candidate("C-new", 3, tag(False, 3))]
    assert threshold_counts(C.SMETS1_INTERFACE_TESTING_IOC, "uts", dropped, phases=[uts])[0].verdict is V.PASS


# -- Table 20.1 DMCT, and contexts set elsewhere ---------------------------------------------------


def test_dmct_entry_and_aggregate() -> None:
    """§20.28 and Table 20.1: (a) 15 for the planned entry, (b) 30 across DMCT irrespective of where
    the issues arose (A11); §20.29: the DCC's proposed exclusion applies to its draft report."""
    facts = (issues("E1", 15, 3, "dmct", kind=None, epcl_entry_ids=("E1",))
             + issues("E2", 15, 3, "dmct", kind=None, epcl_entry_ids=("E2",))
             + [excluded(issue("X", 3, "dmct", kind=None, epcl_entry_ids=("E1",)), "E1",
                         ExclusionStatus.PROPOSED),
                issue("MT-1", 3, "mt", kind=PhaseKind.DORMANT_MMT, epcl_entry_ids=("E2",))])
    entry, total = threshold_counts(C.DMCT_PLANNED_EPCL_ENTRY, "E1", facts, dmct_entry_ids=["E1", "E2"])
    assert entry.column is ThresholdScope.DMCT_PLANNED_EPCL_ENTRY
    assert (entry.row(3).count, entry.verdict) == (15, V.PASS)
    assert [(x.reference, x.clause) for x in entry.row(3).excluded] == [("X", "20.29")]
    assert (total.column, total.row(3).count, total.row(3).limit) == (ThresholdScope.DMCT_AGGREGATE, 31, 30)
    assert total.verdict is V.FAIL
    assert "20.28(b)" in total.clauses


def test_thresholds_set_elsewhere_return_no_count() -> None:
    """§13.22: Migration Test Phase thresholds are in the MTAD; §21.3(g): Uplift ones in its TAD."""
    assert threshold_counts(C.MIGRATION_TEST_PHASE, "mt", [issue("I", 1, "mt")]) == []
    assert threshold_counts(C.SMETS1_UPLIFT_DCC_TESTING, "u", [issue("I", 1, "u")]) == []


def test_wrong_table_for_the_phase_is_refused() -> None:
    """Catalogue 5.4: Table 13.2 SIT (IOC only) is not for MOC SIT, which has Table 13.3 (§13.23)."""
    with pytest.raises(RulesEngineError, match="do not apply"):
        threshold_counts(C.SIT_IOC, "moc-1", [], phases=PHASES)
    with pytest.raises(RulesEngineError, match="no phase fact"):
        threshold_counts(C.SIT_IOC, "nowhere", [], phases=PHASES)


def test_exclusion_agreed_for_an_issues_own_phase_carries_into_the_aggregate() -> None:
    """§13.25 with §13.23(b) (A10): an issue TAG agreed to exclude from its own SIT Test Phase's
    threshold is not counted in another phase's aggregate either; in that phase's (a) count only
    an exclusion for that phase applies (here the issue affects E1, §13.24)."""
    sibling = excluded(issue("S-1", 1, "moc-2", capability=MOC, epcl_entry_ids=("E1",)), "moc-2",
                       ExclusionStatus.TAG_AGREED)
    counts = moc([sibling])
    assert counts[ThresholdScope.SIT_MOC_FOC_AGGREGATE].verdict is V.PASS
    assert counts[ThresholdScope.SIT_MOC_FOC_PHASE].verdict is V.FAIL


def test_undiscussed_sct_issue_without_severity_does_not_hold_up_the_count() -> None:
    """§13.27: an SCT issue counts for SIT only once TAG agrees, so one not yet discussed and not
    yet graded (§13.22) is listed but leaves the count as it is."""
    count = sit_ioc([issue("SCT-1", None, "sct-ioc", kind=SCT)])["SP-A"]
    assert [u.reference for u in count.unclassified] == ["SCT-1"]
    assert count.verdict is V.PASS
