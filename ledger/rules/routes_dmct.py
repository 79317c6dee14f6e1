"""Routes R23-R38: the DMCT Process (§20).

Data only (catalogue section 4, checked against the clause text); ``routes`` joins these with
``routes_testing``.
"""

from __future__ import annotations

from ledger.rules.roles import Role
from ledger.rules.route_types import Route, Window

DCC, TAG, PANEL, SOS = Role.DCC, Role.TAG, Role.PANEL, Role.SOS
AUTHORITY, SUPPLIER = Role.AUTHORITY, Role.SUPPLIER

_SUPPLIER_NOTICE = "the DCC's §20.11 notification to that Supplier Party"

DMCT_ROUTES: tuple[Route, ...] = (
    Route(
        "R23", "DMC not economic to test", ("20.6(f)", "20.7"), (DCC,),
        "The DCC first discusses its views with stakeholders and invites theirs, then proposes to "
        "the SoS, including the stakeholder views.",
        (SOS,), referred_by=(DCC,), referred_to=(SOS,), final_and_binding=SOS,
        while_pending="Not stated (A29). SoS agrees: DMC excluded; disagrees: DMC continues."),
    Route(
        "R24", "Substantive-equivalence exclusion of a DMC",
        ("20.6(d)", "20.11", "20.12(a)", "20.12A"), (SUPPLIER,),
        "A Supplier Party that included the DMC notifies the DCC of its disagreement with rationale "
        "and the DCC shall schedule testing (§20.12(a)); the DCC may then refer to the SoS with its "
        "rationale, telling those Supplier Parties (§20.12A).",
        (SOS,), referred_by=(DCC,), referred_to=(SOS,),
        window=Window(20, _SUPPLIER_NOTICE, "the Supplier Party's notice of disagreement to the DCC",
                      "20.12"),
        notified=(SUPPLIER,),
        while_pending="The DMC stays scheduled until the SoS directs removal; if removed the DCC may "
        "proceed on the §20.6(d) basis (DMCT EPCL Report, §20.41).",
        note="Per-Supplier clock (A40). The window limits the Supplier's notice, not the DCC's "
        "referral, which has none. 'Final and binding' is not stated for §20.12A."),
    Route(
        "R25", "Capability Release timescale exclusion of a DMC", ("20.6(c)", "20.11", "20.12(b)"),
        (SUPPLIER,),
        "A Supplier Party that included the DMC notifies the DCC of its disagreement with rationale; "
        "the DCC shall refer the matter to the SoS.",
        (SOS,), referred_by=(DCC,), referred_to=(SOS,),
        window=Window(20, _SUPPLIER_NOTICE, "the Supplier Party's notice of disagreement to the DCC",
                      "20.12"),
        while_pending="Testing is scheduled only where the SoS directs.",
        note="Per-Supplier clock (A40). 'Final and binding' is not stated."),
    Route(
        "R26", "Exclusion from the DMCT Schedule for §20.6(a), (b) or (e)",
        ("20.6(a)", "20.6(b)", "20.6(e)", "20.11"), (DCC,),
        "The DCC notifies each Supplier Party that included the DMC which reasons apply (with "
        "rationale for (e)) and publishes the notification.",
        (DCC,), notified=(SUPPLIER,),
        timing="Before the next §20.2 submission (§20.11).",
        note="§20.12 gives no disagreement route for these reasons."),
    Route(
        "R27", "Standard DMCT test pack for a Capability Release", ("20.15", "20.16"), (DCC,),
        "The DCC proposes the pack and agrees it with TAG; if they cannot agree, the DCC may refer "
        "to the SoS.",
        (TAG, SOS), referred_by=(DCC,), referred_to=(SOS,), final_and_binding=SOS),
    Route(
        "R28", "DMCT Non-Standard Test Pack for a DMC", ("20.17",), (DCC,),
        "The DCC discusses the proposed tests with TAG and seeks agreement; if they cannot agree, "
        "the DCC may refer to the SoS.",
        (TAG, SOS), referred_by=(DCC,), referred_to=(SOS,), final_and_binding=SOS,
        timing="Prior to executing the non-standard pack."),
    Route(
        "R29", "Testing on alternate DCC System or environment versions", ("20.18",), (DCC,),
        "The DCC discusses its proposals with TAG and executes against the alternate versions only "
        "if TAG agrees.",
        (TAG,),
        while_pending="No tests on alternate versions without TAG agreement; no referral route."),
    Route(
        "R30", "Option for a DMCT Testing Issue", ("20.20", "20.21"), (DCC,),
        "The DCC discusses the issue with affected stakeholders and recommends option (a), (b), (c) "
        "or (d).",
        (DCC,), notified=(PANEL, AUTHORITY, SOS),
        while_pending="The DCC may pause and recommence the DMCT Process for the impacted DMC(s), "
        "reported via the weekly report (§20.21).",
        note="'DMCT Testing Issue' is undefined; treated as a Testing Issue (A58)."),
    Route(
        "R31", "Option (a): DCC Internal Systems change only", ("20.22",), (DCC,),
        "No material impact on timescales: the DCC progresses the change (§20.22(a)); material "
        "impact: it does so unless the SoS directs otherwise (§20.22(b)).",
        (DCC, SOS), notified=(PANEL, AUTHORITY, SOS),
        timing="The DCC says which of (a) or (b) it will undertake in advance of doing so.",
        while_pending="Under (b) the DCC must comply with any alternative the SoS directs.",
        note="SEC Parties are notified too."),
    Route(
        "R32", "Option (b): DCC Systems and Code change", ("20.23", "20.24"), (DCC,),
        "The DCC first consults the SoS on whether the Code change should be consulted on; if so, "
        "the DCC proposes a testing approach for TAG agreement (§20.23); a DCC-TAG disagreement "
        "'shall be referred' to the SoS (§20.24).",
        (TAG, SOS), referred_to=(SOS,), referrer_stated=False, final_and_binding=SOS,
        while_pending="If the SoS does not agree to consultation, the DCC recommends another §20.20 "
        "option; testing follows the approach agreed with TAG or determined by the SoS.",
        note="Referring party not stated (A44)."),
    Route(
        "R33", "Option (c): Device change", ("20.25", "20.26"), (DCC,),
        "The DCC recommends it to the SoS, saying whether a firmware upgrade, a configuration change "
        "or both is needed.",
        (SOS,), referred_by=(DCC,), referred_to=(SOS,),
        while_pending="SoS agrees: firmware upgrade ends DMCT for the DMC (§20.25(a)); configuration "
        "change excludes it until a Supplier Party evidences the change (§20.25(b), (c)); SoS "
        "disagrees: the DCC recommends another option (§20.26)."),
    Route(
        "R34", "Option (d): Code-only change", ("20.27",), (DCC,),
        "The DCC recommends a Code change; the SoS may indicate it should not be progressed.",
        (SOS,),
        while_pending="If the SoS so indicates, the DCC recommends another §20.20 option."),
    Route(
        "R35", "Blocking defect: stop DMCT testing", ("20.33(b)",), (DCC,),
        "Where a blocking defect has arisen and the SoS agrees testing should not continue, testing "
        "completes unsuccessfully.",
        (SOS,), referred_by=(DCC,), referred_to=(SOS,), referrer_stated=False,
        note="'Blocking defect' undefined; the request to the SoS is implied (A26)."),
    Route(
        "R36", "Draft DMCT Testing Report: Supplier Party referral",
        ("20.36", "20.37", "20.39(a)", "20.40"), (SUPPLIER,),
        "A Supplier Party that received the draft (§20.36) and considers a different determination "
        "should or might be reached because of (a) the re-run approach, (b) exclusions or (c) "
        "severities may refer to the SoS with its arguments (§20.37).",
        (SOS,), referred_by=(SUPPLIER,), referred_to=(SOS,),
        window=Window(10, "the draft DMCT Testing Report being provided to that Supplier Party",
                      "the Supplier Party's referral to the SoS", "20.37"),
        final_and_binding=SOS,
        while_pending="Draft not final until every recipient confirms it will not refer or 10 "
        "Working Days pass without referral, and no status-flipping TAG disagreement (§20.39).",
        note="Per-Supplier clock from that Supplier's receipt (A40, A54)."),
    Route(
        "R37", "Draft DMCT Testing Report: TAG different determination",
        ("20.29(b)", "20.30", "20.38", "20.39(b)", "20.39(c)", "20.40"), (TAG,),
        "TAG considers severities (§20.38(a)) or exclusions (§20.38(b)) should change; where that "
        "would change the status from successful to unsuccessful, the DCC either continues testing "
        "and tells the Supplier Parties (§20.38(c)) or refers to the SoS (§20.38(d)).",
        (DCC, SOS), referred_by=(DCC,), referred_to=(SOS,), final_and_binding=SOS,
        notified=(SUPPLIER,),
        while_pending="A TAG view that would not change the status is no bar to finality "
        "(§20.39(b), (c)).",
        note="Views flipping unsuccessful to successful have no stated effect (A41)."),
    Route(
        "R38", "SoS determination of a referred draft DMCT Testing Report", ("20.40",),
        (SUPPLIER, DCC),
        "The SoS determines the matters referred under §20.37 or §20.38(d).",
        (SOS,), referred_by=(SUPPLIER, DCC), referred_to=(SOS,), final_and_binding=SOS,
        while_pending="(a) agrees: final; (b) status becomes successful: DCC updates, final; (c) "
        "unsuccessful or further tests: (i) update and final, or (ii) continue testing (§20.13 "
        "onwards).",
        note="Who chooses between (c)(i) and (c)(ii) is not stated (A43)."),
)
