"""The completion and report commands of a planned EPCL entry (``ledger.dmct.entry.DmctEntry``):
completion (§20.31-20.33, A25), the draft DMCT Testing Report (§20.34/§20.35), its provision to
each Supplier Party with a 10 Working Day referral window each (§20.36-20.37, A40), TAG's
different determination and the DCC's choice to continue or refer (§20.38), finality (§20.39:
only when every recipient has confirmed it will not refer or its window has lapsed, and no TAG
view would turn a successful draft unsuccessful), the SoS's determination (§20.40), and the DMCT
EPCL Report (§20.41-20.43). Each completion starts a new review round; the windows, confirmations
and TAG views of a round are those recorded since its completion.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from ledger.calendar import is_within
from ledger.dmct import report_events as ev
from ledger.dmct.entry_values import (
    Completion,
    DraftReport,
    EntryAct,
    EpclReport,
    Equivalence,
    Execution,
    IssueRecord,
    PlannedDates,
    Provision,
    SupplierReferral,
    TagDetermination,
    TestingRound,
    completion_outcome,
)
from ledger.dmct.lifecycle import DmctEvent, DmctLifecycle
from ledger.dmct.schedule_values import InstallationType
from ledger.dmct.values import (
    REFERRAL_WINDOW,
    CompletionOutcome,
    EquivalenceBasis,
    NotPossibleReason,
    ReferralGround,
    ReportedIssue,
    ReportedTest,
    SosReportOutcome,
    TagGround,
    optional_sha256,
    optional_text,
    require_bool,
    require_date,
    require_enum,
    require_enums,
    require_names,
    require_recipients,
    require_sha256,
    require_text,
    stamp,
    window,
)
from ledger.planned_test_values import TestResult
from ledger.rules.dmct_statuses import DmctCommand, DmctStatus
from ledger.rules.phase_kinds import OperatingCapability

_C = DmctCommand


class EntryReports(DmctLifecycle):
    """The records of a planned EPCL entry, and its completion and report commands."""

    entry_id: str
    dmc_id: str
    smso: str
    installation_type: InstallationType
    capability_release: OperatingCapability
    planned: PlannedDates | None
    equivalence: Equivalence | None
    mtad_route: bool
    tab_mt_completed_version: int | None
    panel_mt_completed: bool | None
    rounds: list[TestingRound]
    executions: list[Execution]
    issues: dict[str, IssueRecord]
    blocking_defect_versions: list[int]
    acts: list[EntryAct]
    round: int
    completions: list[Completion]
    draft: DraftReport | None
    provisions: list[Provision]
    no_referrals: dict[tuple[int, str], int]
    referrals: list[SupplierReferral]
    tag_determinations: list[TagDetermination]
    epcl_report: EpclReport | None

    def init_records(self) -> None:
        self.mtad_route, self.tab_mt_completed_version, self.panel_mt_completed = False, None, None
        self.rounds, self.executions, self.issues, self.blocking_defect_versions = [], [], {}, []
        self.acts, self.round, self.completions, self.draft = [], 0, [], None
        self.provisions, self.no_referrals, self.referrals, self.tag_determinations = [], {}, [], []
        self.epcl_report = None

    # -- completion and the draft report (§20.31-20.35) ---------------------------------------------
    def complete_testing(
        self, all_tests_executed: bool, thresholds_exceeded: bool, *,
        not_possible: NotPossibleReason | str | None = None, threshold_snapshot_ref: str | None = None,
        **context: Any,
    ) -> None:
        """Testing has completed: the outcome follows from the facts (``completion_outcome``: every
        test executed, issues through §20.20-20.27, Table 20.1 thresholds exceeded per the snapshot
        ``threshold_snapshot_ref``, the Panel's MT determination; or a §20.33(b) reason). Raises:
        all_tests_executed, not_possible, status (testing has not completed)."""
        self._allow(_C.COMPLETE_TESTING)
        executed = require_bool("all_tests_executed", all_tests_executed, self.label)
        exceeded = require_bool("thresholds_exceeded", thresholds_exceeded, self.label)
        reason = None if not_possible is None else require_enum(
            NotPossibleReason, "not_possible", not_possible, self.label)
        awaiting_mt = self.status is DmctStatus.AWAITING_MT_UNDER_MTAD
        if awaiting_mt and reason is not NotPossibleReason.MT_NOT_COMPLETABLE:
            raise self._refuse("not_possible",
                               "testing has not started: only Migration Testing that cannot be "
                               "completed (§20.33(b)) ends it now")
        outcome, basis = completion_outcome(
            all_tests_executed=executed, thresholds_exceeded=exceeded,
            pending_issues=self.issues_under_resolution,
            mtad_route=self.mtad_route, panel_mt_completed=self.panel_mt_completed, not_possible=reason,
            blocking_agreed=bool(self.blocking_defect_versions))
        self._transit(_C.COMPLETE_TESTING, ev.DmctTestingCompleted, context, case=outcome.value,
                      outcome=outcome.value, basis=list(basis), all_tests_executed=executed,
                      thresholds_exceeded=exceeded, not_possible=None if reason is None else reason.value,
                      threshold_snapshot_ref=optional_text("threshold_snapshot_ref", threshold_snapshot_ref,
                                                           self.label))

    def produce_draft_report(
        self, report_ref: str, report_sha256: str, environment_version: str, tests: list[ReportedTest],
        open_issues: list[ReportedIssue], excluded_issues: list[ReportedIssue], rerun_approach: str,
        work_off_plan_ids: list[str], statement: str, *, migration_completion_report_ref: str | None = None,
        **context: Any,
    ) -> None:
        """The draft DMCT Testing Report (§20.34 successful, §20.35 unsuccessful): (a) environment
        version, (b)(c) tests and latest results, (d)(g) open issues with severity rationale and
        Work Off Plans, (e) re-run approach, (f) excluded issues with rationale (§20.29(a)),
        (i) the statement why. Raises: tests, open_issues, excluded_issues (malformed or repeated)."""
        self._allow(_C.PRODUCE_DRAFT_REPORT)
        self._transit(
            _C.PRODUCE_DRAFT_REPORT, ev.DraftDmctTestingReportProduced, context,
            report_ref=require_text("report_ref", report_ref, self.label),
            report_sha256=require_sha256("report_sha256", report_sha256, self.label),
            environment_version=require_text("environment_version", environment_version, self.label),
            tests=self._tests(tests), open_issues=self._issues_reported("open_issues", open_issues),
            excluded_issues=self._issues_reported("excluded_issues", excluded_issues),
            rerun_approach=require_text("rerun_approach", rerun_approach, self.label),
            work_off_plan_ids=require_names("work_off_plan_ids", work_off_plan_ids, self.label,
                                            required=False),
            statement=require_text("statement", statement, self.label),
            migration_completion_report_ref=optional_text(
                "migration_completion_report_ref", migration_completion_report_ref, self.label))

    def submit_issues_to_tag(
        self, open_issue_ids: list[str], excluded_issue_ids: list[str], thresholds_exceeded: bool,
        **context: Any
    ) -> None:
        """The DCC gives TAG the open issues with their severities and whether the thresholds are
        exceeded (§20.30), and the issues it proposes to exclude with its rationale (§20.29(b))."""
        self._allow(_C.SUBMIT_ISSUES_TO_TAG)
        self._transit(_C.SUBMIT_ISSUES_TO_TAG, ev.OpenIssuesSubmittedToTag, context, detail={
            "open_issue_ids": require_names("open_issue_ids", open_issue_ids, self.label, required=False),
            "excluded_issue_ids": require_names("excluded_issue_ids", excluded_issue_ids, self.label,
                                                required=False),
            "thresholds_exceeded": require_bool("thresholds_exceeded", thresholds_exceeded, self.label)})

    # -- Supplier and TAG review (§20.36-20.39) -------------------------------------------------------
    def provide_draft_report(self, suppliers: list[str], provided_on: date, **context: Any) -> None:
        """The draft is made available to ``suppliers`` on ``provided_on`` (M10 notice plus their
        §20.2 contacts, §20.36); each Supplier's 10 Working Day §20.37 window runs from that date
        (A40) and is stored. Raises: status (no draft yet), suppliers (provided already)."""
        self._allow(_C.PROVIDE_DRAFT_REPORT)
        if self.current_draft is None:
            raise self._refuse("status",
                               "no draft DMCT Testing Report has been produced since completion (§20.31)")
        names = require_names("suppliers", suppliers, self.label)
        if again := sorted(set(names) & {p.supplier for p in self.current_provisions}):
            raise self._refuse("suppliers", f"the draft was provided to {', '.join(again)} already")
        day = require_date("provided_on", provided_on, self.label)
        self._transit(_C.PROVIDE_DRAFT_REPORT, ev.DraftReportProvided, context, suppliers=names,
                      provided_on=day.isoformat(), deadlines={s: window(day, REFERRAL_WINDOW) for s in names})

    def record_supplier_no_referral(self, supplier: str, **context: Any) -> None:
        """``supplier`` confirms it will not refer the draft to the SoS (§20.39(a)). Raises: supplier."""
        self._allow(_C.RECORD_SUPPLIER_NO_REFERRAL)
        who = self._recipient(supplier)
        if (self.round, who) in self.no_referrals or any(r.supplier == who for r in self.current_referrals):
            raise self._refuse("supplier", f"{who} has already confirmed or referred")
        self._transit(_C.RECORD_SUPPLIER_NO_REFERRAL, ev.SupplierConfirmedNoReferral, context, supplier=who)

    def record_supplier_referral(
        self, supplier: str, grounds: list[str], arguments: str, *, matter_id: str | None = None,
        **context: Any
    ) -> None:
        """``supplier``, having received the draft, refers it to the SoS on ``grounds`` (§20.37(a)
        re-run approach, (b) exclusion, (c) severity) with its arguments; ``matter_id`` its R36
        matter. A referral after its window is recorded and flagged. Raises: supplier, grounds."""
        self._allow(_C.RECORD_SUPPLIER_REFERRAL)
        who = self._recipient(supplier)
        if any(r.supplier == who for r in self.current_referrals):
            raise self._refuse("supplier", f"{who} has already referred this draft")
        provision = next(p for p in self.current_provisions if p.supplier == who)
        self._transit(_C.RECORD_SUPPLIER_REFERRAL, ev.SupplierReferredDraftReport, context, supplier=who,
                      grounds=[g.value for g in require_enums(ReferralGround, "grounds", grounds,
                                                              self.label)],
                      arguments=require_text("arguments", arguments, self.label),
                      matter_id=optional_text("matter_id", matter_id, self.label),
                      deadline=provision.deadline.as_json())

    def record_tag_different_determination(
        self, grounds: list[str], issue_ids: list[str], flips_to_unsuccessful: bool, **context: Any
    ) -> None:
        """TAG would determine severities (§20.38(a)) or exclusions (b) of ``issue_ids`` differently,
        and says whether that turns the successful draft unsuccessful. Raises: flips_to_unsuccessful
        (the draft is not successful)."""
        self._allow(_C.RECORD_TAG_DIFFERENT_DETERMINATION)
        flips = require_bool("flips_to_unsuccessful", flips_to_unsuccessful, self.label)
        if flips and (self.completion is None or self.completion.outcome is not CompletionOutcome.SUCCESSFUL):
            raise self._refuse("flips_to_unsuccessful",
                               "only a successful outcome can turn unsuccessful (§20.38)")
        self._transit(_C.RECORD_TAG_DIFFERENT_DETERMINATION, ev.TagDifferentDeterminationRecorded, context,
                      grounds=[g.value for g in require_enums(TagGround, "grounds", grounds, self.label)],
                      issue_ids=require_names("issue_ids", issue_ids, self.label),
                      flips_to_unsuccessful=flips)

    def record_tag_review_concluded(self, **context: Any) -> None:
        """TAG concluded its §20.38 review of the draft (A42)."""
        self._allow(_C.RECORD_TAG_REVIEW_CONCLUDED)
        self._transit(_C.RECORD_TAG_REVIEW_CONCLUDED, ev.TagReviewConcluded, context, detail={})

    def elect_continue_testing(self, notified_suppliers: list[str], **context: Any) -> None:
        """After a TAG view turning success to failure, the DCC continues testing (§20.13 onwards)
        and tells the Suppliers given the draft (§20.38(c)). Raises: status, notified_suppliers."""
        self._allow(_C.ELECT_CONTINUE_TESTING)
        self._require_flipping_view()
        told = require_names("notified_suppliers", notified_suppliers, self.label, required=False)
        if strangers := sorted(set(told) - {p.supplier for p in self.current_provisions}):
            raise self._refuse("notified_suppliers", f"{', '.join(strangers)} were not given the draft")
        self._transit(_C.ELECT_CONTINUE_TESTING, ev.DccElectedContinueTesting, context,
                      detail={"notified_suppliers": told})

    def refer_report_to_sos(self, *, matter_id: str | None = None, **context: Any) -> None:
        """After such a TAG view the DCC refers the draft to the SoS (§20.38(d); R37). Raises: status."""
        self._allow(_C.REFER_REPORT_TO_SOS)
        self._require_flipping_view()
        self._transit(_C.REFER_REPORT_TO_SOS, ev.DccReferredDraftReport, context,
                      detail={"matter_id": optional_text("matter_id", matter_id, self.label)})

    def deem_final(self, *, final_report_sha256: str | None = None, **context: Any) -> None:
        """The draft, updated as necessary (``final_report_sha256``), is deemed final (§20.39).
        Raises ``status`` while a Supplier that was given it has neither confirmed it will not refer
        nor seen its 10 Working Days lapse by ``occurred_at``, or while a TAG view would turn a
        successful draft unsuccessful."""
        self._allow(_C.DEEM_FINAL)
        at = stamp(context["occurred_at"])
        if open_ := [f"{p.supplier} (until {p.deadline.ends_at.isoformat()})" for p in self.current_provisions
                     if (self.round, p.supplier) not in self.no_referrals and is_within(p.deadline, at)]:
            raise self._refuse("status", f"§20.37 windows still open: {', '.join(open_)} (§20.39(a))")
        if flipping := self.flipping_tag_views:
            raise self._refuse("status", f"TAG's view (event {flipping[-1].version}) would turn the draft "
                               "unsuccessful: continue testing or refer (§20.38, §20.39(b)(c))")
        draft = self.current_draft
        assert draft is not None  # S26 follows a provision, which needs the draft
        self._transit(_C.DEEM_FINAL, ev.DmctTestingReportDeemedFinal, context, case=draft.outcome.value,
                      detail={
            "outcome": draft.outcome.value,
            "final_report_sha256": optional_sha256("final_report_sha256", final_report_sha256, self.label)})

    def record_sos_report_determination(
        self, outcome: SosReportOutcome | str, *, updated_report_sha256: str | None = None, **context: Any
    ) -> None:
        """The SoS's final determination of the referred draft (§20.40): (a) agrees, final as drafted;
        (b) successful after all, updated and final; (c)(i) unsuccessful or more tests, updated and
        final; (c)(ii) testing continues. Raises: outcome ((b) on a successful draft)."""
        self._allow(_C.RECORD_SOS_REPORT_DETERMINATION)
        which = require_enum(SosReportOutcome, "outcome", outcome, self.label)
        draft = self.current_draft
        assert draft is not None
        if which is SosReportOutcome.B and draft.outcome is CompletionOutcome.SUCCESSFUL:
            raise self._refuse("outcome",
                               "(b) turns an unsuccessful draft successful; this draft is successful")
        case = f"a_{draft.outcome.value}" if which is SosReportOutcome.A else which.value
        self._transit(_C.RECORD_SOS_REPORT_DETERMINATION, ev.SosReportDeterminationRecorded, context,
                      case=case,
                      detail={"outcome": which.value, "updated_report_sha256": optional_sha256(
                          "updated_report_sha256", updated_report_sha256, self.label)})

    # -- the DMCT EPCL Report (§20.41-20.43) ------------------------------------------------------------
    def await_relied_report(self, relied_entry_id: str, **context: Any) -> None:
        """A d(iii) equivalence: the EPCL Report waits for ``relied_entry_id``'s final DMCT Testing
        Report (§20.41). Raises: relied_entry_id (the entry does not rest on d(iii))."""
        self._allow(_C.AWAIT_RELIED_REPORT)
        if self.equivalence is None or self.equivalence.basis is not EquivalenceBasis.D_III:
            raise self._refuse("relied_entry_id",
                               "only a §20.6(d)(iii) equivalence waits for a relied-upon report")
        self._transit(_C.AWAIT_RELIED_REPORT, ev.RelianceOnReportAwaited, context,
                      detail={"relied_entry_id": require_text("relied_entry_id", relied_entry_id,
                                                              self.label)})

    def produce_epcl_report(
        self, report_id: str, entry_ids: list[str], report_sha256: str, *,
        relied_reports: list[str] | None = None,
        **context: Any,
    ) -> None:
        """A DMCT EPCL Report proposing the entry, possibly with others (``entry_ids``, §20.42), on a
        final successful report (§20.41(b)(i)) or on ``relied_reports`` (prior final reports or other
        Completion Reports, §20.41(b)(ii)). Raises: entry_ids (this entry not among them)."""
        self._allow(_C.PRODUCE_EPCL_REPORT)
        ids = require_names("entry_ids", entry_ids, self.label)
        if self.entry_id not in ids:
            raise self._refuse("entry_ids", f"a report for this entry names it ({self.entry_id!r})")
        basis = "20.41(b)(i)" if self.status is DmctStatus.FINAL_SUCCESSFUL else "20.41(b)(ii)"
        self._transit(_C.PRODUCE_EPCL_REPORT, ev.DmctEpclReportProduced, context,
                      report_id=require_text("report_id", report_id, self.label), entry_ids=ids,
                      report_sha256=require_sha256("report_sha256", report_sha256, self.label), basis=basis,
                      relied_reports=require_names("relied_reports", relied_reports or [], self.label,
                                                   required=False))

    def publish_epcl_report(self, published_on: date, redacted: bool, notified: list[str],
                            **context: Any) -> None:
        """The report, anonymised and redacted where appropriate, is published on the DCC Website
        on ``published_on`` and ``notified`` told (§20.43: Panel, SoS, Authority, SEC Parties)."""
        self._allow(_C.PUBLISH_EPCL_REPORT)
        self._transit(_C.PUBLISH_EPCL_REPORT, ev.DmctEpclReportPublished, context,
                      published_on=require_date("published_on", published_on, self.label).isoformat(),
                      redacted=require_bool("redacted", redacted, self.label),
                      notified=require_recipients("notified", notified, self.label))

    # -- checks -----------------------------------------------------------------------------------------
    def _recipient(self, supplier: str) -> str:
        who = require_text("supplier", supplier, self.label)
        if who not in {p.supplier for p in self.current_provisions}:
            raise self._refuse("supplier", f"{who} was not given the draft DMCT Testing Report (§20.36)")
        return who

    def _require_flipping_view(self) -> None:
        if not self.flipping_tag_views:
            raise self._refuse("status", "no TAG view would turn the successful draft unsuccessful (§20.38)")

    def _tests(self, tests: list[ReportedTest]) -> list[dict[str, Any]]:
        found = [t if isinstance(t, ReportedTest) else None for t in tests]
        if None in found or len({t.test_id for t in tests}) != len(tests):
            raise self._refuse("tests", "list each test of the pack once, as a ReportedTest")
        for t in tests:
            require_text("tests", t.test_id, self.label)
            require_enum(TestResult, "tests", t.result, self.label)
            if isinstance(t.runs, bool) or not isinstance(t.runs, int) or t.runs < 0:
                raise self._refuse("tests", f"{t.test_id!r}: runs must be a whole number from 0")
        return [{"test_id": t.test_id, "runs": t.runs, "result": t.result} for t in tests]

    def _issues_reported(self, field: str, issues: list[ReportedIssue]) -> list[dict[str, Any]]:
        malformed = any(not isinstance(i, ReportedIssue) for i in issues)
        if malformed or len({i.issue_id for i in issues}) != len(issues):
            raise self._refuse(field, "list each Testing Issue once, as a ReportedIssue")
        for i in issues:
            require_text(field, i.issue_id, self.label)
            require_text(field, i.rationale, self.label)
            if isinstance(i.severity, bool) or i.severity not in range(1, 6):
                raise self._refuse(field, f"{i.issue_id!r}: severity must be 1-5, got {i.severity!r}")
        return [{"issue_id": i.issue_id, "severity": i.severity, "rationale": i.rationale} for i in issues]

    # -- queries ----------------------------------------------------------------------------------------
    @property
    def completion(self) -> Completion | None:
        """The latest completion (§20.32/§20.33), if any."""
        return self.completions[-1] if self.completions else None

    @property
    def issues_under_resolution(self) -> list[str]:
        """DMCT Testing Issues recommended an option and not yet through §20.20-20.27."""
        return [i.issue_id for i in self.issues.values() if i.under_resolution]

    @property
    def current_draft(self) -> DraftReport | None:
        """The draft produced since the latest completion, if any."""
        return self.draft if self.draft is not None and self.draft.round == self.round else None

    @property
    def current_provisions(self) -> list[Provision]:
        return [p for p in self.provisions if p.round == self.round]

    @property
    def current_referrals(self) -> list[SupplierReferral]:
        return [r for r in self.referrals if r.round == self.round]

    @property
    def flipping_tag_views(self) -> list[TagDetermination]:
        """TAG views of this round that would turn the successful draft unsuccessful (§20.38)."""
        return [t for t in self.tag_determinations if t.round == self.round and t.flips_to_unsuccessful]

    def acts_of(self, kind: type[DmctEvent]) -> list[EntryAct]:
        """The recorded acts of event class ``kind`` (e.g. ``DmctProcessPaused``)."""
        return [a for a in self.acts if a.kind == kind.__name__]


__all__ = ["EntryReports"]
