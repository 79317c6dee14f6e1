"""Commands on a DMC and its planned EPCL entries are checked against each other before they run
(``ledger.dmct.cross_checks``): the DMC an entry names exists and is in a status that allows the
command (§20.9, §20.12A, §20.19, §20.25), and the entries, Testing Issues (A58), packs (§20.15-20.17)
and TAG consents (§20.18) a command names are recorded and fit. Each refusal names the field."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest
from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate

from ledger.commands.catalogue import catalogue
from ledger.dmct.cross_checks import CROSS_CHECKS, cross_check
from ledger.dmct.dmc import DmctDmc
from ledger.dmct.entry import DmctEntry
from ledger.dmct.errors import InvalidDmctEventError
from ledger.dmct.schedule_values import DmctTesting, PlannedPack
from ledger.dmct.test_packs import DmctEnvironmentConsent, DmctTestPack
from ledger.rules.dmct_statuses import DmctStatus
from ledger.testing_issues import TestingIssue
from tests.unit.test_dmct_support import H1, Clock, dmc_in, entry_in

S = DmctStatus
MT, SRVT = DmctTesting.MT, DmctTesting.SRVT


class Repository:
    """Aggregates by id, as ``Application.repository.get`` finds them."""

    def __init__(self, *aggregates: Aggregate) -> None:
        self.found = {a.id: a for a in aggregates}

    def get(self, aggregate_id: UUID) -> Aggregate:
        if aggregate_id not in self.found:
            raise AggregateNotFoundError(aggregate_id)
        return self.found[aggregate_id]


@pytest.fixture
def ctx() -> Clock:
    return Clock()


def refused(command: str, repository: Repository, target: object, field: str, **arguments: Any) -> str:
    with pytest.raises(InvalidDmctEventError) as raised:
        cross_check(command, repository, target, arguments)
    assert raised.value.field == field, str(raised.value)
    return str(raised.value)


def schedule_args(**changes: Any) -> dict[str, Any]:
    return {"entry_id": "E1", "dmc_id": "DMC-1", "test_packs": None, **changes}


def issue(ctx: Clock, reference: str, *entries: str) -> TestingIssue:
    return TestingIssue.raise_issue(reference, "adaptor drops the join", "DMCT-MOC", dmc_ids=["DMC-1"],
                                    epcl_entry_ids=list(entries), service_providers=["SMSO-A"],
                                    cause="dcc_total_system", environment="test", raised_by="alice",
                                    security_impact=False, **ctx())


def test_every_check_is_of_a_command_in_the_catalogue() -> None:
    assert set(CROSS_CHECKS) <= set(catalogue())


# -- scheduling an entry (§20.9) --------------------------------------------------------------------------
def test_an_entry_is_scheduled_only_for_a_recorded_dmc_that_scheduled_it(ctx: Clock) -> None:
    refused("DmctEntry.schedule", Repository(), None, "dmc_id", **schedule_args())
    assessed = dmc_in(S.UNDER_ASSESSMENT, ctx)
    assert "needs it scheduled" in refused("DmctEntry.schedule", Repository(assessed), None, "dmc_id",
                                           **schedule_args())
    scheduled = dmc_in(S.SCHEDULED, ctx)  # schedule_entries(["E1"])
    refused("DmctEntry.schedule", Repository(scheduled), None, "entry_id", **schedule_args(entry_id="E2"))
    cross_check("DmctEntry.schedule", Repository(scheduled), None, schedule_args())


def test_a_recorded_pack_must_serve_the_testing_it_is_named_for(ctx: Clock) -> None:
    dmc = dmc_in(S.SCHEDULED, ctx)
    srvt = DmctTestPack.propose("PACK-SRVT", "standard_service_reference_variant", H1,
                                capability_release="moc", **ctx())
    other = DmctTestPack.propose("PACK-NS-9", "non_standard", H1, dmc="DMC-9", testing=["dmct_mt"],
                                 rationale="legacy hub", **ctx())
    repository = Repository(dmc, srvt, other)
    assert "not dmct_mt" in refused("DmctEntry.schedule", repository, None, "test_packs",
                                    **schedule_args(test_packs=[PlannedPack(MT, "PACK-SRVT")]))
    assert "DMC-9" in refused("DmctEntry.schedule", repository, None, "test_packs",
                              **schedule_args(test_packs=[PlannedPack(MT, "PACK-NS-9")]))
    cross_check("DmctEntry.schedule", repository, None,  # a pack not yet proposed is a finding later
                schedule_args(test_packs=[PlannedPack(MT, "PACK-NOT-YET"), PlannedPack(SRVT, "PACK-SRVT")]))


def test_an_entry_rests_on_the_dmcs_own_equivalence(ctx: Clock) -> None:
    dmc = dmc_in(S.NOT_REQUIRED_SUBSTANTIVELY_EQUIVALENT, ctx)  # (d)(i), equivalent to EPCL-9
    args = {"entry_id": "E3", "dmc_id": "DMC-1", "equivalence_basis": "d_i", "equivalent_to": "EPCL-9"}
    cross_check("DmctEntry.plan_on_equivalence", Repository(dmc), None, args)
    refused("DmctEntry.plan_on_equivalence", Repository(dmc), None, "equivalence_basis",
            **{**args, "equivalence_basis": "d_iii"})
    refused("DmctEntry.plan_on_equivalence", Repository(dmc), None, "equivalent_to",
            **{**args, "equivalent_to": "EPCL-8"})
    refused("DmctEntry.plan_on_equivalence", Repository(dmc_in(S.SCHEDULED, Clock())), None, "dmc_id", **args)


# -- §20.12A: removal ---------------------------------------------------------------------------------------
def test_an_entry_is_removed_only_once_the_sos_directed_removal(ctx: Clock) -> None:
    dmc = dmc_in(S.DCC_REFERRED_FORCED_INCLUSION_TO_SOS, ctx)
    entry = entry_in(S.IN_TESTING, ctx)
    args = {"equivalence_basis": "d_i", "equivalent_to": "EPCL-9"}
    assert "has not directed removal" in refused("DmctEntry.remove_from_schedule", Repository(dmc), entry,
                                                 "status", **args)
    dmc.record_sos_forced_inclusion_decision(True, **ctx(behalf="sos"))
    cross_check("DmctEntry.remove_from_schedule", Repository(dmc), entry, args)
    refused("DmctEntry.remove_from_schedule", Repository(dmc), entry, "equivalence_basis",
            equivalence_basis="d_ii", equivalent_to="EPCL-9")


def test_the_sos_retaining_the_entry_does_not_let_it_be_removed(ctx: Clock) -> None:
    dmc = dmc_in(S.DCC_REFERRED_FORCED_INCLUSION_TO_SOS, ctx)
    dmc.record_sos_forced_inclusion_decision(False, **ctx(behalf="sos"))
    refused("DmctEntry.remove_from_schedule", Repository(dmc), entry_in(S.SCHEDULED, ctx), "status",
            equivalence_basis="d_i", equivalent_to="EPCL-9")


# -- testing needs the DMC scheduled ----------------------------------------------------------------------
@pytest.mark.parametrize("status", [S.EXCLUDED_FIRMWARE_UPGRADE_REQUIRED, S.RELIEVED_INSUFFICIENT_DEVICES,
                                    S.NOT_REQUIRED_SUBSTANTIVELY_EQUIVALENT])
def test_an_entry_is_not_tested_while_its_dmc_is_out_of_the_schedule(status: DmctStatus, ctx: Clock) -> None:
    entry = entry_in(S.SCHEDULED, ctx)
    message = refused("DmctEntry.start_testing", Repository(dmc_in(status, ctx)), entry, "status",
                      environment="SIT-A", environment_version="R4.2", tag_consent_ref=None)
    assert status.value in message


def test_testing_goes_on_while_the_sos_decides_a_referral(ctx: Clock) -> None:
    dmc = dmc_in(S.DCC_REFERRED_FORCED_INCLUSION_TO_SOS, ctx)  # §20.12A: remains scheduled meanwhile
    cross_check("DmctEntry.start_testing", Repository(dmc), entry_in(S.SCHEDULED, ctx),
                {"environment": "SIT-A", "environment_version": "R4.2", "tag_consent_ref": None})


def test_an_entry_without_a_recorded_dmc_is_refused(ctx: Clock) -> None:
    refused("DmctEntry.pause", Repository(), entry_in(S.IN_TESTING, ctx), "status", weekly_report_ref="WR-1")


def test_a_dmct_testing_issue_is_a_testing_issue_naming_the_entry(ctx: Clock) -> None:
    dmc, entry = dmc_in(S.SCHEDULED, ctx), entry_in(S.IN_TESTING, ctx)
    assert "no Testing Issue 'I1'" in refused("DmctEntry.record_testing_issue", Repository(dmc), entry,
                                              "issue_id", issue_id="I1")
    elsewhere = issue(ctx, "I1", "E9")
    assert "E9" in refused("DmctEntry.record_testing_issue", Repository(dmc, elsewhere), entry, "issue_id",
                           issue_id="I1")
    cross_check("DmctEntry.record_testing_issue", Repository(dmc, issue(ctx, "I2", "E1")), entry,
                {"issue_id": "I2"})


def test_the_dormant_only_entry_relied_on_is_of_the_same_dmc(ctx: Clock) -> None:
    dmc, entry = dmc_in(S.SCHEDULED, ctx), entry_in(S.SCHEDULED, ctx)
    refused("DmctEntry.record_dormant_suffices", Repository(dmc), entry, "dormant_entry_id",
            dormant_entry_id="E0", rationale="r")
    mixed = DmctEntry.schedule("E0", "DMC-1", "mixed", "moc", "SMSO-A", entry.planned.planned_start,  # type: ignore[union-attr]
                               entry.planned.planned_completion, test_pack_id="P", **ctx())  # type: ignore[union-attr]
    assert "mixed" in refused("DmctEntry.record_dormant_suffices", Repository(dmc, mixed), entry,
                              "dormant_entry_id", dormant_entry_id="E0", rationale="r")


def test_a_tag_consent_named_is_recorded_and_covers_the_dmc(ctx: Clock) -> None:
    dmc, entry = dmc_in(S.SCHEDULED, ctx), entry_in(S.SCHEDULED, ctx)
    args = {"environment": "SIT-B", "environment_version": "R5.0-rc1", "tag_consent_ref": "ENV-1"}
    refused("DmctEntry.start_testing", Repository(dmc), entry, "tag_consent_ref", **args)
    other = DmctEnvironmentConsent.propose("ENV-1", ["DMC-9"], "R5.0-rc1", "R4.2", "sooner", **ctx())
    refused("DmctEntry.start_testing", Repository(dmc, other), entry, "tag_consent_ref", **args)
    ours = DmctEnvironmentConsent.propose("ENV-1", ["DMC-1"], "R5.0-rc1", "R4.2", "sooner", **ctx())
    cross_check("DmctEntry.start_testing", Repository(dmc, ours), entry, args)


def test_a_relied_upon_entry_is_recorded(ctx: Clock) -> None:
    entry = entry_in(S.NOT_REQUIRED_SUBSTANTIVELY_EQUIVALENT, ctx)
    refused("DmctEntry.await_relied_report", Repository(), entry, "relied_entry_id", relied_entry_id="E5")


# -- DMC commands naming entries ----------------------------------------------------------------------------
def test_a_device_change_exclusion_follows_the_sos_agreement_on_that_entry(ctx: Clock) -> None:
    dmc = dmc_in(S.SCHEDULED, ctx)
    testing = entry_in(S.IN_TESTING, ctx)
    assert "S17" in refused("DmctDmc.record_device_change_exclusion", Repository(testing), dmc, "entry_id",
                            change="firmware", entry_id="E1")
    excluded = entry_in(S.EXCLUDED_FIRMWARE_UPGRADE_REQUIRED, Clock())
    cross_check("DmctDmc.record_device_change_exclusion", Repository(excluded), dmc,
                {"change": "firmware", "entry_id": "E1"})
    refused("DmctDmc.record_device_change_exclusion", Repository(excluded), dmc, "entry_id",
            change="configuration", entry_id="E1")
    refused("DmctDmc.record_device_change_exclusion", Repository(), dmc, "entry_id", change="firmware",
            entry_id="E1")


def test_relief_and_scheduling_name_this_dmcs_entries(ctx: Clock) -> None:
    dmc, entry = dmc_in(S.SCHEDULED, ctx), entry_in(S.IN_TESTING, ctx)
    refused("DmctDmc.relieve_insufficient_devices", Repository(), dmc, "entry_ids", entry_ids=["E1"],
            notified=[])
    cross_check("DmctDmc.relieve_insufficient_devices", Repository(entry), dmc, {"entry_ids": ["E1"]})
    other = DmctDmc.receive_submission("DMC-2", "Acme", "SUB-9", "2026-01", **ctx())
    refused("DmctDmc.schedule_entries", Repository(entry), other, "entry_ids", entry_ids=["E1"])
    cross_check("DmctDmc.schedule_entries", Repository(entry), dmc, {"entry_ids": ["E1", "E2"]})
