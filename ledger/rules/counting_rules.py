"""Counting rules T1-T20: which Testing Issues are extant for a threshold (catalogue 5.5).

Data only: the counting engine is a later projection. ``handling`` is how the ledger is to
apply the rule; where it decides an ambiguity it names it (A-numbers of catalogue section 10,
decided in domain/README.md).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CountingRule:
    """One rule for building the set of extant Testing Issues counted against a threshold."""

    id: str
    clauses: tuple[str, ...]
    rule: str
    handling: str


COUNTING_RULES: tuple[CountingRule, ...] = (
    CountingRule(
        "T1", ("13.21", "12.9(c)", "Table 13.1 #3"),
        "Thresholds are a component of the Exit Criteria of every Test Phase of IOC, MOC and FOC; "
        "for the UTS Test Phase they apply to the Exit Criteria of SMETS1 Interface Testing (IOC only).",
        "Gate check at exit; pass when count <= limit."),
    CountingRule(
        "T2", ("13.21",),
        "Extant: open issues raised during that Test Phase or raised in any equivalent Test Phase "
        "for IOC or MOC.",
        "Carry-forward from earlier Capability Releases; record the basis of each counted issue (A35)."),
    CountingRule(
        "T3", ("13.21", "13.28(c)"),
        "SMETS1 Interface Testing: extant issues elsewhere across DCC test environments, or production "
        "issues, that could impact the decision to deploy SMETS1 code count only where TAG agrees.",
        "Flag tag_agreed_as_extant; §13.21 says 'Clause 13.27' but the content is §13.28(c) (A3)."),
    CountingRule(
        "T4", ("13.22",),
        "Severity levels are applied where the issue has arisen as a consequence of the DCC or the "
        "Modified DCC Total System.",
        "Record the cause; count DCC / Modified DCC Total System issues, list others apart (A8)."),
    CountingRule(
        "T5", ("13.22",),
        "Table 13.2 thresholds are per DCC Service Provider.",
        "Count an issue against each attributed provider; report unattributed issues apart (A9)."),
    CountingRule(
        "T6", ("13.24",),
        "MOC/FOC SIT: on completion of any SIT Test Phase, open issues that would affect the functioning "
        "of the solution for the planned EPCL entry count for that entry's SIT Test Phase, "
        "irrespective of the Test Phase in which they arose.",
        "Many-to-many relation: issue affects planned EPCL entry."),
    CountingRule(
        "T7", ("13.23(b)",),
        "MOC/FOC SIT aggregate threshold takes into account any open Testing Issues for MOC or FOC.",
        "Open issues of all SIT Test Phases of the same Capability Release plus §13.21 carry-forward; "
        "each count snapshot states its scope (A10)."),
    CountingRule(
        "T8", ("13.25",),
        "SIT or SMETS1 Interface Testing: the DCC informs TAB, TAG and Panel of a proposed exclusion "
        "with its rationale; the issue is excluded only if TAG agrees; excluded issues are listed in "
        "the Completion Report.",
        "Counted unless TAG agreed or the SoS upheld the exclusion; §13.25 cites 16.5, now 16.4 (A7)."),
    CountingRule(
        "T9", ("13.26",),
        "An exclusion not supported is counted; on material impact the DCC may refer to the SoS within "
        "5 Working Days of the TAG's decision.",
        "Route R15; window TR3."),
    CountingRule(
        "T10", ("13.27", "13.29"),
        "Issues raised in the SCT Test Phase may be counted for a SIT Test Phase after the DCC discusses "
        "it with TAG; the DCC may refer a disagreement to the SoS.",
        "Per-issue list of phases it counts for; route R16."),
    CountingRule(
        "T11", ("13.28", "13.29"),
        "SMETS1 Interface Testing candidates: (a) open severity 1-3 raised by any Testing Participant; "
        "(b) open severity 4-5 raised by a Party that completed Additional SR Testing; (c) other open "
        "severity 1-3 issues in DCC test or production environments that could impact deployment. "
        "TAG confirms severities (d) and determines which count (e).",
        "Severity 4-5 issues from other Parties are outside the candidate set; route R17."),
    CountingRule(
        "T12", ("14.4",),
        "While a §14.2 severity dispute is pending, the DCC's severity stands and is used in every "
        "evaluation until TAG determines and notifies the DCC and the Testing Participant.",
        "Effective severity = DCC severity until the TAG determination is recorded."),
    CountingRule(
        "T13", ("14.5",),
        "If the disputed matter could affect whether the Exit Criteria are met, no exit decision can be "
        "made until TAG determines.",
        "Exit gate BLOCKED while such a dispute is pending."),
    CountingRule(
        "T14", ("Table 13.1 #2A",),
        "End-of-cycle pass rate excludes defects known at the start of end-of-cycle testing and new "
        "defects whose exclusion TAG approved (the SoS on DCC referral).",
        "Separate from threshold exclusions; '(b) above' means item 2 (A17); route R13."),
    CountingRule(
        "T15", ("20.28",),
        "DMCT testing for a planned EPCL entry cannot complete successfully where its open issues "
        "exceed Table 20.1.",
        "Both columns of Table 20.1 are checked."),
    CountingRule(
        "T16", ("20.29",),
        "DMCT: the DCC may propose to exclude issues, including ones that would not affect the "
        "functioning of the solution for the entry; it describes them and its rationale in the draft "
        "DMCT Testing Report and gives TAG the description and rationale.",
        "Applied by the DCC for the draft; challengeable by TAG (§20.38(b)) and Suppliers (§20.37(b))."),
    CountingRule(
        "T17", ("20.30",),
        "DMCT: the DCC gives TAG all open issues for the entry, their severities, and whether the "
        "extant issues exceed the thresholds.",
        "Signed snapshot of the count given to TAG."),
    CountingRule(
        "T18", ("20.32(d)", "20.33(a)(iii)"),
        "The §20.28 threshold test is part of DMCT success (§20.32(d)) and failure (§20.33(a)(iii)).",
        "Unsuccessful iff (i) and (ii) and ((iii) or (iv)) (A25)."),
    CountingRule(
        "T19", ("21.3(g)",),
        "SMETS1 Uplift DCC Testing: thresholds and the exclusion process are set in each SMETS1 Uplift "
        "DCC Testing Approach Document.",
        "Parameterised per Uplift TAD."),
    CountingRule(
        "T20", ("13.25", "13.26", "Table 13.1 #2A", "13.27", "13.29", "20.37", "20.38"),
        "Who agrees exclusions: SIT and SMETS1 Interface Testing, TAG (SoS on referral); end-of-cycle "
        "new defects, TAG (SoS on referral); SCT-issue counting, DCC with TAG (SoS on referral); DMCT, "
        "the DCC proposes, Suppliers may refer the draft report to the SoS (§20.37) and a TAG "
        "disagreement has effect only where it would change the status from successful to "
        "unsuccessful (§20.38).",
        "TAG may disagree with any DMCT exclusion; only a status-flipping disagreement bars finality "
        "(§20.39(b)); others are recorded (A41)."),
)
