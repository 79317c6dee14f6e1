"""Notices: every notice, notification and publication notice Appendix AK requires.

A ``Notice`` (``NoticeGiven``) records who gave it, to whom, about what, on which date, with
which file; ``ledger.rules.document_types.NOTICE_TYPES`` is the table, one row per type with its
clauses, who gives it and who receives it. Decisions and referrals on a route R1-R44 (a TAG
determination, a referral to the SoS, the §13.25 exclusion proposal) are Matters
(``ledger.matters``), not notices; the SoS directions and approvals of catalogue 3.1 (G4-G6, G9)
are notices here, being the letters that record them.

Structural rules (``InvalidDocumentEventError`` naming the field; nothing is written): known
type; a notice has at least one recipient; a party is a role or audience (optionally named); a
notice's ``given_on`` is the Europe/London date of its ``occurred_at``. Clause references default
to the type's row when the recording context gives none.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from ledger.calendar import LONDON
from ledger.document_values import (
    Party,
    fail,
    require_enum,
    require_parties,
    require_party,
    require_sha256,
    require_text,
    with_clauses,
)
from ledger.matter_values import Subject, SubjectKind
from ledger.references import reference_id, reference_problem
from ledger.rules.document_types import NOTICE_TYPES, NoticeType


class Notice(Aggregate):
    """A notice given: its type, who gave it, to whom, about what, on which date, with which file."""

    @classmethod
    def create_id(cls, reference: str | None = None, **_: object) -> UUID:
        return reference_id("notice", reference)

    @classmethod
    def give(
        cls,
        notice_type: NoticeType | str,
        given_by: Party,
        recipients: Sequence[Party],
        *,
        subjects: Sequence[Subject] = (),
        given_on: date | None = None,
        document_sha256: str | None = None,
        reference: str | None = None,
        **context: Any,
    ) -> Notice:
        """Record a notice given; ``given_on`` defaults to the Europe/London date of ``occurred_at``.

        Raises ``InvalidDocumentEventError``: notice_type, given_by, recipients (none, or not
        parties), subjects, given_on (not the date of occurred_at), document_sha256, occurred_at,
        reference (``ledger.references``).
        """
        kind = require_enum(NoticeType, "notice_type", notice_type, "notice")
        whose = f"{kind.value} notice"
        problem = reference_problem(reference)
        if problem is not None:
            raise fail("reference", f"{whose}: {problem}")
        if not recipients:
            raise fail("recipients", f"{whose}: a notice is given to at least one party")
        for subject in subjects:
            if not isinstance(subject, Subject) or not isinstance(subject.kind, SubjectKind):
                raise fail("subjects", f"{whose}: {subject!r} is not a Subject")
            require_text("subjects", subject.id, whose)
        when = context.get("occurred_at")
        if not isinstance(when, str):
            raise fail("occurred_at", f"{whose}: required (RecordingContext.fields())")
        day = datetime.fromisoformat(when).astimezone(LONDON).date()
        if given_on is not None and given_on != day:
            raise fail("given_on", f"{whose}: {given_on} is not the London day of occurred_at ({day})")
        return cls(
            notice_type=kind.value, given_by=require_party("given_by", given_by, whose),
            recipients=require_parties("recipients", recipients, whose),
            subjects=[s.as_json() for s in subjects], given_on=day.isoformat(),
            document_sha256=require_sha256("document_sha256", document_sha256, whose, required=False),
            reference=reference, **with_clauses(context, NOTICE_TYPES[kind]),
        )

    @event("NoticeGiven")
    def __init__(
        self, notice_type: str, given_by: dict[str, str | None], recipients: list[dict[str, str | None]],
        subjects: list[dict[str, str]], given_on: str, document_sha256: str | None,
        reference: str | None, occurred_at: str,
        actor: dict[str, str], clauses: list[str], on_behalf_of: str | None, evidence_sha256: str | None,
    ) -> None:
        self.notice_type = NoticeType(notice_type)
        self.given_by = Party.from_json(given_by)
        self.recipients = tuple(Party.from_json(r) for r in recipients)
        self.subjects = tuple(Subject(SubjectKind(s["kind"]), s["id"]) for s in subjects)
        self.given_on = date.fromisoformat(given_on)
        self.given_at = datetime.fromisoformat(occurred_at)
        self.document_sha256 = document_sha256
        self.reference = reference
        self.clauses = tuple(clauses)


NoticeGiven = Notice.NoticeGiven  # type: ignore[attr-defined]
