"""Checks across DMCT aggregates, run on the command path before a command touches its aggregate.

An aggregate checks its own rules (``ledger.dmct.dmc``, ``ledger.dmct.entry``); what it cannot see
is another aggregate: whether the DMC a planned EPCL entry names exists and is in a status that
allows the command, whether the entries, Testing Issues, test packs and TAG consents a command
names are recorded and fit. ``ledger.commands.catalogue`` attaches the check of each command here
(``CROSS_CHECKS``) to its spec; ``ledger.commands.execute`` runs it with the repository, the
target (None when the command creates the aggregate) and the command's arguments. A check raises
``InvalidDmctEventError`` naming the field (``status`` when the DMC's status forbids the
command); nothing is written. What may lawfully be late or irregular stays a finding
(``ledger.dmct.findings``): a pack not yet proposed, a consent the TAG has not agreed.

The DMC's status gates its entries: testing and issue commands need the DMC scheduled (S14, or
S13 while the SoS decides a §20.12A referral: "remains scheduled meanwhile"); an entry is
scheduled only once ``DmctDmc.schedule_entries`` listed it (§20.9); an entry rests on
equivalence, or is removed from the schedule, only on the DMC's §20.6(d) assessment, the latter
once the SoS directed removal (§20.12A). A DMCT Testing Issue is a ``TestingIssue`` (A58) naming
the entry among its ``epcl_entry_ids`` (§20.28(a)), so Table 20.1 counts it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

from ledger.dmct.dmc import DmctDmc
from ledger.dmct.dmc_events import SosForcedInclusionDecisionRecorded
from ledger.dmct.entry import DmctEntry
from ledger.dmct.errors import InvalidDmctEventError
from ledger.dmct.schedule_values import DmctTesting, InstallationType, PlannedPack
from ledger.dmct.test_packs import PACK_KINDS, DmctEnvironmentConsent, DmctTestPack, PackKind
from ledger.dmct.values import AssessmentResult
from ledger.rules.dmct_statuses import DmctStatus
from ledger.testing_issues import TestingIssue

A = TypeVar("A")
S = DmctStatus
#: Statuses of a DMC in which its entries may be tested (§20.9, §20.12A).
SCHEDULED = (S.SCHEDULED, S.DCC_REFERRED_FORCED_INCLUSION_TO_SOS)
#: Statuses of a DMC that exclude it until a new §20.2 submission, or for good.
EXCLUDED = (S.EXCLUDED_DATA_UNAVAILABLE, S.NOT_SCHEDULED_NO_DEVICES, S.EXCLUDED_NON_ECONOMIC,
            S.EXCLUDED_FIRMWARE_UPGRADE_REQUIRED, S.EXCLUDED_PENDING_CONFIG_EVIDENCE,
            S.EXCLUDED_NEW_FW_DMC_PENDING_CONFIG_EVIDENCE, S.RELIEVED_INSUFFICIENT_DEVICES)
#: The entry commands that need the DMC scheduled.
TESTING_COMMANDS = ("revise_dates", "record_dormant_suffices", "notify_mtad_route",
                    "record_tab_mt_completion", "start_testing", "record_execution", "pause", "recommence",
                    "record_testing_issue", "recommend_option", "complete_testing")
#: The entry status the SoS's agreement to each §20.25 device change leaves the entry in.
_CHANGED = {"firmware": S.EXCLUDED_FIRMWARE_UPGRADE_REQUIRED,
            "configuration": S.EXCLUDED_PENDING_CONFIG_EVIDENCE,
            "both": S.EXCLUDED_NEW_FW_DMC_PENDING_CONFIG_EVIDENCE}


class Lookup:
    """Recorded aggregates by id from a repository (anything with ``get(id)`` raising
    ``AggregateNotFoundError``), typed by the class asked for."""

    def __init__(self, repository: Any) -> None:
        self._repository = repository

    def find(self, cls: type[A], aggregate_id: UUID) -> A | None:
        try:
            found: object = self._repository.get(aggregate_id)
        except AggregateNotFoundError:
            return None
        return found if isinstance(found, cls) else None

    def dmc(self, dmc_id: str) -> DmctDmc | None:
        return self.find(DmctDmc, DmctDmc.create_id(dmc_id))

    def entry(self, entry_id: str) -> DmctEntry | None:
        return self.find(DmctEntry, DmctEntry.create_id(entry_id))


Check = Callable[[Lookup, Any, dict[str, Any]], None]


def _fail(field: str, reason: str) -> InvalidDmctEventError:
    return InvalidDmctEventError(field, reason)


def _dmc_named(lookup: Lookup, dmc_id: object, field: str, whose: str) -> DmctDmc:
    found = lookup.dmc(dmc_id) if isinstance(dmc_id, str) else None
    if found is None:
        raise _fail(field, f"{whose}: no DMCT DMC {dmc_id!r} is recorded (a §20.2 submission first)")
    return found


def _dmc_of(lookup: Lookup, entry: DmctEntry) -> DmctDmc:
    return _dmc_named(lookup, entry.dmc_id, "status", entry.label)


def _require_scheduled(dmc: DmctDmc, field: str, whose: str, what: str) -> None:
    if dmc.status not in SCHEDULED:
        raise _fail(field, f"{whose}: {dmc.label} is {dmc.status.label}; {what} needs it scheduled "
                    f"({' or '.join(s.label for s in SCHEDULED)}, §20.9, §20.12A)")


def _require_equivalence(dmc: DmctDmc, basis: object, equivalent_to: object, whose: str) -> None:
    """The DMC's latest §20.6 assessment is (d) on the same sub-basis and equivalent."""
    found = dmc.assessment
    if found is None or found.result is not AssessmentResult.D:
        result = "none" if found is None else found.result.value
        raise _fail("equivalence_basis", f"{whose}: {dmc.label}'s assessment is {result}, not a §20.6(d) "
                    "equivalence")
    given = getattr(basis, "value", basis)
    if found.equivalence_basis is None or given != found.equivalence_basis.value:
        held = found.equivalence_basis and found.equivalence_basis.value
        raise _fail("equivalence_basis", f"{whose}: {dmc.label} was assessed equivalent under {held}, "
                    f"not {given}")
    if equivalent_to != found.equivalent_to:
        raise _fail("equivalent_to", f"{whose}: {dmc.label} was assessed equivalent to "
                    f"{found.equivalent_to!r}, not {equivalent_to!r}")


# -- planned EPCL entries ---------------------------------------------------------------------------
def _schedule(lookup: Lookup, _: object, args: dict[str, Any]) -> None:
    whose = f"DMCT entry {args['entry_id']!r}"
    dmc = _dmc_named(lookup, args["dmc_id"], "dmc_id", whose)
    _require_scheduled(dmc, "dmc_id", whose, "scheduling an entry")
    if args["entry_id"] not in dmc.entry_ids:
        raise _fail("entry_id", f"{whose}: {dmc.label} has not scheduled it (DmctDmc.schedule_entries: "
                    f"{', '.join(dmc.entry_ids) or 'none'})")
    _packs(lookup, dmc.dmc_id, args.get("test_packs"), whose)


def _reschedule(lookup: Lookup, entry: DmctEntry, args: dict[str, Any]) -> None:
    dmc = _dmc_of(lookup, entry)
    if dmc.status in EXCLUDED:
        raise _fail("status", f"{entry.label}: {dmc.label} is {dmc.status.label}; it comes back through a "
                    "new §20.2 submission first (§20.19, §20.25(b)(c))")
    _packs(lookup, dmc.dmc_id, args.get("test_packs"), entry.label)


def _packs(lookup: Lookup, dmc_id: str, packs: Sequence[PlannedPack] | None, whose: str) -> None:
    """A recorded pack named for DMCT MT or SRVT serves that testing; a non-standard one, this DMC
    (§20.15-20.17). An unrecorded pack is a finding when testing starts, not a refusal here."""
    for planned in packs or ():
        kind = DmctTesting(getattr(planned.testing, "value", planned.testing))
        pack = lookup.find(DmctTestPack, DmctTestPack.create_id(planned.pack_id))
        if pack is None:
            continue
        serves = pack.testing or PACK_KINDS[pack.kind].testing
        if kind not in serves:
            raise _fail("test_packs", f"{whose}: {pack.label} is for {', '.join(t.value for t in serves)}, "
                        f"not {kind.value} (§20.15)")
        if pack.kind is PackKind.NON_STANDARD and pack.dmc != dmc_id:
            raise _fail("test_packs", f"{whose}: {pack.label} is for DMC {pack.dmc!r}, not {dmc_id!r} "
                        "(§20.17)")


def _plan_on_equivalence(lookup: Lookup, _: object, args: dict[str, Any]) -> None:
    whose = f"DMCT entry {args['entry_id']!r}"
    dmc = _dmc_named(lookup, args["dmc_id"], "dmc_id", whose)
    if dmc.status is not S.NOT_REQUIRED_SUBSTANTIVELY_EQUIVALENT:
        raise _fail("dmc_id", f"{whose}: {dmc.label} is {dmc.status.label}; an entry rests on equivalence "
                    f"only while its DMC is {S.NOT_REQUIRED_SUBSTANTIVELY_EQUIVALENT.label} (§20.6(d))")
    _require_equivalence(dmc, args["equivalence_basis"], args["equivalent_to"], whose)


def _remove_from_schedule(lookup: Lookup, entry: DmctEntry, args: dict[str, Any]) -> None:
    dmc = _dmc_of(lookup, entry)
    decisions = dmc.acts_of(SosForcedInclusionDecisionRecorded)
    directed = bool(decisions) and bool(decisions[-1].detail.get("removal_directed"))
    if dmc.status is not S.NOT_REQUIRED_SUBSTANTIVELY_EQUIVALENT or not directed:
        raise _fail("status", f"{entry.label}: the SoS has not directed removal for {dmc.label} "
                    f"(§20.12A; it is {dmc.status.label}): record "
                    "DmctDmc.record_sos_forced_inclusion_decision first")
    _require_equivalence(dmc, args["equivalence_basis"], args["equivalent_to"], entry.label)


def _testing(command: str) -> Check:
    def check(lookup: Lookup, entry: DmctEntry, args: dict[str, Any]) -> None:
        _require_scheduled(_dmc_of(lookup, entry), "status", entry.label, command)
        if command == "record_testing_issue":
            _issue(lookup, entry, args["issue_id"])
        elif command == "record_dormant_suffices":
            _dormant(lookup, entry, args["dormant_entry_id"])
        elif command == "start_testing" and args.get("tag_consent_ref") is not None:
            _consent(lookup, entry, args["tag_consent_ref"])
    return check


def _issue(lookup: Lookup, entry: DmctEntry, issue_id: str) -> None:
    issue = lookup.find(TestingIssue, TestingIssue.create_id(issue_id))
    if issue is None:
        raise _fail("issue_id", f"{entry.label}: no Testing Issue {issue_id!r} is recorded; a DMCT Testing "
                    "Issue is raised as a Testing Issue naming the entry (A58)")
    if entry.entry_id not in issue.epcl_entry_ids:
        raise _fail("issue_id", f"{entry.label}: Testing Issue {issue_id!r} does not name the entry "
                    f"among its epcl_entry_ids ({', '.join(issue.epcl_entry_ids) or 'none'}), so Table "
                    "20.1(a) would not count it (§20.28(a))")


def _dormant(lookup: Lookup, entry: DmctEntry, dormant_entry_id: str) -> None:
    found = lookup.entry(dormant_entry_id)
    dormant = found is not None and found.installation_type is InstallationType.DORMANT_ONLY
    if found is None or found.dmc_id != entry.dmc_id or not dormant:
        what = "not recorded" if found is None else f"{found.installation_type.value}, of DMC {found.dmc_id}"
        raise _fail("dormant_entry_id", f"{entry.label}: {dormant_entry_id!r} is {what}; it must be a "
                    f"dormant-only entry of DMC {entry.dmc_id} (§20.9)")


def _consent(lookup: Lookup, entry: DmctEntry, reference: str) -> None:
    consent = lookup.find(DmctEnvironmentConsent, DmctEnvironmentConsent.create_id(reference))
    if consent is None:
        raise _fail("tag_consent_ref", f"{entry.label}: no alternate environment proposal {reference!r} is "
                    "recorded (§20.18)")
    if entry.dmc_id not in consent.dmcs:
        raise _fail("tag_consent_ref", f"{entry.label}: {consent.label} is for {', '.join(consent.dmcs)}, "
                    f"not DMC {entry.dmc_id} (§20.18)")


def _await_relied(lookup: Lookup, entry: DmctEntry, args: dict[str, Any]) -> None:
    if lookup.entry(args["relied_entry_id"]) is None:
        raise _fail("relied_entry_id", f"{entry.label}: no planned EPCL entry {args['relied_entry_id']!r} is "
                    "recorded (§20.6(d)(iii), §20.41)")


# -- DMCs -------------------------------------------------------------------------------------------
def _schedule_entries(lookup: Lookup, dmc: DmctDmc, args: dict[str, Any]) -> None:
    for entry_id in args["entry_ids"]:
        found = lookup.entry(entry_id)
        if found is not None and found.dmc_id != dmc.dmc_id:
            raise _fail("entry_ids", f"{dmc.label}: {entry_id!r} is a planned EPCL entry of DMC "
                        f"{found.dmc_id}")


def _device_change(lookup: Lookup, dmc: DmctDmc, args: dict[str, Any]) -> None:
    entry = _entry_of(lookup, dmc, args["entry_id"], "entry_id")
    change = getattr(args["change"], "value", args["change"])
    if entry.status is not _CHANGED.get(change):
        raise _fail("entry_id", f"{dmc.label}: {entry.label} is {entry.status.label}; the SoS's agreement to "
                    f"option (c) ({change}) is recorded on the entry first (§20.25)")


def _relieve(lookup: Lookup, dmc: DmctDmc, args: dict[str, Any]) -> None:
    for entry_id in args["entry_ids"]:
        _entry_of(lookup, dmc, entry_id, "entry_ids")


def _entry_of(lookup: Lookup, dmc: DmctDmc, entry_id: str, field: str) -> DmctEntry:
    found = lookup.entry(entry_id)
    if found is None or found.dmc_id != dmc.dmc_id:
        what = "not recorded" if found is None else f"of DMC {found.dmc_id}"
        raise _fail(field, f"{dmc.label}: planned EPCL entry {entry_id!r} is {what}, not one of this DMC's")
    return found


#: The cross-aggregate check of each command that has one, by command name.
CROSS_CHECKS: dict[str, Check] = {
    "DmctEntry.schedule": _schedule,
    "DmctEntry.plan_on_equivalence": _plan_on_equivalence,
    "DmctEntry.reschedule": _reschedule,
    "DmctEntry.remove_from_schedule": _remove_from_schedule,
    "DmctEntry.await_relied_report": _await_relied,
    **{f"DmctEntry.{c}": _testing(c) for c in TESTING_COMMANDS},
    "DmctDmc.schedule_entries": _schedule_entries,
    "DmctDmc.record_device_change_exclusion": _device_change,
    "DmctDmc.relieve_insufficient_devices": _relieve,
}


def cross_check(command: str, repository: Any, target: object, arguments: dict[str, Any]) -> None:
    """Run ``command``'s check, if it has one, against ``repository``. Raises
    ``InvalidDmctEventError`` naming the field."""
    check = CROSS_CHECKS.get(command)
    if check is not None:
        check(Lookup(repository), target, arguments)


__all__ = ["CROSS_CHECKS", "EXCLUDED", "SCHEDULED", "TESTING_COMMANDS", "Lookup", "cross_check"]
