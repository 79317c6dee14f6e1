"""Running a command: who issues it, may they, is the input sound; then one all-or-nothing save.

Every write of the testing record goes through :func:`execute` (the CLI's import, the demo, the
HTTP API), in this order, and nothing is written unless every step passes:

1. the command exists in the catalogue (``command``) and the envelope (principal, occurred_at,
   on_behalf_of, evidence_sha256, clauses) fits its schema;
2. the principal exists (``UnknownPrincipalError``) and is enabled;
3. the permission table allows the principal's role (``ledger.rules.permissions.authorise``),
   so an unauthorised command is refused before its data is even read;
4. the data fits the command's schema, strictly (JSON types; no unknown fields);
5. where the data names who acts (``raised_by``, ``determined_by``, ``issued_by`` ...), it names
   the role the command is recorded as;
6. the recording context is sound (``occurred_at`` not ahead, clauses, evidence on behalf);
7. the aggregate's own structural rules pass;
8. one save of every aggregate the command changed, signed as one batch (committed alone, or
   with the saves of commands issued at the same time: ``ledger.commands.group_commit``).

Errors name the field: envelope fields by name, data fields as ``data.<name>``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import RecordConflictError
from pydantic import BaseModel, ConfigDict, ValidationError

from ledger.actors import Actor
from ledger.application import AKLedger, Appended
from ledger.commands.catalogue import CommandSpec, Envelope, IdTarget, ReferenceTarget, catalogue
from ledger.commands.group_commit import GroupCommit, RunAloneError
from ledger.context import RecordingContext
from ledger.errors import (
    CommandInputError,
    InvalidFieldError,
    PermissionDeniedError,
    UnknownPrincipalError,
    VersionConflictError,
)
from ledger.notes import Note
from ledger.principal_directory import DIRECTORY_ID, PrincipalDirectory
from ledger.principals import Principal, principal_id
from ledger.references import reference_id
from ledger.rules.permissions import TESTING_PARTICIPANTS, authorise
from ledger.rules.roles import Role


@dataclass(frozen=True)
class Executed:
    """What a command recorded: the aggregates it changed and where each event went."""

    command: str
    aggregate_ids: tuple[UUID, ...]
    appended: tuple[Appended, ...]


class _Head(Envelope):
    """The envelope without the command's data: enough to authenticate and authorise."""

    model_config = ConfigDict(extra="ignore", strict=False)


#: Called with the database session of the save and what was executed, inside the save's own
#: transaction: rows written there (an idempotency record) commit with the events or not at all.
Alongside = Callable[[Any, "Executed"], None]


def execute_json(
    lg: AKLedger, text: str | bytes, *, via: str | None = None, expected_version: int | None = None,
    alongside: Alongside | None = None, authenticated: Principal | None = None,
    group: GroupCommit | None = None,
) -> Executed:
    """Run the command in ``text`` (one JSON object). ``via`` names the operator entering it for
    its principal, recorded with the actor; ``expected_version`` is the version the command's
    target must be at (HTTP ``If-Match``); ``alongside`` writes in the save's transaction;
    ``authenticated`` is the principal as the caller has just loaded it (HTTP: the bearer token's),
    used for the command's principal of that name instead of replaying it again; ``group``
    commits the save with those of other commands issued meanwhile (the HTTP server's threads).
    Raises ``CommandInputError`` (schema), ``UnknownPrincipalError``, ``PermissionDeniedError``,
    ``VersionConflictError``, or the aggregate's ``InvalidFieldError`` subclass; nothing is
    written when it raises."""
    try:
        raw = json.loads(text)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise CommandInputError([("(line)", f"not JSON: {exc}"[:200])]) from None
    if not isinstance(raw, dict):
        raise CommandInputError([("(line)", "a command is a JSON object")])
    spec = _spec_of(raw)
    try:
        head = _Head.model_validate({k: v for k, v in raw.items() if k not in {"command", "data"}})
    except ValidationError as exc:
        raise CommandInputError(_errors(exc)) from None
    principal = _principal(lg, head.principal, spec.name, authenticated)
    body = None if head.on_behalf_of is None else head.on_behalf_of.value
    data = raw.get("data")
    kind = data.get(spec.type_field) if spec.type_field and isinstance(data, dict) else None
    authorise(
        principal.role,
        spec.name,
        body,
        head.evidence_sha256,
        document_type=kind if isinstance(kind, str) else None,
    )
    try:
        envelope = spec.envelope.model_validate_json(text, strict=True)
    except ValidationError as exc:
        raise CommandInputError(_errors(exc)) from None
    try:
        return _run(lg, spec, envelope, principal, _Options(via, expected_version, alongside, group))
    except RunAloneError:  # another save of its group failed: nothing of this one was recorded
        return execute_json(lg, text, via=via, expected_version=expected_version, alongside=alongside,
                            authenticated=authenticated)


def execute(lg: AKLedger, command: Mapping[str, Any], *, via: str | None = None) -> Executed:
    """:func:`execute_json` for a command already parsed (dates and enums as JSON strings)."""
    return execute_json(lg, json.dumps(command, default=str), via=via)


@dataclass(frozen=True)
class _Options:
    via: str | None
    expected_version: int | None
    alongside: Alongside | None
    group: GroupCommit | None


def _spec_of(raw: Mapping[str, Any]) -> CommandSpec:
    name = raw.get("command")
    specs = catalogue()
    if not isinstance(name, str) or name not in specs:
        raise CommandInputError([("command", f"{name!r} is not a command (see `akledger commands list`)")])
    return specs[name]


def _errors(exc: ValidationError) -> list[tuple[str, str]]:
    found = []
    for error in exc.errors(include_url=False):
        where = ".".join(str(p) for p in error["loc"] if not _is_union_branch(p)) or "(line)"
        found.append((where, error["msg"]))
    return found


def _is_union_branch(part: object) -> bool:
    # pydantic names the member of a union it tried ("TestingIssueKey", "IdTarget").
    return isinstance(part, str) and (part.endswith("Key") or part in {"IdTarget", "ReferenceTarget"})


def find_principal(lg: AKLedger, name: str) -> Principal | None:
    """The principal called ``name``, or None if there is none (the one lookup every caller uses)."""
    try:
        found: object = lg.repository.get(principal_id(name))
    except AggregateNotFoundError:
        return None
    assert isinstance(found, Principal)
    return found


def _principal(lg: AKLedger, name: str, command: str, loaded: Principal | None = None) -> Principal:
    found = loaded if loaded is not None and loaded.name == name else find_principal(lg, name)
    if found is None:
        raise UnknownPrincipalError(name)
    if found.disabled:
        raise PermissionDeniedError(found.role.value, command, f"principal {name!r} is disabled")
    return found


def _run(
    lg: AKLedger, spec: CommandSpec, envelope: Envelope, principal: Principal, options: _Options
) -> Executed:
    actor = Actor(principal.name, principal.role.value, principal.organisation, options.via)
    body = None if envelope.on_behalf_of is None else envelope.on_behalf_of.value
    context = RecordingContext(
        actor, envelope.occurred_at, tuple(envelope.clauses), body, envelope.evidence_sha256
    )
    data: BaseModel = envelope.data  # type: ignore[attr-defined]
    arguments = {name: getattr(data, name) for name in spec.parameters}
    acting = envelope.on_behalf_of or principal.role
    _check_acting(spec, arguments, acting, principal)
    try:
        changed = _apply(lg, spec, data, arguments, context, options.expected_version)
    except InvalidFieldError as exc:
        if exc.field in spec.parameters:
            raise type(exc)(f"data.{exc.field}", exc.reason) from None
        raise
    if lg.signing_mapper.signer is None:
        lg.load_signer()
    try:
        return _save(lg, spec.name, changed, options)
    except RecordConflictError:
        raise InvalidFieldError(
            "data", f"{spec.name}: recorded already, or changed by another command meanwhile"
        ) from None


def _save(lg: AKLedger, command: str, changed: list[Aggregate], options: _Options) -> Executed:
    """One signed save of ``changed`` and ``options.alongside``'s writes, in one transaction."""
    ids = tuple(a.id for a in changed)
    if options.alongside is None and options.group is None:
        return Executed(command, ids, tuple(lg.append(*changed)))

    def save(session: Any) -> Executed:
        done = Executed(command, ids, tuple(lg.append(*changed, session=session)))
        if options.alongside is not None:
            options.alongside(session, done)
        return done

    if options.group is not None:
        return options.group.save(save)
    with lg.recorder.transaction(commit=True) as session:  # type: ignore[attr-defined]
        return save(session)


def _check_acting(spec: CommandSpec, arguments: dict[str, Any], acting: Role, who: Principal) -> None:
    if spec.acting_field is None:
        return
    named = arguments[spec.acting_field]
    role = getattr(named, "role", named)  # a Party names a role; a role field is one
    if not isinstance(role, Role):
        return  # an audience (e.g. "the Parties") is not somebody acting
    if role is acting or (role is Role.TESTING_PARTICIPANT and acting in TESTING_PARTICIPANTS):
        return
    raise PermissionDeniedError(
        who.role.value,
        spec.name,
        f"data.{spec.acting_field} is {role.value}, but {who.name!r} records as {acting.value}",
        field=f"data.{spec.acting_field}",
    )


def _apply(
    lg: AKLedger, spec: CommandSpec, data: BaseModel, arguments: dict[str, Any], context: RecordingContext,
    expected_version: int | None,
) -> list[Aggregate]:
    fields = context.fields()
    if spec.name == "Note.record":
        return [Note(text=arguments["text"], occurred_at=fields["occurred_at"], actor=fields["actor"])]
    if spec.name == "Principal.add":
        return _add_principal(lg, arguments, fields)
    if spec.creates:
        spec.check_across(lg.repository, None, arguments)
        created = spec.function(**arguments, **fields)
        if created.id in lg.repository:  # the key fields name one that exists
            named = "reference" if "reference" in arguments else next(iter(spec.parameters), None)
            raise InvalidFieldError(
                "data" if named is None else f"data.{named}",
                f"{spec.aggregate.__name__} {created.id} is already recorded",
            )
        return [created]
    target = _target(lg, spec, data.target)  # type: ignore[attr-defined]
    if expected_version is not None and target.version != expected_version:
        raise VersionConflictError(f"{spec.aggregate.__name__} {target.id}", expected_version, target.version)
    spec.check_across(lg.repository, target, arguments)
    returned = getattr(target, spec.method)(**arguments, **fields)
    return [target] + ([returned] if isinstance(returned, Aggregate) else [])


def _target(lg: AKLedger, spec: CommandSpec, target: BaseModel) -> Aggregate:
    name = spec.aggregate.__name__
    if isinstance(target, IdTarget):
        aggregate_id, described = target.id, f"id {target.id}"
    elif isinstance(target, ReferenceTarget):
        aggregate_id, described = reference_id(name.lower(), target.reference), repr(target.reference)
    else:
        key = target.model_dump()
        aggregate_id = spec.aggregate.create_id(**key)
        described = ", ".join(f"{k}={v!r}" for k, v in key.items() if v is not None)
    try:
        found: object = lg.repository.get(aggregate_id)
    except AggregateNotFoundError:
        raise InvalidFieldError("data.target", f"no {name} {described} is recorded") from None
    if not isinstance(found, spec.aggregate):
        raise InvalidFieldError("data.target", f"{described} is a {type(found).__name__}, not a {name}")
    return found


def _add_principal(lg: AKLedger, arguments: dict[str, Any], fields: dict[str, Any]) -> list[Aggregate]:
    principal = Principal.add(**arguments, **fields)
    try:
        found: object = lg.repository.get(DIRECTORY_ID)
        assert isinstance(found, PrincipalDirectory)
        directory = found
    except AggregateNotFoundError:
        directory = PrincipalDirectory.open(**fields)
    try:
        directory.enlist(principal.name, str(principal.id), **fields)
    except InvalidFieldError as exc:
        raise type(exc)("data.name", exc.reason) from None
    return [directory, principal]


def bootstrap_admin(lg: AKLedger, name: str, organisation: str, context: RecordingContext) -> bool:
    """Add ``name`` as the first ``admin`` principal if the ledger has none yet (``akledger
    init``): somebody must be able to add the others. Returns whether it was added."""
    if DIRECTORY_ID in lg.repository:
        return False
    arguments = {"name": name, "role": Role.ADMIN, "organisation": organisation, "display_name": None}
    fields = {**context.fields(), "clauses": []}
    if lg.signing_mapper.signer is None:
        lg.load_signer()
    lg.append(*_add_principal(lg, arguments, fields))
    return True
