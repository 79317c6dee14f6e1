"""DMC selection and de-selection for testing, per Capability Release and Test Phase (§13.1-13.12).

Catalogue 3.4 D1-D14, routes R9-R12. Supplier Parties provide device information the DCC requests
(§13.1(a)-(f)); the DCC discusses its proposals (§13.3) and selects the DMCs to start testing
with (§13.3-13.4), which starts a Supplier Party's 10 Working Day referral window (R9). Where a
Testing Issue needs action on a selected DMC (§13.5(a)) or the DMC cannot be obtained (§13.5(b)),
the DCC consults the TAG, then decides and notifies the de-selection (§13.6), which starts another
10 WD window (R10). Pending the SoS's determination of a referral, the SoS says whether testing
continues with the DMC (§13.7); if it determines the DMC should not be omitted, the DCC shall not
de-select it (§13.8). For an unobtainable DMC the DCC recommends an alternative (§13.9). The FOC
SMETS1 ESME and MOC Secure Meters Device Models are the DCC's choice, outside §13.4-13.9 (§13.10-
13.12, R12). Referrals themselves are ``Matter``s (``ledger.matters``): this aggregate only
references a matter id where the SoS's instruction or determination is recorded.

Structural rules (``InvalidDmcSelectionEventError`` naming the field; nothing is written): phase,
supplier, DMC, model names given; §13.1 items among (a)-(f); evidence hashes well formed; a DMC
selected only when not already selected; TAG consultation, de-selection, SoS instruction and
determination name a DMC selected at some point (de-selection: currently selected); a §13.5(a)
de-selection names its Testing Issue; an SoS act is the SoS's (on its behalf, with evidence); a
§13.9 recommendation only for a DMC whose §13.5(b) case is recorded; a model choice only for the
component its Capability Release has (FOC ESME, MOC Secure Meters).

Compliance (flagged by ``ledger.findings.dmc_selection``): de-selection without a TAG consultation
(§13.5); a DMC left de-selected, or de-selected again, after the SoS determined it should not be
omitted (§13.8).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from ledger.calendar import deadline
from ledger.context import citing
from ledger.document_values import SHA256_HEX
from ledger.errors import InvalidDmcSelectionEventError
from ledger.rules.phase_kinds import OperatingCapability
from ledger.rules.roles import Role
from ledger.rules.routes import route

INFORMATION_ITEMS = ("a", "b", "c", "d", "e", "f")  # §13.1(a)-(f)


class DeselectionCase(StrEnum):
    """Why de-selection is considered (§13.5)."""

    TESTING_ISSUE_ACTION = "13.5(a)"  # resolution requires action on the DMC; testing not to wait
    UNOBTAINABLE = "13.5(b)"  # the DCC cannot obtain the DMC despite all reasonable steps


class VariableComponent(StrEnum):
    """The Device Models the DCC chooses and varies alone (§13.10(a)/(b))."""

    FOC_ESME = "foc_esme"
    MOC_SECURE_METERS = "moc_secure_meters"


_COMPONENT_RELEASE = {
    VariableComponent.FOC_ESME: OperatingCapability.FOC,
    VariableComponent.MOC_SECURE_METERS: OperatingCapability.MOC,
}


@dataclass(frozen=True)
class DmcAct:
    """One recorded act on one DMC: ``kind`` is the event name; ``detail`` its distinguishing value
    (case, instruction or determination as text)."""

    kind: str
    dmc: str
    version: int
    detail: str | None = None
    matter_id: str | None = None


def fail(field: str, reason: str) -> InvalidDmcSelectionEventError:
    return InvalidDmcSelectionEventError(field, reason)


def _require_text(field: str, value: str | None, whose: str) -> str:
    if value is None or not value.strip():
        raise fail(field, f"{whose}: must be given and not empty")
    return value


def _require_sha256(field: str, value: str | None, whose: str) -> None:
    if value is not None and not SHA256_HEX.match(value):
        raise fail(field, f"{whose}: {value!r} is not a SHA-256 (64 lowercase hex digits)")


def _require_names(field: str, values: Sequence[str], whose: str) -> list[str]:
    if not values or any(not v.strip() for v in values) or len(set(values)) != len(values):
        raise fail(field, f"{whose}: name at least one, each once and not empty")
    return list(values)


def _require_sos(context: dict[str, Any], whose: str) -> None:
    behalf, role = context.get("on_behalf_of"), context["actor"]["role"]
    if (behalf or role) != Role.SOS.value:
        raise fail("actor", f"{whose}: this is the SoS's act (§13.7, §13.8); record it on behalf of "
                   "sos with the evidence SHA-256")


class DmcSelection(Aggregate):
    """DMC selection for one Test Phase of one Capability Release; id from both."""

    @classmethod
    def create_id(cls, capability: str, phase_id: str, **_: object) -> UUID:
        return uuid5(NAMESPACE_URL, f"akledger:dmc-selection:{capability}:{phase_id}")

    @classmethod
    def open(cls, capability: OperatingCapability | str, phase_id: str, **context: Any) -> DmcSelection:
        """Open the selection record for ``phase_id``. Raises: capability, phase_id."""
        try:
            release = OperatingCapability(capability)
        except ValueError:
            raise fail("capability", f"{capability!r} is not IOC, MOC or FOC") from None
        _require_text("phase_id", phase_id, f"DMC selection for {release.value}")
        return cls(capability=release.value, phase_id=phase_id, **citing(context, "13.3"))

    # -- commands -------------------------------------------------------------------------------
    def request_device_information(self, supplier: str, items: Sequence[str], **context: Any) -> None:
        """The DCC requests §13.1 ``items`` (letters a-f) from ``supplier``."""
        letters = self._information_items(supplier, items)
        self._information_requested(supplier=supplier, items=letters, **citing(context, "13.1"))

    def provide_device_information(
        self, supplier: str, items: Sequence[str], document_sha256: str, **context: Any
    ) -> None:
        """``supplier`` provides §13.1 ``items`` ((f): device changes) in ``document_sha256``."""
        letters = self._information_items(supplier, items)
        _require_text("document_sha256", document_sha256, self.label)
        _require_sha256("document_sha256", document_sha256, self.label)
        self._information_provided(supplier=supplier, items=letters, document_sha256=document_sha256,
                                   **citing(context, "13.1"))

    def discuss_proposal(self, stakeholders: Sequence[str], rationale: str, **context: Any) -> None:
        """The DCC discussed its proposed DMCs and their rationale with stakeholders (§13.3)."""
        names = _require_names("stakeholders", stakeholders, self.label)
        _require_text("rationale", rationale, self.label)
        self._proposal_discussed(stakeholders=names, rationale=rationale, **citing(context, "13.3"))

    def select(self, dmcs: Sequence[str], decided_on: date, rationale: str, **context: Any) -> None:
        """The DCC decides the DMCs to start testing with and notifies Supplier Parties (§13.3-13.4);
        the R9 referral window runs from ``decided_on``. Raises: dmcs (empty, repeated, selected)."""
        names = _require_names("dmcs", dmcs, self.label)
        taken = [d for d in names if d in self.selected]
        if taken:
            raise fail("dmcs", f"{self.label}: already selected: {', '.join(taken)}")
        _require_text("rationale", rationale, self.label)
        window = route("R9").window
        assert window is not None  # R9 sets 10 WD (§13.4)
        self._selected(dmcs=names, decided_on=decided_on.isoformat(), rationale=rationale,
                       referral_deadline=deadline(decided_on, window.working_days).as_json(),
                       **citing(context, "13.3", "13.4"))

    def consult_tag_on_deselection(
        self, dmc: str, case: DeselectionCase | str, *, testing_issue_id: str | None = None, **context: Any
    ) -> None:
        """The DCC consults the TAG, anonymised and redacted where appropriate (§13.5)."""
        which = self._case(dmc, case, testing_issue_id, must_be_selected=True)
        self._tag_consulted(dmc=dmc, case=which.value, testing_issue_id=testing_issue_id,
                            **citing(context, "13.5"))

    def deselect(
        self, dmc: str, case: DeselectionCase | str, decided_on: date, *,
        testing_issue_id: str | None = None, **context: Any,
    ) -> None:
        """The DCC de-selects ``dmc`` and notifies the TAG and Supplier Parties (§13.6); the R10
        referral window runs from ``decided_on``. Without a TAG consultation it is recorded and
        flagged (§13.5). Raises: dmc (not currently selected), case, testing_issue_id."""
        which = self._case(dmc, case, testing_issue_id, must_be_selected=True)
        window = route("R10").window
        assert window is not None  # R10 sets 10 WD (§13.7)
        self._deselected(dmc=dmc, case=which.value, testing_issue_id=testing_issue_id,
                         decided_on=decided_on.isoformat(),
                         referral_deadline=deadline(decided_on, window.working_days).as_json(),
                         **citing(context, "13.6"))

    def record_sos_instruction(
        self, dmc: str, continue_testing: bool, matter_id: str, **context: Any
    ) -> None:
        """The SoS tells the DCC whether to continue testing with ``dmc`` pending its determination
        of the referral ``matter_id`` (§13.7). Raises: dmc, matter_id, actor."""
        self._sos_act(dmc, matter_id, context)
        self._sos_instructed(dmc=dmc, continue_testing=continue_testing, matter_id=matter_id,
                             **citing(context, "13.7"))

    def record_sos_determination(self, dmc: str, omit: bool, matter_id: str, **context: Any) -> None:
        """The SoS determines whether ``dmc`` is omitted from testing (§13.7-13.8; final, R10)."""
        self._sos_act(dmc, matter_id, context)
        self._sos_determined(dmc=dmc, omit=omit, matter_id=matter_id, **citing(context, "13.8"))

    def recommend_alternative(
        self, dmc: str, recommendation: str, document_sha256: str, **context: Any
    ) -> None:
        """For an unobtainable ``dmc`` the DCC recommends an alternative course to the SoS (§13.9).
        Raises: dmc (no §13.5(b) case recorded), recommendation, document_sha256."""
        unobtainable = DeselectionCase.UNOBTAINABLE.value
        if not any(a.dmc == dmc and a.detail == unobtainable for a in self.acts):
            raise fail("dmc", f"{self.label}: no §13.5(b) case (unobtainable) is recorded for {dmc!r}")
        _require_text("recommendation", recommendation, self.label)
        _require_sha256("document_sha256", document_sha256, self.label)
        self._alternative_recommended(dmc=dmc, recommendation=recommendation,
                                      document_sha256=document_sha256, **citing(context, "13.9"))

    def choose_device_models(
        self, component: VariableComponent | str, models: Sequence[str], rationale: str, *,
        weekly_report_sha256: str | None = None, **context: Any,
    ) -> None:
        """The DCC chooses or changes the FOC ESME / MOC Secure Meters Device Models, notified via
        the §16.1 weekly report (§13.10-13.11). Raises: component (not this release's), models."""
        try:
            which = VariableComponent(component)
        except ValueError:
            raise fail("component", f"{self.label}: {component!r} is not a §13.10 component "
                       "(foc_esme, moc_secure_meters)") from None
        if _COMPONENT_RELEASE[which] is not self.capability:
            raise fail("component", f"{self.label}: {which.value} is varied only for "
                       f"{_COMPONENT_RELEASE[which].value} (§13.10)")
        names = _require_names("models", models, self.label)
        _require_text("rationale", rationale, self.label)
        _require_sha256("weekly_report_sha256", weekly_report_sha256, self.label)
        self._models_chosen(component=which.value, models=names, rationale=rationale,
                            weekly_report_sha256=weekly_report_sha256,
                            **citing(context, "13.10", "13.11"))

    # -- checks ---------------------------------------------------------------------------------
    def _information_items(self, supplier: str, items: Sequence[str]) -> list[str]:
        _require_text("supplier", supplier, self.label)
        letters = _require_names("items", items, self.label)
        unknown = [i for i in letters if i not in INFORMATION_ITEMS]
        if unknown:
            raise fail("items", f"{self.label}: {', '.join(unknown)} not among §13.1(a)-(f)")
        return letters

    def _case(
        self, dmc: str, case: DeselectionCase | str, testing_issue_id: str | None, *, must_be_selected: bool
    ) -> DeselectionCase:
        if must_be_selected and dmc not in self.selected:
            raise fail("dmc", f"{self.label}: {dmc!r} is not a selected DMC (selected: "
                       f"{', '.join(self.selected) or 'none'})")
        try:
            which = DeselectionCase(case)
        except ValueError:
            raise fail("case", f"{self.label}: {case!r} is not 13.5(a) or 13.5(b)") from None
        if which is DeselectionCase.TESTING_ISSUE_ACTION:
            _require_text("testing_issue_id", testing_issue_id, f"{self.label}: a §13.5(a) case")
        return which

    def _sos_act(self, dmc: str, matter_id: str, context: dict[str, Any]) -> None:
        if not any(a.dmc == dmc and a.kind == "DmcDeselected" for a in self.acts):
            raise fail("dmc", f"{self.label}: {dmc!r} has not been de-selected")
        _require_text("matter_id", matter_id, self.label)
        _require_sos(context, self.label)

    # -- events (apply only: no validation here, so old events always replay) -------------------
    @event("DmcSelectionOpened")
    def __init__(
        self, capability: str, phase_id: str, occurred_at: str, actor: dict[str, str], clauses: list[str],
        on_behalf_of: str | None, evidence_sha256: str | None,
    ) -> None:
        self.capability, self.phase_id = OperatingCapability(capability), phase_id
        self.selected: dict[str, int] = {}
        self.acts: list[DmcAct] = []
        self.information: list[tuple[str, str, tuple[str, ...], int]] = []
        self.device_models: dict[str, tuple[str, ...]] = {}

    @event("SupplierDeviceInformationRequested")
    def _information_requested(self, supplier: str, items: list[str],
        occurred_at: str, actor: dict[str, str], clauses: list[str], on_behalf_of: str | None,
        evidence_sha256: str | None,
    ) -> None:
        self.information.append(("requested", supplier, tuple(items), self.version + 1))

    @event("SupplierDeviceInformationProvided")
    def _information_provided(self, supplier: str, items: list[str], document_sha256: str,
        occurred_at: str, actor: dict[str, str], clauses: list[str], on_behalf_of: str | None,
        evidence_sha256: str | None,
    ) -> None:
        self.information.append(("provided", supplier, tuple(items), self.version + 1))

    @event("DmcSelectionProposalDiscussed")
    def _proposal_discussed(self, stakeholders: list[str], rationale: str,
        occurred_at: str, actor: dict[str, str], clauses: list[str], on_behalf_of: str | None,
        evidence_sha256: str | None,
    ) -> None:
        pass

    @event("DmcsSelected")
    def _selected(
        self, dmcs: list[str], decided_on: str, rationale: str, referral_deadline: dict[str, Any],
        occurred_at: str, actor: dict[str, str], clauses: list[str], on_behalf_of: str | None,
        evidence_sha256: str | None,
    ) -> None:
        for dmc in dmcs:
            self.selected[dmc] = self.version + 1
            self.acts.append(DmcAct("DmcsSelected", dmc, self.version + 1))

    @event("TagConsultedOnDeselection")
    def _tag_consulted(self, dmc: str, case: str, testing_issue_id: str | None,
        occurred_at: str, actor: dict[str, str], clauses: list[str], on_behalf_of: str | None,
        evidence_sha256: str | None,
    ) -> None:
        self.acts.append(DmcAct("TagConsultedOnDeselection", dmc, self.version + 1, case))

    @event("DmcDeselected")
    def _deselected(
        self, dmc: str, case: str, testing_issue_id: str | None, decided_on: str,
        referral_deadline: dict[str, Any],
        occurred_at: str, actor: dict[str, str], clauses: list[str], on_behalf_of: str | None,
        evidence_sha256: str | None,
    ) -> None:
        self.selected.pop(dmc, None)
        self.acts.append(DmcAct("DmcDeselected", dmc, self.version + 1, case))

    @event("SosContinueTestingInstructed")
    def _sos_instructed(self, dmc: str, continue_testing: bool, matter_id: str,
        occurred_at: str, actor: dict[str, str], clauses: list[str], on_behalf_of: str | None,
        evidence_sha256: str | None,
    ) -> None:
        self.acts.append(DmcAct("SosContinueTestingInstructed", dmc, self.version + 1,
                                "continue" if continue_testing else "pause", matter_id))

    @event("SosDeselectionDetermined")
    def _sos_determined(self, dmc: str, omit: bool, matter_id: str,
        occurred_at: str, actor: dict[str, str], clauses: list[str], on_behalf_of: str | None,
        evidence_sha256: str | None,
    ) -> None:
        self.acts.append(DmcAct("SosDeselectionDetermined", dmc, self.version + 1,
                                "omit" if omit else "not_omit", matter_id))

    @event("AlternativeCourseRecommendedToSos")
    def _alternative_recommended(self, dmc: str, recommendation: str, document_sha256: str,
        occurred_at: str, actor: dict[str, str], clauses: list[str], on_behalf_of: str | None,
        evidence_sha256: str | None,
    ) -> None:
        self.acts.append(DmcAct("AlternativeCourseRecommendedToSos", dmc, self.version + 1))

    @event("DeviceModelsChosen")
    def _models_chosen(
        self, component: str, models: list[str], rationale: str, weekly_report_sha256: str | None,
        occurred_at: str, actor: dict[str, str], clauses: list[str], on_behalf_of: str | None,
        evidence_sha256: str | None,
    ) -> None:
        self.device_models[component] = tuple(models)

    # -- queries --------------------------------------------------------------------------------
    @property
    def label(self) -> str:
        return f"DMC selection {self.id} ({self.capability.value}, phase {self.phase_id})"

    def event_id(self, version: int) -> str:
        return f"{self.id}:{version}"


