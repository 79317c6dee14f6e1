"""Generate a realistic AK Ledger of about N events, for the read-side benchmarks (issue 5 item 7).

``python -m bench.generate --events 1000000 --home DIR`` (SQLite in DIR) or ``--database-url URL``
(its keys in ``--home``). The history, in log order:

- the demo's year (``ledger.demo``: principals, IOC and MOC SIT with disputes and an exclusion
  refused by the TAG and upheld by the SoS, Work Off Plan, the DMCT story), through
  ``ledger.commands.execute``, one command per save, exactly as ``akledger demo`` records it;
- then, scaled to N: the FOC release; PIT phases per DCC Service Provider and SIT phases per
  planned EPCL entry (MOC, FOC), each planned, entered, staged, exited, certificated; tens of
  thousands of planned tests (functional groups, DMCs) and hundreds of thousands of executions in
  rounds (fail, re-run, some witnessed); thousands of Testing Issues raised from failures, graded,
  some disputed (TAG determinations, some left pending), some proposed for exclusion (TAG agrees,
  or refuses and the SoS decides), most closed; a Work Off Plan per phase; weekly test execution
  reports; and DMCT traffic: DMCs submitted, assessed, scheduled, tested, reported, deemed final.

The bulk goes through the same command catalogue (``ledger.commands.catalogue``: the strict
schema, the permission table, the aggregates' own rules, signed saves) but not one save per
command: ``Driver`` keeps the aggregates it touches in memory and saves every aggregate changed
since the last save together, about ``--per-save`` events a save (one Ed25519 signature each).
It skips what only a long-lived shared ledger needs per command (re-reading the target from the
store, the acting-role cross-check). Deterministic for a given ``--seed`` and N (ids derive from
references; the recorded times and signatures are the run's own).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate
from pydantic import BaseModel

from bench.common import ACTOR, ORIGIN, progress
from ledger.actors import Actor
from ledger.application import AKLedger
from ledger.commands.catalogue import CommandSpec, IdTarget, ReferenceTarget, catalogue
from ledger.commands.execute import bootstrap_admin, execute, find_principal
from ledger.config import Settings
from ledger.context import RecordingContext
from ledger.demo import BRIGHTGRID, DCC, NORTHWIND, demo_commands
from ledger.principals import Principal
from ledger.references import reference_id
from ledger.rules.permissions import authorise
from ledger.store import create_ledger

PER_SAVE = 500
START = datetime(2025, 1, 6, 9, tzinfo=UTC)  # the bulk's clock; the demo's year is 2026
TICK = timedelta(seconds=12)  # between two bulk commands: 10^6 events span about five months
PROVIDERS = ("S1SP", "DCO", "CGI")
GROUPS = (
    "Install and commission",
    "Tariff update",
    "Read profile data",
    "Alerts",
    "Prepayment top-up",
    "Firmware update",
    "Change of supplier",
    "Security credentials",
    "Load limiting",
    "Diagnostics",
)
DMCS = tuple(f"DMC-{m}-{n:02d}" for m in ("SEC", "L+G", "EDMI", "ACL", "ELS") for n in range(1, 9))
SRVT_TESTS = ("SRVT-01", "SRVT-02", "SRVT-03", "SRVT-04")


def sha(label: str) -> str:
    return hashlib.sha256(label.encode()).hexdigest()


# -- running commands, many per save ------------------------------------------------------------
class Driver:
    """Runs command lines through the catalogue, saving ``per_save`` events at a time."""

    def __init__(self, lg: AKLedger, per_save: int, advance: Callable[[int], None]) -> None:
        self.lg = lg
        self.per_save = per_save
        self.advance = advance
        self.specs: dict[str, CommandSpec] = catalogue()
        self.principals: dict[str, Principal] = {}
        self.memory: dict[UUID, Aggregate] = {}
        self.changed: dict[UUID, Aggregate] = {}
        self.pending = 0
        self.events = 0  # saved by this driver

    def run(self, line: dict[str, Any]) -> None:
        """Raises what ``execute`` raises for a bad line (a generator bug: the run stops)."""
        spec = self.specs[line["command"]]
        envelope = spec.envelope.model_validate_json(json.dumps(line), strict=True)
        principal = self._principal(envelope.principal)
        body = None if envelope.on_behalf_of is None else envelope.on_behalf_of.value
        kind = line["data"].get(spec.type_field) if spec.type_field else None
        authorise(principal.role, spec.name, body, envelope.evidence_sha256, document_type=kind)
        actor = Actor(principal.name, principal.role.value, principal.organisation)
        context = RecordingContext(
            actor, envelope.occurred_at, tuple(envelope.clauses), body, envelope.evidence_sha256
        )
        data: BaseModel = envelope.data
        arguments = {name: getattr(data, name) for name in spec.parameters}
        if spec.creates:
            created: Aggregate = spec.function(**arguments, **context.fields())
            if created.id in self.memory:
                raise ValueError(f"{spec.name}: {created.id} is already recorded")
            touched, before = [created], 0
        else:
            target = self._target(spec, data.target)  # type: ignore[attr-defined]
            before = len(target.pending_events)
            returned = getattr(target, spec.method)(**arguments, **context.fields())
            touched = [target] + ([returned] if isinstance(returned, Aggregate) else [])
        for aggregate in touched:
            self.memory[aggregate.id] = aggregate
            self.changed.setdefault(aggregate.id, aggregate)
        self.pending += sum(len(a.pending_events) for a in touched) - before
        if self.pending >= self.per_save:
            self.flush()

    def flush(self) -> None:
        if not self.changed:
            return
        self.lg.save(*self.changed.values())
        self.events += self.pending
        self.advance(self.pending)
        self.changed.clear()
        self.pending = 0

    def forget(self, ids: list[UUID]) -> None:
        """Drop aggregates that will not be changed again (after their last save)."""
        self.flush()
        for aggregate_id in ids:
            self.memory.pop(aggregate_id, None)

    def _principal(self, name: str) -> Principal:
        found = self.principals.get(name)
        if found is None:
            found = find_principal(self.lg, name)
            if found is None:
                raise ValueError(f"no principal {name!r}")
            self.principals[name] = found
        return found

    def _target(self, spec: CommandSpec, target: BaseModel) -> Aggregate:
        name = spec.aggregate.__name__
        if isinstance(target, IdTarget):
            aggregate_id = target.id
        elif isinstance(target, ReferenceTarget):
            aggregate_id = reference_id(name.lower(), target.reference)
        else:
            aggregate_id = spec.aggregate.create_id(**target.model_dump())
        found = self.memory.get(aggregate_id)
        if found is None:
            self.flush()
            try:
                found = self.lg.repository.get(aggregate_id)
            except AggregateNotFoundError:
                raise ValueError(f"{spec.name}: no {name} {aggregate_id}") from None
            self.memory[aggregate_id] = found
        return found


# -- the bulk history ---------------------------------------------------------------------------
class Bulk:
    """The scaled history, as command lines fed to a ``Driver`` until it has saved ``target`` events."""

    def __init__(self, driver: Driver, target: int, seed: int) -> None:
        self.d = driver
        self.target = target
        self.rng = random.Random(seed)
        self.when = START
        scale = max(target / 1_000_000, 0.002)
        self.phases = max(4, round(60 * scale))
        self.tests_per_phase = max(20, round(target / 25 / self.phases))
        self.issues_per_phase = max(3, round(target / 250 / self.phases))
        self.dmcs = max(2, round(240 * scale))
        self.issue_count = 0

    @property
    def done(self) -> bool:
        return self.d.events + self.d.pending >= self.target

    def add(self, command: str, principal: str, data: dict[str, Any], *, body: str | None = None) -> None:
        self.when += TICK
        line: dict[str, Any] = {
            "command": command,
            "principal": principal,
            "occurred_at": self.when.isoformat(),
            "data": data,
        }
        if body is not None:
            line.update(on_behalf_of=body, evidence_sha256=sha(f"{body} {command} {self.when}"))
        self.d.run(line)

    def run(self) -> None:
        self.add(
            "CapabilityRelease.record", DCC, {"capability": "foc", "delivery_plan_reference": "DP-FOC-1"}
        )
        plans = list(self._phase_plan())
        dmc_number = 0
        for n, (capability, kind, provider, epcl) in enumerate(plans):
            if self.done:
                break
            budget = self.target * (n + 1) // len(plans)
            self._phase(capability, kind, provider, epcl, n, budget)
            while dmc_number < self.dmcs * (n + 1) // len(plans) and not self.done:
                self._dmct(dmc_number)
                dmc_number += 1
        self.d.flush()

    def _phase_plan(self) -> Iterator[tuple[str, str, str | None, str | None]]:
        """PIT per Service Provider (once per release), then SIT per planned EPCL entry, for MOC then
        FOC, then more SIT phases (further EPCL entries) until there are ``phases``."""
        n = 0
        for cycle in range(self.phases):
            for capability in ("moc", "foc"):
                for provider in PROVIDERS if cycle == 0 else ():
                    yield capability, "pit", provider, None
                    n += 1
                    if n >= self.phases:
                        return
                for entry in range(8):
                    yield capability, "sit", None, f"EPCL-{3 if capability == 'moc' else 5}{n:03d}{entry}"
                    n += 1
                    if n >= self.phases:
                        return

    # -- a phase ----------------------------------------------------------------------------------
    def _phase(
        self, capability: str, kind: str, provider: str | None, epcl: str | None, n: int, budget: int
    ) -> None:
        key = {"capability": capability, "kind": kind, "service_provider": provider, "epcl_entry": epcl}
        pid = str(_phase_id(capability, kind, provider, epcl))
        self.add(
            "TestPhase.plan",
            DCC,
            {"capability": capability, "kind": kind, "service_provider": provider, "epcl_entry": epcl},
        )
        criteria = ["12.5(a)", "12.5(b)", "12.5(d)", "12.5(f)"] + (["12.5(c)", "12.5(e)"] if epcl else [])
        for criterion in criteria:
            self.add(
                "TestPhase.record_entry_criterion",
                DCC,
                {
                    "target": key,
                    "criterion": criterion,
                    "met": True,
                    "document_sha256": sha(f"{pid} {criterion} evidence"),
                },
            )
        self.add("TestPhase.enter", DCC, {"target": key})
        if kind == "sit":
            self.add(
                "TestPhase.enter_stage",
                DCC,
                {"target": key, "stage_id": "ST1", "name": "Solution Test", "kind": "solution_test"},
            )
        tests = self._plan_tests(pid, kind, n)
        issues = self._execute(pid, kind, provider, tests, budget)
        if kind == "sit":
            self.add("TestPhase.exit_stage", DCC, {"target": key, "stage_id": "ST1"})
        self.add("TestPhase.propose_exit", DCC, {"target": key})
        self.add("TestPhase.review_evidence_with_tag", DCC, {"target": key})
        for sp in (provider,) if provider else PROVIDERS[:2]:
            self.add(
                "TestPhase.issue_tcc",
                DCC,
                {
                    "target": key,
                    "certificate_id": f"TCC-{capability}-{n}-{sp}",
                    "service_provider": sp,
                    "tab_approval_sha256": sha(f"TAB approval {pid} {sp}"),
                },
            )
        still_open = [(ref, sev) for ref, sev in issues if sev is not None]
        if still_open:
            wop = {"phase_id": pid, "reference": f"WOP-{n}"}
            self.add(
                "WorkOffPlan.produce",
                DCC,
                {**wop, "owner": "DCC SIT test manager", "items": [[r, s] for r, s in still_open[:40]]},
            )
            self.add("WorkOffPlan.approve", DCC, {"target": wop}, body="tab")
        self.add(
            "TestPhase.determine_completion", DCC, {"target": key, "determined_by": "panel"}, body="panel"
        )
        self.d.forget([_planned_id(pid, ref) for ref in tests])

    def _plan_tests(self, pid: str, kind: str, n: int) -> list[str]:
        refs = []
        for t in range(self.tests_per_phase):
            ref = f"T{n:03d}-{t:05d}"
            self.add(
                "PlannedTest.plan",
                DCC,
                {
                    "phase_id": pid,
                    "phase_kind": kind,
                    "test_ref": ref,
                    "kind": "functional",
                    "source_document_sha256": sha(f"{pid} test specification"),
                    "functional_group": GROUPS[t % len(GROUPS)],
                    "dmc": DMCS[(t * 7 + n) % len(DMCS)],
                },
            )
            refs.append(ref)
        return refs

    def _execute(
        self, pid: str, kind: str, provider: str | None, tests: list[str], budget: int
    ) -> list[tuple[str, int | None]]:
        """Rounds of runs until the phase's share of events is spent: a failure is re-run in the next
        round, some raise a Testing Issue; a pass is sometimes re-run as regression; 1 in 8 runs
        witnessed. Returns the issues raised (reference, severity if still open)."""
        runs = dict.fromkeys(tests, 0)
        failing = set(self.rng.sample(tests, k=max(1, len(tests) // 4)))
        issues: list[tuple[str, int | None]] = []
        round_number = 0
        rate_issue = self.issues_per_phase / max(1, len(failing))
        while self.d.events + self.d.pending < budget - 40 and not self.done:
            round_number += 1
            for ref in tests:
                if self.d.events + self.d.pending >= budget - 40:
                    break
                if round_number > 1 and ref not in failing and self.rng.random() < 0.7:
                    continue
                runs[ref] += 1
                fails = ref in failing and self.rng.random() < 0.6
                target = {"phase_id": pid, "test_ref": ref}
                self.add(
                    "PlannedTest.record_execution",
                    DCC,
                    {
                        "target": target,
                        "run_number": runs[ref],
                        "result": "fail" if fails else "pass",
                        "environment": "SIT-A",
                        "codebase_version": f"R2.{round_number}.0",
                        "executed_at": self.when.isoformat(),
                        "run_evidence_sha256": sha(f"{pid} {ref} {runs[ref]}"),
                        "reason": "expected response not received" if fails else None,
                    },
                )
                if self.rng.random() < 0.125:
                    self.add(
                        "PlannedTest.witness",
                        DCC,
                        {
                            "target": target,
                            "run_number": runs[ref],
                            "observer": "independent witness",
                            "deviation_from_script": False,
                            "observer_involved": False,
                        },
                    )
                if fails and runs[ref] == 1 and self.rng.random() < rate_issue:
                    issues.append(self._issue(pid, provider, ref))
                elif not fails:
                    failing.discard(ref)
            if not failing and round_number > 3:
                failing = set(self.rng.sample(tests, k=max(1, len(tests) // 10)))
        return [self._settle(ref, sev) for ref, sev in issues]

    # -- Testing Issues -----------------------------------------------------------------------------
    def _issue(self, pid: str, provider: str | None, test_ref: str) -> tuple[str, int]:
        self.issue_count += 1
        ref = f"TI-B-{self.issue_count:06d}"
        raiser = DCC if self.rng.random() < 0.8 else NORTHWIND
        providers = (
            [provider] if provider else self.rng.sample(PROVIDERS[:2], k=self.rng.choice((0, 1, 1, 2)))
        )
        self.add(
            "TestingIssue.raise_issue",
            raiser,
            {
                "reference": ref,
                "summary": f"{test_ref}: expected response not received",
                "phase_id": pid,
                "dmc_ids": [DMCS[self.issue_count % len(DMCS)]],
                "epcl_entry_ids": [],
                "service_providers": providers,
                "cause": "dcc_total_system",
                "environment": "test",
                "raised_by": raiser,
                "security_impact": False,
            },
        )
        severity = self.rng.choice((1, 2, 3, 3, 3, 4, 4, 5))
        self.add("TestingIssue.determine_severity", DCC, {"target": {"reference": ref}, "severity": severity})
        if severity > 1 and self.rng.random() < 0.15:
            disputer = self.rng.choice((NORTHWIND, BRIGHTGRID))
            self.add(
                "TestingIssue.refer_severity_dispute",
                disputer,
                {
                    "target": {"reference": ref},
                    "disputed_by": disputer,
                    "proposed_severity": severity - 1,
                    "could_affect_exit_of": [pid],
                },
            )
            if self.rng.random() < 0.8:  # the rest stay pending
                severity = self.rng.choice((severity, severity - 1))
                self.add(
                    "TestingIssue.record_tag_severity_determination",
                    DCC,
                    {"target": {"reference": ref}, "severity": severity},
                    body="tag",
                )
        if self.rng.random() < 0.08:
            scope = {"target": {"reference": ref}, "kind": "threshold", "scope_id": pid}
            self.add(
                "TestingIssue.propose_exclusion",
                DCC,
                {
                    **scope,
                    "rationale": "fault in the test stub, not in the DCC Total System",
                    "informed": ["tab", "tag", "panel"],
                },
            )
            agreed = self.rng.random() < 0.6
            self.add(
                "TestingIssue.record_tag_exclusion_decision", DCC, {**scope, "agreed": agreed}, body="tag"
            )
            if not agreed:
                self.add(
                    "TestingIssue.refer_exclusion_to_sos",
                    DCC,
                    {**scope, "material_impact": "complete_sit_or_mt"},
                )
                self.add(
                    "TestingIssue.record_sos_exclusion_determination",
                    DCC,
                    {**scope, "upheld": self.rng.random() < 0.5},
                    body="sos",
                )
        return ref, severity

    def _settle(self, ref: str, severity: int) -> tuple[str, int | None]:
        if self.rng.random() < 0.7:
            self.add(
                "TestingIssue.close",
                DCC,
                {
                    "target": {"reference": ref},
                    "resolution": "fixed in the next drop",
                    "retest_execution_ids": [],
                },
            )
            return ref, None
        return ref, severity

    # -- DMCT traffic (§20) ---------------------------------------------------------------------------
    def _dmct(self, n: int) -> None:
        """A DMC submitted, assessed and scheduled; its entry tested, reported, provided to the
        Supplier, reviewed by the TAG and deemed final (the demo's DMC-ACL-04 path)."""
        dmc, entry, supplier = f"DMC-GEN-{n:04d}", f"EPCL-G{n:05d}", (NORTHWIND, BRIGHTGRID)[n % 2]
        target = {"target": {"dmc_id": dmc}}
        self.add(
            "DmctDmc.receive_submission",
            supplier,
            {
                "dmc_id": dmc,
                "supplier": supplier,
                "submission_ref": f"SUB-{n:04d}",
                "cycle": "2025-06",
                "planned_installations": 500 + 37 * n,
                "contacts": ["dmct@supplier.example"],
            },
        )
        self.add("DmctDmc.begin_assessment", DCC, target)
        self.add("DmctDmc.record_assessment", DCC, {**target, "result": "none"})
        self.add("DmctDmc.schedule_entries", DCC, {**target, "entry_ids": [entry]})
        start = self.when.date()
        self.add(
            "DmctEntry.schedule",
            DCC,
            {
                "entry_id": entry,
                "dmc_id": dmc,
                "installation_type": "active",
                "capability_release": "moc",
                "smso": "SMSO-ALPHA",
                "planned_start": start.isoformat(),
                "planned_completion": (start + timedelta(days=21)).isoformat(),
                "test_pack_id": "PACK-MOC-SRVT",
                "non_standard_rationale": None,
                "schedule_version": None,
            },
        )
        at = {"target": {"entry_id": entry}}
        self.add(
            "DmctEntry.start_testing",
            DCC,
            {**at, "environment": "DMCT-ENV-A", "environment_version": "DCC Systems R2.3.1"},
        )
        runs: dict[str, int] = {}
        for test in SRVT_TESTS * 2:
            if runs.get(test) and self.rng.random() < 0.5:
                continue
            runs[test] = runs.get(test, 0) + 1
            self.add(
                "DmctEntry.record_execution",
                DCC,
                {
                    **at,
                    "test_id": test,
                    "run": runs[test],
                    "result": "pass",
                    "run_evidence_sha256": sha(f"{entry} {test} {runs[test]}"),
                },
            )
        self.add(
            "DmctEntry.complete_testing",
            DCC,
            {
                **at,
                "all_tests_executed": True,
                "thresholds_exceeded": False,
                "threshold_snapshot_ref": f"T20.1-{entry}",
            },
        )
        self.add(
            "DmctEntry.produce_draft_report",
            DCC,
            {
                **at,
                "report_ref": f"DTR-{entry}",
                "report_sha256": sha(f"DTR-{entry} draft"),
                "environment_version": "DCC Systems R2.3.1",
                "tests": [{"test_id": t, "runs": r, "result": "pass"} for t, r in runs.items()],
                "open_issues": [],
                "excluded_issues": [],
                "rerun_approach": "the full pack is re-run after each fix",
                "work_off_plan_ids": [],
                "statement": "every test passed; no open Testing Issue",
            },
        )
        self.add(
            "DmctEntry.submit_issues_to_tag",
            DCC,
            {**at, "open_issue_ids": [], "excluded_issue_ids": [], "thresholds_exceeded": False},
        )
        self.add(
            "DmctEntry.provide_draft_report",
            DCC,
            {**at, "suppliers": [supplier], "provided_on": self.when.date().isoformat()},
        )
        self.add("DmctEntry.record_supplier_no_referral", supplier, {**at, "supplier": supplier})
        self.add("DmctEntry.record_tag_review_concluded", DCC, at, body="tag")
        self.add("DmctEntry.deem_final", DCC, {**at, "final_report_sha256": sha(f"DTR-{entry} final")})


def _phase_id(capability: str, kind: str, provider: str | None, epcl: str | None) -> UUID:
    from ledger.phases import TestPhase

    return TestPhase.create_id(capability, kind, provider, epcl)


def _planned_id(pid: str, ref: str) -> UUID:
    from ledger.planned_tests import PlannedTest

    return PlannedTest.create_id(pid, ref)


# -- the command line ---------------------------------------------------------------------------
def settings_for(home: Path, database_url: str | None) -> Settings:
    url = database_url or f"sqlite:///{home / 'ledger.sqlite3'}"
    return Settings(
        home=home, database_url=url, log_origin=ORIGIN, actor=ACTOR.principal, key_passphrase=None
    )


def generate(settings: Settings, events: int, seed: int, per_save: int = PER_SAVE) -> dict[str, Any]:
    """Create the ledger and record about ``events`` events; what was built, as JSON."""
    started = time.perf_counter()
    lg, _ = create_ledger(settings, ACTOR)
    try:
        lg.load_signer()
        operator = RecordingContext(ACTOR, datetime.now(UTC))
        bootstrap_admin(lg, ACTOR.principal, "ledger operator", operator)
        for line in demo_commands(ACTOR.principal):
            execute(lg, line)
        head = lg.recorder.max_notification_id() or 0
        with progress(f"generating {events:,} events", events) as advance:
            advance(head)
            driver = Driver(lg, per_save, advance)
            bulk = Bulk(driver, max(events - head, 0), seed)
            bulk.run()
        total = lg.recorder.max_notification_id() or 0
    finally:
        lg.close()
        lg.engine.dispose()
    seconds = time.perf_counter() - started
    return {
        "events": total,
        "seconds": round(seconds, 1),
        "events_per_second": round(total / seconds),
        "seed": seed,
        "phases": bulk.phases,
        "tests_per_phase": bulk.tests_per_phase,
        "issues": bulk.issue_count,
        "dmcs": bulk.dmcs,
        "database_url": settings.database_url,
        "home": str(settings.home),
        "origin": ORIGIN,
        "first_bulk_day": date.isoformat(START.date()),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.generate", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--events", type=int, required=True, help="about how many events (at least the demo's)"
    )
    parser.add_argument("--home", type=Path, required=True, help="keys/ (and the SQLite file without a URL)")
    parser.add_argument("--database-url", default=None, help="an empty database (default: SQLite in --home)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--per-save", type=int, default=PER_SAVE)
    args = parser.parse_args(argv)
    if args.events < 1:
        print("--events: must be at least 1", file=sys.stderr)
        return 2
    report = generate(settings_for(args.home, args.database_url), args.events, args.seed, args.per_save)
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
