"""DMCT test packs and alternate environment consents (``ledger.dmct.test_packs``): proposals, TAG
decisions, referral to and determination by the SoS, every structural rejection, and the findings
on testing against them (``ledger.dmct.schedule_findings``), in memory."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from ledger.actors import Actor
from ledger.context import RecordingContext
from ledger.dmct.schedule_findings import (
    TestingStart,
    alternate_environment_without_consent,
    dmct_start_findings,
    unagreed_packs_used,
)
from ledger.dmct.schedule_values import InvalidDmctScheduleEventError
from ledger.dmct.test_packs import DmctEnvironmentConsent, DmctTesting, DmctTestPack, PackKind
from ledger.rules.phase_kinds import OperatingCapability

DCC = Actor("alice", "dcc", "DCC")
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
H1, H2, H3, EVIDENCE = "a1" * 32, "b2" * 32, "c3" * 32, "e5" * 32
MT, SRVT = DmctTesting.MT, DmctTesting.SRVT


class Clock:
    """Successive recording contexts, a day apart; ``tag``/``sos`` record on that body's behalf."""

    def __init__(self) -> None:
        self.at = START

    def __call__(self, **kwargs: Any) -> dict[str, Any]:
        self.at += timedelta(days=1)
        return RecordingContext(DCC, self.at, **kwargs).fields()

    def tag(self) -> dict[str, Any]:
        return self(on_behalf_of="tag", evidence_sha256=EVIDENCE)

    def sos(self) -> dict[str, Any]:
        return self(on_behalf_of="sos", evidence_sha256=EVIDENCE)

    @property
    def today(self) -> date:
        return self.at.date()


@pytest.fixture
def ctx() -> Clock:
    return Clock()


def standard(ctx: Clock, pack_id: str = "SDMTP-MOC") -> DmctTestPack:
    return DmctTestPack.propose(pack_id, PackKind.STANDARD_DORMANT_MIGRATION, H1,
                                capability_release=OperatingCapability.MOC, **ctx())


def non_standard(ctx: Clock, dmc: str = "DMC-1") -> DmctTestPack:
    return DmctTestPack.propose("NSTP-1", "non_standard", H1, dmc=dmc, testing=[MT, "dmct_srvt"],
                                rationale="prepayment variant needs extra SRV tests", **ctx())


# -- proposals -----------------------------------------------------------------------------------
def test_a_standard_pack_is_proposed_for_a_release_and_serves_its_testing(ctx: Clock) -> None:
    pack = standard(ctx)
    assert pack.id == DmctTestPack.create_id("SDMTP-MOC")
    assert (pack.kind, pack.capability_release, pack.dmc) == (
        PackKind.STANDARD_DORMANT_MIGRATION, OperatingCapability.MOC, None)
    assert pack.testing == (MT,)
    assert (pack.current.number, pack.current.agreed_on) == (1, None)
    assert pack.collect_events()[0].clauses == ["20.15(a)", "20.16"]
    srv = DmctTestPack.propose("SSRVTP-MOC", PackKind.STANDARD_SERVICE_REFERENCE_VARIANT, H1,
                               capability_release="moc", testing=[SRVT], **ctx())
    assert srv.testing == (SRVT,)
    assert srv.collect_events()[0].clauses == ["20.15(b)", "20.16"]


def test_a_non_standard_pack_is_for_one_dmc_with_its_rationale(ctx: Clock) -> None:
    pack = non_standard(ctx)
    assert (pack.kind, pack.dmc, pack.testing) == (PackKind.NON_STANDARD, "DMC-1", (MT, SRVT))
    assert pack.collect_events()[0].clauses == ["20.17"]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"pack_id": ""}, "pack_id"),
        ({"pack_id": "has space"}, "pack_id"),
        ({"kind": "bespoke"}, "kind"),
        ({"document_sha256": "x"}, "document_sha256"),
        ({"capability_release": None}, "capability_release"),
        ({"capability_release": "toc"}, "capability_release"),
        ({"dmc": "DMC-1"}, "dmc"),
        ({"testing": [SRVT]}, "testing"),
        ({"testing": ["dmct_mt", "dmct_mt"]}, "testing"),
        ({"testing": "dmct_mt"}, "testing"),
        ({"rationale": " "}, "rationale"),
        ({"kind": PackKind.NON_STANDARD, "capability_release": None, "testing": [MT],
          "rationale": "why"}, "dmc"),
        ({"kind": PackKind.NON_STANDARD, "dmc": "DMC-1", "rationale": "why"}, "testing"),
        ({"kind": PackKind.NON_STANDARD, "dmc": "DMC-1", "testing": [MT]}, "rationale"),
        ({"kind": PackKind.NON_STANDARD, "dmc": "DMC-1", "testing": ["dmct_xx"], "rationale": "w"},
         "testing"),
    ],
)
def test_a_malformed_proposal_is_rejected_naming_the_field(
    ctx: Clock, kwargs: dict[str, Any], field: str
) -> None:
    args: dict[str, Any] = {"pack_id": "SDMTP-MOC", "kind": PackKind.STANDARD_DORMANT_MIGRATION,
                            "document_sha256": H1, "capability_release": OperatingCapability.MOC, **kwargs}
    with pytest.raises(InvalidDmctScheduleEventError) as exc:
        DmctTestPack.propose(**args, **ctx())
    assert exc.value.field == field


# -- TAG and SoS ---------------------------------------------------------------------------------
def test_the_tag_agrees_a_proposal_once(ctx: Clock) -> None:
    pack = standard(ctx)
    pack.record_tag_decision(True, **ctx.tag())
    current = pack.current
    assert (current.tag_agreed, current.agreed_on, current.agreed_sha256) == (True, ctx.today, H1)
    assert pack.collect_events()[-1].on_behalf_of == "tag"
    with pytest.raises(InvalidDmctScheduleEventError, match="decided proposal 1 already") as exc:
        pack.record_tag_decision(False, **ctx.tag())
    assert exc.value.field == "status"
    with pytest.raises(InvalidDmctScheduleEventError, match="nothing to refer"):
        pack.refer_to_sos("disagree", **ctx())
    assert pack.version == 2


def test_after_the_tag_disagrees_a_revision_can_be_agreed(ctx: Clock) -> None:
    pack = non_standard(ctx)
    pack.record_tag_decision(False, **ctx.tag())
    refused_on = ctx.today
    pack.revise(H2, rationale="two extra tariff tests", **ctx())
    pack.record_tag_decision(True, **ctx.tag())
    assert [(p.number, p.tag_agreed) for p in pack.proposals] == [(1, False), (2, True)]
    assert pack.agreed_as_of(refused_on) is None
    assert pack.agreed_as_of(ctx.today) == pack.current
    with pytest.raises(InvalidDmctScheduleEventError) as exc:
        pack.revise(H2, **ctx())
    assert exc.value.field == "document_sha256"


def test_a_disagreement_is_referred_once_and_the_sos_determination_is_final(ctx: Clock) -> None:
    pack = standard(ctx)
    pack.record_tag_decision(False, **ctx.tag())
    pack.refer_to_sos("TAG wants 40 more tests", matter_id="M-R27-1", **ctx())
    for attempt in (lambda: pack.refer_to_sos("again", **ctx()),
                    lambda: pack.revise(H2, **ctx()),
                    lambda: pack.record_tag_decision(True, **ctx.tag())):
        with pytest.raises(InvalidDmctScheduleEventError) as exc:
            attempt()
        assert exc.value.field == "status"
    pack.record_sos_determination(True, determined_sha256=H3, **ctx.sos())
    assert (pack.current.sos_approved, pack.current.agreed_on, pack.current.agreed_sha256) == (
        True, ctx.today, H3)
    assert not pack.awaiting_sos
    with pytest.raises(InvalidDmctScheduleEventError, match="no proposal is referred"):
        pack.record_sos_determination(True, **ctx.sos())
    assert pack.version == 4


def test_a_referral_may_precede_a_tag_decision_and_the_sos_may_refuse(ctx: Clock) -> None:
    pack = standard(ctx)
    pack.refer_to_sos("no agreement reached", **ctx())
    pack.record_sos_determination(False, **ctx.sos())
    assert (pack.current.sos_approved, pack.current.agreed_on) == (False, None)
    pack.revise(H2, **ctx())
    assert pack.current.number == 2


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda p, c: p.refer_to_sos(" ", **c()), "rationale"),
        (lambda p, c: p.refer_to_sos("why", matter_id="", **c()), "matter_id"),
        (lambda p, c: p.record_sos_determination(True, **c.sos()), "status"),
        (lambda p, c: p.revise("nothex", **c()), "document_sha256"),
        (lambda p, c: p.revise(H2, rationale="", **c()), "rationale"),
    ],
)
def test_a_malformed_pack_command_is_rejected_naming_the_field(ctx: Clock, call: Any, field: str) -> None:
    pack = standard(ctx)
    with pytest.raises(InvalidDmctScheduleEventError) as exc:
        call(pack, ctx)
    assert exc.value.field == field
    assert pack.version == 1


def test_a_determined_set_of_tests_is_an_approval(ctx: Clock) -> None:
    pack = standard(ctx)
    pack.refer_to_sos("no agreement", **ctx())
    for approved, sha in ((True, "x"), (False, H2)):
        with pytest.raises(InvalidDmctScheduleEventError) as exc:
            pack.record_sos_determination(approved, determined_sha256=sha, **ctx.sos())
        assert exc.value.field == "determined_sha256"
    assert pack.awaiting_sos


# -- alternate environments ----------------------------------------------------------------------
def consent(ctx: Clock, reference: str = "ENV-1", **kwargs: Any) -> DmctEnvironmentConsent:
    args: dict[str, Any] = {"dmcs": ["DMC-1", "DMC-2"], "alternate_versions": "R5.2 in env B",
                            "production_versions": "R5.3 (live at eligibility)", "rationale": "R5.3 late",
                            "document_sha256": H1, **kwargs}
    return DmctEnvironmentConsent.propose(reference, **args, **ctx())


def test_an_alternate_environment_is_proposed_and_the_tag_decides_once(ctx: Clock) -> None:
    found = consent(ctx)
    assert (found.dmcs, found.tag_agreed) == (("DMC-1", "DMC-2"), None)
    assert found.collect_events()[0].clauses == ["20.18"]
    found.record_tag_decision(False, **ctx.tag())
    assert (found.tag_agreed, found.decided_on, found.decided_version) == (False, ctx.today, 2)
    with pytest.raises(InvalidDmctScheduleEventError, match="new proposal is a new reference") as exc:
        found.record_tag_decision(True, **ctx.tag())
    assert exc.value.field == "status"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"reference": ""}, "reference"),
        ({"dmcs": []}, "dmcs"),
        ({"dmcs": ["DMC-1", "DMC-1"]}, "dmcs"),
        ({"alternate_versions": ""}, "alternate_versions"),
        ({"production_versions": " "}, "production_versions"),
        ({"production_versions": "R5.2 in env B"}, "production_versions"),
        ({"rationale": ""}, "rationale"),
        ({"document_sha256": "abc"}, "document_sha256"),
    ],
)
def test_a_malformed_environment_proposal_is_rejected_naming_the_field(
    ctx: Clock, kwargs: dict[str, Any], field: str
) -> None:
    reference = kwargs.pop("reference", "ENV-1")
    with pytest.raises(InvalidDmctScheduleEventError) as exc:
        consent(ctx, reference, **kwargs)
    assert exc.value.field == field


# -- findings ------------------------------------------------------------------------------------
def _start(day: date, *packs: str, dmc: str = "DMC-1", **kwargs: Any) -> TestingStart:
    return TestingStart("E1", dmc, day, "entry-1:5", tuple(packs), **kwargs)


def test_testing_against_packs_agreed_by_the_start_raises_no_finding(ctx: Clock) -> None:
    std, nsp = standard(ctx), non_standard(ctx)
    std.record_tag_decision(True, **ctx.tag())
    nsp.refer_to_sos("stuck", **ctx())
    nsp.record_sos_determination(True, **ctx.sos())
    packs = {p.pack_id: p for p in (std, nsp)}
    assert list(unagreed_packs_used([_start(ctx.today, "SDMTP-MOC", "NSTP-1")], packs)) == []


def test_testing_against_an_unagreed_unknown_or_other_dmcs_pack_is_flagged(ctx: Clock) -> None:
    std, nsp = standard(ctx), non_standard(ctx)
    nsp.record_tag_decision(False, **ctx.tag())
    before = ctx.today
    std.record_tag_decision(True, **ctx.tag())
    packs = {p.pack_id: p for p in (std, nsp)}
    found = list(unagreed_packs_used([_start(before, "SDMTP-MOC", "NSTP-1", "GHOST")], packs))
    assert [f.clause for f in found] == ["20.16", "20.17", "20.16"]
    assert found[0].event_ids == ("entry-1:5", std.event_id(1))
    assert "no proposal is recorded" in found[2].what
    other = list(unagreed_packs_used([_start(ctx.today, "NSTP-1", dmc="DMC-9")], packs))
    assert [(f.clause, "DMC-9" in f.what) for f in other] == [("20.17", False), ("20.17", True)]


def test_testing_on_an_alternate_environment_needs_the_tags_prior_agreement_for_that_dmc(
    ctx: Clock,
) -> None:
    agreed, refused, pending = consent(ctx, "ENV-1"), consent(ctx, "ENV-2"), consent(ctx, "ENV-3")
    day_before = ctx.today
    agreed.record_tag_decision(True, **ctx.tag())
    refused.record_tag_decision(False, **ctx.tag())
    consents = {c.reference: c for c in (agreed, refused, pending)}
    day = ctx.today
    ok = [_start(day, alternate_environment=True, environment_consent="ENV-1"),
          _start(day_before, alternate_environment=False)]
    assert list(alternate_environment_without_consent(ok, consents)) == []
    flagged = [
        _start(day_before, alternate_environment=True, environment_consent="ENV-1"),
        _start(day, alternate_environment=True, environment_consent="ENV-2"),
        _start(day, alternate_environment=True, environment_consent="ENV-3"),
        _start(day, alternate_environment=True),
        _start(day, alternate_environment=True, environment_consent="ENV-9"),
        _start(day, dmc="DMC-7", alternate_environment=True, environment_consent="ENV-1"),
    ]
    found = list(alternate_environment_without_consent(flagged, consents))
    assert [f.clause for f in found] == ["20.18"] * 6
    assert ["refused" in f.what for f in found] == [False, True, False, False, False, False]
    assert "covers DMC-1, DMC-2 only" in found[5].what


def test_start_findings_gather_schedule_pack_and_environment_checks(ctx: Clock) -> None:
    from ledger.dmct.schedule import DmctSchedule

    schedule = DmctSchedule.open(**ctx())
    start = _start(ctx.today, "SDMTP-MOC", alternate_environment=True)
    found = dmct_start_findings([start], schedule, {"SDMTP-MOC": standard(ctx)}, {})
    assert [f.clause for f in found] == ["20.9", "20.16", "20.18"]
