"""Group commit: the saves of commands issued at the same time, committed in one transaction.

An append holds the events table's lock (PostgreSQL: ``LOCK TABLE ... IN EXCLUSIVE MODE``;
SQLite: the datastore's write lock) until its commit has been flushed to disk, so appends are
serialised on the disk's flush: with a flush of 3-4 ms, about 250 commands a second at most,
whatever the CPUs. Here the commands that are waiting to be saved when a commit starts are
saved together: each is still its own save, sealed and signed as before (one ``lg.append``
each, in the order they arrived), but one transaction and one flush cover them all.

Any thread may lead (there is no thread of its own): the first command to arrive while no
commit runs saves every command then waiting, at most ``limit``; the others wait for it. Once
its commit is done it hands the lead to the first command that arrived meanwhile, and returns.

A command's outcome is the one it would have had alone:

- a group of one is the command's own transaction: its error is its own (as before);
- when a command of a larger group fails before the commit (a save lost a race, an
  ``alongside`` refused), the whole transaction rolls back and every command of the group is
  told to run again alone (``RunAloneError``): its aggregates loaded again, in its own
  transaction. A command in conflict with another of its group so meets it committed, as it
  would have, had it come a moment later;
- when the commit itself fails, every command of the group gets that error: whether anything
  was recorded is then unknown, as for a command alone, so nothing is run again.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from eventsourcing.application import Application

T = TypeVar("T")
LIMIT = 32  # saves per transaction at most


class RunAloneError(Exception):
    """The group's transaction rolled back because of another save: run this command again,
    alone (nothing of it was recorded)."""


class _Save(Generic[T]):
    """One command's save, waiting in a group: ``save(session)`` and, once done, its outcome."""

    def __init__(self, save: Callable[[Any], T]) -> None:
        self.save = save
        self.woken = threading.Event()
        self.leads = False  # woken to lead the next group, not with an outcome
        self.done = False
        self.result: T | None = None
        self.error: BaseException | None = None

    def outcome(self) -> T:
        if self.error is not None:
            raise self.error
        assert self.done
        return self.result  # type: ignore[return-value]  # T itself may admit None


class GroupCommit:
    """Saves of one application, committed in groups (see the module's docstring). Shared by
    the threads that run commands; one per application."""

    def __init__(self, app: Application[Any], limit: int = LIMIT) -> None:
        self._app = app
        self._limit = limit
        self._lock = threading.Lock()
        self._waiting: list[_Save[Any]] = []  # not empty only while a thread leads
        self._leading = False

    @property
    def waiting(self) -> int:
        """Saves queued behind the group being committed."""
        with self._lock:
            return len(self._waiting)

    def save(self, save: Callable[[Any], T]) -> T:
        """``save(session)``'s result once the transaction it ran in has committed. ``save`` runs
        in the calling thread or another, inside a transaction (``session``) that may hold
        other commands' saves before and after it: it must write only through ``session``.
        Raises what ``save`` or the commit raised, or ``RunAloneError``."""
        mine = _Save(save)
        with self._lock:
            self._waiting.append(mine)
            leads = not self._leading
            self._leading = True
        if not leads:
            mine.woken.wait()
            if not mine.leads:
                return mine.outcome()
        with self._lock:  # leading: ``mine`` is the first waiting
            group, self._waiting = self._waiting[: self._limit], self._waiting[self._limit:]
        try:
            self._commit(group)
        finally:
            self._hand_on()
        return mine.outcome()

    def _hand_on(self) -> None:
        """The lead to the first save that came while this group was committed, if any."""
        with self._lock:
            if not self._waiting:
                self._leading = False
                return
            successor = self._waiting[0]
        successor.leads = True
        successor.woken.set()

    def _commit(self, group: list[_Save[Any]]) -> None:
        results: list[Any] = []
        saving: _Save[Any] | None = None
        try:
            with self._app.recorder.transaction(commit=True) as session:  # type: ignore[attr-defined]
                for each in group:
                    saving = each
                    results.append(each.save(session))
                saving = None
        except BaseException as exc:  # every waiting thread must be told, whatever happened
            for each in group:
                if saving is None or len(group) == 1:
                    each.error = exc  # the commit's own failure, or the only save's
                else:
                    each.error = RunAloneError(f"another save of its group failed: {type(exc).__name__}")
                    each.error.__cause__ = exc
        else:
            for each, result in zip(group, results, strict=True):
                each.result, each.done = result, True
        for each in group:
            each.leads = False
            each.woken.set()
