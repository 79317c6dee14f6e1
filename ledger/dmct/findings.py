"""Compliance findings on the DMCT Process: recorded, then flagged, never refused (§20).

Catalogue Appendix, append-time checks: a referral after its deadline (§20.12, §20.37); DMCT SRVT
started on the MTAD route before the TAB's MT determination (§20.14); tests on non-production
versions without TAG's agreement (§20.18); a DMCT EPCL Report for a d(iii) equivalence without the
relied-upon final report (§20.41). Also flagged: notices that miss a Supplier Party that included
the DMC or that come after the next §20.2 submission (§20.5, §20.11, §20.12A, §20.36), a §20.11
notice without rationale (§20.11(b)), a non-economic proposal without stakeholder views (§20.7),
a §20.12(b) disagreement not referred, pauses not reported (§20.21), recommendations or
publications not notified to those the clause names (§20.19, §20.20, §20.43), option (a) carried
out unannounced (§20.22), a completion claiming every test executed where the record shows
otherwise (§20.32(a), §20.33(a)(i)), open issues reported without Work Off Plans (§20.34(d),
§20.35(d)), a referral by a Supplier that confirmed it would not refer (§20.39(a)), and finality
without TAG's review concluded (A42). Each check is a pure function of recorded aggregates.

An act is in time up to the end of its deadline's last day, Europe/London (A38), under the
convention stored with the deadline.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from ledger.calendar import is_within
from ledger.dmct import dmc_events as dev
from ledger.dmct import entry_events as eev
from ledger.dmct import report_events as rev
from ledger.dmct.dmc import DmctDmc
from ledger.dmct.entry import DmctEntry
from ledger.dmct.schedule_values import DmctTesting
from ledger.dmct.values import EXCLUDING, NEEDS_RATIONALE, DisagreementGround, EquivalenceBasis, IssueOption
from ledger.findings import Finding
from ledger.planned_test_values import TestResult
from ledger.rules.dmct_statuses import DmctStatus

_RELIEF_RECIPIENTS = ("supplier", "panel", "authority", "sos")  # §20.19
_OPTION_RECIPIENTS = ("stakeholders", "panel", "authority", "sos")  # §20.20
_PUBLICATION_RECIPIENTS = ("panel", "sos", "authority", "parties")  # §20.43
_UNDER_REVIEW = (DmctStatus.DRAFT_REPORT_UNDER_REVIEW, DmctStatus.SOS_DETERMINATION_PENDING)


def _missing(named: Iterable[str], required: Iterable[str]) -> list[str]:
    return [r for r in required if r not in set(named)]


# -- DMCs -------------------------------------------------------------------------------------------
def late_disagreements(dmc: DmctDmc) -> Iterator[Finding]:
    """§20.12 disagreements after that Supplier's 20 Working Days, or with no §20.11 notice to
    start its clock (A40)."""
    for d in dmc.disagreements:
        when = d.occurred_at.isoformat()
        where = f"{dmc.label}: {d.supplier}'s §20.12 disagreement ({d.ground.value}) on {when}"
        if d.deadline is None:
            yield Finding("20.12", f"{where} has no §20.11 notice to that Supplier to run from",
                          (dmc.event_id(d.version),))
        elif not is_within(d.deadline, d.occurred_at):
            yield Finding("20.12", f"{where} is after its 20 Working Day window from {d.deadline.trigger}, "
                          f"which ended {d.deadline.ends_at.isoformat()}", (dmc.event_id(d.version),))


def exclusion_notices(dmc: DmctDmc) -> Iterator[Finding]:
    """§20.11: each Supplier that included the DMC is told, before the next §20.2 submission
    (TR10), with the rationale for (c), (d), (e) and A33 (§20.11(b))."""
    for assessment in (a for a in dmc.assessments if a.result in EXCLUDING):
        notices = [n for n in dmc.notices if n.assessment_version == assessment.version]
        told_before = [s for s in dmc.submissions if s.version < assessment.version]
        later = [s for s in dmc.submissions if s.version > assessment.version]
        next_submission = later[0].version if later else None
        for supplier in dict.fromkeys(s.supplier for s in told_before):
            notice = next((n for n in notices if n.supplier == supplier), None)
            if next_submission is not None and (notice is None or notice.version > next_submission):
                yield Finding("20.11",
                              f"{dmc.label}: {supplier} was not told of the §20.6({assessment.result.value}) "
                              "exclusion before the next §20.2 submission",
                              (dmc.event_id(assessment.version), dmc.event_id(next_submission)))
        for notice in notices:
            if assessment.result in NEEDS_RATIONALE and notice.rationale is None:
                yield Finding("20.11(b)",
                              f"{dmc.label}: the notice to {notice.supplier} gives no rationale for "
                              f"§20.6({assessment.result.value})", (dmc.event_id(notice.version),))


def notices_missing_suppliers(dmc: DmctDmc) -> Iterator[Finding]:
    """§20.5 exclusion and §20.12A referral notices that leave out a Supplier that had included
    the DMC by then."""
    notices = ((dev.DmcExcludedDataUnavailable, "20.5"), (dev.ForcedInclusionReferredToSos, "20.12A"))
    for kind, clause in notices:
        for act in dmc.acts_of(kind):
            submitters = dict.fromkeys(s.supplier for s in dmc.submissions if s.version < act.version)
            if missing := _missing(act.parties, submitters):
                yield Finding(clause, f"{dmc.label}: {', '.join(missing)} not notified",
                              (dmc.event_id(act.version),))


def non_economic_without_views(dmc: DmctDmc) -> Iterator[Finding]:
    """A §20.7 proposal with no stakeholder discussion recorded before it."""
    views = dmc.acts_of(dev.NonEconomicViewsSought)
    for proposal in dmc.acts_of(dev.NonEconomicProposedToSos):
        if not any(v.version < proposal.version for v in views):
            yield Finding("20.7",
                          f"{dmc.label}: proposed to the SoS as not economic without first discussing "
                          "it with stakeholders", (dmc.event_id(proposal.version),))


def timescale_disagreement_not_referred(dmc: DmctDmc) -> Iterator[Finding]:
    """A §20.12(b) disagreement the DCC has not referred to the SoS ("shall refer")."""
    if dmc.status is DmctStatus.NOT_SCHEDULED_CR_TIMESCALE_UNCERTAIN:
        for d in dmc.current_disagreements:
            if d.ground is DisagreementGround.TIMESCALE:
                yield Finding("20.12(b)",
                              f"{dmc.label}: {d.supplier}'s timescale disagreement is not referred "
                              "to the SoS", (dmc.event_id(d.version),))


def relief_recipients(dmc: DmctDmc) -> Iterator[Finding]:
    """§20.19 relief not notified to all Supplier Parties, the Panel, the Authority and the SoS."""
    for act in dmc.acts_of(dev.DmcRelievedInsufficientDevices):
        if missing := _missing(act.parties, _RELIEF_RECIPIENTS):
            yield Finding("20.19", f"{dmc.label}: relief for insufficient devices not notified to "
                          f"{', '.join(missing)}", (dmc.event_id(act.version),))


def dmc_findings(dmc: DmctDmc) -> list[Finding]:
    """Every finding on ``dmc``."""
    return [*late_disagreements(dmc), *exclusion_notices(dmc), *notices_missing_suppliers(dmc),
            *non_economic_without_views(dmc), *timescale_disagreement_not_referred(dmc),
            *relief_recipients(dmc)]


# -- planned EPCL entries ---------------------------------------------------------------------------
def testing_starts(entry: DmctEntry) -> Iterator[Finding]:
    """DMCT SRVT before the TAB's MT determination (§20.14); alternate versions without TAG (§20.18)."""
    for r in entry.rounds:
        if r.before_tab_determination:
            yield Finding("20.14", f"{entry.label}: DMCT SRVT started before the TAB determined the MTAD "
                          "Migration Test Phase complete", (entry.event_id(r.version),))
        if r.alternate_environment and r.tag_consent_ref is None:
            yield Finding("20.18", f"{entry.label}: tests on alternate versions ({r.environment} "
                          f"{r.environment_version}) without TAG's agreement", (entry.event_id(r.version),))


def packs_for_testing(entry: DmctEntry) -> Iterator[Finding]:
    """Testing started while the schedule names, by testing, no pack for DMCT MT or DMCT SRVT that
    the round needs: both, or DMCT SRVT only on the MTAD route (§20.14-20.15, §20.17). An entry
    scheduled with one pack or a non-standard rationale does not say which testing it is for."""
    planned = entry.planned
    if planned is None or not planned.test_packs:
        return
    for r in entry.rounds:
        needed = (DmctTesting.SRVT,) if r.srvt_only else (DmctTesting.MT, DmctTesting.SRVT)
        if missing := [t.value for t in needed if planned.pack_for(t) is None]:
            yield Finding("20.15", f"{entry.label}: testing started with no test pack planned for "
                          f"{', '.join(missing)}", (entry.event_id(r.version),))


def pauses_not_reported(entry: DmctEntry) -> Iterator[Finding]:
    """A pause or recommencement with no §16.1 report named (§20.21)."""
    for act in [*entry.acts_of(eev.DmctProcessPaused), *entry.acts_of(eev.DmctProcessRecommenced)]:
        if act.detail.get("weekly_report_ref") is None:
            yield Finding("20.21",
                          f"{entry.label}: {act.kind} without a §16.1 report informing the Panel and SoS",
                          (entry.event_id(act.version),))


def issue_resolutions(entry: DmctEntry) -> Iterator[Finding]:
    """Recommendations not notified to stakeholders, Panel, Authority and SoS (§20.20); option (a)
    carried out without announcing §20.22(a) or (b) in advance (§20.22)."""
    for issue in entry.issues.values():
        if issue.option is None:
            continue
        where = f"{entry.label}: Testing Issue {issue.issue_id!r}"
        if missing := _missing(issue.notified, _OPTION_RECIPIENTS):
            yield Finding("20.20",
                          f"{where}: option ({issue.option.value}) not notified to {', '.join(missing)}",
                          (entry.event_id(issue.steps[-1]),))
        if issue.option is IssueOption.A and not issue.under_resolution and not issue.path_announced:
            yield Finding("20.22", f"{where}: option (a) carried out without telling SEC Parties, the Panel, "
                          "the Authority and the SoS in advance whether §20.22(a) or (b) applied",
                          (entry.event_id(issue.steps[-1]),))


def completion_claims(entry: DmctEntry) -> Iterator[Finding]:
    """Completion recorded as with every test executed where no run is recorded, or a test's
    latest run is "not run" (§20.32(a), §20.33(a)(i))."""
    latest: dict[str, TestResult] = {}
    for c in entry.completions:
        for e in entry.executions:
            if e.version < c.version:
                latest[e.test_id] = e.result
        not_run = sorted(t for t, r in latest.items() if r is TestResult.NOT_RUN)
        if c.all_tests_executed and (not latest or not_run):
            what = "no test run is recorded" if not latest else f"{', '.join(not_run)} last not run"
            yield Finding("20.32(a)", f"{entry.label}: completion records every test executed, but {what}",
                          (entry.event_id(c.version),))


def draft_reports(entry: DmctEntry, dmc: DmctDmc | None = None) -> Iterator[Finding]:
    """Open issues without Work Off Plans (§20.34(d)/§20.35(d)); under review, a Supplier that
    included the DMC not given the draft (§20.36, A54)."""
    draft = entry.draft
    if draft is not None and draft.open_issues and not draft.work_off_plan_ids:
        clause = "20.34(d)" if draft.recommends_epcl_entry else "20.35(d)"
        yield Finding(clause, f"{entry.label}: the draft reports open Testing Issues with no Work Off Plan",
                      (entry.event_id(draft.version),))
    if dmc is not None and entry.status in _UNDER_REVIEW:
        given = [p.supplier for p in entry.current_provisions]
        if missing := _missing(given, dmc.suppliers):
            yield Finding("20.36",
                          f"{entry.label}: the draft was not provided to {', '.join(missing)}, which "
                          f"included {dmc.dmc_id} in a §20.2 submission",
                          (entry.event_id(entry.status_version),))


def referrals(entry: DmctEntry) -> Iterator[Finding]:
    """§20.37 referrals after that Supplier's 10 Working Days, or after it confirmed it would not
    refer (§20.39(a))."""
    for r in entry.referrals:
        where = f"{entry.label}: {r.supplier}'s referral to the SoS on {r.occurred_at.isoformat()}"
        if r.deadline is not None and not is_within(r.deadline, r.occurred_at):
            yield Finding("20.37", f"{where} is after its 10 Working Day window from {r.deadline.trigger}, "
                          f"which ended {r.deadline.ends_at.isoformat()}", (entry.event_id(r.version),))
        if r.confirmed_no_referral:
            yield Finding("20.39(a)", f"{where} follows its confirmation that it would not refer",
                          (entry.event_id(r.version),))


def final_without_tag_review(entry: DmctEntry) -> Iterator[Finding]:
    """The report deemed final with no TAG review concluded since the completion (A42)."""
    reviews = entry.acts_of(rev.TagReviewConcluded)
    for final in entry.acts_of(rev.DmctTestingReportDeemedFinal):
        since = max((c.version for c in entry.completions if c.version < final.version), default=0)
        if not any(since < r.version < final.version for r in reviews):
            yield Finding("20.39",
                          f"{entry.label}: deemed final with no TAG review of the draft concluded (A42)",
                          (entry.event_id(final.version),))


def epcl_reports(entry: DmctEntry) -> Iterator[Finding]:
    """A d(iii) EPCL Report naming no relied-upon final report (§20.41); publication not notified
    to the Panel, SoS, Authority and SEC Parties (§20.43)."""
    report = entry.epcl_report
    if report is None:
        return
    d_iii = entry.equivalence is not None and entry.equivalence.basis is EquivalenceBasis.D_III
    if d_iii and not report.relied_reports:
        yield Finding("20.41",
                      f"{entry.label}: EPCL Report {report.report_id!r} rests on §20.6(d)(iii) but names "
                      "no relied-upon final DMCT Testing Report", (entry.event_id(report.version),))
    missing = _missing(report.notified, _PUBLICATION_RECIPIENTS)
    if report.published_version is not None and missing:
        yield Finding("20.43", f"{entry.label}: EPCL Report {report.report_id!r} published without notifying "
                      f"{', '.join(missing)}", (entry.event_id(report.published_version),))


def entry_findings(entry: DmctEntry, dmc: DmctDmc | None = None) -> list[Finding]:
    """Every finding on ``entry`` (and, given its DMC, those that need the DMC's submitters)."""
    return [*testing_starts(entry), *packs_for_testing(entry), *pauses_not_reported(entry),
            *issue_resolutions(entry), *completion_claims(entry), *draft_reports(entry, dmc),
            *referrals(entry), *final_without_tag_review(entry), *epcl_reports(entry)]


def dmct_findings(dmcs: Iterable[DmctDmc], entries: Iterable[DmctEntry]) -> list[Finding]:
    """Every finding on the DMCT Process: each DMC, then each entry with its DMC where recorded."""
    by_id = {d.dmc_id: d for d in dmcs}
    return [*(f for d in by_id.values() for f in dmc_findings(d)),
            *(f for e in entries for f in entry_findings(e, by_id.get(e.dmc_id)))]


__all__ = [
    "completion_claims",
    "dmc_findings",
    "dmct_findings",
    "draft_reports",
    "entry_findings",
    "epcl_reports",
    "exclusion_notices",
    "final_without_tag_review",
    "issue_resolutions",
    "late_disagreements",
    "non_economic_without_views",
    "notices_missing_suppliers",
    "packs_for_testing",
    "pauses_not_reported",
    "referrals",
    "relief_recipients",
    "testing_starts",
    "timescale_disagreement_not_referred",
]
