"""Planned tests, their executions, witnessing and de-scoping (catalogue 2.7, 3.3 P19, P22, P24-P26).

A ``PlannedTest`` is one planned test of one Test Phase (def. "SIT Planned Tests"; §12.7 D&B SIT
for MOC/FOC, the SMETS1 SIT Approach Release for IOC, A55), of a kind (functional, end of cycle,
regression: Table 13.1 #1A/#1B, #2A, #2B), in a functional group (the heatmap, Table 13.1 #7),
on a DMC, tracing to test scenarios (§11.1). Its id derives from its phase and test reference.

Executions (§8.1(i), §9.4(b)): run numbers strictly increase; a result is pass, fail or not run,
and a fail or not-run gives its reason; each names its environment and codebase (§7.6) and may
cite the SHA-256 of its evidence (Table 13.1 #4). Witnessing (§13.14-13.15) names a run that
was recorded, the observer, and whether the script was deviated from or the observer involved.

De-scoping (§12.9(a)): the DCC proposes; the TAB decides (PIT) or recommends (SIT); for SIT the
test is de-scoped only if the Secretary of State approves (A45: whatever the TAB recommended).
``is_descoped`` says whether that holds for the latest proposal. Phases other than PIT and SIT
take their exit criteria from their TAD (§12.3); their de-scoping is read as for PIT.

Structural rules (``InvalidTraceabilityEventError`` naming the field; nothing is written) are
checked here; compliance (a de-scope applied before it is effective, a witnessed deviation or
involvement) is recorded and flagged by ``ledger.findings.executions``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from ledger.planned_test_values import (
    NEEDS_REASON,
    DescopeAct,
    Execution,
    TestKind,
    TestResult,
    Witnessing,
    fail,
    require_instant,
    require_sha256,
    require_text,
    require_uuid,
)
from ledger.rules.phase_kinds import PhaseKind

_EXECUTION_CLAUSES = ["8.1(i)", "9.4(b)"]
_WITNESS_CLAUSES = ["13.14", "13.15"]
_DESCOPE_CLAUSES = ["12.9(a)"]


class PlannedTest(Aggregate):
    """One planned test of one Test Phase, with its runs, witnessing and de-scope history."""

    __test__ = False  # not a pytest test class

    @classmethod
    def create_id(cls, phase_id: str, test_ref: str, **_: object) -> UUID:
        return uuid5(NAMESPACE_URL, f"akledger:planned-test:{phase_id}:{test_ref}")

    @classmethod
    def plan(
        cls, phase_id: str, phase_kind: PhaseKind | str, test_ref: str, kind: TestKind | str, *,
        source_document_sha256: str, functional_group: str | None = None, dmc: str | None = None,
        scenario_ids: list[str] | None = None, **context: Any,
    ) -> PlannedTest:
        """Plan a test. A functional test names its functional group (heatmap, Table 13.1 #7).
        Raises ``InvalidTraceabilityEventError``: phase_id, phase_kind, test_ref, kind,
        source_document_sha256, functional_group, dmc, scenario_ids."""
        whose = f"planned test {test_ref!r}"
        require_text("test_ref", test_ref, "planned test")
        phase = require_uuid("phase_id", phase_id, whose)
        try:
            of_kind = PhaseKind(phase_kind)
        except ValueError:
            raise fail("phase_kind", f"{whose}: {phase_kind!r} is not a Test Phase") from None
        try:
            test_kind = TestKind(kind)
        except ValueError:
            raise fail("kind", f"{whose}: {kind!r} is not {', '.join(TestKind)}") from None
        require_text("source_document_sha256", source_document_sha256, whose)
        require_sha256("source_document_sha256", source_document_sha256, whose)
        if test_kind is TestKind.FUNCTIONAL:
            require_text("functional_group", functional_group, f"{whose} (functional)")
        if dmc is not None:
            require_text("dmc", dmc, whose)
        scenarios = [require_uuid("scenario_ids", s, whose) for s in scenario_ids or []]
        if len(set(scenarios)) != len(scenarios):
            raise fail("scenario_ids", f"{whose}: a scenario is listed twice")
        return cls(
            phase_id=phase, phase_kind=of_kind.value, test_ref=test_ref, kind=test_kind.value,
            source_document_sha256=source_document_sha256, functional_group=functional_group,
            dmc=dmc, scenario_ids=scenarios,
            **{**context, "clauses": list(context.get("clauses") or ["12.9(a)", "Table 13.1"])},
        )

    # -- commands: executions -------------------------------------------------------------------
    def record_execution(
        self, run_number: int, result: TestResult | str, *, environment: str, codebase_version: str,
        executed_at: str, reason: str | None = None, run_evidence_sha256: str | None = None,
        executed_by: list[str] | None = None, **context: Any,
    ) -> None:
        """Record one run. Raises ``InvalidTraceabilityEventError``: run_number (not above the
        last), result, reason (missing for fail / not run), environment, codebase_version,
        executed_at, run_evidence_sha256 (the run's evidence; the context's
        ``evidence_sha256`` is for a decision recorded on a body's behalf), executed_by."""
        whose = self.label
        if isinstance(run_number, bool) or not isinstance(run_number, int) or run_number < 1:
            raise fail("run_number", f"{whose}: {run_number!r} is not a positive whole number")
        if self.executions and run_number <= self.executions[-1].run_number:
            last = self.executions[-1].run_number
            raise fail("run_number", f"{whose}: run {run_number} is not after run {last}")
        try:
            outcome = TestResult(result)
        except ValueError:
            raise fail("result", f"{whose}: {result!r} is not {', '.join(TestResult)}") from None
        if outcome in NEEDS_REASON:
            require_text("reason", reason, f"{whose} run {run_number} ({outcome.value})")
        require_text("environment", environment, whose)
        require_text("codebase_version", codebase_version, whose)
        require_instant("executed_at", executed_at, whose)
        require_sha256("run_evidence_sha256", run_evidence_sha256, whose)
        testers = [require_text("executed_by", t, whose) for t in executed_by or []]
        self._execution_recorded(
            run_number=run_number, result=outcome.value, reason=reason, environment=environment,
            codebase_version=codebase_version, executed_at=executed_at,
            run_evidence_sha256=run_evidence_sha256, executed_by=testers,
            **{**context, "clauses": list(context.get("clauses") or _EXECUTION_CLAUSES)},
        )

    def witness(
        self, run_number: int, observer: str, *, deviation_from_script: bool,
        observer_involved: bool, **context: Any,
    ) -> None:
        """Record that ``observer`` watched a recorded run (§13.14-13.15). A deviation or the
        observer's involvement is recorded and flagged, not refused. Raises
        ``InvalidTraceabilityEventError``: run_number (no such run), observer (empty, or has
        already witnessed the run)."""
        whose = self.label
        if run_number not in {e.run_number for e in self.executions}:
            raise fail("run_number", f"{whose} has no run {run_number!r} to witness")
        require_text("observer", observer, whose)
        if any(w.run_number == run_number and w.observer == observer for w in self.witnessings):
            raise fail("observer", f"{whose}: {observer} has already witnessed run {run_number}")
        self._execution_witnessed(
            run_number=run_number, observer=observer, deviation_from_script=bool(deviation_from_script),
            observer_involved=bool(observer_involved),
            **{**context, "clauses": list(context.get("clauses") or _WITNESS_CLAUSES)},
        )

    # -- commands: de-scoping (§12.9(a)) --------------------------------------------------------
    def propose_descope(self, rationale: str, **context: Any) -> None:
        """The DCC proposes de-scoping in exceptional circumstances. Raises
        ``InvalidTraceabilityEventError``: rationale, status (a proposal is still undecided)."""
        require_text("rationale", rationale, self.label)
        if self.proposal and not self._decided(self.proposal):
            raise fail("status", f"{self.label}: de-scope proposal {self.proposal} is still undecided")
        self._descope_proposed(rationale=rationale, **self._ctx(context))

    def decide_descope_by_tab(self, approved: bool, **context: Any) -> None:
        """The TAB's decision (PIT) or recommendation (SIT) on the latest proposal. Raises
        ``InvalidTraceabilityEventError``: status (no proposal, or the TAB already decided it),
        on_behalf_of (names a body other than the TAB)."""
        self._check_decision("tab", context)
        self._descope_decided_by_tab(approved=bool(approved), **self._ctx(context))

    def decide_descope_by_sos(self, approved: bool, **context: Any) -> None:
        """The Secretary of State's approval or refusal of a SIT de-scope (A45: either TAB
        recommendation may be referred; one made before the TAB's is recorded and flagged).
        Raises ``InvalidTraceabilityEventError``: phase_kind (not SIT), status, on_behalf_of."""
        if self.phase_kind is not PhaseKind.SIT:
            raise fail("phase_kind", f"{self.label}: the SoS decides de-scoping only in SIT")
        self._check_decision("sos", context)
        self._descope_decided_by_sos(approved=bool(approved), **self._ctx(context))

    def apply_descope(self, **context: Any) -> None:
        """The DCC treats the test as de-scoped (e.g. leaves it out of the exit evidence).
        Recorded even when the de-scope is not effective; ``ledger.findings.executions`` flags it."""
        self._descope_applied(**self._ctx(context))

    # -- queries --------------------------------------------------------------------------------
    @property
    def label(self) -> str:
        return f"planned test {self.test_ref!r} ({self.id})"

    @property
    def is_descoped(self) -> bool:
        """Whether the latest proposal is approved by the body whose approval de-scopes
        (§12.9(a): the SoS for SIT, the TAB otherwise)."""
        body = "sos_decided" if self.phase_kind is PhaseKind.SIT else "tab_decided"
        return any(
            a.act == body and a.approved and a.proposal == self.proposal for a in self.descope_acts
        )

    @property
    def latest_execution(self) -> Execution | None:
        """The latest run (A19: the pass rate reads the latest result per planned test)."""
        return self.executions[-1] if self.executions else None

    def acts_of(self, act: str, proposal: int | None = None) -> list[DescopeAct]:
        wanted = self.proposal if proposal is None else proposal
        return [a for a in self.descope_acts if a.act == act and a.proposal == wanted]

    def event_id(self, version: int) -> str:
        return f"{self.id}:{version}"

    # -- helpers --------------------------------------------------------------------------------
    def _decided(self, proposal: int) -> bool:
        final = "sos_decided" if self.phase_kind is PhaseKind.SIT else "tab_decided"
        return bool(self.acts_of(final, proposal))

    def _check_decision(self, body: str, context: dict[str, Any]) -> None:
        if not self.proposal:
            raise fail("status", f"{self.label}: no de-scope proposal to decide")
        if self.acts_of(f"{body}_decided"):
            raise fail("status", f"{self.label}: the {body.upper()} already decided proposal "
                       f"{self.proposal}")
        behalf = context.get("on_behalf_of")
        if behalf is not None and behalf != body:
            raise fail("on_behalf_of", f"{self.label}: a {body.upper()} decision recorded on "
                       f"behalf of {behalf}")

    @staticmethod
    def _ctx(context: dict[str, Any]) -> dict[str, Any]:
        return {**context, "clauses": list(context.get("clauses") or _DESCOPE_CLAUSES)}

    def _act(self, act: str, approved: bool | None, proposal: int) -> None:
        self.descope_acts.append(DescopeAct(act, approved, proposal, self.version + 1))

    # -- events (apply only: no validation here, so old events always replay) -------------------
    @event("PlannedTestPlanned")
    def __init__(
        self, phase_id: str, phase_kind: str, test_ref: str, kind: str, source_document_sha256: str,
        functional_group: str | None, dmc: str | None, scenario_ids: list[str], occurred_at: str,
        actor: dict[str, str], clauses: list[str], on_behalf_of: str | None,
        evidence_sha256: str | None,
    ) -> None:
        self.phase_id, self.phase_kind = phase_id, PhaseKind(phase_kind)
        self.test_ref, self.kind = test_ref, TestKind(kind)
        self.source_document_sha256, self.functional_group = source_document_sha256, functional_group
        self.dmc, self.scenario_ids = dmc, list(scenario_ids)
        self.executions: list[Execution] = []
        self.witnessings: list[Witnessing] = []
        self.descope_acts: list[DescopeAct] = []
        self.proposal = 0

    @event("ExecutionRecorded")
    def _execution_recorded(
        self, run_number: int, result: str, reason: str | None, environment: str,
        codebase_version: str, executed_at: str, run_evidence_sha256: str | None,
        executed_by: list[str], occurred_at: str, actor: dict[str, str], clauses: list[str],
        on_behalf_of: str | None, evidence_sha256: str | None,
    ) -> None:
        self.executions.append(Execution(
            run_number, TestResult(result), reason, environment, codebase_version,
            run_evidence_sha256, datetime.fromisoformat(executed_at), tuple(executed_by),
            self.version + 1,
        ))

    @event("ExecutionWitnessed")
    def _execution_witnessed(
        self, run_number: int, observer: str, deviation_from_script: bool, observer_involved: bool,
        occurred_at: str, actor: dict[str, str], clauses: list[str],
        on_behalf_of: str | None, evidence_sha256: str | None,
    ) -> None:
        self.witnessings.append(
            Witnessing(run_number, observer, deviation_from_script, observer_involved, self.version + 1)
        )

    @event("DescopeProposed")
    def _descope_proposed(
        self, rationale: str, occurred_at: str, actor: dict[str, str], clauses: list[str],
        on_behalf_of: str | None, evidence_sha256: str | None,
    ) -> None:
        self.proposal += 1
        self.descope_rationale = rationale
        self._act("proposed", None, self.proposal)

    @event("DescopeDecidedByTab")
    def _descope_decided_by_tab(
        self, approved: bool, occurred_at: str, actor: dict[str, str], clauses: list[str],
        on_behalf_of: str | None, evidence_sha256: str | None,
    ) -> None:
        self._act("tab_decided", approved, self.proposal)

    @event("DescopeDecidedBySoS")
    def _descope_decided_by_sos(
        self, approved: bool, occurred_at: str, actor: dict[str, str], clauses: list[str],
        on_behalf_of: str | None, evidence_sha256: str | None,
    ) -> None:
        self._act("sos_decided", approved, self.proposal)

    @event("DescopeApplied")
    def _descope_applied(
        self, occurred_at: str, actor: dict[str, str], clauses: list[str],
        on_behalf_of: str | None, evidence_sha256: str | None,
    ) -> None:
        self._act("applied", None, self.proposal)
