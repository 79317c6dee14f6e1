"""Every projection the runner knows, by name (what ``akledger projections`` lists and runs).

Some projections read the ledger's event store besides the log they follow (``facts`` loads an
aggregate it does not hold in memory), so they are constructed with the application:
``projections_for(app)``. ``PROJECTIONS`` holds those that need nothing.
"""

from __future__ import annotations

from ledger.application import AKLedger
from projections.base import Projection
from projections.errors import UnknownProjectionError
from projections.facts_projection import FactsProjection
from projections.principals import PrincipalsProjection

PROJECTIONS: tuple[Projection, ...] = (PrincipalsProjection(),)


def projections_for(app: AKLedger) -> tuple[Projection, ...]:
    """Every projection, constructed for ``app`` (a new instance each call: each keeps its own
    memory, so one runner should keep using the instances it was given)."""
    return (*PROJECTIONS, FactsProjection(app))


def projection_named(name: str, app: AKLedger | None = None) -> Projection:
    """Raises UnknownProjectionError (also for a projection that needs ``app`` when none is given)."""
    known = PROJECTIONS if app is None else projections_for(app)
    for projection in known:
        if projection.name == name:
            return projection
    raise UnknownProjectionError(name, [p.name for p in known])
