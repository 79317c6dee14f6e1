"""The DMCT Schedule (``ledger.dmct.schedule``): publications, their change logs and distribution,
every structural rejection, and the schedule findings (``ledger.dmct.schedule_findings``), in
memory."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.actors import Actor
from ledger.context import RecordingContext
from ledger.dmct.schedule import SCHEDULE_ID, DmctSchedule
from ledger.dmct.schedule_findings import (
    ScheduleChangeDue,
    TestingStart,
    schedule_findings,
    started_unscheduled,
)
from ledger.dmct.schedule_values import (
    ChangeKind,
    ChangeReason,
    ChangeTrigger,
    InstallationType,
    InvalidDmctScheduleEventError,
    ScheduleEntry,
    apply_changes,
    compute_changes,
)
from ledger.rules.phase_kinds import OperatingCapability
from ledger.rules.roles import Role

DCC = Actor("alice", "dcc", "DCC")
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
H1, H2, H3 = "a1" * 32, "b2" * 32, "c3" * 32
ALL = [Role.SUPPLIER, Role.PANEL, Role.AUTHORITY, Role.SOS]
DORMANT, ACTIVE = InstallationType.DORMANT_ONLY, InstallationType.ACTIVE


class Clock:
    """Successive recording contexts, a day apart."""

    def __init__(self) -> None:
        self.at = START

    def __call__(self, **kwargs: Any) -> dict[str, Any]:
        self.at += timedelta(days=1)
        return RecordingContext(DCC, self.at, **kwargs).fields()

    @property
    def today(self) -> date:
        return self.at.date()


@pytest.fixture
def ctx() -> Clock:
    return Clock()


def entry(entry_id: str = "E1", **kwargs: Any) -> ScheduleEntry:
    fields: dict[str, Any] = {
        "dmc": f"DMC-{entry_id}", "installation_type": DORMANT, "capability_release": OperatingCapability.MOC,
        "planned_start": date(2026, 6, 1), "planned_completion": date(2026, 7, 31),
        "test_pack_id": "SDMTP-MOC",
        **kwargs,
    }
    return ScheduleEntry(entry_id, **fields)


def published(ctx: Clock, *entries: ScheduleEntry, **kwargs: Any) -> DmctSchedule:
    schedule = DmctSchedule.open(**ctx())
    args: dict[str, Any] = {"recipients": ALL, "sent_to_secas": True, "location": "https://dcc/s1", **kwargs}
    schedule.publish(1, H1, list(entries or [entry()]), **args, **ctx())
    return schedule


# -- publications --------------------------------------------------------------------------------
def test_the_schedule_is_one_aggregate_with_a_fixed_id(ctx: Clock) -> None:
    schedule = DmctSchedule.open(**ctx())
    assert schedule.id == SCHEDULE_ID == DmctSchedule.create_id()
    assert schedule.latest is None


def test_the_first_publication_adds_every_entry_as_new_and_cites_20_9_and_20_10(ctx: Clock) -> None:
    schedule = published(ctx, entry("E1"), entry("E2", installation_type=ACTIVE, test_pack_id=None,
                                                 non_standard_rationale="no SRV pack fits"))
    latest = schedule.latest
    assert latest is not None
    assert (latest.schedule_version, latest.document_sha256, latest.published_on) == (1, H1, ctx.today)
    assert sorted(latest.entries) == ["E1", "E2"]
    assert [(c.entry_id, c.kinds, c.trigger) for c in latest.changes] == [
        ("E1", (ChangeKind.ADDED,), ChangeTrigger.NEW_ENTRY),
        ("E2", (ChangeKind.ADDED,), ChangeTrigger.NEW_ENTRY),
    ]
    assert latest.recipients == frozenset(ALL)
    event = schedule.collect_events()[-1]
    assert event.clauses == ["20.9", "20.10"]
    assert json.loads(json.dumps(event.entries)) == event.entries
    assert json.loads(json.dumps(event.changes)) == event.changes


def test_an_update_records_its_change_log_with_reasons_and_their_clauses(ctx: Clock) -> None:
    schedule = published(ctx, entry("E1"), entry("E2"), entry("E3"), entry("E4"))
    later = date(2026, 8, 31)
    schedule.publish(
        2, H2,
        [entry("E1", planned_completion=later), entry("E2", test_pack_id="NSTP-E2"), entry("E4"),
         entry("E5")],
        reasons=[ChangeReason("E1", ChangeTrigger.REVISED_DATES_20_22, "TI-9"),
                 ChangeReason("E3", ChangeTrigger.REMOVAL_20_12A, "M-12A-1"),
                 ChangeReason("E5", ChangeTrigger.INCLUSION_20_12, "M-12-1")],
        recipients=ALL, **ctx())
    latest = schedule.latest
    assert latest is not None
    log = {c.entry_id: (c.kinds, c.trigger, c.reference) for c in latest.changes}
    assert log == {
        "E1": ((ChangeKind.DATES_CHANGED,), ChangeTrigger.REVISED_DATES_20_22, "TI-9"),
        "E2": ((ChangeKind.PACK_CHANGED,), ChangeTrigger.DCC_UPDATE, None),
        "E3": ((ChangeKind.REMOVED,), ChangeTrigger.REMOVAL_20_12A, "M-12A-1"),
        "E5": ((ChangeKind.ADDED,), ChangeTrigger.INCLUSION_20_12, "M-12-1"),
    }
    removed = next(c for c in latest.changes if c.entry_id == "E3")
    assert (removed.before, removed.after) == (entry("E3"), None)
    assert schedule.collect_events()[-1].clauses == ["20.9", "20.10", "20.22", "20.12A", "20.12"]


def test_completion_on_the_start_day_is_accepted(ctx: Clock) -> None:
    day = date(2026, 6, 1)
    schedule = published(ctx, entry(planned_start=day, planned_completion=day))
    assert schedule.latest is not None
    assert schedule.latest.entries["E1"].planned_completion == day


def _publish(schedule: DmctSchedule, ctx: Clock, **kwargs: Any) -> None:
    args: dict[str, Any] = {"schedule_version": 2, "document_sha256": H2, "entries": [entry()], **kwargs}
    schedule.publish(**args, **ctx())


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"schedule_version": 1}, "schedule_version"),
        ({"schedule_version": 0}, "schedule_version"),
        ({"schedule_version": True}, "schedule_version"),
        ({"document_sha256": "A1" * 32}, "document_sha256"),
        ({"document_sha256": H1}, "document_sha256"),
        ({"entries": [entry(), entry()]}, "entries"),
        ({"entries": [entry(planned_completion=date(2026, 5, 31))]}, "entries"),
        ({"entries": [entry(test_pack_id=None)]}, "entries"),
        ({"entries": [entry(test_pack_id=" ")]}, "entries"),
        ({"entries": [entry(dmc="")]}, "entries"),
        ({"entries": [entry("")]}, "entries"),
        ({"entries": [entry(installation_type="dormant")]}, "entries"),
        ({"entries": [entry(capability_release="xoc")]}, "entries"),
        ({"entries": [entry(dmc="DMC-other")]}, "entries"),
        ({"entries": [entry(installation_type=ACTIVE)]}, "entries"),
        ({"reasons": [ChangeReason("E1", ChangeTrigger.DCC_UPDATE)]}, "reasons"),
        ({"entries": [], "reasons": [ChangeReason("E1", ChangeTrigger.NEW_ENTRY)]}, "reasons"),
        ({"entries": [entry(planned_start=date(2026, 5, 1))],
          "reasons": [ChangeReason("E1", ChangeTrigger.REMOVAL_20_12A)]}, "reasons"),
        ({"reasons": [ChangeReason("E9", ChangeTrigger.NEW_ENTRY)]}, "reasons"),
        ({"entries": [entry(), entry("E2")], "reasons": [
            ChangeReason("E2", ChangeTrigger.NEW_ENTRY), ChangeReason("E2", ChangeTrigger.INCLUSION_20_12)]},
         "reasons"),
        ({"entries": [entry(), entry("E2")], "reasons": [ChangeReason("E2", "forced")]}, "reasons"),
        ({"recipients": [Role.TAG]}, "recipients"),
        ({"recipients": [Role.PANEL, "panel"]}, "recipients"),
        ({"recipients": ["ofgem"]}, "recipients"),
        ({"location": " "}, "location"),
    ],
)
def test_a_malformed_publication_is_rejected_naming_the_field(
    ctx: Clock, kwargs: dict[str, Any], field: str
) -> None:
    schedule = published(ctx)
    with pytest.raises(InvalidDmctScheduleEventError) as exc:
        _publish(schedule, ctx, **kwargs)
    assert exc.value.field == field
    assert exc.value.args[0].startswith(f"{field}: ")
    assert schedule.version == 2


def test_a_later_version_may_skip_numbers_and_empty_the_schedule(ctx: Clock) -> None:
    schedule = published(ctx)
    schedule.publish(5, H2, [], reasons=[ChangeReason("E1", ChangeTrigger.REMOVAL_20_12A)], **ctx())
    assert schedule.latest is not None
    assert (schedule.latest.schedule_version, schedule.latest.entries) == (5, {})


# -- distribution --------------------------------------------------------------------------------
def test_notices_secas_and_the_website_given_later_are_added_to_the_publication(ctx: Clock) -> None:
    schedule = published(ctx, recipients=[Role.SUPPLIER], sent_to_secas=False, location=None)
    schedule.record_distribution(1, [Role.PANEL, "authority"], **ctx())
    schedule.record_distribution(1, [Role.SOS], sent_to_secas=True, location="https://dcc/s1", **ctx())
    publication = schedule.publication(1)
    assert publication.recipients == frozenset(ALL)
    assert (publication.sent_to_secas, publication.location) == (True, "https://dcc/s1")
    assert publication.distribution_versions == (3, 4)
    assert schedule.collect_events()[-1].clauses == ["20.10"]


@pytest.mark.parametrize(
    ("args", "kwargs", "field"),
    [
        ((2, [Role.PANEL]), {}, "schedule_version"),
        ((1, [Role.SUPPLIER]), {}, "recipients"),
        ((1, [Role.TAB]), {}, "recipients"),
        ((1, []), {}, "recipients"),
        ((1, []), {"sent_to_secas": True}, "sent_to_secas"),
        ((1, []), {"location": "https://dcc/again"}, "location"),
    ],
)
def test_a_distribution_already_recorded_or_of_nothing_is_rejected(
    ctx: Clock, args: tuple[Any, ...], kwargs: dict[str, Any], field: str
) -> None:
    schedule = published(ctx, recipients=[Role.SUPPLIER])
    with pytest.raises(InvalidDmctScheduleEventError) as exc:
        schedule.record_distribution(*args, **kwargs, **ctx())
    assert exc.value.field == field
    assert schedule.version == 2


# -- the change log as data ----------------------------------------------------------------------
_IDS = st.sampled_from([f"E{i}" for i in range(8)])
_DAYS = st.dates(min_value=date(2026, 1, 1), max_value=date(2027, 12, 31))


@st.composite
def _entry(draw: st.DrawFn, entry_id: str) -> ScheduleEntry:
    start, end = sorted((draw(_DAYS), draw(_DAYS)))
    pack = draw(st.sampled_from([("SDMTP", None), ("NSTP", "bespoke"), (None, "bespoke"), (None, "other")]))
    # An entry id always names the same DMC, installation type and Capability Release.
    return entry(entry_id, planned_start=start, planned_completion=end, test_pack_id=pack[0],
                 non_standard_rationale=pack[1], installation_type=InstallationType.MIXED)


@st.composite
def _schedule(draw: st.DrawFn) -> dict[str, ScheduleEntry]:
    return {i: draw(_entry(i)) for i in draw(st.sets(_IDS))}


@settings(max_examples=200, deadline=None)
@given(_schedule(), _schedule())
def test_applying_the_change_log_to_the_previous_publication_gives_the_new_one(
    previous: dict[str, ScheduleEntry], current: dict[str, ScheduleEntry]
) -> None:
    changes = compute_changes(previous, current)
    assert apply_changes(previous, changes) == current
    changed = {i for i in set(previous) | set(current) if previous.get(i) != current.get(i)}
    assert {c.entry_id for c in changes} == changed
    assert all(c.before == previous.get(c.entry_id) and c.after == current.get(c.entry_id) for c in changes)


@settings(max_examples=50, deadline=None)
@given(_schedule(), _schedule())
def test_the_stored_change_log_replays_the_publication(
    previous: dict[str, ScheduleEntry], current: dict[str, ScheduleEntry]
) -> None:
    ctx = Clock()
    schedule = DmctSchedule.open(**ctx())
    schedule.publish(1, H1, list(previous.values()), **ctx())
    schedule.publish(2, H2, list(current.values()), **ctx())
    first, second = schedule.publications
    assert apply_changes(first.entries, second.changes) == second.entries == current


# -- findings ------------------------------------------------------------------------------------
def test_a_fully_distributed_publication_raises_no_finding(ctx: Clock) -> None:
    assert schedule_findings(published(ctx)) == []


def test_a_publication_missing_recipients_secas_or_the_website_is_flagged_until_distributed(
    ctx: Clock,
) -> None:
    schedule = published(ctx, recipients=[Role.SUPPLIER, Role.PANEL], sent_to_secas=False, location=None)
    (finding,) = schedule_findings(schedule)
    assert finding.clause == "20.10"
    assert "authority, sos, SECAS (SEC Website), the DCC Website" in finding.what
    assert finding.event_ids == (schedule.event_id(2),)
    schedule.record_distribution(1, [Role.AUTHORITY, Role.SOS], sent_to_secas=True, location="u", **ctx())
    assert schedule_findings(schedule) == []


def _due(trigger: ChangeTrigger, day: date, entry_id: str = "E2", **kwargs: Any) -> ScheduleChangeDue:
    return ScheduleChangeDue(entry_id, trigger, day, "dmc-1:4", **kwargs)


@pytest.mark.parametrize(
    ("trigger", "clause"),
    [(ChangeTrigger.NEW_ENTRY, "20.9"), (ChangeTrigger.INCLUSION_20_12, "20.12")],
)
def test_an_inclusion_no_later_publication_shows_is_flagged(
    ctx: Clock, trigger: ChangeTrigger, clause: str
) -> None:
    schedule = published(ctx)
    due = _due(trigger, ctx.today)
    (finding,) = schedule_findings(schedule, [due])
    assert (finding.clause, finding.event_ids) == (clause, ("dmc-1:4",))
    schedule.publish(2, H2, [entry(), entry("E2")], reasons=[ChangeReason("E2", trigger)], recipients=ALL,
                     sent_to_secas=True, location="u", **ctx())
    assert schedule_findings(schedule, [due]) == []


def test_a_removal_is_flagged_until_published_and_a_publication_before_the_decision_does_not_count(
    ctx: Clock,
) -> None:
    schedule = published(ctx, entry(), entry("E2"))
    schedule.publish(2, H2, [entry()], recipients=ALL, sent_to_secas=True, location="u", **ctx())
    due = _due(ChangeTrigger.REMOVAL_20_12A, ctx.today + timedelta(days=1))
    assert [f.clause for f in schedule_findings(schedule, [due])] == ["20.12A"]
    schedule.publish(3, H3, [entry()], recipients=ALL, sent_to_secas=True, location="u", **ctx())
    assert schedule_findings(schedule, [due]) == []


def test_revised_dates_need_a_published_date_change_to_the_revised_completion(ctx: Clock) -> None:
    schedule = published(ctx, entry("E2"))
    revised = date(2026, 9, 30)
    due = _due(ChangeTrigger.REVISED_DATES_20_22, ctx.today, planned_completion=revised)
    assert [f.clause for f in schedule_findings(schedule, [due])] == ["20.22"]
    schedule.publish(2, H2, [entry("E2", planned_completion=date(2026, 8, 31))], recipients=ALL,
                     sent_to_secas=True, location="u", **ctx())
    assert [f.clause for f in schedule_findings(schedule, [due])] == ["20.22"]
    schedule.publish(3, H3, [entry("E2", planned_completion=revised)], recipients=ALL, sent_to_secas=True,
                     location="u", **ctx())
    assert schedule_findings(schedule, [due]) == []
    assert schedule_findings(schedule, [_due(ChangeTrigger.REVISED_DATES_20_22, ctx.today)]) == []


def test_testing_an_entry_the_schedule_in_force_did_not_show_is_flagged(ctx: Clock) -> None:
    schedule = published(ctx)
    day = ctx.today
    ok = TestingStart("E1", "DMC-E1", day, "entry-1:3")
    early = TestingStart("E1", "DMC-E1", day - timedelta(days=1), "entry-1:2")
    other = TestingStart("E2", "DMC-E2", day, "entry-2:3")
    found = list(started_unscheduled(schedule, [ok, early, other]))
    assert [(f.clause, f.event_ids) for f in found] == [("20.9", ("entry-1:2",)), ("20.9", ("entry-2:3",))]
