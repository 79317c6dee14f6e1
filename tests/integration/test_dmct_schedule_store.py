"""The DMCT Schedule, test packs and alternate environment consents saved through AKLedger (SQLite
and PostgreSQL) read back the same, change logs and findings included: their payloads are
signable JSON."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

from ledger.actors import Actor
from ledger.application import AKLedger
from ledger.context import RecordingContext
from ledger.dmct.schedule import SCHEDULE_ID, DmctSchedule
from ledger.dmct.schedule_findings import (
    ScheduleChangeDue,
    TestingStart,
    dmct_start_findings,
    schedule_findings,
)
from ledger.dmct.schedule_values import ChangeReason, ChangeTrigger, InstallationType, ScheduleEntry
from ledger.dmct.test_packs import DmctEnvironmentConsent, DmctTestPack, PackKind
from ledger.rules.phase_kinds import OperatingCapability
from ledger.rules.roles import Role

H1, H2, EVIDENCE = "d4" * 32, "e5" * 32, "f6" * 32
START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def contexts(actor: Actor, **kwargs: Any) -> Iterator[dict[str, Any]]:
    at = START
    while True:
        at += timedelta(days=1)
        yield RecordingContext(actor, at, **kwargs).fields()


def _entry(entry_id: str, completion: date) -> ScheduleEntry:
    return ScheduleEntry(entry_id, f"DMC-{entry_id}", InstallationType.DORMANT_ONLY, OperatingCapability.FOC,
                         date(2026, 4, 1), completion, test_pack_id="SDMTP-FOC")


def test_a_schedule_round_trips_with_its_change_log_and_findings(ledger: AKLedger, actor: Actor) -> None:
    ledger.load_signer()
    ctx = contexts(actor)
    schedule = DmctSchedule.open(**next(ctx))
    schedule.publish(1, H1, [_entry("E1", date(2026, 5, 1)), _entry("E2", date(2026, 5, 1))],
                     recipients=[Role.SUPPLIER, Role.PANEL], location="https://dcc/dmct-1", **next(ctx))
    schedule.publish(2, H2, [_entry("E1", date(2026, 6, 1))],
                     reasons=[ChangeReason("E1", ChangeTrigger.REVISED_DATES_20_22, "TI-1"),
                              ChangeReason("E2", ChangeTrigger.REMOVAL_20_12A, "M-1")],
                     recipients=[Role.SUPPLIER, Role.PANEL, Role.AUTHORITY, Role.SOS], sent_to_secas=True,
                     location="https://dcc/dmct-2", **next(ctx))
    schedule.record_distribution(1, [Role.AUTHORITY], sent_to_secas=True, **next(ctx))
    ledger.save(schedule)

    loaded: object = ledger.repository.get(SCHEDULE_ID)
    assert isinstance(loaded, DmctSchedule)
    assert loaded.version == 4
    assert loaded.publications == schedule.publications
    due = [ScheduleChangeDue("E3", ChangeTrigger.INCLUSION_20_12, date(2026, 1, 6), "dmc-3:2")]
    assert schedule_findings(loaded, due) == schedule_findings(schedule, due)
    assert [f.clause for f in schedule_findings(loaded, due)] == ["20.10", "20.12"]


def test_packs_and_environment_consents_round_trip_with_their_findings(
    ledger: AKLedger, actor: Actor
) -> None:
    ledger.load_signer()
    ctx = contexts(actor)
    tag = contexts(actor, on_behalf_of="tag", evidence_sha256=EVIDENCE)
    sos = contexts(actor, on_behalf_of="sos", evidence_sha256=EVIDENCE)
    pack = DmctTestPack.propose("SDMTP-FOC", PackKind.STANDARD_DORMANT_MIGRATION, H1,
                                capability_release=OperatingCapability.FOC, **next(ctx))
    pack.record_tag_decision(False, **next(tag))
    pack.refer_to_sos("cannot agree coverage", matter_id="M-R27-1", **next(ctx))
    pack.record_sos_determination(True, determined_sha256=H2, **next(sos))
    consent = DmctEnvironmentConsent.propose("ENV-1", ["DMC-E1"], "R5.2", "R5.3", "R5.3 late",
                                             document_sha256=H1, **next(ctx))
    consent.record_tag_decision(True, **next(tag))
    ledger.save(pack, consent)

    loaded_pack: object = ledger.repository.get(DmctTestPack.create_id("SDMTP-FOC"))
    loaded_consent: object = ledger.repository.get(DmctEnvironmentConsent.create_id("ENV-1"))
    assert isinstance(loaded_pack, DmctTestPack)
    assert isinstance(loaded_consent, DmctEnvironmentConsent)
    assert loaded_pack.proposals == pack.proposals
    assert loaded_pack.current.agreed_sha256 == H2
    assert (loaded_consent.tag_agreed, loaded_consent.decided_on) == (True, consent.decided_on)

    schedule = DmctSchedule.open(**next(ctx))
    start = TestingStart("E1", "DMC-E1", date(2026, 1, 5), "entry-1:3", ("SDMTP-FOC",),
                         alternate_environment=True, environment_consent="ENV-1")
    found = dmct_start_findings([start], schedule, {"SDMTP-FOC": loaded_pack}, {"ENV-1": loaded_consent})
    assert found == dmct_start_findings([start], schedule, {"SDMTP-FOC": pack}, {"ENV-1": consent})
    assert [f.clause for f in found] == ["20.9", "20.16", "20.18"]
