"""The demo ledger's history, as command lines (``akledger demo`` imports them like any file).

A compressed but realistic year of SMETS1 testing, in the order things happen:

- principals: the DCC's test operations, two DCC Service Providers (S1SP, DCO), two Suppliers,
  the TAG, TAB and Panel secretariats, the SIT Auditor;
- IOC: the release, DMC selection (one Supplier refers the selection to the SoS, R9), the single
  SIT Test Phase with its §12.5 entry criteria, planned tests and runs, Testing Issues raised
  per DCC Service Provider (and one unattributed); a Supplier's severity dispute referred to the
  TAG, pending for a while, then determined (§14.2-14.4); exit proposed, evidence reviewed with
  the TAG, TCCs issued with TAB approval, a Work Off Plan approved by the TAB, completion
  determined by the Panel (§13.18);
- MOC: one SIT Test Phase per planned EPCL entry (§12.2); a threshold exclusion proposed, refused
  by the TAG, referred by the DCC to the SoS within 5 Working Days and upheld (§13.25-13.26); a
  severity dispute still pending; weekly reports and the SIT Auditor's report.

Decisions of the TAG, TAB, Panel and SoS are recorded by the DCC on their behalf with the
SHA-256 of their minutes or letter, as the permission table requires. Every line is dated in
the past; the same script always builds the same history (its ids derive from references).
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, timedelta
from typing import Any

from ledger.phases import TestPhase

START = date(2026, 1, 5)  # a Monday

DCC, S1SP, DCO = "dcc-test-ops", "s1sp-test-lead", "dco-test-lead"
NORTHWIND, BRIGHTGRID = "northwind-energy", "brightgrid-supply"
TAG, TAB, PANEL, AUDITOR = "tag-secretariat", "tab-secretariat", "panel-secretariat", "sit-auditor"
MOC_ENTRIES = ("EPCL-101", "EPCL-102", "EPCL-103")


def phase_id(capability: str, epcl: str | None = None) -> str:
    """A SIT Test Phase's id, the form every other aggregate refers to a phase by."""
    return str(TestPhase.create_id(capability, "sit", None, epcl))


IOC_SIT = phase_id("ioc")


def sha(label: str) -> str:
    """A stand-in file hash: the SHA-256 of the document's name."""
    return hashlib.sha256(label.encode()).hexdigest()


class Script:
    """Command lines with a clock: ``on(day)`` moves to a working morning ``day`` days in."""

    def __init__(self) -> None:
        self.lines: list[dict[str, Any]] = []
        self.when = datetime.combine(START, datetime.min.time(), UTC) + timedelta(hours=9)

    def on(self, day: int) -> Script:
        self.when = datetime.combine(START + timedelta(days=day), datetime.min.time(), UTC) + timedelta(
            hours=9
        )
        return self

    def add(
        self,
        command: str,
        principal: str,
        data: dict[str, Any],
        *,
        body: str | None = None,
        evidence: str | None = None,
    ) -> None:
        self.when += timedelta(minutes=7)
        line: dict[str, Any] = {
            "command": command,
            "principal": principal,
            "occurred_at": self.when.isoformat(),
            "data": data,
        }
        if body is not None:
            line.update(on_behalf_of=body, evidence_sha256=sha(evidence or f"{body} minutes {self.when}"))
        self.lines.append(line)


def _principals(s: Script, admin: str) -> None:
    for name, role, org in (
        (DCC, "dcc", "DCC"),
        (S1SP, "dcc_service_provider", "S1SP"),
        (DCO, "dcc_service_provider", "DCO"),
        (NORTHWIND, "supplier", "Northwind Energy"),
        (BRIGHTGRID, "supplier", "Brightgrid Supply"),
        (TAG, "tag", "Testing Advisory Group"),
        (TAB, "tab", "Technical Architecture and Business Architecture Sub-Committee"),
        (PANEL, "panel", "SEC Panel"),
        (AUDITOR, "sit_auditor", "Independent SIT Auditor LLP"),
    ):
        s.add("Principal.add", admin, {"name": name, "role": role, "organisation": org})


def _phase_key(capability: str, epcl: str | None = None) -> dict[str, Any]:
    return {"capability": capability, "kind": "sit", "service_provider": None, "epcl_entry": epcl}


def _enter_phase(s: Script, capability: str, epcl: str | None) -> None:
    s.add("TestPhase.plan", DCC, {"capability": capability, "kind": "sit", "epcl_entry": epcl})
    target = _phase_key(capability, epcl)
    criteria = ["12.5(a)", "12.5(b)", "12.5(d)", "12.5(f)"] + (["12.5(c)", "12.5(e)"] if epcl else [])
    for criterion in criteria:
        s.add(
            "TestPhase.record_entry_criterion",
            DCC,
            {
                "target": target,
                "criterion": criterion,
                "met": True,
                "document_sha256": sha(f"{capability} {epcl} {criterion} evidence"),
            },
        )
    s.add("TestPhase.enter", DCC, {"target": target})
    s.add(
        "TestPhase.enter_stage",
        DCC,
        {"target": target, "stage_id": "ST1", "name": "Solution Test", "kind": "solution_test"},
    )


def _issue(
    s: Script,
    ref: str,
    summary: str,
    phase: str,
    providers: list[str],
    dmc: str,
    raiser: str = DCC,
    severity: int | None = None,
) -> None:
    s.add(
        "TestingIssue.raise_issue",
        raiser,
        {
            "reference": ref,
            "summary": summary,
            "phase_id": phase,
            "dmc_ids": [dmc],
            "epcl_entry_ids": [],
            "service_providers": providers,
            "cause": "dcc_total_system",
            "environment": "test",
            "raised_by": raiser,
            "security_impact": False,
        },
    )
    if severity is not None:
        s.add("TestingIssue.determine_severity", DCC, {"target": {"reference": ref}, "severity": severity})


def _tests(s: Script, phase: str, kind: str, refs: list[tuple[str, str, str]]) -> None:
    for ref, group, result in refs:
        s.add(
            "PlannedTest.plan",
            DCC,
            {
                "phase_id": phase,
                "phase_kind": "sit",
                "test_ref": ref,
                "kind": kind,
                "source_document_sha256": sha(f"{phase} test specification"),
                "functional_group": group,
            },
        )
        s.add(
            "PlannedTest.record_execution",
            DCC,
            {
                "target": {"phase_id": phase, "test_ref": ref},
                "run_number": 1,
                "result": result,
                "environment": "SIT-A",
                "codebase_version": "R1.4.2",
                "executed_at": s.when.isoformat(),
                "run_evidence_sha256": sha(f"{phase} {ref} run 1"),
                "reason": None if result == "pass" else f"{group}: expected response not received",
            },
        )


def _ioc(s: Script) -> None:
    s.on(0).add("CapabilityRelease.record", DCC, {"capability": "ioc", "delivery_plan_reference": "DP-IOC-1"})
    s.add("DmcSelection.open", DCC, {"capability": "ioc", "phase_id": IOC_SIT})
    s.on(3).add(
        "DmcSelection.select",
        DCC,
        {
            "target": {"capability": "ioc", "phase_id": IOC_SIT},
            "dmcs": ["DMC-SEC-01", "DMC-L+G-02"],
            "decided_on": "2026-01-08",
            "rationale": "largest installed populations (§13.3)",
        },
    )
    s.on(7).add(
        "Matter.raise_matter",
        NORTHWIND,
        {
            "reference": "R9-IOC-1",
            "route_id": "R9",
            "raised_by": "supplier",
            "trigger_on": "2026-01-08",
            "subjects": [{"kind": "dmc", "id": "DMC-EDMI-03"}],
        },
    )
    s.add(
        "Matter.refer",
        NORTHWIND,
        {"target": {"reference": "R9-IOC-1"}, "to": "sos", "referred_by": "supplier"},
    )
    s.on(24).add(
        "Matter.determine",
        DCC,
        {
            "target": {"reference": "R9-IOC-1"},
            "determined_by": "sos",
            "outcome": "selection stands: DMC-EDMI-03 is tested in MOC",
        },
        body="sos",
    )
    s.on(28)
    _enter_phase(s, "ioc", None)
    _tests(
        s,
        IOC_SIT,
        "functional",
        [
            ("SIT-IOC-F-001", "Install and commission", "pass"),
            ("SIT-IOC-F-002", "Tariff update", "fail"),
            ("SIT-IOC-F-003", "Read profile data", "pass"),
            ("SIT-IOC-F-004", "Alerts", "fail"),
        ],
    )
    s.on(31)
    _issue(
        s, "TI-IOC-001", "Tariff update rejected by S1SP adaptor", IOC_SIT, ["S1SP"], "DMC-SEC-01", severity=2
    )
    _issue(s, "TI-IOC-002", "Alert 8F35 delayed beyond SLA", IOC_SIT, ["DCO"], "DMC-L+G-02", severity=3)
    _issue(
        s,
        "TI-IOC-003",
        "Profile read returns stale interval",
        IOC_SIT,
        ["S1SP", "DCO"],
        "DMC-SEC-01",
        raiser=NORTHWIND,
        severity=3,
    )
    _issue(s, "TI-IOC-004", "Intermittent commissioning timeout", IOC_SIT, [], "DMC-L+G-02", severity=4)
    s.on(33).add(
        "TestingIssue.refer_severity_dispute",
        NORTHWIND,
        {
            "target": {"reference": "TI-IOC-003"},
            "disputed_by": NORTHWIND,
            "proposed_severity": 2,
            "could_affect_exit_of": [IOC_SIT],
        },
    )
    s.on(45).add(
        "TestingIssue.record_tag_severity_determination",
        DCC,
        {"target": {"reference": "TI-IOC-003"}, "severity": 2},
        body="tag",
    )
    s.on(52).add(
        "TestingIssue.close",
        DCC,
        {
            "target": {"reference": "TI-IOC-001"},
            "resolution": "adaptor fix in R1.4.3",
            "retest_execution_ids": [],
        },
    )
    s.add("TestPhase.exit_stage", DCC, {"target": _phase_key("ioc"), "stage_id": "ST1"})
    s.on(56).add("TestPhase.propose_exit", DCC, {"target": _phase_key("ioc")})
    s.add(
        "Document.record",
        DCC,
        {
            "reference": "SIT-IOC-CR",
            "document_type": "sit_completion_report",
            "title": "SIT IOC Completion Report",
            "document_version": "1.0",
            "sha256": sha("SIT IOC Completion Report 1.0"),
            "issued_by": {"role": "dcc"},
            "recipients": [{"role": "panel"}, {"role": "tag"}],
            "confidentiality": "restricted",
        },
    )
    s.on(59).add("TestPhase.review_evidence_with_tag", DCC, {"target": _phase_key("ioc")})
    for provider in ("S1SP", "DCO"):
        s.add(
            "TestPhase.issue_tcc",
            DCC,
            {
                "target": _phase_key("ioc"),
                "certificate_id": f"TCC-IOC-{provider}",
                "service_provider": provider,
                "tab_approval_sha256": sha(f"TAB approval TCC-IOC-{provider}"),
            },
        )
    s.on(60).add(
        "WorkOffPlan.produce",
        DCC,
        {
            "phase_id": IOC_SIT,
            "reference": "WOP-IOC-1",
            "owner": "DCC SIT test manager",
            "items": [["TI-IOC-002", 3], ["TI-IOC-003", 2], ["TI-IOC-004", 4]],
        },
    )
    s.add(
        "WorkOffPlan.anchor_to_tcc",
        DCC,
        {
            "target": {"phase_id": IOC_SIT, "reference": "WOP-IOC-1"},
            "certificate_id": "TCC-IOC-S1SP",
            "issued_on": "2026-03-06",
        },
    )
    s.on(63).add(
        "WorkOffPlan.approve", DCC, {"target": {"phase_id": IOC_SIT, "reference": "WOP-IOC-1"}}, body="tab"
    )
    s.on(66).add(
        "TestPhase.determine_completion",
        DCC,
        {"target": _phase_key("ioc"), "determined_by": "panel"},
        body="panel",
    )
    s.on(80).add(
        "WorkOffPlan.report_progress",
        DCC,
        {
            "target": {"phase_id": IOC_SIT, "reference": "WOP-IOC-1"},
            "summary": "2 of 3 items on track",
            "report_sha256": sha("WOP-IOC-1 progress 1"),
        },
    )


def _moc(s: Script) -> None:
    s.on(70).add(
        "CapabilityRelease.record", DCC, {"capability": "moc", "delivery_plan_reference": "DP-MOC-1"}
    )
    for n, epcl in enumerate(MOC_ENTRIES):
        s.on(90 + 7 * n)
        _enter_phase(s, "moc", epcl)
        phase = phase_id("moc", epcl)
        _tests(
            s,
            phase,
            "functional",
            [
                (f"SIT-MOC-{epcl}-F-001", "Install and commission", "pass"),
                (f"SIT-MOC-{epcl}-F-002", "Prepayment top-up", "pass" if n else "fail"),
            ],
        )
    phase = phase_id("moc", MOC_ENTRIES[0])
    s.on(112)
    _issue(s, "TI-MOC-001", "Top-up credit applied twice", phase, ["DCO"], "DMC-EDMI-03", severity=2)
    _issue(s, "TI-MOC-002", "Firmware image rejected by hub", phase, ["S1SP"], "DMC-EDMI-03", severity=3)
    _issue(
        s,
        "TI-MOC-003",
        "Display shows wrong debt recovery rate",
        phase_id("moc", MOC_ENTRIES[1]),
        ["S1SP"],
        "DMC-SEC-01",
        raiser=BRIGHTGRID,
        severity=3,
    )
    # §13.25: proposed; the TAG refuses; the DCC refers to the SoS within 5 WD; the SoS upholds.
    s.on(115).add(
        "TestingIssue.propose_exclusion",
        DCC,
        {
            "target": {"reference": "TI-MOC-001"},
            "kind": "threshold",
            "scope_id": phase,
            "rationale": "fault in test stub, not in the DCC Total System",
            "informed": ["tab", "tag", "panel"],
        },
    )
    s.on(122).add(
        "TestingIssue.record_tag_exclusion_decision",
        DCC,
        {"target": {"reference": "TI-MOC-001"}, "kind": "threshold", "scope_id": phase, "agreed": False},
        body="tag",
    )
    s.on(126).add(
        "TestingIssue.refer_exclusion_to_sos",
        DCC,
        {
            "target": {"reference": "TI-MOC-001"},
            "kind": "threshold",
            "scope_id": phase,
            "material_impact": "complete_sit_or_mt",
        },
    )
    s.on(140).add(
        "TestingIssue.record_sos_exclusion_determination",
        DCC,
        {"target": {"reference": "TI-MOC-001"}, "kind": "threshold", "scope_id": phase, "upheld": True},
        body="sos",
    )
    s.on(143).add(
        "TestingIssue.refer_severity_dispute",
        BRIGHTGRID,
        {
            "target": {"reference": "TI-MOC-003"},
            "disputed_by": BRIGHTGRID,
            "proposed_severity": 2,
            "could_affect_exit_of": [phase_id("moc", MOC_ENTRIES[1])],
        },
    )
    for week in range(4):
        s.on(95 + 7 * week).add(
            "Document.record",
            DCC,
            {
                "reference": f"WTER-2026-W{15 + week}",
                "document_type": "weekly_test_execution_report",
                "title": f"Weekly test execution report, week {15 + week}",
                "document_version": "1.0",
                "sha256": sha(f"weekly report {week}"),
                "issued_by": {"role": "dcc"},
                "recipients": [{"role": "parties"}, {"role": "sos"}],
                "confidentiality": "restricted",
            },
        )
    s.on(146).add(
        "Document.record",
        AUDITOR,
        {
            "reference": "SIT-AUDIT-MOC-1",
            "document_type": "sit_auditor_report",
            "title": "SMETS1 SIT Audit Report, MOC first EPCL entry",
            "document_version": "1.0",
            "sha256": sha("SIT Auditor Report MOC"),
            "issued_by": {"role": "sit_auditor"},
            "recipients": [{"role": "panel"}, {"role": "tag"}],
            "confidentiality": "confidential",
        },
    )
    s.add("Note.record", AUDITOR, {"text": "Heatmap v3 reviewed: alerts group under-covered for EPCL-102."})


def demo_commands(admin: str) -> list[dict[str, Any]]:
    """The demo's command lines; ``admin`` is the principal who adds the others."""
    s = Script()
    _principals(s.on(0), admin)
    _ioc(s)
    _moc(s)
    from ledger.demo_dmct import dmct_commands  # it imports this module's principals

    s.lines.extend(dmct_commands())  # the DMCT Process, June to November 2026 (after MOC SIT)
    return s.lines
