"""Work Off Plans: open Testing Issues documented at Test Phase exit, and their discharge (§15).

At Test Phase exit (and at SMETS1 Interface Testing completion) "all open Testing Issues shall be
documented in a Work Off Plan which shall be approved by the TAB" (§15.1; §12.9(g)). Each item
is one open Testing Issue with its severity; severity 3/4/5 items are due within 20/40/60 Working
Days "from the issuing of a Test Completion Certificate" (§15.1(a)-(c)), computed by
``ledger.rules.deadlines.work_off_plan_due`` and stored as JSON with the Working Day convention
that computed them. The TCC may be issued after the plan is produced, so the due dates are
computed when the plan is anchored to its TCC (``anchor_to_tcc``).

Severity 1-2: §15.1 says *all* open Testing Issues are documented, so such items are recorded,
but §15.1 sets no timescale for them (A31): they carry no computed due date; the TAB may set one
(``set_tab_due_date``), and ``ledger.findings.work_off_plans`` flags an item without one.

Catalogue 3.7 W1-W7: produced (W1), approved by the TAB (W2), progress reported to the TAB (W3),
deadline at risk identified with the awareness date (W4), correction plan presented and the TAB's
decision on it (W5), item resolved with its retest executions and plan completed (W7, §12.9(h)).
TCC revocation (W6) is recorded on the ``TestPhase`` (``ledger.phases``); a correction plan
decision only references the revoked certificate. Resolution reports to TAG and Panel (W8) are
recorded as notices (``ledger.notices``).

Structural rules (``InvalidWorkOffPlanEventError`` naming the field; nothing is written): phase,
reference and owner given; at least one item; issue ids unique; severities 1-5; an item named by a
command exists and is unresolved; approved once; anchored to one TCC; a TAB act (approval, TAB-set
due date, correction plan decision) is the TAB's own or recorded on its behalf (with evidence,
``RecordingContext``); a TAB-set due date only for severity 1-2; a decision only on a presented
correction plan; completed once, with every item resolved; nothing changes a completed plan.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from ledger.calendar import Deadline
from ledger.context import citing
from ledger.document_values import SHA256_HEX
from ledger.errors import InvalidWorkOffPlanEventError
from ledger.rules.deadlines import WORK_OFF_PLAN_WINDOWS, work_off_plan_due
from ledger.rules.roles import Role

SEVERITIES = range(1, 6)
_WINDOW_SEVERITIES = {w.severity for w in WORK_OFF_PLAN_WINDOWS}


@dataclass(frozen=True)
class WorkOffItem:
    """One open Testing Issue in the plan. ``due`` is the §15.1 deadline (severity 3-5, once the
    plan is anchored to its TCC); ``tab_due`` a date the TAB set for a severity 1-2 item (A31)."""

    issue_id: str
    severity: int
    due: Deadline | None = None
    tab_due: date | None = None
    resolved_on: date | None = None
    retest_execution_ids: tuple[str, ...] = ()
    resolved_version: int | None = None


@dataclass(frozen=True)
class AtRisk:
    """§15.2: the person responsible became aware on ``aware_on`` that items will miss their date."""

    issue_ids: tuple[str, ...]
    aware_on: date
    version: int


@dataclass(frozen=True)
class CorrectionPlan:
    """§15.2: a correction plan presented to the TAB, and the TAB's decision on it, once made."""

    issue_ids: tuple[str, ...]
    document_sha256: str
    presented_on: date
    version: int
    approved: bool | None = None
    revoked_certificate_id: str | None = None
    decided_version: int | None = None


def fail(field: str, reason: str) -> InvalidWorkOffPlanEventError:
    return InvalidWorkOffPlanEventError(field, reason)


def deadline_from_json(data: dict[str, Any]) -> Deadline:
    """The ``Deadline`` a stored ``Deadline.as_json()`` describes."""
    return Deadline(
        date.fromisoformat(data["trigger"]), int(data["working_days"]), date.fromisoformat(data["due"]),
        datetime.fromisoformat(data["ends_at"]), str(data["convention"]),
    )


def _require_text(field: str, value: str | None, whose: str) -> str:
    if value is None or not value.strip():
        raise fail(field, f"{whose}: must be given and not empty")
    return value


def _require_sha256(field: str, value: str | None, whose: str) -> None:
    if value is not None and not SHA256_HEX.match(value):
        raise fail(field, f"{whose}: {value!r} is not a SHA-256 (64 lowercase hex digits)")


def _require_tab(field: str, context: dict[str, Any], whose: str) -> None:
    """A TAB act (§15.1, §15.2) is recorded by the TAB or on its behalf (evidence: RecordingContext)."""
    behalf, role = context.get("on_behalf_of"), context["actor"]["role"]
    if behalf is None and role != Role.TAB.value:
        raise fail(field, f"{whose}: a TAB decision recorded by a {role} needs on_behalf_of='tab' "
                   "and the evidence SHA-256")
    if behalf is not None and behalf != Role.TAB.value:
        raise fail(field, f"{whose}: this is the TAB's decision, not {behalf}'s (§15.1, §15.2)")


class WorkOffPlan(Aggregate):
    """The Work Off Plan of one Test Phase; its id derives from the phase id and the reference."""

    @classmethod
    def create_id(cls, phase_id: str, reference: str, **_: object) -> UUID:
        return uuid5(NAMESPACE_URL, f"akledger:work-off-plan:{phase_id}:{reference}")

    @classmethod
    def produce(
        cls, phase_id: str, reference: str, owner: str, items: Sequence[tuple[str, int]], **context: Any
    ) -> WorkOffPlan:
        """Produce the plan for ``phase_id`` documenting ``items`` (open issue id, severity), with
        ``owner`` the person responsible for implementing it (§15.2). Raises
        ``InvalidWorkOffPlanEventError``: phase_id, reference, owner, items."""
        whose = f"work off plan {reference!r} of phase {phase_id!r}"
        _require_text("phase_id", phase_id, whose)
        _require_text("reference", reference, whose)
        _require_text("owner", owner, whose)
        if not items:
            raise fail("items", f"{whose}: documents no open Testing Issue (§15.1)")
        seen: set[str] = set()
        for issue_id, severity in items:
            _require_text("items", issue_id, whose)
            if issue_id in seen:
                raise fail("items", f"{whose}: Testing Issue {issue_id!r} is listed twice")
            if isinstance(severity, bool) or severity not in SEVERITIES:
                raise fail("items", f"{whose}: Testing Issue {issue_id!r} has severity {severity!r}, not 1-5")
            seen.add(issue_id)
        return cls(
            phase_id=phase_id, reference=reference, owner=owner,
            items=[{"issue_id": i, "severity": s} for i, s in items],
            **{**context, "clauses": list(context.get("clauses") or ["15.1", "12.9(g)"])},
        )

    # -- commands -------------------------------------------------------------------------------
    def anchor_to_tcc(self, certificate_id: str, issued_on: date, **context: Any) -> None:
        """Compute the §15.1(a)-(c) due dates from the issuing of TCC ``certificate_id`` (recorded
        on the Test Phase). Raises: certificate_id (empty, or the plan is already anchored)."""
        self._require_open()
        _require_text("certificate_id", certificate_id, self.label)
        if self.certificate_id is not None:
            raise fail("certificate_id", f"{self.label} already runs from TCC {self.certificate_id!r}")
        dues = {
            item.issue_id: work_off_plan_due(issued_on, item.severity).as_json()
            for item in self.items.values() if item.severity in _WINDOW_SEVERITIES
        }
        self._anchored(certificate_id=certificate_id, issued_on=issued_on.isoformat(), dues=dues,
                       **citing(context, "15.1"))

    def set_tab_due_date(self, issue_id: str, due: date, **context: Any) -> None:
        """The TAB sets the date for a severity 1-2 item, for which §15.1 sets none (A31). Raises:
        issue_id (unknown, resolved, or severity 3-5: §15.1 fixes its date), actor."""
        item = self._open_item(issue_id)
        if item.severity in _WINDOW_SEVERITIES:
            raise fail("issue_id", f"{self.label}: {issue_id!r} is severity {item.severity}; §15.1 "
                       "fixes its date from the TCC")
        _require_tab("actor", context, self.label)
        self._tab_due_date_set(issue_id=issue_id, due=due.isoformat(), **citing(context, "15.1"))

    def approve(self, **context: Any) -> None:
        """The TAB approves the plan (§15.1). Raises: status (approved already), actor (not TAB)."""
        self._require_open()
        if self.approved_version is not None:
            raise fail("status", f"{self.label} was approved by the TAB already "
                       f"(event {self.approved_version})")
        _require_tab("actor", context, self.label)
        self._approved(**citing(context, "15.1"))

    def report_progress(self, summary: str, *, report_sha256: str | None = None, **context: Any) -> None:
        """The DCC reports progress in discharging the plan to the TAB (§15.2)."""
        self._require_open()
        _require_text("summary", summary, self.label)
        _require_sha256("report_sha256", report_sha256, self.label)
        self._progress_reported(summary=summary, report_sha256=report_sha256,
                                **citing(context, "15.2"))

    def identify_deadline_at_risk(self, issue_ids: Sequence[str], aware_on: date, **context: Any) -> None:
        """The person responsible became aware on ``aware_on`` that ``issue_ids`` will miss their
        timescales (§15.2). Raises: issue_ids (none, repeated, unknown or resolved)."""
        self._require_items(issue_ids)
        self._at_risk(issue_ids=list(issue_ids), aware_on=aware_on.isoformat(),
                      **citing(context, "15.2"))

    def present_correction_plan(
        self, issue_ids: Sequence[str], document_sha256: str, **context: Any
    ) -> None:
        """A correction plan for ``issue_ids`` is presented to the TAB for approval (§15.2).
        Raises: issue_ids, document_sha256."""
        self._require_items(issue_ids)
        _require_text("document_sha256", document_sha256, self.label)
        _require_sha256("document_sha256", document_sha256, self.label)
        self._correction_plan_presented(issue_ids=list(issue_ids), document_sha256=document_sha256,
                                        **citing(context, "15.2"))

    def decide_correction_plan(
        self, approved: bool, *, revoked_certificate_id: str | None = None, **context: Any
    ) -> None:
        """The TAB's decision on the last presented correction plan; ``revoked_certificate_id``
        references a TCC the TAB revoked pending its issues (§15.2; the revocation itself is
        recorded on the Test Phase). Raises: status (no undecided plan), actor (not TAB)."""
        if not self.correction_plans or self.correction_plans[-1].approved is not None:
            raise fail("status", f"{self.label} has no correction plan awaiting the TAB's decision")
        _require_tab("actor", context, self.label)
        if revoked_certificate_id is not None:
            _require_text("revoked_certificate_id", revoked_certificate_id, self.label)
        self._correction_plan_decided(approved=approved, revoked_certificate_id=revoked_certificate_id,
                                      **citing(context, "15.2"))

    def resolve_item(self, issue_id: str, retest_execution_ids: Sequence[str], **context: Any) -> None:
        """``issue_id`` is resolved on ``occurred_at``'s date, its tests re-run in
        ``retest_execution_ids`` (§12.9(h); none is recorded and flagged). Raises: issue_id."""
        self._open_item(issue_id)
        if len(set(retest_execution_ids)) != len(retest_execution_ids):
            raise fail("retest_execution_ids", f"{self.label}: {issue_id!r} lists an execution twice")
        self._item_resolved(issue_id=issue_id, retest_execution_ids=list(retest_execution_ids),
                            **citing(context, "15.2", "12.9(h)"))

    def complete(self, **context: Any) -> None:
        """Every item is resolved: the plan is completed (§12.9(h)). Raises: status."""
        self._require_open()
        unresolved = [i.issue_id for i in self.items.values() if i.resolved_on is None]
        if unresolved:
            raise fail("status", f"{self.label} still has unresolved items: {', '.join(unresolved)}")
        self._completed(**citing(context, "12.9(h)", "15.2"))

    # -- checks ---------------------------------------------------------------------------------
    def _require_open(self) -> None:
        if self.completed_version is not None:
            raise fail("status", f"{self.label} was completed (event {self.completed_version})")

    def _open_item(self, issue_id: str) -> WorkOffItem:
        self._require_open()
        item = self.items.get(issue_id)
        if item is None:
            raise fail("issue_id", f"{self.label} has no item for Testing Issue {issue_id!r} "
                       f"(items: {', '.join(self.items)})")
        if item.resolved_on is not None:
            raise fail("issue_id", f"{self.label}: Testing Issue {issue_id!r} was resolved already")
        return item

    def _require_items(self, issue_ids: Sequence[str]) -> None:
        if not issue_ids or len(set(issue_ids)) != len(issue_ids):
            raise fail("issue_ids", f"{self.label}: name each affected item once")
        for issue_id in issue_ids:
            try:
                self._open_item(issue_id)
            except InvalidWorkOffPlanEventError as exc:
                raise fail("issue_ids", exc.reason) from exc

    # -- events (apply only: no validation here, so old events always replay) -------------------
    @event("WorkOffPlanProduced")
    def __init__(
        self, phase_id: str, reference: str, owner: str, items: list[dict[str, Any]], occurred_at: str,
        actor: dict[str, str], clauses: list[str], on_behalf_of: str | None, evidence_sha256: str | None,
    ) -> None:
        self.phase_id, self.reference, self.owner = phase_id, reference, owner
        self.items = {i["issue_id"]: WorkOffItem(i["issue_id"], i["severity"]) for i in items}
        self.certificate_id: str | None = None
        self.tcc_issued_on: date | None = None
        self.approved_version: int | None = None
        self.progress_reports: list[int] = []
        self.at_risk: list[AtRisk] = []
        self.correction_plans: list[CorrectionPlan] = []
        self.completed_version: int | None = None

    @event("WorkOffPlanAnchoredToTcc")
    def _anchored(
        self, certificate_id: str, issued_on: str, dues: dict[str, dict[str, Any]], occurred_at: str,
        actor: dict[str, str], clauses: list[str], on_behalf_of: str | None, evidence_sha256: str | None,
    ) -> None:
        self.certificate_id, self.tcc_issued_on = certificate_id, date.fromisoformat(issued_on)
        for issue_id, due in dues.items():
            self.items[issue_id] = replace(self.items[issue_id], due=deadline_from_json(due))

    @event("WorkOffItemDueDateSetByTab")
    def _tab_due_date_set(
        self, issue_id: str, due: str, occurred_at: str, actor: dict[str, str], clauses: list[str],
        on_behalf_of: str | None, evidence_sha256: str | None,
    ) -> None:
        self.items[issue_id] = replace(self.items[issue_id], tab_due=date.fromisoformat(due))

    @event("WorkOffPlanApprovedByTab")
    def _approved(
        self, occurred_at: str, actor: dict[str, str], clauses: list[str], on_behalf_of: str | None,
        evidence_sha256: str | None,
    ) -> None:
        self.approved_version = self.version + 1

    @event("WorkOffProgressReportedToTab")
    def _progress_reported(
        self, summary: str, report_sha256: str | None, occurred_at: str, actor: dict[str, str],
        clauses: list[str], on_behalf_of: str | None, evidence_sha256: str | None,
    ) -> None:
        self.progress_reports.append(self.version + 1)

    @event("WorkOffDeadlineAtRiskIdentified")
    def _at_risk(
        self, issue_ids: list[str], aware_on: str, occurred_at: str, actor: dict[str, str],
        clauses: list[str], on_behalf_of: str | None, evidence_sha256: str | None,
    ) -> None:
        self.at_risk.append(AtRisk(tuple(issue_ids), date.fromisoformat(aware_on), self.version + 1))

    @event("CorrectionPlanPresentedToTab")
    def _correction_plan_presented(
        self, issue_ids: list[str], document_sha256: str, occurred_at: str, actor: dict[str, str],
        clauses: list[str], on_behalf_of: str | None, evidence_sha256: str | None,
    ) -> None:
        self.correction_plans.append(CorrectionPlan(
            tuple(issue_ids), document_sha256, datetime.fromisoformat(occurred_at).date(), self.version + 1))

    @event("CorrectionPlanDecidedByTab")
    def _correction_plan_decided(
        self, approved: bool, revoked_certificate_id: str | None, occurred_at: str, actor: dict[str, str],
        clauses: list[str], on_behalf_of: str | None, evidence_sha256: str | None,
    ) -> None:
        self.correction_plans[-1] = replace(
            self.correction_plans[-1], approved=approved, revoked_certificate_id=revoked_certificate_id,
            decided_version=self.version + 1)

    @event("WorkOffItemResolved")
    def _item_resolved(
        self, issue_id: str, retest_execution_ids: list[str], occurred_at: str, actor: dict[str, str],
        clauses: list[str], on_behalf_of: str | None, evidence_sha256: str | None,
    ) -> None:
        self.items[issue_id] = replace(
            self.items[issue_id], resolved_on=datetime.fromisoformat(occurred_at).date(),
            retest_execution_ids=tuple(retest_execution_ids), resolved_version=self.version + 1)

    @event("WorkOffPlanCompleted")
    def _completed(
        self, occurred_at: str, actor: dict[str, str], clauses: list[str], on_behalf_of: str | None,
        evidence_sha256: str | None,
    ) -> None:
        self.completed_version = self.version + 1

    # -- queries --------------------------------------------------------------------------------
    @property
    def label(self) -> str:
        """The plan in words, for messages: ``work off plan <id> ('WOP-1', phase <phase id>)``."""
        return f"work off plan {self.id} ({self.reference!r}, phase {self.phase_id})"

    def event_id(self, version: int) -> str:
        """The id of this plan's event ``version``, as the API reports it."""
        return f"{self.id}:{version}"




WorkOffPlanProduced = WorkOffPlan.WorkOffPlanProduced  # type: ignore[attr-defined]
WorkOffPlanAnchoredToTcc = WorkOffPlan.WorkOffPlanAnchoredToTcc  # type: ignore[attr-defined]
WorkOffItemDueDateSetByTab = WorkOffPlan.WorkOffItemDueDateSetByTab  # type: ignore[attr-defined]
WorkOffPlanApprovedByTab = WorkOffPlan.WorkOffPlanApprovedByTab  # type: ignore[attr-defined]
WorkOffProgressReportedToTab = WorkOffPlan.WorkOffProgressReportedToTab  # type: ignore[attr-defined]
WorkOffDeadlineAtRiskIdentified = WorkOffPlan.WorkOffDeadlineAtRiskIdentified  # type: ignore[attr-defined]
CorrectionPlanPresentedToTab = WorkOffPlan.CorrectionPlanPresentedToTab  # type: ignore[attr-defined]
CorrectionPlanDecidedByTab = WorkOffPlan.CorrectionPlanDecidedByTab  # type: ignore[attr-defined]
WorkOffItemResolved = WorkOffPlan.WorkOffItemResolved  # type: ignore[attr-defined]
WorkOffPlanCompleted = WorkOffPlan.WorkOffPlanCompleted  # type: ignore[attr-defined]
