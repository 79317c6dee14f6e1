"""Reading the ``facts`` read model as of a ledger position or a recorded time.

Every query answers "as of" a position P (a notification id) or a recorded time T; the current
state is just the latest position the ``facts`` projection has applied. T maps to the last
position the ledger had certainly reached by T: the greatest P whose ``reached_at`` (the latest
recorded time up to P, ``projections.facts_projection``) is at or before T. Events are recorded
(their signed ``recorded_at``) before they commit, and commit in position order, so no position
beyond that P can have been in the ledger at T.

A fact valid at P: ``valid_from <= P AND (valid_to IS NULL OR valid_to > P)``, by index, for the
kinds a query needs only (``projections.tables.facts``).
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import Any

import orjson
from sqlalchemy import Select, Text, cast, func, select, union_all
from sqlalchemy.engine import Connection, Engine

from ledger.calendar import LONDON
from projections import tracking
from projections.errors import ProjectionError
from projections.fact_codec import decode, encode
from projections.fact_kinds import FACT_TYPES, FactKind
from projections.facts_projection import FactsProjection, utc
from projections.rules.facts import ExecutionFact
from projections.tables import facts, positions, projection_tracking

_f, _p = facts.c, positions.c


class QueryError(ProjectionError):
    """Root of the errors an as-of query raises on purpose."""


class AsOfError(QueryError, ValueError):
    """The as-of arguments cannot name a position (both given, a negative position, a naive time)."""


class ProjectionBehindError(QueryError):
    """The ``facts`` projection has not applied the ledger up to the position asked for: the
    answer would be incomplete. Run the projector (``akledger projections``) and ask again."""

    def __init__(self, wanted: str, position: int) -> None:
        super().__init__(f"the facts projection is at position {position}; it has not yet applied "
                         f"the ledger up to {wanted}")
        self.position = position


@dataclass(frozen=True)
class AsOf:
    """Where an answer stands: the position; when the ledger reached it (None: no event yet);
    and the day date-dependent rules are judged on (Europe/London; deadlines end at the end of
    their last day, A38): the day of the time asked for, else of ``reached_at``."""

    position: int
    reached_at: datetime | None
    judged_on: date


#: The position up to which the ``facts`` projection has applied the ledger (no row: never run).
PROJECTED = select(projection_tracking.c.notification_id).where(
    projection_tracking.c.projection_name == FactsProjection.name)


def projected_position(conn: Connection) -> int:
    """The position up to which the ``facts`` projection has applied the ledger (0: never run)."""
    found = conn.execute(PROJECTED).scalar()
    return 0 if found is None else int(found)


def position_as_of(engine: Engine, as_of_position: int | None = None, as_of: datetime | None = None) -> int:
    """The position an answer as of ``as_of_position`` or ``as_of`` (aware) reads; the latest
    projected position when neither is given. Raises ``AsOfError`` (both given, a negative
    position, a naive time) and ``ProjectionBehindError``."""
    return resolve(engine, as_of_position, as_of).position


def resolve(
    engine: Engine, as_of_position: int | None = None, as_of: datetime | None = None,
    judged_on: date | None = None,
) -> AsOf:
    """``position_as_of`` with when the ledger reached the position and the day to judge on
    (``judged_on`` overrides it). Raises as ``position_as_of``."""
    if as_of_position is not None and as_of is not None:
        raise AsOfError("as of a position or as of a time, not both")
    if as_of_position is not None and as_of_position < 0:
        raise AsOfError(f"position {as_of_position} is not a ledger position (0 or more)")
    if as_of is not None and as_of.tzinfo is None:
        raise AsOfError(f"{as_of.isoformat()} has no time zone (give an offset, e.g. +00:00)")
    with engine.connect() as conn:
        projected = projected_position(conn)
        if as_of_position is not None:
            if as_of_position > projected and tracking.head(conn) > projected:
                raise ProjectionBehindError(f"position {as_of_position}", projected)
            position = min(as_of_position, projected)
        elif as_of is not None:
            position = _position_reached_by(conn, utc(as_of))
            if position == projected and tracking.head(conn) > projected:
                raise ProjectionBehindError(as_of.isoformat(), projected)
        else:
            position = projected
        reached = _reached_at(conn, position)
    day = as_of or reached or datetime.now(UTC)
    return AsOf(position, reached, judged_on or day.astimezone(LONDON).date())


def _position_reached_by(conn: Connection, at: datetime) -> int:
    found = conn.execute(select(func.max(_p.notification_id)).where(_p.reached_at <= at)).scalar()
    return 0 if found is None else int(found)


def _reached_at(conn: Connection, position: int) -> datetime | None:
    query = (select(_p.reached_at).where(_p.notification_id <= position)
             .order_by(_p.notification_id.desc()).limit(1))
    found = conn.execute(query).scalar()
    return None if found is None else utc(found)


def rows_at(
    conn: Connection, kind: FactKind, position: int, phase_id: str | None = None, *, runs: bool = True,
) -> list[tuple[str, Any]]:
    """``(aggregate id, fact)`` of every ``kind`` fact valid at ``position`` (in ``phase_id``),
    in the order the facts were last recorded. A planned test comes with its runs valid at
    ``position`` (stored as rows of their own, ``FactKind.EXECUTION``), in run order, unless not
    ``runs`` (then it has only what it keeps of them: its last run, latest result, witnessing)."""
    rows = conn.execute(_valid_at(kind, position, phase_id))
    found: list[tuple[str, Any]] = [(str(aggregate_id), decode(FACT_TYPES[kind], orjson.loads(payload)))
                                    for aggregate_id, payload in rows]
    if kind is not FactKind.PLANNED_TEST or not found or not runs:
        return found
    by_test: dict[str, list[Any]] = defaultdict(list)
    for aggregate_id, payload in conn.execute(_valid_at(FactKind.EXECUTION, position, phase_id)):
        by_test[str(aggregate_id)].append(decode(ExecutionFact, orjson.loads(payload)))
    return [(aggregate_id, replace(test, executions=tuple(sorted(by_test[aggregate_id], key=_run_number)))
             if aggregate_id in by_test else test) for aggregate_id, test in found]


def values_at(
    conn: Connection, kind: FactKind, position: int, fields: Sequence[str], phase_id: str | None = None,
) -> list[tuple[Any, ...]]:
    """The top-level ``fields`` of every ``kind`` fact valid at ``position`` (in ``phase_id``), as
    stored: JSON values, not decoded (a field the stored fact omits is its default, as JSON), in
    no particular order (the database need not sort the payloads). For a query that reads a few
    fields of very many facts: the heatmap reads 7 of a planned test's 14, and decoding whole
    facts was two thirds of its time at 10^6 events. Raises ``AsOfError`` for a name that is not a
    field of the kind's fact."""
    known = {f.name: f for f in dataclasses.fields(FACT_TYPES[kind])}
    unknown = [name for name in fields if name not in known]
    if unknown:
        raise AsOfError(f"{', '.join(unknown)}: not a field of a {kind.value} fact")
    defaults = [encode(_default(known[name])) for name in fields]
    found = []
    for _, payload in conn.execute(_valid_at(kind, position, phase_id, ordered=False)):
        data = orjson.loads(payload)
        found.append(tuple([data.get(name, default) for name, default in zip(fields, defaults, strict=True)]))
    return found


def _default(field: dataclasses.Field[Any]) -> Any:
    if field.default is not dataclasses.MISSING:
        return field.default
    if field.default_factory is not dataclasses.MISSING:
        return field.default_factory()
    return None  # required: every stored fact has it


def _valid_at(
    kind: FactKind, position: int, phase_id: str | None, *, ordered: bool = True
) -> Select[tuple[Any, Any]]:
    """``(aggregate id, payload text)`` of the ``kind`` facts valid at ``position``: those still open
    and those closed after it, as two index range scans (``facts_to``, ``facts_from``) whose
    results are appended; PostgreSQL's planner cannot estimate the single condition ``valid_to IS
    NULL OR valid_to > P`` with ``valid_from <= P`` and read every row of the kind instead (half a
    second at 10^6 events). ``ordered``: in the order the facts were last recorded."""
    columns = (_f.aggregate_id, cast(_f.payload, Text).label("payload"), _f.valid_from, _f.key)
    branches = []
    for still_valid in (_f.valid_to.is_(None), _f.valid_to > position):
        branch = select(*columns).where(_f.kind == kind.value, still_valid, _f.valid_from <= position)
        branches.append(branch if phase_id is None else branch.where(_f.phase_id == phase_id))
    rows = union_all(*branches).subquery()
    query = select(rows.c.aggregate_id, rows.c.payload)  # parsed by orjson, not the JSON type's json.loads
    return query.order_by(rows.c.valid_from, rows.c.aggregate_id, rows.c.key) if ordered else query


def _run_number(run: ExecutionFact) -> int:
    return run.run_number


def facts_at(
    engine: Engine, kind: FactKind | str, position: int, phase_id: str | None = None, *, runs: bool = True,
) -> list[Any]:
    """Every ``kind`` fact valid at ``position`` (in ``phase_id``), as its dataclass
    (``fact_kinds.FACT_TYPES``); planned tests with their runs unless not ``runs`` (``rows_at``).
    Raises ``AsOfError`` for an unknown kind."""
    try:
        which = FactKind(kind)
    except ValueError:
        raise AsOfError(f"{kind!r} is not a kind of fact ({', '.join(FactKind)})") from None
    with engine.connect() as conn:
        return [fact for _, fact in rows_at(conn, which, position, phase_id, runs=runs)]


__all__ = [
    "AsOf",
    "AsOfError",
    "ProjectionBehindError",
    "QueryError",
    "facts_at",
    "position_as_of",
    "projected_position",
    "resolve",
    "rows_at",
    "values_at",
]
