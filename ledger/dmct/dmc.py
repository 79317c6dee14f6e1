"""A DMC in the DMCT Process (§20.2-20.12A, §20.19, §20.25; catalogue 3.8 M2-M21, 8.1 S00-S14, S20-S23).

One aggregate per DMC id (uuid5 ``akledger:dmct-dmc:{dmc_id}``). A DMC may be in several Supplier
Parties' submissions: each is recorded, and they are who the §20.5 and §20.11 notices go to and
who may disagree under §20.12 (A54). Its status follows ``ledger.rules.dmct_statuses``: submitted
(§20.2-20.3) -> data sourced (§20.4) or excluded (§20.5) -> assessed (§20.6(a)-(f)) -> excluded
and notified (§20.11), proposed as not economic (§20.7), or scheduled (§20.9: S14, its planned
EPCL entries then carry on as ``ledger.dmct.entry.DmctEntry``). Supplier disagreements (§20.12)
run per Supplier from that Supplier's §20.11 notice date (A40; 20 Working Days, stored with the
notice); the referrals of R23-R25 may name their ``Matter`` (``matter_id``). Option (c) device
changes and relief for insufficient devices (§20.25, §20.19) are recorded here as they end or
suspend the DMC's process; a later submission (with evidence, for a configuration change) brings
it back to S00.

Structural rules (``InvalidDmctEventError`` naming the field; nothing is written): the command is
allowed from the status; names and lists given and distinct; a Supplier named by a notice or a
disagreement included the DMC; a Supplier is notified once per assessment; a disagreement fits
the assessment ((d): equivalence; (c) or A33: timescale), once per Supplier; a referral follows
the disagreement it refers; (d) names its sub-basis and equivalent, no other result does.
Compliance (late disagreements, missing notices or rationale, proposals without stakeholder
views) is flagged by ``ledger.dmct.findings``.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any, ClassVar
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from ledger.dmct import dmc_events as ev
from ledger.dmct.dmc_events import Assessment, DataStep, Disagreement, DmcAct, ExclusionNotice, Submission
from ledger.dmct.lifecycle import DmctEvent, DmctLifecycle
from ledger.dmct.values import (
    DISAGREEMENT_WINDOW,
    DISPUTABLE,
    AssessmentResult,
    DataSource,
    DeviceChange,
    DisagreementGround,
    EquivalenceBasis,
    fail,
    optional_sha256,
    optional_text,
    require_bool,
    require_date,
    require_enum,
    require_names,
    require_positive,
    require_recipients,
    require_text,
    stamp,
    window,
)
from ledger.rules.dmct_statuses import DmctCommand, DmctLevel, DmctStatus

_C = DmctCommand
_CYCLE = re.compile(r"^[0-9]{4}-(0[1-9]|1[0-2])$")
_GROUND = {AssessmentResult.D: DisagreementGround.EQUIVALENCE,
           AssessmentResult.C: DisagreementGround.TIMESCALE,
           AssessmentResult.DATES_UNCERTAIN: DisagreementGround.TIMESCALE}


def _submission(supplier: str, submission_ref: str, cycle: str, unchanged_from: str | None,
                planned_installations: int | None, contacts: list[str] | None, whose: str) -> dict[str, Any]:
    if not isinstance(cycle, str) or not _CYCLE.match(cycle):
        raise fail("cycle", f"{whose}: {cycle!r} is not a §20.2 submission month (YYYY-MM)")
    return {
        "supplier": require_text("supplier", supplier, whose),
        "submission_ref": require_text("submission_ref", submission_ref, whose),
        "cycle": cycle, "unchanged_from": optional_text("unchanged_from", unchanged_from, whose),
        "planned_installations": None if planned_installations is None else require_positive(
            "planned_installations", planned_installations, whose),
        "contacts": require_names("contacts", contacts or [], whose, required=False),
    }


class DmctDmc(DmctLifecycle, Aggregate):
    """One DMC in the DMCT Process; its id derives from the DMC id."""

    UNIT: ClassVar[DmctLevel] = DmctLevel.DMC

    @classmethod
    def create_id(cls, dmc_id: str, **_: object) -> UUID:
        return uuid5(NAMESPACE_URL, f"akledger:dmct-dmc:{dmc_id}")

    @classmethod
    def receive_submission(
        cls, dmc_id: str, supplier: str, submission_ref: str, cycle: str, *,
        unchanged_from: str | None = None,
        planned_installations: int | None = None, contacts: list[str] | None = None, **context: Any,
    ) -> DmctDmc:
        """A Supplier Party's §20.2 submission for ``cycle`` (YYYY-MM) includes the DMC, or (with
        ``unchanged_from``, its earlier submission) it confirms the data unaltered (§20.3).
        Raises ``InvalidDmctEventError``: dmc_id, supplier, submission_ref, cycle, contacts."""
        whose = f"DMCT DMC {dmc_id!r}"
        require_text("dmc_id", dmc_id, whose)
        data = _submission(supplier, submission_ref, cycle, unchanged_from, planned_installations, contacts,
                           whose)
        default = ("20.3",) if unchanged_from is not None else ("20.2",)
        return cls(dmc_id=dmc_id, **data, **{**context, "clauses": list(context.get("clauses") or default)})

    # -- submissions and data (§20.2-20.5) ----------------------------------------------------------
    def record_submission(
        self, supplier: str, submission_ref: str, cycle: str, *, unchanged_from: str | None = None,
        planned_installations: int | None = None, contacts: list[str] | None = None,
        config_evidence_sha256: str | None = None, **context: Any,
    ) -> None:
        """A later submission (or §20.3 confirmation) includes the DMC: another Supplier's, or one
        that brings an excluded DMC back (S02, S08, S23; S21/S22 with the SHA-256 of the evidence
        that the configuration change is or will be applied, §20.25(b)(c))."""
        self._allow(_C.RECORD_SUBMISSION)
        data = _submission(supplier, submission_ref, cycle, unchanged_from, planned_installations, contacts,
                           self.label)
        evidence = optional_sha256("config_evidence_sha256", config_evidence_sha256, self.label)
        self._transit(_C.RECORD_SUBMISSION, ev.SupplierSubmissionRecorded, context,
                      case="plain" if evidence is None else "config_evidence",
                      config_evidence_sha256=evidence,
                      **data)

    def seek_data(self, source: DataSource | str, source_name: str, items: list[str], **context: Any) -> None:
        """The DCC seeks ``items`` the Supplier could not provide from a Meter Manufacturer or an
        SMSO (§20.4)."""
        self._data(_C.SEEK_DATA, ev.DmctDataSought, source, source_name, items, False, context)

    def record_data_sourced(
        self, source: DataSource | str, source_name: str, items: list[str], *,
        dormant_meter_data: bool = False,
        **context: Any,
    ) -> None:
        """The DCC obtained ``items`` (with ``dormant_meter_data``: from the SMETS1 SMSO, §20.4)."""
        self._data(_C.RECORD_DATA_SOURCED, ev.DmctDataSourced, source, source_name, items, dormant_meter_data,
                   context)

    def exclude_data_unavailable(self, missing: list[str], notified_suppliers: list[str],
                                 **context: Any) -> None:
        """The DCC cannot source ``missing`` and excludes the DMC, notifying the Suppliers that
        included it (§20.5). Raises: missing, notified_suppliers (one that did not include it)."""
        self._allow(_C.EXCLUDE_DATA_UNAVAILABLE)
        gaps = require_names("missing", missing, self.label)
        told = self._submitters("notified_suppliers", notified_suppliers, required=False)
        self._transit(_C.EXCLUDE_DATA_UNAVAILABLE, ev.DmcExcludedDataUnavailable, context, parties=told,
                      detail={"missing": gaps}, matter_id=None)

    def begin_assessment(self, **context: Any) -> None:
        """All the data is held (§20.6), or, from S06, dates can now be scheduled with confidence."""
        self._allow(_C.BEGIN_ASSESSMENT)
        self._transit(_C.BEGIN_ASSESSMENT, ev.DmcAssessmentBegun, context, parties=[], detail={},
                      matter_id=None)

    # -- assessment and exclusion (§20.6-20.7, §20.11) ---------------------------------------------
    def record_assessment(
        self, result: AssessmentResult | str, *, rationale: str | None = None,
        equivalence_basis: EquivalenceBasis | str | None = None, equivalent_to: str | None = None,
        **context: Any,
    ) -> None:
        """The §20.6 result. (d) names ``equivalence_basis`` (d(i)/(ii)/(iii)) and the DMC or entry
        it is ``equivalent_to``; no other result does. Raises: result, equivalence_basis, equivalent_to."""
        self._allow(_C.RECORD_ASSESSMENT)
        which = require_enum(AssessmentResult, "result", result, self.label)
        basis: str | None = None
        if which is AssessmentResult.D:
            basis = require_enum(EquivalenceBasis, "equivalence_basis", equivalence_basis, self.label).value
            require_text("equivalent_to", equivalent_to, self.label)
        elif equivalence_basis is not None or equivalent_to is not None:
            raise self._refuse("equivalence_basis",
                               f"only a §20.6(d) result names an equivalent, not {which.value}")
        self._transit(_C.RECORD_ASSESSMENT, ev.DmcAssessed, context, case=which.value, result=which.value,
                      equivalence_basis=basis, equivalent_to=equivalent_to,
                      rationale=optional_text("rationale", rationale, self.label))

    def seek_non_economic_views(self, stakeholders: list[str], rationale: str, **context: Any) -> None:
        """The DCC discusses its view that testing is not economic, and why, with stakeholders (§20.7)."""
        self._allow(_C.SEEK_NON_ECONOMIC_VIEWS)
        self._transit(_C.SEEK_NON_ECONOMIC_VIEWS, ev.NonEconomicViewsSought, context,
                      parties=require_names("stakeholders", stakeholders, self.label),
                      detail={"rationale": require_text("rationale", rationale, self.label)}, matter_id=None)

    def propose_non_economic(
        self, stakeholder_views: list[str], *, matter_id: str | None = None, **context: Any
    ) -> None:
        """The DCC proposes to the SoS that the DMC is not tested, with the views received
        (§20.7; route R23). Raises: status (the latest assessment is not §20.6(f))."""
        self._allow(_C.PROPOSE_NON_ECONOMIC)
        if self.assessment is None or self.assessment.result is not AssessmentResult.F:
            raise self._refuse("status", "only a DMC assessed under §20.6(f) is proposed as not economic")
        views = require_names("stakeholder_views", stakeholder_views, self.label, required=False)
        self._transit(_C.PROPOSE_NON_ECONOMIC, ev.NonEconomicProposedToSos, context, parties=[],
                      detail={"stakeholder_views": views},
                      matter_id=optional_text("matter_id", matter_id, self.label))

    def record_sos_non_economic_decision(self, agrees: bool, **context: Any) -> None:
        """The SoS's final decision: agrees (excluded) or not (the DMC continues) (§20.7)."""
        self._allow(_C.RECORD_SOS_NON_ECONOMIC_DECISION)
        said = require_bool("agrees", agrees, self.label)
        self._transit(_C.RECORD_SOS_NON_ECONOMIC_DECISION, ev.SosNonEconomicDecisionRecorded, context,
                      case="agrees" if said else "disagrees", parties=[], detail={"agrees": said},
                      matter_id=None)

    def notify_exclusion(
        self, suppliers: list[str], notified_on: date, *, rationale: str | None = None,
        published_on: date | None = None, **context: Any,
    ) -> None:
        """The §20.11 notice, given to ``suppliers`` on ``notified_on`` (and published on the DCC
        Website on ``published_on``): for (c), (d) and A33 it starts each Supplier's 20 Working
        Day §20.12 window (A40). Raises: suppliers (not a submitter, or notified already)."""
        self._allow(_C.NOTIFY_EXCLUSION)
        told = self._submitters("suppliers", suppliers)
        day = require_date("notified_on", notified_on, self.label)
        published = None if published_on is None else require_date("published_on", published_on, self.label)
        assessment = self.assessment
        assert assessment is not None  # S04-S08 are reached by an assessment
        already = sorted(set(told) & {n.supplier for n in self.current_notices})
        if already:
            raise self._refuse("suppliers", f"{', '.join(already)} already notified of this exclusion")
        disputable = assessment.result in DISPUTABLE
        self._transit(_C.NOTIFY_EXCLUSION, ev.ExclusionNotified, context, suppliers=told,
                      notified_on=day.isoformat(), reason=assessment.result.value,
                      rationale=optional_text("rationale", rationale, self.label),
                      published_on=None if published is None else published.isoformat(),
                      deadlines={s: window(day, DISAGREEMENT_WINDOW) for s in told} if disputable else {},
                      assessment_version=assessment.version)

    # -- Supplier disagreements and referrals (§20.12, §20.12A) -------------------------------------
    def record_supplier_disagreement(
        self, supplier: str, ground: DisagreementGround | str, rationale: str, *,
        matter_id: str | None = None,
        **context: Any,
    ) -> None:
        """A Supplier Party that included the DMC disagrees (§20.12(a) equivalence, (b) timescale),
        with its rationale; ``matter_id`` its R24/R25 matter. A late one is recorded and flagged.
        Raises: supplier (not a submitter, or disagreed already), ground (not this assessment's)."""
        self._allow(_C.RECORD_SUPPLIER_DISAGREEMENT)
        who = self._submitters("supplier", [supplier])[0]
        which = require_enum(DisagreementGround, "ground", ground, self.label)
        result = None if self.assessment is None else self.assessment.result
        if result is None or _GROUND.get(result) is not which:
            found = "none" if result is None else result.value
            raise self._refuse("ground", f"{which.value} does not fit the assessment ({found}): (d) is "
                               "disputed on equivalence, (c) on timescale")
        if any(d.supplier == who for d in self.current_disagreements):
            raise self._refuse("supplier", f"{who} has already disagreed with this assessment")
        notice = next((n for n in self.current_notices if n.supplier == who), None)
        limit = None if notice is None or notice.deadline is None else notice.deadline.as_json()
        self._transit(_C.RECORD_SUPPLIER_DISAGREEMENT, ev.SupplierDisagreementRecorded, context,
                      case=which.value, supplier=who, ground=which.value,
                      rationale=require_text("rationale", rationale, self.label),
                      matter_id=optional_text("matter_id", matter_id, self.label), deadline=limit)

    def refer_timescale_dispute(self, *, matter_id: str | None = None, **context: Any) -> None:
        """The DCC refers a Supplier's §20.12(b) disagreement to the SoS (route R25). Raises: status."""
        self._allow(_C.REFER_TIMESCALE_DISPUTE)
        self._require_disagreement(DisagreementGround.TIMESCALE)
        self._transit(_C.REFER_TIMESCALE_DISPUTE, ev.TimescaleDisputeReferredToSos, context, parties=[],
                      detail={},
                      matter_id=optional_text("matter_id", matter_id, self.label))

    def record_sos_timescale_decision(self, directs_scheduling: bool, **context: Any) -> None:
        """Whether the SoS directs the DCC to schedule testing (§20.12(b))."""
        self._allow(_C.RECORD_SOS_TIMESCALE_DECISION)
        directs = require_bool("directs_scheduling", directs_scheduling, self.label)
        self._transit(_C.RECORD_SOS_TIMESCALE_DECISION, ev.SosTimescaleDecisionRecorded, context,
                      case="schedule" if directs else "not_schedule", parties=[],
                      detail={"directs_scheduling": directs}, matter_id=None)

    def schedule_entries(self, entry_ids: list[str], **context: Any) -> None:
        """Planned EPCL entries of the DMC go into the DMCT Schedule (§20.9; after a §20.12(a)
        disagreement the DCC must). Raises: entry_ids (scheduled already)."""
        self._allow(_C.SCHEDULE_ENTRIES)
        ids = require_names("entry_ids", entry_ids, self.label)
        if again := sorted(set(ids) & set(self.entry_ids)):
            raise self._refuse("entry_ids", f"{', '.join(again)} scheduled already")
        self._transit(_C.SCHEDULE_ENTRIES, ev.DmcEntriesScheduled, context, entry_ids=ids)

    def refer_forced_inclusion(
        self, rationale: str, notified_suppliers: list[str], *, matter_id: str | None = None, **context: Any
    ) -> None:
        """The DCC, still of the §20.6(d) view, refers testing included under §20.12(a) to the SoS
        and tells the Suppliers that included the DMC why (§20.12A; R24). Raises: status."""
        self._allow(_C.REFER_FORCED_INCLUSION)
        self._require_disagreement(DisagreementGround.EQUIVALENCE)
        told = self._submitters("notified_suppliers", notified_suppliers, required=False)
        self._transit(_C.REFER_FORCED_INCLUSION, ev.ForcedInclusionReferredToSos, context, parties=told,
                      detail={"rationale": require_text("rationale", rationale, self.label)},
                      matter_id=optional_text("matter_id", matter_id, self.label))

    def record_sos_forced_inclusion_decision(self, removal_directed: bool, **context: Any) -> None:
        """Whether the SoS directs removal from the schedule (then §20.6(d) applies again, §20.12A)."""
        self._allow(_C.RECORD_SOS_FORCED_INCLUSION_DECISION)
        removed = require_bool("removal_directed", removal_directed, self.label)
        self._transit(_C.RECORD_SOS_FORCED_INCLUSION_DECISION, ev.SosForcedInclusionDecisionRecorded, context,
                      case="remove" if removed else "retain", parties=[],
                      detail={"removal_directed": removed},
                      matter_id=None)

    # -- ended or suspended by an entry's testing (§20.19, §20.25) -----------------------------------
    def record_device_change_exclusion(
        self, change: DeviceChange | str, entry_id: str, *, new_firmware_dmc_id: str | None = None,
        **context: Any,
    ) -> None:
        """The SoS agreed option (c) for ``entry_id``: a firmware upgrade ends the DMC's process
        (§20.25(a)); a configuration change excludes it until evidence (b); both exclude the
        ``new_firmware_dmc_id`` until evidence (c). Raises: change, entry_id, new_firmware_dmc_id."""
        self._allow(_C.RECORD_DEVICE_CHANGE_EXCLUSION)
        which = require_enum(DeviceChange, "change", change, self.label)
        if (which is DeviceChange.BOTH) != (new_firmware_dmc_id is not None):
            raise self._refuse("new_firmware_dmc_id",
                               "named for a firmware and configuration change (§20.25(c)) only")
        detail = {"change": which.value, "entry_id": require_text("entry_id", entry_id, self.label),
                  "new_firmware_dmc_id": optional_text("new_firmware_dmc_id", new_firmware_dmc_id,
                                                       self.label)}
        self._transit(_C.RECORD_DEVICE_CHANGE_EXCLUSION, ev.DmcExcludedForDeviceChange, context,
                      case=which.value,
                      parties=[], detail=detail, matter_id=None)

    def relieve_insufficient_devices(self, entry_ids: list[str], notified: list[str], **context: Any) -> None:
        """Devices are no longer sufficient for ``entry_ids`` after testing commenced: the DCC is
        relieved and notifies ``notified`` (§20.19: all Suppliers, Panel, Authority, SoS)."""
        self._allow(_C.RELIEVE_INSUFFICIENT_DEVICES)
        ids = require_names("entry_ids", entry_ids, self.label)
        self._transit(_C.RELIEVE_INSUFFICIENT_DEVICES, ev.DmcRelievedInsufficientDevices, context,
                      parties=require_recipients("notified", notified, self.label), detail={"entry_ids": ids},
                      matter_id=None)

    # -- checks ---------------------------------------------------------------------------------------
    def _data(self, command: DmctCommand, event_class: type[DmctEvent], source: DataSource | str,
              source_name: str, items: list[str], dormant: bool, context: dict[str, Any]) -> None:
        self._allow(command)
        self._transit(command, event_class, context,
                      source=require_enum(DataSource, "source", source, self.label).value,
                      source_name=require_text("source_name", source_name, self.label),
                      items=require_names("items", items, self.label),
                      dormant_meter_data=require_bool("dormant_meter_data", dormant, self.label))

    def _submitters(self, field: str, names: list[str], *, required: bool = True) -> list[str]:
        found = require_names(field, names, self.label, required=required)
        if strangers := sorted(set(found) - set(self.suppliers)):
            raise self._refuse(field, f"{', '.join(strangers)} did not include the DMC in a §20.2 submission "
                               f"(submitters: {', '.join(self.suppliers)})")
        return found

    def _require_disagreement(self, ground: DisagreementGround) -> None:
        if not any(d.ground is ground for d in self.current_disagreements):
            raise self._refuse("status",
                               f"no Supplier Party's {ground.value} disagreement (§20.12) is recorded")

    # -- events (apply only: no validation here, so old events always replay) -------------------------
    @event("DmctDmcSubmissionReceived")
    def __init__(
        self, dmc_id: str, supplier: str, submission_ref: str, cycle: str, unchanged_from: str | None,
        planned_installations: int | None, contacts: list[str], occurred_at: str, actor: dict[str, str],
        clauses: list[str], on_behalf_of: str | None, evidence_sha256: str | None,
    ) -> None:
        self.dmc_id = dmc_id
        self.submissions = [Submission(supplier, submission_ref, cycle, unchanged_from, planned_installations,
                                       tuple(contacts), None, stamp(occurred_at), 1)]
        self.data_steps: list[DataStep] = []
        self.assessments: list[Assessment] = []
        self.notices: list[ExclusionNotice] = []
        self.disagreements: list[Disagreement] = []
        self.acts: list[DmcAct] = []
        self.entry_ids: list[str] = []
        self.status, self.status_clauses = DmctStatus.SUBMITTED, tuple(clauses)
        self.status_version, self.status_since = 1, stamp(occurred_at)

    # -- queries ----------------------------------------------------------------------------------------
    @property
    def label(self) -> str:
        return f"DMCT DMC {self.dmc_id!r}"

    @property
    def suppliers(self) -> list[str]:
        """Every Supplier Party whose submission included the DMC, in order of first submission."""
        return list(dict.fromkeys(s.supplier for s in self.submissions))

    @property
    def assessment(self) -> Assessment | None:
        """The latest §20.6 assessment."""
        return self.assessments[-1] if self.assessments else None

    @property
    def current_notices(self) -> list[ExclusionNotice]:
        """The §20.11 notices of the latest assessment."""
        latest = 0 if self.assessment is None else self.assessment.version
        return [n for n in self.notices if n.assessment_version == latest]

    @property
    def current_disagreements(self) -> list[Disagreement]:
        """The §20.12 disagreements since the latest assessment."""
        latest = 0 if self.assessment is None else self.assessment.version
        return [d for d in self.disagreements if d.version > latest]

    def acts_of(self, kind: type[DmctEvent]) -> list[DmcAct]:
        """The recorded acts of event class ``kind`` (e.g. ``NonEconomicViewsSought``)."""
        return [a for a in self.acts if a.kind == kind.__name__]


DmctDmcSubmissionReceived = DmctDmc.DmctDmcSubmissionReceived  # type: ignore[attr-defined]

__all__ = ["DmctDmc", "DmctDmcSubmissionReceived"]
