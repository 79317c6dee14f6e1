"""The DMCT Process as data: the DMCT Status List statuses S00-S32 (catalogue 8.1) and the
transition table (catalogue 8.2), each row citing its clauses.

§20.8 only says the DCC "shall change the classification of the status of the DMC ... as it
progresses"; the statuses are the catalogue's, derived one-to-one from clauses. They live at two
levels: the DMC (``ledger.dmct.dmc.DmctDmc``: submissions, data, assessment, exclusions, disputes)
and the planned EPCL entry (``ledger.dmct.entry.DmctEntry``: schedule, testing, reports). Some
catalogue rows cross levels (S12/S14 -> S13; S19 -> S20-S22; S07 -> S31): the DMC holds S14 once its
entries are scheduled, and an entry starts in S07 when it rests on substantive equivalence.

``TRANSITIONS`` has one row per transition of catalogue 8.2 (a command allowed from the listed
statuses, leading to ``to``), plus rows marked ``derived``: commands that record a fact without
changing the status (``to`` None), and the few moves the catalogue leaves implicit, each saying why.
A row with a ``case`` applies to that outcome of the command only (e.g. assessment result (a));
``case`` None applies whatever the outcome. Applied by ``ledger.dmct.lifecycle``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class DmctLevel(StrEnum):
    """Where a status is held (catalogue 8.1 "Level")."""

    DMC = "dmc"
    ENTRY = "entry"
    ENTRY_OR_DMC = "entry_or_dmc"


class DmctStatus(StrEnum):
    """A DMCT Status List status; the value is the catalogue code, the name its status."""

    SUBMITTED = "S00"
    DATA_BEING_SOURCED = "S01"
    EXCLUDED_DATA_UNAVAILABLE = "S02"
    UNDER_ASSESSMENT = "S03"
    NOT_SCHEDULED_ON_OR_PROPOSED_FOR_EPCL = "S04"
    NOT_SCHEDULED_IN_CAPABILITY_RELEASE_OR_PPCT = "S05"
    NOT_SCHEDULED_CR_TIMESCALE_UNCERTAIN = "S06"
    NOT_REQUIRED_SUBSTANTIVELY_EQUIVALENT = "S07"
    NOT_SCHEDULED_NO_DEVICES = "S08"
    NON_ECONOMIC_PROPOSED_TO_SOS = "S09"
    EXCLUDED_NON_ECONOMIC = "S10"
    SUPPLIER_DISPUTE_TIMESCALE_REFERRED_TO_SOS = "S11"
    SCHEDULED_BY_SUPPLIER_DISPUTE = "S12"
    DCC_REFERRED_FORCED_INCLUSION_TO_SOS = "S13"
    SCHEDULED = "S14"
    NOT_TESTED_DORMANT_ENTRY_SUFFICES = "S15"
    AWAITING_MT_UNDER_MTAD = "S16"
    IN_TESTING = "S17"
    PAUSED = "S18"
    TESTING_ISSUE_UNDER_RESOLUTION = "S19"
    EXCLUDED_FIRMWARE_UPGRADE_REQUIRED = "S20"
    EXCLUDED_PENDING_CONFIG_EVIDENCE = "S21"
    EXCLUDED_NEW_FW_DMC_PENDING_CONFIG_EVIDENCE = "S22"
    RELIEVED_INSUFFICIENT_DEVICES = "S23"
    COMPLETED_SUCCESSFUL_DRAFT_REPORT = "S24"
    COMPLETED_UNSUCCESSFUL_DRAFT_REPORT = "S25"
    DRAFT_REPORT_UNDER_REVIEW = "S26"
    SOS_DETERMINATION_PENDING = "S27"
    FINAL_SUCCESSFUL = "S28"
    FINAL_UNSUCCESSFUL = "S29"
    EPCL_REPORT_WAITING_FOR_RELIED_REPORT = "S30"
    EPCL_REPORT_PRODUCED = "S31"
    EPCL_REPORT_PUBLISHED = "S32"

    @property
    def row(self) -> StatusRow:
        return STATUS_ROWS[self]

    @property
    def level(self) -> DmctLevel:
        return STATUS_ROWS[self].level

    @property
    def clauses(self) -> tuple[str, ...]:
        return STATUS_ROWS[self].clauses

    @property
    def terminal(self) -> bool:
        return STATUS_ROWS[self].terminal

    @property
    def label(self) -> str:
        """``"S17 IN_TESTING"``, for messages and the status list."""
        return f"{self.value} {self.name}"


@dataclass(frozen=True)
class StatusRow:
    """A status's level, clauses, and whether it is terminal (no row leads out of it);
    ``note`` is the catalogue's "Terminal?" column where it says more than yes or no."""

    level: DmctLevel
    clauses: tuple[str, ...]
    terminal: bool
    note: str = ""


_DMC, _ENTRY, _EITHER = DmctLevel.DMC, DmctLevel.ENTRY, DmctLevel.ENTRY_OR_DMC
(S00, S01, S02, S03, S04, S05, S06, S07, S08, S09, S10, S11, S12, S13, S14, S15, S16, S17, S18, S19,
 S20, S21, S22, S23, S24, S25, S26, S27, S28, S29, S30, S31, S32) = tuple(DmctStatus)

STATUS_ROWS: dict[DmctStatus, StatusRow] = {
    S00: StatusRow(_DMC, ("20.2", "20.3"), False),
    S01: StatusRow(_DMC, ("20.4",), False),
    S02: StatusRow(_DMC, ("20.5",), False, "re-enterable via a later §20.2 submission"),
    S03: StatusRow(_DMC, ("20.6",), False),
    S04: StatusRow(_DMC, ("20.6(a)", "20.11"), True, "no dispute route"),
    S05: StatusRow(_DMC, ("20.6(b)", "20.11"), True, "no dispute route"),
    S06: StatusRow(_DMC, ("20.6(c)", "20.11"), False, "disputable under §20.12(b)"),
    S07: StatusRow(_DMC, ("20.6(d)", "20.11"), False,
                   "disputable under §20.12(a); leads to a DMCT EPCL Report (sub-basis d(i)/(ii)/(iii))"),
    S08: StatusRow(_DMC, ("20.6(e)", "20.11"), False, "no dispute route; resubmittable"),
    S09: StatusRow(_DMC, ("20.6(f)", "20.7"), False),
    S10: StatusRow(_DMC, ("20.7",), True),
    S11: StatusRow(_DMC, ("20.12(b)",), False),
    S12: StatusRow(_DMC, ("20.12(a)",), False),
    S13: StatusRow(_DMC, ("20.12A",), False, "remains scheduled meanwhile"),
    S14: StatusRow(_ENTRY, ("20.9", "20.10"), False),
    S15: StatusRow(_ENTRY, ("20.9",), True, "relies on the dormant-only entry"),
    S16: StatusRow(_ENTRY, ("20.14",), False),
    S17: StatusRow(_ENTRY, ("20.13", "20.14", "20.15"), False),
    S18: StatusRow(_ENTRY, ("20.21",), False),
    S19: StatusRow(_ENTRY, ("20.20",), False, "option (a)-(d) sub-state; may coexist with S17/S18"),
    S20: StatusRow(_DMC, ("20.25(a)",), True, "DMCT no longer undertaken for this DMC"),
    S21: StatusRow(_DMC, ("20.25(b)",), False, "until a Supplier Party's evidence"),
    S22: StatusRow(_DMC, ("20.25(c)",), False, "new-firmware DMC, until a Supplier Party's evidence"),
    S23: StatusRow(_EITHER, ("20.19",), False, "resubmittable"),
    S24: StatusRow(_ENTRY, ("20.32", "20.34"), False),
    S25: StatusRow(_ENTRY, ("20.33", "20.35"), False),
    S26: StatusRow(_ENTRY, ("20.36", "20.37", "20.38", "20.39"), False),
    S27: StatusRow(_ENTRY, ("20.37", "20.38(d)", "20.40"), False),
    S28: StatusRow(_ENTRY, ("20.39", "20.40(a)", "20.40(b)", "20.40(c)(i)"), False, "-> DMCT EPCL Report"),
    S29: StatusRow(_ENTRY, ("20.35", "20.39", "20.40"), True, "no EPCL entry proposed"),
    S30: StatusRow(_ENTRY, ("20.41",), False),
    S31: StatusRow(_ENTRY, ("20.41", "20.42"), False),
    S32: StatusRow(_ENTRY, ("20.43",), True),
}

#: The statuses each aggregate can hold.
DMC_STATUSES = (S00, S01, S02, S03, S04, S05, S06, S07, S08, S09, S10, S11, S12, S13, S14, S20, S21, S22,
                S23)
ENTRY_STATUSES = (S07, S14, S15, S16, S17, S18, S19, S20, S21, S22, S23, S24, S25, S26, S27, S28, S29,
                  S30, S31, S32)


class DmctCommand(StrEnum):
    """A command on a ``DmctDmc`` or ``DmctEntry``: the value is the method's name."""

    # DmctDmc
    RECEIVE_SUBMISSION = "receive_submission"
    RECORD_SUBMISSION = "record_submission"
    SEEK_DATA = "seek_data"
    RECORD_DATA_SOURCED = "record_data_sourced"
    EXCLUDE_DATA_UNAVAILABLE = "exclude_data_unavailable"
    BEGIN_ASSESSMENT = "begin_assessment"
    RECORD_ASSESSMENT = "record_assessment"
    SEEK_NON_ECONOMIC_VIEWS = "seek_non_economic_views"
    PROPOSE_NON_ECONOMIC = "propose_non_economic"
    RECORD_SOS_NON_ECONOMIC_DECISION = "record_sos_non_economic_decision"
    NOTIFY_EXCLUSION = "notify_exclusion"
    RECORD_SUPPLIER_DISAGREEMENT = "record_supplier_disagreement"
    REFER_TIMESCALE_DISPUTE = "refer_timescale_dispute"
    RECORD_SOS_TIMESCALE_DECISION = "record_sos_timescale_decision"
    SCHEDULE_ENTRIES = "schedule_entries"
    REFER_FORCED_INCLUSION = "refer_forced_inclusion"
    RECORD_SOS_FORCED_INCLUSION_DECISION = "record_sos_forced_inclusion_decision"
    RECORD_DEVICE_CHANGE_EXCLUSION = "record_device_change_exclusion"
    RELIEVE_INSUFFICIENT_DEVICES = "relieve_insufficient_devices"
    # DmctEntry: schedule and testing
    SCHEDULE = "schedule"
    PLAN_ON_EQUIVALENCE = "plan_on_equivalence"
    RESCHEDULE = "reschedule"
    REVISE_DATES = "revise_dates"
    RECORD_DORMANT_SUFFICES = "record_dormant_suffices"
    REMOVE_FROM_SCHEDULE = "remove_from_schedule"
    NOTIFY_MTAD_ROUTE = "notify_mtad_route"
    RECORD_TAB_MT_COMPLETION = "record_tab_mt_completion"
    RECORD_PANEL_MT_DETERMINATION = "record_panel_mt_determination"
    START_TESTING = "start_testing"
    RECORD_EXECUTION = "record_execution"
    PAUSE = "pause"
    RECOMMENCE = "recommence"
    RECORD_INSUFFICIENT_DEVICES = "record_insufficient_devices"
    # DmctEntry: DMCT Testing Issues (§20.20-20.27)
    RECORD_TESTING_ISSUE = "record_testing_issue"
    RECOMMEND_OPTION = "recommend_option"
    ANNOUNCE_OPTION_A_PATH = "announce_option_a_path"
    RECORD_SOS_DIRECTION_OTHERWISE = "record_sos_direction_otherwise"
    RECORD_INTERNAL_CHANGE_PROGRESSED = "record_internal_change_progressed"
    RECORD_SOS_CONSULTATION_OPINION = "record_sos_consultation_opinion"
    RECORD_OPTION_B_APPROACH = "record_option_b_approach"
    RECORD_SOS_OPTION_C_DECISION = "record_sos_option_c_decision"
    RECORD_SOS_OPTION_D_INDICATION = "record_sos_option_d_indication"
    RECORD_CODE_CHANGE_PROGRESSED = "record_code_change_progressed"
    RECORD_SOS_BLOCKING_DEFECT_AGREEMENT = "record_sos_blocking_defect_agreement"
    # DmctEntry: completion and reports
    COMPLETE_TESTING = "complete_testing"
    PRODUCE_DRAFT_REPORT = "produce_draft_report"
    SUBMIT_ISSUES_TO_TAG = "submit_issues_to_tag"
    PROVIDE_DRAFT_REPORT = "provide_draft_report"
    RECORD_SUPPLIER_NO_REFERRAL = "record_supplier_no_referral"
    RECORD_SUPPLIER_REFERRAL = "record_supplier_referral"
    RECORD_TAG_DIFFERENT_DETERMINATION = "record_tag_different_determination"
    RECORD_TAG_REVIEW_CONCLUDED = "record_tag_review_concluded"
    ELECT_CONTINUE_TESTING = "elect_continue_testing"
    REFER_REPORT_TO_SOS = "refer_report_to_sos"
    DEEM_FINAL = "deem_final"
    RECORD_SOS_REPORT_DETERMINATION = "record_sos_report_determination"
    AWAIT_RELIED_REPORT = "await_relied_report"
    PRODUCE_EPCL_REPORT = "produce_epcl_report"
    PUBLISH_EPCL_REPORT = "publish_epcl_report"


@dataclass(frozen=True)
class Transition:
    """One row: ``command`` on a ``unit`` aggregate, allowed from ``allowed_from`` (empty: the
    command creates the aggregate), leads to ``to`` (None: unchanged), citing ``clauses``;
    ``guard`` says when (in the catalogue's words where it has them); ``case`` the outcome of the
    command the row is for (None: any); ``derived`` marks a row that is not in catalogue 8.2."""

    unit: DmctLevel
    command: DmctCommand
    allowed_from: tuple[DmctStatus, ...]
    to: DmctStatus | None
    clauses: tuple[str, ...]
    guard: str
    case: str | None = None
    derived: bool = False


_C, T = DmctCommand, Transition
_TESTING = (S17, S19)
_RESOLVING = (S18, S19)  # an issue's resolution may progress while the process is paused
_REVIEW = (S24, S25, S26, S27)
_RESUBMITTABLE = (S02, S08, S23)
_EVIDENCE = (S21, S22)
_OTHER_DMC = tuple(s for s in DMC_STATUSES if s not in (*_RESUBMITTABLE, *_EVIDENCE))


def _resolving(command: DmctCommand, clauses: tuple[str, ...], guard: str) -> tuple[Transition, ...]:
    """A step that ends one issue's resolution: back to S17 when it was the last issue under
    §20.20-20.27 (catalogue 8.2), otherwise the entry stays in S19; while paused it stays S18."""
    return (
        T(_ENTRY, command, (S19,), S17, clauses, guard, "last", command is _C.RECORD_CODE_CHANGE_PROGRESSED),
        T(_ENTRY, command, (S19,), None, clauses, "another issue is still under resolution", "others", True),
        T(_ENTRY, command, (S18,), None, clauses, "progressed while paused; recommence decides", None, True),
    )


DMC_TRANSITIONS: tuple[Transition, ...] = (
    T(_DMC, _C.RECEIVE_SUBMISSION, (), S00, ("20.2", "20.3"),
      "a Supplier Party's §20.2 submission (or §20.3 unchanged confirmation) includes the DMC; "
      "MOC/FOC SIT DMCs and IOC MT DMCs excluded"),
    T(_DMC, _C.RECORD_SUBMISSION, _RESUBMITTABLE, S00, ("20.2", "20.5", "20.19"),
      "a later §20.2 submission includes the DMC again"),
    T(_DMC, _C.RECORD_SUBMISSION, _EVIDENCE, S00, ("20.25(b)", "20.25(c)"),
      "with evidence the configuration change has been or will be applied before enrolment",
      "config_evidence"),
    T(_DMC, _C.RECORD_SUBMISSION, _EVIDENCE, None, ("20.2", "20.25(b)", "20.25(c)"),
      "without that evidence: recorded, the DMC stays excluded", "plain", True),
    T(_DMC, _C.RECORD_SUBMISSION, _OTHER_DMC, None, ("20.2", "20.3"),
      "another Supplier Party includes the DMC (it receives §20.11 notices and §20.36 drafts)", None, True),
    T(_DMC, _C.SEEK_DATA, (S00,), S01, ("20.4",),
      "Supplier data incomplete: the DCC seeks it from the Meter Manufacturer and/or SMETS1 SMSO"),
    T(_DMC, _C.SEEK_DATA, (S01,), None, ("20.4",), "a further request", None, True),
    T(_DMC, _C.RECORD_DATA_SOURCED, (S00, S01), None, ("20.4",),
      "data obtained, including Dormant Meter data from the SMETS1 SMSO", None, True),
    T(_DMC, _C.EXCLUDE_DATA_UNAVAILABLE, (S01,), S02, ("20.5",),
      "the DCC cannot source all the data; Supplier Parties that included the DMC notified"),
    T(_DMC, _C.BEGIN_ASSESSMENT, (S00, S01), S03, ("20.6",),
      "all data held, including Dormant Meter data from the SMSO (§20.4)"),
    T(_DMC, _C.BEGIN_ASSESSMENT, (S06,), S03, ("20.6(c)", "20.9"),
      "the Capability Release timescales now allow scheduling with reasonable confidence", None, True),
    T(_DMC, _C.RECORD_ASSESSMENT, (S03,), S04, ("20.6(a)", "20.11(a)"), "result (a)", "a"),
    T(_DMC, _C.RECORD_ASSESSMENT, (S03,), S05, ("20.6(b)", "20.11(a)"), "result (b)", "b"),
    T(_DMC, _C.RECORD_ASSESSMENT, (S03,), S06, ("20.6(c)", "20.11(b)"), "result (c), with rationale", "c"),
    T(_DMC, _C.RECORD_ASSESSMENT, (S03,), S07, ("20.6(d)", "20.11(b)"),
      "result (d): sub-basis d(i)/(ii)/(iii) and the equivalent DMC or entry", "d"),
    T(_DMC, _C.RECORD_ASSESSMENT, (S03,), S08, ("20.6(e)", "20.11(b)"), "result (e), with rationale", "e"),
    T(_DMC, _C.RECORD_ASSESSMENT, (S03,), None, ("20.6(f)", "20.7"),
      "result (f): stakeholder views and a proposal to the SoS follow", "f", True),
    T(_DMC, _C.RECORD_ASSESSMENT, (S03,), None, ("20.6", "20.9"),
      "none of (a)-(f) applies: to be scheduled", "none", True),
    T(_DMC, _C.RECORD_ASSESSMENT, (S03,), S06, ("20.11",),
      "testing planned but the DCC is not reasonably confident of the dates (A33)", "dates_uncertain"),
    T(_DMC, _C.SEEK_NON_ECONOMIC_VIEWS, (S03,), None, ("20.7",),
      "views and rationale discussed with stakeholders before any proposal", None, True),
    T(_DMC, _C.PROPOSE_NON_ECONOMIC, (S03,), S09, ("20.6(f)", "20.7"),
      "assessed under §20.6(f); the proposal includes the stakeholder views"),
    T(_DMC, _C.RECORD_SOS_NON_ECONOMIC_DECISION, (S09,), S10, ("20.7",), "the SoS agrees: excluded",
      "agrees"),
    T(_DMC, _C.RECORD_SOS_NON_ECONOMIC_DECISION, (S09,), S03, ("20.7",),
      "the SoS disagrees: the DMC continues (then S14 when scheduled)", "disagrees"),
    T(_DMC, _C.NOTIFY_EXCLUSION, (S04, S05, S06, S07, S08), None, ("20.11",),
      "Supplier Parties that included the DMC told the reasons (rationale for (c)-(e)), before the "
      "next §20.2 submission; starts each Supplier's 20 WD for (c)/(d)", None, True),
    T(_DMC, _C.RECORD_SUPPLIER_DISAGREEMENT, (S07,), S12, ("20.12(a)",),
      "within 20 WD of that Supplier's §20.11 notice: the DCC must schedule testing", "equivalence"),
    T(_DMC, _C.RECORD_SUPPLIER_DISAGREEMENT, (S12, S13, S14), None, ("20.12(a)",),
      "another Supplier Party's §20.12(a) disagreement", "equivalence", True),
    T(_DMC, _C.RECORD_SUPPLIER_DISAGREEMENT, (S06, S11), None, ("20.12(b)",),
      "within 20 WD of that Supplier's §20.11 notice: the DCC must refer to the SoS", "timescale", True),
    T(_DMC, _C.REFER_TIMESCALE_DISPUTE, (S06,), S11, ("20.12(b)",),
      "a Supplier Party's §20.12(b) disagreement is recorded"),
    T(_DMC, _C.RECORD_SOS_TIMESCALE_DECISION, (S11,), S14, ("20.12(b)",), "the SoS directs scheduling",
      "schedule"),
    T(_DMC, _C.RECORD_SOS_TIMESCALE_DECISION, (S11,), S06, ("20.12(b)",), "the SoS does not so direct",
      "not_schedule"),
    T(_DMC, _C.SCHEDULE_ENTRIES, (S03,), S14, ("20.9",),
      "none of §20.6(a)-(f) applies and the DCC is reasonably confident of the dates"),
    T(_DMC, _C.SCHEDULE_ENTRIES, (S12,), S14, ("20.12(a)", "20.9"),
      "the DCC includes planned testing after a §20.12(a) disagreement"),
    T(_DMC, _C.SCHEDULE_ENTRIES, (S14,), None, ("20.9",), "further planned EPCL entries", None, True),
    T(_DMC, _C.REFER_FORCED_INCLUSION, (S12, S14), S13, ("20.12A",),
      "testing included under §20.12(a); Supplier Parties that included the DMC told the rationale"),
    T(_DMC, _C.RECORD_SOS_FORCED_INCLUSION_DECISION, (S13,), S07, ("20.12A", "20.41"),
      "the SoS directs removal: the DCC may proceed on the §20.6(d) basis", "remove"),
    T(_DMC, _C.RECORD_SOS_FORCED_INCLUSION_DECISION, (S13,), S14, ("20.12A",),
      "the SoS does not direct removal", "retain"),
    T(_DMC, _C.RECORD_DEVICE_CHANGE_EXCLUSION, (S14,), S20, ("20.25(a)",),
      "the SoS agreed option (c): firmware upgrade", "firmware"),
    T(_DMC, _C.RECORD_DEVICE_CHANGE_EXCLUSION, (S14,), S21, ("20.25(b)",),
      "the SoS agreed option (c): configuration change", "configuration"),
    T(_DMC, _C.RECORD_DEVICE_CHANGE_EXCLUSION, (S14,), S22, ("20.25(c)",),
      "the SoS agreed option (c): firmware and configuration (the new-firmware DMC)", "both"),
    T(_DMC, _C.RELIEVE_INSUFFICIENT_DEVICES, (S14,), S23, ("20.19",),
      "devices no longer sufficient after testing commenced; all Supplier Parties, the Panel, the "
      "Authority and the SoS notified"),
)

ENTRY_TRANSITIONS: tuple[Transition, ...] = (
    T(_ENTRY, _C.SCHEDULE, (), S14, ("20.9", "20.10"),
      "in the DMCT Schedule with dates and the test pack, or the non-standard rationale"),
    T(_ENTRY, _C.PLAN_ON_EQUIVALENCE, (), S07, ("20.6(d)", "20.41"),
      "not tested: substantively equivalent (d)(i)-(iii); a DMCT EPCL Report is still required", None, True),
    T(_ENTRY, _C.RESCHEDULE, (S21, S22, S23), S14, ("20.9", "20.19", "20.25(b)", "20.25(c)"),
      "the DMC was included again in a §20.2 submission and the entry is scheduled anew", None, True),
    T(_ENTRY, _C.REVISE_DATES, (S14, S16, *_TESTING, S18), None, ("20.9", "20.22"),
      "revised planned dates (e.g. §20.22 revised completion dates)", None, True),
    T(_ENTRY, _C.REMOVE_FROM_SCHEDULE, (S14, S16, *_TESTING, S18), S07, ("20.12A", "20.6(d)", "20.41"),
      "the SoS directed removal of testing included under §20.12(a): the entry leaves the DMCT Schedule "
      "and proceeds on the §20.6(d) basis, to a DMCT EPCL Report (S30/S31)", None, True),
    T(_ENTRY, _C.RECORD_DORMANT_SUFFICES, (S14,), S15, ("20.9",),
      "an Active or mixed entry not tested: its dormant-only entry's testing suffices (A52)"),
    T(_ENTRY, _C.NOTIFY_MTAD_ROUTE, (S14,), S16, ("20.14",),
      "Migration Testing under the MTAD: TAG notified with the rationale; DMCT SRVT only"),
    T(_ENTRY, _C.RECORD_TAB_MT_COMPLETION, (S16,), S17, ("20.14",),
      "the TAB determined the Migration Test Phase complete: DMCT SRVT may start"),
    T(_ENTRY, _C.RECORD_PANEL_MT_DETERMINATION, (S16, *_TESTING, S18), None, ("20.32(c)", "20.33(a)(iv)"),
      "the Panel determined whether the Migration Test Phase completed (A27)", None, True),
    T(_ENTRY, _C.START_TESTING, (S14,), S17, ("20.13", "20.14", "20.15", "20.18"),
      "DMCT MT and DMCT SRVT on the versions closest to production at migration eligibility, "
      "unless TAG agreed alternates"),
    T(_ENTRY, _C.START_TESTING, (S16,), S17, ("20.14",),
      "DMCT SRVT started before the TAB's determination: recorded and flagged", None, True),
    T(_ENTRY, _C.START_TESTING, (S17,), None, ("20.14", "20.18"),
      "DMCT SRVT after the TAB's determination, or a new round of testing", None, True),
    T(_ENTRY, _C.RECORD_EXECUTION, _TESTING, None, ("20.13", "20.15"), "a test run or re-run", None, True),
    T(_ENTRY, _C.PAUSE, _TESTING, S18, ("20.21",), "Panel and SoS informed via the §16.1 report"),
    T(_ENTRY, _C.RECOMMENCE, (S18,), S17, ("20.21",), "no issue still under §20.20-20.27", "settled"),
    T(_ENTRY, _C.RECOMMENCE, (S18,), S19, ("20.21",), "an issue is still under resolution", "pending", True),
    T(_ENTRY, _C.RECORD_INSUFFICIENT_DEVICES, _TESTING, S23, ("20.19",),
      "devices no longer sufficient after commencement: the DCC is relieved (A30)"),
    T(_ENTRY, _C.RECORD_TESTING_ISSUE, (*_TESTING, S18), None, ("20.20",),
      "a DMCT Testing Issue arose (A58)", None, True),
    T(_ENTRY, _C.RECOMMEND_OPTION, (S17,), S19, ("20.20",),
      "after discussion with affected stakeholders; stakeholders, Panel, Authority and SoS notified"),
    T(_ENTRY, _C.RECOMMEND_OPTION, _RESOLVING, None, ("20.20", "20.26", "20.27"),
      "another issue, or an alternative option after reconsideration", None, True),
    T(_ENTRY, _C.ANNOUNCE_OPTION_A_PATH, _RESOLVING, None, ("20.22",),
      "which of §20.22(a) or (b) the DCC will undertake, in advance", None, True),
    T(_ENTRY, _C.RECORD_SOS_DIRECTION_OTHERWISE, _RESOLVING, None, ("20.22(b)",),
      "material impact: the SoS directs an alternative course", None, True),
    *_resolving(_C.RECORD_INTERNAL_CHANGE_PROGRESSED, ("20.22(a)", "20.22(b)"),
                "option (a): change per H8.9-H8.12, pack re-run, schedule dates revised"),
    T(_ENTRY, _C.RECORD_SOS_CONSULTATION_OPINION, _RESOLVING, None, ("20.23",),
      "the SoS's opinion on consulting on the Code change (not: the DCC recommends another option)",
      None, True),
    *_resolving(_C.RECORD_OPTION_B_APPROACH, ("20.23", "20.24"),
                "option (b): testing approach agreed by TAG or determined by the SoS"),
    T(_ENTRY, _C.RECORD_SOS_OPTION_C_DECISION, _RESOLVING, S20, ("20.25(a)",),
      "the SoS agrees: firmware upgrade", "firmware"),
    T(_ENTRY, _C.RECORD_SOS_OPTION_C_DECISION, _RESOLVING, S21, ("20.25(b)",),
      "the SoS agrees: configuration change", "configuration"),
    T(_ENTRY, _C.RECORD_SOS_OPTION_C_DECISION, _RESOLVING, S22, ("20.25(c)",),
      "the SoS agrees: firmware and configuration", "both"),
    T(_ENTRY, _C.RECORD_SOS_OPTION_C_DECISION, _RESOLVING, None, ("20.26",),
      "the SoS disagrees: the DCC reconsiders", "disagrees"),
    T(_ENTRY, _C.RECORD_SOS_OPTION_D_INDICATION, _RESOLVING, None, ("20.27",),
      "the SoS indicates the Code change should not be progressed: the DCC reconsiders"),
    *_resolving(_C.RECORD_CODE_CHANGE_PROGRESSED, ("20.20(d)",),
                "option (d): the Code change proceeds and testing resumes"),
    T(_ENTRY, _C.RECORD_SOS_BLOCKING_DEFECT_AGREEMENT, (*_TESTING, S18), None, ("20.33(b)",),
      "a blocking defect: the SoS agrees testing should not continue (A26)", None, True),
    T(_ENTRY, _C.COMPLETE_TESTING, (S17,), S24, ("20.31", "20.32"), "§20.32(a)-(d) met", "successful"),
    T(_ENTRY, _C.COMPLETE_TESTING, _TESTING, S25, ("20.31", "20.33"),
      "§20.33(a): (i) and (ii) and ((iii) or (iv)) (A25); or §20.33(b)", "unsuccessful"),
    T(_ENTRY, _C.COMPLETE_TESTING, (S16,), S25, ("20.33(b)",),
      "Migration Testing planned under §20.14 cannot be completed", "unsuccessful", True),
    T(_ENTRY, _C.PRODUCE_DRAFT_REPORT, (S24,), None, ("20.31", "20.34"), "the draft, §20.34(a)-(i)", None,
      True),
    T(_ENTRY, _C.PRODUCE_DRAFT_REPORT, (S25,), None, ("20.31", "20.35"), "the draft, §20.35(a)-(i)", None,
      True),
    T(_ENTRY, _C.SUBMIT_ISSUES_TO_TAG, _REVIEW, None, ("20.29(b)", "20.30"),
      "open issues, severities, exclusions, whether the thresholds are exceeded", None, True),
    T(_ENTRY, _C.PROVIDE_DRAFT_REPORT, (S24, S25), S26, ("20.36",),
      "the draft made available to each Supplier Party planning to enrol; a 10 WD window each"),
    T(_ENTRY, _C.PROVIDE_DRAFT_REPORT, (S26, S27), None, ("20.36",), "to further Supplier Parties", None,
      True),
    T(_ENTRY, _C.RECORD_SUPPLIER_NO_REFERRAL, (S26, S27), None, ("20.39(a)",),
      "a Supplier Party that received the draft confirms it will not refer", None, True),
    T(_ENTRY, _C.RECORD_SUPPLIER_REFERRAL, (S26,), S27, ("20.37",),
      "a Supplier Party that received the draft refers it (after 10 WD: recorded and flagged)"),
    T(_ENTRY, _C.RECORD_SUPPLIER_REFERRAL, (S27,), None, ("20.37", "20.40"), "a further referral", None,
      True),
    T(_ENTRY, _C.RECORD_SUPPLIER_REFERRAL, (S28, S29), None, ("20.37",),
      "after the report was deemed final: late; recorded and flagged", None, True),
    T(_ENTRY, _C.RECORD_TAG_DIFFERENT_DETERMINATION, _REVIEW, None, ("20.38(a)", "20.38(b)"),
      "TAG's view of severities or exclusions, and whether it flips success to failure", None, True),
    T(_ENTRY, _C.RECORD_TAG_REVIEW_CONCLUDED, _REVIEW, None, ("20.38", "20.39"),
      "TAG concluded its review (A42)", None, True),
    T(_ENTRY, _C.ELECT_CONTINUE_TESTING, (S26,), S17, ("20.38(c)",),
      "TAG's view flips a successful draft: testing continues; Supplier Parties given the draft told"),
    T(_ENTRY, _C.REFER_REPORT_TO_SOS, (S26,), S27, ("20.38(d)",),
      "TAG's view flips a successful draft: the DCC refers"),
    T(_ENTRY, _C.REFER_REPORT_TO_SOS, (S27,), None, ("20.38(d)",), "alongside a Supplier referral", None,
      True),
    T(_ENTRY, _C.DEEM_FINAL, (S26,), S28, ("20.39",),
      "each Supplier confirmed no referral or its 10 WD lapsed; no status-flipping TAG view", "successful"),
    T(_ENTRY, _C.DEEM_FINAL, (S26,), S29, ("20.39", "20.35"),
      "each Supplier confirmed no referral or its 10 WD lapsed", "unsuccessful"),
    T(_ENTRY, _C.RECORD_SOS_REPORT_DETERMINATION, (S27,), S28, ("20.40(a)",),
      "the SoS agrees with a successful draft", "a_successful"),
    T(_ENTRY, _C.RECORD_SOS_REPORT_DETERMINATION, (S27,), S29, ("20.40(a)",),
      "the SoS agrees with an unsuccessful draft", "a_unsuccessful"),
    T(_ENTRY, _C.RECORD_SOS_REPORT_DETERMINATION, (S27,), S28, ("20.40(b)",),
      "the SoS disagrees and the status becomes successful: updated and final", "b"),
    T(_ENTRY, _C.RECORD_SOS_REPORT_DETERMINATION, (S27,), S29, ("20.40(c)(i)",),
      "unsuccessful or further tests: the draft updated and final", "c_i"),
    T(_ENTRY, _C.RECORD_SOS_REPORT_DETERMINATION, (S27,), S17, ("20.40(c)(ii)",),
      "unsuccessful or further tests: testing continues (§20.13 onwards)", "c_ii"),
    T(_ENTRY, _C.AWAIT_RELIED_REPORT, (S07,), S30, ("20.6(d)(iii)", "20.41"),
      "equivalent to a DMC planned for testing whose final report does not exist yet"),
    T(_ENTRY, _C.PRODUCE_EPCL_REPORT, (S28,), S31, ("20.34", "20.41(b)(i)", "20.42"),
      "a final DMCT Testing Report providing for success"),
    T(_ENTRY, _C.PRODUCE_EPCL_REPORT, (S07,), S31, ("20.41", "20.41(b)(ii)", "20.42"),
      "equivalence (d)(i)/(ii) not over-ridden under §20.12(a) and §20.12A"),
    T(_ENTRY, _C.PRODUCE_EPCL_REPORT, (S30,), S31, ("20.41(b)(ii)", "20.42"),
      "the relied-upon final report now exists"),
    T(_ENTRY, _C.PUBLISH_EPCL_REPORT, (S31,), S32, ("20.43",),
      "anonymised and redacted; the Panel, SoS, Authority and SEC Parties notified"),
)

TRANSITIONS: tuple[Transition, ...] = DMC_TRANSITIONS + ENTRY_TRANSITIONS


def rows_for(unit: DmctLevel, command: DmctCommand) -> tuple[Transition, ...]:
    """The rows of ``command`` on ``unit``."""
    return tuple(t for t in TRANSITIONS if t.unit is unit and t.command is command)


def allowed_next(unit: DmctLevel, status: DmctStatus) -> tuple[DmctCommand, ...]:
    """The commands on ``unit`` that some row allows from ``status``, in table order."""
    found: dict[DmctCommand, None] = {}
    for t in TRANSITIONS:
        if t.unit is unit and status in t.allowed_from:
            found[t.command] = None
    return tuple(found)


def transition(unit: DmctLevel, command: DmctCommand, status: DmctStatus,
               case: str | None) -> Transition | None:
    """The row for ``command`` with outcome ``case`` from ``status``: a row for that case, else a
    row for any case; None if neither allows it."""
    rows = [t for t in rows_for(unit, command) if status in t.allowed_from]
    return next((t for t in rows if t.case == case), next((t for t in rows if t.case is None), None))

