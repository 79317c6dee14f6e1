"""``akledger rules``: print the Appendix AK rule tables (thresholds, routes, deadlines).

Rich tables by default, JSON with ``--json``. An unknown table name is a usage error (exit 2,
the message names the TABLE argument).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from ledger.rules import deadlines, routes, thresholds
from ledger.rules.export import rule_tables_json
from ledger.rules.roles import Role

rules_app = typer.Typer(no_args_is_help=True, help="Appendix AK rule tables, each row citing its clause.")



def out() -> Console:
    # Made per command, not at import, so that it sizes itself to the terminal (COLUMNS) in use.
    return Console()


class RuleTables(StrEnum):
    """The rule tables ``akledger rules show`` can print."""

    THRESHOLDS = "thresholds"
    ROUTES = "routes"
    DEADLINES = "deadlines"


def cite(clauses: tuple[str, ...] | str) -> str:
    """Clause references as printed: "§13.26", "Table 13.1 #2A"."""
    refs = (clauses,) if isinstance(clauses, str) else clauses
    return ", ".join(ref if ref.startswith("Table") else f"§{ref}" for ref in refs)


def roles(values: tuple[Role, ...]) -> str:
    return ", ".join(role.value for role in values) or "-"


def show_thresholds() -> None:
    for table, title in thresholds.TABLE_TITLES.items():
        columns = thresholds.columns_of(table)
        grid = Table("Severity", *(c.heading for c in columns), title=title)
        for severity in range(1, 6):
            grid.add_row(str(severity), *(
                str(thresholds.limit_for(table, severity, c.scope)) for c in columns
            ))
        grid.caption = "Counted " + "; ".join(dict.fromkeys(c.counted_across for c in columns))
        out().print(grid)
    applies = Table("Context", "Table", "Columns", "Counted across", "Clauses", "Note",
                    title="Which table applies (catalogue 5.4)")
    for row in thresholds.WHICH_TABLE:
        applies.add_row(row.context.value, row.table.value if row.table else "-",
                        ", ".join(s.value for s in row.scopes) or "-", row.counted_across,
                        cite(row.clauses), row.note)
    out().print(applies)
    counting = Table("Id", "Clauses", "Rule", "Handling", title="Counting rules (catalogue 5.5)")
    for rule in thresholds.COUNTING_RULES:
        counting.add_row(rule.id, cite(rule.clauses), rule.rule, rule.handling)
    out().print(counting)


def referral(row: routes.Route) -> str:
    if not row.referred_to:
        return "-"
    by = roles(row.referred_by) if row.referrer_stated else "(referrer not stated)"
    return f"{by} -> {roles(row.referred_to)}"


def window(row: routes.Route) -> str:
    if row.window is None:
        return row.timing or "-"
    w = row.window
    return f"{w.act} within {w.working_days} Working Days of {w.trigger} [{cite(w.clause)}]"


def show_routes() -> None:
    """One block per route: a route has too many fields for one row of a terminal."""
    for row in routes.ROUTES:
        block = Table(show_header=False, title=f"{row.id} {row.subject}", title_justify="left",
                      expand=True)
        block.add_column("field", style="bold", no_wrap=True)
        block.add_column("value", ratio=1)
        block.add_row("clauses", cite(row.clauses))
        block.add_row("raised by", roles(row.raised_by))
        block.add_row("process", row.process)
        block.add_row("referred", referral(row))
        block.add_row("time limit", window(row))
        block.add_row("decided by", roles(row.decided_by))
        block.add_row("final and binding", row.final_and_binding.value if row.final_and_binding else "-")
        block.add_row("notified", roles(row.notified))
        block.add_row("while pending", row.while_pending or "-")
        if row.note:
            block.add_row("note", row.note)
        out().print(block)


def show_deadlines() -> None:
    grid = Table("Id", "Rule", "Trigger", "Amount (kind)", "Clauses", "Note",
                 title="Time rules (catalogue section 9)")
    for rule in deadlines.TIME_RULES:
        amount = "" if rule.amount is None else f"{rule.amount} {rule.unit.value.replace('_', ' ')} "
        note = rule.note if rule.in_force else f"NOT IN FORCE. {rule.note}"
        grid.add_row(rule.id, rule.rule, rule.trigger, f"{amount}({rule.kind.value})",
                     cite(rule.clauses), note)
    out().print(grid)
    wop = Table("Severity", "Due (Working Days after the TCC is issued)", "Clause",
                title="Work Off Plan due dates (§15.1)")
    for window in deadlines.WORK_OFF_PLAN_WINDOWS:
        wop.add_row(str(window.severity), str(window.working_days), cite(window.clause))
    out().print(wop)
    out().print(f"No time limit stated for: {cite(deadlines.UNTIMED)}", highlight=False)


@rules_app.command("show")
def show(
    table: Annotated[RuleTables, typer.Argument(metavar="TABLE", help="Which rule tables to print.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False,
) -> None:
    """Print a rule table: thresholds (13.2, 13.3, 20.1), routes (R1-R44) or deadlines (TR1-TR37)."""
    if as_json:
        out().print_json(data=rule_tables_json(table.value))
        return
    {RuleTables.THRESHOLDS: show_thresholds, RuleTables.ROUTES: show_routes,
     RuleTables.DEADLINES: show_deadlines}[table]()


__all__ = ["rules_app"]
