"""The fact store at 10^4 rows: answers stay right, and how long ``facts_at`` takes is printed
(a measurement, not an assertion; run with ``-s`` to see it). On SQLite and PostgreSQL."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from ledger.actors import Actor
from ledger.application import AKLedger
from ledger.context import RecordingContext
from ledger.demo import IOC_SIT
from ledger.testing_issues import TestingIssue
from projections.fact_kinds import FactKind
from projections.facts_projection import FactsProjection
from projections.queries import facts_at, position_as_of
from projections.runner import run_once
from projections.tables import facts

ISSUES, SAVES = 2_000, 20  # each issue: raised, then four severity determinations -> 10^4 events


def record_issues(lg: AKLedger, actor: Actor) -> list[int]:
    """``ISSUES`` Testing Issues, each re-graded 1 -> 4, in ``SAVES`` saves; the head after each."""
    lg.load_signer()
    context = RecordingContext(actor, datetime.now(UTC) - timedelta(minutes=1)).fields()
    heads, per_save = [], ISSUES // SAVES
    for save in range(SAVES):
        batch = []
        for n in range(save * per_save, (save + 1) * per_save):
            issue = TestingIssue.raise_issue(
                f"TI-{n:05d}", "load", IOC_SIT, dmc_ids=[], epcl_entry_ids=[], service_providers=["S1SP"],
                cause="dcc_total_system", environment="test", raised_by="dcc", security_impact=False,
                **context)
            for severity in (1, 2, 3, 4):
                issue.determine_severity(severity, **context)
            batch.append(issue)
        heads.append(lg.append(*batch)[-1].position)
    return heads


def test_facts_at_over_ten_thousand_rows(ledger: AKLedger, actor: Actor) -> None:
    heads = record_issues(ledger, actor)
    started = time.perf_counter()
    applied = run_once(ledger, FactsProjection(ledger))
    took = time.perf_counter() - started
    with ledger.connect() as conn:
        rows = conn.execute(select(func.count()).where(facts.c.kind == FactKind.ISSUE.value)).scalar_one()
    assert rows == 5 * ISSUES  # every re-grading closed a row and opened one

    timings = []
    for position in (heads[0], heads[SAVES // 2 - 1], heads[-1]):
        started = time.perf_counter()
        found = facts_at(ledger.engine, FactKind.ISSUE, position)
        timings.append((position, len(found), time.perf_counter() - started))
        saved = heads.index(position) + 1
        assert len(found) == saved * ISSUES // SAVES
        assert {f.severity for f in found} == {4}
    assert position_as_of(ledger.engine) == heads[-1]
    print(f"\n[{ledger.engine.dialect.name}] projected {applied} events in {took:.2f} s "
          f"({applied / took:,.0f} ev/s); {rows} issue rows")
    for position, count, seconds in timings:
        print(f"[{ledger.engine.dialect.name}] facts_at(issue, {position}): {count} facts in "
              f"{seconds * 1000:.1f} ms")
