"""Routes R1-R22 and R39-R44: documents, SIT/PIT/SCT/MT testing, Testing Issues, Uplift, security.

Data only (catalogue section 4, checked against the clause text). DMCT routes are in
``routes_dmct``; ``routes`` joins both.
"""

from __future__ import annotations

from ledger.rules.roles import Role
from ledger.rules.route_types import Route, Window

DCC, TAG, TAB, PANEL, SOS = Role.DCC, Role.TAG, Role.TAB, Role.PANEL, Role.SOS
AUTHORITY, SUPPLIER, TP = Role.AUTHORITY, Role.SUPPLIER, Role.TESTING_PARTICIPANT

TESTING_ROUTES: tuple[Route, ...] = (
    Route(
        "R1", "Draft Testing Approach Document approval", ("3.1", "3.2", "3.3", "3.4", "12.3"), (DCC,),
        "DCC drafts after consulting TAG, Parties and stakeholders (§3.1) and submits it with the "
        "responses and unresolved disagreements (§3.2); the SoS may direct re-consideration, "
        "re-consultation or re-submission (§3.3) and approves (§3.4).",
        (SOS,), referred_by=(DCC,), referred_to=(SOS,),
        while_pending="Migration Testing and the UTS Test Phase may not start until their TAD is "
        "approved (§12.3); once approved, every participant must comply (§3.4)."),
    Route(
        "R2", "Modification of the SMETS1 SVTAD or a Testing Approach Document",
        ("4.1", "4.2(a)", "4.2(b)", "4.3"), (DCC, SOS),
        "The SoS may direct a modification (§4.1); otherwise the DCC may modify after consulting "
        "Parties, TAG, the Authority and the SoS (§4.2), or without consultation for minor changes (§4.3).",
        (DCC, SOS), notified=(SOS,),
        timing="Summary of consultation responses to the SoS before the modification (§4.2(a)); minor "
        "change: notice before, revised document published after it takes effect (§4.3).",
        while_pending="No modification to the extent the SoS directs otherwise (§4.2(b))."),
    Route(
        "R3", "Overlap of SIT with SMETS1 Interface Testing", ("5.6",), (DCC,),
        "TAG reviews and the Panel agrees before the DCC overlaps any SIT and SMETS1 Interface Testing.",
        (TAG, PANEL), timing="prior to the overlap",
        while_pending="No overlap without prior TAG review and Panel agreement; overlap of Migration "
        "and SIT Test Phases for MOC/FOC needs none.",
        note="Shown renumbered ~~5.7~~5.6; §12.5(b) still cites 5.7 (A1)."),
    Route(
        "R4", "Materiality of a DCC User Interface change for MOC/FOC", ("7.3",), (DCC,),
        "The DCC consults TAG on materiality, then notifies the SoS of its and TAG's views; the SoS "
        "may direct repeat SMETS1 Interface Testing.",
        (SOS,), referred_by=(DCC,), referred_to=(SOS,),
        while_pending="Without an SoS direction, SMETS1 Interface Testing completed for IOC is deemed "
        "sufficient (§7.3; cites struck §5.2(b), A15)."),
    Route(
        "R5", "IOC regression testing scope", ("7.5",), (TAG,),
        "The DCC consults TAG; TAG proposes a change; the DCC assesses it, decides and informs TAG; "
        "TAG may refer its disagreement to the SoS.",
        (DCC, SOS), referred_by=(TAG,), referred_to=(SOS,), final_and_binding=SOS,
        while_pending="Not stated (the DCC's decision stands by implication)."),
    Route(
        "R6", "Depth and Breadth of Regression Testing (MOC/FOC)", ("7.6", "7.7"), (DCC, TAG),
        "The DCC sets out its draft to TAG; any DCC-TAG disagreement on its content 'shall be "
        "referred' to the SoS.",
        (SOS,), referred_to=(SOS,), referrer_stated=False, final_and_binding=SOS,
        while_pending="Published version: the one TAG did not disagree with, or the one reflecting "
        "the SoS decision (§7.7).",
        note="Referring party not stated (A44); discussion may pre-date §7.6 (TR36)."),
    Route(
        "R7", "Depth and Breadth of SIT (MOC/FOC)", ("12.5(e)", "12.7"), (DCC, TAG),
        "After discussions conclude (§12.5(e)), any DCC-TAG disagreement on the draft 'shall be "
        "referred' to the SoS (§12.7).",
        (SOS,), referred_to=(SOS,), referrer_stated=False, final_and_binding=SOS,
        while_pending="Entry criterion §12.5(e) needs only concluded discussions, not agreement; "
        "published version per §12.7.",
        note="Referring party not stated (A44)."),
    Route(
        "R8", "De-scoping a planned test", ("12.9(a)", "Table 13.1 #1A", "Table 13.1 #1B"), (DCC,),
        "The DCC proposes in exceptional circumstances; the TAB approves; for SIT the DCC refers the "
        "TAB's recommendation to the SoS.",
        (TAB, SOS), referred_by=(DCC,), referred_to=(SOS,),
        while_pending="A SIT planned test stays in scope unless the SoS approves; PIT: TAB approval.",
        note="Referral to the SoS is for SIT only; either TAB recommendation is referred (A45)."),
    Route(
        "R9", "Initial DMC selection for testing", ("13.3", "13.4"), (SUPPLIER,),
        "The DCC discusses its proposals with stakeholders (§13.3), decides and notifies Supplier "
        "Parties; where a Supplier Party disagrees 'the matter may be referred' to the SoS (§13.4).",
        (DCC, SOS), referred_by=(SUPPLIER,), referred_to=(SOS,), referrer_stated=False,
        window=Window(10, "the DCC's decision (§13.4)", "referral to the SoS", "13.4"),
        final_and_binding=SOS,
        note="Not for the SMETS1 ESME component of FOC DMCs (§13.4); applies to MOC Secure Meters "
        "Device Models (§13.12 disapplies only 13.5-13.11; A16). Referrer inferred: the disagreeing "
        "Supplier Party."),
    Route(
        "R10", "DMC de-selection", ("13.5", "13.6", "13.7", "13.8"), (SUPPLIER,),
        "The DCC consults TAG (§13.5), decides and notifies TAG and Supplier Parties (§13.6); a "
        "disagreeing Supplier Party may refer the issue to the SoS (§13.7).",
        (DCC, SOS), referred_by=(SUPPLIER,), referred_to=(SOS,),
        window=Window(10, "the DCC's de-selection decision (§13.6)", "referral to the SoS", "13.7"),
        while_pending="The SoS tells the DCC whether to continue testing with the DMC pending its "
        "determination (§13.7); if the SoS determines it should not be omitted, the DCC shall not "
        "de-select it (§13.8).",
        note="Not for FOC SMETS1 ESME or MOC Secure Meters Device Models (§13.4, §13.5(a), §13.12); "
        "no default if the SoS is silent (A36); 'final and binding' is not stated."),
    Route(
        "R11", "Selected DMC unobtainable", ("13.5(b)", "13.9"), (DCC,),
        "After consulting TAG on de-selection (§13.5(b)), the DCC recommends any alternative course "
        "of action to the SoS (§13.9).",
        (DCC,), referred_by=(DCC,), referred_to=(SOS,)),
    Route(
        "R12", "FOC SMETS1 ESME and MOC Secure Meters Device Model choice",
        ("13.10", "13.11", "13.12"), (DCC,),
        "The DCC chooses, and may vary, the Device Models, having regard to §13.2.",
        (DCC,), notified=(PANEL, SOS),
        timing="Change notified promptly, with rationale, via the weekly report (§16.1); the first "
        "FOC ESME choice alongside the §13.4 notice (§13.11).",
        note="§13.4-13.9 disapplied for FOC ESME (§13.4); §13.5-13.11 disapplied for MOC Secure "
        "Meters (§13.12) (A16)."),
    Route(
        "R13", "End-of-cycle new-defect exclusion", ("Table 13.1 #2A",), (DCC,),
        "Excluding a new defect from the end-of-cycle pass rate needs TAG approval; where TAG does "
        "not approve, the DCC may refer to the SoS.",
        (TAG, SOS), referred_by=(DCC,), referred_to=(SOS,), final_and_binding=SOS,
        while_pending="Not excluded unless TAG (or the SoS) approves.",
        note="'a new defect in (b) above' means item 2 (A17)."),
    Route(
        "R14", "SIT completion", ("9.6", "9.7", "13.18", "13.19"), (DCC,),
        "The TAB approves the DCC assurance report (§9.6); the DCC gives the Completion Report to "
        "TAG for recommendation to the Panel (§9.7) and notifies the SoS, Authority, Panel and "
        "Parties (§13.18); the Panel determines or directs continuation (§13.19).",
        (PANEL,), referred_by=(DCC,), referred_to=(TAG, PANEL), notified=(SOS, AUTHORITY, PANEL),
        while_pending="SIT is not complete until the Panel determines; if not met, the Panel directs "
        "the DCC to continue and §13.19 applies again."),
    Route(
        "R15", "Exclusion of a Testing Issue from SIT / SMETS1 Interface Testing thresholds",
        ("13.25", "13.26"), (DCC,),
        "The DCC informs TAB, TAG and Panel with its rationale; the issue is excluded only if TAG "
        "agrees (§13.25); on disagreement with material impact on delivering IOC or completing SIT "
        "or MT for a MOC/FOC planned EPCL entry, the DCC may refer to the SoS (§13.26).",
        (TAG, SOS), referred_by=(DCC,), referred_to=(SOS,),
        window=Window(5, "the TAG's decision", "the DCC's referral to the SoS", "13.26"),
        final_and_binding=SOS, notified=(TAB, TAG, PANEL),
        while_pending="Not supported: the issue is counted (§13.26).",
        note="Excluded issues listed in the Completion Report (§13.25 cites 16.5, now 16.4: A7)."),
    Route(
        "R16", "Counting SCT-raised Testing Issues for a SIT Test Phase", ("13.27", "13.29"), (DCC,),
        "The DCC discusses with TAG whether SCT issues count for the SIT threshold (§13.27); if the "
        "DCC disagrees with TAG it may refer to the SoS (§13.29).",
        (TAG, SOS), referred_by=(DCC,), referred_to=(SOS,), final_and_binding=SOS),
    Route(
        "R17", "SMETS1 Interface Testing severities and counted issues",
        ("13.21", "13.28", "13.29"), (DCC,),
        "The DCC presents open issues (§13.28(a)-(c)); TAG confirms severities (d) and determines "
        "which count (e); the DCC may refer a disagreement to the SoS (§13.29).",
        (TAG, SOS), referred_by=(DCC,), referred_to=(SOS,), final_and_binding=SOS,
        while_pending="Issues from elsewhere or production count only where TAG agrees (§13.21)."),
    Route(
        "R18", "Testing Issue severity (SEC H14.39(a), severity only)", ("14.2", "14.4", "14.5"),
        (TP,),
        "Where a Testing Participant disagrees with the DCC's severity 'the matter may be referred "
        "to the TAG' (§14.2); TAG notifies the DCC and the Testing Participant (§14.4).",
        (TAG,), referred_by=(TP,), referred_to=(TAG,), referrer_stated=False,
        final_and_binding=TAG, notified=(DCC, TP),
        while_pending="The DCC's severity stands and is used in every evaluation until TAG "
        "determines (§14.4); if it could affect exit, no exit decision until then (§14.5).",
        note="Referrer inferred: the disagreeing Testing Participant."),
    Route(
        "R19", "SEC H14.39(c) matters determined by the DCC under H14.41", ("14.3",), (TP,),
        "A Testing Participant that disagrees may request that the DCC refers the matter to the SoS.",
        (SOS,), referred_by=(DCC,), referred_to=(SOS,), timing="per Section H14 of the Code",
        note="The Testing Participant requests; the DCC refers. Outcome rules are in H14."),
    Route(
        "R20", "Other Testing Issue resolution", ("14.1",), (TP,),
        "Section H14.37 onwards of the Code applies during SIT, SCT and MT, subject to §14.2-14.3.",
        (), timing="per Section H14 of the Code",
        note="SMETS1 Interface Testing: old and new words both struck in §14.1; applied, flagged (A21)."),
    Route(
        "R21", "DCC assurance report", ("9.5", "9.6"), (DCC,),
        "The DCC assurance report and supporting documentation are presented to the TAB for approval "
        "or rejection; if approved it goes to TAG for information (§9.6).",
        (TAB,), referred_by=(DCC,), referred_to=(TAB,), notified=(TAG,),
        while_pending="Needed for SIT exit (Table 13.1 #8) and the Completion Report (§9.7)."),
    Route(
        "R22", "Work Off Plan, correction plan and TCC revocation", ("15.1", "15.2"), (DCC,),
        "The TAB approves the Work Off Plan (§15.1); a correction plan is presented to the TAB for "
        "approval; the TAB may revoke any TCC it has issued (§15.2).",
        (TAB,), referred_by=(DCC,), referred_to=(TAB,), notified=(TAG, PANEL),
        timing="Correction plan as soon as reasonably practicable after the person responsible "
        "becomes aware the Work Off Plan timescales will not be met (§15.2).",
        while_pending="TAB may revoke a TCC pending resolution of the issues in the correction plan."),
    Route(
        "R39", "Migration Test Phase completion for DMCT", ("20.14", "20.32(c)", "20.33(a)(iv)"),
        (DCC,),
        "The TAB determines the Migration Test Phase complete before DMCT SRVT may start (§20.14); "
        "the Panel determines MT completion for DMCT success or failure (§20.32(c), §20.33(a)(iv)).",
        (TAB, PANEL),
        while_pending="DMCT SRVT on the MTAD route may not start before the TAB determination.",
        note="Two different bodies determine MT completion for two purposes (A27)."),
    Route(
        "R40", "SMETS1 Uplift DCC Testing Approach Document", ("21.4", "21.6"), (DCC,),
        "The DCC submits the draft to TAG; agreement: final (§21.4(a)); no agreement: the DCC refers "
        "it to the SoS (§21.4(b)); revisions follow the same route (§21.6).",
        (TAG, SOS), referred_by=(DCC,), referred_to=(SOS,), final_and_binding=SOS,
        while_pending="Deemed final after TAG agreement or the SoS determination."),
    Route(
        "R41", "SMETS1 Uplift DCC Testing Completion Report", ("21.11", "21.12"), (DCC,),
        "The TAB accepts or rejects; if accepted, TAG approves or declines; if TAG declines, the DCC "
        "refers to the SoS (§21.11(b)(i)) or continues testing (§21.11(b)(ii)).",
        (TAB, TAG, SOS), referred_by=(DCC,), referred_to=(SOS,), final_and_binding=SOS,
        while_pending="SoS agrees testing is complete: report final; disagrees: testing continues "
        "(§21.5 onwards) (§21.12)."),
    Route(
        "R42", "SMETS1 Uplift Mandated User Testing Document", ("21.7", "21.8", "21.9", "21.10"),
        (DCC,),
        "The DCC consults TAG, Parties and stakeholders (§21.7), submits to the SoS (§21.8), complies "
        "with directions to re-consider, re-consult or re-submit (§21.9); the SoS approves (§21.10).",
        (SOS,), referred_by=(DCC,), referred_to=(SOS,),
        while_pending="Participants must comply only once the SoS has approved it (§21.10)."),
    Route(
        "R43", "Release of SIT Completion Reports to Parties", ("13.18(b)", "13.20"), (DCC,),
        "The DCC lists sections it considers should be redacted (§13.18(b)); on direction from the "
        "Panel it gives Parties copies with the Panel-specified sections redacted (§13.20).",
        (PANEL,),
        while_pending="No release to Parties without a Panel direction."),
    Route(
        "R44", "Outstanding security Testing Issues", ("6.4(d)",), (DCC,),
        "The DCC reviews Testing Issues that impact security; where any remain outstanding it "
        "notifies the relevant persons.",
        (DCC,), timing="before progression to the next Test Phase and/or before live operation",
        note="'the relevant persons' are not defined."),
)
