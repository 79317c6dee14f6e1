"""Documents, notices, Capability Releases and Test Phases saved through AKLedger (SQLite and
PostgreSQL) read back the same: their payloads are signable JSON."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from ledger.actors import Actor
from ledger.application import AKLedger
from ledger.capability_releases import CapabilityRelease
from ledger.context import RecordingContext
from ledger.document_values import Party
from ledger.documents import Document
from ledger.findings.phases import phase_findings
from ledger.matter_values import Subject, SubjectKind
from ledger.notices import Notice
from ledger.phases import TestPhase
from ledger.rules.document_types import Audience, DocumentType, NoticeType
from ledger.rules.phase_kinds import EntryCriterion
from ledger.rules.phase_transitions import PhaseStatus
from ledger.rules.roles import Role

H1, H2, H3 = "d4" * 32, "e5" * 32, "f6" * 32
START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def contexts(actor: Actor) -> Any:
    at = START
    while True:
        at += timedelta(hours=1)
        yield RecordingContext(actor, at).fields()


def test_a_revised_redacted_published_document_and_a_notice_round_trip(
    ledger: AKLedger, actor: Actor
) -> None:
    ledger.load_signer()
    ctx = contexts(actor)
    report = Document.record(
        DocumentType.SIT_COMPLETION_REPORT, "SIT Completion Report MOC E1", "1.0", H1, Party(Role.DCC),
        [Party(Role.TAG), Party(Role.SUPPLIER, "Acme Energy")], "restricted", redaction_list=["Annex B"],
        **next(ctx),
    )
    revision = report.revise("1.1", H2, **next(ctx))
    revision.record_redaction(["Annex B"], H3, **next(ctx))
    revision.publish("https://www.smartdcc.co.uk/sit-moc-e1", redacted=True, **next(ctx))
    notice = Notice.give(
        NoticeType.COMPLETION_REPORT_RELEASE, Party(Role.DCC), [Party(Audience.PARTIES)],
        subjects=[Subject(SubjectKind.DOCUMENT, str(revision.id))], document_sha256=H3, **next(ctx),
    )
    ledger.save(report, revision, notice)

    loaded_report: object = ledger.repository.get(report.id)
    loaded_revision: object = ledger.repository.get(revision.id)
    loaded_notice: object = ledger.repository.get(notice.id)
    assert isinstance(loaded_report, Document)
    assert isinstance(loaded_revision, Document)
    assert loaded_report.superseded_by == revision.id
    assert loaded_report.version == 2
    assert loaded_revision.revision_of == report.id
    assert loaded_revision.recipients == report.recipients
    assert loaded_revision.publications == [("https://www.smartdcc.co.uk/sit-moc-e1", H3)]
    assert loaded_revision.clauses == revision.clauses
    assert isinstance(loaded_notice, Notice)
    assert (loaded_notice.given_on, loaded_notice.subjects, loaded_notice.recipients) == (
        notice.given_on, notice.subjects, (Party(Audience.PARTIES),)
    )


def test_a_capability_release_and_a_sit_phase_round_trip_with_their_findings(
    ledger: AKLedger, actor: Actor
) -> None:
    ledger.load_signer()
    ctx = contexts(actor)
    release = CapabilityRelease.record("moc", delivery_plan_reference="LC13 plan v7", **next(ctx))
    phase = TestPhase.plan("moc", "sit", epcl_entry="E1", **next(ctx))
    phase.record_entry_criterion(EntryCriterion.A, True, document_sha256=H1, **next(ctx))
    phase.record_entry_criterion(EntryCriterion.D, False, basis="lab 2 not secure", **next(ctx))
    phase.enter(**next(ctx))
    phase.enter_stage("EOC1", "end-of-cycle run 1", "end_of_cycle", **next(ctx))
    phase.propose_exit(**next(ctx))
    phase.issue_tcc("T1", "CGI", tab_approval_sha256=H2, **next(ctx))
    phase.direct_continuation(Role.PANEL, ["TI-4 open"], **next(ctx))
    phase.revoke_tcc("T1", Role.TAB, **RecordingContext(actor, START, ("15.2",), "tab", H3).fields())
    phase.propose_exit(**next(ctx))
    phase.determine_completion(Role.TAB, **next(ctx))
    ledger.save(release, phase)

    loaded: object = ledger.repository.get(phase.id)
    assert isinstance(loaded, TestPhase)
    assert (loaded.version, loaded.status) == (11, PhaseStatus.COMPLETED)
    assert loaded.entry == phase.entry
    assert loaded.criteria_history == phase.criteria_history
    assert loaded.certificates == phase.certificates
    assert loaded.determinations == phase.determinations
    assert loaded.stages == phase.stages
    assert loaded.certificate_acts == phase.certificate_acts
    loaded_release: object = ledger.repository.get(release.id)
    assert isinstance(loaded_release, CapabilityRelease)
    assert loaded_release.capability.value == "moc"
    found = phase_findings(loaded, release=loaded_release)
    assert found == phase_findings(phase, release=release)
    assert [f.clause for f in found] == ["12.5", "13.18", "12.9(i)", "13.18(c)"]
