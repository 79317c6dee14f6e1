"""Verdicts of the rules engine and how they combine."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class Verdict(StrEnum):
    """PASS / FAIL; BLOCKED: no decision can be made until a pending determination (§14.5, and
    TAG's §13.28(e) counting) could go either way; NOT_APPLICABLE to this phase; NOT_EVIDENCED:
    a fact the criterion needs (a document, an attribution, a severity) is not recorded."""

    PASS = "pass"  # noqa: S105 (a verdict, not a password)
    FAIL = "fail"
    BLOCKED = "blocked"
    NOT_APPLICABLE = "not_applicable"
    NOT_EVIDENCED = "not_evidenced"


# A criterion that fails whatever the pending matters decide has failed: a dispute that cannot
# change the outcome does not block it (§14.5 "could affect"). Hence FAIL outranks BLOCKED.
_RANK = (Verdict.FAIL, Verdict.BLOCKED, Verdict.NOT_EVIDENCED, Verdict.PASS)


def combine(verdicts: Iterable[Verdict]) -> Verdict:
    """All parts must pass: the worst of ``verdicts`` ignoring NOT_APPLICABLE; NOT_APPLICABLE if
    nothing applies."""
    found = {v for v in verdicts if v is not Verdict.NOT_APPLICABLE}
    return next((v for v in _RANK if v in found), Verdict.NOT_APPLICABLE)


@dataclass(frozen=True)
class CriterionResult:
    """One Exit Criterion evaluated: ``criterion`` as cited ("12.9(a)", "Table 13.1 #1A"), its
    verdict, the clauses applied, the fact ids (event ids, issue references, planned test and
    execution ids) that justify it, a one-line ``detail``, and the documents the Evidence column of
    Table 13.1 names that are not recorded (``missing_evidence``)."""

    criterion: str
    title: str
    verdict: Verdict
    clauses: tuple[str, ...]
    fact_ids: tuple[str, ...]
    detail: str
    missing_evidence: tuple[str, ...] = ()


__all__ = ["CriterionResult", "Verdict", "combine"]
