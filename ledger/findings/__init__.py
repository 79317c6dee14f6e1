"""Compliance findings: what pure checks over recorded events report (design: flag, never refuse).

An audit ledger records what happened even where it breaks a rule of Appendix AK; the checks in
this package read recorded aggregates and yield a ``Finding`` for each breach (catalogue
Appendix, "Append-time checks").
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Finding:
    """One compliance problem: the clause breached, what happened, and the events involved.

    ``event_ids`` are ``"{originator_id}:{version}"``, the form the API reports appends in.
    """

    clause: str
    what: str
    event_ids: tuple[str, ...]


__all__ = ["Finding"]
