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


class InvalidMatterEventError(InvalidEventError):
    """A Matter command that cannot be recorded (``ledger.matters``); nothing is written.

    ``field`` names the offending argument; the message is ``"{field}: {reason}"`` and names
    the matter and route ids involved.
    """

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


class InvalidTestingIssueEventError(InvalidEventError):
    """A Testing Issue command that cannot be recorded (``ledger.testing_issues``); nothing is written.

    ``field`` names the offending argument (or ``status`` when the issue's state forbids the
    command); the message is ``"{field}: {reason}"`` and names the issue reference.
    """

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


class InvalidDocumentEventError(InvalidEventError):
    """A Document or Notice command that cannot be recorded (``ledger.documents``,
    ``ledger.notices``); nothing is written. ``field`` names the offending argument; the message
    is ``"{field}: {reason}"`` and names the document, or the notice type, involved.
    """

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


class InvalidPhaseEventError(InvalidEventError):
    """A Capability Release or Test Phase command that cannot be recorded
    (``ledger.capability_releases``, ``ledger.phases``); nothing is written. ``field`` names the
    offending argument (``status`` when the phase's lifecycle forbids the command: the message
    then names the current status and the commands allowed next); the message is
    ``"{field}: {reason}"`` and names the phase.
    """

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason
