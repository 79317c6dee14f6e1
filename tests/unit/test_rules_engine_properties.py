"""Properties of the rules engine over generated facts (hypothesis): the counting rules are
monotone -- excluding an issue never increases a count (§13.25), adding an open issue never turns
FAIL into PASS (§12.9(c) "at or below"), a pending dispute blocks exactly when its two outcomes
differ (§14.4-14.5) -- and pass rates are exact (Table 13.1 #1A/#1B)."""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.planned_test_values import TestResult
from ledger.rules.thresholds import ThresholdContext, within_threshold
from ledger.testing_issue_values import ExclusionStatus
from projections.rules.execution_criteria import MINIMUM_FUNCTIONAL_PASS_RATE, pass_rate
from projections.rules.facts import IssueFact
from projections.rules.thresholds import ThresholdCount, threshold_counts
from projections.rules.verdicts import Verdict
from tests.unit.test_rules_engine_facts import IOC, MOC, SIT, disputed, excluded, issue, phase, planned

PHASES = [phase("ioc-sit", SIT, IOC), phase("moc-1", SIT, MOC, epcl_entry="E1"),
          phase("moc-2", SIT, MOC, epcl_entry="E2")]
SCOPES = {ThresholdContext.SIT_IOC: "ioc-sit", ThresholdContext.SIT_MOC_FOC: "moc-1"}


@st.composite
def issue_sets(draw: st.DrawFn, max_size: int = 40) -> list[IssueFact]:
    n = draw(st.integers(0, max_size))
    out = []
    for i in range(n):
        phase_id = draw(st.sampled_from(["ioc-sit", "moc-1", "moc-2"]))
        fact = issue(
            f"I-{i:03d}", draw(st.integers(1, 5)), phase_id, capability=IOC if phase_id == "ioc-sit" else MOC,
            providers=draw(st.sampled_from([("SP-A",), ("SP-B",), ("SP-A", "SP-B"), ()])),
            is_open=draw(st.booleans() | st.just(True)),
            epcl_entry_ids=draw(st.sampled_from([(), ("E1",)])),
        )
        out.append(fact)
    return out


contexts = st.sampled_from(list(SCOPES))


def counts(context: ThresholdContext, facts: list[IssueFact]) -> list[ThresholdCount]:
    return threshold_counts(context, SCOPES[context], facts, phases=PHASES)


def keyed(found: list[ThresholdCount]) -> dict[tuple[str, str], ThresholdCount]:
    return {(c.column.value, c.unit): c for c in found}


@settings(max_examples=150, deadline=None)
@given(issue_sets(), contexts, st.data())
def test_excluding_an_issue_never_increases_a_count(
    facts: list[IssueFact], context: ThresholdContext, data: st.DataObject
) -> None:
    """§13.25-13.26: an exclusion TAG agreed (or the SoS upheld) only removes an issue from counts."""
    if not facts:
        return
    index = data.draw(st.integers(0, len(facts) - 1))
    status = data.draw(st.sampled_from([ExclusionStatus.TAG_AGREED, ExclusionStatus.SOS_UPHELD]))
    after_facts = list(facts)
    after_facts[index] = excluded(facts[index], SCOPES[context], status)
    before, after = keyed(counts(context, facts)), keyed(counts(context, after_facts))
    for key, count in after.items():
        for row in count.rows:
            old = before[key].row(row.severity).count if key in before else 0
            assert row.count <= old
        if before.get(key) is not None and before[key].verdict is Verdict.PASS:
            assert count.verdict is Verdict.PASS


@settings(max_examples=150, deadline=None)
@given(issue_sets(), contexts, st.integers(1, 5), st.sampled_from([("SP-A",), ("SP-B",), ()]))
def test_adding_an_open_issue_never_turns_fail_into_pass(
    facts: list[IssueFact], context: ThresholdContext, severity: int, providers: tuple[str, ...]
) -> None:
    """§12.9(c), Table 13.1 #3: more extant issues can only make a count worse."""
    scope = SCOPES[context]
    extra = issue("NEW", severity, scope, capability=IOC if scope == "ioc-sit" else MOC, providers=providers)
    before, after = keyed(counts(context, facts)), keyed(counts(context, [*facts, extra]))
    for key, count in before.items():
        if count.verdict is Verdict.FAIL:
            assert after[key].verdict is Verdict.FAIL


@settings(max_examples=150, deadline=None)
@given(issue_sets(), contexts)
def test_pass_means_every_severity_within_its_limit(
    facts: list[IssueFact], context: ThresholdContext
) -> None:
    """§12.9(c) "at or below"; Table 1.1: the threshold is the maximum permitted per severity."""
    for count in counts(context, facts):
        within = all(within_threshold(r.count, r.limit) for r in count.rows)
        assert (count.verdict is Verdict.PASS) == within or count.verdict is Verdict.NOT_EVIDENCED


@settings(max_examples=150, deadline=None)
@given(issue_sets(max_size=25), contexts, st.data())
def test_one_pending_dispute_blocks_exactly_when_its_outcomes_differ(
    facts: list[IssueFact], context: ThresholdContext, data: st.DataObject
) -> None:
    """§14.4: the DCC's severity counts meanwhile; §14.5: BLOCKED iff TAG deciding the proposed
    severity would give another verdict than TAG confirming the DCC's."""
    open_counted = [i for i, f in enumerate(facts) if f.is_open]
    if not open_counted:
        return
    index = data.draw(st.sampled_from(open_counted))
    original = facts[index]
    assert original.severity is not None
    proposed = data.draw(st.integers(1, 5).filter(lambda s: s != original.severity))
    pending = [*facts[:index], disputed(original, proposed, SCOPES[context]), *facts[index + 1:]]
    kept = keyed(counts(context, facts))
    moved = keyed(counts(context, [*facts[:index], replace(original, severity=proposed), *facts[index + 1:]]))
    for key, count in keyed(counts(context, pending)).items():
        outcomes = {kept[key].verdict if key in kept else Verdict.PASS,
                    moved[key].verdict if key in moved else Verdict.PASS}
        if len(outcomes) == 1:
            assert count.verdict in outcomes
        else:
            assert count.verdict is Verdict.BLOCKED


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 300), st.integers(0, 300))
def test_pass_rate_is_exact(passed: int, failed: int) -> None:
    """Table 13.1 #1A/#1B: at least 90%, compared exactly (89.9% fails, 90% passes)."""
    tests = ([planned(f"p{i}", "ph", TestResult.PASS) for i in range(passed)]
             + [planned(f"f{i}", "ph", TestResult.FAIL) for i in range(failed)])
    rate = pass_rate(tests, SIT)
    assert rate.planned == passed + failed
    if rate.planned:
        assert rate.rate == Fraction(passed, passed + failed)
        assert rate.meets(MINIMUM_FUNCTIONAL_PASS_RATE) == (10 * passed >= 9 * (passed + failed))
