"""DMCT test packs and the environment they run on (§20.15-20.18; catalogue 3.8 M25-M27; R27-R29).

``DmctTestPack``, one per pack id: a standard pack for a Capability Release (the Standard Dormant
DMCT Migration Test Pack, §20.15(a), or the Standard DMCT Service Reference Variant Test Pack,
§20.15(b)) is proposed by the DCC and agreed with the TAG; where they cannot agree the DCC may
refer it to the SoS, whose decision is final and binding (§20.16, R27). A DMCT Non-Standard Test
Pack for one DMC, for DMCT MT and/or DMCT SRVT, goes the same way (§20.17, R28). Each proposal
(the first and every revision) is a document; the TAG's decision on it, the DCC's referral and the
SoS's determination are recorded by the DCC on those bodies' behalf, the recording context
carrying ``on_behalf_of`` and the evidence (the permission table checks who records them).

``DmctEnvironmentConsent``, one per proposal reference: where the DCC plans to execute tests on
DCC System and environment versions other than those that most closely match production at the
time the DMCs become eligible to migrate, it discusses the proposal with the TAG and executes only
if the TAG agrees: a veto with no referral (§20.18, R29). It lives here, beside the packs whose
tests it governs, because it is a two-event aggregate of the same route family.

Structural rules (``InvalidDmctScheduleEventError`` naming the field; nothing is written): ids and
references well formed; a standard pack names its Capability Release and no DMC, a non-standard
pack its DMC, which testing it replaces and its rationale (§20.9(c)); hashes well formed; a
revision is a new file and not while the SoS is deciding; one TAG decision per proposal, none once
referred; a referral only of a proposal the TAG has not agreed, once; an SoS determination only on
a pending referral; one TAG decision per environment proposal. Testing against a pack or an
environment not agreed is flagged by ``ledger.dmct.schedule_findings``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from ledger.context import citing
from ledger.dmct.schedule_values import (
    DmctTesting,
    fail,
    require_enum,
    require_names,
    require_optional_text,
    require_reference,
    require_sha256,
    require_text,
)
from ledger.rules.phase_kinds import OperatingCapability


class PackKind(StrEnum):
    """The kinds of DMCT test pack (defs.; §20.15, §20.17)."""

    STANDARD_DORMANT_MIGRATION = "standard_dormant_migration"
    STANDARD_SERVICE_REFERENCE_VARIANT = "standard_service_reference_variant"
    NON_STANDARD = "non_standard"


@dataclass(frozen=True)
class PackKindRow:
    """A kind's clauses and the testing a standard pack of that kind serves."""

    clauses: tuple[str, ...]
    testing: tuple[DmctTesting, ...]


PACK_KINDS: dict[PackKind, PackKindRow] = {
    PackKind.STANDARD_DORMANT_MIGRATION: PackKindRow(("20.15(a)", "20.16"), (DmctTesting.MT,)),
    PackKind.STANDARD_SERVICE_REFERENCE_VARIANT: PackKindRow(("20.15(b)", "20.16"), (DmctTesting.SRVT,)),
    PackKind.NON_STANDARD: PackKindRow(("20.17",), ()),
}


@dataclass(frozen=True)
class PackProposal:
    """One proposal of the pack's tests (``number`` 1 is the first) and what became of it.
    ``agreed_sha256`` is the set of tests agreed: the proposal's, or the SoS's amendment."""

    number: int
    document_sha256: str
    rationale: str | None
    proposed_on: date
    version: int
    tag_agreed: bool | None = None
    tag_decided_on: date | None = None
    tag_version: int | None = None
    referred_version: int | None = None
    sos_approved: bool | None = None
    sos_decided_on: date | None = None
    sos_version: int | None = None
    agreed_sha256: str | None = None

    @property
    def agreed_on(self) -> date | None:
        """When the pack became agreed: the TAG's agreement or the SoS's approval; else None."""
        if self.tag_agreed:
            return self.tag_decided_on
        return self.sos_decided_on if self.sos_approved else None


def _day(occurred_at: str) -> date:
    return datetime.fromisoformat(occurred_at).date()


class DmctTestPack(Aggregate):
    """A DMCT test pack, by pack id, with its proposals and their TAG / SoS outcomes."""

    @classmethod
    def create_id(cls, pack_id: str, **_: object) -> UUID:
        return uuid5(NAMESPACE_URL, f"akledger:dmct-test-pack:{pack_id}")

    @classmethod
    def propose(
        cls,
        pack_id: str,
        kind: PackKind | str,
        document_sha256: str,
        *,
        capability_release: OperatingCapability | str | None = None,
        dmc: str | None = None,
        testing: Sequence[DmctTesting | str] = (),
        rationale: str | None = None,
        **context: Any,
    ) -> DmctTestPack:
        """The DCC proposes pack ``pack_id`` (the tests in ``document_sha256``): a standard pack
        for ``capability_release`` (§20.16) or a non-standard pack for ``dmc``, replacing the
        standard pack for ``testing`` (DMCT MT and/or SRVT), with its ``rationale`` (§20.9(c),
        §20.17).

        Raises ``InvalidDmctScheduleEventError``: pack_id, kind, document_sha256,
        capability_release, dmc, testing, rationale."""
        whose = f"DMCT test pack {pack_id!r}"
        require_reference("pack_id", pack_id, whose)
        found = require_enum(PackKind, "kind", kind, whose)
        require_sha256("document_sha256", document_sha256, whose)
        require_optional_text("rationale", rationale, whose)
        release = None if capability_release is None else require_enum(
            OperatingCapability, "capability_release", capability_release, whose).value
        if isinstance(testing, str):
            raise fail("testing", f"{whose}: must be a list, got {testing!r}")
        kinds = [require_enum(DmctTesting, "testing", t, whose).value for t in testing]
        if len(set(kinds)) != len(kinds):
            raise fail("testing", f"{whose}: names a kind of testing more than once")
        if found is PackKind.NON_STANDARD:
            require_text("dmc", dmc, f"{whose}: a non-standard pack is for one DMC (§20.17)")
            if not kinds:
                raise fail("testing", f"{whose}: say whether it is for DMCT MT and/or DMCT SRVT (§20.17)")
            require_text("rationale", rationale, f"{whose}: the schedule publishes why (§20.9(c))")
        else:
            if release is None:
                raise fail("capability_release", f"{whose}: a standard pack is for a Capability "
                           "Release (§20.16)")
            if dmc is not None:
                raise fail("dmc", f"{whose}: a standard pack is for a Capability Release, not a DMC")
            if kinds not in ([], [t.value for t in PACK_KINDS[found].testing]):
                raise fail("testing", f"{whose}: a {found.value} pack is for "
                           f"{PACK_KINDS[found].testing[0].value} only")
            kinds = [t.value for t in PACK_KINDS[found].testing]
        return cls(
            pack_id=pack_id, kind=found.value, document_sha256=document_sha256,
            capability_release=release, dmc=dmc, testing=kinds, rationale=rationale,
            **citing(context, *PACK_KINDS[found].clauses),
        )

    # -- commands -------------------------------------------------------------------------------
    def revise(self, document_sha256: str, *, rationale: str | None = None, **context: Any) -> None:
        """The DCC proposes a revised set of tests (after the TAG disagreed, or to change an
        agreed pack, which then needs agreement again). Raises: status (referred to the SoS and
        not yet determined), document_sha256 (malformed or the current proposal's file),
        rationale."""
        if self.awaiting_sos:
            raise fail("status", f"{self.label}: proposal {self.current.number} is with the SoS")
        require_sha256("document_sha256", document_sha256, self.label)
        if document_sha256 == self.current.document_sha256:
            raise fail("document_sha256", f"{self.label}: is the file of proposal {self.current.number}")
        require_optional_text("rationale", rationale, self.label)
        self._revised(document_sha256=document_sha256, rationale=rationale, **citing(context, *self.row))

    def record_tag_decision(self, agreed: bool, **context: Any) -> None:
        """The TAG agrees, or does not agree, the current proposal (§20.16, §20.17); recorded by
        the DCC on the TAG's behalf with evidence. Raises: status (decided, or referred)."""
        current = self.current
        if current.tag_agreed is not None:
            raise fail("status", f"{self.label}: the TAG decided proposal {current.number} already")
        if current.referred_version is not None:
            raise fail("status", f"{self.label}: proposal {current.number} was referred to the SoS")
        self._tag_decided(agreed=bool(agreed), **citing(context, *self.row))

    def refer_to_sos(self, rationale: str, *, matter_id: str | None = None, **context: Any) -> None:
        """The DCC and the TAG cannot agree: the DCC refers the current proposal to the SoS
        (§20.16, §20.17); ``matter_id`` names the ``Matter`` if the referral is also one.
        Raises: status (the TAG agreed it, or referred already), rationale, matter_id."""
        current = self.current
        if current.tag_agreed:
            raise fail("status", f"{self.label}: the TAG agreed proposal {current.number}; nothing to refer")
        if current.referred_version is not None:
            raise fail("status", f"{self.label}: proposal {current.number} was referred already")
        require_text("rationale", rationale, self.label)
        require_optional_text("matter_id", matter_id, self.label)
        self._referred(rationale=rationale, matter_id=matter_id, **citing(context, *self.row))

    def record_sos_determination(
        self, approved: bool, *, determined_sha256: str | None = None, **context: Any
    ) -> None:
        """The SoS's final and binding determination of the referred proposal (§20.16, §20.17):
        ``approved`` as proposed, or as amended in ``determined_sha256``; not approved, the DCC
        must propose again. Raises: status (no pending referral), determined_sha256."""
        if not self.awaiting_sos:
            raise fail("status", f"{self.label}: no proposal is referred to the SoS")
        if determined_sha256 is not None:
            require_sha256("determined_sha256", determined_sha256, self.label)
            if not approved:
                raise fail("determined_sha256", f"{self.label}: a set of tests the SoS determined is "
                           "an approval (approved=true)")
        self._sos_determined(approved=bool(approved), determined_sha256=determined_sha256,
                             **citing(context, *self.row))

    # -- events (apply only: no validation here, so old events always replay) -------------------
    @event("DmctTestPackProposed")
    def __init__(
        self, pack_id: str, kind: str, document_sha256: str, capability_release: str | None,
        dmc: str | None, testing: list[str], rationale: str | None, occurred_at: str,
        actor: dict[str, str], clauses: list[str], on_behalf_of: str | None, evidence_sha256: str | None,
    ) -> None:
        self.pack_id, self.kind, self.dmc = pack_id, PackKind(kind), dmc
        self.capability_release = None if capability_release is None else OperatingCapability(
            capability_release)
        self.testing = tuple(DmctTesting(t) for t in testing)
        self.proposals = [PackProposal(1, document_sha256, rationale, _day(occurred_at), 1)]

    @event("DmctTestPackRevised")
    def _revised(
        self, document_sha256: str, rationale: str | None, occurred_at: str, actor: dict[str, str],
        clauses: list[str], on_behalf_of: str | None, evidence_sha256: str | None,
    ) -> None:
        self.proposals.append(PackProposal(
            len(self.proposals) + 1, document_sha256, rationale, _day(occurred_at), self.version + 1))

    @event("DmctTestPackDecidedByTag")
    def _tag_decided(
        self, agreed: bool, occurred_at: str, actor: dict[str, str], clauses: list[str],
        on_behalf_of: str | None, evidence_sha256: str | None,
    ) -> None:
        current = self.proposals[-1]
        self.proposals[-1] = replace(
            current, tag_agreed=agreed, tag_decided_on=_day(occurred_at), tag_version=self.version + 1,
            agreed_sha256=current.document_sha256 if agreed else None)

    @event("DmctTestPackReferredToSos")
    def _referred(
        self, rationale: str, matter_id: str | None, occurred_at: str, actor: dict[str, str],
        clauses: list[str], on_behalf_of: str | None, evidence_sha256: str | None,
    ) -> None:
        self.proposals[-1] = replace(self.proposals[-1], referred_version=self.version + 1)

    @event("DmctTestPackDeterminedBySos")
    def _sos_determined(
        self, approved: bool, determined_sha256: str | None, occurred_at: str, actor: dict[str, str],
        clauses: list[str], on_behalf_of: str | None, evidence_sha256: str | None,
    ) -> None:
        current = self.proposals[-1]
        agreed = (determined_sha256 or current.document_sha256) if approved else None
        self.proposals[-1] = replace(
            current, sos_approved=approved, sos_decided_on=_day(occurred_at), sos_version=self.version + 1,
            agreed_sha256=agreed)

    # -- queries --------------------------------------------------------------------------------
    @property
    def label(self) -> str:
        return f"DMCT test pack {self.pack_id!r} ({self.kind.value})"

    @property
    def row(self) -> tuple[str, ...]:
        return PACK_KINDS[self.kind].clauses

    @property
    def current(self) -> PackProposal:
        return self.proposals[-1]

    @property
    def awaiting_sos(self) -> bool:
        return self.current.referred_version is not None and self.current.sos_approved is None

    def agreed_as_of(self, day: date) -> PackProposal | None:
        """The latest proposal agreed (by the TAG, or approved by the SoS) on or before ``day``."""
        agreed = [p for p in self.proposals if p.agreed_on is not None and p.agreed_on <= day]
        return agreed[-1] if agreed else None

    def event_id(self, version: int) -> str:
        return f"{self.id}:{version}"


class DmctEnvironmentConsent(Aggregate):
    """A proposal to test on alternate DCC System and environment versions, and the TAG's say."""

    @classmethod
    def create_id(cls, reference: str, **_: object) -> UUID:
        return uuid5(NAMESPACE_URL, f"akledger:dmct-environment-consent:{reference}")

    @classmethod
    def propose(
        cls,
        reference: str,
        dmcs: Sequence[str],
        alternate_versions: str,
        production_versions: str,
        rationale: str,
        *,
        document_sha256: str | None = None,
        **context: Any,
    ) -> DmctEnvironmentConsent:
        """The DCC proposes to test ``dmcs`` on ``alternate_versions`` of the DCC Systems and
        environments rather than ``production_versions``, those most closely matching production
        when the DMCs become eligible to migrate, and discusses it with the TAG (§20.18).

        Raises ``InvalidDmctScheduleEventError``: reference, dmcs, alternate_versions,
        production_versions (missing, or the same as alternate_versions), rationale,
        document_sha256."""
        whose = f"alternate environment proposal {reference!r}"
        require_reference("reference", reference, whose)
        names = require_names("dmcs", dmcs, whose)
        require_text("alternate_versions", alternate_versions, whose)
        require_text("production_versions", production_versions, whose)
        if alternate_versions.strip() == production_versions.strip():
            raise fail("production_versions", f"{whose}: the same as alternate_versions; §20.18 "
                       "concerns versions other than those matching production")
        require_text("rationale", rationale, whose)
        if document_sha256 is not None:
            require_sha256("document_sha256", document_sha256, whose)
        return cls(
            reference=reference, dmcs=names, alternate_versions=alternate_versions,
            production_versions=production_versions, rationale=rationale,
            document_sha256=document_sha256, **citing(context, "20.18"),
        )

    def record_tag_decision(self, agreed: bool, **context: Any) -> None:
        """The TAG agrees, or does not, to testing on the alternate versions (§20.18: no
        referral); recorded by the DCC on the TAG's behalf. Raises: status (decided already)."""
        if self.tag_agreed is not None:
            raise fail("status", f"{self.label}: the TAG decided already (event {self.decided_version}); "
                       "a new proposal is a new reference")
        self._tag_decided(agreed=bool(agreed), **citing(context, "20.18"))

    @event("AlternateEnvironmentProposed")
    def __init__(
        self, reference: str, dmcs: list[str], alternate_versions: str, production_versions: str,
        rationale: str, document_sha256: str | None, occurred_at: str, actor: dict[str, str],
        clauses: list[str], on_behalf_of: str | None, evidence_sha256: str | None,
    ) -> None:
        self.reference, self.dmcs = reference, tuple(dmcs)
        self.alternate_versions, self.production_versions = alternate_versions, production_versions
        self.tag_agreed: bool | None = None
        self.decided_on: date | None = None
        self.decided_version: int | None = None

    @event("AlternateEnvironmentDecidedByTag")
    def _tag_decided(
        self, agreed: bool, occurred_at: str, actor: dict[str, str], clauses: list[str],
        on_behalf_of: str | None, evidence_sha256: str | None,
    ) -> None:
        self.tag_agreed, self.decided_on, self.decided_version = agreed, _day(occurred_at), self.version + 1

    @property
    def label(self) -> str:
        return f"alternate environment proposal {self.reference!r} ({self.id})"

    def event_id(self, version: int) -> str:
        return f"{self.id}:{version}"


DmctTestPackProposed = DmctTestPack.DmctTestPackProposed  # type: ignore[attr-defined]
DmctTestPackRevised = DmctTestPack.DmctTestPackRevised  # type: ignore[attr-defined]
DmctTestPackDecidedByTag = DmctTestPack.DmctTestPackDecidedByTag  # type: ignore[attr-defined]
DmctTestPackReferredToSos = DmctTestPack.DmctTestPackReferredToSos  # type: ignore[attr-defined]
DmctTestPackDeterminedBySos = DmctTestPack.DmctTestPackDeterminedBySos  # type: ignore[attr-defined]
AlternateEnvironmentProposed = DmctEnvironmentConsent.AlternateEnvironmentProposed  # type: ignore[attr-defined]
AlternateEnvironmentDecidedByTag = DmctEnvironmentConsent.AlternateEnvironmentDecidedByTag  # type: ignore[attr-defined]
