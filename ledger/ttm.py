"""The Test Traceability Matrix of one SIT Test Phase: its versions and their assurance (§11.1-11.3).

"The overall scope of testing in SIT shall be validated by the DCC ... through the use of a TTM,
assured by the DCC, which shall set out the requirements in Sections F, G, H, L, N and P of the
Amended SMETS1 SEC that are to be tested and the associated test scenarios" (§11.1; def. "Test
Traceability Matrix"; catalogue 2.7, 3.3 P6). A ``Ttm`` is produced per Test Phase (its id derives
from the phase id) with the requirements baseline in force (the SMETS1 Testing Baseline
Requirements Document version, def. "Amended SMETS1 SEC"); each published version maps
``Requirement`` ids of a baseline to ``TestScenario`` ids (``ledger.requirements``,
``ledger.test_scenarios``) and is assured by the DCC. For MOC and FOC the TTM is assured before
SIT commences; for IOC, in timescales that do not adversely impact SIT (§11.2; §12.5(c): IOC SIT
may be entered without a TTM). When Sections F, G, H, L, N or P change during SIT the change is
recorded here (``record_baseline_change``) and the TTM is updated by publishing a version on the
new baseline (§11.2). The DCC uses the TTM to track SIT progress and to demonstrate completion, in
each SIT Audit Report (§19.4(a)) or Completion Report (§19.6(a)), and the SIT Auditor's interim
opinion reflects the TTM in use (§19.5): ``record_use_in_report`` (§11.3).

Structural rules (``InvalidTtmEventError`` naming the field; nothing is written): phase id and
baselines named; version numbers dotted numbers, strictly increasing in recording order; a version
lists at least one requirement and one scenario, each an aggregate id, none twice, and cites its
document's SHA-256; only a published version is assured, once, not before it was published; SIT
commences once; a baseline change names a new baseline and the changed Sections among F, G, H, L,
N, P; a report uses a published version and cites the report's SHA-256.

Compliance (recorded here, flagged by ``ledger.findings.ttm``): MOC/FOC SIT commenced without an
assured TTM; versions in use during SIT never assured; a version mapping a baseline other than
the one in force; Sections changed during SIT with no version on the new baseline; a report using
a version superseded or not assured; requirements no listed scenario traces to.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from ledger.context import citing
from ledger.requirements import SECTIONS
from ledger.rules.phase_kinds import OperatingCapability
from ledger.ttm_values import (
    REPORT_CLAUSES,
    BaselineChange,
    ReportUse,
    TtmReport,
    TtmVersion,
    fail,
    require_ids,
    require_sha256,
    require_text,
    require_version_number,
    version_key,
)


def _require_date(field: str, value: date, whose: str) -> date:
    if isinstance(value, datetime) or not isinstance(value, date):
        raise fail(field, f"{whose}: {value!r} is not a date (a calendar day, no time)")
    return value


class Ttm(Aggregate):
    """The Test Traceability Matrix of one Test Phase, with its versions, their assurance, the
    requirements baseline changes it follows and the reports it is used in."""

    @classmethod
    def create_id(cls, phase_id: str, **_: object) -> UUID:
        return uuid5(NAMESPACE_URL, f"akledger:ttm:{phase_id}")

    @classmethod
    def produce(
        cls, phase_id: str, capability: OperatingCapability | str, requirements_baseline: str,
        **context: Any,
    ) -> Ttm:
        """Start the TTM of ``phase_id`` (a SIT Test Phase of ``capability``), with the
        requirements baseline in force. Raises ``InvalidTtmEventError``: phase_id, capability,
        requirements_baseline."""
        require_text("phase_id", phase_id, "TTM")
        whose = f"TTM of phase {phase_id!r}"
        try:
            release = OperatingCapability(capability)
        except ValueError:
            raise fail("capability", f"{whose}: {capability!r} is not IOC, MOC or FOC") from None
        require_text("requirements_baseline", requirements_baseline, whose)
        return cls(
            phase_id=phase_id, capability=release.value, requirements_baseline=requirements_baseline,
            **citing(context, "11.1", "12.5(c)"),
        )

    # -- commands -------------------------------------------------------------------------------
    def publish_version(
        self, version: str, requirements_baseline: str, document_sha256: str,
        requirement_ids: list[str], scenario_ids: list[str], *, reason: str | None = None,
        **context: Any,
    ) -> None:
        """Publish TTM ``version`` (the document's SHA-256), setting out the requirements of
        ``requirements_baseline`` to be tested and the associated test scenarios (§11.1); a later
        version is an update (§11.2) and may say why (``reason``). Raises
        ``InvalidTtmEventError``: version (malformed, or not after the latest), requirements_baseline,
        document_sha256, requirement_ids, scenario_ids, reason (given but empty)."""
        whose = f"{self.label} version {version!r}"
        require_version_number(version, whose)
        latest = self.latest
        if latest is not None and version_key(version) <= version_key(latest.version):
            raise fail("version", f"{whose} is not after version {latest.version!r}")
        require_text("requirements_baseline", requirements_baseline, whose)
        require_sha256("document_sha256", document_sha256, whose)
        requirements = require_ids("requirement_ids", requirement_ids, whose, "requirement")
        scenarios = require_ids("scenario_ids", scenario_ids, whose, "test scenario")
        if reason is not None:
            require_text("reason", reason, whose)
        cited = ("11.1",) if latest is None else ("11.1", "11.2")  # a later version is an update
        self._version_published(
            version=version, requirements_baseline=requirements_baseline,
            document_sha256=document_sha256, requirement_ids=requirements, scenario_ids=scenarios,
            reason=reason, **citing(context, *cited),
        )

    def assure(self, version: str, assured_on: date, report_sha256: str, **context: Any) -> None:
        """The DCC assured ``version`` on ``assured_on`` (§11.1, §11.2), with the SHA-256 of its
        assurance record. Raises ``InvalidTtmEventError``: version (not published, or assured
        already), assured_on (not a date, or before the version was published), report_sha256."""
        found = self._published(version)
        whose = f"{self.label} version {found.version!r}"
        if found.assured_event is not None:
            raise fail("version", f"{whose} was assured already, on {found.assured_on} "
                       f"(event {found.assured_event})")
        _require_date("assured_on", assured_on, whose)
        if assured_on < found.published_on:
            raise fail("assured_on", f"{whose}: assured on {assured_on}, before it was published on "
                       f"{found.published_on}")
        require_sha256("report_sha256", report_sha256, whose)
        self._version_assured(version=found.version, assured_on=assured_on.isoformat(),
                              report_sha256=report_sha256, **citing(context, "11.1", "11.2"))

    def record_sit_commenced(self, commenced_on: date, **context: Any) -> None:
        """SIT of this phase commenced on ``commenced_on`` (§11.2: for MOC/FOC the TTM is assured
        before). Raises ``InvalidTtmEventError``: status (recorded already), commenced_on."""
        if self.sit_commenced_on is not None:
            raise fail("status", f"{self.label}: SIT commenced already, on {self.sit_commenced_on} "
                       f"(event {self.sit_commenced_event})")
        _require_date("commenced_on", commenced_on, self.label)
        self._sit_commenced(commenced_on=commenced_on.isoformat(), **citing(context, "11.2"))

    def record_baseline_change(
        self, requirements_baseline: str, changed_sections: list[str], effective_on: date,
        **context: Any,
    ) -> None:
        """``changed_sections`` of the Amended SMETS1 SEC changed: ``requirements_baseline`` is in
        force from ``effective_on``; during SIT the TTM is to be updated (§11.2). Raises
        ``InvalidTtmEventError``: requirements_baseline (empty or recorded already),
        changed_sections (none, repeated, or not F, G, H, L, N, P), effective_on."""
        whose = f"{self.label} baseline {requirements_baseline!r}"
        require_text("requirements_baseline", requirements_baseline, self.label)
        known = [self.initial_baseline, *(c.requirements_baseline for c in self.baseline_changes)]
        if requirements_baseline in known:
            raise fail("requirements_baseline", f"{whose} was recorded already")
        if not changed_sections or len(set(changed_sections)) != len(changed_sections):
            raise fail("changed_sections", f"{whose}: name each changed Section once")
        others = [s for s in changed_sections if s not in SECTIONS]
        if others:
            raise fail("changed_sections", f"{whose}: {', '.join(map(repr, others))} not among Sections "
                       f"{', '.join(SECTIONS)} (11.1, 11.2)")
        _require_date("effective_on", effective_on, whose)
        self._baseline_changed(
            requirements_baseline=requirements_baseline, changed_sections=list(changed_sections),
            effective_on=effective_on.isoformat(), **citing(context, "11.2"),
        )

    def record_use_in_report(
        self, version: str, report: TtmReport | str, report_sha256: str, **context: Any
    ) -> None:
        """TTM ``version`` is used in ``report`` (its SHA-256): to track SIT progress or to
        demonstrate completion (§11.3, §19.4(a), §19.5, §19.6(a)). Raises ``InvalidTtmEventError``:
        version (not published), report, report_sha256."""
        found = self._published(version)
        whose = f"{self.label} version {found.version!r}"
        try:
            kind = TtmReport(report)
        except ValueError:
            raise fail("report", f"{whose}: {report!r} is not {', '.join(TtmReport)}") from None
        require_sha256("report_sha256", report_sha256, whose)
        self._used_in_report(version=found.version, report=kind.value, report_sha256=report_sha256,
                             **citing(context, *REPORT_CLAUSES[kind]))

    # -- queries --------------------------------------------------------------------------------
    @property
    def label(self) -> str:
        """The TTM in words, for messages: ``TTM of phase 'SIT-MOC-1' (moc, <id>)``."""
        return f"TTM of phase {self.phase_id!r} ({self.capability.value}, {self.id})"

    @property
    def latest(self) -> TtmVersion | None:
        """The latest version published (versions increase in recording order)."""
        return list(self.versions.values())[-1] if self.versions else None

    def event_id(self, version: int) -> str:
        """The id of this TTM's event ``version``, as the API reports it."""
        return f"{self.id}:{version}"

    def _published(self, version: str) -> TtmVersion:
        """The published version numbered ``version`` (``2`` and ``2.0`` are one)."""
        whose = f"{self.label} version {version!r}"
        require_version_number(version, whose)
        for found in self.versions.values():
            if version_key(found.version) == version_key(version):
                return found
        published = ", ".join(self.versions) or "none"
        raise fail("version", f"{whose} was never published (published: {published})")

    # -- events (apply only: no validation here, so old events always replay) -------------------
    @event("TtmProduced")
    def __init__(
        self, phase_id: str, capability: str, requirements_baseline: str, occurred_at: str,
        actor: dict[str, str], clauses: list[str], on_behalf_of: str | None,
        evidence_sha256: str | None,
    ) -> None:
        self.phase_id, self.capability = phase_id, OperatingCapability(capability)
        self.initial_baseline = requirements_baseline
        self.versions: dict[str, TtmVersion] = {}
        self.baseline_changes: list[BaselineChange] = []
        self.report_uses: list[ReportUse] = []
        self.sit_commenced_on: date | None = None
        self.sit_commenced_event: int | None = None

    @event("TtmVersionPublished")
    def _version_published(
        self, version: str, requirements_baseline: str, document_sha256: str,
        requirement_ids: list[str], scenario_ids: list[str], reason: str | None, occurred_at: str,
        actor: dict[str, str], clauses: list[str], on_behalf_of: str | None,
        evidence_sha256: str | None,
    ) -> None:
        self.versions[version] = TtmVersion(
            version, requirements_baseline, document_sha256, tuple(requirement_ids),
            tuple(scenario_ids), reason, datetime.fromisoformat(occurred_at).date(), self.version + 1,
        )

    @event("TtmVersionAssured")
    def _version_assured(
        self, version: str, assured_on: str, report_sha256: str, occurred_at: str,
        actor: dict[str, str], clauses: list[str], on_behalf_of: str | None,
        evidence_sha256: str | None,
    ) -> None:
        self.versions[version] = replace(
            self.versions[version], assured_on=date.fromisoformat(assured_on),
            assurance_report_sha256=report_sha256, assured_event=self.version + 1,
        )

    @event("SitCommencementRecorded")
    def _sit_commenced(
        self, commenced_on: str, occurred_at: str, actor: dict[str, str], clauses: list[str],
        on_behalf_of: str | None, evidence_sha256: str | None,
    ) -> None:
        self.sit_commenced_on = date.fromisoformat(commenced_on)
        self.sit_commenced_event = self.version + 1

    @event("RequirementsBaselineChanged")
    def _baseline_changed(
        self, requirements_baseline: str, changed_sections: list[str], effective_on: str,
        occurred_at: str, actor: dict[str, str], clauses: list[str], on_behalf_of: str | None,
        evidence_sha256: str | None,
    ) -> None:
        self.baseline_changes.append(BaselineChange(
            requirements_baseline, tuple(changed_sections), date.fromisoformat(effective_on),
            self.version + 1,
        ))

    @event("TtmVersionUsedInReport")
    def _used_in_report(
        self, version: str, report: str, report_sha256: str, occurred_at: str,
        actor: dict[str, str], clauses: list[str], on_behalf_of: str | None,
        evidence_sha256: str | None,
    ) -> None:
        self.report_uses.append(ReportUse(version, TtmReport(report), report_sha256, self.version + 1))


TtmProduced = Ttm.TtmProduced  # type: ignore[attr-defined]
TtmVersionPublished = Ttm.TtmVersionPublished  # type: ignore[attr-defined]
TtmVersionAssured = Ttm.TtmVersionAssured  # type: ignore[attr-defined]
SitCommencementRecorded = Ttm.SitCommencementRecorded  # type: ignore[attr-defined]
RequirementsBaselineChanged = Ttm.RequirementsBaselineChanged  # type: ignore[attr-defined]
TtmVersionUsedInReport = Ttm.TtmVersionUsedInReport  # type: ignore[attr-defined]
