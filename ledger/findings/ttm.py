"""Compliance findings on Test Traceability Matrices: recorded, then flagged, never refused (§11).

Catalogue Appendix, append-time checks: "MOC/FOC SIT started before TTM assured" (§11.2). Also
flagged: a version in use during SIT never assured (§11.2: IOC "the TTM (and any subsequent
updates to it)"; §11.1 for MOC/FOC updates); a version mapping a requirements baseline other than
the one in force when it was published (§11.1; def. "Amended SMETS1 SEC", catalogue 1); Sections
F, G, H, L, N or P changed during SIT with no version published on the new baseline (§11.2); a
report using a version that was superseded, or (SIT Audit, Completion Report) not assured, when
used (§11.3, §19.4(a), §19.5, §19.6(a)); requirements of a version no listed scenario traces to,
or of another baseline (§11.1). Each check is a pure function of recorded aggregates.

Dates: SIT commencement and assurance are recorded as calendar days, which cannot order one day's
events, so an assurance on the day SIT commenced counts as prior to it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date

from ledger.findings import Finding
from ledger.requirements import Requirement
from ledger.rules.phase_kinds import OperatingCapability
from ledger.test_scenarios import TestScenario
from ledger.ttm import Ttm
from ledger.ttm_values import TtmReport, TtmVersion

_ASSURED_BEFORE_SIT = (OperatingCapability.MOC, OperatingCapability.FOC)  # §11.2
_NEEDS_ASSURED = {TtmReport.SIT_AUDIT_REPORT: "11.1", TtmReport.COMPLETION_REPORT: "19.6(a)"}


def version_in_use_on(ttm: Ttm, day: date) -> TtmVersion | None:
    """The latest version published on or before ``day``."""
    published = [v for v in ttm.versions.values() if v.published_on <= day]
    return published[-1] if published else None


def baseline_in_force_on(ttm: Ttm, day: date) -> tuple[str, int]:
    """The requirements baseline in force on ``day`` and the event that recorded it (1: the
    baseline the TTM was produced with)."""
    changes = [c for c in ttm.baseline_changes if c.effective_on <= day]
    if not changes:
        return ttm.initial_baseline, 1
    change = max(changes, key=lambda c: (c.effective_on, c.version))
    return change.requirements_baseline, change.version


def sit_commenced_without_assured_ttm(ttm: Ttm) -> Iterator[Finding]:
    """MOC/FOC SIT commenced while the TTM in use had not been assured (§11.2), or with none."""
    commenced, event = ttm.sit_commenced_on, ttm.sit_commenced_event
    if ttm.capability not in _ASSURED_BEFORE_SIT or commenced is None or event is None:
        return
    in_use = version_in_use_on(ttm, commenced)
    if in_use is None:
        yield Finding("11.2", f"{ttm.label}: SIT commenced on {commenced} with no TTM version published",
                      (ttm.event_id(event),))
    elif in_use.assured_on is None or in_use.assured_on > commenced:
        when = "never" if in_use.assured_on is None else f"only on {in_use.assured_on}"
        ids = [in_use.version_event, event, *([in_use.assured_event] if in_use.assured_event else [])]
        yield Finding(
            "11.2",
            f"{ttm.label}: SIT commenced on {commenced} with version {in_use.version!r}, assured {when}; "
            f"for {ttm.capability.value.upper()} the TTM is assured before SIT commences",
            tuple(ttm.event_id(v) for v in sorted(ids)),
        )


def unassured_versions_during_sit(ttm: Ttm) -> Iterator[Finding]:
    """A version in use during SIT never assured: published after SIT commenced, or, for IOC, in
    use when it commenced (§11.2; for MOC/FOC that one is ``sit_commenced_without_assured_ttm``'s)."""
    commenced = ttm.sit_commenced_on
    if commenced is None:
        return
    in_use = [v for v in ttm.versions.values() if v.published_on > commenced]
    at_start = version_in_use_on(ttm, commenced)
    if ttm.capability is OperatingCapability.IOC and at_start is not None:
        in_use.insert(0, at_start)
    for v in in_use:
        if v.assured_event is None:
            clause = "11.2" if ttm.capability is OperatingCapability.IOC else "11.1"
            yield Finding(clause, f"{ttm.label}: version {v.version!r}, in use during SIT (commenced "
                          f"{commenced}), has not been assured by the DCC", (ttm.event_id(v.version_event),))


def versions_off_baseline(ttm: Ttm) -> Iterator[Finding]:
    """A version mapping a requirements baseline other than the one in force when it was published."""
    for v in ttm.versions.values():
        in_force, recorded = baseline_in_force_on(ttm, v.published_on)
        if v.requirements_baseline != in_force:
            yield Finding(
                "11.1",
                f"{ttm.label}: version {v.version!r} maps requirements baseline "
                f"{v.requirements_baseline!r}, but {in_force!r} was in force when it was published on "
                f"{v.published_on}",
                tuple(ttm.event_id(e) for e in sorted({recorded, v.version_event})),
            )


def baseline_changes_not_reflected(ttm: Ttm) -> Iterator[Finding]:
    """Sections changed during SIT with no version published on the new baseline or a later one:
    "the TTM will be updated to reflect these changes" (§11.2)."""
    commenced = ttm.sit_commenced_on
    if commenced is None:
        return
    mapped = {v.requirements_baseline for v in ttm.versions.values()}
    for change in ttm.baseline_changes:
        if change.effective_on < commenced:
            continue
        since = {c.requirements_baseline for c in ttm.baseline_changes
                 if (c.effective_on, c.version) >= (change.effective_on, change.version)}
        if not since & mapped:
            yield Finding(
                "11.2",
                f"{ttm.label}: Sections {', '.join(change.changed_sections)} changed during SIT "
                f"(baseline {change.requirements_baseline!r} from {change.effective_on}) and no TTM "
                "version was published to reflect the change",
                (ttm.event_id(change.version),),
            )


def reports_on_unfit_versions(ttm: Ttm) -> Iterator[Finding]:
    """A report using a version that was not the latest when used (§19.5: "the Test Traceability
    Matrix ... in use at that point"; §11.3), or a SIT Audit or Completion Report using a version
    not assured when used (§11.1; §19.6(a): "the DCC has assured")."""
    for use in ttm.report_uses:
        used = ttm.versions[use.ttm_version]
        latest = [v for v in ttm.versions.values() if v.version_event < use.version][-1]
        where = f"{ttm.label}: the {use.report.value.replace('_', ' ')} used version {used.version!r}"
        ids = (ttm.event_id(used.version_event), ttm.event_id(use.version))
        if latest.version != used.version:
            clause = "19.5" if use.report is TtmReport.INTERIM_OPINION else "11.3"
            yield Finding(clause, f"{where}, superseded by version {latest.version!r}", ids)
        clause_if_unassured = _NEEDS_ASSURED.get(use.report)
        if clause_if_unassured and (used.assured_event is None or used.assured_event > use.version):
            yield Finding(clause_if_unassured, f"{where}, not assured by the DCC when used", ids)


def requirements_without_scenario(ttm: Ttm, scenarios: Iterable[TestScenario]) -> Iterator[Finding]:
    """Requirements of the latest version that none of its listed scenarios traces to (§11.1: the
    requirements "to be tested and the associated test scenarios"). A listed scenario not among
    ``scenarios`` (all the ledger holds) traces to nothing."""
    latest = ttm.latest
    if latest is None:
        return
    listed = set(latest.scenario_ids)
    traced = {r for s in scenarios if str(s.id) in listed for r in s.requirement_ids}
    uncovered = [r for r in latest.requirement_ids if r not in traced]
    if uncovered:
        yield Finding("11.1", f"{ttm.label}: version {latest.version!r} lists requirements no listed test "
                      f"scenario traces to: {', '.join(uncovered)}", (ttm.event_id(latest.version_event),))


def requirements_of_another_baseline(ttm: Ttm, requirements: Iterable[Requirement]) -> Iterator[Finding]:
    """Requirements of the latest version recorded at a baseline other than the version's."""
    latest = ttm.latest
    if latest is None:
        return
    listed = set(latest.requirement_ids)
    others = [r for r in requirements
              if str(r.id) in listed and r.baseline_version != latest.requirements_baseline]
    if others:
        named = ", ".join(f"{r.label} ({r.id})" for r in others)
        yield Finding("11.1", f"{ttm.label}: version {latest.version!r} maps baseline "
                      f"{latest.requirements_baseline!r} but lists {named}",
                      (ttm.event_id(latest.version_event),))


def ttm_findings(
    ttm: Ttm, requirements: Iterable[Requirement] | None = None,
    scenarios: Iterable[TestScenario] | None = None,
) -> list[Finding]:
    """Every finding on ``ttm``. The traceability checks run when ``requirements`` or
    ``scenarios`` are given (all the ledger holds, or at least those the TTM lists)."""
    found = [
        *sit_commenced_without_assured_ttm(ttm),
        *unassured_versions_during_sit(ttm),
        *versions_off_baseline(ttm),
        *baseline_changes_not_reflected(ttm),
        *reports_on_unfit_versions(ttm),
    ]
    if scenarios is not None:
        found += requirements_without_scenario(ttm, scenarios)
    if requirements is not None:
        found += requirements_of_another_baseline(ttm, requirements)
    return found


__all__ = [
    "baseline_changes_not_reflected",
    "baseline_in_force_on",
    "reports_on_unfit_versions",
    "requirements_of_another_baseline",
    "requirements_without_scenario",
    "sit_commenced_without_assured_ttm",
    "ttm_findings",
    "unassured_versions_during_sit",
    "version_in_use_on",
    "versions_off_baseline",
]
