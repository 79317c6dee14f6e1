"""JUnit XML into executions of planned tests (``akledger import junit``; §8.1(i), §9.4(b),
Table 13.1 #4).

Read with junitparser (its xunit2 classes, a superset of the flavours met in practice: pytest's
xunit1 and xunit2, Ant and Maven surefire, a ``<testsuites>`` or a single ``<testsuite>`` root,
nested suites). Each ``<testcase>`` is one run of one planned test of the phase:

- the planned test is found by a property of the testcase (``--map-by property:NAME``, default
  ``property:planned_test``; a testsuite's property applies to its testcases) naming its test
  reference, or by name (``--map-by name``): ``classname.name``, then ``name``, equal to the
  planned test's ``test_ref`` (a planned test records no other title);
- its result: passed -> ``pass``; ``<failure>`` or ``<error>`` -> ``fail``, with the type and
  message as the reason; ``<skipped>`` -> ``not_run``, with the skip message;
- its time: the testcase's ``timestamp``, else its suite's, else the root's, else the file's
  modification time; a timestamp without a time zone is read as UTC;
- the run number follows the planned test's latest run; environment and codebase version come
  from the options or from ``environment`` / ``codebase_version`` properties (testcase, then
  suite); ``executed_by`` (comma-separated) is optional;
- the run's evidence is the SHA-256 of the XML file (``--evidence-sha256 auto``) or the digest
  given.

A testcase that maps to no planned test, or whose command is refused, is a rejected row (file,
testcase, field, reason) with nothing written for it; the others are written. A file that cannot
be read or parsed is an :class:`ImportInputError` naming the file and line, and then nothing of
any file is written: every file is read before anything is recorded.
"""

from __future__ import annotations

import hashlib
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

from junitparser import JUnitXmlError, xunit2

from ledger.application import AKLedger
from ledger.document_values import SHA256_HEX
from ledger.imports.units import Command, ImportInputError, UnitRefused, UnitReport, record_unit
from ledger.planned_tests import PlannedTest

DEFAULT_PROPERTY = "planned_test"
_REASON_LIMIT = 500  # characters of a failure message kept as the run's reason


@dataclass(frozen=True)
class MapBy:
    """How a testcase names its planned test: by a property (``property``) or by name (None)."""

    property: str | None

    @classmethod
    def parse(cls, text: str) -> MapBy:
        """``property:NAME`` or ``name``. Raises ``ImportInputError`` (``--map-by``)."""
        if text == "name":
            return cls(None)
        kind, _, name = text.partition(":")
        if kind == "property" and name.strip():
            return cls(name.strip())
        raise ImportInputError("--map-by", f"{text!r} is neither property:NAME nor name")

    def __str__(self) -> str:
        return "name" if self.property is None else f"property:{self.property}"


@dataclass(frozen=True)
class Case:
    """One ``<testcase>`` as read: its names, properties (suite's overridden by its own), result."""

    file: str
    name: str
    classname: str | None
    properties: dict[str, str]
    result: str  # pass | fail | not_run
    reason: str | None
    timestamp: str | None

    @property
    def label(self) -> str:
        return f"{self.classname}.{self.name}" if self.classname else self.name


@dataclass(frozen=True)
class JunitFile:
    """A JUnit XML file read whole: its SHA-256, the time it was written, its testcases."""

    path: Path
    sha256: str
    modified_at: str
    cases: tuple[Case, ...]


@dataclass(frozen=True)
class JunitOptions:
    """What the command line says: the phase, who records, how to map, what to default."""

    phase_id: UUID
    principal: str
    map_by: MapBy = MapBy(DEFAULT_PROPERTY)
    evidence_sha256: str = "auto"  # "auto": each file's own SHA-256
    environment: str | None = None
    codebase_version: str | None = None
    dry_run: bool = False


@dataclass(frozen=True)
class CaseRejection:
    """A testcase not recorded: which file, which testcase, which field, why."""

    file: str
    testcase: str
    field: str
    reason: str
    command: str | None = None

    def as_json(self) -> dict[str, object]:
        return {"file": self.file, "testcase": self.testcase, "field": self.field,
                "reason": self.reason, "command": self.command}


@dataclass
class JunitReport(UnitReport[CaseRejection]):
    """A JUnit import: testcases read, runs recorded, testcases rejected."""

    files: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, object]:
        return {"files": self.files, "testcases": self.read, **self.counts(),
                "rejected": [r.as_json() for r in self.rejected]}


# -- reading --------------------------------------------------------------------------------------
def read_file(path: Path) -> JunitFile:
    """Read and parse ``path``. Raises ``ImportInputError`` naming the file (and the line of
    malformed XML, or the root element that is not JUnit's)."""
    try:
        data = path.read_bytes()
        modified = datetime.fromtimestamp(path.stat().st_mtime, UTC).isoformat()
    except OSError as exc:
        raise ImportInputError(f"FILE {path}", f"cannot read: {exc.strerror or exc}") from None
    try:
        # The standard library's parser, whatever junitparser would pick: expat >= 2.4 refuses
        # entity-expansion attacks and never fetches external entities (lxml would resolve them).
        root = ET.fromstring(data)  # noqa: S314
    except ET.ParseError as exc:
        line, column = exc.position
        raise ImportInputError(f"FILE {path}", f"line {line}, column {column}: not well-formed XML "
                               f"({str(exc).split(':', 1)[0]})") from None
    try:
        xml: Any = xunit2.JUnitXml.fromroot(root)  # type: ignore[arg-type]  # an etree element
    except JUnitXmlError:
        raise ImportInputError(f"FILE {path}", f"the root element <{root.tag}> is not "
                               "<testsuites> or <testsuite>") from None
    stamp = root.get("timestamp")
    cases = tuple(
        case for suite in xml for case in _cases(str(path), suite, {}, stamp)
    )
    return JunitFile(path, hashlib.sha256(data).hexdigest(), modified, cases)


def _cases(file: str, suite: Any, inherited: dict[str, str], stamp: str | None) -> Iterator[Case]:
    """The testcases of ``suite`` (an ``xunit2.TestSuite``) and of the suites nested in it."""
    properties = {**inherited, **{p.name: p.value for p in suite.properties() if p.name}}
    when = suite.timestamp or stamp
    for case in suite:
        own = {p.name: p.value for p in case.properties() if p.name}
        result, reason = _result(case)
        yield Case(file, case.name or "", case.classname or None, {**properties, **own}, result, reason,
                   case._elem.get("timestamp") or when)
    for nested in suite.testsuites():
        yield from _cases(file, nested, properties, when)


def _result(case: Any) -> tuple[str, str | None]:
    """pass, fail or not_run, and the reason for the latter two (``case``: an ``xunit2.TestCase``)."""
    finals = case.result
    if not finals:
        return "pass", None
    first = finals[0]
    kind: str = first._tag  # failure | error | skipped
    detail = first.message or (first.text or "").strip().split("\n", 1)[0]
    reason = (f"{kind} ({first.type})" if first.type else kind) + (f": {detail}" if detail else "")
    return ("not_run" if kind == "skipped" else "fail"), reason[:_REASON_LIMIT]


def evidence_option(text: str) -> str:
    """``auto`` or a SHA-256 (64 lowercase hex digits). Raises ``ImportInputError``."""
    if text == "auto" or SHA256_HEX.match(text):
        return text
    raise ImportInputError(
        "--evidence-sha256", f"{text!r} is neither auto nor a SHA-256 (64 lowercase hex digits)"
    )


# -- recording ------------------------------------------------------------------------------------
class _Rejected(Exception):  # noqa: N818 (a testcase's refusal before any command runs)
    def __init__(self, field: str, reason: str) -> None:
        super().__init__(reason)
        self.field, self.reason = field, reason


def import_junit(
    lg: AKLedger, files: list[JunitFile], options: JunitOptions, *, via: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> JunitReport:
    """Record each testcase of ``files`` as a run of its planned test (see the module's text);
    ``progress`` is told how many testcases are done."""
    report = JunitReport(dry_run=options.dry_run, files=[str(f.path) for f in files])
    runs: dict[UUID, int] = {}  # the last run number per planned test, this import's included
    for junit in files:
        for case in junit.cases:
            report.read += 1
            try:
                test = _planned_test(lg, options, case)
                run = runs.get(test.id) or _last_run(test)
                command = _execution(junit, case, test, run + 1, options)
                report.recorded.append(record_unit(lg, [command], via=via, dry_run=options.dry_run))
                runs[test.id] = run + 1
            except _Rejected as exc:
                report.rejected.append(CaseRejection(case.file, case.label, exc.field, exc.reason))
            except UnitRefused as exc:
                report.rejected.append(
                    CaseRejection(case.file, case.label, exc.field, exc.reason, exc.command)
                )
            if progress is not None:
                progress(report.read)
    return report


def _planned_test(lg: AKLedger, options: JunitOptions, case: Case) -> PlannedTest:
    phase = str(options.phase_id)
    if options.map_by.property is not None:
        name = options.map_by.property
        ref = case.properties.get(name, "").strip()
        if not ref:
            raise _Rejected(f"property:{name}", "the testcase has no such property naming its planned test")
        candidates = [ref]
    else:
        candidates = list(dict.fromkeys(c for c in (case.label, case.name) if c))
    for ref in candidates:
        test_id = PlannedTest.create_id(phase, ref)
        if test_id in lg.repository:
            found: object = lg.repository.get(test_id)
            assert isinstance(found, PlannedTest)
            return found
    where = f"property:{options.map_by.property}" if options.map_by.property else "name"
    named = " or ".join(map(repr, candidates))
    raise _Rejected(where, f"no planned test {named} in phase {phase}")


def _last_run(test: PlannedTest) -> int:
    latest = test.latest_execution
    return 0 if latest is None else latest.run_number


def _execution(junit: JunitFile, case: Case, test: PlannedTest, run: int, options: JunitOptions) -> Command:
    when = _instant(case.timestamp or junit.modified_at)
    environment = options.environment or case.properties.get("environment")
    codebase = options.codebase_version or case.properties.get("codebase_version")
    if not environment:
        raise _Rejected("environment", "give --environment or an `environment` property (7.6)")
    if not codebase:
        raise _Rejected("codebase_version", "give --codebase-version or a `codebase_version` property (7.6)")
    testers = [t.strip() for t in case.properties.get("executed_by", "").split(",") if t.strip()]
    evidence = junit.sha256 if options.evidence_sha256 == "auto" else options.evidence_sha256
    return {
        "command": "PlannedTest.record_execution",
        "principal": options.principal,
        "occurred_at": when,
        "data": {
            "target": {"id": str(test.id)},
            "run_number": run,
            "result": case.result,
            "reason": case.reason,
            "environment": environment,
            "codebase_version": codebase,
            "executed_at": when,
            "run_evidence_sha256": evidence,
            "executed_by": testers,
        },
    }


def _instant(text: str) -> str:
    """An ISO-8601 instant with a time zone (UTC when the file gives none)."""
    try:
        when = datetime.fromisoformat(text.strip())
    except ValueError:
        raise _Rejected("timestamp", f"{text!r} is not an ISO-8601 timestamp") from None
    return (when if when.tzinfo else when.replace(tzinfo=UTC)).isoformat()


__all__ = [
    "DEFAULT_PROPERTY",
    "Case",
    "CaseRejection",
    "JunitFile",
    "JunitOptions",
    "JunitReport",
    "MapBy",
    "evidence_option",
    "import_junit",
    "read_file",
]
