"""As-of query: has DMCT testing of each planned EPCL entry completed, and how (§20.31-20.33, A25).

For each entry (or the one asked for) it reads, at the position, what its events recorded
(``FactKind.DMCT_COMPLETION``, built by ``projections.dmct_fact_builders``), and its Table 20.1
counts from the Testing Issues and entries at that position (``projections.dmct_queries.
entry_counts``), and applies ``projections.rules.dmct_completion.evaluate``. The as-of arguments
are read as in ``projections.queries``. Raises (besides ``as_of.resolve``'s) ``UnknownEntryError``
when ``entry`` names no planned EPCL entry recorded by then.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.engine import Engine

from projections.as_of import AsOf, resolve, rows_at
from projections.dmct_queries import UnknownEntryError, entry_counts
from projections.fact_kinds import FactKind
from projections.report_facts import DmctEntryFact
from projections.rules.dmct_completion import (
    CompletionEvaluation,
    CompletionResult,
    DmctCompletionFact,
    evaluate,
)
from projections.rules.facts import IssueFact
from projections.rules.thresholds import counts_verdict
from projections.rules.verdicts import Verdict


@dataclass(frozen=True)
class DmctCompletionAnswer:
    """The evaluation of each planned EPCL entry (of ``entry`` only, when given), by entry id;
    ``tally``: how many entries each evaluation has; ``disagreeing``: the entries whose recorded
    completion the evaluation does not support."""

    as_of: AsOf
    entry: str | None
    results: tuple[CompletionResult, ...]
    tally: dict[str, int]
    disagreeing: tuple[str, ...]


def dmct_completion(
    engine: Engine, entry: str | None = None, *, as_of_position: int | None = None,
    as_of: datetime | None = None,
) -> DmctCompletionAnswer:
    """The §20.32/§20.33 evaluation of the planned EPCL entries as of the position."""
    at = resolve(engine, as_of_position, as_of)
    with engine.connect() as conn:
        facts: list[DmctCompletionFact] = [f for _, f in rows_at(conn, FactKind.DMCT_COMPLETION, at.position)]
        entries: list[DmctEntryFact] = [e for _, e in rows_at(conn, FactKind.DMCT_ENTRY, at.position)]
        issues: list[IssueFact] = [i for _, i in rows_at(conn, FactKind.ISSUE, at.position)]
    chosen = sorted((f for f in facts if entry is None or f.entry_id == entry), key=lambda f: f.entry_id)
    if entry is not None and not chosen:
        raise UnknownEntryError(entry, at.position)
    results = tuple(evaluate(f, _verdict(f, entries, issues)) for f in chosen)
    tally = Counter(r.evaluation.value for r in results)
    return DmctCompletionAnswer(
        at, entry, results, {e.value: tally.get(e.value, 0) for e in CompletionEvaluation},
        tuple(r.entry_id for r in results if r.agrees_with_record is False),
    )


def _verdict(fact: DmctCompletionFact, entries: list[DmctEntryFact], issues: list[IssueFact]) -> Verdict:
    if not fact.tested:
        return Verdict.NOT_APPLICABLE
    return counts_verdict(entry_counts(fact.entry_id, entries, issues))


__all__ = ["DmctCompletionAnswer", "dmct_completion"]
