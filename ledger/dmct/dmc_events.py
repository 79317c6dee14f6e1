"""What a DMC in the DMCT Process records (``ledger.dmct.dmc``): the records its history leaves and
its events, past tense; each event's ``evolve`` adds to the records (the status itself is set by
``ledger.dmct.lifecycle.DmctEvent``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from ledger.calendar import Deadline
from ledger.dmct.lifecycle import DmctEvent
from ledger.dmct.values import (
    AssessmentResult,
    DataSource,
    DisagreementGround,
    EquivalenceBasis,
    stored_deadline,
)

if TYPE_CHECKING:
    from ledger.dmct.dmc import DmctDmc


@dataclass(frozen=True)
class Submission:
    """A Supplier Party's §20.2 submission including the DMC, or its §20.3 confirmation that the
    data is unaltered from ``unchanged_from``; ``contacts`` are the §20.36 additional contacts."""

    supplier: str
    submission_ref: str
    cycle: str
    unchanged_from: str | None
    planned_installations: int | None
    contacts: tuple[str, ...]
    config_evidence_sha256: str | None
    occurred_at: datetime
    version: int


@dataclass(frozen=True)
class DataStep:
    """Data sought from (``obtained`` False) or obtained from a Meter Manufacturer or SMSO (§20.4)."""

    source: DataSource
    source_name: str
    items: tuple[str, ...]
    obtained: bool
    dormant_meter_data: bool
    version: int


@dataclass(frozen=True)
class Assessment:
    """The §20.6 result; for (d) the sub-basis and the equivalent DMC or entry."""

    result: AssessmentResult
    equivalence_basis: EquivalenceBasis | None
    equivalent_to: str | None
    rationale: str | None
    occurred_at: datetime
    version: int


@dataclass(frozen=True)
class ExclusionNotice:
    """The §20.11 notice to one Supplier Party, with its 20 WD §20.12 deadline where the reason
    is disputable ((c), (d), A33), computed from that Supplier's notice date (A40)."""

    supplier: str
    notified_on: date
    reason: AssessmentResult
    rationale: str | None
    published_on: date | None
    deadline: Deadline | None
    assessment_version: int
    version: int


@dataclass(frozen=True)
class Disagreement:
    """A Supplier Party's §20.12 disagreement; ``deadline`` is that Supplier's window, if notified."""

    supplier: str
    ground: DisagreementGround
    rationale: str
    matter_id: str | None
    occurred_at: datetime
    deadline: Deadline | None
    version: int


@dataclass(frozen=True)
class DmcAct:
    """Anything else the DCC did or recorded on the DMC's behalf: ``kind`` is the event's name;
    ``parties`` whoever it names (stakeholders, Suppliers notified, recipients); ``detail`` the rest."""

    kind: str
    parties: tuple[str, ...]
    detail: dict[str, Any]
    matter_id: str | None
    occurred_at: datetime
    version: int


class SupplierSubmissionRecorded(DmctEvent):
    """A later §20.2 submission (or §20.3 confirmation) includes the DMC (catalogue M2, M3, M43)."""

    supplier: str
    submission_ref: str
    cycle: str
    unchanged_from: str | None
    planned_installations: int | None
    contacts: list[str]
    config_evidence_sha256: str | None

    def evolve(self, dmc: DmctDmc) -> None:
        dmc.submissions.append(Submission(
            self.supplier, self.submission_ref, self.cycle, self.unchanged_from,
            self.planned_installations, tuple(self.contacts), self.config_evidence_sha256, self.at,
            self.originator_version))


class _DataEvent(DmctEvent):
    source: str
    source_name: str
    items: list[str]
    dormant_meter_data: bool

    def evolve(self, dmc: DmctDmc) -> None:
        dmc.data_steps.append(DataStep(
            DataSource(self.source), self.source_name, tuple(self.items),
            isinstance(self, DmctDataSourced), self.dormant_meter_data, self.originator_version))


class DmctDataSought(_DataEvent):
    """The DCC sought data a Supplier Party could not provide (§20.4; catalogue M4)."""


class DmctDataSourced(_DataEvent):
    """The DCC obtained data, e.g. Dormant Meter data from the SMSO (§20.4; catalogue M4, M5)."""


class _ActEvent(DmctEvent):
    """An act recorded as a ``DmcAct``: ``parties`` and ``detail`` as the command gave them."""

    parties: list[str]
    detail: dict[str, Any]
    matter_id: str | None

    def evolve(self, dmc: DmctDmc) -> None:
        dmc.acts.append(DmcAct(type(self).__name__, tuple(self.parties), dict(self.detail), self.matter_id,
                               self.at, self.originator_version))


class DmcExcludedDataUnavailable(_ActEvent):
    """The DCC could not source all the data; ``parties`` the Suppliers notified (§20.5; M6)."""


class DmcAssessmentBegun(_ActEvent):
    """All data held: the DCC considers §20.6(a)-(f)."""


class DmcAssessed(DmctEvent):
    """The §20.6 result (catalogue M7)."""

    result: str
    equivalence_basis: str | None
    equivalent_to: str | None
    rationale: str | None

    def evolve(self, dmc: DmctDmc) -> None:
        basis = None if self.equivalence_basis is None else EquivalenceBasis(self.equivalence_basis)
        dmc.assessments.append(Assessment(AssessmentResult(self.result), basis, self.equivalent_to,
                                          self.rationale, self.at, self.originator_version))


class NonEconomicViewsSought(_ActEvent):
    """The DCC discussed its view and rationale with ``parties`` (stakeholders) (§20.7; M8)."""


class NonEconomicProposedToSos(_ActEvent):
    """The DCC proposed the DMC as not economic to test, with the stakeholder views (§20.7; M9)."""


class SosNonEconomicDecisionRecorded(_ActEvent):
    """The SoS's decision, final and binding: ``detail["agrees"]`` (§20.7; M10)."""


class ExclusionNotified(DmctEvent):
    """The §20.11 notice to ``suppliers`` on ``notified_on``, with each one's deadline (M16)."""

    suppliers: list[str]
    notified_on: str
    reason: str
    rationale: str | None
    published_on: str | None
    deadlines: dict[str, dict[str, Any]]
    assessment_version: int

    def evolve(self, dmc: DmctDmc) -> None:
        published = None if self.published_on is None else date.fromisoformat(self.published_on)
        for supplier in self.suppliers:
            dmc.notices.append(ExclusionNotice(
                supplier, date.fromisoformat(self.notified_on), AssessmentResult(self.reason), self.rationale,
                published, stored_deadline(self.deadlines.get(supplier)), self.assessment_version,
                self.originator_version))


class SupplierDisagreementRecorded(DmctEvent):
    """A Supplier Party disagreed under §20.12(a) or (b) (catalogue M17, M18)."""

    supplier: str
    ground: str
    rationale: str
    matter_id: str | None
    deadline: dict[str, Any] | None

    def evolve(self, dmc: DmctDmc) -> None:
        dmc.disagreements.append(Disagreement(
            self.supplier, DisagreementGround(self.ground), self.rationale, self.matter_id, self.at,
            stored_deadline(self.deadline), self.originator_version))


class TimescaleDisputeReferredToSos(_ActEvent):
    """The DCC referred a §20.12(b) disagreement to the SoS (catalogue M19)."""


class SosTimescaleDecisionRecorded(_ActEvent):
    """Whether the SoS directed scheduling: ``detail["directs_scheduling"]`` (§20.12(b); M19)."""


class DmcEntriesScheduled(DmctEvent):
    """Planned EPCL entries of the DMC are in the DMCT Schedule (§20.9; catalogue M13)."""

    entry_ids: list[str]

    def evolve(self, dmc: DmctDmc) -> None:
        dmc.entry_ids.extend(self.entry_ids)


class ForcedInclusionReferredToSos(_ActEvent):
    """The DCC referred testing included under §20.12(a) to the SoS; ``parties`` the Suppliers
    told, ``detail["rationale"]`` its rationale (§20.12A; catalogue M20)."""


class SosForcedInclusionDecisionRecorded(_ActEvent):
    """Whether the SoS directed removal: ``detail["removal_directed"]`` (§20.12A; M21)."""


class DmcExcludedForDeviceChange(_ActEvent):
    """The SoS agreed option (c) for entry ``detail["entry_id"]``: ``detail["change"]`` and, for
    firmware and configuration, ``detail["new_firmware_dmc_id"]`` (§20.25(a)-(c))."""


class DmcRelievedInsufficientDevices(_ActEvent):
    """Devices no longer sufficient for ``detail["entry_ids"]``; ``parties`` notified (§20.19; M30)."""


__all__ = [
    "Assessment",
    "DataStep",
    "Disagreement",
    "DmcAct",
    "DmcAssessed",
    "DmcAssessmentBegun",
    "DmcEntriesScheduled",
    "DmcExcludedDataUnavailable",
    "DmcExcludedForDeviceChange",
    "DmcRelievedInsufficientDevices",
    "DmctDataSought",
    "DmctDataSourced",
    "ExclusionNotice",
    "ExclusionNotified",
    "ForcedInclusionReferredToSos",
    "NonEconomicProposedToSos",
    "NonEconomicViewsSought",
    "SosForcedInclusionDecisionRecorded",
    "SosNonEconomicDecisionRecorded",
    "SosTimescaleDecisionRecorded",
    "Submission",
    "SupplierDisagreementRecorded",
    "SupplierSubmissionRecorded",
    "TimescaleDisputeReferredToSos",
]
