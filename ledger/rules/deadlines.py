"""Time rules of Appendix AK as data (TR1-TR37) and Work Off Plan due dates (§15.1).

Working Day windows are computed with ``ledger.calendar`` under its stored convention: the
trigger's date is day 0 and the window ends at the end of the Nth Working Day after it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from ledger.calendar import Deadline, deadline
from ledger.rules.errors import RuleNotFoundError


class TimeUnit(StrEnum):
    """The unit of a time rule's amount."""

    WORKING_DAYS = "working_days"
    CALENDAR_DAYS = "calendar_days"
    MONTHS = "months"
    WEEKS = "weeks"
    NONE = "none"


class TimeRuleKind(StrEnum):
    """What sort of constraint a time rule is."""

    WINDOW = "window"  # within AMOUNT after TRIGGER
    LEAD_TIME = "lead_time"  # at least AMOUNT before TRIGGER
    RECURRING = "recurring"  # every AMOUNT
    ORDERING = "ordering"  # before / after another event, no amount
    EVENT_GATED = "event_gated"  # may not happen until an event has happened
    SNAPSHOT = "snapshot"  # a set fixed at an instant
    UNQUANTIFIED = "unquantified"  # "promptly", "as soon as reasonably practicable"
    EXTERNAL = "external"  # timing set by another document
    BACKDATING = "backdating"  # may happen before the clause came into effect


@dataclass(frozen=True)
class TimeRule:
    """One time rule (catalogue section 9). ``amount`` is None where the text gives no number."""

    id: str
    rule: str
    trigger: str
    amount: int | None
    unit: TimeUnit
    kind: TimeRuleKind
    clauses: tuple[str, ...]
    in_force: bool = True
    note: str = ""


@dataclass(frozen=True)
class WorkOffPlanWindow:
    """Open issues of ``severity`` are to be resolved within ``working_days`` of the TCC's issue."""

    severity: int
    working_days: int
    clause: str


_WD, _MONTHS, _WEEKS, _NONE = TimeUnit.WORKING_DAYS, TimeUnit.MONTHS, TimeUnit.WEEKS, TimeUnit.NONE
_K = TimeRuleKind
_BACKDATED = ("7.6", "12.5(e)", "20.14", "20.3", "20.36", "21.4")

TIME_RULES: tuple[TimeRule, ...] = (
    TimeRule("TR1", "Supplier Party referral of DMC selection to the SoS", "the DCC's decision",
             10, _WD, _K.WINDOW, ("13.4",)),
    TimeRule("TR2", "Supplier Party referral of DMC de-selection to the SoS", "the DCC's decision",
             10, _WD, _K.WINDOW, ("13.7",)),
    TimeRule("TR3", "DCC referral of a threshold-exclusion disagreement to the SoS",
             "the TAG's decision", 5, _WD, _K.WINDOW, ("13.26",)),
    TimeRule("TR4", "Work Off Plan resolution of severity 3 / 4 / 5 Testing Issues",
             "the issuing of the Test Completion Certificate", None, _WD, _K.WINDOW,
             ("15.1(a)", "15.1(b)", "15.1(c)"),
             note="20 / 40 / 60 Working Days for severity 3 / 4 / 5 (Work Off Plan windows)."),
    TimeRule("TR5", "Correction plan to the TAB",
             "the person responsible becoming aware the Work Off Plan timescales will not be met",
             None, _NONE, _K.UNQUANTIFIED, ("15.2",), note="as soon as reasonably practicable"),
    TimeRule("TR6", "DCC test execution report to the Panel and the SoS", "each week",
             1, _WEEKS, _K.RECURRING, ("16.1",)),
    TimeRule("TR7", "Supplier Party DMCT data submission",
             "the start of the first full calendar month after §20 comes into effect, and of every "
             "second calendar month thereafter", 5, _WD, _K.WINDOW, ("20.2",),
             note="Window = the first 5 Working Days of the month: day 0 is the last day of the "
             "month before (A39)."),
    TimeRule("TR8", "DCC notice of the data required and its format",
             "the start of the calendar month for which the data is requested",
             10, _WD, _K.LEAD_TIME, ("20.2",), note="a minimum of 10 Working Days in advance"),
    TimeRule("TR9", "MOC/FOC enrolment data obligation",
             "the DCC determining the MOC or FOC SIT DMCs for the Capability Release (§13)",
             None, _NONE, _K.EVENT_GATED, ("20.2",)),
    TimeRule("TR10", "Notice of exclusion from the DMCT Schedule published and given to Suppliers",
             "the next §20.2 submission", None, _NONE, _K.ORDERING, ("20.11",), note="prior to"),
    TimeRule("TR11", "Supplier Party disagreement with an equivalence or timescale exclusion",
             "the DCC's §20.11 notification to that Supplier Party", 20, _WD, _K.WINDOW, ("20.12",),
             note="Per-Supplier clock (A40)."),
    TimeRule("TR12", "Supplier Party referral of a draft DMCT Testing Report to the SoS",
             "the draft being provided to that Supplier Party", 10, _WD, _K.WINDOW,
             ("20.37", "20.39(a)", "20.40"), note="Per-Supplier clock (A40)."),
    TimeRule("TR13", "Draft DMCT Testing Report", "testing completed under §20.32 or §20.33",
             None, _NONE, _K.ORDERING, ("20.31",), note="not before"),
    TimeRule("TR14", "DMCT EPCL Report relying on §20.6(d)(iii) equivalence",
             "the relied-upon final DMCT Testing Report or completion reports", None, _NONE,
             _K.ORDERING, ("20.41",), note="not until they have been produced"),
    TimeRule("TR15", "Draft DMCT Testing Report after successful testing",
             "the associated DMCT EPCL Report", None, _NONE, _K.ORDERING, ("20.34",),
             note="prior to"),
    TimeRule("TR16", "Announcement of §20.22(a) or (b)", "undertaking that option", None, _NONE,
             _K.ORDERING, ("20.22",), note="in advance of"),
    TimeRule("TR17", "DMCT SRVT where Migration Testing is under the MTAD",
             "the TAB determining the Migration Test Phase complete", None, _NONE, _K.EVENT_GATED,
             ("20.14",)),
    TimeRule("TR18", "Notice of a Device Model change (FOC ESME, MOC Secure Meters)",
             "the change; the first FOC ESME notice alongside the §13.4 notice", None, _NONE,
             _K.UNQUANTIFIED, ("13.11",), note="promptly, via the §16.1 weekly report"),
    TimeRule("TR19", "TTM assurance", "SIT commencing (MOC/FOC); for IOC in timescales that do "
             "not adversely impact SIT", None, _NONE, _K.ORDERING, ("11.2",),
             note="updated when Sections F, G, H, L, N or P change during SIT"),
    TimeRule("TR20", "SIT Auditor interim opinion (IOC)", "SIT commencing", None, _NONE,
             _K.UNQUANTIFIED, ("19.5",), note="as soon as reasonably practicable after"),
    TimeRule("TR21", "Notice of the SIT Auditor's identity", "contract award", None, _NONE,
             _K.ORDERING, ("19.3",), note="following"),
    TimeRule("TR22", "Report format and granularity discussed with TAG",
             "the reports being produced", None, _NONE, _K.ORDERING, ("9.9", "10.2"),
             note="in advance, and early enough to capture the data"),
    TimeRule("TR23", "Release note to Testing Participants",
             "promoting code into their test environment", None, _NONE, _K.ORDERING, ("9.10",),
             note="prior to / in advance of"),
    TimeRule("TR24", "Minor modification notice and publication", "the change", None, _NONE,
             _K.ORDERING, ("4.3",), note="notice before; publication once effective"),
    TimeRule("TR25", "Consultation summary to the SoS", "making the modification", None, _NONE,
             _K.ORDERING, ("4.2(a)",), note="prior to"),
    TimeRule("TR26", "TAG review and Panel agreement of a SIT / SMETS1 Interface Testing overlap",
             "the overlap", None, _NONE, _K.ORDERING, ("5.6",), note="prior"),
    TimeRule("TR27", "Notice of outstanding security Testing Issues to the relevant persons",
             "progression to the next Test Phase and/or live operation", None, _NONE,
             _K.ORDERING, ("6.4(d)",), note="before"),
    TimeRule("TR28", "Test Phase commencement",
             "the DCC's delivery plan under DCC Licence Condition 13", None, _NONE, _K.EXTERNAL,
             ("8.6",)),
    TimeRule("TR29", "Other Testing Approach Documents; MT and UTS start",
             "the Test Phase; approval of its TAD", None, _NONE, _K.ORDERING, ("12.3",),
             note="no adverse impact on the phase; MT and UTS not before approval"),
    TimeRule("TR30", "User Testing Services Guidance", "approval of the UTS Testing Approach "
             "Document", None, _NONE, _K.UNQUANTIFIED, ("Table 10.1",),
             note="as soon as possible following"),
    TimeRule("TR31", "SIT Completion Report", "TAB approval of each SIT Test Phase exit", None,
             _NONE, _K.ORDERING, ("Table 10.1", "9.7"), note="following"),
    TimeRule("TR32", "IOC regression baseline",
             "the point at which regression testing begins", None, _NONE, _K.SNAPSHOT, ("7.4(b)",),
             note="functionality in the DCC Live Systems at that point"),
    TimeRule("TR33", "End-of-cycle exclusion baseline", "the start of end-of-cycle testing", None,
             _NONE, _K.SNAPSHOT, ("Table 13.1 #2A",), note="defects known at that point"),
    TimeRule("TR34", "MOC/FOC SIT issue counting", "completion of any SIT Test Phase", None, _NONE,
             _K.SNAPSHOT, ("13.24",)),
    TimeRule("TR35", "SMETS1 Uplift DCC Testing", "the DCC's published milestone plan", None,
             _NONE, _K.EXTERNAL, ("21.5", "21.6"), note="a revised Uplift TAD re-triggers §21.5"),
    TimeRule("TR36", "Steps that may pre-date their clause coming into effect",
             "the clause coming into effect", None, _NONE, _K.BACKDATING, _BACKDATED,
             note="The ledger accepts these events dated before the rule's effective date."),
    TimeRule("TR37", "SMETS1 SVTAD Large Supplier status notice to the DCC",
             "the SMETS1 SVTAD coming into effect", 1, _MONTHS, _K.WINDOW, ("13.32",),
             in_force=False, note="Clause struck: not in force."),
)

# Decisions and referrals for which the text gives no time limit (catalogue section 9, note):
# matters on these routes stay open with their age tracked.
UNTIMED: tuple[str, ...] = (
    "7.5", "7.6", "12.7", "13.19", "13.25", "13.27", "13.28", "13.29", "14.2", "14.3", "20.7",
    "20.12A", "20.16", "20.17", "20.18", "20.24", "20.38", "Table 13.1 #2A",
)

WORK_OFF_PLAN_WINDOWS: tuple[WorkOffPlanWindow, ...] = (
    WorkOffPlanWindow(3, 20, "15.1(a)"),
    WorkOffPlanWindow(4, 40, "15.1(b)"),
    WorkOffPlanWindow(5, 60, "15.1(c)"),
)


def time_rule(rule_id: str) -> TimeRule:
    """The time rule ``rule_id`` ("TR1" .. "TR37"). Raises ``RuleNotFoundError`` if there is none."""
    for rule in TIME_RULES:
        if rule.id == rule_id:
            return rule
    raise RuleNotFoundError(f"no time rule {rule_id!r} (TR1-TR37)")


def work_off_plan_due(tcc_issued: date, severity: int) -> Deadline:
    """When a Work Off Plan item of ``severity`` is due: 20/40/60 WD after the TCC (§15.1(a)-(c)).

    Raises ``RuleNotFoundError`` for severity 1 or 2 (§15.1 sets no date; the TAB must: A31) and
    for a severity outside 1-5.
    """
    for window in WORK_OFF_PLAN_WINDOWS:
        if window.severity == severity:
            return deadline(tcc_issued, window.working_days)
    if severity in (1, 2):
        raise RuleNotFoundError(
            f"§15.1 sets no Work Off Plan deadline for severity {severity}: the TAB must set a date (A31)"
        )
    raise RuleNotFoundError(f"Testing Issue severity must be 1-5, got {severity!r}")


__all__ = [
    "TIME_RULES",
    "UNTIMED",
    "WORK_OFF_PLAN_WINDOWS",
    "TimeRule",
    "TimeRuleKind",
    "TimeUnit",
    "WorkOffPlanWindow",
    "time_rule",
    "work_off_plan_due",
]
