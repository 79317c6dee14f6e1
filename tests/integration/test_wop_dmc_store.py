"""Work Off Plans and DMC selections saved through AKLedger (SQLite and PostgreSQL) read back the
same, findings included: their payloads are signable JSON."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from ledger.actors import Actor
from ledger.application import AKLedger
from ledger.context import RecordingContext
from ledger.dmc_selection import DeselectionCase, DmcSelection
from ledger.findings.dmc_selection import dmc_selection_findings
from ledger.findings.work_off_plans import work_off_plan_findings
from ledger.work_off_plans import WorkOffPlan

H1, H2 = "d4" * 32, "e5" * 32
START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def contexts(actor: Actor) -> Any:
    at = START
    while True:
        at += timedelta(hours=1)
        yield RecordingContext(actor, at).fields()


def test_a_work_off_plan_round_trips_with_its_due_dates_and_findings(ledger: AKLedger, actor: Actor) -> None:
    ledger.load_signer()
    ctx = contexts(actor)
    tab = RecordingContext(actor, START, ("15.1",), "tab", H2).fields()
    items = [("TI-2", 2), ("TI-3", 3), ("TI-5", 5)]
    wop = WorkOffPlan.produce("phase-1", "WOP-1", "lead", items, **next(ctx))
    wop.anchor_to_tcc("TCC-1", date(2025, 12, 18), **next(ctx))
    wop.approve(**tab)
    wop.set_tab_due_date("TI-2", date(2026, 2, 1), **tab)
    wop.report_progress("on track", report_sha256=H1, **next(ctx))
    wop.identify_deadline_at_risk(["TI-3"], date(2026, 1, 10), **next(ctx))
    wop.present_correction_plan(["TI-3"], H1, **next(ctx))
    wop.decide_correction_plan(False, revoked_certificate_id="TCC-1", **tab)
    wop.resolve_item("TI-5", ["EX-1"], **next(ctx))
    ledger.save(wop)

    loaded: object = ledger.repository.get(wop.id)
    assert isinstance(loaded, WorkOffPlan)
    assert loaded.version == 9
    assert loaded.items == wop.items
    assert loaded.correction_plans == wop.correction_plans
    assert loaded.at_risk == wop.at_risk
    as_of = date(2026, 3, 1)
    assert work_off_plan_findings(loaded, as_of) == work_off_plan_findings(wop, as_of)
    assert [f.clause for f in work_off_plan_findings(loaded, as_of)] == ["15.1", "15.1(a)"]


def test_a_dmc_selection_round_trips_with_its_findings(ledger: AKLedger, actor: Actor) -> None:
    ledger.load_signer()
    ctx = contexts(actor)
    sos = RecordingContext(actor, START, ("13.8",), "sos", H2).fields()
    selection = DmcSelection.open("foc", "phase-1", **next(ctx))
    selection.request_device_information("Acme Energy", ["a", "e"], **next(ctx))
    selection.provide_device_information("Acme Energy", ["a", "e"], H1, **next(ctx))
    selection.discuss_proposal(["Suppliers forum"], "coverage", **next(ctx))
    selection.select(["D1", "D2"], date(2026, 1, 5), "coverage", **next(ctx))
    selection.choose_device_models(
        "foc_esme", ["ESME-X1"], "interoperates", weekly_report_sha256=H1, **next(ctx))
    selection.deselect("D1", DeselectionCase.UNOBTAINABLE, date(2026, 1, 20), **next(ctx))
    selection.record_sos_instruction("D1", False, "M-1", **sos)
    selection.record_sos_determination("D1", False, "M-1", **sos)
    selection.recommend_alternative("D1", "use D3", H1, **next(ctx))
    ledger.save(selection)

    loaded: object = ledger.repository.get(selection.id)
    assert isinstance(loaded, DmcSelection)
    assert (loaded.version, loaded.selected, loaded.acts) == (10, selection.selected, selection.acts)
    assert loaded.device_models == {"foc_esme": ("ESME-X1",)}
    assert [f.clause for f in dmc_selection_findings(loaded)] == ["13.5", "13.8"]
