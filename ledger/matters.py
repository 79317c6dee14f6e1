"""Matters: one aggregate for every dispute, referral and decision route R1-R44 (catalogue §4).

A Matter is a thread on one route of ``ledger.rules.routes``: it is raised (by the role the route
names), may be referred (to a body the route refers to), is determined (by whoever decided, with
the outcome) or withdrawn. The route row drives it; this module only applies the row.

Structural rules (``InvalidMatterEventError`` naming the field; nothing is written):

- the route exists (R1-R44); roles are ``ledger.rules.roles.Role`` values;
- the raising role is one the route names (Testing Participant: §2.3, see ``_TESTING_PARTICIPANTS``);
- a referral goes to a body the route refers to, by the referrer the route names where it names
  one (``referrer_stated``; passive-voice routes, A44: accepted and recorded);
- a route with a Working Day window needs its trigger date (and, for a per-Supplier clock, A40,
  the party whose clock it is); the trigger is not after the day the matter is raised;
- a withdrawn matter is neither referred, determined nor withdrawn again; a determined matter is
  not withdrawn, nor determined again unless referred on since (a first body's decision may be
  referred on, e.g. TAG then SoS); a final-and-binding determination ends it.

Compliance (recorded here, flagged by ``ledger.findings.matters``): a referral (or, R24/R25, a
Supplier's notice) after its window; a determination by a body other than the route's deciding
body; a matter with no referral past its window "as of" a date.

Windows: "within N Working Days of D" under ``ledger.calendar.CONVENTION`` (domain/README.md,
A38); the computed deadline and its convention are stored in the ``MatterRaised`` payload.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from ledger.calendar import LONDON, Deadline, deadline
from ledger.errors import InvalidMatterEventError
from ledger.matter_values import (
    Determination,
    MatterStatus,
    Referral,
    Subject,
    SubjectKind,
    WindowedAct,
    Withdrawal,
    has_per_party_clock,
    windowed_act,
)
from ledger.references import reference_id, reference_problem
from ledger.rules.errors import RuleNotFoundError
from ledger.rules.roles import Role
from ledger.rules.route_types import Route
from ledger.rules.routes import route as route_row

# §2.3: "each participant in such testing shall be deemed to be a Testing Participant"; §18
# ("All Testing Participants and the DCC") keeps the DCC apart, and §14.2 disputes are with it.
_TESTING_PARTICIPANTS = frozenset({Role.TESTING_PARTICIPANT, Role.SUPPLIER, Role.DCC_SERVICE_PROVIDER})


def may_act(role: Role, named: Sequence[Role]) -> bool:
    """True if ``role`` is one of ``named`` (a Testing Participant being any of §2.3's)."""
    return role in named or (Role.TESTING_PARTICIPANT in named and role in _TESTING_PARTICIPANTS)


def _route(route_id: str) -> Route:
    try:
        return route_row(route_id)
    except RuleNotFoundError as exc:
        raise InvalidMatterEventError("route_id", str(exc)) from exc


def _role(field: str, value: Role | str) -> Role:
    try:
        return Role(value)
    except ValueError:
        known = ", ".join(r.value for r in Role)
        raise InvalidMatterEventError(field, f"{value!r} is not a role ({known})") from None


def _names(roles: Sequence[Role]) -> str:
    return ", ".join(r.value for r in roles)


def _check_subjects(subjects: Sequence[Subject]) -> None:
    if not subjects:
        raise InvalidMatterEventError(
            "subjects", "a matter concerns at least one Testing Issue, phase, DMC or document"
        )
    for subject in subjects:
        if not isinstance(subject.kind, SubjectKind) or not subject.id.strip():
            raise InvalidMatterEventError("subjects", f"{subject!r} needs a SubjectKind and an id")


def _window_payload(
    row: Route, trigger_on: date | None, trigger_party: str | None, occurred_at: str
) -> dict[str, Any] | None:
    """The route's deadline as stored JSON, or None where the route has no window."""
    if trigger_on is not None:
        if isinstance(trigger_on, datetime):
            raise InvalidMatterEventError("trigger_on", f"{trigger_on.isoformat()} must be a date")
        raised_on = datetime.fromisoformat(occurred_at).astimezone(LONDON).date()
        if trigger_on > raised_on:
            raise InvalidMatterEventError(
                "trigger_on", f"{trigger_on} is after the day the {row.id} matter is raised ({raised_on})"
            )
    window = row.window
    if window is None:
        return None
    if trigger_on is None:
        raise InvalidMatterEventError(
            "trigger_on", f"route {row.id} has a {window.working_days} Working Day window from "
            f"{window.trigger} (§{window.clause}); the date of that trigger is required"
        )
    if has_per_party_clock(window) and not (trigger_party or "").strip():
        raise InvalidMatterEventError(
            "trigger_party", f"route {row.id} runs a clock per Supplier Party from {window.trigger} "
            "(A40); name the party whose clock this is"
        )
    computed = deadline(trigger_on, window.working_days)
    return {**computed.as_json(), "clause": window.clause, "act": windowed_act(window).value}


class Matter(Aggregate):
    """A dispute or referral on one route (R1-R44); see the module docstring for its rules."""

    @classmethod
    def create_id(cls, reference: str | None = None, **_: object) -> UUID:
        return reference_id("matter", reference)

    # -- commands -------------------------------------------------------------------------------
    @classmethod
    def raise_matter(
        cls,
        route_id: str,
        subjects: Sequence[Subject],
        raised_by: Role | str,
        *,
        trigger_on: date | None = None,
        trigger_party: str | None = None,
        reference: str | None = None,
        **context: Any,
    ) -> Matter:
        """Raise a matter on ``route_id``; ``context`` is ``RecordingContext.fields()``.

        ``trigger_on`` is the date the route's window runs from (day 0), required where the route
        has one; ``trigger_party`` the Supplier Party whose clock it is (per-Supplier routes);
        ``reference`` names the matter (its id derives from it, ``ledger.references``).
        Raises ``InvalidMatterEventError`` (route_id, raised_by, subjects, trigger_on, trigger_party,
        reference).
        """
        row = _route(route_id)
        role = _role("raised_by", raised_by)
        problem = reference_problem(reference)
        if problem is not None:
            raise InvalidMatterEventError("reference", problem)
        if not may_act(role, row.raised_by):
            raise InvalidMatterEventError(
                "raised_by", f"route {row.id} ({row.subject}) is raised by {_names(row.raised_by)}, "
                f"not {role.value} (§{', §'.join(row.clauses)})"
            )
        _check_subjects(subjects)
        if not isinstance(context.get("occurred_at"), str):
            raise InvalidMatterEventError("occurred_at", "required (RecordingContext.fields())")
        window = _window_payload(row, trigger_on, trigger_party, context["occurred_at"])
        return cls(
            route_id=row.id,
            subjects=[s.as_json() for s in subjects],
            raised_by=role.value,
            trigger_on=None if trigger_on is None else trigger_on.isoformat(),
            trigger_party=trigger_party,
            window=window,
            reference=reference,
            **context,
        )

    def refer(self, to: Role | str, referred_by: Role | str, **context: Any) -> None:
        """Record a referral of this matter to ``to`` by ``referred_by``, when ``occurred_at`` says.

        A late referral is recorded (and flagged by ``ledger.findings.matters``). Raises
        ``InvalidMatterEventError``: status (withdrawn, or determined finally and bindingly),
        to (a body the route does not refer to), referred_by (not the referrer the route names).
        """
        row, target, referrer = self.route, _role("to", to), _role("referred_by", referred_by)
        self._check_open("referred")
        last = self.last_determination
        if self.status is MatterStatus.DETERMINED and last is not None and last.final_and_binding:
            raise InvalidMatterEventError(
                "status", f"matter {self.id} ({row.id}) was determined by {last.determined_by}, whose "
                "decision is final and binding; it cannot be referred again"
            )
        if target not in row.referred_to:
            bodies = _names(row.referred_to) or "no body"
            raise InvalidMatterEventError(
                "to", f"route {row.id} of matter {self.id} refers to {bodies}, not {target.value}"
            )
        if row.referrer_stated and row.referred_by and not may_act(referrer, row.referred_by):
            raise InvalidMatterEventError(
                "referred_by", f"route {row.id} of matter {self.id} is referred by "
                f"{_names(row.referred_by)}, not {referrer.value}"
            )
        self._referred(to=target.value, referred_by=referrer.value, **context)

    def determine(
        self, determined_by: Role | str, outcome: str, outcome_code: str | None = None, **context: Any
    ) -> None:
        """Record the determination of ``determined_by`` (whoever it was: a body other than the
        route's deciding body is recorded and flagged). ``final_and_binding`` is derived from the
        route row. Raises ``InvalidMatterEventError``: status (withdrawn, or determined and not
        referred on since), determined_by, outcome (empty), outcome_code (empty string).
        """
        role = _role("determined_by", determined_by)
        self._check_open("determined")
        if not outcome.strip():
            raise InvalidMatterEventError("outcome", f"matter {self.id}: the outcome must be stated")
        if outcome_code is not None and not outcome_code.strip():
            raise InvalidMatterEventError("outcome_code", f"matter {self.id}: empty; omit it instead")
        final = self.route.final_and_binding is not None and role is self.route.final_and_binding
        self._determined(
            determined_by=role.value, outcome=outcome, outcome_code=outcome_code,
            final_and_binding=final, **context,
        )

    def withdraw(self, withdrawn_by: Role | str, reason: str, **context: Any) -> None:
        """Record that the matter was withdrawn. Raises ``InvalidMatterEventError``: status (not
        pending), withdrawn_by, reason (empty)."""
        role = _role("withdrawn_by", withdrawn_by)
        self._check_open("withdrawn")
        if not reason.strip():
            raise InvalidMatterEventError("reason", f"matter {self.id}: say why it is withdrawn")
        self._withdrawn(withdrawn_by=role.value, reason=reason, **context)

    def _check_open(self, doing: str) -> None:
        if self.status is MatterStatus.WITHDRAWN or (
            doing != "referred" and self.status is MatterStatus.DETERMINED
        ):
            raise InvalidMatterEventError(
                "status", f"matter {self.id} ({self.route_id}) is {self.status.value}; "
                f"it cannot be {doing}"
            )

    # -- events (apply only: no validation here, so old events always replay) -------------------
    @event("MatterRaised")
    def __init__(
        self,
        route_id: str,
        subjects: list[dict[str, str]],
        raised_by: str,
        trigger_on: str | None,
        trigger_party: str | None,
        window: dict[str, Any] | None,
        reference: str | None,
        occurred_at: str,
        actor: dict[str, str],
        clauses: list[str],
        on_behalf_of: str | None,
        evidence_sha256: str | None,
    ) -> None:
        self.route_id = route_id
        self.subjects = tuple(Subject(SubjectKind(s["kind"]), s["id"]) for s in subjects)
        self.raised_by = raised_by
        self.raised_at = datetime.fromisoformat(occurred_at)
        self.trigger_on = None if trigger_on is None else date.fromisoformat(trigger_on)
        self.trigger_party = trigger_party
        self.window = window
        self.reference = reference
        self.status = MatterStatus.RAISED
        self.referrals: list[Referral] = []
        self.determinations: list[Determination] = []
        self.withdrawal: Withdrawal | None = None

    @event("MatterReferred")
    def _referred(
        self, to: str, referred_by: str, occurred_at: str, actor: dict[str, str],
        clauses: list[str], on_behalf_of: str | None, evidence_sha256: str | None,
    ) -> None:
        when = datetime.fromisoformat(occurred_at)
        self.referrals.append(Referral(to, referred_by, when, self._applying_version))
        self.status = MatterStatus.REFERRED

    @event("MatterDetermined")
    def _determined(
        self, determined_by: str, outcome: str, outcome_code: str | None, final_and_binding: bool,
        occurred_at: str, actor: dict[str, str], clauses: list[str], on_behalf_of: str | None,
        evidence_sha256: str | None,
    ) -> None:
        when = datetime.fromisoformat(occurred_at)
        self.determinations.append(Determination(
            determined_by, outcome, outcome_code, final_and_binding, when, self._applying_version
        ))
        self.status = MatterStatus.DETERMINED

    @event("MatterWithdrawn")
    def _withdrawn(
        self, withdrawn_by: str, reason: str, occurred_at: str, actor: dict[str, str],
        clauses: list[str], on_behalf_of: str | None, evidence_sha256: str | None,
    ) -> None:
        when = datetime.fromisoformat(occurred_at)
        self.withdrawal = Withdrawal(withdrawn_by, reason, when, self._applying_version)
        self.status = MatterStatus.WITHDRAWN

    @property
    def _applying_version(self) -> int:
        # eventsourcing sets ``version`` only after an event's method body has run.
        return self.version + 1

    # -- queries --------------------------------------------------------------------------------
    @property
    def route(self) -> Route:
        """The route row this matter follows."""
        return route_row(self.route_id)

    @property
    def is_pending(self) -> bool:
        return self.status in (MatterStatus.RAISED, MatterStatus.REFERRED)

    @property
    def while_pending(self) -> str | None:
        """What holds while the matter is undecided (the route row's words), if it is pending."""
        return self.route.while_pending if self.is_pending else None

    @property
    def last_determination(self) -> Determination | None:
        return self.determinations[-1] if self.determinations else None

    @property
    def window_deadline(self) -> Deadline | None:
        """The deadline stored when the matter was raised (not recomputed), if the route has one."""
        if self.window is None:
            return None
        w = self.window
        return Deadline(
            trigger=date.fromisoformat(w["trigger"]), working_days=int(w["working_days"]),
            due=date.fromisoformat(w["due"]), ends_at=datetime.fromisoformat(w["ends_at"]),
            convention=str(w["convention"]),
        )

    @property
    def windowed_act(self) -> WindowedAct | None:
        return None if self.window is None else WindowedAct(self.window["act"])

    def event_id(self, version: int) -> str:
        """The id of this matter's event ``version``, as the API reports it."""
        return f"{self.id}:{version}"


MatterRaised = Matter.MatterRaised  # type: ignore[attr-defined]
MatterReferred = Matter.MatterReferred  # type: ignore[attr-defined]
MatterDetermined = Matter.MatterDetermined  # type: ignore[attr-defined]
MatterWithdrawn = Matter.MatterWithdrawn  # type: ignore[attr-defined]
