"""Documents: every report, plan, certificate, consultation and publication on the record.

Appendix AK names far more documents than the ledger's projections use (catalogue sections 2.8,
2.9 and 3.1). Each is recordable here, typed, so the ledger holds the whole history
(domain/README.md): a ``Document`` (``DocumentRecorded``, ``DocumentRedactionRecorded``,
``DocumentPublished``, ``DocumentSuperseded``). ``ledger.rules.document_types.DOCUMENT_TYPES`` is
the table, one row per type with its clauses, who produces it and who receives it. Notices are
``ledger.notices``.

Structural rules (``InvalidDocumentEventError`` naming the field; nothing is written): known
type; SHA-256 values are 64 lowercase hex digits; a party is a role or audience (optionally
named); a redacted version needs its redaction list and differs from the original; a revision is
a new file and a document is superseded once. Clause references default to the type's row when
the recording context gives none, so every event carries them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from ledger.document_values import (
    ConfidentialityMarking,
    Party,
    fail,
    require_enum,
    require_parties,
    require_party,
    require_sha256,
    require_text,
    with_clauses,
)
from ledger.references import reference_id, reference_problem
from ledger.rules.document_types import DOCUMENT_TYPES, DocumentType, TypeRow


def _redaction(
    redaction_list: Sequence[str], redacted_sha256: str | None, sha256: str, whose: str
) -> list[str]:
    items = [require_text("redaction_list", item, whose) for item in redaction_list]
    if redacted_sha256 is not None:
        require_sha256("redacted_sha256", redacted_sha256, whose)
        if not items:
            raise fail("redaction_list", f"{whose}: a redacted version needs the list of what was redacted")
        if redacted_sha256 == sha256:
            raise fail("redacted_sha256", f"{whose}: equals the unredacted file's SHA-256")
    return items


class Document(Aggregate):
    """A document on the record: its type, version, file hash, parties, marking and redactions.

    Record one with ``Document.record(...)``; ``revise`` records the next version as a new
    document and marks this one superseded (save both together).
    """

    @classmethod
    def create_id(cls, reference: str | None = None, **_: object) -> UUID:
        return reference_id("document", reference)

    @classmethod
    def record(
        cls,
        document_type: DocumentType | str,
        title: str,
        document_version: str,
        sha256: str,
        issued_by: Party,
        recipients: Sequence[Party],
        confidentiality: ConfidentialityMarking | str,
        *,
        redaction_list: Sequence[str] = (),
        redacted_sha256: str | None = None,
        revision_of: UUID | None = None,
        reference: str | None = None,
        **context: Any,
    ) -> Document:
        """Record a document; ``context`` is ``RecordingContext.fields()``.

        Raises ``InvalidDocumentEventError``: document_type, title, document_version, sha256, issued_by,
        recipients, confidentiality, redaction_list, redacted_sha256, reference (``ledger.references``;
        a revision of a referenced document is referenced ``{reference}@{document_version}``).
        """
        kind = require_enum(DocumentType, "document_type", document_type, f"document {title!r}")
        whose = f"{kind.value} {title!r} version {document_version!r}"
        require_text("title", title, whose)
        require_text("document_version", document_version, whose)
        require_sha256("sha256", sha256, whose)
        redactions = _redaction(redaction_list, redacted_sha256, sha256, whose)
        problem = reference_problem(reference)
        if problem is not None:
            raise fail("reference", f"{whose}: {problem}")
        return cls(
            document_type=kind.value, title=title, document_version=document_version, sha256=sha256,
            issued_by=require_party("issued_by", issued_by, whose),
            recipients=require_parties("recipients", recipients, whose),
            confidentiality=require_enum(
                ConfidentialityMarking, "confidentiality", confidentiality, whose
            ).value,
            redaction_list=redactions, redacted_sha256=redacted_sha256,
            revision_of=None if revision_of is None else str(revision_of), reference=reference,
            **with_clauses(context, DOCUMENT_TYPES[kind]),
        )

    def revise(
        self, document_version: str, sha256: str, *, title: str | None = None,
        recipients: Sequence[Party] | None = None, **context: Any,
    ) -> Document:
        """Record ``document_version`` as a new document revising this one, and this one as superseded.

        Raises ``InvalidDocumentEventError``: superseded_by (already superseded), document_version (same
        as this one's), sha256 (malformed, or the same file), and ``record``'s fields.
        """
        whose = f"document {self.id}"
        if self.superseded_by is not None:
            raise fail("superseded_by", f"{whose} is already superseded by {self.superseded_by}")
        if document_version == self.document_version:
            raise fail("document_version", f"{whose} is already version {document_version!r}")
        if sha256 == self.sha256:
            raise fail("sha256", f"{whose}: a revision is a different file from {self.document_version!r}")
        revision = Document.record(
            self.document_type, title or self.title, document_version, sha256, self.issued_by,
            self.recipients if recipients is None else recipients, self.confidentiality,
            revision_of=self.id,
            reference=None if self.reference is None else f"{self.reference}@{document_version}",
            **context,
        )
        self._superseded(
            superseded_by=str(revision.id), document_version=document_version,
            **with_clauses(context, self.row),
        )
        return revision

    def record_redaction(
        self, redaction_list: Sequence[str], redacted_sha256: str | None, **context: Any
    ) -> None:
        """Record the sections to redact (§13.18(b) proposed, §13.20 specified by the Panel) and,
        once made, the redacted version's hash. Raises ``InvalidDocumentEventError``:
        redaction_list (empty), redacted_sha256."""
        whose = f"document {self.id}"
        if not redaction_list:
            raise fail("redaction_list", f"{whose}: name at least one section to redact")
        items = _redaction(redaction_list, redacted_sha256, self.sha256, whose)
        self._redaction_recorded(
            redaction_list=items, redacted_sha256=redacted_sha256, **with_clauses(context, self.row)
        )

    def publish(self, location: str, *, redacted: bool = False, **context: Any) -> None:
        """Record publication at ``location`` (a URL: DCC Website, SEC Website) of the file or of
        its redacted version. Raises ``InvalidDocumentEventError``: location, redacted (no
        redacted version recorded)."""
        whose = f"document {self.id}"
        require_text("location", location, whose)
        published = self.redacted_sha256 if redacted else self.sha256
        if published is None:
            raise fail("redacted", f"{whose} has no redacted version recorded to publish")
        self._published(location=location, published_sha256=published, **with_clauses(context, self.row))

    # -- events (apply only: no validation here, so old events always replay) -------------------
    @event("DocumentRecorded")
    def __init__(
        self, document_type: str, title: str, document_version: str, sha256: str,
        issued_by: dict[str, str | None], recipients: list[dict[str, str | None]],
        confidentiality: str, redaction_list: list[str], redacted_sha256: str | None,
        revision_of: str | None, reference: str | None, occurred_at: str, actor: dict[str, str],
        clauses: list[str],
        on_behalf_of: str | None, evidence_sha256: str | None,
    ) -> None:
        self.document_type = DocumentType(document_type)
        self.title, self.document_version, self.sha256 = title, document_version, sha256
        self.issued_by = Party.from_json(issued_by)
        self.recipients = tuple(Party.from_json(r) for r in recipients)
        self.confidentiality = ConfidentialityMarking(confidentiality)
        self.redaction_list, self.redacted_sha256 = tuple(redaction_list), redacted_sha256
        self.revision_of = None if revision_of is None else UUID(revision_of)
        self.reference = reference
        self.clauses = tuple(clauses)
        self.recorded_at = datetime.fromisoformat(occurred_at)
        self.superseded_by: UUID | None = None
        self.publications: list[tuple[str, str]] = []

    @event("DocumentSuperseded")
    def _superseded(
        self, superseded_by: str, document_version: str, occurred_at: str, actor: dict[str, str],
        clauses: list[str], on_behalf_of: str | None, evidence_sha256: str | None,
    ) -> None:
        self.superseded_by = UUID(superseded_by)

    @event("DocumentRedactionRecorded")
    def _redaction_recorded(
        self, redaction_list: list[str], redacted_sha256: str | None, occurred_at: str,
        actor: dict[str, str], clauses: list[str], on_behalf_of: str | None, evidence_sha256: str | None,
    ) -> None:
        self.redaction_list, self.redacted_sha256 = tuple(redaction_list), redacted_sha256

    @event("DocumentPublished")
    def _published(
        self, location: str, published_sha256: str, occurred_at: str, actor: dict[str, str],
        clauses: list[str], on_behalf_of: str | None, evidence_sha256: str | None,
    ) -> None:
        self.publications.append((location, published_sha256))

    @property
    def row(self) -> TypeRow:
        return DOCUMENT_TYPES[self.document_type]


DocumentRecorded = Document.DocumentRecorded  # type: ignore[attr-defined]
DocumentSuperseded = Document.DocumentSuperseded  # type: ignore[attr-defined]
DocumentRedactionRecorded = Document.DocumentRedactionRecorded  # type: ignore[attr-defined]
DocumentPublished = Document.DocumentPublished  # type: ignore[attr-defined]
