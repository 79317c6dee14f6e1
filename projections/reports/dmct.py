"""The draft DMCT Testing Report of a planned EPCL entry (§20.34 successful, §20.35 unsuccessful),
checked item by item against the entry's recorded history.

The DCC records the draft as structured data (``DmctEntry.produce_draft_report``); this report
sets each of its items (a)-(i) beside what the ledger holds for the entry as of the position: the
environment testing ran on (§20.18), every run of every test (§20.34(b), (c), re-runs (e)), the
Testing Issues naming the entry (A58) open or excluded (§20.29), and the completion (§20.31-
20.33). A draft item the history contradicts is NOT_CONFIRMED with the rows that differ; an item
with no draft yet is NOT_RECORDED, beside what the ledger would put in it.
"""

from __future__ import annotations

from collections import defaultdict

from ledger.application import AKLedger
from ledger.dmct.entry import DmctEntry
from ledger.dmct.entry_values import DraftReport
from ledger.dmct.values import CompletionOutcome
from projections.as_of import AsOf, rows_at
from projections.dmct_queries import UnknownEntryError
from projections.fact_kinds import FactKind
from projections.register_queries import aggregate_at
from projections.reports.model import Item, ItemState, Report, Section, checkpoint_covering, state_of
from projections.rules.facts import IssueFact


def dmct_draft(app: AKLedger, entry_id: str, at: AsOf) -> Report:
    """The draft DMCT Testing Report of ``entry_id`` checked against the history as of ``at``.
    Raises ``UnknownEntryError``."""
    with app.engine.connect() as conn:
        known = {e.entry_id for _, e in rows_at(conn, FactKind.DMCT_ENTRY, at.position)}
        if entry_id not in known:
            raise UnknownEntryError(entry_id, at.position)
        entry = aggregate_at(app, conn, str(DmctEntry.create_id(entry_id)), at.position)
        assert isinstance(entry, DmctEntry)
        issues = [i for _, i in rows_at(conn, FactKind.ISSUE, at.position) if entry_id in i.epcl_entry_ids]
        checkpoint = checkpoint_covering(conn, at.position)
    draft = entry.current_draft
    completion = entry.completion
    outcome = draft.outcome if draft is not None else completion.outcome if completion is not None else None
    clause = "20.35" if outcome is CompletionOutcome.UNSUCCESSFUL else "20.34"
    items = sorted((_environment(entry, draft, clause), *_tests(entry, draft, clause),
                    *_issues(issues, draft, clause), _prescribed(draft, clause),
                    _statement(entry, draft, clause)), key=lambda i: i.clause)  # (a) to (i)
    kind = "unsuccessful, §20.35" if clause == "20.35" else "successful, §20.34"
    title = (f"Draft DMCT Testing Report ({kind})"
             if outcome is not None else "Draft DMCT Testing Report (§20.34/§20.35): testing not completed")
    subject = f"planned EPCL entry {entry_id} (DMC {entry.dmc_id})" + (
        f", draft {draft.report_ref} (SHA-256 {draft.report_sha256})" if draft is not None
        else ", no draft recorded")
    return Report("dmct-draft", title, subject, at, checkpoint,
                  (Section(f"§{clause} (a)-(i)", tuple(items)),))


def _missing(clause: str, asks: str, ledger_says: str) -> Item:
    return Item(clause, asks, ItemState.NOT_RECORDED,
                f"no draft report is recorded; the ledger holds: {ledger_says}")


def _environment(entry: DmctEntry, draft: DraftReport | None, clause: str) -> Item:
    asks = "the DCC Systems and environment versions the tests ran against (§20.18)"
    rounds = entry.rounds
    ran = ", ".join(sorted({r.environment_version for r in rounds} | {
        e.environment_version for e in entry.executions if e.environment_version})) or "no testing started"
    unconsented = [r for r in rounds if r.alternate_environment and r.tag_consent_ref is None]
    if draft is None:
        return _missing(f"{clause}(a)", asks, ran)
    ok = draft.environment_version in ran.split(", ") and not unconsented
    return Item(f"{clause}(a)", asks, state_of(ok),
                f"draft states {draft.environment_version}; testing recorded on {ran}"
                + ("; alternate versions without TAG's consent (§20.18)" if unconsented else ""),
                tuple({"environment": r.environment, "version": r.environment_version,
                       "alternate": r.alternate_environment, "tag_consent": r.tag_consent_ref}
                      for r in rounds))


def _tests(entry: DmctEntry, draft: DraftReport | None, clause: str) -> tuple[Item, ...]:
    runs: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for e in entry.executions:
        runs[e.test_id].append((e.run, e.result.value))
    recorded = {t: (len(r), max(r)[1]) for t, r in runs.items()}
    packs = ", ".join(entry.planned.pack_ids) if entry.planned is not None else ""
    ran = f"{len(recorded)} tests, {sum(n for n, _ in recorded.values())} runs"
    reruns = sum(1 for e in entry.executions if e.run > 1)
    if draft is None:
        return (_missing(f"{clause}(b)", "the tests run as per the test pack", ran),
                _missing(f"{clause}(c)", "the results of the tests run",
                         ", ".join(f"{t} {r}" for t, (_, r) in sorted(recorded.items())) or "none"),
                _missing(f"{clause}(e)", "the approach to re-running tests after fixes", f"{reruns} re-runs"))
    stated = {t.test_id: (t.runs, t.result) for t in draft.tests}
    differ = sorted(set(stated) ^ set(recorded))
    wrong = sorted(t for t in set(stated) & set(recorded) if stated[t] != recorded[t])
    rows = tuple({"test": t, "draft runs": stated.get(t, (None, None))[0],
                  "recorded runs": recorded.get(t, (None, None))[0],
                  "draft result": stated.get(t, (None, None))[1],
                  "recorded result": recorded.get(t, (None, None))[1]}
                 for t in sorted(set(stated) | set(recorded)))
    return (
        Item(f"{clause}(b)", "the tests run as per the test pack", state_of(not differ),
             f"draft lists {len(stated)} tests; {ran} recorded"
             + (f" (packs {packs})" if packs else "") + (f"; in one but not the other: {', '.join(differ)}"
                                                          if differ else ""), rows),
        Item(f"{clause}(c)", "the results of the tests run", state_of(not wrong and not differ),
             f"{sum(1 for _, r in stated.values() if r == 'pass')} passed at the latest run by the draft; "
             + (f"runs or results differ from the record for {', '.join(wrong)}" if wrong
                else "each as recorded" if not differ else "see (b)"), rows),
        Item(f"{clause}(e)", "the approach to re-running tests after fixes", ItemState.DOCUMENTED,
             f"{draft.rerun_approach} ({reruns} re-runs recorded)"),
    )


def _issues(issues: list[IssueFact], draft: DraftReport | None, clause: str) -> tuple[Item, ...]:
    open_ = [i for i in issues if i.is_open]
    if draft is None:
        listed = ", ".join(f"{i.reference} (severity {i.severity})" for i in open_) or "none open"
        return (_missing(f"{clause}(d)", "open Testing Issues captured, closed or in a Work Off Plan",
                         listed),
                _missing(f"{clause}(f)", "Testing Issues excluded under §20.29, with rationale", "-"),
                _missing(f"{clause}(g)", "the rationale for each open issue's severity", "-"))
    reported = {i.issue_id for i in (*draft.open_issues, *draft.excluded_issues)}
    severity = {i.reference: i.severity for i in issues}
    uncaptured = [i for i in open_ if i.reference not in reported]
    misstated = [i for i in draft.open_issues
                 if i.issue_id in severity and severity[i.issue_id] != i.severity]
    return (
        Item(f"{clause}(d)", "open Testing Issues captured, closed or in a Work Off Plan",
             state_of(not uncaptured and (not draft.open_issues or bool(draft.work_off_plan_ids))),
             f"{len(open_)} open in the ledger, {len(draft.open_issues)} open in the draft, Work Off Plans "
             f"{', '.join(draft.work_off_plan_ids) or 'none'}"
             + (f"; not in the draft: {', '.join(i.reference for i in uncaptured)}" if uncaptured else ""),
             tuple({"issue": i.reference, "severity": i.severity, "open": i.is_open,
                    "in draft": i.reference in reported} for i in issues)),
        Item(f"{clause}(f)", "Testing Issues excluded under §20.29, with rationale", ItemState.DOCUMENTED,
             f"{len(draft.excluded_issues)} excluded",
             tuple({"issue": i.issue_id, "severity": i.severity, "rationale": i.rationale}
                   for i in draft.excluded_issues)),
        Item(f"{clause}(g)", "the rationale for each open issue's severity", state_of(not misstated),
             f"{len(draft.open_issues)} open issues with their rationale"
             + (f"; severity differs from the record for {', '.join(i.issue_id for i in misstated)}"
                if misstated else ""),
             tuple({"issue": i.issue_id, "severity": i.severity,
                    "recorded severity": severity.get(i.issue_id),
                    "rationale": i.rationale} for i in draft.open_issues)),
    )


def _prescribed(draft: DraftReport | None, clause: str) -> Item:
    asks = "any other information the test pack prescribes"
    if draft is None:
        return _missing(f"{clause}(h)", asks, "the packs' documents are held as SHA-256 only")
    return Item(f"{clause}(h)", asks, ItemState.DOCUMENTED,
                f"in the draft report document {draft.report_ref} (SHA-256 {draft.report_sha256})")


def _statement(entry: DmctEntry, draft: DraftReport | None, clause: str) -> Item:
    asks = "why the entry completed testing successfully or not (with any Migration Completion Report)"
    completion = entry.completion
    recorded = ("not completed" if completion is None
                else f"{completion.outcome.value} on {', '.join(completion.basis)}")
    if draft is None:
        return _missing(f"{clause}(i)", asks, f"completion {recorded}")
    agrees = completion is not None and completion.outcome is draft.outcome
    return Item(f"{clause}(i)", asks, state_of(agrees),
                f"{draft.statement} (draft: {draft.outcome.value}; recorded completion: {recorded}"
                + (f"; Migration Completion Report {draft.migration_completion_report_ref}"
                   if draft.migration_completion_report_ref else "") + ")")


__all__ = ["dmct_draft"]
