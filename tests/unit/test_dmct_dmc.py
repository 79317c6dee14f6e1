"""A DMC in the DMCT Process (``ledger.dmct.dmc``): what it records, and the structural rejections
(each naming its field; nothing is written)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from ledger.dmct.dmc import DmctDmc
from ledger.dmct.errors import InvalidDmctEventError
from ledger.errors import InvalidFieldError
from ledger.rules.dmct_statuses import DmctStatus
from tests.unit.test_dmct_support import Clock, dmc_in

S = DmctStatus


@pytest.fixture
def ctx() -> Clock:
    return Clock()


def test_the_id_derives_from_the_dmc_id_and_each_supplier_is_recorded(ctx: Clock) -> None:
    dmc = dmc_in(S.SUBMITTED, ctx)
    dmc.record_submission("Acme", "SUB-7", "2026-03", unchanged_from="SUB-1", **ctx())
    assert dmc.id == DmctDmc.create_id("DMC-1")
    assert dmc.suppliers == ["Acme", "Bolt"]
    assert [s.unchanged_from for s in dmc.submissions] == [None, None, "SUB-1"]
    assert dmc.collect_events()[-1].clauses == ["20.2", "20.3"]  # the row's clauses


def test_a_confirmation_of_unchanged_data_cites_20_3(ctx: Clock) -> None:
    dmc = DmctDmc.receive_submission("DMC-2", "Acme", "SUB-9", "2026-01", unchanged_from="PRE-2026", **ctx())
    assert dmc.collect_events()[0].clauses == ["20.3"]


def test_payloads_are_json(ctx: Clock) -> None:
    dmc = dmc_in(S.SCHEDULED, ctx)
    for e in dmc.collect_events():
        payload = {k: v for k, v in vars(e).items() if k not in ("originator_id", "timestamp")}
        assert json.loads(json.dumps(payload)) == payload


def test_the_dmc_replays_from_its_events(ctx: Clock) -> None:
    dmc = dmc_in(S.DCC_REFERRED_FORCED_INCLUSION_TO_SOS, ctx)
    events = dmc.collect_events()
    copy: Any = None
    for e in events:
        copy = e.mutate(copy)
    assert (copy.status, copy.status_clauses, copy.notices, copy.disagreements, copy.acts) == (
        dmc.status, dmc.status_clauses, dmc.notices, dmc.disagreements, dmc.acts)


def test_an_assessment_d_records_its_sub_basis(ctx: Clock) -> None:
    dmc = dmc_in(S.NOT_REQUIRED_SUBSTANTIVELY_EQUIVALENT, ctx)
    assert dmc.assessment is not None
    assert (dmc.assessment.equivalence_basis, dmc.assessment.equivalent_to) == ("d_i", "EPCL-9")


def test_a_supplier_may_disagree_whichever_ground_fits(ctx: Clock) -> None:
    dmc = dmc_in(S.SCHEDULED_BY_SUPPLIER_DISPUTE, ctx)
    dmc.record_supplier_disagreement("Bolt", "equivalence", "also not equivalent", **ctx())
    assert [d.supplier for d in dmc.current_disagreements] == ["Acme", "Bolt"]


Reject = tuple[DmctStatus, Callable[[DmctDmc, Clock], object], str, str]
REJECTIONS: list[Reject] = [
    (S.SUBMITTED, lambda d, c: d.record_submission("Carr", "SUB-3", "March", **c()), "cycle", "YYYY-MM"),
    (S.SUBMITTED, lambda d, c: d.record_submission("", "SUB-3", "2026-03", **c()), "supplier", "not empty"),
    (S.SUBMITTED, lambda d, c: d.record_submission("Carr", "SUB-3", "2026-03", planned_installations=0,
                                                   **c()),
     "planned_installations", "from 1"),
    (S.SUBMITTED, lambda d, c: d.record_submission("Carr", "SUB-3", "2026-03", config_evidence_sha256="x",
                                                   **c()),
     "config_evidence_sha256", "SHA-256"),
    (S.SUBMITTED, lambda d, c: d.seek_data("supplier", "X", ["v"], **c()), "source", "DataSource"),
    (S.DATA_BEING_SOURCED, lambda d, c: d.exclude_data_unavailable(["v"], ["Zed"], **c()),
     "notified_suppliers",
     "Zed did not include the DMC"),
    (S.UNDER_ASSESSMENT, lambda d, c: d.record_assessment("g", **c()), "result", "AssessmentResult"),
    (S.UNDER_ASSESSMENT, lambda d, c: d.record_assessment("d", equivalent_to="X", **c()), "equivalence_basis",
     "EquivalenceBasis"),
    (S.UNDER_ASSESSMENT, lambda d, c: d.record_assessment("d", equivalence_basis="d_i", **c()),
     "equivalent_to",
     "not empty"),
    (S.UNDER_ASSESSMENT, lambda d, c: d.record_assessment("c", equivalence_basis="d_i", **c()),
     "equivalence_basis", "only a §20.6(d) result"),
    (S.UNDER_ASSESSMENT, lambda d, c: d.propose_non_economic([], **c()), "status", "§20.6(f)"),
    (S.NOT_SCHEDULED_NO_DEVICES, lambda d, c: d.notify_exclusion(["Zed"], c.today, **c()), "suppliers",
     "Zed did not include"),
    (S.SCHEDULED_BY_SUPPLIER_DISPUTE, lambda d, c: d.notify_exclusion(["Acme"], c.today, **c()), "status",
     "S12"),
    (S.NOT_REQUIRED_SUBSTANTIVELY_EQUIVALENT, lambda d, c: d.record_supplier_disagreement(
        "Zed", "equivalence", "r", **c()), "supplier", "Zed did not include"),
    (S.NOT_REQUIRED_SUBSTANTIVELY_EQUIVALENT, lambda d, c: d.record_supplier_disagreement(
        "Acme", "timescale", "r", **c()), "ground", "does not fit the assessment (d)"),
    (S.SCHEDULED_BY_SUPPLIER_DISPUTE, lambda d, c: d.record_supplier_disagreement(
        "Acme", "equivalence", "again", **c()), "supplier", "already disagreed"),
    (S.NOT_SCHEDULED_CR_TIMESCALE_UNCERTAIN, lambda d, c: d.refer_timescale_dispute(**c()), "status",
     "no Supplier Party's timescale disagreement"),
    (S.SCHEDULED, lambda d, c: d.schedule_entries(["E1"], **c()), "entry_ids", "E1 scheduled already"),
    (S.SCHEDULED, lambda d, c: d.record_device_change_exclusion("both", "E1", **c()), "new_firmware_dmc_id",
     "§20.25(c)"),
    (S.SCHEDULED, lambda d, c: d.relieve_insufficient_devices(["E1"], ["everyone"], **c()), "notified",
     "not a role or audience"),
]


@pytest.mark.parametrize(("status", "act", "field", "words"), REJECTIONS,
                         ids=[f"{s.value}-{f}" for s, _, f, _ in REJECTIONS])
def test_structural_rejections_name_the_field_and_write_nothing(
    status: DmctStatus, act: Callable[[DmctDmc, Clock], object], field: str, words: str, ctx: Clock
) -> None:
    dmc = dmc_in(status, ctx)
    before = dmc.version
    with pytest.raises(InvalidDmctEventError) as raised:
        act(dmc, ctx)
    assert isinstance(raised.value, InvalidFieldError)
    assert (raised.value.field, words in raised.value.reason) == (field, True), raised.value.reason
    assert "DMCT DMC 'DMC-1'" in str(raised.value)
    assert dmc.version == before


def test_a_forced_inclusion_referral_needs_a_20_12_a_inclusion(ctx: Clock) -> None:
    dmc = dmc_in(S.UNDER_ASSESSMENT, ctx)
    dmc.record_assessment("none", **ctx())
    dmc.schedule_entries(["E1"], **ctx())
    with pytest.raises(InvalidDmctEventError, match="no Supplier Party's equivalence disagreement"):
        dmc.refer_forced_inclusion("equivalent", ["Acme"], **ctx())


def test_a_resubmission_starts_a_new_assessment_with_its_own_notices(ctx: Clock) -> None:
    dmc = dmc_in(S.NOT_SCHEDULED_CR_TIMESCALE_UNCERTAIN, ctx)
    dmc.notify_exclusion(["Acme"], ctx.today, rationale="SIT slips", **ctx())
    dmc.begin_assessment(**ctx())  # dates firmed up (derived row)
    dmc.record_assessment("e", rationale="no devices yet", **ctx())
    assert dmc.current_notices == []
    dmc.notify_exclusion(["Acme", "Bolt"], ctx.today, rationale="no devices yet", **ctx())
    assert [n.deadline for n in dmc.current_notices] == [None, None]  # (e) is not disputable
    dmc.record_submission("Acme", "SUB-5", "2026-03", **ctx())
    assert dmc.status is S.SUBMITTED
