"""``akledger query dmct-completion``: has DMCT testing of each planned EPCL entry completed, and how.

The §20.32/§20.33 evaluation (with the A25 reading) of every planned EPCL entry, or of ``--entry
ID``, as of ``--as-of-position N`` or ``--as-of TIME`` (``projections.dmct_completion_queries``):
each criterion's verdict, the outcome the record supports and the sub-clauses it rests on, beside
the DCC's recorded completion and whether they agree. Drawn as a rich table by default, or
``--json`` / ``--csv``. The as-of reading, the catching up of the ``facts`` projection and the
exit codes are ``api.cli_query``'s (2 naming the option for bad input or an unknown entry).
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from api import query_views as views
from api.cli_query import CsvOpt, JsonOpt, PositionOpt, TimeOpt, answered, asked, show
from api.query_service import AsOfAsked
from ledger.application import AKLedger
from projections.dmct_completion_queries import DmctCompletionAnswer
from projections.dmct_completion_queries import dmct_completion as completion_query
from projections.rules.dmct_completion import CompletionEvaluation, CompletionResult

EntryOpt = Annotated[str | None, typer.Option("--entry", metavar="ID", help="Only this planned EPCL entry.")]
_CRITERIA = ("20.32(a)", "20.32(b)", "20.32(c)", "20.32(d)", "20.33(b)")
_STYLES = {CompletionEvaluation.SUCCESSFUL: "green", CompletionEvaluation.UNSUCCESSFUL: "bold red",
           CompletionEvaluation.NOT_COMPLETED: "cyan", CompletionEvaluation.UNDETERMINED: "yellow",
           CompletionEvaluation.NOT_REQUIRED: "dim"}


def _service(lg: AKLedger, entry: str | None, at: AsOfAsked) -> DmctCompletionAnswer:
    return completion_query(lg.engine, entry, as_of_position=at.position, as_of=at.time)


def dmct_completion(entry: EntryOpt = None, as_of_position: PositionOpt = None, as_of: TimeOpt = None,
                    as_json_: JsonOpt = False, as_csv: CsvOpt = False) -> None:
    """Whether DMCT testing of each planned EPCL entry has completed, successfully or not
    (§20.32, §20.33 read as (i) and (ii) and ((iii) or (iv)), A25), beside the recorded completion."""
    how = asked(as_of_position, as_of, as_json_, as_csv)
    answer = answered(_service, entry, how=how)
    show(answer, how, lambda c: _draw(c, answer), lambda: _cells(answer))


def _draw(console: Console, answer: DmctCompletionAnswer) -> None:
    table = Table("entry", "DMC", "status", *_CRITERIA, "evaluation", "basis", "recorded", "agrees",
                  title="DMCT testing completion (§20.31-20.33)", title_justify="left")
    for r in answer.results:
        verdicts = {c.criterion: c.verdict for c in r.criteria}
        table.add_row(r.entry_id, r.dmc_id, r.status.label, *(views.verdict(verdicts[c]) for c in _CRITERIA),
                      Text(r.evaluation.value, style=_STYLES[r.evaluation]), ", ".join(r.basis),
                      _recorded(r), "" if r.agrees_with_record is None else "yes" if r.agrees_with_record
                      else Text("no", style="bold red"))
    console.print(table)
    tally = ", ".join(f"{n} {e}" for e, n in answer.tally.items() if n)
    console.print(f"{len(answer.results)} entries: {tally or 'none'}", highlight=False)
    if answer.disagreeing:
        console.print(f"recorded completion not supported by the record: {', '.join(answer.disagreeing)}",
                      style="bold red", highlight=False)
    if answer.entry is not None:
        for r in answer.results:
            for c in r.criteria:
                console.print(Text.assemble(f"{c.criterion} {c.title}: ", views.verdict(c.verdict),
                                            f" — {c.detail}"), highlight=False)


def _recorded(result: CompletionResult) -> str:
    found = result.recorded
    final = "" if result.final is None else f"final {result.final.value}; "
    recorded = "" if found is None else f"{found.outcome.value} ({', '.join(found.basis)}) {found.event_id}"
    return final + recorded


def _cells(answer: DmctCompletionAnswer) -> views.Cells:
    header = ["entry_id", "dmc_id", "status", *_CRITERIA, "evaluation", "basis", "recorded_outcome",
              "recorded_event", "final_outcome", "agrees_with_record"]
    rows = []
    for r in answer.results:
        verdicts = {c.criterion: c.verdict.value for c in r.criteria}
        found = r.recorded
        rows.append([r.entry_id, r.dmc_id, r.status.value, *(verdicts[c] for c in _CRITERIA),
                     r.evaluation.value, " ".join(r.basis), "" if found is None else found.outcome.value,
                     "" if found is None else found.event_id, "" if r.final is None else r.final.value,
                     "" if r.agrees_with_record is None else str(r.agrees_with_record).lower()])
    return header, rows


__all__ = ["dmct_completion"]
