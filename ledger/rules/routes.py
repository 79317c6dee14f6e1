"""The route table: every decision, dispute and referral route of Appendix AK, R1-R44.

One row per route (catalogue section 4), each citing its clauses: who raises the matter, who
refers it to whom, the window in Working Days and its trigger, whose decision is final and
binding, and what holds while it is pending. The Matter aggregate is driven by this table; a
referral outside its window is recorded and flagged, never refused (design.md).

Rows live in ``routes_testing`` (R1-R22, R39-R44) and ``routes_dmct`` (R23-R38).
"""

from __future__ import annotations

from ledger.rules.errors import RuleNotFoundError
from ledger.rules.roles import Role
from ledger.rules.route_types import Route, Window
from ledger.rules.routes_dmct import DMCT_ROUTES
from ledger.rules.routes_testing import TESTING_ROUTES


def _number(route_id: str) -> int:
    return int(route_id.removeprefix("R"))


ROUTES: tuple[Route, ...] = tuple(sorted((*TESTING_ROUTES, *DMCT_ROUTES), key=lambda r: _number(r.id)))


def route(route_id: str) -> Route:
    """The route ``route_id`` ("R1" .. "R44"). Raises ``RuleNotFoundError`` if there is none."""
    for row in ROUTES:
        if row.id == route_id:
            return row
    raise RuleNotFoundError(f"no route {route_id!r} (R1-R44)")


def routes_citing(clause: str) -> tuple[Route, ...]:
    """Routes citing ``clause`` exactly, or a sub-item of it ("13.26" finds "13.26" and "13.26(a)")."""
    return tuple(
        row for row in ROUTES
        if any(c == clause or c.startswith(f"{clause}(") for c in row.clauses)
    )


def routes_with_window() -> tuple[Route, ...]:
    """Routes whose text sets a Working Day window (the ones a late referral can breach)."""
    return tuple(row for row in ROUTES if row.window is not None)


__all__ = ["ROUTES", "Role", "Route", "Window", "route", "routes_citing", "routes_with_window"]
