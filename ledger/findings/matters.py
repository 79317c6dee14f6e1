"""Compliance findings on Matters (routes R1-R44): recorded, then flagged, never refused.

Catalogue Appendix, append-time checks: "Referral recorded after its deadline (§13.4, §13.7,
§13.26, §20.12, §20.37)". Also flagged: a determination by a body other than the route's deciding
body, and a matter whose window has passed with no referral "as of" a date. Each check is a pure
function of a ``Matter`` (and a date) returning findings that cite the clause and the event ids.

Deadlines are the ones stored when the matter was raised (``Matter.window_deadline``), under the
convention stored with them; an act is in time up to the end of the due day, Europe/London (A38).
"""

from __future__ import annotations

from datetime import date

from ledger.calendar import end_of_day, is_within
from ledger.findings import Finding
from ledger.matter_values import WindowedAct
from ledger.matters import Matter


def acts_after_window(matter: Matter) -> tuple[Finding, ...]:
    """The act the route's window limits, done after the window ended.

    For §13.4, §13.7, §13.26 and §20.37 that is each referral; for §20.12 (R24, R25) it is the
    Supplier Party's notice of disagreement, that is the raising of the matter.
    """
    limit, act, row = matter.window_deadline, matter.windowed_act, matter.route
    if limit is None or row.window is None:
        return ()
    late = (
        [(matter.raised_at, 1)] if act is WindowedAct.RAISE
        else [(r.occurred_at, r.version) for r in matter.referrals]
    )
    return tuple(
        Finding(
            clause=row.window.clause,
            what=(
                f"matter {matter.id} ({row.id}): {row.window.act} on {when.isoformat()} is after "
                f"the {limit.working_days} Working Day window from {row.window.trigger} "
                f"({limit.trigger}), which ended {limit.ends_at.isoformat()}"
            ),
            event_ids=(matter.event_id(version),),
        )
        for when, version in late
        if not is_within(limit, when)
    )


def determinations_by_other_bodies(matter: Matter) -> tuple[Finding, ...]:
    """Determinations by a body the route does not name as deciding it.

    Routes whose table row names no deciding body (R20: Section H14 of the Code) are not checked.
    """
    row = matter.route
    if not row.decided_by:
        return ()
    deciders = ", ".join(r.value for r in row.decided_by)
    return tuple(
        Finding(
            clause=", ".join(row.clauses),
            what=(
                f"matter {matter.id} ({row.id}) was determined by {d.determined_by}; route "
                f"{row.id} ({row.subject}) is decided by {deciders}"
            ),
            event_ids=(matter.event_id(d.version),),
        )
        for d in matter.determinations
        if d.determined_by not in row.decided_by
    )


def pending_past_window(matter: Matter, as_of: date) -> tuple[Finding, ...]:
    """A matter raised, neither referred, determined nor withdrawn by the end of ``as_of``
    (Europe/London), whose referral window ended before ``as_of``.

    Only routes whose window limits the referral (§13.4, §13.7, §13.26, §20.37). No window runs
    for a decision once referred (catalogue §9 note, A37), so a referred matter is not flagged.
    """
    limit, row = matter.window_deadline, matter.route
    if limit is None or row.window is None or matter.windowed_act is not WindowedAct.REFERRAL:
        return ()
    cutoff = end_of_day(as_of)
    if as_of <= limit.due or matter.raised_at > cutoff:
        return ()
    closing = [r.occurred_at for r in matter.referrals]
    closing += [d.occurred_at for d in matter.determinations]
    if matter.withdrawal is not None:
        closing.append(matter.withdrawal.occurred_at)
    if any(when <= cutoff for when in closing):
        return ()
    return (
        Finding(
            clause=row.window.clause,
            what=(
                f"matter {matter.id} ({row.id}) is still pending as of {as_of.isoformat()} with no "
                f"{row.window.act}; its {limit.working_days} Working Day window from "
                f"{row.window.trigger} ({limit.trigger}) ended {limit.ends_at.isoformat()}"
            ),
            event_ids=(matter.event_id(1),),
        ),
    )


def matter_findings(matter: Matter, as_of: date) -> tuple[Finding, ...]:
    """Every finding on ``matter`` as of the end of ``as_of``."""
    return (
        *acts_after_window(matter),
        *determinations_by_other_bodies(matter),
        *pending_past_window(matter, as_of),
    )


__all__ = [
    "acts_after_window",
    "determinations_by_other_bodies",
    "matter_findings",
    "pending_past_window",
]
