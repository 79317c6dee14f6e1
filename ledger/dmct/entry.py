"""A planned EPCL entry in the DMCT Process (§20.9-20.43; catalogue 3.8 M13-M58, 8.1 S07, S14-S32).

One aggregate per planned EPCL entry (uuid5 ``akledger:dmct-entry:{entry_id}``): a DMC, an
installation type (dormant-only, active, mixed), a Capability Release and a SMETS1 SMSO (catalogue
2.5). It is scheduled (§20.9, S14), or rests on substantive equivalence (§20.6(d), S07: no testing,
a DMCT EPCL Report all the same, §20.41); it leaves the schedule for S07 when the SoS directs the
removal of testing forced by a §20.12(a) disagreement (§20.12A). It plans a test pack per kind of
testing (DMCT MT, DMCT SRVT: ``test_packs``, §20.14-20.17). Its status follows
``ledger.rules.dmct_statuses``: dormant-only suffices (S15), the MTAD route and the TAB's MT
determination (§20.14), testing on an environment (§20.18, TAG's consent to alternates), test
runs with evidence, pause and recommence (§20.21), DMCT Testing Issues and the §20.20 options
with the SoS's outcomes (§20.22-20.27), insufficient devices (§20.19); then completion, the draft
report, the Supplier and TAG review, the final report and the DMCT EPCL Report
(``ledger.dmct.entry_reports``).

Structural rules (``InvalidDmctEventError`` naming the field; nothing is written): the command is
allowed from the status (the message names it and the commands allowed next); keys and names
given; dates ordered; test packs by testing (each testing and pack once) or one pack, or the
non-standard rationale; run numbers per test 1, 2, 3 ...; an issue step names a recorded issue
whose recommended option fits the step; option (c) names its device change. Checks against its
DMC and what a command names (the DMC scheduled, the Testing Issue recorded naming the entry,
A58) run on the command path (``ledger.dmct.cross_checks``). Compliance is flagged by
``ledger.dmct.findings``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, ClassVar
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from ledger.dmct import entry_events as ev
from ledger.dmct.entry_reports import EntryReports
from ledger.dmct.entry_values import Equivalence, IssueRecord, PlannedDates, planned_packs
from ledger.dmct.lifecycle import DmctEvent
from ledger.dmct.schedule_values import InstallationType, PlannedPack, ordered_packs, pack_problem
from ledger.dmct.values import (
    DeviceChange,
    EquivalenceBasis,
    IssueOption,
    fail,
    optional_text,
    require_bool,
    require_date,
    require_decider,
    require_enum,
    require_names,
    require_positive,
    require_recipients,
    require_sha256,
    require_text,
    stamp,
)
from ledger.planned_test_values import TestResult
from ledger.rules.dmct_statuses import DmctCommand, DmctLevel, DmctStatus
from ledger.rules.phase_kinds import OperatingCapability
from ledger.rules.roles import Role

_C = DmctCommand


def _packs(test_packs: Sequence[PlannedPack], test_pack_id: str | None, whose: str) -> dict[str, str] | None:
    """The packs by testing (§20.15, §20.17) as the event stores them, in ``DmctTesting`` order.
    Raises: test_packs (malformed, a testing or pack twice), test_pack_id (both forms given)."""
    if problem := pack_problem(test_packs, test_pack_id):
        field = "test_pack_id" if problem.endswith("not both") else "test_packs"
        raise fail(field, f"{whose}: {problem}")
    return {p.testing.value: p.pack_id for p in ordered_packs(test_packs)} or None


def _dates(planned_start: date, planned_completion: date, test_pack_id: str | None,
           non_standard_rationale: str | None, schedule_version: int | None, whose: str,
           test_packs: Sequence[PlannedPack] = ()) -> dict[str, Any]:
    start = require_date("planned_start", planned_start, whose)
    end = require_date("planned_completion", planned_completion, whose)
    if end < start:
        raise fail("planned_completion", f"{whose}: {end} is before planned_start {start}")
    packs = _packs(test_packs, test_pack_id, whose)
    if test_pack_id is None and packs is None and non_standard_rationale is None:
        raise fail("test_pack_id",
                   f"{whose}: give the test packs (§20.9(b)) or the non-standard rationale (§20.9(c))")
    return {"planned_start": start.isoformat(), "planned_completion": end.isoformat(),
            "test_pack_id": optional_text("test_pack_id", test_pack_id, whose),
            "non_standard_rationale": optional_text("non_standard_rationale", non_standard_rationale, whose),
            "schedule_version": None if schedule_version is None else require_positive(
                "schedule_version", schedule_version, whose),
            "test_packs": packs}


def _key(entry_id: str, dmc_id: str, installation_type: InstallationType | str,
         capability_release: OperatingCapability | str, smso: str) -> dict[str, Any]:
    whose = f"DMCT entry {entry_id!r}"
    kind = require_enum(InstallationType, "installation_type", installation_type, whose)
    return {"entry_id": require_text("entry_id", entry_id, whose),
            "dmc_id": require_text("dmc_id", dmc_id, whose), "installation_type": kind.value,
            "capability_release": require_enum(
                OperatingCapability, "capability_release", capability_release, whose).value,
            "smso": require_text("smso", smso, whose)}


class DmctEntry(EntryReports, Aggregate):
    """One planned EPCL entry in the DMCT Process; its id derives from the entry id."""

    UNIT: ClassVar[DmctLevel] = DmctLevel.ENTRY

    @classmethod
    def create_id(cls, entry_id: str, **_: object) -> UUID:
        return uuid5(NAMESPACE_URL, f"akledger:dmct-entry:{entry_id}")

    @classmethod
    def schedule(
        cls, entry_id: str, dmc_id: str, installation_type: InstallationType | str,
        capability_release: OperatingCapability | str, smso: str, planned_start: date,
        planned_completion: date,
        *, test_pack_id: str | None = None, non_standard_rationale: str | None = None,
        schedule_version: int | None = None, test_packs: Sequence[PlannedPack] = (), **context: Any,
    ) -> DmctEntry:
        """The entry is in the DMCT Schedule (published as ``schedule_version``) with its dates and
        test packs, by the testing each is for (``test_packs``: DMCT MT and DMCT SRVT, §20.14-20.17;
        or one ``test_pack_id``), or the rationale for a non-standard pack (§20.9(a)-(c)). Raises:
        the key fields, planned_completion (before the start), test_pack_id (neither pack nor
        rationale, or both forms), test_packs."""
        key = _key(entry_id, dmc_id, installation_type, capability_release, smso)
        dates = _dates(planned_start, planned_completion, test_pack_id, non_standard_rationale,
                       schedule_version, f"DMCT entry {entry_id!r}", test_packs)
        clauses = list(context.get("clauses") or ("20.9", "20.10"))
        return cls(**key, planned=dates, equivalence=None, **{**context, "clauses": clauses})

    @classmethod
    def plan_on_equivalence(
        cls, entry_id: str, dmc_id: str, installation_type: InstallationType | str,
        capability_release: OperatingCapability | str, smso: str, equivalence_basis: EquivalenceBasis | str,
        equivalent_to: str, **context: Any,
    ) -> DmctEntry:
        """The entry is not tested: substantively equivalent to ``equivalent_to`` under §20.6(d)(i),
        (ii) or (iii); a DMCT EPCL Report is still required (§20.41)."""
        key = _key(entry_id, dmc_id, installation_type, capability_release, smso)
        whose = f"DMCT entry {entry_id!r}"
        basis = require_enum(EquivalenceBasis, "equivalence_basis", equivalence_basis, whose).value
        equivalence = {"basis": basis, "equivalent_to": require_text("equivalent_to", equivalent_to, whose)}
        clauses = list(context.get("clauses") or ("20.6(d)", "20.41"))
        return cls(**key, planned=None, equivalence=equivalence, **{**context, "clauses": clauses})

    # -- the schedule (§20.9, §20.14) ---------------------------------------------------------------
    def reschedule(
        self, planned_start: date, planned_completion: date, *, test_pack_id: str | None = None,
        non_standard_rationale: str | None = None, schedule_version: int | None = None,
        test_packs: Sequence[PlannedPack] = (), **context: Any,
    ) -> None:
        """Scheduled anew after its DMC came back through a §20.2 submission (S21-S23 -> S14)."""
        self._allow(_C.RESCHEDULE)
        self._transit(_C.RESCHEDULE, ev.DmctEntryRescheduled, context, **_dates(
            planned_start, planned_completion, test_pack_id, non_standard_rationale, schedule_version,
            self.label, test_packs))

    def revise_dates(
        self, planned_start: date, planned_completion: date, *, schedule_version: int | None = None,
        **context: Any
    ) -> None:
        """Revised planned dates, same pack (§20.9; §20.22 revised completion dates)."""
        self._allow(_C.REVISE_DATES)
        pack = self.planned
        if pack is None:
            raise self._refuse("status", "an entry resting on equivalence has no planned dates")
        packs = pack.test_packs
        self._transit(_C.REVISE_DATES, ev.DmctEntryDatesRevised, context, **_dates(
            planned_start, planned_completion, pack.test_pack_id, pack.non_standard_rationale,
            schedule_version, self.label, packs))

    def remove_from_schedule(
        self, equivalence_basis: EquivalenceBasis | str, equivalent_to: str, *,
        schedule_version: int | None = None, **context: Any,
    ) -> None:
        """The SoS directed that testing included under §20.12(a) be removed (§20.12A; recorded on
        the ``DmctDmc``): the entry leaves the DMCT Schedule (``schedule_version``: the publication
        without it) and rests again on the DMC's §20.6(d) basis, ``equivalence_basis`` and
        ``equivalent_to``, so a DMCT EPCL Report follows (§20.41; S07, then S30/S31). Testing begun
        meanwhile ends. Raises: equivalence_basis, equivalent_to, schedule_version."""
        self._allow(_C.REMOVE_FROM_SCHEDULE)
        basis = require_enum(EquivalenceBasis, "equivalence_basis", equivalence_basis, self.label).value
        self._transit(_C.REMOVE_FROM_SCHEDULE, ev.DmctEntryRemovedFromSchedule, context, detail={
            "equivalence_basis": basis,
            "equivalent_to": require_text("equivalent_to", equivalent_to, self.label),
            "schedule_version": None if schedule_version is None else require_positive(
                "schedule_version", schedule_version, self.label)})

    def record_dormant_suffices(self, dormant_entry_id: str, rationale: str, **context: Any) -> None:
        """This Active or mixed entry is not tested: testing ``dormant_entry_id`` (the DMC's
        dormant-only entry) suffices (§20.9, A52). Raises: dormant_entry_id (this entry is dormant-only)."""
        self._allow(_C.RECORD_DORMANT_SUFFICES)
        if self.installation_type is InstallationType.DORMANT_ONLY or dormant_entry_id == self.entry_id:
            raise self._refuse("dormant_entry_id",
                               "only an Active or mixed entry relies on a dormant-only one")
        detail = {"dormant_entry_id": require_text("dormant_entry_id", dormant_entry_id, self.label),
                  "rationale": require_text("rationale", rationale, self.label)}
        self._transit(_C.RECORD_DORMANT_SUFFICES, ev.DormantEntrySuffices, context, detail=detail)

    def notify_mtad_route(self, rationale: str, **context: Any) -> None:
        """The DCC tells TAG, with its rationale, that Migration Testing follows the MTAD (§20.14)."""
        self._allow(_C.NOTIFY_MTAD_ROUTE)
        self._transit(_C.NOTIFY_MTAD_ROUTE, ev.MtadRouteNotifiedToTag, context,
                      detail={"rationale": require_text("rationale", rationale, self.label)})

    def record_tab_mt_completion(self, *, mt_phase_id: str | None = None, **context: Any) -> None:
        """The TAB determined the MTAD Migration Test Phase (``mt_phase_id``) complete (§20.14)."""
        self._allow(_C.RECORD_TAB_MT_COMPLETION)
        self._transit(_C.RECORD_TAB_MT_COMPLETION, ev.TabMtCompletionRecorded, context,
                      detail={"mt_phase_id": optional_text("mt_phase_id", mt_phase_id, self.label)})

    def record_panel_mt_determination(self, completed: bool, *, mt_phase_id: str | None = None,
                                      **context: Any) -> None:
        """The Panel determined whether that phase completed (§20.32(c), §20.33(a)(iv); A27).
        Raises: status (not on the MTAD route)."""
        self._allow(_C.RECORD_PANEL_MT_DETERMINATION)
        if not self.mtad_route:
            raise self._refuse("status", "Migration Testing is not under the MTAD for this entry (§20.14)")
        self._transit(_C.RECORD_PANEL_MT_DETERMINATION, ev.PanelMtDeterminationRecorded, context, detail={
            "completed": require_bool("completed", completed, self.label),
            "mt_phase_id": optional_text("mt_phase_id", mt_phase_id, self.label)})

    # -- testing (§20.13-20.21) ----------------------------------------------------------------------
    def start_testing(
        self, environment: str, environment_version: str, *, alternate_environment: bool = False,
        tag_consent_ref: str | None = None, **context: Any,
    ) -> None:
        """Testing starts on ``environment`` at ``environment_version``: DMCT MT and SRVT, or SRVT
        only on the MTAD route. ``alternate_environment``: not the versions closest to production at
        migration eligibility, which needs TAG's agreement (``tag_consent_ref``, §20.18); without it,
        or before the TAB's MT determination (§20.14), it is recorded and flagged."""
        self._allow(_C.START_TESTING)
        self._transit(
            _C.START_TESTING, ev.DmctTestingStarted, context,
            environment=require_text("environment", environment, self.label),
            environment_version=require_text("environment_version", environment_version, self.label),
            alternate_environment=require_bool("alternate_environment", alternate_environment, self.label),
            tag_consent_ref=optional_text("tag_consent_ref", tag_consent_ref, self.label),
            srvt_only=self.mtad_route,
            before_tab_determination=self.status is DmctStatus.AWAITING_MT_UNDER_MTAD)

    def record_execution(
        self, test_id: str, run: int, result: TestResult | str, run_evidence_sha256: str, *,
        environment_version: str | None = None, **context: Any,
    ) -> None:
        """Run ``run`` of ``test_id`` (1 for the first, then each re-run), its result and the SHA-256
        of its evidence. Raises: test_id, run (not the next run), result, run_evidence_sha256."""
        self._allow(_C.RECORD_EXECUTION)
        test = require_text("test_id", test_id, self.label)
        expected = 1 + sum(1 for e in self.executions if e.test_id == test)
        if require_positive("run", run, self.label) != expected:
            raise self._refuse("run", f"{test!r} has had {expected - 1} runs: the next is run {expected}")
        self._transit(_C.RECORD_EXECUTION, ev.DmctTestExecuted, context, test_id=test, run=run,
                      result=require_enum(TestResult, "result", result, self.label).value,
                      run_evidence_sha256=require_sha256("run_evidence_sha256", run_evidence_sha256,
                                                         self.label),
                      environment_version=optional_text("environment_version", environment_version,
                                                        self.label))

    def pause(self, *, weekly_report_ref: str | None = None, **context: Any) -> None:
        """The DCC pauses the DMCT Process for the entry, informing the Panel and SoS in the §16.1
        report ``weekly_report_ref`` (§20.21; none named is flagged)."""
        self._allow(_C.PAUSE)
        self._transit(_C.PAUSE, ev.DmctProcessPaused, context, detail={
            "weekly_report_ref": optional_text("weekly_report_ref", weekly_report_ref, self.label)})

    def recommence(self, *, weekly_report_ref: str | None = None, **context: Any) -> None:
        """The DCC recommences it (§20.21): testing (S17), or an issue still under resolution (S19)."""
        self._allow(_C.RECOMMENCE)
        self._transit(_C.RECOMMENCE, ev.DmctProcessRecommenced, context,
                      case="pending" if self.issues_under_resolution else "settled",
                      detail={"weekly_report_ref": optional_text("weekly_report_ref", weekly_report_ref,
                                                                 self.label)})

    def record_insufficient_devices(self, **context: Any) -> None:
        """Devices are no longer sufficient: the DCC is relieved (§20.19; notices on ``DmctDmc``)."""
        self._allow(_C.RECORD_INSUFFICIENT_DEVICES)
        self._transit(_C.RECORD_INSUFFICIENT_DEVICES, ev.EntryRelievedInsufficientDevices, context, detail={})

    # -- DMCT Testing Issues (§20.20-20.27, §20.33(b)) -----------------------------------------------
    def record_testing_issue(self, issue_id: str, **context: Any) -> None:
        """DMCT Testing Issue ``issue_id`` (a ``TestingIssue``, A58) arose testing the entry (§20.20)."""
        self._allow(_C.RECORD_TESTING_ISSUE)
        if require_text("issue_id", issue_id, self.label) in self.issues:
            raise self._refuse("issue_id", f"Testing Issue {issue_id!r} is recorded already")
        self._transit(_C.RECORD_TESTING_ISSUE, ev.DmctTestingIssueRecorded, context, issue_id=issue_id)

    def recommend_option(
        self, issue_id: str, option: IssueOption | str, stakeholders: list[str], notified: list[str], *,
        device_change: DeviceChange | str | None = None, **context: Any,
    ) -> None:
        """Having discussed it with ``stakeholders``, the DCC recommends option (a)-(d) (again, after
        §20.23, §20.26 or §20.27) and notifies ``notified`` (§20.20: stakeholders, Panel, Authority,
        SoS). Option (c) names the ``device_change`` (§20.25). Raises: issue_id, device_change."""
        self._allow(_C.RECOMMEND_OPTION)
        self._issue(issue_id)
        which = require_enum(IssueOption, "option", option, self.label)
        if (which is IssueOption.C) != (device_change is not None):
            raise self._refuse("device_change", "named for option (c), and only for it (§20.25)")
        change = None if device_change is None else require_enum(
            DeviceChange, "device_change", device_change, self.label).value
        self._transit(_C.RECOMMEND_OPTION, ev.IssueOptionRecommended, context, issue_id=issue_id,
                      option=which.value, device_change=change,
                      stakeholders=require_names("stakeholders", stakeholders, self.label, required=False),
                      notified=require_recipients("notified", notified, self.label))

    def announce_option_a_path(self, issue_id: str, material_impact: bool, announced_to: list[str],
                               **context: Any) -> None:
        """The DCC tells ``announced_to`` in advance whether it follows §20.22(a) (no material impact
        on timescales) or (b) (material impact)."""
        self._issue_step(_C.ANNOUNCE_OPTION_A_PATH, ev.OptionAPathAnnounced, issue_id, IssueOption.A, context,
                         material_impact=require_bool("material_impact", material_impact, self.label),
                         announced_to=require_recipients("announced_to", announced_to, self.label))

    def record_sos_direction_otherwise(self, issue_id: str, direction: str, **context: Any) -> None:
        """The SoS directs an alternative course of action under §20.22(b)."""
        self._issue_step(_C.RECORD_SOS_DIRECTION_OTHERWISE, ev.SosDirectedOtherwise, issue_id, IssueOption.A,
                         context, direction=require_text("direction", direction, self.label))

    def record_internal_change_progressed(self, issue_id: str, *, revised_completion: date | None = None,
                                          **context: Any) -> None:
        """Option (a) done: the change progressed per H8.9-H8.12, the pack re-run, the completion
        date revised (§20.22)."""
        when = None if revised_completion is None else require_date(
            "revised_completion", revised_completion, self.label).isoformat()
        self._issue_step(_C.RECORD_INTERNAL_CHANGE_PROGRESSED, ev.InternalChangeProgressed, issue_id,
                         IssueOption.A, context, revised_completion=when)

    def record_sos_consultation_opinion(self, issue_id: str, consult: bool, **context: Any) -> None:
        """The SoS's opinion whether the option (b) Code change should be consulted on (§20.23)."""
        self._issue_step(_C.RECORD_SOS_CONSULTATION_OPINION, ev.SosConsultationOpinionRecorded, issue_id,
                         IssueOption.B, context, consult=require_bool("consult", consult, self.label))

    def record_option_b_approach(
        self, issue_id: str, decided_by: Role | str, approach_sha256: str, users_required: bool, *,
        matter_id: str | None = None, **context: Any,
    ) -> None:
        """The testing approach (§20.23(a)(b)) agreed by TAG, or determined by the SoS on referral
        (§20.24; ``matter_id`` its R32 matter). Raises: issue_id (the SoS did not agree to consult)."""
        self._allow(_C.RECORD_OPTION_B_APPROACH)
        issue = self._issue(issue_id)
        if issue.option is IssueOption.B and issue.sos_consult is not True:
            raise self._refuse("issue_id",
                               f"{issue_id!r}: the SoS has not agreed the Code change be consulted on "
                               "(§20.23)")
        self._issue_step(_C.RECORD_OPTION_B_APPROACH, ev.OptionBApproachSettled, issue_id, IssueOption.B,
                         context,
                         decided_by=require_decider("decided_by", decided_by, (Role.TAG, Role.SOS), context,
                                                    self.label).value,
                         approach_sha256=require_sha256("approach_sha256", approach_sha256, self.label),
                         users_required=require_bool("users_required", users_required, self.label),
                         matter_id=optional_text("matter_id", matter_id, self.label))

    def record_sos_option_c_decision(self, issue_id: str, agrees: bool, **context: Any) -> None:
        """The SoS agrees option (c) (the DMC is excluded per its device change, §20.25; record it on
        the ``DmctDmc`` too) or disagrees (the DCC reconsiders, §20.26)."""
        self._allow(_C.RECORD_SOS_OPTION_C_DECISION)
        issue = self._issue(issue_id)
        said = require_bool("agrees", agrees, self.label)
        case = issue.device_change.value if said and issue.device_change is not None else "disagrees"
        self._issue_step(_C.RECORD_SOS_OPTION_C_DECISION, ev.SosOptionCDecisionRecorded, issue_id,
                         IssueOption.C,
                         context, case=case, agrees=said)

    def record_sos_option_d_indication(self, issue_id: str, **context: Any) -> None:
        """The SoS indicates the option (d) Code change should not be progressed (§20.27)."""
        self._issue_step(_C.RECORD_SOS_OPTION_D_INDICATION, ev.SosOptionDIndicationRecorded, issue_id,
                         IssueOption.D, context)

    def record_code_change_progressed(self, issue_id: str, **context: Any) -> None:
        """Option (d): the Code change proceeds and testing resumes (§20.20(d))."""
        self._issue_step(_C.RECORD_CODE_CHANGE_PROGRESSED, ev.CodeChangeProgressed, issue_id, IssueOption.D,
                         context)

    def record_sos_blocking_defect_agreement(self, issue_id: str, **context: Any) -> None:
        """The SoS agrees that testing should not continue because of blocking defect ``issue_id``
        (§20.33(b); A26); testing may then complete unsuccessfully."""
        self._issue_step(_C.RECORD_SOS_BLOCKING_DEFECT_AGREEMENT, ev.SosBlockingDefectAgreed, issue_id, None,
                         context)

    def _issue(self, issue_id: str) -> IssueRecord:
        issue = self.issues.get(require_text("issue_id", issue_id, self.label))
        if issue is None:
            raise self._refuse("issue_id", f"no DMCT Testing Issue {issue_id!r} is recorded "
                               f"(recorded: {', '.join(self.issues) or 'none'})")
        return issue

    def _issue_step(self, command: DmctCommand, event_class: type[DmctEvent], issue_id: str,
                    option: IssueOption | None, context: dict[str, Any], *, case: str | None = None,
                    **data: Any) -> None:
        self._allow(command)
        issue = self._issue(issue_id)
        if option is not None and (issue.option is not option or not issue.under_resolution):
            state = f"option ({issue.option.value})" if issue.option else "no option"
            raise self._refuse("issue_id",
                               f"{issue_id!r} has {state} under resolution, not option ({option.value})")
        others = [i for i in self.issues_under_resolution if i != issue_id]
        self._transit(command, event_class, context, case=case or ("others" if others else "last"),
                      issue_id=issue_id, **data)

    # -- events (apply only: no validation here, so old events always replay) -------------------------
    @event("DmctEntryPlanned")
    def __init__(
        self, entry_id: str, dmc_id: str, installation_type: str, capability_release: str, smso: str,
        planned: dict[str, Any] | None, equivalence: dict[str, Any] | None, occurred_at: str,
        actor: dict[str, str], clauses: list[str], on_behalf_of: str | None, evidence_sha256: str | None,
    ) -> None:
        self.entry_id, self.dmc_id, self.smso = entry_id, dmc_id, smso
        self.installation_type = InstallationType(installation_type)
        self.capability_release = OperatingCapability(capability_release)
        self.planned = None if planned is None else PlannedDates(
            date.fromisoformat(planned["planned_start"]), date.fromisoformat(planned["planned_completion"]),
            planned["test_pack_id"], planned["non_standard_rationale"], planned["schedule_version"],
            planned_packs(planned.get("test_packs")))
        self.equivalence = None if equivalence is None else Equivalence(
            EquivalenceBasis(equivalence["basis"]), equivalence["equivalent_to"])
        self.status = (DmctStatus.SCHEDULED if planned is not None
                       else DmctStatus.NOT_REQUIRED_SUBSTANTIVELY_EQUIVALENT)
        self.status_clauses, self.status_version, self.status_since = tuple(clauses), 1, stamp(occurred_at)
        self.init_records()

    @property
    def label(self) -> str:
        return (f"DMCT entry {self.entry_id!r} (DMC {self.dmc_id}, {self.installation_type.value}, "
                f"{self.capability_release.value.upper()}, SMSO {self.smso})")


DmctEntryPlanned = DmctEntry.DmctEntryPlanned  # type: ignore[attr-defined]

__all__ = ["DmctEntry", "DmctEntryPlanned"]
