"""Documents and notices (``ledger.documents``): the type tables against the seed text, what is
recorded, and every structural rejection, in memory."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from typing import Any

import pytest

from ledger.actors import Actor
from ledger.calendar import LONDON
from ledger.context import RecordingContext
from ledger.document_values import ConfidentialityMarking, Party
from ledger.documents import Document
from ledger.errors import InvalidDocumentEventError, InvalidEventError
from ledger.matter_values import Subject, SubjectKind
from ledger.notices import Notice
from ledger.rules.document_types import (
    DOCUMENT_TYPES,
    NOTICE_TYPES,
    Audience,
    DocumentType,
    NoticeType,
    TypeRow,
)
from ledger.rules.roles import Role
from tests.unit.seed_text import check_ref, clause, seed_lines, unstruck

DCC = Actor("alice", "dcc", "DCC")
AT = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
H1, H2, H3 = "a1" * 32, "b2" * 32, "c3" * 32


def ctx(*clauses: str, at: datetime = AT, **kwargs: Any) -> dict[str, Any]:
    return RecordingContext(DCC, at, clauses, **kwargs).fields()


def report(**overrides: Any) -> Document:
    arguments: dict[str, Any] = {
        "document_type": DocumentType.SIT_COMPLETION_REPORT, "title": "SIT Completion Report MOC E1",
        "document_version": "1.0", "sha256": H1, "issued_by": Party(Role.DCC),
        "recipients": [Party(Role.TAG), Party(Role.PANEL)],
        "confidentiality": ConfidentialityMarking.RESTRICTED,
        **ctx(),
    }
    arguments.update(overrides)
    return Document.record(**arguments)


def payloads(aggregate: Document | Notice) -> list[dict[str, Any]]:
    skip = {"originator_id", "originator_version", "timestamp", "originator_topic"}
    return [{k: v for k, v in vars(e).items() if k not in skip} for e in aggregate.collect_events()]


# -- the tables -----------------------------------------------------------------------------------

# How each party is named in the text of Appendix AK (case-sensitive where the case matters).
NAMED_AS: dict[Role | Audience, tuple[str, ...]] = {
    Role.DCC: ("DCC",), Role.DCC_SERVICE_PROVIDER: ("DCC Service Provider",), Role.TAG: ("TAG",),
    Role.TAB: ("TAB",), Role.PANEL: ("Panel",), Role.SOS: ("Secretary of State",),
    Role.AUTHORITY: ("Authority",), Role.SUPPLIER: ("Supplier Part",), Role.SIT_AUDITOR: ("SIT Auditor",),
    Role.TESTING_PARTICIPANT: ("Testing Participant", "participating in a Test Phase"),
    Audience.PARTIES: ("Parties",), Audience.STAKEHOLDERS: ("stakeholders",), Audience.USERS: ("User",),
    Audience.RELEVANT_PERSONS: ("relevant persons",), Audience.CODE_ADMINISTRATOR: ("Code Administrator",),
    Audience.SECAS: ("SECAS",), Audience.PERSONS_DIRECTED_BY_SOS: ("as directed by the Secretary of State",),
    Audience.PUBLIC: ("publish", "Publish"),
}
TABLE_SPANS = {  # a table's text: from its title to the next heading
    "1.1": ("Table 1.1 SMETS1 SVTAD Definitions", "2 General"),
    "10.1": ("Table 10.1 Specific Deliverables", "11 Traceability"),
    "13.1": ("Table 13.1 SIT Exit Criteria", "Process for agreeing SIT Completion"),
}


def text_of(ref: str) -> str:
    """The in-force text a clause reference points at (a whole table for a table reference)."""
    table = re.match(r"Table (\d+\.\d+)", ref)
    if table:
        start, end = TABLE_SPANS[table[1]]
        lines = seed_lines()
        first = lines.index(start)
        last = next(i for i in range(first, len(lines)) if lines[i].strip() == end)
        return unstruck("\n".join(lines[first:last]))
    found = clause(re.match(r"\d+\.\d+A?", ref)[0])  # type: ignore[index]
    assert found is not None, ref
    return unstruck(found[0])


ROWS: list[tuple[str, TypeRow]] = [
    *((f"document {k.value}", r) for k, r in DOCUMENT_TYPES.items()),
    *((f"notice {k.value}", r) for k, r in NOTICE_TYPES.items()),
]


def test_every_document_and_notice_type_has_exactly_one_row() -> None:
    assert set(DOCUMENT_TYPES) == set(DocumentType)
    assert set(NOTICE_TYPES) == set(NoticeType)


@pytest.mark.parametrize(("name", "row"), ROWS, ids=[n for n, _ in ROWS])
def test_every_row_cites_clauses_in_force_that_events_accept(name: str, row: TypeRow) -> None:
    assert row.clauses, name
    assert row.produced_by, name
    assert [problem for ref in row.clauses if (problem := check_ref(ref))] == []
    RecordingContext(DCC, AT, row.clauses)  # the event's clause format accepts them


@pytest.mark.parametrize(("name", "row"), ROWS, ids=[n for n, _ in ROWS])
def test_every_party_a_row_names_is_named_by_its_clauses(name: str, row: TypeRow) -> None:
    text = "\n".join(text_of(ref) for ref in row.clauses)
    unnamed = [
        party.value for party in (*row.produced_by, *row.received_by)
        if not any(words in text for words in NAMED_AS[party])
    ]
    assert unnamed == [], f"{name}: {unnamed} not in §{', §'.join(row.clauses)}"


def test_the_sit_completion_notice_goes_where_13_18_a_says() -> None:
    row = NOTICE_TYPES[NoticeType.SIT_COMPLETION]
    assert set(row.received_by) == {Role.SOS, Role.AUTHORITY, Role.PANEL, Audience.PARTIES}
    assert row.clauses == ("13.18(a)",)


# -- documents ------------------------------------------------------------------------------------


def test_a_recorded_document_carries_its_record_as_json() -> None:
    document = report(redaction_list=["Annex B"], **ctx("13.18(b)"))
    (recorded,) = payloads(document)
    assert recorded["document_type"] == "sit_completion_report"
    assert recorded["recipients"] == [{"role": "tag", "name": None}, {"role": "panel", "name": None}]
    assert recorded["confidentiality"] == "restricted"
    assert recorded["redaction_list"] == ["Annex B"]
    assert recorded["clauses"] == ["13.18(b)"]
    assert json.loads(json.dumps(recorded)) == recorded
    assert document.document_version == "1.0"
    assert document.superseded_by is None


def test_clauses_default_to_the_document_types_row() -> None:
    document = report()
    assert document.clauses == DOCUMENT_TYPES[DocumentType.SIT_COMPLETION_REPORT].clauses
    assert payloads(document)[0]["clauses"] == list(document.clauses)


def test_a_named_party_and_a_wider_audience_are_both_recipients() -> None:
    acme = Party(Role.SUPPLIER, "Acme Energy")
    document = report(
        document_type="dmct_epcl_report", recipients=[acme, Party(Audience.PUBLIC)],
        confidentiality="public",
    )
    assert document.recipients == (acme, Party(Audience.PUBLIC))
    assert document.confidentiality is ConfidentialityMarking.PUBLIC


def test_a_testing_issue_log_may_have_no_recipients() -> None:
    assert report(document_type=DocumentType.TESTING_ISSUE_LOG, recipients=[]).recipients == ()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"document_type": "sit_report"}, "document_type"),
        ({"sha256": H1.upper()}, "sha256"),
        ({"sha256": H1[:-1]}, "sha256"),
        ({"sha256": H1 + "0"}, "sha256"),
        ({"sha256": None}, "sha256"),
        ({"title": " "}, "title"),
        ({"document_version": ""}, "document_version"),
        ({"issued_by": "dcc"}, "issued_by"),
        ({"issued_by": Party("dcc")}, "issued_by"),  # type: ignore[arg-type]
        ({"recipients": [Party(Role.SUPPLIER, "")]}, "recipients"),
        ({"confidentiality": "secret"}, "confidentiality"),
        ({"redacted_sha256": H2}, "redaction_list"),
        ({"redaction_list": ["Annex B"], "redacted_sha256": H1}, "redacted_sha256"),
        ({"redaction_list": ["Annex B"], "redacted_sha256": "x" * 64}, "redacted_sha256"),
        ({"redaction_list": [""]}, "redaction_list"),
    ],
)
def test_a_malformed_document_is_refused_naming_the_field(overrides: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidDocumentEventError, match=f"^{field}: ") as caught:
        report(**overrides)
    assert caught.value.field == field
    assert isinstance(caught.value, InvalidEventError)


def test_a_revision_supersedes_the_document_it_revises() -> None:
    first = report()
    first.collect_events()
    second = first.revise("1.1", H2, **ctx())
    assert first.superseded_by == second.id
    assert second.revision_of == first.id
    assert (second.document_type, second.title, second.recipients) == (
        first.document_type, first.title, first.recipients
    )
    (superseded,) = payloads(first)
    assert superseded["superseded_by"] == str(second.id)
    assert superseded["document_version"] == "1.1"
    assert payloads(second)[0]["revision_of"] == str(first.id)


@pytest.mark.parametrize(
    ("version", "sha256", "field"),
    [("1.0", H2, "document_version"), ("1.1", H1, "sha256"), ("1.1", "nope", "sha256")],
)
def test_a_revision_that_changes_nothing_is_refused(version: str, sha256: str, field: str) -> None:
    first = report()
    first.collect_events()
    with pytest.raises(InvalidDocumentEventError, match=f"^{field}: "):
        first.revise(version, sha256, **ctx())
    assert first.collect_events() == []
    assert first.superseded_by is None


def test_a_document_is_superseded_only_once() -> None:
    first = report()
    second = first.revise("1.1", H2, **ctx())
    first.collect_events()
    with pytest.raises(InvalidDocumentEventError, match=f"already superseded by {second.id}"):
        first.revise("1.2", H3, **ctx())
    assert first.collect_events() == []


def test_redactions_then_publication_of_the_redacted_version() -> None:
    document = report()
    document.record_redaction(["Annex B", "section 4.2"], None, **ctx("13.18(b)"))
    document.record_redaction(["Annex B"], H2, **ctx("13.20", on_behalf_of="panel", evidence_sha256=H3))
    document.publish("https://www.smartdcc.co.uk/reports/sit-moc-e1", redacted=True, **ctx())
    events = payloads(document)
    assert [e["redacted_sha256"] for e in events[1:3]] == [None, H2]
    assert events[3]["published_sha256"] == H2
    assert document.redaction_list == ("Annex B",)
    assert document.publications[0][1] == H2


@pytest.mark.parametrize(
    ("action", "field"),
    [
        (lambda d: d.record_redaction([], None, **ctx()), "redaction_list"),
        (lambda d: d.record_redaction(["Annex B"], H1, **ctx()), "redacted_sha256"),
        (lambda d: d.publish("", **ctx()), "location"),
        (lambda d: d.publish("https://x.example", redacted=True, **ctx()), "redacted"),
    ],
)
def test_malformed_redactions_and_publications_are_refused(action: Any, field: str) -> None:
    document = report()
    document.collect_events()
    with pytest.raises(InvalidDocumentEventError, match=f"^{field}: .*document {document.id}"):
        action(document)
    assert document.collect_events() == []


# -- notices --------------------------------------------------------------------------------------


def notice(**overrides: Any) -> Notice:
    arguments: dict[str, Any] = {
        "notice_type": NoticeType.DMC_SELECTION, "given_by": Party(Role.DCC),
        "recipients": [Party(Role.SUPPLIER, "Acme Energy"), Party(Role.SUPPLIER, "Bolt Gas")],
        "subjects": [Subject(SubjectKind.DMC, "DMC-17")], **ctx(),
    }
    arguments.update(overrides)
    return Notice.give(**arguments)


def test_a_notice_given_carries_who_to_whom_about_what_and_when() -> None:
    given = notice(document_sha256=H1)
    (recorded,) = payloads(given)
    assert recorded["notice_type"] == "dmc_selection"
    assert recorded["given_on"] == "2026-03-02"
    assert recorded["given_by"] == {"role": "dcc", "name": None}
    assert [r["name"] for r in recorded["recipients"]] == ["Acme Energy", "Bolt Gas"]
    assert recorded["subjects"] == [{"kind": "dmc", "id": "DMC-17"}]
    assert recorded["clauses"] == ["13.4", "13.11"]
    assert recorded["document_sha256"] == H1
    assert json.loads(json.dumps(recorded)) == recorded


def test_given_on_is_the_london_date_of_the_notice() -> None:
    # 23:30 UTC on 1 June is 00:30 BST on 2 June: the notice was given on 2 June.
    late = datetime(2025, 6, 1, 23, 30, tzinfo=UTC)
    assert notice(**ctx(at=late)).given_on == date(2025, 6, 2)
    assert notice(given_on=date(2025, 6, 2), **ctx(at=late.astimezone(LONDON))).given_on == date(2025, 6, 2)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"notice_type": "dmc_selected"}, "notice_type"),
        ({"recipients": []}, "recipients"),
        ({"recipients": ["supplier"]}, "recipients"),
        ({"given_by": Party(Role.DCC, " ")}, "given_by"),
        ({"subjects": ["DMC-17"]}, "subjects"),
        ({"subjects": [Subject(SubjectKind.DMC, "")]}, "subjects"),
        ({"given_on": date(2026, 3, 1)}, "given_on"),
        ({"document_sha256": "A1" * 32}, "document_sha256"),
        ({"occurred_at": None}, "occurred_at"),
    ],
)
def test_a_malformed_notice_is_refused_naming_the_field(overrides: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidDocumentEventError, match=f"^{field}: ") as caught:
        notice(**overrides)
    assert caught.value.field == field


def test_a_direction_recorded_on_the_secretary_of_states_behalf_keeps_its_evidence() -> None:
    direction = notice(
        notice_type=NoticeType.SOS_DIRECTION_ON_TAD, given_by=Party(Role.SOS), recipients=[Party(Role.DCC)],
        subjects=[Subject(SubjectKind.DOCUMENT, "mtad-draft-3")],
        **ctx(on_behalf_of="sos", evidence_sha256=H2),
    )
    (recorded,) = payloads(direction)
    assert (recorded["on_behalf_of"], recorded["evidence_sha256"]) == ("sos", H2)
    assert recorded["clauses"] == ["3.3", "21.9"]
