"""Group commit (issue 6, append throughput): commands saved at the same time share a transaction,
each still its own signed save, and each ends as it would have alone. On SQLite and PostgreSQL."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from eventsourcing.persistence import RecordConflictError

from api import log_service
from ledger.application import AKLedger
from ledger.commands.execute import Executed, execute_json
from ledger.commands.group_commit import GroupCommit
from ledger.errors import InvalidFieldError, VersionConflictError
from tests.integration.test_commands import line, raise_issue, staffed, stored

__all__ = ["staffed"]  # the fixture, for these tests
QUEUE_TIMEOUT = 60.0  # seconds; only bounds the test on a loaded machine
Outcome = Executed | BaseException


def note(i: int) -> str:
    return json.dumps(line("Note.record", "dcc", {"text": f"note {i}"}))


def severity(level: int) -> str:
    return json.dumps(line("TestingIssue.determine_severity", "dcc",
                           {"target": {"reference": "TI-1"}, "severity": level}))


def until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + QUEUE_TIMEOUT
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.005)


def behind_a_held_command(
    lg: AKLedger, group: GroupCommit, then: list[Callable[[], Executed]]
) -> tuple[Executed, list[Outcome]]:
    """A note whose save holds its group open (uncommitted) until every command of ``then`` is
    queued behind it, so that those are committed together in the next group; every outcome."""

    def hold(session: Any, done: Executed) -> None:
        until(lambda: group.waiting == len(then), f"{len(then)} commands never queued")

    with ThreadPoolExecutor(len(then) + 1) as pool:
        first = pool.submit(execute_json, lg, note(0), alongside=hold, group=group)
        until(lambda: group.waiting == 0 and first.running(), "the held command never started")
        rest = [pool.submit(each) for each in then]
        outcomes = [f.exception() or f.result() for f in rest]
    return first.result(), outcomes


def test_commands_saved_at_the_same_time_share_one_commit_each_signed_as_its_own_save(
    staffed: AKLedger,
) -> None:
    group, sessions = GroupCommit(staffed), []
    before = stored(staffed)

    def seen(session: Any, done: Executed) -> None:
        sessions.append(session)

    then = [lambda i=i: execute_json(staffed, note(i), alongside=seen, group=group) for i in (1, 2, 3)]
    first, outcomes = behind_a_held_command(staffed, group, then)
    assert all(isinstance(o, Executed) for o in outcomes), outcomes
    assert len(sessions) == 3
    assert all(s is sessions[0] for s in sessions)  # one transaction
    recorded = [first, *outcomes]
    events = [e for done in recorded if isinstance(done, Executed) for e in done.appended]
    assert stored(staffed) == before + 4 == before + len({e.position for e in events})
    assert all(e.batch is None for e in events)  # each a save of its own, signed alone
    assert len({e.signature for e in events}) == 4
    log_service.integrate(staffed)
    report = log_service.verify(staffed, full=True)
    assert report.ok, report.fault
    assert group.waiting == 0


def test_a_save_refused_in_its_group_runs_the_others_again_alone_each_ending_as_it_would_have(
    staffed: AKLedger,
) -> None:
    raise_issue(staffed)  # TI-1 at version 1
    group = GroupCommit(staffed)
    before = stored(staffed)
    # Two determinations of TI-1 at version 1 in one group: the second's save conflicts with the
    # first's (uncommitted) one, so the group rolls back and both run again alone.
    then = [lambda level=level: execute_json(staffed, severity(level), expected_version=1, group=group)
            for level in (2, 3)]
    _, outcomes = behind_a_held_command(staffed, group, then)
    recorded = [o for o in outcomes if isinstance(o, Executed)]
    refused = [o for o in outcomes if not isinstance(o, Executed)]
    assert len(recorded) == 1, outcomes
    assert len(refused) == 1, outcomes
    # Refused as a command that came a moment after the other: its If-Match is stale, or (when
    # both were loaded before either was saved) its save lost the race.
    (why,) = refused
    stale = isinstance(why, VersionConflictError) and why.actual == 2
    lost = isinstance(why, InvalidFieldError) and isinstance(why.__context__, RecordConflictError)
    assert stale or lost, why
    assert stored(staffed) == before + 2  # the note and one determination, nothing twice


def test_a_group_of_one_is_the_command_alone_its_error_its_own(staffed: AKLedger) -> None:
    group = GroupCommit(staffed)
    before = stored(staffed)

    def fails(session: Any, done: Executed) -> None:
        raise RuntimeError("the idempotency record could not be written")

    with pytest.raises(RuntimeError, match="idempotency record"):
        execute_json(staffed, note(1), alongside=fails, group=group)
    assert stored(staffed) == before  # its events rolled back with it
    execute_json(staffed, note(2), group=group)
    assert stored(staffed) == before + 1
    assert group.waiting == 0
