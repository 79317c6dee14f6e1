"""The shape of a row of the route table (decision, dispute and referral routes R1-R44)."""

from __future__ import annotations

from dataclasses import dataclass

from ledger.rules.roles import Role


@dataclass(frozen=True)
class Window:
    """A time limit in Working Days: ``act`` must happen within ``working_days`` of ``trigger``.

    Computed with ``ledger.calendar.deadline`` (the trigger's date is day 0).
    """

    working_days: int
    trigger: str
    act: str
    clause: str


@dataclass(frozen=True)
class Route:
    """One route by which a matter is raised, referred and decided (catalogue section 4).

    - ``raised_by``: who disagrees, proposes or raises the matter.
    - ``process``: the steps in the words of the clauses.
    - ``decided_by``: whose decision settles it, in order (a later body decides on referral).
    - ``referred_by`` / ``referred_to``: the referral or submission the clauses name; empty if none.
      ``referrer_stated`` is False where the text does not say who refers (passive voice).
    - ``window``: the Working Day limit, if the text gives one; ``timing``: any other timing words.
    - ``final_and_binding``: the body whose decision the text calls final and binding, else None.
    - ``notified``: who the clauses say must be told (besides the parties to the referral).
    - ``while_pending``: what holds while the matter is undecided, or the effect of the outcome.
    """

    id: str
    subject: str
    clauses: tuple[str, ...]
    raised_by: tuple[Role, ...]
    process: str
    decided_by: tuple[Role, ...]
    referred_by: tuple[Role, ...] = ()
    referred_to: tuple[Role, ...] = ()
    referrer_stated: bool = True
    window: Window | None = None
    timing: str | None = None
    final_and_binding: Role | None = None
    notified: tuple[Role, ...] = ()
    while_pending: str | None = None
    note: str = ""
