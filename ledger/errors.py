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


class InvalidFieldError(InvalidEventError):
    """A command's argument cannot be recorded; ``field`` names it, ``reason`` says why, and the
    message is ``"{field}: {reason}"``. Each aggregate family has its own subclass below."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


class NotFoundError(LedgerError):
    """A log position, tree size or aggregate that does not exist was asked for."""


class InvalidMatterEventError(InvalidFieldError):
    """A Matter command that cannot be recorded (``ledger.matters``); nothing is written.

    ``field`` names the offending argument; the message is ``"{field}: {reason}"`` and names
    the matter and route ids involved.
    """


class InvalidTestingIssueEventError(InvalidFieldError):
    """A Testing Issue command that cannot be recorded (``ledger.testing_issues``); nothing is written.

    ``field`` names the offending argument (or ``status`` when the issue's state forbids the
    command); the message is ``"{field}: {reason}"`` and names the issue reference.
    """


class InvalidDocumentEventError(InvalidFieldError):
    """A Document or Notice command that cannot be recorded (``ledger.documents``,
    ``ledger.notices``); nothing is written. ``field`` names the offending argument; the message
    is ``"{field}: {reason}"`` and names the document, or the notice type, involved.
    """


class InvalidPhaseEventError(InvalidFieldError):
    """A Capability Release or Test Phase command that cannot be recorded
    (``ledger.capability_releases``, ``ledger.phases``); nothing is written. ``field`` names the
    offending argument (``status`` when the phase's lifecycle forbids the command: the message
    then names the current status and the commands allowed next); the message is
    ``"{field}: {reason}"`` and names the phase.
    """


class InvalidTraceabilityEventError(InvalidFieldError):
    """A Requirement, Test Scenario or Planned Test command that cannot be recorded
    (``ledger.requirements``, ``ledger.test_scenarios``, ``ledger.planned_tests``); nothing is
    written. ``field`` names the offending argument; the message is ``"{field}: {reason}"`` and
    names the requirement, scenario or planned test involved.
    """


class InvalidPrincipalEventError(InvalidFieldError):
    """A Principal command that cannot be recorded (``ledger.principals``,
    ``ledger.principal_directory``); nothing is written. ``field`` names the offending argument
    (``status`` when the principal is disabled, ``name`` when it is already listed); the message
    is ``"{field}: {reason}"`` and names the principal.
    """


class PermissionDeniedError(LedgerError):
    """A role may not issue a command (``ledger.rules.permissions``). The message names the role,
    the command and why; ``role`` and ``command`` hold them, and ``field`` the input at fault:
    ``principal`` (the role), ``on_behalf_of`` (a body the command is not recorded for) or
    ``evidence_sha256`` (a body's decision without its evidence)."""

    def __init__(self, role: str, command: str, reason: str, *, field: str = "principal") -> None:
        super().__init__(f"{role} may not {command}: {reason}")
        self.role = role
        self.command = command
        self.reason = reason
        self.field = field


class InvalidWorkOffPlanEventError(InvalidFieldError):
    """A Work Off Plan command that cannot be recorded (``ledger.work_off_plans``); nothing is
    written. ``field`` names the offending argument (``status`` when the plan's state forbids the
    command); the message is ``"{field}: {reason}"`` and names the plan and the issue ids involved.
    """


class InvalidDmcSelectionEventError(InvalidFieldError):
    """A DMC selection or de-selection command that cannot be recorded (``ledger.dmc_selection``);
    nothing is written. ``field`` names the offending argument; the message is
    ``"{field}: {reason}"`` and names the selection and the DMC involved.
    """


class InvalidTtmEventError(InvalidFieldError):
    """A Test Traceability Matrix command that cannot be recorded (``ledger.ttm``); nothing is
    written. ``field`` names the offending argument (``status`` when the TTM's state forbids the
    command); the message is ``"{field}: {reason}"`` and names the TTM's phase and the version.
    """


class UnknownPrincipalError(LedgerError):
    """A command names a principal the ledger does not know (HTTP 401): ``field`` is
    ``principal``; nothing is written."""

    def __init__(self, name: str) -> None:
        self.field = "principal"
        self.reason = f"no principal named {name!r} (see `akledger principals list`)"
        super().__init__(f"{self.field}: {self.reason}")
        self.name = name


class VersionConflictError(LedgerError):
    """A command said which version of its target it changes (HTTP ``If-Match``) and the target
    is at another: somebody changed it meanwhile. Nothing is written; ``field`` is ``If-Match``."""

    def __init__(self, aggregate: str, expected: int, actual: int) -> None:
        self.field = "If-Match"
        self.reason = f"{aggregate} is at version {actual}, not {expected}: it changed meanwhile"
        super().__init__(f"{self.field}: {self.reason}")
        self.expected, self.actual = expected, actual


class CommandInputError(InvalidFieldError):
    """A command's input does not fit its schema (``ledger.commands``); nothing is written.
    ``errors`` lists every ``(field, reason)`` found; ``field``/``reason`` are the first."""

    def __init__(self, errors: list[tuple[str, str]]) -> None:
        field, reason = errors[0]
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        super().__init__(field, reason + more)
        self.errors = errors


class InvalidCycleRunEventError(InvalidFieldError):
    """An end-of-cycle or regression run command that cannot be recorded (``ledger.cycle_runs``);
    nothing is written. ``field`` names the offending argument (``kind`` when the command is for
    the other kind of run); the message is ``"{field}: {reason}"`` and names the phase and run.
    """
