"""The kinds of fact the ``facts`` read model holds, and the dataclass of each kind.

A row's ``kind`` says how to decode its payload (``projections.fact_codec``): ``FACT_TYPES``.
The rules engine's facts (``projections.rules.facts``) and the reports' (``projections.report_facts``).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from projections.report_facts import (
    DmcSelectionFact,
    DmctEntryFact,
    DmctPublicationFact,
    DmctStatusFact,
    FindingsFact,
    MatterFact,
    RequirementFact,
    ScenarioFact,
    TestTraceFact,
    TtmFact,
    WorkOffDeadlineFact,
)
from projections.rules.dmct_completion import DmctCompletionFact
from projections.rules.facts import (
    CycleRunFact,
    DocumentFact,
    ExecutionFact,
    IssueFact,
    PhaseFact,
    PlannedTestFact,
    WorkOffPlanFact,
)


class FactKind(StrEnum):
    """What a row of the ``facts`` read model holds (its ``kind`` column)."""

    ISSUE = "issue"
    PHASE = "phase"
    PLANNED_TEST = "planned_test"  # without its runs: EXECUTION rows (``as_of.rows_at`` joins them)
    EXECUTION = "execution"
    TEST_TRACE = "test_trace"
    CYCLE_RUN = "cycle_run"
    WORK_OFF_PLAN = "work_off_plan"
    WORK_OFF_DEADLINE = "work_off_deadline"
    DOCUMENT = "document"
    MATTER = "matter"
    REQUIREMENT = "requirement"
    SCENARIO = "scenario"
    TTM = "ttm"
    DMC_SELECTION = "dmc_selection"
    FINDINGS = "findings"
    DMCT_STATUS = "dmct_status"
    DMCT_ENTRY = "dmct_entry"
    DMCT_PUBLICATION = "dmct_publication"
    DMCT_COMPLETION = "dmct_completion"


FACT_TYPES: dict[FactKind, type] = {
    FactKind.ISSUE: IssueFact, FactKind.PHASE: PhaseFact, FactKind.PLANNED_TEST: PlannedTestFact,
    FactKind.EXECUTION: ExecutionFact,
    FactKind.TEST_TRACE: TestTraceFact, FactKind.CYCLE_RUN: CycleRunFact,
    FactKind.WORK_OFF_PLAN: WorkOffPlanFact, FactKind.WORK_OFF_DEADLINE: WorkOffDeadlineFact,
    FactKind.DOCUMENT: DocumentFact, FactKind.MATTER: MatterFact, FactKind.REQUIREMENT: RequirementFact,
    FactKind.SCENARIO: ScenarioFact, FactKind.TTM: TtmFact, FactKind.DMC_SELECTION: DmcSelectionFact,
    FactKind.FINDINGS: FindingsFact, FactKind.DMCT_STATUS: DmctStatusFact,
    FactKind.DMCT_ENTRY: DmctEntryFact, FactKind.DMCT_PUBLICATION: DmctPublicationFact,
    FactKind.DMCT_COMPLETION: DmctCompletionFact,
}


@dataclass(frozen=True)
class BuiltFact:
    """One fact of an aggregate: its kind, natural key (unique per aggregate and kind) and phase."""

    kind: FactKind
    key: str
    phase_id: str | None
    fact: object


__all__ = ["FACT_TYPES", "BuiltFact", "FactKind"]
