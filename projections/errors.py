"""The read side's errors, under the ledger's one root (``ledger.errors.LedgerError``)."""

from __future__ import annotations

from ledger.errors import LedgerError


class ProjectionError(LedgerError):
    """Root of the errors the projection runner raises on purpose."""


class ProjectionFailedError(ProjectionError):
    """A projection could not apply the event at ``notification_id``; it has stopped there.

    The fault is recorded in ``projection_faults``; the projection's tracking stays before the
    event, so a restart retries the same event (never skips it). ``__cause__`` is the error.
    """

    def __init__(self, projection: str, notification_id: int, error: str) -> None:
        super().__init__(f"projection {projection!r} failed at notification {notification_id}: {error}")
        self.projection = projection
        self.notification_id = notification_id
        self.error = error


class ProjectionLockedError(ProjectionError):
    """Another runner holds the projection (PostgreSQL advisory lock): this one does not run."""

    def __init__(self, projection: str) -> None:
        super().__init__(f"projection {projection!r} is being run by another runner")
        self.projection = projection


class ProjectionConflictError(ProjectionError):
    """The projection's tracking moved under a batch (a second runner without the lock).

    The batch is rolled back whole; nothing was applied twice.
    """

    def __init__(self, projection: str, expected: int) -> None:
        super().__init__(
            f"projection {projection!r}: tracking is no longer at notification {expected}; "
            "another runner advanced it (batch rolled back)"
        )
        self.projection = projection
        self.expected = expected


class UnknownProjectionError(ProjectionError):
    """No projection of that name is registered."""

    def __init__(self, name: str, known: list[str]) -> None:
        super().__init__(f"no projection named {name!r} (known: {', '.join(known) or 'none'})")
        self.name = name


def describe_error(exc: BaseException) -> str:
    """How a projection's fault is recorded and reported: the error's qualified type and message."""
    return f"{type(exc).__module__}.{type(exc).__qualname__}: {exc}"
