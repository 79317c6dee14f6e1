"""Every projection the runner knows, by name (what ``akledger projections`` lists and runs)."""

from __future__ import annotations

from projections.base import Projection
from projections.errors import UnknownProjectionError
from projections.principals import PrincipalsProjection

PROJECTIONS: tuple[Projection, ...] = (PrincipalsProjection(),)


def projection_named(name: str) -> Projection:
    """Raises UnknownProjectionError."""
    for projection in PROJECTIONS:
        if projection.name == name:
            return projection
    raise UnknownProjectionError(name, [p.name for p in PROJECTIONS])
