"""The ledger's errors: one root, specific subclasses; messages name the ids involved."""

from __future__ import annotations


class LedgerError(Exception):
    """Root of every error the ledger raises on purpose."""


class ConfigError(LedgerError):
    """A setting is missing or wrong. ``setting`` names it (an environment variable)."""

    def __init__(self, setting: str, reason: str) -> None:
        super().__init__(f"{setting}: {reason}")
        self.setting = setting
        self.reason = reason


class NotInitialisedError(LedgerError):
    """The database or key directory holds no ledger yet (run ``akledger init``)."""


class AlreadyInitialisedError(LedgerError):
    """``init`` was asked to create a ledger where one exists."""


class KeyUnavailableError(LedgerError):
    """A signing key named by the ledger is not in the key directory or cannot be opened."""


class InvalidEventError(LedgerError):
    """An event cannot be recorded as given (structural validity, nothing is written)."""


class NotFoundError(LedgerError):
    """A log position, tree size or aggregate that does not exist was asked for."""
