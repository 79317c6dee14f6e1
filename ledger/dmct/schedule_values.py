"""What the DMCT Schedule and the DMCT test packs hold (§20.9-20.18): the planned EPCL entries of a
publication, the change log of one publication against the previous, why each change was made,
who a publication must reach, and the structural checks on command arguments, which raise
``InvalidDmctScheduleEventError`` naming the field.

The change log is data computed from two publications (``compute_changes``) and applying it to
the earlier one gives the later (``apply_changes``); ``ledger.dmct.schedule`` stores it in the
publication's event so a reader of the record sees the changes §20.9 requires to be published
without recomputing them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum
from typing import Any, TypeVar

from ledger.document_values import SHA256_HEX
from ledger.errors import InvalidFieldError
from ledger.references import reference_problem
from ledger.rules.phase_kinds import OperatingCapability
from ledger.rules.roles import Role

E = TypeVar("E", bound=StrEnum)


class InvalidDmctScheduleEventError(InvalidFieldError):
    """A DMCT Schedule, DMCT test pack or alternate environment command that cannot be recorded
    (``ledger.dmct.schedule``, ``ledger.dmct.test_packs``); nothing is written. ``field`` names
    the offending argument (``status`` when the aggregate's state forbids the command); the
    message is ``"{field}: {reason}"`` and names the schedule version, entry or pack involved.
    """


class InstallationType(StrEnum):
    """What a planned EPCL entry's SMETS1 Installations comprise (§20.9; MMT types, def.)."""

    DORMANT_ONLY = "dormant_only"
    ACTIVE = "active"
    MIXED = "mixed"  # both Dormant and Active Meters


class DmctTesting(StrEnum):
    """The DMCT testing a pack is executed for (§20.14-20.15)."""

    MT = "dmct_mt"
    SRVT = "dmct_srvt"


@dataclass(frozen=True)
class PlannedPack:
    """The test pack planned for one kind of DMCT testing (§20.15: the standard MT or SRVT pack;
    §20.17: a non-standard pack for either); given as ``{"testing": "dmct_mt", "pack_id": "..."}``."""

    testing: DmctTesting
    pack_id: str


def pack_problem(packs: Sequence[PlannedPack], test_pack_id: str | None) -> str | None:
    """Why ``packs`` (with the single ``test_pack_id``) do not say which pack serves which testing,
    or None: each a ``PlannedPack`` with a pack id, each testing once, a pack for one testing only
    (§20.15, §20.17), not alongside ``test_pack_id``."""
    if isinstance(packs, str) or not all(isinstance(p, PlannedPack) for p in packs):
        return 'give a list of {"testing": "dmct_mt" or "dmct_srvt", "pack_id": ...}'
    if packs and test_pack_id is not None:
        return "give the packs by testing (test_packs) or one test_pack_id, not both"
    kinds = [getattr(p.testing, "value", p.testing) for p in packs]
    if unknown := [k for k in kinds if k not in {t.value for t in DmctTesting}]:
        return f"{unknown[0]!r} is not a DmctTesting (dmct_mt, dmct_srvt)"
    if len(set(kinds)) != len(kinds):
        return "names the pack for a kind of testing more than once"
    if any(not isinstance(p.pack_id, str) or not p.pack_id.strip() for p in packs):
        return "a pack_id is empty"
    if len({p.pack_id for p in packs}) != len(packs):
        return ("a pack is for DMCT MT or DMCT SRVT, not both: a non-standard pack for both is one "
                "test_pack_id")
    return None


def ordered_packs(packs: Sequence[PlannedPack]) -> tuple[PlannedPack, ...]:
    """``packs`` (checked by ``pack_problem``) with their enums coerced, in ``DmctTesting`` order."""
    found = {DmctTesting(getattr(p.testing, "value", p.testing)): p.pack_id for p in packs}
    return tuple(PlannedPack(t, found[t]) for t in DmctTesting if t in found)


def packs_label(packs: Sequence[PlannedPack]) -> str:
    """``dmct_mt PACK-1, dmct_srvt PACK-2``."""
    return ", ".join(f"{p.testing.value} {p.pack_id}" for p in packs)


class ChangeKind(StrEnum):
    """How an entry differs from the previously published DMCT Schedule (§20.9 "any changes")."""

    ADDED = "added"
    REMOVED = "removed"
    DATES_CHANGED = "dates_changed"
    PACK_CHANGED = "pack_changed"  # test pack or non-standard rationale (§20.9(b)/(c))


class ChangeTrigger(StrEnum):
    """Why the DCC changed the schedule (catalogue 8.3); ``DCC_UPDATE`` is any other change the
    DCC publishes under §20.9."""

    NEW_ENTRY = "new_entry"
    INCLUSION_20_12 = "inclusion_20_12"
    REMOVAL_20_12A = "removal_20_12a"
    REVISED_DATES_20_22 = "revised_dates_20_22"
    DCC_UPDATE = "dcc_update"


@dataclass(frozen=True)
class TriggerRow:
    """A trigger's clauses and the changes it can explain."""

    clauses: tuple[str, ...]
    kinds: frozenset[ChangeKind]


_ANY = frozenset(ChangeKind)
#: Which changes each trigger can explain, citing its clause (catalogue 8.3).
TRIGGERS: dict[ChangeTrigger, TriggerRow] = {
    ChangeTrigger.NEW_ENTRY: TriggerRow(("20.9",), frozenset({ChangeKind.ADDED})),
    ChangeTrigger.INCLUSION_20_12: TriggerRow(("20.12",), frozenset({ChangeKind.ADDED})),
    ChangeTrigger.REMOVAL_20_12A: TriggerRow(("20.12A",), frozenset({ChangeKind.REMOVED})),
    ChangeTrigger.REVISED_DATES_20_22: TriggerRow(
        ("20.22",), frozenset({ChangeKind.DATES_CHANGED, ChangeKind.PACK_CHANGED})),
    ChangeTrigger.DCC_UPDATE: TriggerRow(("20.9",), _ANY),
}
#: Who the DCC notifies of each publication and update (§20.10); SECAS gets a copy for the SEC
#: Website and the DCC Website carries it, recorded apart.
REQUIRED_RECIPIENTS: tuple[Role, ...] = (Role.SUPPLIER, Role.PANEL, Role.AUTHORITY, Role.SOS)


@dataclass(frozen=True)
class ScheduleEntry:
    """A planned EPCL entry as the schedule publishes it (§20.9(a)-(c)): its DMC and installation
    type, planned start and completion dates, and the test packs planned, by the testing each is
    for (``test_packs``: DMCT MT and DMCT SRVT, §20.14-20.17), or one pack (``test_pack_id``), or,
    for a DMCT Non-Standard Test Pack, the rationale for using one (the pack's id once proposed)."""

    entry_id: str
    dmc: str
    installation_type: InstallationType
    capability_release: OperatingCapability
    planned_start: date
    planned_completion: date
    test_pack_id: str | None = None
    non_standard_rationale: str | None = None
    test_packs: tuple[PlannedPack, ...] = ()

    def as_json(self) -> dict[str, Any]:
        packs = [{"testing": p.testing.value, "pack_id": p.pack_id} for p in self.test_packs]
        return {
            "entry_id": self.entry_id, "dmc": self.dmc, "installation_type": self.installation_type.value,
            "capability_release": self.capability_release.value,
            "planned_start": self.planned_start.isoformat(),
            "planned_completion": self.planned_completion.isoformat(),
            "test_pack_id": self.test_pack_id, "non_standard_rationale": self.non_standard_rationale,
            **({"test_packs": packs} if packs else {}),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ScheduleEntry:
        packs = data.get("test_packs")  # absent from publications recorded before packs by testing
        return cls(
            str(data["entry_id"]), str(data["dmc"]), InstallationType(data["installation_type"]),
            OperatingCapability(data["capability_release"]), date.fromisoformat(data["planned_start"]),
            date.fromisoformat(data["planned_completion"]), data["test_pack_id"],
            data["non_standard_rationale"],
            tuple(PlannedPack(DmctTesting(p["testing"]), str(p["pack_id"])) for p in packs or ()),
        )

    @property
    def pack_label(self) -> str:
        """The packs as the schedule shows them: ``dmct_mt PACK-1, dmct_srvt PACK-2``, the one
        pack, or the non-standard rationale."""
        if self.test_packs:
            return packs_label(self.test_packs)
        return self.test_pack_id or f"non-standard: {self.non_standard_rationale}"


@dataclass(frozen=True)
class ChangeReason:
    """Why entry ``entry_id`` changed in this publication; ``reference`` names what triggered it
    (a Supplier Party's notice, the SoS's direction, a matter or event id)."""

    entry_id: str
    trigger: ChangeTrigger
    reference: str | None = None


@dataclass(frozen=True)
class ScheduleChange:
    """One entry of a publication's change log: how the entry changed, why, before and after."""

    entry_id: str
    kinds: tuple[ChangeKind, ...]
    trigger: ChangeTrigger
    reference: str | None
    before: ScheduleEntry | None
    after: ScheduleEntry | None

    def as_json(self) -> dict[str, Any]:
        return {
            "entry_id": self.entry_id, "kinds": [k.value for k in self.kinds],
            "trigger": self.trigger.value, "reference": self.reference,
            "before": None if self.before is None else self.before.as_json(),
            "after": None if self.after is None else self.after.as_json(),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ScheduleChange:
        before, after = data["before"], data["after"]
        return cls(
            str(data["entry_id"]), tuple(ChangeKind(k) for k in data["kinds"]),
            ChangeTrigger(data["trigger"]), data["reference"],
            None if before is None else ScheduleEntry.from_json(before),
            None if after is None else ScheduleEntry.from_json(after),
        )


# -- the change log -------------------------------------------------------------------------------
def entry_change_kinds(before: ScheduleEntry | None, after: ScheduleEntry | None) -> tuple[ChangeKind, ...]:
    """How ``before`` became ``after`` (None: not in that publication); () when unchanged."""
    if before is None:
        return () if after is None else (ChangeKind.ADDED,)
    if after is None:
        return (ChangeKind.REMOVED,)
    kinds = []
    if _dates(before) != _dates(after):
        kinds.append(ChangeKind.DATES_CHANGED)
    if _pack(before) != _pack(after):
        kinds.append(ChangeKind.PACK_CHANGED)
    return tuple(kinds)


def _dates(entry: ScheduleEntry) -> tuple[date, date]:
    return entry.planned_start, entry.planned_completion


def _pack(entry: ScheduleEntry) -> tuple[str | None, str | None, tuple[tuple[str, str], ...]]:
    packs = tuple((p.testing.value, p.pack_id) for p in entry.test_packs)
    return entry.test_pack_id, entry.non_standard_rationale, packs


def _identity(entry: ScheduleEntry) -> tuple[str, str, str]:
    """What makes a planned EPCL entry the entry it is (catalogue 2.5)."""
    return entry.dmc, entry.installation_type.value, entry.capability_release.value


def _default_trigger(kinds: tuple[ChangeKind, ...]) -> ChangeTrigger:
    return ChangeTrigger.NEW_ENTRY if kinds == (ChangeKind.ADDED,) else ChangeTrigger.DCC_UPDATE


def compute_changes(
    previous: Mapping[str, ScheduleEntry], current: Mapping[str, ScheduleEntry],
    reasons: Sequence[ChangeReason] = (),
) -> list[ScheduleChange]:
    """The change log of ``current`` against ``previous`` (entries by id), in entry id order,
    each with its reason (default: a new entry for an addition, a DCC update otherwise).

    Raises ``InvalidDmctScheduleEventError``: ``entries`` (an entry id now names another DMC,
    installation type or Capability Release); ``reasons`` (an entry given two reasons, a reason
    for an entry that did not change, or a trigger that cannot explain the change)."""
    given: dict[str, ChangeReason] = {}
    for given_reason in reasons:
        if given_reason.entry_id in given:
            raise fail("reasons", f"entry {given_reason.entry_id!r} is given more than one reason")
        given[given_reason.entry_id] = given_reason
    changes = []
    for entry_id in sorted(set(previous) | set(current)):
        before, after = previous.get(entry_id), current.get(entry_id)
        if before is not None and after is not None and _identity(before) != _identity(after):
            raise fail("entries", f"entry {entry_id!r} was {', '.join(_identity(before))} and is now "
                       f"{', '.join(_identity(after))}: a different entry needs a different entry_id")
        kinds = entry_change_kinds(before, after)
        reason = given.pop(entry_id, None)
        if not kinds:
            if reason is not None:
                raise fail("reasons", f"entry {entry_id!r} is unchanged from the previous publication")
            continue
        trigger = _default_trigger(kinds) if reason is None else require_enum(
            ChangeTrigger, "reasons", reason.trigger, f"entry {entry_id!r}")
        if not set(kinds) <= TRIGGERS[trigger].kinds:
            raise fail("reasons", f"entry {entry_id!r} was {', '.join(kinds)}: {trigger.value} "
                       f"({', '.join(TRIGGERS[trigger].clauses)}) cannot explain that")
        changes.append(ScheduleChange(entry_id, kinds, trigger, None if reason is None else reason.reference,
                                      before, after))
    if given:
        raise fail("reasons", f"no entry {', '.join(sorted(map(repr, given)))} in either publication")
    return changes


def apply_changes(
    previous: Mapping[str, ScheduleEntry], changes: Sequence[ScheduleChange]
) -> dict[str, ScheduleEntry]:
    """``previous`` with ``changes`` applied: the entries of the publication they were computed for."""
    entries = dict(previous)
    for change in changes:
        if change.after is None:
            entries.pop(change.entry_id, None)
        else:
            entries[change.entry_id] = change.after
    return entries


# -- structural checks ----------------------------------------------------------------------------
def fail(field: str, reason: str) -> InvalidDmctScheduleEventError:
    return InvalidDmctScheduleEventError(field, reason)


def require_text(field: str, value: object, whose: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise fail(field, f"{whose}: must be given and not empty")
    return value


def require_optional_text(field: str, value: object, whose: str) -> str | None:
    return None if value is None else require_text(field, value, whose)


def require_reference(field: str, value: object, whose: str) -> str:
    problem = reference_problem(require_text(field, value, whose))
    if problem is not None:
        raise fail(field, f"{whose}: {problem}")
    assert isinstance(value, str)
    return value


def require_sha256(field: str, value: object, whose: str) -> str:
    if not isinstance(value, str) or not SHA256_HEX.match(value):
        raise fail(field, f"{whose}: {value!r} is not a SHA-256 (64 lowercase hex digits)")
    return value


def require_enum(kind: type[E], field: str, value: object, whose: str) -> E:
    try:
        if not isinstance(value, str):
            raise ValueError(value)
        return kind(value)
    except ValueError:
        allowed = ", ".join(m.value for m in kind)
        raise fail(field, f"{whose}: {value!r} is not a {kind.__name__} ({allowed})") from None


def require_names(field: str, values: Sequence[str], whose: str, *, required: bool = True) -> list[str]:
    """Distinct, non-empty names; at least one when ``required``."""
    if isinstance(values, str):
        raise fail(field, f"{whose}: must be a list, got {values!r}")
    names = [require_text(field, value, whose) for value in values]
    if required and not names:
        raise fail(field, f"{whose}: name at least one")
    if repeated := sorted({n for n in names if names.count(n) > 1}):
        raise fail(field, f"{whose}: lists {', '.join(repeated)} more than once")
    return names


def require_recipients(field: str, values: Sequence[Role | str], whose: str) -> list[Role]:
    """Distinct §20.10 recipients (Suppliers, Panel, Authority, SoS)."""
    found = [require_enum(Role, field, value, whose) for value in values]
    for role in found:
        if role not in REQUIRED_RECIPIENTS:
            raise fail(field, f"{whose}: {role.value} is not notified under §20.10 "
                       f"({', '.join(r.value for r in REQUIRED_RECIPIENTS)})")
    if len(set(found)) != len(found):
        raise fail(field, f"{whose}: names a recipient more than once")
    return found


def require_entry(entry: ScheduleEntry, whose: str) -> ScheduleEntry:
    """``entry`` with its enums coerced. Raises (``entries``): missing text, unknown installation
    type or Capability Release, completion before start, neither test pack nor rationale."""
    if not isinstance(entry, ScheduleEntry):
        raise fail("entries", f"{whose}: {entry!r} is not a ScheduleEntry")
    where = f"{whose}, entry {entry.entry_id!r}"
    require_text("entries", entry.entry_id, whose)
    require_text("entries", entry.dmc, where)
    for day in (entry.planned_start, entry.planned_completion):
        if not isinstance(day, date):
            raise fail("entries", f"{where}: {day!r} is not a date")
    if entry.planned_completion < entry.planned_start:
        raise fail("entries", f"{where}: planned_completion {entry.planned_completion} is before "
                   f"planned_start {entry.planned_start}")
    require_optional_text("entries", entry.test_pack_id, where)
    require_optional_text("entries", entry.non_standard_rationale, where)
    if problem := pack_problem(entry.test_packs, entry.test_pack_id):
        raise fail("entries", f"{where}: test_packs: {problem}")
    packs = ordered_packs(entry.test_packs)
    if entry.test_pack_id is None and not packs and entry.non_standard_rationale is None:
        raise fail("entries", f"{where}: give the test packs planned (§20.9(b)) or the rationale for "
                   "a DMCT Non-Standard Test Pack (§20.9(c))")
    return replace(
        entry, test_packs=packs,
        installation_type=require_enum(InstallationType, "entries", entry.installation_type, where),
        capability_release=require_enum(OperatingCapability, "entries", entry.capability_release, where),
    )


def require_entries(entries: Sequence[ScheduleEntry], whose: str) -> dict[str, ScheduleEntry]:
    """The entries by id, each once (§20.9: one row per planned EPCL entry)."""
    found: dict[str, ScheduleEntry] = {}
    for entry in entries:
        checked = require_entry(entry, whose)
        if checked.entry_id in found:
            raise fail("entries", f"{whose}: entry {checked.entry_id!r} appears more than once")
        found[checked.entry_id] = checked
    return found
